"""The weekly borough pack: one Excel workbook per borough and one for the force.

Each workbook holds this week, the last 13 weeks as a native Excel trend chart, the
financial year to date against target with red/amber/green status, and the borough
beside the force. Figures are written as numbers (rates as fractions formatted as
percentages) so that a reader's own formulas work on them.

The record lists (reports that should carry the DV flag and don't, and the reverse; risk
assessment gaps; dual-arrest incidents) name reports: they go in a separate RESTRICTED
workbook per borough, never in the main pack.

The packs are for the force and the borough's own officers only (OFFICIAL-SENSITIVE):
never for the public or partners, whom ``publish.audience`` explains and refuses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from dvpi.contract import cells
from dvpi.files import private_dir, private_file
from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.people import DEFAULT_METHOD
from dvpi.publish import audience as audiences
from dvpi.publish import v2pack
from dvpi.stats import disclosure
from dvpi.stats import display as fmt
from dvpi.stats.status import COLOURS, infer_direction, pro_rata, rag
from dvpi.warehouse import Backend

WEEKS = 13
# The figures of the weekly pack, in this order (the registry gives titles and units).
PACK_INDICATORS: tuple[str, ...] = (
    "dv_incidents",
    "dv_crimes",
    "spi8a_incident_arrest_rate",
    "spi8a_offence_arrest_rate",
    "sanction_detections",
    "sanction_detection_rate",
    "charge_caution_ratio",
    "risk_assessment_compliance",
    "flag_audit_unflagged",
    "flag_audit_overflagged",
    *v2pack.WEEKLY_IDS,  # the version-2 figures read weekly (publish/v2pack.py says why)
)
# Drawn in the trend chart: counts on one chart, rates on another.
TREND_COUNTS: tuple[str, ...] = ("dv_incidents", "dv_crimes", "sanction_detections")
TREND_RATES: tuple[str, ...] = (
    "spi8a_offence_arrest_rate", "sanction_detection_rate", "risk_assessment_compliance")
RESTRICTED_PREFIX = "RESTRICTED"
EMPTY_COLUMNS: tuple[str, ...] = ("report_id", "borough", "recorded_date")  # a list with no rows


@dataclass(frozen=True)
class PackPeriods:
    week_ending: dt.date
    weeks: tuple[tuple[dt.date, dt.date], ...]  # oldest first; the last is this week
    year_to_date: tuple[dt.date, dt.date]

    @property
    def this_week(self) -> tuple[dt.date, dt.date]:
        return self.weeks[-1]


def financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def pack_periods(week_ending: dt.date, weeks: int = WEEKS) -> PackPeriods:
    """The week ending on ``week_ending`` (seven days), the 13 weeks to it, and the
    financial year to date (1 April to ``week_ending``)."""
    spans = tuple(
        (week_ending - dt.timedelta(days=7 * i + 6), week_ending - dt.timedelta(days=7 * i))
        for i in reversed(range(weeks))
    )
    return PackPeriods(week_ending, spans, (financial_year_start(week_ending), week_ending))


@dataclass
class PackInputs:
    periods: PackPeriods
    weekly: list[list[dict]]  # per week: [force, borough, ...]
    year_to_date: list[dict]  # [force, borough, ...]
    definition: str = DEFAULT_DEFINITION
    restricted: dict[str, dict[str, list[dict]]] = field(default_factory=dict)  # borough ->
    restricted_unavailable: str | None = None  # why no record lists were gathered
    # scope -> worklist title -> count (internal only: publish/v2pack.py)
    worklist_counts: dict[str, dict[str, int | str]] = field(default_factory=dict)

    @property
    def scopes(self) -> list[str]:
        return [r["scope"] for r in self.year_to_date]


def gather(
    backend: Backend, week_ending: dt.date, *, definition: str = DEFAULT_DEFINITION,
    people: str = DEFAULT_METHOD, ids: Sequence[str] = PACK_INDICATORS,
    restricted: bool = True,
) -> PackInputs:
    """Ask the engine for every week and the year to date, force and boroughs, in one pass;
    and (``restricted``) the record lists of each borough for the year to date. ``backend``
    is an opened warehouse whose ``people`` links are resolved."""
    from dvpi.indicators import compute_series

    periods = pack_periods(week_ending)
    spans = [*periods.weeks, periods.year_to_date]
    rows = compute_series(backend, spans, by_borough=True, ids=list(ids),
                          definition=definition, people=people)
    per = len(rows) // len(spans)
    grouped = [rows[i * per:(i + 1) * per] for i in range(len(spans))]
    lists, why_not, counts = {}, None, {}
    if restricted and "relationships" not in backend.tables:  # the flag audit reads it
        why_not = "relationships not loaded: the flag-audit record lists need it"
    elif restricted:
        start, end = periods.year_to_date
        try:
            lists = {r["scope"]: record_lists(backend, start, end, r["scope"], definition,
                                              people)
                     for r in grouped[-1][1:]}
        except ImportError as exc:  # an engine without the record lists
            why_not = f"the engine has no record lists ({exc})"
        else:
            counts = v2pack.counts(backend, start, end, lists, definition, people)
    return PackInputs(periods, grouped[:-1], grouped[-1], definition, lists, why_not, counts)


# Sheet names of the RESTRICTED workbook.
SHOULD_BE_FLAGGED = "Should carry the DV flag"
SHOULD_NOT_BE_FLAGGED = "DV flag without relationship"
RISK_GAPS = "Risk assessment gaps"
DUAL_ARRESTS = "Dual arrests"


def record_lists(backend: Backend, start: dt.date, end: dt.date, borough: str, definition: str,
                 people: str = DEFAULT_METHOD) -> dict[str, list[dict]]:
    """The restricted lists of one borough, from the engine: they name reports."""
    import inspect

    from dvpi.indicators import records

    def call(fn) -> list[dict]:
        wanted = {"borough": borough, "definition": definition, "people": people}
        taken = inspect.signature(fn).parameters
        return [dict(row) for row in fn(backend, start, end,
                                        **{k: v for k, v in wanted.items() if k in taken})]

    audit = call(records.flag_audit_records)
    return {
        SHOULD_BE_FLAGGED: [r for r in audit if r.get("kind") == records.UNFLAGGED],
        SHOULD_NOT_BE_FLAGGED: [r for r in audit if r.get("kind") == records.OVERFLAGGED],
        RISK_GAPS: call(records.risk_assessment_gaps),
        DUAL_ARRESTS: call(records.dual_arrest_records),
        **v2pack.protective_lists(backend, start, end, borough, definition, people),
    }


# --- workbooks ----------------------------------------------------------------------------


FORCE = "force"  # the force's scope
SLUG_MAX = 60


class PackNameError(ValueError):
    """Two outputs of one pack would have the same file name."""


def slug(name: str) -> str:
    """The readable part of a file name: ASCII letters and digits (accents dropped, the
    rest a hyphen), lower case, at most 60 characters, never empty."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return text[:SLUG_MAX].strip("-") or "unnamed"


