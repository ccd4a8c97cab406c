"""Worklists: the restricted record lists, each declared once (id, title, definition,
roles, query).

A worklist names records (reports, people rows, requests), so it is never in published
output: the dashboard shows it to the roles it names, for their borough, and logs every
view and export; the command line and the weekly pack's RESTRICTED workbook export it,
audited. Four lists explain the flag audit, risk-assessment gaps, dual arrests and repeat
victims (:mod:`dvpi.indicators.records`); four protect people now (issue 15):

* suspects on pre-charge bail or released under investigation for more than 8 weeks;
* programme requirements that will lapse within 8 weeks unless a place is found;
* high-risk victims with no MARAC case and no IDVA referral;
* disclosure-scheme requests waiting more than 28 days for a decision.

The lists that match an indicator are built from the very expressions of that indicator
(``indicator``), so a list has exactly as many rows as the indicator counts. Lists taken
"as at" the period's last day (``as_at``) describe the state of affairs on that day; a
caller showing a period that runs past the data should take the list as at the data's
latest date instead (:func:`as_at_day`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dvpi.contract import codes
from dvpi.contract.cells import csv_cell
from dvpi.indicators import records
from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.indicators.families import charging_bail, programmes, risk_management
from dvpi.indicators.families.volume import dv_reports
from dvpi.indicators.measures import days_between
from dvpi.indicators.registry import by_id
from dvpi.warehouse import Backend

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from dvpi.indicators.context import Context

# The dashboard roles (dvpi.web.users) that may see record-level lists; a partner, who
# sees published aggregates only, never does. A borough user sees their own borough's,
# a force user (several forces) their own force's boroughs'.
RECORD_ROLES: tuple[str, ...] = ("admin", "force_analyst", "borough_user", "force_user")

# fn(backend, start, end, borough=None, definition=..., people=...) -> rows (dicts)
Query = Callable[..., list[dict[str, Any]]]


@dataclass(frozen=True)
class Worklist:
    """One restricted list.

    ``key`` is the column that names a row's record (what the audit log records);
    ``indicator`` the indicator whose count the list itemises (the same count, for the
    same period and scope); ``as_at`` says the list is taken on the period's last day.
    """

    id: str
    title: str
    definition: str
    roles: tuple[str, ...]
    query: Query
    needs: tuple[str, ...]
    unit: str = "report"  # what one row is
    key: str = "report_id"
    indicator: str | None = None
    as_at: bool = False
    protects: bool = False  # one of the lists that protect people (issue 15)


def _listing(rows_of: Callable[[Context], ir.Table], order: tuple[str, ...]) -> Query:
    """A query from an Ibis expression over a one-cell context (the period, in the whole
    data set, one borough or one force). No person links are read: these lists name
    people rows."""

    def query(backend: Backend, start: dt.date, end: dt.date, borough: str | None = None,
              definition: str = DEFAULT_DEFINITION, people: str | None = None,
              *, force: str | None = None) -> list[dict[str, Any]]:
        del people  # rows, not persons: the same signature as the other lists

        def build(ctx: Context) -> list[dict[str, Any]]:
            rows = records._rows(ctx, rows_of(ctx))
            return sorted(rows, key=lambda r: tuple(_sortable(r[c]) for c in order))

        return records._with_context(backend, start, end, borough, definition, None, build,
                                     force)

    return query


def _sortable(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else "")


def _report_of(ctx: Context, t: ir.Table) -> ir.Table:
    """Rows of a table hanging off a people row, with that row's ``report_id``."""
    p = ctx.raw("people")
    p = p.select(_person_id=p.person_id, report_id=p.report_id)
    j = t.join(p, t.person_id == p._person_id)
    return j.drop("_person_id")


def bail_over_8_weeks(ctx: Context) -> ir.Table:
    """The rows of ``bail_open_over_8_weeks``: bail running on the period's last day that
    had then run over 56 days."""
    b = _report_of(ctx, charging_bail.open_bail_over_8_weeks(ctx))
    return b.select("bail_id", "person_id", "report_id", "borough", "kind", "start_date",
                    as_at=b.last_day, days_on_bail=days_between(b.last_day, b.start_date))


