"""How figures read: the one formatter of the CLI, the report, the pack and the dashboard.

How a value is shown is declared on the indicator (:class:`dvpi.indicators.model.Display`:
count, percent, ratio, per 100, per 1,000, with its digits); nothing here guesses it from an
id, a name or the size of a number. Every output calls :func:`figure`, :func:`number` or
:func:`change`, so a figure reads the same everywhere:

    count "1,234" · percent "42.1%" · ratio "2.00 : 1" · per_100 "63.2 per 100"
    · per_1000 "0.002 per 1,000" · per_10000 "47.0 per 10,000" · days "12.5 days"
    · points "+4.2 pts" · suppressed "[c]" · not computed "n/a" · no value "–"
"""

from __future__ import annotations

from typing import Any

from dvpi.contract import codes
from dvpi.indicators import registry
from dvpi.indicators.model import DEFAULT_DISPLAY, Display, Indicator
from dvpi.stats.disclosure import MARK

NOT_AVAILABLE = "n/a"
NO_RATE = "–"
COUNT = DEFAULT_DISPLAY["count"]

# What a breakdown key reads as beside its figure ("IC1 White European" is key_label's).
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


def label(key: Any) -> str:
    """A code's name (a gender, an ethnic appearance, an outcome type ...)."""
    return LABELS.get(str(key), str(key))


def key_label(indicator_id: str, key: str) -> str:
    """The reader's name for a breakdown key (codes from the contract; an indicator may
    declare its keys' names)."""
    ind = registry.by_id.get(indicator_id)
    if ind is not None and key in dict(ind.key_labels):
        return dict(ind.key_labels)[key]
    self_defined = codes.SELF_DEFINED_ETHNICITIES
    if indicator_id.endswith("_by_self_defined_ethnicity") and key in self_defined:
        return f"{key} {codes.SELF_DEFINED_ETHNICITIES[key]}"
    if indicator_id.endswith("_by_ethnic_appearance") and key in codes.ETHNIC_APPEARANCES:
        return f"{key} {codes.ETHNIC_APPEARANCES[key]}"
    return _KEY_LABELS.get(key, key)


# --- one value ---------------------------------------------------------------------------


def count(value: float | None, suppressed: bool = False) -> str:
    """A count: "1,234" when whole, "1,234.5" otherwise."""
    if suppressed:
        return MARK
    if value is None:
        return NO_RATE
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _digits(value: float, d: Display, signed: str = "") -> str:
    if d.significant is not None:
        return f"{value:{signed}.{d.significant}g}"
    return f"{value:{signed}.{d.places}f}"


def number(value: float | None, display: Display = COUNT) -> str:
    """One value as its indicator shows it (``display``: ``Indicator.display``)."""
    if value is None:
        return NO_RATE
    if display.kind == "count":
        return count(value)
    if display.kind == "percent":
        return f"{100 * value:.{display.places}f}%"
    if display.kind == "points":
        return f"{100 * value:+.{display.places}f} pts"
    if display.kind == "days":
        whole = float(value).is_integer()
        text = f"{int(value):,}" if whole else f"{value:,.{display.places}f}"
        return f"{text} day{'' if value == 1 else 's'}"
    text = _digits(value, display)
    if display.kind == "ratio":
        return f"{text} : 1"
    return f"{text} {PER[display.kind]}"


PER: dict[str, str] = {"per_100": "per 100", "per_1000": "per 1,000",
                       "per_10000": "per 10,000"}


def percent(value: float | None, digits: int = 1) -> str:
    """A proportion as a percentage (funnel rates, shares)."""
    return NO_RATE if value is None else f"{100 * value:.{digits}f}%"


def percent_label(value: float) -> str:
    """A level or a margin, as short as it goes: 0.95 → "95%", 0.998 → "99.8%"."""
    return f"{100 * value:g}%"


def share(value: float | None, total: float | None) -> str:
    """A breakdown cell's share of its total."""
    if value is None or not total:
        return ""
    return f"{100 * value / total:.1f}%"


def sig(value: float | None) -> str:
    """A small rate to three significant figures (0.00812), a larger one to two places."""
    if value is None:
        return NO_RATE
    return f"{value:,.2f}" if abs(value) >= 10 or value == 0 else f"{value:.3g}"


# --- engine entries ----------------------------------------------------------------------


def headline(entry: dict | None) -> Any:
    """The figure an indicator is judged by: its value, or a breakdown's total (a rate
    per key has none)."""
    if not entry:
        return None
    return entry.get("total") if "values" in entry else entry.get("value")


def _headline_field(entry: dict) -> str:
    return "total" if "values" in entry else "value"


def is_hidden(entry: dict, fld: str) -> bool:
    return fld in entry.get("suppressed", ())


def figure(ind: Indicator, entry: dict | None) -> str:
    """An engine entry's headline as text, or a mark: suppressed, not available, none."""
    if entry is None:
        return NO_RATE
    if entry.get("unavailable"):
        return NOT_AVAILABLE
    if ind.unit == "rates":  # one rate per key, no headline: "key 42.1%, ..."
        return rates(ind, entry)
    fld = _headline_field(entry)
    if is_hidden(entry, fld):
        return MARK
    return number(entry.get(fld), ind.display)


def rates(ind: Indicator, entry: dict) -> str:
    """A rate per key, each with its n: "Ease of contact 80.0% (n 25), ..."."""
    out = []
    for key, value in entry.get("values", {}).items():
        shown = MARK if is_hidden(entry, f"values.{key}") else number(value, ind.display)
        n = part(entry, f"n.{key}")
        out.append(f"{key_label(ind.id, key)} {shown} (n {n})")
    return ", ".join(out)


def part(entry: dict | None, name: str) -> str:
    """One count of an entry (numerator, denominator, total, ``values.<key>``), or a mark."""
    if not entry:
        return NO_RATE
    if is_hidden(entry, name):
        return MARK
    head, _, key = name.partition(".")
    if key and isinstance(entry.get(head), dict):
        return count(entry[head].get(key))
    return count(entry.get(name))


def fraction(entry: dict | None) -> str:
    """A rate's "numerator / denominator", marks where suppressed."""
    if not entry or "numerator" not in entry:
        return ""
    return f"{part(entry, 'numerator')} / {part(entry, 'denominator')}"


def change(ind: Indicator, this: dict | None, last: dict | None) -> str:
    """This period against the one before: relative for counts, points for percentages,
    the plain difference otherwise."""
    if not this or not last or this.get("unavailable") or last.get("unavailable"):
        return ""
    a, b = headline(this), headline(last)
    if a is None or b is None:
        return MARK if (this.get("suppressed") or last.get("suppressed")) else ""
    d = ind.display
    if d.kind == "count":
        if b == 0:
            return f"{a - b:+,}" if a else "0"
        return f"{a - b:+,} ({100 * (a - b) / b:+.1f}%)"
    if d.kind in ("percent", "points"):
        return f"{100 * (a - b):+.{d.places}f} pts"
    return _digits(a - b, d, signed="+")


# --- spreadsheets ------------------------------------------------------------------------


def excel_format(display: Display) -> str:
    """The Excel number format of a value written as a number (the pack): the same digits."""
    decimals = "." + "0" * display.places if display.places else ""
    if display.kind == "count":
        return "#,##0"
    if display.kind == "percent":
        return f"0{decimals}%"
    if display.kind == "points":  # a difference of proportions
        return f"+0{decimals}%;-0{decimals}%;0{decimals}%"
    if display.significant is not None:
        return "General"  # Excel has no significant-figures format
    return f"0{decimals}"