def name_hash(name: str) -> str:
    """Eight hex digits of the SHA-256 of the exact name: the same name, the same digits."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def file_slugs(scopes: Sequence[str]) -> dict[str, str]:
    """The file-name part of each scope: its slug, or, when two scopes slug alike (or a
    borough slugs as the force does), the slug and ``name_hash`` of the exact name for
    each of them; the force is always ``force``. Raises ``PackNameError`` if two scopes
    would still share one."""
    base = {s: FORCE if s == FORCE else slug(s) for s in scopes}
    counts = Counter(base[s] for s in dict.fromkeys(scopes))
    alone = {s for s in scopes if s == FORCE or (counts[base[s]] == 1 and base[s] != FORCE)}
    out = {s: base[s] if s in alone else f"{base[s]}-{name_hash(s)}" for s in scopes}
    _check_unique(out)
    return out


def _check_unique(names: dict[str, str]) -> None:
    """Scope -> file name: a name shared (compared case-insensitively, as Windows and macOS
    file systems do) is an error, never an overwrite."""
    seen: dict[str, str] = {}
    for scope, name in names.items():
        other = seen.setdefault(name.casefold(), scope)
        if other != scope:
            raise PackNameError(f"{other!r} and {scope!r} would write the same file {name}: "
                                "nothing written")


def _registry():
    from dvpi.indicators import registry

    return registry


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1f4e79"})
        self.note = wb.add_format({"italic": True, "font_color": "#555555"})
        self.head = wb.add_format({"bold": True, "bg_color": "#e8eef5", "border": 1,
                                   "font_color": "#1f4e79", "text_wrap": True})
        self.head_text = wb.add_format({"bold": True, "font_size": 12})
        self.text = wb.add_format({"border": 1})
        self._wb = wb
        self._numbers: dict[str, Any] = {}  # Excel number format -> cell format
        self.mark = wb.add_format({"border": 1, "align": "right", "font_color": "#7a0000"})
        self.date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
        self.status = {s: wb.add_format({"border": 1, "bold": True, "bg_color": c,
                                         "font_color": "#ffffff" if s != "amber" else "#000000"})
                       for s, c in COLOURS.items()}
        self.restricted = wb.add_format({"bold": True, "font_color": "#ffffff",
                                         "bg_color": "#7a0000", "font_size": 12})

    def number(self, ind) -> Any:
        """The cell format of an indicator's values: the digits its display declares."""
        code = fmt.excel_format(ind.display)
        if code not in self._numbers:
            self._numbers[code] = self._wb.add_format({"border": 1, "num_format": code})
        return self._numbers[code]


