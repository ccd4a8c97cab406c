"""Issue 14, items 3 and 10: no value from the data becomes a formula in any workbook or CSV
dvpi writes, and two boroughs never write the same file.

Workbooks are read back with openpyxl (``cell.data_type``: ``"s"`` text, ``"n"`` number,
``"f"`` formula); CSVs are read as a spreadsheet would (``spreadsheet_evaluates``: a field
whose first non-blank character is = + - @, full-width or not, or that starts with a tab,
CR, LF or NUL, is taken for a formula unless a leading ' marks it as text).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from dvpi.contract import cells
from dvpi.publish import pack
from engine_helpers import gather_pack

WEEK = dt.date(2008, 3, 30)
EVIL = '=HYPERLINK("http://evil.example","B")'
# Each of these starts a formula in Excel, LibreOffice or Google Sheets (or does once a
# CSV import trims leading blanks or folds full-width forms).
HOSTILE = [
    EVIL, "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1", "\n=1", " =1+1", "\u3000=1+1",
    "\u00a0@SUM(1)", "\uff1dHYPERLINK(\"http://evil.example\")", "\uff0b1", "\uff0d1",
    "\uff20SUM(1)", "=cmd|' /C calc'!A0", "\ufeff=1+1", "\u200b=1+1", "\ufe66 1",
]
BENIGN = ["Tower Hamlets", "Hackney.", "R123", "2008-03-01", "", "a=b", "x-1", "'=1+1",
          "O'Brien", "http://evil.example"]


def spreadsheet_evaluates(field: str) -> bool:
    """Would a spreadsheet opening the CSV take this text field for a formula?"""
    if field[:1] == "'":
        return False
    if field[:1] in ("\t", "\r", "\n", "\0"):
        return True
    text = unicodedata.normalize("NFKC", field)
    text = text.lstrip("".join(c for c in set(text) if c.isspace()
                               or unicodedata.category(c) == "Cf"))
    return text[:1] in ("=", "+", "-", "@")


# --- the shared rule ---------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_neutralised_for_csv(text):
    assert cells.is_formula_like(text)
    assert cells.csv_cell(text) == "'" + text
    assert not spreadsheet_evaluates(cells.csv_cell(text))


@pytest.mark.parametrize("text", BENIGN)
def test_benign_text_is_left_alone(text):
    assert cells.csv_cell(text) == text


@pytest.mark.parametrize("value", [-5, -0.25, 0, 3, 1.5, True, None, dt.date(2008, 3, 1)])
def test_numbers_and_other_values_pass_unchanged(value):
    """A negative number written as a number is a number, not a data string."""
    assert cells.csv_cell(value) is value


@given(st.text())
def test_any_text_reads_back_as_text_from_a_csv(text):
    field = cells.csv_cell(text)
    assert field in (text, "'" + text)
    assert not spreadsheet_evaluates(field)
    out = io.StringIO()
    csv.writer(out).writerow([field])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [field]


# --- sheet names ------------------------------------------------------------------------


def _valid_sheet_name(name: str) -> bool:
    return (0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
            and not name.startswith("'") and not name.endswith("'")
            and name.casefold() != "history")


@given(st.lists(st.text(max_size=50), max_size=6))
def test_sheet_names_are_valid_and_unique(names):
    taken: set[str] = set()
    got = [cells.sheet_name(n, taken) for n in names]
    assert all(_valid_sheet_name(n) for n in got), got
    assert len({n.casefold() for n in got}) == len(got)


def test_restricted_sheets_with_hostile_names(tmp_path):
    lists = {"=Risk [gaps]: a/b?": [], "History": [], "x" * 40: [], "x" * 40 + "y": []}
    path = pack.write_restricted(lists, "Hackney", WEEK, (dt.date(2007, 4, 1), WEEK),
                                 tmp_path / "r.xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 4 and len({n.casefold() for n in names}) == 4
    assert all(_valid_sheet_name(n) for n in names)


# --- the packs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_inputs(example_warehouse) -> pack.PackInputs:
    return gather_pack(example_warehouse, WEEK, restricted=False)


def with_boroughs(inputs: pack.PackInputs, names: list[str]) -> pack.PackInputs:
    """The example's figures under other borough names (the force first, as gathered)."""
    def relabel(block: list[dict]) -> list[dict]:
        out = [block[0]]
        for i, name in enumerate(names):
            result = copy.deepcopy(block[1 + i % (len(block) - 1)])
            result["scope"] = name
            out.append(result)
        return out

    got = pack.PackInputs(inputs.periods, [relabel(b) for b in inputs.weekly],
                          relabel(inputs.year_to_date), inputs.definition)
    got.restricted = {name: {pack.SHOULD_BE_FLAGGED: [{"report_id": "R1", "borough": name}],
                             pack.RISK_GAPS: []} for name in names}
    return got


