"""The weekly packs, read back with openpyxl and checked against the engine."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dvpi.publish import pack
from dvpi.stats.display import NOT_AVAILABLE
from engine_helpers import gather_pack

WEEK = dt.date(2008, 3, 30)


@pytest.fixture(scope="module")
def inputs(example_warehouse) -> pack.PackInputs:
    # The example loaded and resolved once for the session (conftest).
    got = gather_pack(example_warehouse, WEEK, restricted=False)
    # The record lists are the engine's (restricted); here hand-made rows that name reports.
    got.restricted = {
        scope: {pack.SHOULD_BE_FLAGGED: [{"report_id": f"R9{i}", "borough": scope,
                                          "kind": "unflagged",
                                          "recorded_date": dt.date(2008, 3, 1)}],
                pack.SHOULD_NOT_BE_FLAGGED: [], pack.RISK_GAPS: [], pack.DUAL_ARRESTS: []}
        for i, scope in enumerate(got.scopes[1:])
    }
    return got


@pytest.fixture(scope="module")
def internal(inputs, tmp_path_factory) -> pack.PackWritten:
    return pack.write_packs(inputs, tmp_path_factory.mktemp("internal"))


def test_periods():
    p = pack.pack_periods(WEEK)
    assert len(p.weeks) == 13
    assert p.this_week == (dt.date(2008, 3, 24), dt.date(2008, 3, 30))
    assert p.weeks[0] == (dt.date(2007, 12, 31), dt.date(2008, 1, 6))
    assert p.year_to_date == (dt.date(2007, 4, 1), WEEK)
    assert pack.pack_periods(dt.date(2008, 4, 6)).year_to_date[0] == dt.date(2008, 4, 1)


def test_one_workbook_per_scope(internal, inputs):
    assert list(internal.workbooks) == inputs.scopes
    assert inputs.scopes[0] == "force" and len(inputs.scopes) == 3
    for path in internal.workbooks.values():
        assert path.exists() and "RESTRICTED" not in path.name


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _summary(path: Path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path)["Summary"]
    return {row[1]: row for row in _rows(ws)[5:] if row[1] in pack.PACK_INDICATORS}


def _headline(entry):
    if entry.get("unavailable"):  # a table not loaded: written as text, never 0
        return NOT_AVAILABLE
    return entry.get("total") if "values" in entry else entry.get("value")


def _same(written, expected) -> bool:
    if expected is None or isinstance(expected, str):
        return written == expected
    return written == pytest.approx(expected)


def test_summary_matches_the_engine(internal, inputs):
    for k, scope in enumerate(inputs.scopes):
        rows = _summary(internal.workbooks[scope])
        assert list(rows) == list(pack.PACK_INDICATORS)
        for ind_id, row in rows.items():
            week = inputs.weekly[-1][k]["indicators"][ind_id]
            year = inputs.year_to_date[k]["indicators"][ind_id]
            assert row[2] == _headline(week), (scope, ind_id)
            assert _same(row[3], _headline(year)), (scope, ind_id)
            # the force beside
            assert row[8] == (_headline(inputs.year_to_date[0]["indicators"][ind_id]))


def test_targets_with_rag_status(internal, inputs):
    rows = _summary(internal.workbooks["force"])
    targets = inputs.year_to_date[0]["targets"]
    assert targets  # the example has force targets covering the year
    for ind_id, t in targets.items():
        if ind_id not in rows:
            continue
        row = rows[ind_id]
        assert row[4] == t["target"]
        assert row[6] in ("GREEN", "AMBER", "RED")
    # a rate target is not pro-rated; the example's 0.6 arrest-rate target is met
    assert rows["spi8a_offence_arrest_rate"][5] == 0.6
    assert rows["spi8a_offence_arrest_rate"][6] == "GREEN"
    # a count target is pro-rated to the days gone: 10 × 365/366
    assert rows["dv_incidents"][5] == pytest.approx(10 * 365 / 366)


def test_trend_has_13_weeks_and_a_native_chart(internal, inputs):
    path = internal.workbooks["force"]
    ws = openpyxl.load_workbook(path)["Trend"]
    rows = _rows(ws)
    weeks = [r for r in rows[3:] if isinstance(r[0], dt.datetime)]
    assert [w[0].date() for w in weeks] == [e for _, e in inputs.periods.weeks]
    col = 1 + list(pack.PACK_INDICATORS).index("dv_incidents")
    assert [w[col] for w in weeks] == [
        block[0]["indicators"]["dv_incidents"]["value"] for block in inputs.weekly]
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 2
        xml = z.read(charts[0]).decode()
        assert "<c:lineChart>" in xml and "chart data" in xml


def test_chart_data_never_draws_a_missing_figure(internal):
    wb = openpyxl.load_workbook(internal.workbooks["force"])
    trend, data = _rows(wb["Trend"]), _rows(wb["chart data"])
    assert wb["chart data"].sheet_state == "hidden"
    for shown, plotted in zip(trend[3:3 + 13], data[3:3 + 13], strict=True):
        for a, b in zip(shown[1:], plotted[1:], strict=True):
            if isinstance(a, str) or a is None:
                assert b == "=NA()"
            else:
                assert b == pytest.approx(a)


def test_about_sheet_from_the_registry(internal):
    from dvpi.indicators import registry

    rows = _rows(openpyxl.load_workbook(internal.workbooks["force"])["About"])
    ids = [r[0] for r in rows[3:]]
    assert ids == list(pack.PACK_INDICATORS)
    assert rows[3][2] == registry.get(ids[0]).definition


def test_borough_beside_force(internal, inputs):
    ws = openpyxl.load_workbook(internal.workbooks["force"])["Borough v force"]
    scopes = [r[0] for r in _rows(ws)[3:] if r[0]]
    assert scopes == inputs.scopes
    ws = openpyxl.load_workbook(internal.workbooks[inputs.scopes[1]])["Borough v force"]
    header = _rows(ws)[2]
    assert header[2] == inputs.scopes[1] and header[3] == "Force"


def test_restricted_workbooks_are_separate(internal, inputs):
    assert set(internal.restricted) == set(inputs.scopes[1:])
    for path in internal.restricted.values():
        assert path.name.startswith("RESTRICTED-")
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [pack.SHOULD_BE_FLAGGED, pack.SHOULD_NOT_BE_FLAGGED,
                                 pack.RISK_GAPS, pack.DUAL_ARRESTS]
        ws = wb[pack.SHOULD_BE_FLAGGED]
        assert str(_rows(ws)[0][0]).startswith("RESTRICTED")
        assert _rows(ws)[3][0] == "report_id"
        assert _rows(ws)[4][0].startswith("R9")
    # the main packs never name a report
    for path in internal.workbooks.values():
        wb = openpyxl.load_workbook(path)
        for ws in wb:
            for row in _rows(ws):
                for v in row:
                    assert not (isinstance(v, str) and re.fullmatch(r"R\d+", v))


def test_a_pack_for_the_public_is_refused(inputs, internal, tmp_path):
    """The packs are for the force and the borough's own officers (OFFICIAL-SENSITIVE),
    never the public or partners: consecutive packs subtract to the week. Refused, with
    nothing written; the internal pack says who it is for on its first sheet."""
    from dvpi.publish import audience

    for who in ("public", "partner"):
        with pytest.raises(audience.AudienceError, match="not published to the public"):
            pack.write_packs(inputs, tmp_path / who, audience=who)
        assert not (tmp_path / who).exists()
    for path in internal.workbooks.values():
        note = _rows(openpyxl.load_workbook(path)["Summary"])[2][0]
        assert note.startswith("OFFICIAL-SENSITIVE") and "Not for publication" in note


def _records(path: Path, sheet: str) -> list[tuple]:
    rows = _rows(openpyxl.load_workbook(path)[sheet])
    return [r for r in rows[4:] if any(v not in (None, "") for v in r)]


def test_restricted_lists_from_the_engine(example_warehouse, tmp_path):
    """With the engine's record lists: one RESTRICTED workbook per borough, holding as many
    records as the engine's flag-audit counts for the year to date, each naming a report of
    that borough."""
    got = gather_pack(example_warehouse, WEEK, restricted=True)
    assert got.restricted_unavailable is None
    written = pack.write_packs(got, tmp_path)
    assert set(written.restricted) == set(got.scopes[1:])
    for k, scope in enumerate(got.scopes[1:], start=1):
        figures = got.year_to_date[k]["indicators"]
        path = written.restricted[scope]
        for sheet, ind_id in ((pack.SHOULD_BE_FLAGGED, "flag_audit_unflagged"),
                              (pack.SHOULD_NOT_BE_FLAGGED, "flag_audit_overflagged")):
            records = _records(path, sheet)
            assert len(records) == figures[ind_id]["value"], (scope, sheet)
            header = _rows(openpyxl.load_workbook(path)[sheet])[3]
            for r in records:
                row = dict(zip(header, r, strict=False))
                assert row["borough"] == scope and re.fullmatch(r"R\d+", row["report_id"])
        compliance = figures["risk_assessment_compliance"]
        gaps = _records(path, pack.RISK_GAPS)
        assert len(gaps) == compliance["denominator"] - compliance["numerator"], scope


def test_follows_the_analysis_function_spreadsheet_guidance(internal):
    """Cover sheet first, then notes; one table per sheet, each an Excel table whose
    header row is marked, starting in column A; no merged cells (GSS/Analysis Function,
    "Releasing statistics in spreadsheets")."""
    for path in internal.workbooks.values():
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[:2] == ["Cover", "Notes"]
        cover = _rows(wb["Cover"])
        assert cover[0][0].startswith("Domestic violence weekly pack")
        contents = [r[0] for r in cover if r[0] in [s for s, _ in pack.SHEETS]]
        assert contents == [s for s, _ in pack.SHEETS]
        for ws in wb.worksheets:
            assert not ws.merged_cells.ranges, ws.title
            if ws.sheet_state == "hidden" or ws.title == "Cover":
                continue
            assert len(ws.tables) == 1, ws.title
            table = next(iter(ws.tables.values()))
            assert table.headerRowCount in (None, 1) and table.ref.startswith("A")
            header_row = int(re.match(r"A(\d+)", table.ref).group(1))
            names = [c.name for c in table.tableColumns]
            assert [ws.cell(header_row, i + 1).value for i in range(len(names))] == names
            assert "one table" in str(ws.cell(header_row - 1, 1).value), ws.title
        notes = _rows(wb["Notes"])
        assert notes[2] == ("Note number", "Note text")
