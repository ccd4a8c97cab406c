"""Are a figure's inputs complete for its period? The one place that knows.

A figure can be computed for any period, but not every period's inputs are whole. Four
things make a figure *incomplete* (docs/methodology.md, "Coverage"):

1. **The data does not reach back far enough.** The period, or the look-back a rule
   reads before it (rule 9: repeat victims, 12 calendar months; rule 8: the period of the
   same length just before; the MARAC repeat rule, 12 months), starts before the first
   ``recorded_date`` of the reports, or the period ends after the last one.
2. **A table has no rows then.** A dated table the figure needs holds no row dated in the
   span it reads, and that span lies outside the dates the table holds (a gap in the
   middle of a sparse table, a year with no homicide review, is a real zero).
3. **A practice was not recorded then.** A figure that rests on a flag or a field that a
   force started recording later (the forced-marriage and honour-based-violence flags,
   DASH answers, a person recorded as both victim and suspect of a cross allegation) when
   no row of the whole force's span carries it: a zero there cannot be told from "not
   recorded".
4. **The definition was not in force.** The flag audit judges officers' DV flags against
   the definition chosen; before (or after) that definition was in force the officers
   flagged by another one.

A figure that refers to an incomplete one (a rate, a difference) is incomplete too, for
the same reason. Coverage is a property of the force's extract, so every scope of one
period shares it.

:func:`annotate` adds ``"coverage": {"complete": false, "reason": "..."}`` to each
incomplete entry of engine results (the spec's shape is otherwise unchanged; complete
entries get nothing), the hook every output calls after the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dvpi.contract import TABLES
from dvpi.indicators import registry
from dvpi.indicators.definitions import get_definition
from dvpi.indicators.model import Indicator
from dvpi.indicators.periods import lookback_start, previous_period
from dvpi.people.store import LINKS_TABLE


@dataclass(frozen=True)
class LookBack:
    """A rule that reads rows dated before the period: where it starts."""

    rule: str
    start: Callable[[dt.date, dt.date], dt.date]


TWELVE_MONTHS = LookBack("12 calendar months before the period (rule 9)",
                         lambda start, _end: lookback_start(start))
MARAC_YEAR = LookBack("12 calendar months before the period (the MARAC repeat rule: a "
                      "case is a repeat of one up to 12 months earlier)",
                      lambda start, _end: lookback_start(start))
PERIOD_BEFORE = LookBack("the period of the same length just before (rule 8)",
                         lambda start, end: previous_period(start, end)[0])

# Indicators whose own counting reads before the period (those built on them follow).
# An id not in the registry (a later version's) is skipped.
LOOKBACKS: dict[str, LookBack] = {
    "adult_victims_incidents_repeat": TWELVE_MONTHS,
    "adult_victims_offences_repeat": TWELVE_MONTHS,
    "dv_gbh_with_intent_previous": PERIOD_BEFORE,
    "marac_repeat_rate": MARAC_YEAR,
}


@dataclass(frozen=True)
class Practice:
    """A recording practice a figure rests on, and the SQL that finds a trace of it in
    the reports of a span (``?`` the first and last day; ``{links}`` the person links).
    ``absent`` says it is missing, ``{span}`` standing for the dates."""

    name: str
    absent: str
    indicators: tuple[str, ...]
    tables: tuple[str, ...]
    sql: str


PRACTICES: tuple[Practice, ...] = (
    Practice("the forced-marriage flag",
             "no report dated {span} carries the forced-marriage flag",
             ("fm_records", "fm_records_dv", "fm_victims_by_gender",
              "fm_victims_by_ethnic_appearance", "fm_victims_by_self_defined_ethnicity",
              "fm_victims_by_age_band"), ("reports",),
             "SELECT count(*) FROM reports WHERE fm_flag AND recorded_date BETWEEN ? AND ?"),
    Practice("the honour-based-violence flag",
             "no report dated {span} carries the honour-based-violence flag",
             ("hbv_records",), ("reports",),
             "SELECT count(*) FROM reports WHERE hbv_flag AND recorded_date BETWEEN ? AND ?"),
    Practice("DASH answers",
             "no risk assessment of a report dated {span} holds DASH answers",
             ("dash_visible_high_risk",), ("reports", "risk_assessments"),
             "SELECT count(*) FROM risk_assessments a JOIN reports r USING (report_id) "
             "WHERE a.dash_answers IS NOT NULL AND trim(a.dash_answers) <> '' "
             "AND r.recorded_date BETWEEN ? AND ?"),
    Practice("cross allegations",
             "no report dated {span} records one person as both victim and suspect",
             ("dual_arrest_incidents", "dual_arrest_outcomes"), ("reports", "people"),
             "SELECT count(*) FROM reports r "
             "JOIN people v ON v.report_id = r.report_id AND v.role = 'victim' "
             "JOIN people s ON s.report_id = r.report_id AND s.role = 'suspect' "
             "JOIN {links} lv ON lv.person_id = v.person_id AND lv.method = $method "
             "JOIN {links} ls ON ls.person_id = s.person_id AND ls.method = $method "
             "AND ls.person_key = lv.person_key "
             "WHERE r.recorded_date BETWEEN ? AND ?"),
)

# Indicators that judge the DV flags officers applied against the definition chosen.
DEFINITION_JUDGED: tuple[str, ...] = ("flag_audit_unflagged",)

# The date a dated table's rows are placed in time by: its first required date column.
TABLE_DATES: dict[str, str] = {
    t.name: next(c.name for c in t.columns if c.type in ("date", "datetime") and c.required)
    for t in TABLES.values()
    if t.name != "targets"
    and any(c.type in ("date", "datetime") and c.required for c in t.columns)
}


def _fmt(day: dt.date) -> str:
    return day.isoformat()


class _Facts:
    """What the warehouse holds, asked once per table or span (a small cache)."""

    def __init__(self, con, tables: Iterable[str], people: str | None) -> None:
        self.con = con
        self.tables = set(tables)
        self.people = people
        self._extent: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        self._rows: dict[tuple[str, dt.date, dt.date], int] = {}
        self._traces: dict[tuple[str, dt.date, dt.date], int | None] = {}

    def extent(self, table: str) -> tuple[dt.date | None, dt.date | None]:
        if table not in self._extent:
            column = _day(TABLE_DATES[table])
            self._extent[table] = tuple(self.con.execute(
                f"SELECT min({column}), max({column}) FROM {table}").fetchone())
        return self._extent[table]

    def rows(self, table: str, start: dt.date, end: dt.date) -> int:
        key = (table, start, end)
        if key not in self._rows:
            column = _day(TABLE_DATES[table])
            self._rows[key] = self.con.execute(
                f"SELECT count(*) FROM {table} WHERE {column} BETWEEN ? AND ?",
                [start, end]).fetchone()[0]
        return self._rows[key]

    def traces(self, practice: Practice, start: dt.date, end: dt.date) -> int | None:
        """Rows that show the practice in the span; None when it cannot be looked for."""
        key = (practice.name, start, end)
        if key not in self._traces:
            sql = practice.sql
            params: dict[str, Any] | list = [start, end]
            if "{links}" in sql:
                if LINKS_TABLE not in self.tables or not self.people:
                    self._traces[key] = None
                    return None
                sql = sql.replace("{links}", LINKS_TABLE).replace("$method", "?")
                # The two method placeholders come before the dates.
                params = [self.people, self.people, start, end]
            self._traces[key] = self.con.execute(sql, params).fetchone()[0]
        return self._traces[key]


def _day(column: str) -> str:
    return f"CAST({column} AS DATE)"


def _span_text(start: dt.date, end: dt.date) -> str:
    return f"{_fmt(start)} to {_fmt(end)}"


def _own_reason(ind: Indicator, start: dt.date, end: dt.date, definition: str,
                facts: _Facts) -> str | None:
    """Why this indicator's own inputs (not those of the figures it refers to) are
    incomplete, or None."""
    if any(t not in facts.tables for t in ind.needs):
        return None  # unavailable already: the engine says which table is missing
    lookback = LOOKBACKS.get(ind.id)
    first_read = lookback.start(start, end) if lookback else start
    if "reports" in ind.needs:
        first, last = facts.extent("reports")
        if first is None:
            return "reports has no rows"
        if first_read < first:
            what = "look-back" if lookback and first_read < start else "period"
            return (f"{what} starts {_fmt(first_read)}, before the data's first date "
                    f"{_fmt(first)}")
        if end > last:
            return f"period ends {_fmt(end)}, after the data's last date {_fmt(last)}"
    for table in ind.needs:
        if table not in TABLE_DATES or table == "reports":
            continue
        if facts.rows(table, first_read, end) == 0:
            low, high = facts.extent(table)
            if low is None:
                return f"{table} has no rows"
            if first_read < low or end > high:
                return (f"{table} has no rows dated {_span_text(first_read, end)}; its rows "
                        f"run from {_fmt(low)} to {_fmt(high)}")
    for practice in PRACTICES:
        relevant = ind.id in practice.indicators and all(
            t in facts.tables for t in practice.tables)
        if relevant and facts.traces(practice, start, end) == 0:
            absent = practice.absent.format(span=_span_text(start, end))
            return f"{absent}: not recorded then, so a zero cannot be told from a gap"
    if ind.id in DEFINITION_JUDGED:
        d = get_definition(definition)
        if d.in_force_from and start < d.in_force_from:
            return (f"the {d.label} definition came into force on {_fmt(d.in_force_from)}: "
                    "the DV flags of the period were applied under another definition")
        if d.in_force_until and end > d.in_force_until:
            return (f"the {d.label} definition was replaced after "
                    f"{_fmt(d.in_force_until)}: the DV flags of the period were applied under "
                    "another definition")
    return None


def check(con, tables: Iterable[str], start: dt.date, end: dt.date, *,
          definition: str, people: str | None = None,
          ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """``{indicator id: {"complete": False, "reason": ...}}`` for every incomplete
    indicator of ``ids`` (default: the catalogue) over one period; complete ones are
    left out. ``con`` is a DuckDB connection on the warehouse, ``tables`` those loaded."""
    facts = _Facts(con, tables, people)
    return _check(facts, start, end, definition, ids)


def _check(facts: _Facts, start: dt.date, end: dt.date, definition: str,
           ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    reasons: dict[str, str | None] = {}

    def reason(ind: Indicator) -> str | None:
        if ind.id not in reasons:
            own = _own_reason(ind, start, end, definition, facts)
            if own is None:
                for ref in ind.refs:
                    inherited = reason(registry.get(ref))
                    if inherited:
                        own = inherited if inherited.startswith("from `") else \
                            f"from `{ref}`: {inherited}"
                        break
            reasons[ind.id] = own
        return reasons[ind.id]

    wanted = registry.INDICATORS if ids is None else [registry.get(i) for i in ids]
    return {i.id: {"complete": False, "reason": r} for i in wanted if (r := reason(i))}


def annotate(con, tables: Iterable[str], results: dict | list[dict], *,
             people: str | None = None) -> dict | list[dict]:
    """Add ``coverage`` to the incomplete entries of engine results (one result dict or a
    list of them), in place; returns them. Entries already unavailable are left alone."""
    facts = _Facts(con, tables, people)
    many = results if isinstance(results, list) else [results]
    memo: dict[tuple, dict[str, dict[str, Any]]] = {}
    for result in many:
        period = result.get("period") or {}
        if not period:
            continue
        start, end = (dt.date.fromisoformat(period[k]) for k in ("start", "end"))
        key = (start, end, result.get("definition"))
        entries = result.get("indicators", {})
        if key not in memo:
            memo[key] = _check(facts, start, end, result["definition"],
                               [i for i in registry.IDS if i in entries])
        for ind_id, cov in memo[key].items():
            entry = entries.get(ind_id)
            if entry is not None and not entry.get("unavailable"):
                entry["coverage"] = dict(cov)
    return results


def annotate_backend(backend, results: dict | list[dict], *,
                     people: str | None = None) -> dict | list[dict]:
    """:func:`annotate` on an opened engine backend (its DuckDB connection and tables)."""
    return annotate(backend.con, backend.tables, results, people=people)


def incomplete(entry: dict | None) -> str | None:
    """The reason an engine entry's inputs are incomplete, or None."""
    cov = (entry or {}).get("coverage")
    return cov["reason"] if cov and not cov.get("complete", True) else None