def formula_cells(path: Path) -> list[tuple[str, str, object]]:
    """Every formula in a workbook but the hidden chart data's =NA() (a gap in a chart)."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows()
            for c in row if c.data_type == "f" and c.value != "=NA()"]


def test_a_hostile_borough_name_is_text_in_every_workbook(example_inputs, tmp_path):
    names = [EVIL, "http://evil.example", "@SUM(1,2)"]
    written = pack.write_packs(with_boroughs(example_inputs, names), tmp_path)
    force = openpyxl.load_workbook(written.workbooks["force"])["Borough v force"]
    listed = {c.value: c for c in force["A"][3:] if c.value}
    for name in names:
        assert listed[name].data_type == "s" and listed[name].hyperlink is None
        own = openpyxl.load_workbook(written.workbooks[name])["Borough v force"]
        assert own["C3"].value == name and own["C3"].data_type == "s"
        assert own["C3"].hyperlink is None
        restricted = openpyxl.load_workbook(written.restricted[name])
        assert all(c.data_type != "f" for ws in restricted for row in ws.iter_rows()
                   for c in row)
    for path in [*written.workbooks.values(), *written.restricted.values()]:
        assert formula_cells(path) == [], path.name


def test_restricted_values_are_text_and_numbers_stay_numbers(tmp_path):
    rows = [{"report_id": text, "note": text, "count": -5, "rate": -0.5}
            for text in HOSTILE + BENIGN]
    path = pack.write_restricted({pack.RISK_GAPS: rows}, "Hackney", WEEK,
                                 (dt.date(2007, 4, 1), WEEK), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)[pack.RISK_GAPS]
    got = list(ws.iter_rows(min_row=5, max_col=4))
    assert len(got) == len(rows)
    for row, cells_ in zip(rows, got, strict=True):
        text, note, count, rate = cells_
        if row["report_id"]:
            assert text.data_type == "s" and unescape(text.value) == row["report_id"]
            assert note.data_type == "s" and note.hyperlink is None
        assert count.data_type == "n" and count.value == -5
        assert rate.data_type == "n" and rate.value == -0.5


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40).filter(lambda s: s != "force"))
@example(name=EVIL)
@example(name="\uff1d1+1")
@example(name="\t=1+1")
@example(name="-2+3")
def test_any_borough_text_is_that_exact_text_never_a_formula(example_inputs, tmp_path_factory,
                                                             name):
    inputs = with_boroughs(example_inputs, [name])
    folder = tmp_path_factory.mktemp("any")
    for scope, cell in (("force", "A5"), (name, "C3")):
        path = pack.write_workbook(inputs, scope, folder / "w.xlsx")
        got = openpyxl.load_workbook(path)["Borough v force"][cell]
        # openpyxl leaves Excel's _xHHHH_ escapes of control characters as they are
        assert got.data_type == "s" and unescape(got.value) == name
        assert formula_cells(path) == []


# --- the dashboard's CSV download ---------------------------------------------------------


PASSWORD = "a long enough password"
OWN = "Tower Hamlets"


@pytest.fixture
def dashboard(example_warehouse, tmp_path):
    from fastapi.testclient import TestClient

    from dvpi.web.app import create_app
    from web_fakes import fake_engine, login

    expected = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(example_warehouse, warehouse)
    app = create_app(warehouse, state_path=tmp_path / "s.sqlite", secure_cookies=False,
                     engine=fake_engine(expected, []))
    app.state.dashboard.users.add("analyst", PASSWORD, "force_analyst")
    client = TestClient(app, follow_redirects=False)
    login(client, "analyst", PASSWORD)
    return app, client


def test_dashboard_csv_neutralises_every_data_value(dashboard):
    from dvpi.web.services import Worklist

    app, client = dashboard

    def rows(con, start, end, borough=None, **_):
        return [{"report_id": text, "count": -5, "borough": borough} for text in HOSTILE]

    app.state.dashboard.engine.worklists["flag_audit"] = Worklist(
        "flag_audit", "Flag audit", "test", rows)
    response = client.get(f"/boroughs/{quote(OWN)}/worklists/flag_audit.csv?year=2007-08")
    assert response.status_code == 200
    got = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert len(got) == len(HOSTILE)
    for row, text in zip(got, HOSTILE, strict=True):
        assert not spreadsheet_evaluates(row["report_id"]), row
        assert row["report_id"] == "'" + text
        assert row["count"] == "-5"  # a number stays a number


# --- the quarantine CSV -------------------------------------------------------------------


def test_quarantine_csv_neutralises_original_values(example_copy, tmp_path):
    from dvpi.ingest import export_quarantine, load_dataset

    with (example_copy / "reports.csv").open("a", encoding="utf-8") as handle:
        handle.write("=cmd|' /C calc'!A0,Tower Hamlets\n")  # ragged: the raw line is kept
        handle.write("=1+1,Tower Hamlets,2007-02-30,,crime,abh,true,,,,\n")  # bad date
        handle.write("@SUM(1),Tower Hamlets,2007-02-30,,crime,abh,true,,,,-2+3\n")
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    out = tmp_path / "q.csv"
    assert export_quarantine(wh, out) == 3
    with out.open(encoding="utf-8", newline="") as handle:
        got = list(csv.reader(handle))
    assert len(got) == 4
    originals = [row[-1] for row in got[1:]]
    assert originals[0] == "'=cmd|' /C calc'!A0,Tower Hamlets"
    assert json.loads(originals[1])["report_id"] == "=1+1"
    for row in got:
        for field in row:
            assert not spreadsheet_evaluates(field), (field, row)


# --- file names (item 10) -----------------------------------------------------------------


def test_boroughs_that_slug_alike_write_distinct_files(example_inputs, tmp_path):
    names = ["Hackney", "Hackney.", "hackney", "HACKNEY!", "Force", "Tower Hamlets"]
    written = pack.write_packs(with_boroughs(example_inputs, names), tmp_path)
    assert len(written.workbooks) == len(names) + 1
    assert len(written.restricted) == len(names)
    paths = [*written.workbooks.values(), *written.restricted.values()]
    assert len({p.name.casefold() for p in paths}) == len(paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    # each workbook is its own borough's
    for name in names:
        ws = openpyxl.load_workbook(written.workbooks[name])["Borough v force"]
        assert ws["C3"].value == name
    # the force keeps its name, and a borough alone on its slug keeps the plain slug
    assert written.workbooks["force"].name == f"dv-pack-{WEEK}-force.xlsx"
    assert written.workbooks["Tower Hamlets"].name == f"dv-pack-{WEEK}-tower-hamlets.xlsx"


def test_a_collision_is_an_error_never_an_overwrite(example_inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "name_hash", lambda name: "00000000")
    with pytest.raises(pack.PackNameError, match="same file"):
        pack.write_packs(with_boroughs(example_inputs, ["Hackney", "Hackney."]), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written


WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.I)


def _safe_file_name(name: str) -> bool:
    stem = name.split(".")[0]
    return (len(name) <= 120 and not re.search(r'[<>:"/\\|?*\x00-\x1f]', name)
            and not name.endswith((".", " ")) and not WINDOWS_RESERVED.fullmatch(stem))


@given(st.lists(st.text(max_size=80), min_size=1, max_size=8, unique=True))
def test_any_distinct_names_get_distinct_safe_file_names(names):
    scopes = ["force", *[n for n in names if n != "force"]]
    slugs = pack.file_slugs(scopes)
    files = [f"dv-pack-{WEEK}-{slugs[s]}.xlsx" for s in scopes]
    assert len({f.casefold() for f in files}) == len(files)
    assert slugs["force"] == "force"
    for s in scopes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slugs[s]), (s, slugs[s])
    assert all(_safe_file_name(f) for f in files)
    # stable: the same names give the same files, in any order
    assert pack.file_slugs(list(reversed(scopes))) == slugs
