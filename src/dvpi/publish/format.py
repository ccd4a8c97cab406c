"""How figures read: numbers, rates, changes and the labels of breakdown keys.

Shared by the report, the pack and the dashboard, so a figure reads the same everywhere.
"""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.publish.disclosure import MARK

NOT_AVAILABLE = "n/a"
NO_RATE = "–"
# Rates that read better as "x : 1" than as a percentage.
RATIO_INDICATORS: frozenset[str] = frozenset({"charge_caution_ratio"})

_KEY_LABELS: dict[str, str] = {
    **codes.GENDERS,
    **codes.ETHNIC_APPEARANCES,
    **codes.SELF_DEFINED_ETHNICITIES,
    **{c.key: c.label for c in codes.SANCTION_CLASSES},
    **{str(t): f"{t}. {label}" for t, label in codes.OUTCOME_TYPES.items()},
    "0": "No outcome yet",
    codes.UNRECORDED: "Unrecorded",
    "none": "None recorded",
    **{level: level.capitalize() for level in codes.RISK_LEVELS},
    "caution": "Caution",
    "charge": "Charge",
}


def key_label(indicator_id: str, key: str) -> str:
    """The reader's name for a breakdown key (codes from the contract)."""
    self_defined = codes.SELF_DEFINED_ETHNICITIES
    if indicator_id.endswith("_by_self_defined_ethnicity") and key in self_defined:
        return f"{key} {codes.SELF_DEFINED_ETHNICITIES[key]}"
    if indicator_id.endswith("_by_ethnic_appearance") and key in codes.ETHNIC_APPEARANCES:
        return f"{key} {codes.ETHNIC_APPEARANCES[key]}"
    return _KEY_LABELS.get(key, key)


def count(value: float | None, suppressed: bool = False) -> str:
    if suppressed:
        return MARK
    if value is None:
        return NO_RATE
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def headline(entry: dict) -> float | None:
    """A figure's headline number: value, or a breakdown's total."""
    return entry.get("total") if "values" in entry else entry.get("value")


def is_hidden(entry: dict, fld: str) -> bool:
    return fld in entry.get("suppressed", ())


def figure(indicator_id: str, unit: str, entry: dict | None) -> str:
    """One figure as text: "1,234", "42.1%", "2.00 : 1", "63.2 per 100", or a mark."""
    if entry is None:
        return NO_RATE
    if entry.get("unavailable"):
        return NOT_AVAILABLE
    if unit == "breakdown":
        return count(entry.get("total"), is_hidden(entry, "total"))
    if unit == "count":
        return count(entry.get("value"), is_hidden(entry, "value"))
    value = entry.get("value")
    if is_hidden(entry, "value"):
        return MARK
    if value is None:
        return NO_RATE
    if indicator_id in RATIO_INDICATORS:
        return f"{value:.2f} : 1"
    if unit == "rate":
        return f"{100 * value:.1f}%"
    if unit == "per_100":
        return f"{value:.1f} per 100"
    if unit == "per_1000":
        return f"{value:.3g} per 1,000"
    return f"{value:g}"


def fraction(entry: dict | None) -> str:
    """A rate's "numerator / denominator", marks where suppressed."""
    if not entry or "numerator" not in entry:
        return ""
    num = count(entry.get("numerator"), is_hidden(entry, "numerator"))
    den = count(entry.get("denominator"), is_hidden(entry, "denominator"))
    return f"{num} / {den}"


def change(indicator_id: str, unit: str, this: dict | None, last: dict | None) -> str:
    """This period against the one before: relative for counts, points for rates."""
    if not this or not last or this.get("unavailable") or last.get("unavailable"):
        return ""
    if unit in ("count", "breakdown"):
        a, b = headline(this), headline(last)
        if a is None or b is None:
            return MARK if (this.get("suppressed") or last.get("suppressed")) else ""
        if b == 0:
            return f"{a - b:+,}" if a else "0"
        return f"{a - b:+,} ({100 * (a - b) / b:+.1f}%)"
    a, b = this.get("value"), last.get("value")
    if a is None or b is None:
        return MARK if (this.get("suppressed") or last.get("suppressed")) else ""
    if indicator_id in RATIO_INDICATORS:
        return f"{a - b:+.2f}"
    if unit == "rate":
        return f"{100 * (a - b):+.1f} pts"
    if unit == "per_100":
        return f"{a - b:+.1f}"
    return f"{a - b:+.3g}"


def share(value: float | None, total: float | None) -> str:
    if value is None or not total:
        return ""
    return f"{100 * value / total:.1f}%"


def percent(value: float | None, digits: int = 1) -> str:
    return NO_RATE if value is None else f"{100 * value:.{digits}f}%"