def programmes_at_risk(ctx: Context) -> ir.Table:
    """The rows of ``programme_at_risk_of_expiry``."""
    r = _report_of(ctx, programmes.at_risk_of_expiry(ctx))
    return r.select("requirement_id", "person_id", "report_id", "borough", "programme",
                    "ordered_date", "expiry_date", as_at=r.last_day,
                    days_to_expiry=days_between(r.expiry_date, r.last_day))


def high_risk_unsupported(ctx: Context) -> ir.Table:
    """Victim rows of the period's DV-flagged reports assessed high risk (their highest
    level, any stage, any date) whose ``person_id`` has no IDVA referral and is the
    victim of no MARAC case, of any date: the complement, victim by victim, of the
    numerators of ``high_risk_support_referral_rate`` and ``high_risk_marac_rate``."""
    ra = ctx.raw("risk_assessments")
    high = ra.filter(ra.risk_level == risk_management.HIGH)
    latest = high.group_by("report_id").agg(high_risk_assessed=high.assessed_date.max())
    reports = dv_reports(ctx).join(latest, "report_id")
    p = ctx.raw("people")
    victims = p.filter(p.role == "victim").select("person_id", _report_id=p.report_id)
    rows = reports.join(victims, reports.report_id == victims._report_id)
    s = ctx.raw("support_referrals")
    idva = s.filter(s.service == codes.IDVA).select("person_id")
    m = ctx.raw("marac_cases")
    marac = m.filter(m.victim_person_id.notnull()).select(person_id=m.victim_person_id)
    rows = rows.anti_join(idva, "person_id").anti_join(marac, "person_id")
    return rows.select("report_id", "borough", "recorded_date", "person_id",
                       "high_risk_assessed")


def disclosures_waiting(ctx: Context) -> ir.Table:
    """Disclosure requests received by the period's last day and not decided on it (no
    decision, or one dated after it; a decision with no date counts as made) that had
    then waited more than 28 days; scoped by their own borough."""
    d = ctx.on_last_day(ctx.scoped(ctx.raw("disclosures")))
    waited = days_between(d.last_day, d.received_date)
    undecided = d.decision.isnull() | (d.decision_date > d.last_day).fill_null(False)
    d = d.filter((d.received_date <= d.last_day) & undecided
                 & (waited > codes.DVDS_DECISION_DAYS))
    return d.select("request_id", "borough", "route", "received_date", as_at=d.last_day,
                    days_waiting=days_between(d.last_day, d.received_date))


def _needs(*indicator_ids: str) -> tuple[str, ...]:
    """The tables the indicators a list explains read, in the order they name them."""
    return tuple(dict.fromkeys(t for i in indicator_ids for t in by_id[i].needs))


