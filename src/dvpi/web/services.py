"""What the dashboard needs from the indicator engine, gathered in one replaceable object.

The application factory takes an :class:`Engine`; the default wires the real
``dvpi.indicators`` functions, tests may pass fakes. Worklists are the restricted,
record-level lists (they name reports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dvpi.web.users import ADMIN, BOROUGH_USER, FORCE_ANALYST, FORCE_USER, ROLES

# Record-level lists: never a partner (docs/dashboard.md).
RECORD_ROLES: tuple[str, ...] = (ADMIN, FORCE_ANALYST, BOROUGH_USER, FORCE_USER)

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
    # Who may see it (dvpi.web.users roles), on top of the route's borough rule.
    roles: tuple[str, ...] = RECORD_ROLES
    record_key: str = "report_id"  # the column naming a row's record (audit log)
    as_at: bool = False  # taken on the period's last day (or the data's latest date)


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


def default_worklists() -> dict[str, Worklist]:
    """Every declared worklist (``dvpi.indicators.worklists``), as the dashboard runs it."""
    from dvpi.indicators import worklists

    out = {}
    for w in worklists.WORKLISTS:
        unknown = set(w.roles) - set(ROLES)
        if unknown:
            raise RuntimeError(f"worklist {w.id}: unknown roles {sorted(unknown)}")
        out[w.id] = Worklist(w.id, w.title, w.definition, w.query, unit=w.unit,
                             needs=w.needs, roles=w.roles, record_key=w.key, as_at=w.as_at)
    return out