def _value(entry: dict | None) -> tuple[float | None, bool]:
    """(number, suppressed) of an engine entry's headline."""
    if not entry or entry.get("unavailable"):
        return None, False
    fld = "total" if "values" in entry else "value"
    hidden = fmt.is_hidden(entry, fld) or (fld == "value" and fmt.is_hidden(entry, "value"))
    return entry.get(fld), hidden


def _write_value(ws, row: int, col: int, entry: dict | None, f: _Formats, ind) -> None:
    value, hidden = _value(entry)
    if hidden:
        ws.write_string(row, col, disclosure.MARK, f.mark)
    elif entry and entry.get("unavailable"):
        ws.write_string(row, col, fmt.NOT_AVAILABLE, f.mark)
    elif value is None:
        ws.write_blank(row, col, None, f.text)
    else:
        ws.write_number(row, col, value, f.number(ind))


def _scope_index(inputs: PackInputs, scope: str) -> int:
    return inputs.scopes.index(scope)


# --- the layout of the Government Analysis Function's guidance on releasing statistics in
# spreadsheets: a cover sheet, a notes sheet, one table per sheet starting at the left
# with its title above it, no merged cells, every table an Excel table whose header row
# screen readers announce.

SHEETS: tuple[tuple[str, str], ...] = (
    ("Cover", "What this workbook is, its period, audience and contents"),
    ("Notes", "The notes the tables refer to"),
    ("Summary", "This week and the year to date against target, the force beside"),
    ("Trend", "The last 13 weeks, week by week, with two line charts"),
    ("Borough v force", "The year to date, the borough beside the force"),
    ("About", "What each figure means, from the indicator catalogue"),
)
ONE_TABLE = "This worksheet contains one table. Notes are on the Notes worksheet."


