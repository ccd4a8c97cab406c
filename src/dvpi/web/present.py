"""What the dashboard's templates call: figures, marks, labels and red/amber/green.

Thin on purpose: every figure goes through :mod:`dvpi.stats.display`, the formatter the CLI,
the report and the pack use, with the display declared on the indicator.
"""

from __future__ import annotations

from typing import Any

from dvpi.indicators import coverage, registry
from dvpi.indicators.definitions import DEFINITIONS
from dvpi.indicators.model import DEFAULT_DISPLAY, Display
from dvpi.stats import display, status
from dvpi.stats.disclosure import MARK
from dvpi.stats.display import headline, label, sig

__all__ = ["FILTERS", "GLOBALS", "cell", "display_of", "headline", "label", "number", "part",
           "plain", "rag", "show", "sig", "why_not"]


def display_of(unit: str = "count", indicator_id: str = "") -> Display:
    """The declared display of a registry indicator; else the unit's default."""
    ind = registry.by_id.get(indicator_id)
    return ind.display if ind is not None else DEFAULT_DISPLAY.get(unit, display.COUNT)


def number(value: Any, unit: str = "count", indicator_id: str = "") -> str:
    """A value as its indicator shows it ("42.1%", "2.00 : 1", "1,234")."""
    return display.number(value, display_of(unit, indicator_id))


def show(entry: dict | None, unit: str = "count", indicator_id: str = "") -> str:
    """One indicator's headline as text: the figure, [c] if suppressed, n/a if missing."""
    if entry is None:
        return display.NO_RATE
    if entry.get("unavailable") or coverage.incomplete(entry):
        return display.NOT_AVAILABLE
    ind = registry.by_id.get(indicator_id)
    if ind is not None:
        return display.figure(ind, entry)
    field = "total" if "values" in entry else "value"
    if field in entry.get("suppressed", ()):
        return MARK
    shown = display.COUNT if "values" in entry else display_of(unit, indicator_id)
    return display.number(headline(entry), shown)


def why_not(entry: dict | None) -> str | None:
    """Why a figure is not available for its period (its inputs are incomplete), or None."""
    return coverage.incomplete(entry)


def cell(entry: dict, key: str) -> str:
    return display.part(entry, f"values.{key}")


def part(entry: dict | None, name: str) -> str:
    """One field of a figure (numerator, denominator), or [c] when suppressed."""
    return display.part(entry, name)


def rag(target: dict | None) -> str | None:
    """``green``/``amber``/``red`` of an engine ``targets`` entry (``stats.status``)."""
    if not target or target.get("suppressed"):
        return None
    return status.rag_from_target(target)


def plain(value: Any) -> Any:
    """A record's value as a table cell or CSV field: lists joined, None blank."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(v) for v in value)
    return value


FILTERS = {"label": label, "number": number}
GLOBALS = {"plain": plain, "sig": sig, "show": show, "why_not": why_not, "cell": cell,
           "part": part, "rag": rag,
           "headline": headline, "MARK": MARK, "label": label, "number": number,
           "DEFINITIONS": tuple(DEFINITIONS.values())}
