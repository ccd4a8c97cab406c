"""Targets: which row covers a period and scope, and whether it was met (rule 28)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from dvpi.contract import codes
from dvpi.indicators.context import FORCE, SEP, name_key
from dvpi.indicators.model import Indicator
from dvpi.indicators.periods import Period


@dataclass(frozen=True)
class TargetRow:
    indicator: str
    force: str  # a force's name_key, "" (one force, no force column) or FORCE (every force)
    borough: str  # a borough's name_key, or FORCE (the whole force)
    period_start: dt.date
    period_end: dt.date
    target: float
    direction: str
    order: tuple[int, int]  # position in the files: (load, line)


def read(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> list[TargetRow]:
    """Every targets row of the warehouse (none when the table was not loaded)."""
    if "targets" not in tables:
        return []
    has_force = bool(con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'targets' AND column_name = 'force'").fetchone()[0])
    force = "force" if has_force else "CAST(NULL AS VARCHAR)"
    rows = con.execute(
        f"SELECT indicator, {force}, borough, period_start, period_end, target, direction, "
        "_load_id, _line FROM targets"
    ).fetchall()
    out = []
    for ind, force_name, borough, start, end, target, direction, load, line in rows:
        out.append(TargetRow(ind, name_key(force_name), name_key(borough), start, end,
                             float(target), direction or codes.TARGET_DIRECTION_DEFAULT,
                             (load or 0, line or 0)))
    return out


def applies(row: TargetRow, scope: str) -> bool:
    """Whether a target row is for a scope. Every row (``*``) takes borough ``*`` of no
    force or of every force; a force (``force<SEP>*``) borough ``*`` of it or of every
    force; a borough its own name, of its force or of every force."""
    if scope == FORCE:
        return row.borough == FORCE and row.force in ("", FORCE)
    force, borough = scope.split(SEP, 1)
    return row.borough == borough and row.force in (force, FORCE)


def covering(rows: Sequence[TargetRow], indicator: str, period: Period,
             scope: str) -> TargetRow | None:
    """Of the rows covering the period in this scope: one naming the force before one
    for every force (``*``), then the latest start, then the earliest end, then the last
    in the file. Borough ``*`` is the force's only."""
    found = [r for r in rows if r.indicator == indicator and applies(r, scope)
             and r.period_start <= period.start and period.end <= r.period_end]
    if not found:
        return None
    return max(found, key=lambda r: (r.force != FORCE, r.period_start,
                                     -r.period_end.toordinal(), r.order))


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