def _notes() -> list[tuple[str, str]]:
    """The Notes sheet: each note's number and text."""
    return [
        ("note 1", "Status against the target to date: a count target is for the whole "
                   "financial year, so it is compared pro rata to the days of the year "
                   "gone; a rate target as it stands. GREEN met; AMBER missed by no more "
                   "than 5% of it; RED missed by more."),
        ("note 2", f"{fmt.NOT_AVAILABLE} = not available: the table the figure needs was "
                   "not supplied."),
        ("note 3", "Rates are written as fractions formatted as percentages, counts as "
                   "whole numbers, so that a reader's own formulas work on them."),
    ]


# Characters XML 1.0 cannot hold: Excel writes them as _xHHHH_ in a table's column names.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _table(ws, name: str, first_row: int, last_row: int, headers: Sequence[str],
           f: _Formats) -> None:
    """Mark a block as an Excel table (its first row the header row); header names made
    unique as Excel requires. The header cells are then written again as the exact text
    (a borough's name from the data is never a formula, whatever it holds)."""
    seen: set[str] = set()
    texts = []
    for h in headers:
        text, n = str(h), 2
        while text.lower() in seen:
            text, n = f"{h} ({n})", n + 1
        seen.add(text.lower())
        texts.append(text)
    columns = [{"header": _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", t),
                "header_format": f.head} for t in texts]
    ws.add_table(first_row, 0, max(last_row, first_row + 1), len(headers) - 1,
                 {"name": name, "columns": columns, "autofilter": False,
                  "style": "Table Style Light 1"})
    for c, text in enumerate(texts):
        ws.write_string(first_row, c, text, f.head)


def _cover(wb, f: _Formats, label: str, inputs: PackInputs) -> None:
    wc = wb.add_worksheet("Cover")
    ytd = inputs.periods.year_to_date
    week = inputs.periods.this_week
    lines = [
        (f"Domestic violence weekly pack: {label}", f.title),
        ("This workbook gives the domestic-violence performance figures of "
         f"{label} for the week {week[0].isoformat()} to {week[1].isoformat()} and the "
         f"financial year to date, {ytd[0].isoformat()} to {ytd[1].isoformat()}.", None),
        (audiences.PACK_AUDIENCE_NOTE, None),
        ("Source: the force's records, computed by dvpi; each figure's definition is on "
         "the About worksheet.", None),
        (f"Domestic violence definition: {inputs.definition}.", None),
        ("Contents", f.head_text),
    ]
    for r, (text, style) in enumerate(lines):
        wc.write_string(r, 0, text, style) if style else wc.write_string(r, 0, text)
    for r, (sheet, what) in enumerate(SHEETS, start=len(lines)):
        wc.write_url(r, 0, f"internal:'{sheet}'!A1", string=sheet)
        wc.write_string(r, 1, what)
    wc.set_column(0, 0, 30)
    wc.set_column(1, 1, 80)


