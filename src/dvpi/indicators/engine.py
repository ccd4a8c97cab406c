"""The indicator engine: counts in the warehouse, arithmetic in Python.

One computation covers a set of *cells* (periods x scopes). Every measure of every
indicator asked for (and of the indicators they refer to) is built as an Ibis
expression grouped by cell; they run as one query, and the JSON of each cell is
assembled from the counts. Rates are divided here, in Python, exactly as
``numerator / denominator``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis

from dvpi.contract import TABLES
from dvpi.indicators import plans, registry, targets
from dvpi.indicators.context import (
    CELLS,
    FORCE,
    Cell,
    Context,
    force_key,
    name_key,
    require_links,
    scope_key,
    union_all,
)
from dvpi.indicators.definitions import DEFAULT_DEFINITION, get_definition
from dvpi.indicators.model import Diff, Indicator, Part, Ref, Sum
from dvpi.indicators.periods import Period
from dvpi.indicators.summaries import median_of_counts, wilson_interval
from dvpi.people import DEFAULT_METHOD
from dvpi.people.store import LINKS_TABLE
from dvpi.warehouse import Backend
from dvpi.warehouse.duckdb import columns_of

NO_KEY = ""
# The warehouse tables the engine reads: the contract's, and the person links.
TABLES_READ: tuple[str, ...] = (*TABLES, LINKS_TABLE)


@dataclass
class Timings:
    """Where the time of one computation went (seconds), for the benchmark."""

    steps: dict[str, float] = field(default_factory=dict)

    def add(self, step: str, seconds: float) -> None:
        self.steps[step] = self.steps.get(step, 0.0) + seconds


@dataclass(frozen=True)
class Scope:
    key: str  # FORCE (every row), a force_key or a scope_key
    name: str  # "force" or "national", a force's name, a borough's name or "FORCE / BOROUGH"

    @property
    def is_force(self) -> bool:
        """Every row of the data set: the force, or the nation of several forces."""
        return self.key == FORCE


FORCE_SCOPE = Scope(FORCE, "force")
NATIONAL_SCOPE = Scope(FORCE, "national")


def closure(ids: Sequence[str]) -> list[Indicator]:
    """The indicators asked for and every indicator they refer to, in catalogue order."""
    wanted: set[str] = set()
    stack = list(ids)
    while stack:
        i = stack.pop()
        if i in wanted:
            continue
        wanted.add(registry.get(i).id)
        stack.extend(registry.get(i).refs)
    return [i for i in registry.INDICATORS if i.id in wanted]


def unavailable_reason(ind: Indicator, tables: dict[str, str]) -> str | None:
    """Version 1 names every missing table; version 2 the first, in the order its
    definition names them (precise rule 32)."""
    missing = [t for t in ind.needs if t not in tables]
    if ind.version >= 2:
        missing = missing[:1]
    return f"{', '.join(missing)} not loaded" if missing else None


def _has_force_column(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'reports' AND column_name = 'force'").fetchone()[0])


def forces_in(con: duckdb.DuckDBPyConnection) -> list[Scope]:
    """Every force named by the reports, by its most frequent spelling, sorted by name;
    none for a data set without a ``force`` column (one force)."""
    if not _has_force_column(con):
        return []
    rows = con.execute(
        """
        SELECT k, first(name ORDER BY n DESC, name) FROM (
            SELECT lower(trim(force)) AS k, trim(force) AS name, count(*) AS n
            FROM reports WHERE force IS NOT NULL GROUP BY ALL
        ) GROUP BY k ORDER BY k
        """
    ).fetchall()
    return [Scope(force_key(k), name) for k, name in rows]


def whole_scope(con: duckdb.DuckDBPyConnection) -> Scope:
    """Every row: "force" for a one-force data set, "national" when forces are named."""
    return NATIONAL_SCOPE if forces_in(con) else FORCE_SCOPE


def boroughs_in(con: duckdb.DuckDBPyConnection, force: str | None = None) -> list[Scope]:
    """Every borough of the reports, named by its most frequent spelling, sorted by name
    (by force, then name, with "FORCE / BOROUGH" names when forces are named); with
    ``force``, that force's only."""
    forces = {s.key: s.name for s in forces_in(con)}
    column = "force" if forces else "CAST(NULL AS VARCHAR)"
    rows = con.execute(
        f"""
        SELECT f, k, first(name ORDER BY n DESC, name) FROM (
            SELECT coalesce(lower(trim({column})), '') AS f, lower(trim(borough)) AS k,
                   trim(borough) AS name, count(*) AS n
            FROM reports GROUP BY ALL
        ) GROUP BY f, k ORDER BY f, k
        """
    ).fetchall()
    wanted = None if force is None else name_key(force)
    out = []
    for f, k, name in rows:
        if wanted is not None and f != wanted:
            continue
        shown = f"{forces[force_key(f)]} / {name}" if forces and f else name
        out.append(Scope(scope_key(k, f), shown))
    return out


