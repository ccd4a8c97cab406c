"""How figures look on a page: number formats, red/amber/green, labels."""

from __future__ import annotations

from typing import Any

from dvpi.contract import codes
from dvpi.publish import status
from dvpi.publish.disclosure import MARK

LABELS: dict[str, str] = {
    **codes.OFFENCES,
    **codes.GENDERS,
    **codes.ETHNIC_APPEARANCES,
    **codes.SELF_DEFINED_ETHNICITIES,
    **{c.key: c.label for c in codes.SANCTION_CLASSES},
    **{str(k): v for k, v in codes.OUTCOME_TYPES.items()},
    "0": "No outcome yet",
    codes.UNRECORDED: "Unrecorded",
}


def label(key: Any) -> str:
    return LABELS.get(str(key), str(key))


def is_ratio(indicator_id: str) -> bool:
    # A ratio of two counts (charge : caution) reads as "2.00", not as 200 %.
    return indicator_id.endswith("_ratio")


def number(value: Any, unit: str = "count", indicator_id: str = "") -> str:
    if value is None:
        return "–"
    if unit == "rate" and not is_ratio(indicator_id):
        return f"{value * 100:.1f}%"
    if unit in ("per_100", "per_1000", "rate"):
        return f"{value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"{value:.4f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def sig(value: float | None) -> str:
    """A small rate to three significant figures (0.00812), a larger one to two places."""
    if value is None:
        return "–"
    return f"{value:,.2f}" if abs(value) >= 10 or value == 0 else f"{value:.3g}"


def headline(entry: dict | None) -> Any:
    """The figure an indicator is judged by: its value, or a breakdown's total."""
    if not entry:
        return None
    return entry.get("total") if "values" in entry else entry.get("value")


def show(entry: dict | None, unit: str = "count", indicator_id: str = "") -> str:
    """One indicator's headline as text: the figure, [c] if suppressed, n/a if missing."""
    if entry is None:
        return "–"
    if entry.get("unavailable"):
        return "n/a"
    field = "total" if "values" in entry else "value"
    if field in entry.get("suppressed", ()):
        return MARK
    return number(headline(entry), "count" if "values" in entry else unit, indicator_id)


def cell(entry: dict, key: str) -> str:
    if f"values.{key}" in entry.get("suppressed", ()):
        return MARK
    return number(entry.get("values", {}).get(key))


def part(entry: dict | None, name: str) -> str:
    """One field of a figure (numerator, denominator), or [c] when suppressed."""
    if not entry:
        return "–"
    if name in entry.get("suppressed", ()):
        return MARK
    return number(entry.get(name))


def rag(target: dict | None) -> str | None:
    """``green``/``amber``/``red`` of an engine ``targets`` entry (``publish.status``)."""
    if not target or target.get("suppressed"):
        return None
    return status.rag_from_target(target)


FILTERS = {"label": label, "number": number}
def plain(value: Any) -> Any:
    """A record's value as a table cell or CSV field: lists joined, None blank."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(v) for v in value)
    return value


GLOBALS = {"plain": plain, "sig": sig, "show": show, "cell": cell, "part": part, "rag": rag,
           "headline": headline, "MARK": MARK, "label": label, "number": number}
