"""Targets: which row covers a period and scope, and whether it was met (rule 28)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from dvpi.contract import codes
from dvpi.indicators.context import FORCE, scope_key
from dvpi.indicators.model import Indicator
from dvpi.indicators.periods import Period


@dataclass(frozen=True)
class TargetRow:
    indicator: str
    scope: str  # FORCE or a scope_key
    period_start: dt.date
    period_end: dt.date
    target: float
    direction: str
    order: tuple[int, int]  # position in the files: (load, line)


def read(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> list[TargetRow]:
    """Every targets row of the warehouse (none when the table was not loaded)."""
    if "targets" not in tables:
        return []
    rows = con.execute(
        "SELECT indicator, borough, period_start, period_end, target, direction, "
        "_load_id, _line FROM targets"
    ).fetchall()
    out = []
    for ind, borough, start, end, target, direction, load, line in rows:
        scope = FORCE if borough.strip() == codes.FORCE_WIDE_BOROUGH else scope_key(borough)
        out.append(TargetRow(ind, scope, start, end, float(target),
                             direction or codes.TARGET_DIRECTION_DEFAULT,
                             (load or 0, line or 0)))
    return out


def covering(rows: Sequence[TargetRow], indicator: str, period: Period,
             scope: str) -> TargetRow | None:
    """Of the rows covering the period in this scope: the latest start, then the earliest
    end, then the last in the file. Borough ``*`` is the force's only."""
    found = [r for r in rows if r.indicator == indicator and r.scope == scope
             and r.period_start <= period.start and period.end <= r.period_end]
    if not found:
        return None
    return max(found, key=lambda r: (r.period_start, -r.period_end.toordinal(), r.order))


def actual_of(ind: Indicator, figure: dict[str, Any]) -> float | int | None:
    """A breakdown is compared by its total; a per-100 figure by its scaled value; a
    median by its days; a rate per key has no one figure (None: ``met`` is null)."""
    if ind.unit == "breakdown":
        return figure.get("total")
    if ind.unit == "rates":
        return None
    return figure.get("value")


def _target_number(ind: Indicator, target: float) -> float | int:
    # Counts and days read naturally as whole numbers: a target of 10 reports prints as
    # 10, one of 28 days as 28.
    if ind.unit in ("count", "breakdown", "median") and target.is_integer():
        return int(target)
    return target


def evaluate(rows: Sequence[TargetRow], indicators: Sequence[Indicator],
             figures: dict[str, dict[str, Any]], period: Period,
             scope: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for ind in indicators:
        row = covering(rows, ind.id, period, scope)
        if row is None:
            continue
        actual = actual_of(ind, figures[ind.id])
        if actual is None:
            met = None
        elif row.direction == "at_most":
            met = actual <= row.target
        else:
            met = actual >= row.target
        out[ind.id] = {"target": _target_number(ind, row.target), "actual": actual, "met": met}
    return out
