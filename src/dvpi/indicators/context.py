"""The tables an indicator expression sees: scoped, dated into cells, with ages.

A *cell* is one period in one scope: every row (scope ``*``, the force of a one-force
data set, the nation of several), one force, or one borough of one force. Every
measure returns counts per cell, so the nation, every force, every borough and several
periods are computed in the same grouped queries rather than in one pass each. A row
of a scoped table is repeated once per scope it belongs to: ``*``, its force
(``force<SEP>*``) and its own borough (``force<SEP>borough``), names lower-cased and
trimmed; a data set without a ``force`` column is one force named ``""``.

Everything here is Ibis, so the same expressions run on DuckDB and on Spark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from dvpi.contract import TABLES, Column, codes
from dvpi.indicators.definitions import DOMESTIC_RELATIONSHIPS, Definition
from dvpi.indicators.periods import Period
from dvpi.people.store import LINKS_TABLE, resolved_methods
from dvpi.warehouse import TEMP_PREFIX, Backend, Runner

FORCE = codes.FORCE_WIDE_BOROUGH  # the scope key of every row (the force, or the nation)
NATIONAL = FORCE
# Between a force's and a borough's name in a scope key: a character no name holds.
SEP = "\x1f"
# The cells of a computation, put in the engine as a temporary table.
CELLS = f"{TEMP_PREFIX}cells"

# People columns no measure reads: left out of the ``people`` base table (and so of every
# table made from it), which at national scale is the largest the engine materialises.
PEOPLE_COLUMNS_UNREAD: frozenset[str] = frozenset(
    {"nominal_id", "forenames", "postcode", "_file", "_extra"})
# Which dates of a cell bound each span.
SPANS: dict[str, tuple[str, str]] = {
    "period": ("start", "end"),
    "lookback": ("lookback_start", "end"),
    "previous": ("previous_start", "previous_end"),
}


def require_links(backend: Backend, method: str) -> None:
    """The engine only reads person links: resolving people is a step before it
    (``dvpi.people.ready``). Refuse a method whose links are not stored."""
    if LINKS_TABLE not in backend.tables or method not in resolved_methods(backend.con):
        raise ValueError(f"no person links for method {method!r} in the warehouse: "
                         f"run `dvpi people resolve --people {method}` first")


def name_key(name: str | None) -> str:
    """How a force or borough name is matched: trimmed, case ignored."""
    return (name or "").strip().lower()


def scope_key(borough: str | None, force: str | None = None) -> str:
    """The key of one borough of one force (force blank in a one-force data set)."""
    return f"{name_key(force)}{SEP}{name_key(borough)}"


def force_key(force: str | None) -> str:
    """The key of one force: all its boroughs."""
    return f"{name_key(force)}{SEP}{FORCE}"


def is_force_key(key: str) -> bool:
    return key != FORCE and key.endswith(SEP + FORCE)


@dataclass(frozen=True)
class Cell:
    index: int
    scope: str  # FORCE or a scope_key
    period: Period


def age_at(date_of_birth: ir.DateValue, on: ir.DateValue, age_column: ir.IntegerValue):
    """Whole years from the date of birth to ``on`` (rule 7), else the age column.

    Age rises on the birthday itself; someone born on 29 February turns a year older on
    1 March in a non-leap year (their month-day 0229 is above 0228). A date of birth
    after the reference date is impossible data and gives an unknown age.
    """
    before_birthday = (on.month() * 100 + on.day()) < (
        date_of_birth.month() * 100 + date_of_birth.day()
    )
    from_dob = (on.year() - date_of_birth.year() - before_birthday.ifelse(1, 0)).cast("int64")
    from_dob = (from_dob >= 0).ifelse(from_dob, ibis.null("int64"))
    return date_of_birth.notnull().ifelse(from_dob, age_column.cast("int64"))


def band(age: ir.IntegerValue, bands: Sequence[codes.Band]) -> ir.StringValue:
    """The label of the band an age falls in; ``unrecorded`` for an unknown age."""
    branches = []
    for b in bands:
        cond = age >= b.low if b.high is None else age.between(b.low, b.high)
        branches.append((cond, b.label))
    return ibis.cases(*branches, else_=codes.UNRECORDED)


_IBIS_TYPES: dict[str, str] = {
    "text": "string", "code": "string", "date": "date", "datetime": "timestamp",
    "bool": "boolean", "integer": "int64", "number": "float64",
}


def _blank(column: Column) -> ir.Value:
    """A column's value where the table lacks it: its default, else NULL."""
    dtype = _IBIS_TYPES[column.type]
    if column.default is None:
        return ibis.null(dtype)
    return ibis.literal(column.default, type=dtype)