def describe() -> list[str]:
    """The Coverage section of docs/methodology.md, from the declarations above."""
    lines = [
        "## Coverage: when a figure's inputs are incomplete",
        "",
        "`dvpi indicators --json`, the dashboard's API, the board report and the dashboard "
        "add one field to an indicator entry whose inputs are incomplete for its period "
        "(additive to the spec's shape: a complete entry is unchanged):",
        "",
        "```json",
        '"repeat_victimisation_rate": {"value": 0.129, "numerator": 11276, '
        '"denominator": 87236, "method": "linked",',
        '  "coverage": {"complete": false, "reason": "from `adult_victims_incidents_repeat`: '
        "look-back starts 2005-04-01, before the data's first date 2006-04-01\"}}",
        "```",
        "",
        "The value is still given (the spec's shape), but every publication shows such a "
        "figure as *not available*, with the reason in a note, and never compares it. "
        "Coverage belongs to the force's extract, so every scope of a period shares it. "
        "An entry is incomplete when (first reason found):",
        "",
        "1. **The data does not reach back far enough**: the period, or the look-back its "
        "rule reads, starts before the first `recorded_date` of the reports, or the period "
        "ends after the last. Look-backs:",
    ]
    for ind_id, lb in LOOKBACKS.items():
        present = "" if ind_id in registry.by_id else " (a later version's indicator)"
        lines.append(f"   - `{ind_id}`: {lb.rule}{present}")
    lines += [
        "2. **A table has no rows then**: a dated table the figure needs has no row dated "
        "in the span it reads, and that span lies outside the dates the table holds (a "
        "year with no row in the middle of a sparse table is a real zero). Each table is "
        "dated by: " + ", ".join(f"`{t}.{c}`" for t, c in TABLE_DATES.items()) + ".",
        "3. **A practice was not recorded then**: no row of the whole force's period shows "
        "the practice a figure rests on, so a zero cannot be told from a gap:",
    ]
    for practice in PRACTICES:
        ids = ", ".join(f"`{i}`" for i in practice.indicators)
        lines.append(f"   - {practice.name} ({ids}): "
                     f"\"{practice.absent.format(span='<period>')}\"")
    lines += [
        "4. **The definition was not in force**: "
        + ", ".join(f"`{i}`" for i in DEFINITION_JUDGED)
        + " judges the DV flags officers applied against the definition chosen, which "
        "means nothing for a period its definition did not govern (dates on the "
        "definitions above).",
        "5. **It is built on an incomplete figure**: a rate, difference or sum inherits the "
        "first incomplete figure's reason, as `from `<id>`: <reason>`.",
        "",
        "Not flagged: rules that count by another date with no bound (sanction detections "
        "of crimes \"recorded in any period\", persons accused) reach before any extract; "
        "in the first months of the data they miss crimes recorded before it.",
        "",
    ]
    return lines