def write_workbook(inputs: PackInputs, scope: str, path: Path,
                   ids: Sequence[str] = PACK_INDICATORS) -> Path:
    reg = _registry()
    indicators = [reg.get(i) for i in ids]
    k = _scope_index(inputs, scope)
    weeks = inputs.periods.weeks
    wb = xlsxwriter.Workbook(str(path), cells.XLSX_OPTIONS)
    f = _Formats(wb)
    label = "the force" if scope == "force" else scope
    week_text = f"{weeks[-1][0].isoformat()} to {weeks[-1][1].isoformat()}"
    ytd = inputs.periods.year_to_date
    _cover(wb, f, label, inputs)
    wn = wb.add_worksheet("Notes")
    wn.write_string(0, 0, "Notes", f.title)
    wn.write_string(1, 0, "This worksheet contains one table.")
    notes = _notes()
    for r, (number, text) in enumerate(notes, start=3):
        wn.write_string(r, 0, number, f.text)
        wn.write_string(r, 1, text, f.text)
    _table(wn, "Notes_table", 2, 2 + len(notes), ["Note number", "Note text"], f)
    wn.set_column(0, 0, 14)
    wn.set_column(1, 1, 110)

    # Summary: this week, the year to date against target, the force beside.
    ws = wb.add_worksheet("Summary")
    ws.write(0, 0, f"Domestic violence weekly pack: {label}", f.title)
    ws.write(1, 0, f"Week ending {inputs.periods.week_ending.isoformat()} ({week_text}); "
                   f"financial year to date {ytd[0].isoformat()} to {ytd[1].isoformat()}.",
             f.note)
    ws.write(2, 0, audiences.PACK_AUDIENCE_NOTE, f.note)
    ws.write_string(3, 0, ONE_TABLE)
    heads = ["Indicator", "id", "This week", "Year to date", "Target (year)",
             "Target to date [note 1]", "Status [note 1]", "Force: this week",
             "Force: year to date"]
    fy_start = financial_year_start(ytd[1])
    fy_days = (dt.date(fy_start.year + 1, 3, 31) - fy_start).days + 1
    elapsed = (ytd[1] - ytd[0]).days + 1
    for c, h in enumerate(heads):
        ws.write(4, c, h, f.head)
    this_week, year = inputs.weekly[-1], inputs.year_to_date
    for r, ind in enumerate(indicators, start=5):
        ws.write(r, 0, ind.title, f.text)
        ws.write(r, 1, ind.id, f.text)
        _write_value(ws, r, 2, this_week[k]["indicators"].get(ind.id), f, ind)
        _write_value(ws, r, 3, year[k]["indicators"].get(ind.id), f, ind)
        target = year[k].get("targets", {}).get(ind.id)
        if target:
            # A count target is for the whole year: compare the year to date with its share.
            to_date = (pro_rata(target["target"], elapsed, fy_days)
                       if ind.unit in ("count", "breakdown") else target["target"])
            ws.write_number(r, 4, target["target"], f.number(ind))
            ws.write_number(r, 5, to_date, f.number(ind))
            status = None if target.get("suppressed") else rag(
                target.get("actual"), to_date, infer_direction(target))
            if status:
                ws.write_string(r, 6, status.upper(), f.status[status])
            else:
                ws.write_blank(r, 6, None, f.text)
        else:
            for c in (4, 5, 6):
                ws.write_blank(r, c, None, f.text)
        _write_value(ws, r, 7, this_week[0]["indicators"].get(ind.id), f, ind)
        _write_value(ws, r, 8, year[0]["indicators"].get(ind.id), f, ind)
    _table(ws, "Summary_table", 4, 4 + len(indicators), heads, f)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 8, 14)

    # Trend: 13 weeks, one row per week, and two native line charts.
    wt = wb.add_worksheet("Trend")
    wt.write(0, 0, f"The last {len(weeks)} weeks: {label}", f.title)
    wt.write_string(1, 0, "This worksheet contains one table, drawn in the two line charts "
                          "below it. Notes are on the Notes worksheet.")
    wt.write(2, 0, "Week ending", f.head)
    for c, ind in enumerate(indicators, start=1):
        wt.write(2, c, ind.title, f.head)
    for r, (span, block) in enumerate(zip(weeks, inputs.weekly, strict=True), start=3):
        wt.write_datetime(r, 0, dt.datetime.combine(span[1], dt.time()), f.date)
        for c, ind in enumerate(indicators, start=1):
            _write_value(wt, r, c, block[k]["indicators"].get(ind.id), f, ind)
    _table(wt, "Trend_table", 2, 2 + len(weeks),
           ["Week ending", *(i.title for i in indicators)], f)
    wt.set_column(0, 0, 12)
    wt.set_column(1, len(indicators), 16)
    wt.set_row(2, 45)
    last_row = 3 + len(weeks) - 1
    # The charts read a hidden copy where a suppressed or missing figure is #N/A: Excel
    # would draw the "[c]" text as a zero.
    wd = wb.add_worksheet("chart data")
    wd.hide()
    wd.write(2, 0, "Week ending")
    for c, ind in enumerate(indicators, start=1):
        wd.write(2, c, ind.title)
    for r, (span, block) in enumerate(zip(weeks, inputs.weekly, strict=True), start=3):
        wd.write_datetime(r, 0, dt.datetime.combine(span[1], dt.time()), f.date)
        for c, ind in enumerate(indicators, start=1):
            value, hidden = _value(block[k]["indicators"].get(ind.id))
            if value is None or hidden:
                wd.write_formula(r, c, "=NA()", None, "#N/A")
            else:
                wd.write_number(r, c, value)
    anchor = 3 + len(weeks) + 2
    for n, (group, title, y_format) in enumerate((
        (TREND_COUNTS, "Reports and detections per week", "#,##0"),
        (TREND_RATES, "Rates per week", "0%"),
    )):
        chart = wb.add_chart({"type": "line"})
        for ind_id in group:
            if ind_id not in ids:
                continue
            c = list(ids).index(ind_id) + 1
            chart.add_series({
                "name": ["chart data", 2, c],
                "categories": ["chart data", 3, 0, last_row, 0],
                "values": ["chart data", 3, c, last_row, c],
                "marker": {"type": "circle", "size": 4},
            })
        chart.set_title({"name": f"{title}: {label}"})
        chart.set_x_axis({"date_axis": True, "num_format": "dd mmm"})
        chart.set_y_axis({"num_format": y_format, "min": 0})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.show_na_as_empty_cell()
        chart.set_size({"width": 640, "height": 300})
        wt.insert_chart(anchor + n * 16, 0, chart)

    # Borough beside the force (the force's workbook lists every borough).
    wc = wb.add_worksheet("Borough v force")
    wc.write_string(1, 0, ONE_TABLE)
    if scope == "force":
        wc.write(0, 0, "Year to date: every borough beside the force", f.title)
        wc.write(2, 0, "Borough", f.head)
        for c, ind in enumerate(indicators, start=1):
            wc.write(2, c, ind.title, f.head)
        for r, result in enumerate(year, start=3):
            wc.write_string(r, 0, result["scope"], f.text)
            for c, ind in enumerate(indicators, start=1):
                _write_value(wc, r, c, result["indicators"].get(ind.id), f, ind)
        _table(wc, "Boroughs_table", 2, 2 + len(year),
               ["Borough", *(i.title for i in indicators)], f)
        wc.set_column(0, 0, 24)
        wc.set_column(1, len(indicators), 16)
        wc.set_row(2, 45)
    else:
        wc.write(0, 0, f"Year to date: {label} beside the force", f.title)
        for c, h in enumerate(["Indicator", "id", scope, "Force"]):
            wc.write_string(2, c, h, f.head)
        for r, ind in enumerate(indicators, start=3):
            wc.write(r, 0, ind.title, f.text)
            wc.write(r, 1, ind.id, f.text)
            _write_value(wc, r, 2, year[k]["indicators"].get(ind.id), f, ind)
            _write_value(wc, r, 3, year[0]["indicators"].get(ind.id), f, ind)
        _table(wc, "Borough_v_force_table", 2, 2 + len(indicators),
               ["Indicator", "id", scope, "Force"], f)
        wc.set_column(0, 0, 44)
        wc.set_column(1, 1, 28)
        wc.set_column(2, 3, 16)
    # What each figure means, from the registry.
    wa = wb.add_worksheet("About")
    wa.write(0, 0, "What the figures mean", f.title)
    wa.write_string(1, 0, "This worksheet contains one table.")
    for c, h in enumerate(["id", "Indicator", "Definition", "Unit"]):
        wa.write(2, c, h, f.head)
    for r, ind in enumerate(indicators, start=3):
        for c, v in enumerate([ind.id, ind.title, ind.definition, ind.unit]):
            wa.write_string(r, c, v, f.text)
    _table(wa, "About_table", 2, 2 + len(indicators),
           ["id", "Indicator", "Definition", "Unit"], f)
    wa.set_column(0, 0, 28)
    wa.set_column(1, 1, 36)
    wa.set_column(2, 2, 90)
    if inputs.worklist_counts:  # internal only: protect_inputs leaves them out
        v2pack.write_sheet(wb, f, scope, inputs.worklist_counts, inputs.periods.week_ending,
                           ytd[0])
    wb.close()
    return path


