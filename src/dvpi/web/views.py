"""What each page shows, worked out from engine results (no HTML here)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dvpi.contract.cells import csv_cell
from dvpi.indicators.definitions import DEFINITIONS
from dvpi.stats import equality as equality_rates
from dvpi.stats import findings, funnel
from dvpi.web import svg
from dvpi.web.access import Rule, allowed, audience, force_filter, protected
from dvpi.web.params import Choice
from dvpi.web.present import display_of, headline, label, plain
from dvpi.web.users import User

if TYPE_CHECKING:
    from dvpi.web.dashboard import Dashboard
    from dvpi.web.data import Snapshot

# The force overview's headline indicators (any indicator with a target joins them).
HEADLINE_IDS: tuple[str, ...] = (
    "dv_incidents",
    "dv_crimes",
    "spi8a_offence_arrest_rate",
    "spi8a_incident_arrest_rate",
    "sanction_detection_rate",
    "charges",
    "repeat_victimisation_rate",
    "risk_assessment_compliance",
    "cps_charging_rate",
    "cps_conviction_rate",
    "dual_arrest_incidents",
    "dv_homicides",
    "flag_audit_unflagged",
    "flag_audit_overflagged",
)

# The equality page: (title, dimension of stats.equality, victims and accused indicators).
EQUALITY_DIMENSIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Gender", "gender", "dv_crime_victims_by_gender", "accused_by_gender"),
    ("Ethnic appearance", "ethnic_appearance", "dv_crime_victims_by_ethnic_appearance",
     "accused_by_ethnic_appearance"),
    ("Age group", "age_group", "dv_crime_victims_by_age_group", "accused_by_age_group"),
)


def unit_of(dash: Dashboard, indicator_id: str, entry: dict | None = None) -> str:
    info = catalogue(dash).get(indicator_id)
    if info is not None:
        return info.unit
    if entry and "values" in entry:
        return "breakdown"
    return "rate" if entry and "numerator" in entry else "count"


def title_of(dash: Dashboard, indicator_id: str) -> str:
    info = catalogue(dash).get(indicator_id)
    return info.title if info else indicator_id.replace("_", " ").capitalize()


def catalogue(dash: Dashboard) -> dict[str, Any]:
    return {i.id: i for i in dash.engine.catalogue}


def _ids(result: dict) -> tuple[str, ...]:
    present = result.get("indicators", {})
    wanted = [i for i in HEADLINE_IDS if i in present]
    wanted += [i for i in result.get("targets", {}) if i in present and i not in wanted]
    return tuple(wanted)


def scorecard(dash: Dashboard, user: User, snap: Snapshot, choice: Choice,
              borough: str | None) -> dict[str, Any]:
    """Headline indicators of a scope: now, the year before, the force, 13 weeks, RAG."""
    def get(start: dt.date, end: dt.date, scope: str | None,
            ids: tuple[str, ...] | None = None) -> dict:
        return dash.result_for(user, snap, start, end, scope, choice.definition, ids)

    current = get(choice.start, choice.end, borough)
    before = get(*choice.year_before, borough)
    # Set beside its own force (several forces: the year's published set holds them).
    home = snap.force_of(borough) if borough else None
    force = get(choice.start, choice.end, home) if borough else None
    ids = _ids(current)
    weeks = choice.weeks()
    public = audience(user) == "public"
    # Weeks nest in the year: a protected audience is given whole years only (the
    # difference would be a period nobody protected), so no weekly trend.
    weekly = [] if protected(user) else dash.series(user, snap, weeks, borough,
                                                    choice.definition, ids)
    rows = []
    for ind_id in ids:
        entry = current["indicators"][ind_id]
        unit = unit_of(dash, ind_id, entry)
        series = [_plain(w.get("indicators", {}).get(ind_id)) for w in weekly]
        trend = svg.sparkline(series, f"{title_of(dash, ind_id)}: 13 weeks") if weekly \
            else None
        rows.append({
            "id": ind_id,
            "title": title_of(dash, ind_id),
            "unit": unit,
            "entry": entry,
            "before": before["indicators"].get(ind_id),
            "force": force["indicators"].get(ind_id) if force else None,
            "target": current.get("targets", {}).get(ind_id),
            "trend": trend,
        })
    period = choice.year or f"{choice.start} to {choice.end}"
    before_start, before_end = choice.year_before
    last_period = (f"{before_start.year}-{str(before_end.year)[-2:]}" if choice.year
                   else f"{before_start} to {before_end}")
    opening = findings.key_findings(current, before, period=period, last_period=last_period,
                                    force=force)
    return {"rows": rows, "result": current, "year_before": choice.year_before,
            "compared_with": compared_with(force),
            "weeks": weeks, "public": public, "weekly": bool(weekly), "findings": opening}


# The heading of the column a borough is set against: its force's name, else these.
COMPARED_WITH: dict[str | None, str] = {None: "Force", "force": "Force",
                                        "national": "National"}


def compared_with(force: dict | None) -> str:
    """The heading of the column a borough's figures are set against."""
    scope = force.get("scope") if force else None
    return COMPARED_WITH.get(scope, str(scope) if scope else "Force")