def force_scope(con: duckdb.DuckDBPyConnection, force: str) -> Scope:
    """One force of the data set, by name (case ignored)."""
    forces = forces_in(con)
    for s in forces:
        if s.key == force_key(force):
            return s
    known = ", ".join(s.name for s in forces) or "none: the data set is one force"
    raise ValueError(f"no force {force.strip()!r} in the data (forces: {known})")


def borough_scope(con: duckdb.DuckDBPyConnection, borough: str,
                  force: str | None = None) -> Scope:
    """One borough of one force. In a data set of several forces, a borough name that
    more than one force has needs ``force``."""
    if not forces_in(con):
        if force is not None:
            force_scope(con, force)  # raises: no forces named
        return Scope(scope_key(borough), borough.strip())
    if force is not None:
        f = force_scope(con, force)
        return Scope(scope_key(borough, force), f"{f.name} / {borough.strip()}")
    every = boroughs_in(con)
    # As the output names it ("FORCE / BOROUGH"): the dashboard and API pass it back.
    shown = [s for s in every if name_key(s.name) == name_key(borough)]
    if len(shown) == 1:
        return shown[0]
    matching = [s for s in every if s.key.endswith(scope_key(borough, ""))]
    if len(matching) > 1:
        raise ValueError(f"borough {borough.strip()!r} is in more than one force "
                         f"({', '.join(s.name for s in matching)}): give the force too")
    if not matching:  # no such borough: an empty scope, named as given
        return Scope(scope_key(borough), borough.strip())
    return matching[0]


def scopes_for(con: duckdb.DuckDBPyConnection, *, force: str | None = None,
               borough: str | None = None, by: str | None = None) -> list[Scope]:
    """The scopes of one request: ``by`` None, "borough", "force" or "every" (the whole
    data set, every force, then every borough)."""
    if by is None:
        if borough is not None:
            return [borough_scope(con, borough, force)]
        return [force_scope(con, force) if force is not None else whole_scope(con)]
    if borough is not None:
        raise ValueError("give either a borough or a breakdown by, not both")
    if by == "borough":
        top = force_scope(con, force) if force is not None else whole_scope(con)
        return [top, *boroughs_in(con, force)]
    if by == "force":
        if force is not None:
            raise ValueError("give either a force or --by force, not both")
        return [whole_scope(con), *forces_in(con)]
    if by == "every":  # the year's published table set (stats.release)
        if force is not None:
            raise ValueError("give either a force or every scope, not both")
        return [whole_scope(con), *forces_in(con), *boroughs_in(con)]
    raise ValueError(f"unknown breakdown {by!r} (borough or force)")


