"""Restricted record lists: the reports behind some indicators, by the same definitions.

These name reports and persons, so they are never in published output. Each builds the
same Ibis expressions as the indicator it explains, for one cell (the period, in the
force or one borough), on DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dvpi.indicators.context import CELLS, FORCE, Cell, Context, require_links
from dvpi.indicators.definitions import DEFAULT_DEFINITION, get_definition
from dvpi.indicators.engine import scopes_for
from dvpi.indicators.families import audit, dual_arrest, repeat
from dvpi.indicators.families.volume import dv_reports
from dvpi.indicators.periods import Period
from dvpi.people import DEFAULT_METHOD
from dvpi.warehouse import Backend

UNFLAGGED = "unflagged"
OVERFLAGGED = "overflagged"


def _with_context(backend: Backend, start: dt.date, end: dt.date,
                  borough: str | None, definition: str, people: str | None,
                  build: Callable[[Context], list[dict[str, Any]]],
                  force: str | None = None) -> list[dict[str, Any]]:
    """Run ``build`` on a one-cell context: the whole data set, one borough, or (a data
    set of several forces) one force. Like the engine, it only reads person links:
    ``people`` must have been resolved (``dvpi.people.ready``)."""
    if people is not None:
        require_links(backend, people)
    if borough is not None and force is not None:
        raise ValueError("give either a borough or a force, not both")
    runner = backend.runner
    # A borough name one force has (several forces: a name two share is an error); a
    # force by name (an unknown one is an error, never the whole data set).
    scope = FORCE if borough is None and force is None else \
        scopes_for(backend.con, borough=borough, force=force)[0].key
    ctx = Context(runner, backend.tables, [Cell(0, scope, Period(start, end))],
                  get_definition(definition), people)
    runner.put_arrow(CELLS, ctx.cells_arrow())
    try:
        return build(ctx)
    finally:
        for name, _ in reversed(ctx.steps):
            runner.drop(name)
        runner.drop(CELLS)


def _rows(ctx: Context, expr) -> list[dict[str, Any]]:
    return ctx.runner.fetch(ctx.runner.compile(expr)).to_pylist()


def flag_audit_records(backend: Backend, start: dt.date, end: dt.date,
                       borough: str | None = None, definition: str = DEFAULT_DEFINITION,
                       people: str | None = None,
                       *, force: str | None = None) -> list[dict[str, Any]]:
    """Reports of the period whose DV flag disagrees with their relationships."""

    def build(ctx: Context) -> list[dict[str, Any]]:
        out = []
        for kind, expr, reason in (
            (UNFLAGGED, audit.unflagged(ctx),
             f"a qualifying pair under {definition} but no DV flag"),
            (OVERFLAGGED, audit.overflagged(ctx),
             "DV-flagged with no intimate, family or extended-family relationship"),
        ):
            for r in _rows(ctx, expr.select("report_id", "borough", "recorded_date")):
                out.append({**r, "kind": kind, "reason": reason})
        return sorted(out, key=lambda r: (r["recorded_date"], r["report_id"], r["kind"]))

    # Counts reports, not persons: no person links are read.
    del people  # the same signature as the other lists
    return _with_context(backend, start, end, borough, definition, None, build, force)


def risk_assessment_gaps(backend: Backend, start: dt.date, end: dt.date,
                         borough: str | None = None, definition: str = DEFAULT_DEFINITION,
                         people: str | None = None,
                         *, force: str | None = None) -> list[dict[str, Any]]:
    """DV-flagged reports of the period with no risk assessment (of any date)."""

    def build(ctx: Context) -> list[dict[str, Any]]:
        r = dv_reports(ctx)
        if ctx.has("risk_assessments"):
            r = r.anti_join(ctx.raw("risk_assessments"), "report_id")
        rows = _rows(ctx, r.select("report_id", "borough", "recorded_date", "classification"))
        return sorted(rows, key=lambda x: (x["recorded_date"], x["report_id"]))

    del people  # no person is involved: the same signature as the other lists
    return _with_context(backend, start, end, borough, definition, None, build, force)


def dual_arrest_records(backend: Backend, start: dt.date, end: dt.date,
                        borough: str | None = None, definition: str = DEFAULT_DEFINITION,
                        people: str = DEFAULT_METHOD,
                        *, force: str | None = None) -> list[dict[str, Any]]:
    """DV-flagged reports of the period found by either dual-arrest method, saying which."""

    def build(ctx: Context) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for method_name, method in (("cross_allegation", dual_arrest.cross_allegation_reports),
                                    ("surname", dual_arrest.surname_method_reports)):
            expr = dual_arrest.dual_incidents(ctx, method)
            for r in _rows(ctx, expr.select("report_id", "borough", "recorded_date")):
                entry = found.setdefault(r["report_id"], {**r, "methods": []})
                entry["methods"].append(method_name)
        return sorted(found.values(), key=lambda x: (x["recorded_date"], x["report_id"]))

    return _with_context(backend, start, end, borough, definition, people, build, force)


def repeat_victim_records(backend: Backend, start: dt.date, end: dt.date,
                          borough: str | None = None, definition: str = DEFAULT_DEFINITION,
                          people: str = DEFAULT_METHOD,
                          *, force: str | None = None) -> list[dict[str, Any]]:
    """Repeat adult victims of the period: the person and their DV-flagged reports in the
    look-back (every such report, the period's included)."""

    def build(ctx: Context) -> list[dict[str, Any]]:
        persons = repeat.repeat_victims(ctx, crimes_only=False).select("person_key")
        lookback = ctx.reports_in("lookback")
        lookback = lookback.filter(lookback.dv_flag)
        p = ctx.people_of(lookback)
        p = p.filter(p.role == "victim").semi_join(persons, "person_key")
        rows = _rows(ctx, p.select("person_key", "report_id", "recorded_date").distinct())
        by_person: dict[str, list[tuple]] = {}
        for r in rows:
            by_person.setdefault(r["person_key"], []).append((r["recorded_date"], r["report_id"]))
        return [{"person_key": k, "report_ids": [rid for _, rid in sorted(v)], "count": len(v)}
                for k, v in sorted(by_person.items())]

    return _with_context(backend, start, end, borough, definition, people, build, force)
