"""The sections of catalogue version 2, as every output shows them: the report, the
dashboard (and, for its weekly figures, the pack).

The sections are the registry's families whose indicators are all of version 2 (justice
outcomes, charging time and bail, risk management, protective orders and disclosures,
MARAC, victim satisfaction, perpetrator programmes): never a hand list, so a family added
to the registry appears everywhere. The functions here turn engine entries (after
disclosure control, when the audience has it) into text rows: the figure, its detail
(a median's n, a rate's fraction and 95% interval, a gap's two groups), one row per key
of a breakdown or a rate per key, and the target. A suppressed part reads as the mark; an
indicator whose table is not loaded reads "not available", never 0.
"""

from __future__ import annotations

from typing import Any

from dvpi.indicators import registry
from dvpi.indicators.model import DEFAULT_DISPLAY, Family, Indicator
from dvpi.stats import display as fmt
from dvpi.stats.disclosure import MARK
from dvpi.stats.status import rag_from_target

VERSION = 2


def families(version: int = VERSION) -> tuple[Family, ...]:
    """The families whose every indicator is of ``version`` or later, in catalogue order."""
    return tuple(f for f in registry.FAMILIES
                 if registry.in_family(f.id)
                 and all(i.version >= version for i in registry.in_family(f.id)))


def funnel_ids(family_id: str) -> tuple[str, ...]:
    """The family's rates of a proportion (unit ``rate``): the figures compared borough
    by borough in a funnel plot. Figures per 1,000 or 10,000 residents, medians, rates
    per key and gaps are not proportions of cases and get no funnel."""
    return tuple(i.id for i in registry.in_family(family_id) if i.unit == "rate")


def all_funnel_ids(version: int = VERSION) -> tuple[str, ...]:
    return tuple(i for f in families(version) for i in funnel_ids(f.id))


def unavailable(family_id: str, indicators: dict[str, dict]) -> str | None:
    """Why a whole family is not available ("marac_cases not loaded"): every one of its
    indicators is unavailable; the reasons, each once, in catalogue order. None when any
    of its figures is available."""
    entries = [indicators.get(i.id) for i in registry.in_family(family_id)]
    if not entries or any(e is None or not e.get("unavailable") for e in entries):
        return None
    reasons = dict.fromkeys(str(e["unavailable"]) for e in entries if e)
    return "; ".join(reasons)


def detail(ind: Indicator, entry: dict | None) -> str:
    """What stands behind a figure: a median's n, a rate's numerator / denominator and
    its 95% Wilson interval, a gap's two groups (rate and n). Suppressed parts read as
    the mark; "" when there is nothing to add."""
    if not entry or entry.get("unavailable"):
        return ""
    if ind.unit == "median":
        return f"n {fmt.part(entry, 'n')}"
    if ind.unit == "gap":
        return "; ".join(
            f"{fmt.key_label(ind.id, k)} "
            f"{_shown(entry, f'{k}_rate', entry.get(f'{k}_rate'), _PERCENT)} "
            f"of {fmt.part(entry, f'{k}_n')}" for k in ind.keys)
    if "numerator" in entry:
        text = fmt.fraction(entry)
        interval = entry.get("ci95")
        if interval:
            text += f"; 95% interval {fmt.percent(interval[0])} to {fmt.percent(interval[1])}"
        elif ind.interval and fmt.is_hidden(entry, "ci95"):
            text += f"; 95% interval {MARK}"
        return text
    return ""


_PERCENT = DEFAULT_DISPLAY["rate"]  # a proportion, as a percentage


def _shown(entry: dict, fld: str, value: Any, display) -> str:
    return MARK if fmt.is_hidden(entry, fld) else fmt.number(value, display)


def key_rows(ind: Indicator, this: dict | None, last: dict | None = None) -> list[dict]:
    """One row per key of a breakdown or of a rate per key: label, this period's figure
    (and n), last period's. [] for other units or an unavailable entry."""
    if ind.unit not in ("breakdown", "rates") or not this or this.get("unavailable"):
        return []
    last = last if last and not last.get("unavailable") else None
    rows = []
    for key in ind.keys:
        row = {"key": key, "label": fmt.key_label(ind.id, key)}
        for name, entry in (("this", this), ("last", last)):
            if entry is None:
                row[name], row[f"{name}_n"] = fmt.NO_RATE, ""
            elif ind.unit == "breakdown":
                row[name] = fmt.part(entry, f"values.{key}")
                row[f"{name}_n"] = ""
            else:
                value = (entry.get("values") or {}).get(key)
                row[name] = _shown(entry, f"values.{key}", value, ind.display)
                row[f"{name}_n"] = fmt.part(entry, f"n.{key}")
        rows.append(row)
    return rows


def target_text(ind: Indicator, target: dict | None) -> dict[str, str] | None:
    """A targets entry as text: target, actual, met and red/amber/green, the actual
    withheld (the mark) where disclosure control suppressed it."""
    if not target:
        return None
    hidden = bool(target.get("suppressed"))
    met = target.get("met")
    return {
        "target": fmt.number(target.get("target"), ind.display),
        "actual": MARK if hidden else fmt.number(target.get("actual"), ind.display),
        "met": "" if hidden or met is None else ("met" if met else "not met"),
        "status": "" if hidden else (rag_from_target(target) or ""),
    }


def figure_rows(family_id: str, this: dict, last: dict | None = None,
                force: dict | None = None) -> list[dict[str, Any]]:
    """A family's indicators as rows: this period (figure and detail), the period before,
    the force (for a borough), the target, and the rows of its keys."""
    rows = []
    for ind in registry.in_family(family_id):
        a = this.get("indicators", {}).get(ind.id)
        b = (last or {}).get("indicators", {}).get(ind.id) if last else None
        f = (force or {}).get("indicators", {}).get(ind.id) if force else None
        rows.append({
            "id": ind.id, "title": ind.title, "unit": ind.unit,
            "unavailable": (a or {}).get("unavailable"),
            "this": _headline(ind, a),
            "this_detail": detail(ind, a),
            "last": _headline(ind, b) if last else "", "last_detail": detail(ind, b),
            "force": _headline(ind, f) if force else "",
            "target": target_text(ind, this.get("targets", {}).get(ind.id)),
            "keys": key_rows(ind, a, b),
            "funnel": ind.unit == "rate",
        })
    return rows


def _headline(ind: Indicator, entry: dict | None) -> str:
    """The figure itself; a rate per key has none (its keys carry it)."""
    if ind.unit == "rates" and entry and not entry.get("unavailable"):
        return "see below"
    return fmt.figure(ind, entry)