class Computation:
    """Counts for a set of cells, and the JSON of each."""

    def __init__(self, ctx: Context, indicators: Sequence[Indicator], tables: dict[str, str],
                 timings: Timings, schema: tuple = ()) -> None:
        self.schema = schema  # the warehouse's columns: part of a plan's shape
        self.ctx = ctx
        self.requested = list(indicators)
        self.indicators = closure([i.id for i in indicators])
        self.tables = tables
        self.timings = timings
        self.reasons = {i.id: unavailable_reason(i, tables) for i in self.indicators}
        self.counts: dict[tuple[str, int, str], int] = defaultdict(int)
        self.keys_seen: dict[tuple[str, int], set[str]] = defaultdict(set)

    def plan_key(self) -> tuple:
        ctx = self.ctx
        return (ctx.runner.engine, tuple(sorted(self.tables.items())), self.schema,
                ctx.definition.id, ctx.method, ctx.shape, tuple(i.id for i in self.indicators))

    def run(self) -> None:
        runner = self.ctx.runner
        runner.put_arrow(CELLS, self.ctx.cells_arrow())
        plan = plans.get(self.plan_key())
        try:
            if plan is None:
                plan = self._build()
            else:
                for name, sql in plan.steps:
                    t0 = time.perf_counter()
                    runner.materialise(name, sql)
                    self.timings.add(f"materialise {name}", time.perf_counter() - t0)
            if plan.final is None:
                return
            t0 = time.perf_counter()
            result = runner.fetch(plan.final)
            self.timings.add("run the counting query", time.perf_counter() - t0)
        finally:
            # Reverse order: a later base table may be defined on an earlier one (Spark).
            for name, _ in reversed(plan.steps if plan else self.ctx.steps):
                runner.drop(name)
            runner.drop(CELLS)
        for label, cell, key, n in zip(*(result.column(c).to_pylist() for c in
                                        ("part", "cell", "key", "n")), strict=True):
            # Sums may come back as decimals (DuckDB's HUGEINT): counts are whole numbers.
            self.counts[(label, cell, key)] += int(n)
            self.keys_seen[(label, cell)].add(key)

    def _build(self) -> plans.Plan:
        """Build and compile every measure (materialising base tables as it goes)."""
        t0 = time.perf_counter()
        exprs = []
        for ind in self.indicators:
            if self.reasons[ind.id]:
                continue
            for name, part in ind.parts().items():
                if callable(part):
                    exprs.append(self._normalise(f"{ind.id}.{name}", part(self.ctx)))
        final = self.ctx.runner.compile(union_all(exprs)) if exprs else None
        plan = plans.Plan(tuple(self.ctx.steps), final)
        plans.put(self.plan_key(), plan)
        self.timings.add("build and compile expressions (first of its shape)",
                         time.perf_counter() - t0)
        return plan

    @staticmethod
    def _normalise(label: str, t) -> Any:
        key = t.key.cast("string") if "key" in t.columns else ibis.literal(NO_KEY)
        return t.select(
            part=ibis.literal(label), cell=t.cell.cast("int64"), key=key.fill_null(NO_KEY),
            n=t.n.cast("int64"),
        )

    # -- arithmetic -----------------------------------------------------------------
    def _values(self, ind: Indicator, cell: int) -> dict[str, int]:
        return self._keyed(ind, "values", cell)

    def _keyed(self, ind: Indicator, name: str, cell: int) -> dict[str, int]:
        """A keyed measure's counts (a breakdown's values, a keyed rate's parts), every key
        of the indicator present."""
        label = f"{ind.id}.{name}"
        unknown = self.keys_seen.get((label, cell), set()) - set(ind.keys)
        if unknown:
            raise RuntimeError(f"{ind.id}: keys outside its list: {sorted(unknown)}")
        return {k: self.counts.get((label, cell, k), 0) for k in ind.keys}

    def _distribution(self, ind: Indicator, cell: int) -> dict[int, int]:
        """A median's distribution: {whole days: rows}."""
        label = f"{ind.id}.values"
        return {int(k): self.counts[(label, cell, k)]
                for k in self.keys_seen.get((label, cell), ()) if k != NO_KEY}

    def _total(self, ind: Indicator, cell: int) -> int:
        if ind.total is not None:
            return self._part(ind, "total", cell)
        return sum(self._values(ind, cell).values())

    def _part(self, ind: Indicator, name: str, cell: int) -> int:
        part = ind.parts()[name]
        if callable(part):
            return self.counts.get((f"{ind.id}.{name}", cell, NO_KEY), 0)
        return self._eval(part, cell)

    def _eval(self, part: Part, cell: int) -> int:
        if isinstance(part, Ref):
            target = registry.get(part.id)
            if target.unit == "breakdown":
                if part.key is None:
                    return self._total(target, cell)
                return self._values(target, cell)[part.key]
            if target.unit == "median":  # how many values it is the median of
                return sum(self._distribution(target, cell).values())
            if target.unit != "count":
                raise TypeError(f"a reference to {part.id} must be to a count, breakdown "
                                "or median")
            return self._part(target, "value", cell)
        if isinstance(part, Sum):
            return sum(self._eval(p, cell) for p in part.parts)
        if isinstance(part, Diff):
            return self._eval(part.left, cell) - self._eval(part.right, cell)
        raise TypeError(f"not an indicator expression: {part!r}")

    # -- output ---------------------------------------------------------------------
    def figure(self, ind: Indicator, cell: int) -> dict[str, Any]:
        reason = self.reasons[ind.id]
        if reason:
            out: dict[str, Any] = {"value": None, "unavailable": reason}
        elif ind.unit == "count":
            out = {"value": self._part(ind, "value", cell)}
        elif ind.unit == "breakdown":
            out = {"values": self._values(ind, cell), "total": self._total(ind, cell)}
        elif ind.unit == "median":
            days = self._distribution(ind, cell)
            out = {"value": median_of_counts(days), "n": sum(days.values())}
        elif ind.unit == "rates":
            nums = self._keyed(ind, "numerator", cell)
            dens = self._keyed(ind, "denominator", cell)
            out = {"values": {k: _rate(nums[k], dens[k]) for k in ind.keys}, "n": dens}
        elif ind.unit == "gap":
            nums = self._keyed(ind, "numerator", cell)
            dens = self._keyed(ind, "denominator", cell)
            a, b = ind.keys
            rate_a, rate_b = _rate(nums[a], dens[a]), _rate(nums[b], dens[b])
            gap = None if rate_a is None or rate_b is None else rate_a - rate_b
            out = {"value": gap, f"{a}_rate": rate_a, f"{b}_rate": rate_b,
                   f"{a}_n": dens[a], f"{b}_n": dens[b]}
        else:
            num = self._part(ind, "numerator", cell)
            den = self._part(ind, "denominator", cell)
            value = None if den == 0 else (num / den if ind.scale == 1 else ind.scale * num / den)
            out = {"value": value, "numerator": num, "denominator": den}
            if ind.interval:
                out["ci95"] = wilson_interval(num, den)
        if ind.person_based:
            out["method"] = self.ctx.method
        return out


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _validate(definition: str, ids: Sequence[str] | None) -> list[Indicator]:
    get_definition(definition)
    if ids is None:
        return list(registry.INDICATORS)
    wanted = {registry.get(i).id for i in ids}
    return [i for i in registry.INDICATORS if i.id in wanted]