def _plain(entry: dict | None) -> float | None:
    """A figure for a trend line; suppressed and unavailable figures are gaps."""
    if not entry or entry.get("unavailable"):
        return None
    field = "total" if "values" in entry else "value"
    if field in entry.get("suppressed", ()):
        return None
    return headline(entry)


def league(dash: Dashboard, user: User, snap: Snapshot, choice: Choice,
           wanted: str | None) -> dict[str, Any]:
    """The league table and funnel plot of one rate indicator across the boroughs."""
    public = audience(user) == "public"
    results = (dash.published if public else dash.all_scopes)(
        snap, choice.start, choice.end, choice.definition)
    if public and snap.forces():  # the published set holds the forces too: not boroughs
        boroughs = set(snap.boroughs())
        results = [results[0], *(r for r in results[1:] if r.get("scope") in boroughs)]
    own = force_filter(user, snap)
    if own is not None:  # a force user: their force and its boroughs, never another's
        results = [dash.result(snap, choice.start, choice.end, own, choice.definition),
                   *(r for r in results[1:]
                     if allowed(user, Rule.BOROUGH_AGGREGATES, r.get("scope"), snap))]
    force = results[0]
    present = force.get("indicators", {})
    rates = [i for i in funnel.FUNNEL_INDICATORS if i in present]
    rates += [i for i, e in present.items() if i not in rates and "numerator" in e
              and display_of(unit_of(dash, i, e), i).kind == "percent"]
    chosen = wanted if wanted in rates else (rates[0] if rates else None)
    table, omitted, plots = [], [], []
    plotted = [i for i in funnel.FUNNEL_INDICATORS if i in rates] or rates[:1]
    for ind_id in dict.fromkeys([*plotted, *([chosen] if chosen else [])]):
        shape = funnel.funnel(results, ind_id)
        if ind_id == chosen:
            table, omitted = funnel.league_table(shape), shape.omitted
        if shape.force_rate is not None and shape.points:
            plots.append({"id": ind_id, "title": title_of(dash, ind_id), "svg": svg.funnel_plot(
                [(p.scope, p.denominator, p.rate) for p in shape.points], shape.force_rate,
                f"{title_of(dash, ind_id)} by borough",
                limits=_limits(shape.force_rate)), "force": present.get(ind_id)})
    incidents = {r["scope"]: r["indicators"].get("dv_incidents") for r in results[1:]}
    return {"indicator": chosen, "indicator_title": title_of(dash, chosen) if chosen else "",
            "rates": [(i, title_of(dash, i)) for i in rates], "rows": table,
            "omitted": omitted, "plots": plots, "incidents": incidents,
            "force": present.get(chosen) if chosen else None, "public": public}


def _limits(rate: float):
    return lambda n, level: funnel.control_limits(rate, n, level)


def equality(dash: Dashboard, user: User, snap: Snapshot, choice: Choice,
             borough: str | None) -> dict[str, Any]:
    """Victims and accused by gender, ethnic appearance and age: counts, and where the
    population is loaded, rates per 1,000 and relative rate indices (``stats.equality``)."""
    result = dash.result_for(user, snap, choice.start, choice.end, borough, choice.definition)
    population = snap.population(borough)
    tables = []
    for title, dimension, victims_id, accused_id in EQUALITY_DIMENSIONS:
        pop = _population_by(population, equality_rates.DIMENSIONS[dimension]["column"])
        reference = equality_rates.DIMENSIONS[dimension]["reference"]
        for who, ind_id in (("Victims of DV crimes", victims_id),
                            ("Persons accused", accused_id)):
            entry = result.get("indicators", {}).get(ind_id)
            if not entry or entry.get("unavailable"):
                continue
            rows = equality_rates.group_rates(entry, pop, dimension)
            chart = svg.bar_chart([(label(r.group), r.count) for r in rows],
                                     f"{who} by {title.lower()}")
            tables.append({"dimension": title, "who": who, "id": ind_id, "rows": rows,
                           "chart": chart, "entry": entry,
                           "reference": label(reference) if reference else None,
                           "reference_key": reference})
    return {"tables": tables, "has_population": bool(population), "result": result,
            "public": audience(user) == "public"}