WORKLISTS: tuple[Worklist, ...] = (
    Worklist(
        "flag_audit", "Flag audit",
        "Reports that should carry the DV flag and do not, and DV-flagged reports with no "
        "domestic relationship recorded.",
        RECORD_ROLES, records.flag_audit_records,
        _needs("flag_audit_unflagged", "flag_audit_overflagged"),
    ),
    Worklist(
        "risk_gaps", "Risk-assessment gaps", "DV-flagged reports with no risk assessment.",
        RECORD_ROLES, records.risk_assessment_gaps, ("reports",),
    ),
    Worklist(
        "dual_arrests", "Dual-arrest incidents",
        "DV-flagged reports in which two people were each arrested and each is also a "
        "victim (cross allegation), or found by the 2008 enquiry's surname method; the "
        "methods column says which.",
        RECORD_ROLES, records.dual_arrest_records, _needs("dual_arrest_incidents"),
    ),
    Worklist(
        "repeat_victims", "Repeat victims",
        "Adult victims of the period who are victims in another DV report in the look-back: "
        "one row per person, with every DV report of theirs in the look-back.",
        RECORD_ROLES, records.repeat_victim_records, _needs("repeat_victimisation_rate"),
        unit="person", key="person_key",
    ),
    Worklist(
        "bail_over_8_weeks", "Suspects on bail over 8 weeks",
        "Suspects on pre-charge bail or released under investigation on the list's date "
        "(the period's last day) whose bail had then run more than 56 days: bail rows "
        "started on or before that day and not ended by it, scoped by the borough of the "
        "suspect's DV-flagged report, whatever its recorded date. The rows of "
        "`bail_open_over_8_weeks`.",
        RECORD_ROLES, _listing(bail_over_8_weeks, ("start_date", "bail_id")),
        _needs("bail_open_over_8_weeks"), unit="bail period", key="bail_id",
        indicator="bail_open_over_8_weeks", as_at=True, protects=True,
    ),
    Worklist(
        "programmes_at_risk", "Programme orders about to lapse",
        "Programme requirements ordered by the list's date (the period's last day), not "
        "started and not ended on it, whose expiry date falls 1 to 56 days after it: "
        "they will lapse unless a place is found. The rows of "
        "`programme_at_risk_of_expiry`.",
        RECORD_ROLES, _listing(programmes_at_risk, ("expiry_date", "requirement_id")),
        _needs("programme_at_risk_of_expiry"), unit="programme requirement",
        key="requirement_id", indicator="programme_at_risk_of_expiry", as_at=True,
        protects=True,
    ),
    Worklist(
        "high_risk_unsupported", "High-risk victims with no MARAC case and no IDVA",
        "Victims on DV-flagged reports recorded in the period whose highest risk level "
        "(any assessment, any stage, any date) is high, and whose people row has no IDVA "
        "referral and is the victim of no MARAC case, of any date (the same matching as "
        "`high_risk_support_referral_rate` and `high_risk_marac_rate`: by the victim's "
        "`person_id`). One row per victim row.",
        RECORD_ROLES, _listing(high_risk_unsupported,
                               ("recorded_date", "report_id", "person_id")),
        _needs("high_risk_support_referral_rate", "high_risk_marac_rate"), unit="victim",
        protects=True,
    ),
    Worklist(
        "disclosures_waiting", "Disclosure requests waiting over 28 days",
        "Domestic Violence Disclosure Scheme requests received by the list's date (the "
        "period's last day) with no decision by then (none recorded, or one dated after "
        "it; withdrawn is a decision) that had then waited more than 28 days, the "
        "statutory guidance's limit; scoped by their own borough.",
        RECORD_ROLES, _listing(disclosures_waiting, ("received_date", "request_id")),
        ("disclosures",), unit="request", key="request_id", as_at=True, protects=True,
    ),
)
by_list_id: dict[str, Worklist] = {w.id: w for w in WORKLISTS}


def get(list_id: str) -> Worklist:
    try:
        return by_list_id[list_id]
    except KeyError:
        raise KeyError(f"unknown worklist {list_id!r} (known: {', '.join(by_list_id)})"
                       ) from None


def unavailable(worklist: Worklist, tables: set[str] | dict[str, str]) -> str | None:
    """Why a list cannot be made from these tables ("<tables> not loaded", every missing
    table in the order the list names them), or None."""
    missing = [t for t in worklist.needs if t not in tables]
    return f"{', '.join(missing)} not loaded" if missing else None


def as_at_day(start: dt.date, end: dt.date, latest: dt.date | None) -> dt.date:
    """The day an "as at" list is taken for a period: its last day, or the data's latest
    date when the period runs past it (a list as at a day after the extract would count
    waits and bail periods that had not happened), never before the period's start."""
    if latest is None or latest >= end:
        return end
    return max(start, latest)


def latest_recorded(backend: Backend) -> dt.date | None:
    """The data's latest date: the last recorded date of any report."""
    if "reports" not in backend.tables:
        return None
    row = backend.con.execute("SELECT max(recorded_date) FROM reports").fetchone()
    return row[0] if row else None


def fetch(worklist: Worklist, backend: Backend, start: dt.date, end: dt.date,
          borough: str | None = None, definition: str = DEFAULT_DEFINITION,
          people: str | None = None, *, force: str | None = None) -> list[dict[str, Any]]:
    """The list's rows for the period (an "as at" list: on ``end``), in the whole data
    set, one borough, or one force of several (``force``). ``people`` must be resolved
    (``dvpi.people.ready``) for person lists."""
    import inspect

    wanted: dict[str, Any] = {"borough": borough, "definition": definition}
    if people is not None:
        wanted["people"] = people
    taken = inspect.signature(worklist.query).parameters
    if force is not None:
        if "force" not in taken:  # never the whole data set in place of one force
            raise ValueError(f"worklist {worklist.id} cannot be taken for one force")
        wanted["force"] = force
    return [dict(r) for r in worklist.query(
        backend, start, end, **{k: v for k, v in wanted.items() if k in taken})]