def write_restricted(lists: dict[str, list[dict]], scope: str, week_ending: dt.date,
                     ytd: tuple[dt.date, dt.date], path: Path) -> Path:
    """The RESTRICTED workbook of one borough: one sheet per record list."""
    wb = xlsxwriter.Workbook(str(path), cells.XLSX_OPTIONS)
    f = _Formats(wb)
    taken: set[str] = set()
    for name, rows in lists.items():
        ws = wb.add_worksheet(cells.sheet_name(name, taken))
        ws.write(0, 0, "RESTRICTED: names reports. Not for publication or onward sharing.",
                 f.restricted)
        ws.write_string(1, 0, f"{name}: {scope}, reports recorded {ytd[0].isoformat()} to "
                              f"{ytd[1].isoformat()} (pack for the week ending "
                              f"{week_ending.isoformat()}). {len(rows)} record(s).", f.note)
        columns = list(dict.fromkeys(k for row in rows for k in row)) or list(EMPTY_COLUMNS)
        for c, col in enumerate(columns):
            ws.write_string(3, c, str(col), f.head)
            ws.set_column(c, c, max(12, min(40, len(col) + 4)))
        for r, row in enumerate(rows, start=4):
            for c, col in enumerate(columns):
                value = row.get(col)
                if isinstance(value, dt.datetime | dt.date):
                    ws.write_string(r, c, value.isoformat(), f.text)
                elif value is None:
                    ws.write_blank(r, c, None, f.text)
                elif isinstance(value, bool):
                    ws.write_string(r, c, str(value).lower(), f.text)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value, f.text)
                elif isinstance(value, list | tuple):
                    ws.write_string(r, c, ", ".join(map(str, value)), f.text)
                else:
                    ws.write_string(r, c, str(value), f.text)
    wb.close()
    return path