def _population_by(rows: list[tuple], column: str) -> dict[str, int]:
    index = {"gender": 0, "age_band": 1, "ethnic_appearance": 2}[column]
    out: dict[str, int] = {}
    for row in rows:
        out[row[index]] = out.get(row[index], 0) + int(row[3])
    return {k: v for k, v in out.items() if v > 0}


def methodology(dash: Dashboard) -> dict[str, Any]:
    families: dict[str, list] = {}
    for info in dash.engine.catalogue:
        families.setdefault(info.family, []).append(info)
    sections = [(dash.engine.families.get(f, f.replace("_", " ").capitalize()), items)
                for f, items in families.items()]
    return {"sections": sections, "definitions": list(DEFINITIONS.values()),
            "worklists": list(dash.engine.worklists.values())}


def list_end(dash: Dashboard, snap: Snapshot, choice: Choice, kind: str):
    """The last day a list is taken for: the period's; for an "as at" list, the data's
    latest date when the period runs past it (``indicators.worklists.as_at_day``)."""
    if not dash.engine.worklists[kind].as_at:
        return choice.end
    from dvpi.indicators.worklists import as_at_day

    span = snap.date_range()
    return as_at_day(choice.start, choice.end, span[1] if span else None)


def worklist_rows(dash: Dashboard, snap: Snapshot, choice: Choice, borough: str | None,
                  kind: str, force: str | None = None) -> list[dict]:
    """A list's rows: the whole data set, one borough, or one force of several."""
    worklist = dash.engine.worklists[kind]
    end = list_end(dash, snap, choice, kind)
    key = ("worklist", snap.version, kind, choice.start, end,
           borough.lower() if borough else None, force.lower() if force else None,
           choice.definition)
    # One force's rows only: a list that cannot take a force is an error, never the nation.
    scope = {"force": force} if force is not None else {}

    def make() -> list[dict]:
        # The snapshot's person method, as for the figures: never a linkage in a request.
        with snap.backend() as backend:
            return [dict(r) for r in worklist.fetch(backend, choice.start, end,
                                                     borough=borough,
                                                     definition=choice.definition,
                                                     people=snap.people_method, **scope)]

    return snap.cache.get(key, make)


def worklist_unavailable(dash: Dashboard, snap: Snapshot, kind: str) -> str | None:
    """Why a list cannot be made from this warehouse (in the words the indicators use),
    or None."""
    missing = [t for t in dash.engine.worklists[kind].needs if t not in snap.tables()]
    return f"{', '.join(missing)} not loaded" if missing else None


def may_see(worklist: Any, role: str | None) -> bool:
    """Whether a role is among those the list is declared for (the route's rule decides
    the borough)."""
    return role is None or role in worklist.roles


def worklists(dash: Dashboard, snap: Snapshot, choice: Choice,
              borough: str | None, role: str | None = None,
              force: str | None = None) -> list[dict[str, Any]]:
    """The lists ``role`` may see (every list when None), with their rows: of the whole
    data set, one borough, or one force of several (``force``)."""
    out = []
    for kind, worklist in dash.engine.worklists.items():
        if not may_see(worklist, role):
            continue
        why_not = worklist_unavailable(dash, snap, kind)
        rows = [] if why_not else worklist_rows(dash, snap, choice, borough, kind, force)
        out.append({"kind": kind, "title": worklist.title, "unit": worklist.unit,
                    "description": worklist.description, "rows": rows,
                    "columns": columns_of(rows), "unavailable": why_not,
                    "roles": worklist.roles, "record_key": worklist.record_key,
                    "as_at": list_end(dash, snap, choice, kind) if worklist.as_at else None})
    return out


def record_ids(lists: list[dict[str, Any]]) -> list[str]:
    """``<key>:<value>`` of every record the lists' rows name by their declared key
    (``bail_id:B8``, ``request_id:D9``), for the audit log beside the report ids."""
    ids = {f"{wl['record_key']}:{row[wl['record_key']]}" for wl in lists
           if wl["record_key"] != "report_id"  # those are in the report ids already
           for row in wl["rows"] if row.get(wl["record_key"]) is not None}
    return sorted(ids)




def columns_of(rows: list[dict]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns) or ["report_id"]


def csv_safe(value: Any) -> Any:
    return csv_cell(plain(value))  # the one rule of every CSV and workbook (contract.cells)