def needs_people(indicators: Sequence[Indicator]) -> bool:
    return any("people" in i.needs for i in closure([i.id for i in indicators]))


def _check_links(backend: Backend, indicators: Sequence[Indicator], people: str) -> None:
    """Figures that count persons need the method's links (when people are loaded)."""
    if "people" in backend.tables and needs_people(indicators):
        require_links(backend, people)


def run_cells(
    backend: Backend,
    periods: Sequence[Period],
    scopes: Sequence[Scope] | None,
    *,
    definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD,
    ids: Sequence[str] | None = None,
    timings: Timings | None = None,
) -> list[dict[str, Any]]:
    """The JSON object of every (period, scope), period-major, scopes in the given order.
    ``scopes=None`` means the force and then every borough of the data."""
    indicators = _validate(definition, ids)
    timings = timings if timings is not None else Timings()
    _check_links(backend, indicators, people)
    if scopes is None:
        scopes = scopes_for(backend.con, by="borough")
    cells = [Cell(i * len(scopes) + j, s.key, p)
             for i, p in enumerate(periods) for j, s in enumerate(scopes)]
    ctx = Context(backend.runner, backend.tables, cells, get_definition(definition), people)
    comp = Computation(ctx, indicators, backend.tables, timings,
                       columns_of(backend.con, list(backend.tables)))
    comp.run()
    t0 = time.perf_counter()
    target_rows = targets.read(backend.con, backend.tables)
    out = []
    for cell in cells:
        scope = scopes[cell.index % len(scopes)]
        figures = {i.id: comp.figure(i, cell.index) for i in indicators}
        out.append({
            "definition": definition,
            "period": cell.period.as_json(),
            "scope": scope.name,
            "indicators": figures,
            "targets": targets.evaluate(target_rows, indicators, figures, cell.period,
                                        scope.key),
        })
    timings.add("assemble JSON and targets", time.perf_counter() - t0)
    return out


def compute(
    backend: Backend,
    start: dt.date,
    end: dt.date,
    *,
    borough: str | None = None,
    force: str | None = None,
    definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD,
    ids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The spec's JSON object for one period and one scope (every row, a force, or a
    borough of a force)."""
    scopes = scopes_for(backend.con, force=force, borough=borough)
    return run_cells(backend, [Period(start, end)], scopes, definition=definition,
                     people=people, ids=ids)[0]


def compute_by_borough(
    backend: Backend,
    start: dt.date,
    end: dt.date,
    *,
    force: str | None = None,
    definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD,
    ids: Sequence[str] | None = None,
    with_forces: bool = False,
) -> list[dict[str, Any]]:
    """The force (or the nation) first, then every borough in the data, sorted by name;
    with ``force``, that force and its boroughs; ``with_forces``, every force before the
    boroughs (a data set of several forces)."""
    return run_cells(backend, [Period(start, end)],
                     scopes_for(backend.con, force=force,
                                by="every" if with_forces else "borough"),
                     definition=definition, people=people, ids=ids)


def compute_by_force(
    backend: Backend,
    start: dt.date,
    end: dt.date,
    *,
    definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD,
    ids: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The nation first, then every force, sorted by name."""
    return run_cells(backend, [Period(start, end)], scopes_for(backend.con, by="force"),
                     definition=definition, people=people, ids=ids)


def compute_series(
    backend: Backend,
    periods: Sequence[tuple[dt.date, dt.date]],
    *,
    borough: str | None = None,
    force: str | None = None,
    by_borough: bool = False,
    definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD,
    ids: Sequence[str] | None = None,
    with_forces: bool = False,
) -> list[dict[str, Any]]:
    """One object per period (for trends), all computed in the same queries.

    With ``by_borough`` every period gives the force and then every borough (period-major);
    with ``with_forces`` too, every force of a data set of several before the boroughs.
    """
    if by_borough and borough is not None:
        raise ValueError("give either a borough or by_borough, not both")
    by = ("every" if with_forces else "borough") if by_borough else None
    scopes = scopes_for(backend.con, force=force, borough=borough, by=by)
    return run_cells(backend, [Period(s, e) for s, e in periods], scopes,
                     definition=definition, people=people, ids=ids)
