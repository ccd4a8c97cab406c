"""What the dashboard needs from the indicator engine, gathered in one replaceable object.

The application factory takes an :class:`Engine`; the default wires the real
``dvpi.indicators`` functions, tests may pass fakes. Worklists are the restricted,
record-level lists (they name reports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    description: str
    # fn(con, start, end, borough=None, definition=...) -> list of dicts naming reports
    fetch: Callable[..., list[dict]]
    unit: str = "report"  # what one row is: a report, or a person
    # Tables the list reads: with one not loaded it says so rather than fail.
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndicatorInfo:
    """The parts of a registry entry the methodology page shows."""

    id: str
    family: str
    title: str
    definition: str
    unit: str
    needs: tuple[str, ...] = ()
    person_based: bool = False


@dataclass
class Engine:
    compute: Callable[..., dict]
    worklists: dict[str, Worklist] = field(default_factory=dict)
    catalogue: Sequence[IndicatorInfo] = ()
    families: dict[str, str] = field(default_factory=dict)  # family id -> title
    compute_by_borough: Callable[..., list[dict]] | None = None
    compute_series: Callable[..., list[dict]] | None = None


def _as_info(ind: Any) -> IndicatorInfo:
    return IndicatorInfo(
        id=ind.id, family=ind.family, title=ind.title, definition=ind.definition,
        unit=ind.unit, needs=tuple(getattr(ind, "needs", ()) or ()),
        person_based=bool(getattr(ind, "person_based", False)),
    )


def _family_titles(families: Any) -> dict[str, str]:
    items = families.values() if isinstance(families, dict) else families
    return {f.id: f.title for f in items}


def with_coverage(compute: Callable[..., Any]) -> Callable[..., Any]:
    """An engine function whose results say which entries' inputs are incomplete for
    their period (``dvpi.indicators.coverage``): the dashboard shows those as not
    available, with the reason, never as a number."""
    from dvpi.indicators import coverage

    def computed(backend, *args, **kwargs):
        results = compute(backend, *args, **kwargs)
        return coverage.annotate_backend(backend, results, people=kwargs.get("people"))

    return computed


def default_engine() -> Engine:
    """The real engine (imported late so the web package loads without it in tests)."""
    from dvpi import indicators
    from dvpi.indicators import registry

    catalogue = registry.INDICATORS
    catalogue = catalogue.values() if isinstance(catalogue, dict) else catalogue
    return Engine(
        compute=with_coverage(indicators.compute),
        worklists=default_worklists(),
        catalogue=[_as_info(i) for i in catalogue],
        families=_family_titles(registry.FAMILIES),
        compute_by_borough=with_coverage(indicators.compute_by_borough),
        compute_series=with_coverage(indicators.compute_series),
    )


def _needs(*indicator_ids: str) -> tuple[str, ...]:
    """The tables the indicators a list explains read (from the registry)."""
    from dvpi.indicators import registry

    return tuple(dict.fromkeys(t for i in indicator_ids for t in registry.by_id[i].needs))


def default_worklists() -> dict[str, Worklist]:
    from dvpi.indicators import records

    return {
        "flag_audit": Worklist(
            "flag_audit", "Flag audit",
            "Reports that should carry the DV flag and do not, and DV-flagged reports "
            "with no domestic relationship recorded.",
            records.flag_audit_records,
            needs=_needs("flag_audit_unflagged", "flag_audit_overflagged")),
        "risk_gaps": Worklist(
            "risk_gaps", "Risk-assessment gaps",
            "DV-flagged reports with no risk assessment.", records.risk_assessment_gaps,
            needs=("reports",)),
        "dual_arrests": Worklist(
            "dual_arrests", "Dual-arrest incidents",
            "DV-flagged reports in which two people were each arrested and each is also a "
            "victim (cross allegation), or found by the 2008 enquiry's surname method; the "
            "methods column says which.", records.dual_arrest_records,
            needs=_needs("dual_arrest_incidents")),
        "repeat_victims": Worklist(
            "repeat_victims", "Repeat victims",
            "Adult victims of the period who are victims in another DV report in the "
            "look-back: one row per person, with every DV report of theirs in the "
            "look-back.", records.repeat_victim_records, "person",
            needs=_needs("repeat_victimisation_rate")),
    }