def union_all(tables: Sequence[ir.Table]) -> ir.Table:
    """UNION ALL as a balanced tree: a left-deep chain of a hundred measures recurses
    too deeply in the SQL compiler."""
    if len(tables) == 1:
        return tables[0]
    mid = len(tables) // 2
    return union_all(tables[:mid]).union(union_all(tables[mid:]), distinct=False)


class Context:
    """Scoped, celled views of one warehouse for one computation."""

    def __init__(
        self,
        runner: Runner,
        tables: dict[str, str],
        cells: Sequence[Cell],
        definition: Definition,
        method: str | None,
    ) -> None:
        self.runner = runner
        self.backend = runner.backend
        self.table_names = tables  # logical name -> name in the backend
        self.cells = tuple(cells)
        self.definition = definition
        self.method = method
        self._memo: dict[str, ir.Table] = {}
        self._raw: dict[str, ir.Table] = {}
        # The base tables materialised so far, in order: (temporary name, SQL).
        self.steps: list[tuple[str, str]] = []
        self.scopes = tuple(dict.fromkeys(c.scope for c in self.cells))
        # What a compiled plan depends on: whether every row, any force and any borough
        # is asked for, not which forces or boroughs.
        self.shape = (FORCE in self.scopes, any(is_force_key(s) for s in self.scopes),
                      any(s != FORCE and not is_force_key(s) for s in self.scopes))

    # -- plumbing -------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.table_names

    def raw(self, name: str) -> ir.Table:
        """A warehouse table as loaded. A column the contract added after the table was
        made (a version-1 warehouse's ``cps_cases`` without ``decision_date``) reads as
        blank, or as its default (precise rule 32)."""
        if name not in self._raw:
            t = self.backend.table(self.table_names[name])
            contract = TABLES.get(name)
            if contract is not None:
                missing = {c.name: _blank(c) for c in contract.columns if c.name not in t.columns}
                if missing:
                    t = t.mutate(**missing)
            self._raw[name] = t
        return self._raw[name]

    def memo(self, name: str, build: Callable[[], ir.Table], cache: bool = True) -> ir.Table:
        """Build a base table once per computation; when ``cache``, materialise it as a
        temporary table (recorded as a step of the plan)."""
        if name not in self._memo:
            expr = build()
            if cache:
                temp = f"{TEMP_PREFIX}{name}"
                sql = self.runner.compile(expr)
                self.runner.materialise(temp, sql)
                self.steps.append((temp, sql))
                expr = self.backend.table(temp)
            self._memo[name] = expr
        return self._memo[name]

    # -- cells and scopes -----------------------------------------------------------
    def cells_arrow(self) -> pa.Table:
        """The cells as a table: the only place periods enter a computation."""
        cols: dict[str, list] = {
            "cell": [c.index for c in self.cells],
            "scope": [c.scope for c in self.cells],
            "start": [c.period.start for c in self.cells],
            "end": [c.period.end for c in self.cells],
            "lookback_start": [c.period.lookback_start for c in self.cells],
            "previous_start": [c.period.previous[0] for c in self.cells],
            "previous_end": [c.period.previous[1] for c in self.cells],
        }
        schema = pa.schema(
            [("cell", pa.int64()), ("scope", pa.string())]
            + [(n, pa.date32()) for n in list(cols)[2:]]
        )
        return pa.table(cols, schema=schema)

    @property
    def cell_table(self) -> ir.Table:
        """The cells table (put in the backend by the engine before building)."""
        return self.memo("cells", lambda: self.backend.table(CELLS), cache=False)

    def scoped(self, t: ir.Table, column: str = "borough") -> ir.Table:
        """``t`` with a ``scope`` column: one row per scope of this computation it is in.
        ``t`` carries ``force`` beside its borough column (blank: the one force)."""
        parts = []
        everything, forces, boroughs = self.shape
        if everything:
            parts.append(t.mutate(scope=ibis.literal(FORCE)))
        if forces or boroughs:
            # The scopes come from the cells table, not from literals in the SQL: one
            # compiled plan serves any set of forces and boroughs (see ``shape``).
            force = t["force"].strip().lower().fill_null("") + ibis.literal(SEP)
            cells = self.cell_table
            wanted = cells.filter(cells.scope != FORCE).scope
            if forces:
                key = force + ibis.literal(FORCE)
                parts.append(t.filter(key.isin(wanted)).mutate(scope=key))
            if boroughs:
                key = force + t[column].strip().lower()
                parts.append(t.filter(key.isin(wanted)).mutate(scope=key))
        return union_all(parts)

    def in_span(self, t: ir.Table, date_column: str, span: str = "period") -> ir.Table:
        """Rows of a scoped table whose date falls in each cell's span, with ``cell``."""
        lo, hi = SPANS[span]
        c = self.cell_table.select("cell", "scope", lo, hi)
        joined = t.join(c, [t.scope == c.scope, t[date_column] >= c[lo], t[date_column] <= c[hi]])
        return joined.select(*[t[n] for n in t.columns if n != "scope"], c.cell, c.scope)

    def dated(self, t: ir.Table, date_column: str, span: str = "period") -> ir.Table:
        """Rows of an unscoped table (with ``force`` and ``borough``) whose date falls in
        each cell's span, scoped, with ``cell``. Cut to the cells' dates first: a table of
        many years is not copied into every scope to be thrown away by the date join."""
        return self.in_span(self.scoped(self.within_bounds(t, date_column, span)),
                            date_column, span)

    def on_last_day(self, t: ir.Table) -> ir.Table:
        """A scope-level table spread over the cells of its scope, with each cell's
        ``last_day`` (for figures taken on the period's last day)."""
        c = self.cell_table.select("cell", "scope", last_day="end")
        joined = t.join(c, t.scope == c.scope)
        return joined.select(*[t[n] for n in t.columns if n != "scope"], c.cell, c.scope,
                             c.last_day)

    def through_person(self, name: str, people_columns: Sequence[str] = ()) -> ir.Table:
        """Rows of a table that hangs off a people row (``bail``, ``support_referrals``,
        ``victim_surveys``, ``programme_requirements``), scoped by that row's report's
        borough and kept only when the report is DV-flagged, whatever its recorded date
        (precise rule 33); with ``people_columns`` of the people row. Only the rows the
        cells can reach by the rows' own dates (``reachable_rows``): a measure must date
        them in a span (``in_span``) or on a day of one (``on_last_day``); one that
        counted them whatever their dates would read the raw table instead."""

        def build() -> ir.Table:
            table = TABLES[name]
            t = self.reachable_rows(name)
            column = table.hangs_off_person
            p = self.dv_people
            p = p.select(**{column: p.person_id}, force=p.force, borough=p.borough,
                         **{c: p[c] for c in people_columns})
            j = t.join(p, column)
            return self.scoped(j.select(*table.column_names, *people_columns, "force",
                                        "borough"))

        key = "_".join((name, *people_columns))
        return self.memo(f"{key}_scoped", build)

    @property
    def dv_people(self) -> ir.Table:
        """The people rows of DV-flagged reports (of any date) that the reachable rows of a
        table hanging off a person name (``reachable_rows``), with the report's force and
        borough: made once for every such table."""

        def build() -> ir.Table:
            p = self.raw("people").select("person_id", "report_id", "self_defined_ethnicity")
            # Only the people rows those tables name: a small share of every year's rows.
            hanging = [(self.reachable_rows(t.name), t.hangs_off_person)
                       for t in TABLES.values() if t.hangs_off_person and self.has(t.name)]
            named = union_all([rows.select(person_id=rows[column]) for rows, column in hanging])
            p = p.semi_join(named, "person_id")
            r = self.raw("reports")
            r = r.filter(r.dv_flag).select("report_id", "force", "borough")
            j = p.join(r, "report_id")
            return j.select("person_id", "self_defined_ethnicity", "force", "borough")

        return self.memo("dv_people", build)

    def per_cell(self, t: ir.Table) -> ir.Table:
        """A scope-level table (no dates) spread over the cells of its scope."""
        c = self.cell_table.select("cell", "scope")
        joined = t.join(c, t.scope == c.scope)
        return joined.select(*[t[n] for n in t.columns if n != "scope"], c.cell, c.scope)

    # -- base tables ----------------------------------------------------------------
    @property
    def reports(self) -> ir.Table:
        """All reports with their reference date (occurred, else recorded)."""
        r = self.raw("reports")
        return r.mutate(ref_date=ibis.coalesce(r.occurred_date, r.recorded_date))

    @property
    def period_reports(self) -> ir.Table:
        """Reports recorded in each cell's period and scope (rule 6)."""
        return self.memo("period_reports", lambda: self.reports_in("period"))

    def reports_in(self, span: str) -> ir.Table:
        r = self.reports
        cols = ["report_id", "force", "borough", "recorded_date", "classification", "offence",
                "dv_flag", "fm_flag", "hbv_flag"]
        return self.dated(r.select(*cols), "recorded_date", span)

    def _bounds(self, span: str | None = None) -> ir.Table:
        """One row: the cells' earliest date, ``lo_``, and their latest, ``hi_``, of one
        span, or of every span (period, look-back, previous period). From the cells
        table, not literals: one plan serves any period (``shape``)."""
        c = self.cell_table
        if span is not None:
            lo, hi = SPANS[span]
            return c.aggregate(lo_=c[lo].min(), hi_=c[hi].max())
        return c.aggregate(
            lo_=ibis.least(c.start, c.lookback_start, c.previous_start).min(),
            hi_=ibis.greatest(c.end, c.previous_end).max(),
        )

    def within_bounds(self, t: ir.Table, day: str, span: str | None = None) -> ir.Table:
        """Rows of ``t`` whose ``day`` falls within the cells' bounds (``_bounds``); every
        row on an engine that does not cut by date (``Runner.cuts_by_date``): the cut
        changes no figure, only the plan."""
        if not self.runner.cuts_by_date:
            return t
        j = t.cross_join(self._bounds(span))
        return j.filter((j[day] >= j.lo_) & (j[day] <= j.hi_)).select(*t.columns)

    def reachable_rows(self, name: str) -> ir.Table:
        """The rows of a table that hangs off a person that a computation can reach: those
        whose dates, from the earliest to the latest (with no end while an optional date
        is blank: bail not yet ended, a programme not started), meet the cells' bounds.
        A row dated in a span by any of its dates, or running on a day of one, is among
        them; the rest (other years') are left out before anything is joined to them."""
        t = self.raw(name)
        dates = [c for c in TABLES[name].columns if c.type == "date"]
        if not dates or not self.runner.cuts_by_date:
            return t
        j = t.cross_join(self._bounds())
        first = ibis.least(*[j[c.name] for c in dates]) if len(dates) > 1 else j[dates[0].name]
        last = ibis.greatest(*[j[c.name] for c in dates]) if len(dates) > 1 else first
        open_ended = ibis.literal(False)
        for c in dates:
            if not c.required:
                open_ended = open_ended | j[c.name].isnull()
        return j.filter((first <= j.hi_) & ((last >= j.lo_) | open_ended)).select(*t.columns)

    @property
    def reachable_report_ids(self) -> ir.Table:
        """The reports a computation can reach: recorded within the cells' earliest and
        latest dates (every span: period, look-back, previous period), or with an outcome
        dated within them (accusations and detections count outcomes in the period on
        crimes of any date). A ten-year warehouse asked about one year reaches about a
        fifth of its reports: the all-years base tables keep only these."""

        def build() -> ir.Table:
            r = self.raw("reports")
            ids = self.within_bounds(r, "recorded_date").select("report_id")
            if self.has("outcomes"):
                o = self.raw("outcomes")
                dated = self.within_bounds(o, "outcome_date").select("report_id")
                return ids.union(dated, distinct=True)
            return ids

        return self.memo("reachable_reports", build)

    @property
    def people(self) -> ir.Table:
        """The people rows of every reachable report (``reachable_report_ids``) with
        their age at the report's reference date and, when a person-resolution method is
        in force, their ``person_key``."""

        def build() -> ir.Table:
            p = self.raw("people").semi_join(self.reachable_report_ids, "report_id")
            r = self.reports.select("report_id", "ref_date")
            j = p.join(r, "report_id")
            # Every base table made from people carries its columns: leave out the ones
            # no measure reads (identifying fields are person resolution's, not counts').
            cols = [p[c] for c in p.columns if c not in PEOPLE_COLUMNS_UNREAD]
            aged = j.select(
                *cols,
                age_years=age_at(j.date_of_birth, j.ref_date, j.age),
                ref_date=j.ref_date,
            )
            if self.method is None or not self.has(LINKS_TABLE):
                return aged
            links = self.raw(LINKS_TABLE)
            links = links.filter(links.method == self.method).select(
                link_person_id=links.person_id, person_key=links.person_key
            )
            k = aged.join(links, aged.person_id == links.link_person_id, how="left")
            # A row the resolver has not seen is a person of its own.
            key = ibis.coalesce(k.person_key, ibis.literal("row:") + k.person_id)
            return k.select(*[k[c] for c in aged.columns], person_key=key)

        return self.memo("people", build)

    def people_of(self, reports: ir.Table) -> ir.Table:
        """The people rows of the given (celled) reports, with the report's columns."""
        p = self.people
        rcols = [c for c in reports.columns if c not in p.columns]
        j = p.join(reports, "report_id")
        return j.select(*[j[c] for c in p.columns], *[j[c] for c in rcols])

    @property
    def period_report_ids(self) -> ir.Table:
        """The ids of the reports of every cell's period and scope (for semi-joins that
        keep an all-years summary to the reports a computation can reach)."""
        return self.period_reports.select("report_id")

    @property
    def period_people(self) -> ir.Table:
        return self.memo("period_people", lambda: self.people_of(self.period_reports))

    @property
    def relationship_flags(self) -> ir.Table:
        """Per report with relationship rows: whether any pair qualifies under the
        definition in force (rule 10), and whether any row is domestic at all (rule 27)
        or intimate (rule 20)."""

        def build() -> ir.Table:
            rel = self.raw("relationships")
            # Only the period's reports are ever given flags (``with_relationship_flags``):
            # flag those, not every year's (the data may hold many).
            rel = rel.semi_join(self.period_report_ids, "report_id")
            ages = self.people.select("person_id", "age_years")
            v = ages.select(victim_person_id=ages.person_id, victim_age=ages.age_years)
            s = ages.view()
            s = s.select(suspect_person_id=s.person_id, suspect_age=s.age_years)
            j = rel.join(v, "victim_person_id", how="left").join(
                s, "suspect_person_id", how="left"
            )
            d = self.definition
            qualifies = (
                j.relationship.isin(d.relationships)
                & (j.victim_age >= d.min_age).fill_null(False)
                & (j.suspect_age.isnull() | (j.suspect_age >= d.min_age))
            )
            return j.group_by("report_id").agg(
                qualifies=qualifies.ifelse(1, 0).max() == 1,
                domestic=j.relationship.isin(DOMESTIC_RELATIONSHIPS).ifelse(1, 0).max() == 1,
                intimate=j.relationship.isin(codes.INTIMATE).ifelse(1, 0).max() == 1,
            )

        return self.memo("relationship_flags", build)

    def with_relationship_flags(self, reports: ir.Table) -> ir.Table:
        """Reports with ``qualifies``, ``domestic`` and ``intimate`` (false without rows)."""
        f = self.relationship_flags
        j = reports.join(f, "report_id", how="left")
        return j.select(
            *[j[c] for c in reports.columns],
            qualifies=j.qualifies.fill_null(False),
            domestic=j.domestic.fill_null(False),
            intimate=j.intimate.fill_null(False),
        )

    @property
    def flagged_period_reports(self) -> ir.Table:
        """The period's reports with relationship flags and arrested-suspect counts, made
        once for the arrest and audit families."""
        return self.memo("flagged_period_reports",
                         lambda: self.with_arrests(self.with_relationship_flags(
                             self.period_reports)))

    @property
    def arrested_suspects(self) -> ir.Table:
        """Per report of the period: how many suspect rows carry an arrest date (any date,
        rule 11). Only the period's reports are given arrests (``with_arrests``)."""

        def build() -> ir.Table:
            p = self.raw("people")
            p = p.filter((p.role == "suspect") & p.arrest_date.notnull())
            p = p.semi_join(self.period_report_ids, "report_id")
            return p.group_by("report_id").agg(arrested=p.count())

        return self.memo("arrested_suspects", build)

    def with_arrests(self, reports: ir.Table) -> ir.Table:
        a = self.arrested_suspects
        j = reports.join(a, "report_id", how="left")
        return j.select(*[j[c] for c in reports.columns], arrested=j.arrested.fill_null(0))

    @property
    def outcome_summary(self) -> ir.Table:
        """Per crime with outcomes: its sanction date and class (rule 13), whether it has
        any sanction, a caution (2 or 3) or a charge (1), of any date."""

        def build() -> ir.Table:
            # Every outcome of a reachable crime: its earliest sanction may predate the
            # bounds (a detection is dated by the earliest, rule 13).
            o = self.raw("outcomes").semi_join(self.reachable_report_ids, "report_id")
            sanction = o.outcome_type.isin(codes.SANCTION_OUTCOME_TYPES)
            rank = ibis.cases(
                *[(o.outcome_type == c.outcome_type, i) for i, c in
                  enumerate(codes.SANCTION_CLASSES)],
                else_=ibis.null("int64"),
            )
            return o.group_by("report_id").agg(
                sanction_date=sanction.ifelse(o.outcome_date, ibis.null("date")).min(),
                sanction_rank=rank.min(),
                has_caution=o.outcome_type.isin(CAUTION_TYPES).ifelse(1, 0).max() == 1,
                has_charge=(o.outcome_type == CHARGE_TYPE).ifelse(1, 0).max() == 1,
            )

        return self.memo("outcome_summary", build)

    def scoped_dv_crimes(self) -> ir.Table:
        """DV-flagged crimes of any recording date that a computation can reach
        (``reachable_report_ids``), in each scope (no cell yet)."""
        r = self.reports.semi_join(self.reachable_report_ids, "report_id")
        r = r.filter(r.dv_flag & (r.classification == "crime"))
        return self.scoped(r.select("report_id", "force", "borough", "recorded_date", "_load_id",
                                    "_line"))


CHARGE_TYPE = next(c.outcome_type for c in codes.SANCTION_CLASSES if c.key == "charge_summons")
CAUTION_TYPES: tuple[int, ...] = tuple(
    c.outcome_type for c in codes.SANCTION_CLASSES if c.key in ("caution_adult", "caution_youth")
)