def record_ids(worklist: Worklist, rows: list[dict[str, Any]]) -> list[str]:
    """The records a list's rows name, as ``<key>:<value>`` (for the audit log, beside
    the report ids: none for a list of reports)."""
    if worklist.key == "report_id":
        return []
    return sorted({f"{worklist.key}:{r[worklist.key]}" for r in rows
                   if r.get(worklist.key) is not None})


def report_ids(rows: list[dict[str, Any]]) -> list[str]:
    """Every report the rows name (``report_id``, or a person's ``report_ids``)."""
    ids: set[str] = set()
    for row in rows:
        if row.get("report_id") is not None:
            ids.add(str(row["report_id"]))
        ids.update(str(r) for r in row.get("report_ids") or ())
    return sorted(ids)


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every column of the rows, in first-seen order (``report_id`` for no rows)."""
    found: dict[str, None] = {}
    for row in rows:
        found.update(dict.fromkeys(row))
    return list(found) or ["report_id"]


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV: lists joined by spaces, blanks empty, and any text a spreadsheet
    would run as a formula neutralised (``contract.cells.csv_cell``)."""
    import csv
    import io

    out = io.StringIO()
    names = columns(rows)
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(_plain(row.get(k))) for k in names})
    return out.getvalue()


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(v) for v in value)
    return value


# --- the methodology (docs/methodology.md is generated with this section) ---------------------

READINGS: tuple[str, ...] = (
    "The lists that itemise an indicator are built from that indicator's own expressions "
    "(a test checks the counts agree for the force and every borough at several dates).",
    "\"As at\" is the period's last day; where the period runs past the data (a year in "
    "progress), the list is taken on the data's latest recorded date instead, because a "
    "list as at a day after the extract would count waits and bail periods that had not "
    "happened. The dashboard and `dvpi worklists export` say which day.",
    "High-risk victims are matched to referrals and MARAC cases by the victim's `person_id`, "
    "as the two high-risk indicators match them, not through person resolution: a victim "
    "referred under another report's people row is listed (a list that protects people "
    "errs towards listing). One row per victim row of the report.",
    "A disclosure request is waiting when it has no decision, or one dated after the "
    "list's day; a decision recorded without a date counts as made; `withdrawn` is a "
    "decision. Waiting more than 28 days is strictly more than 28 days, so that a "
    "request decided in 28 days is never listed (the indicator's \"within 28 days\" is "
    "28 days or fewer).",
)


def methodology_lines() -> list[str]:
    """The Worklists section of docs/methodology.md, from the declarations."""
    out = [
        "## Worklists (restricted record lists)", "",
        "Lists that name records, never published: the dashboard shows each to the roles "
        "it names, for the user's own borough (a borough user) or force's boroughs (a "
        "force user), and logs every view and "
        "export; `dvpi worklists export` exports one, audited; the weekly pack puts the "
        "borough's in its RESTRICTED workbook. Each is declared once in "
        "`dvpi.indicators.worklists`.", "",
    ]
    for w in WORKLISTS:
        taken = ("as at the period's last day (or the data's latest date)" if w.as_at
                 else "over the period")
        out += [f"#### Worklist `{w.id}` — {w.title}", "", w.definition, "",
                f"- one row: {w.unit}; taken {taken}; a row's record: `{w.key}`",
                f"- shown to: {', '.join(f'`{r}`' for r in w.roles)}",
                f"- needs: {', '.join(f'`{t}`' for t in w.needs)} (not available, never "
                "empty, when one is not loaded)"]
        if w.indicator:
            out.append(f"- itemises `{w.indicator}`: the same count for the same period "
                       "and scope")
        out.append("")
    out += ["### Readings for the worklists", ""]
    out += [f"{i}. {text}" for i, text in enumerate(READINGS, start=1)]
    return [*out, ""]