@dataclass
class PackWritten:
    workbooks: dict[str, Path]
    restricted: dict[str, Path]


def write_packs(
    inputs: PackInputs, out_dir: Path, *, audience: str = "internal",
    ids: Sequence[str] = PACK_INDICATORS,
) -> PackWritten:
    """One workbook per scope (force first) and the RESTRICTED record workbooks, for the
    force and the borough's own officers only: any other ``audience`` is refused
    (``AudienceError``, nothing written; see ``publish.audience``)."""
    audiences.check_pack(audience)
    out_dir = Path(out_dir)
    week = inputs.periods.week_ending.isoformat()
    # Every file name is settled, and checked distinct, before anything is written.
    if len(set(inputs.scopes)) != len(inputs.scopes):
        raise PackNameError(f"a scope appears twice in {inputs.scopes!r}: nothing written")
    lists = inputs.restricted
    slugs = file_slugs([*inputs.scopes, *(s for s in lists if s not in inputs.scopes)])
    names = {("pack", s): f"dv-pack-{week}-{slugs[s]}.xlsx" for s in inputs.scopes}
    names |= {("restricted", s): f"{RESTRICTED_PREFIX}-dv-records-{week}-{slugs[s]}.xlsx"
              for s in lists}
    _check_unique(names)
    private_dir(out_dir)  # owner only, files 0600 before a byte is written (docs/security.md)
    for name in names.values():
        private_file(out_dir / name)
    workbooks = {
        scope: write_workbook(inputs, scope, out_dir / names["pack", scope], ids)
        for scope in inputs.scopes
    }
    restricted = {
        scope: write_restricted(scope_lists, scope, inputs.periods.week_ending,
                                inputs.periods.year_to_date, out_dir / names["restricted", scope])
        for scope, scope_lists in lists.items()
    }
    return PackWritten(workbooks, restricted)
