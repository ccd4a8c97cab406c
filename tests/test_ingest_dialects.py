"""Every dialect forces produce: encodings, delimiters, line endings, workbooks; and the
bad inputs of issue 13's "tried as a new user would" list."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.ingest import LoadError, load_dataset
from dvpi.ingest.sources import ReadOptions
from warehouse_rows import rows

EXAMPLE = Path(__file__).parent / "data" / "example"
ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def example_rows(name: str) -> list[list[str]]:
    with (EXAMPLE / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.reader(handle) if r]


def write_table(path: Path, rows: list[list[str]], *, delimiter: str = ",",
                encoding: str = "utf-8", endings: list[str] | str = "lf") -> None:
    """Rows as a CSV in a dialect; ``endings`` one for the file, or one per line."""
    out = io.StringIO()
    for i, row in enumerate(rows):
        line = io.StringIO()
        csv.writer(line, delimiter=delimiter, lineterminator="").writerow(row)
        end = endings if isinstance(endings, str) else endings[i % len(endings)]
        out.write(line.getvalue() + ENDINGS[end])
    path.write_bytes(out.getvalue().encode(encoding))


def write_set(folder: Path, tables: dict[str, list[list[str]]], **dialect) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table_rows in tables.items():
        write_table(folder / f"{name}.csv", table_rows, **dialect)
    return folder


def example_tables() -> dict[str, list[list[str]]]:
    return {p.stem: example_rows(p.stem) for p in sorted(EXAMPLE.glob("*.csv"))}


def contents(warehouse: Path) -> dict[str, list]:
    """Every data table's rows (lineage but the load id included), to compare loads."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for name in TABLES:
            try:
                cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()
                        if r[0] != "_load_id"]
            except duckdb.CatalogException:
                continue
            out[name] = sorted(map(repr, con.execute(
                f"SELECT {', '.join(cols)} FROM {name}").fetchall()))
        out["quarantine"] = sorted(map(repr, con.execute(
            "SELECT table_name, line, reasons, original FROM quarantine").fetchall()))
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, list]:
    """The example written plainly (UTF-8, comma, LF) by the csv module, loaded."""
    tmp = tmp_path_factory.mktemp("reference")
    load_dataset(write_set(tmp / "data", example_tables()), tmp / "w.duckdb")
    return contents(tmp / "w.duckdb")


@pytest.mark.parametrize(("delimiter", "encoding", "endings"), [
    (";", "utf-8", "lf"),
    ("\t", "utf-8", "crlf"),
    ("|", "utf-8-sig", "lf"),
    (",", "utf-8", "cr"),
    (",", "utf-8", ["lf", "crlf"]),  # what appending with Python's csv module gives
    (",", "utf-8", ["crlf", "lf", "cr"]),
    (";", "cp1252", "crlf"),  # Excel on Windows
])
def test_every_dialect_loads_the_same_rows_on_the_same_lines(
    tmp_path: Path, reference: dict, delimiter: str, encoding: str, endings
):
    folder = write_set(tmp_path / "data", example_tables(), delimiter=delimiter,
                       encoding=encoding, endings=endings)
    result = load_dataset(folder, tmp_path / "w.duckdb")
    assert result.quarantined == 0
    assert contents(tmp_path / "w.duckdb") == reference
    if delimiter != ",":
        assert any("delimited (detected)" in n for n in result.notes)


def test_windows_1252_is_detected_and_read_losslessly(tmp_path: Path):
    tables = example_tables()
    tables["people"][1][4:6] = ["Ødegård", "Zoë Seán"]  # P01
    tables["reports"][1][1] = "Tower Hamlets – East"  # an en dash: 0x96 in cp1252
    folder = write_set(tmp_path / "data", tables, encoding="cp1252")
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert result.quarantined == 0
    assert any("read as Windows-1252 (detected" in n for n in result.notes)
    assert rows(wh, "SELECT surname, forenames FROM people WHERE person_id = 'P01'") == [
        ("Ødegård", "Zoë Seán")]
    assert rows(wh, "SELECT borough FROM reports WHERE report_id = 'R01'") == [
        ("Tower Hamlets – East",)]


def test_latin_1_given_and_a_byte_the_encoding_lacks(tmp_path: Path):
    tables = {"reports": example_rows("reports"), "people": example_rows("people")}
    tables["people"][2][4] = "Müller"
    folder = write_set(tmp_path / "data", tables, encoding="latin-1")
    wh = tmp_path / "w.duckdb"
    load_dataset(folder, wh, options=ReadOptions(encoding="latin-1"))
    assert rows(wh, "SELECT surname FROM people WHERE person_id = 'P02'") == [("Müller",)]
    # 0x81 is not a Windows-1252 character: the load stops, naming file and line.
    data = (folder / "people.csv").read_bytes().replace(b"M\xfcller", b"M\x81ller")
    (folder / "people.csv").write_bytes(data)
    with pytest.raises(LoadError, match=r"people\.csv, line 3: byte 0x81 is not "
                                        r"Windows-1252"):
        load_dataset(folder, tmp_path / "w2.duckdb", options=ReadOptions(encoding="cp1252"))
    assert not (tmp_path / "w2.duckdb").exists()


def test_windows_1252_beyond_the_sample_is_detected_from_the_whole_file(tmp_path: Path):
    header = ["report_id", "borough", "recorded_date", "classification", "dv_flag", "notes"]
    body = [[f"R{i}", "Hackney", "2007-05-01", "non_crime", "true", "x" * 1000]
            for i in range(1200)]  # more than the 1 MB sniffed
    body.append(["R9999", "Hackney", "2007-05-01", "non_crime", "true", "café"])
    folder = write_set(tmp_path / "data", {"reports": [header, *body],
                                           "people": [["person_id", "report_id", "role"]]},
                       encoding="cp1252")
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert result.quarantined == 0 and result.loaded == 1201
    assert any("Windows-1252" in n for n in result.notes)
    assert "café" in rows(wh, "SELECT _extra FROM reports WHERE report_id = 'R9999'")[0][0]


def test_utf8_with_a_few_bad_bytes_stays_utf8_and_quarantines_them(tmp_path: Path):
    tables = {"reports": example_rows("reports"), "people": example_rows("people")}
    tables["people"][1][4] = "Zoë"  # real UTF-8
    folder = write_set(tmp_path / "data", tables)
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"John", b"J\xf6hn", 1))
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert {c.table: c.quarantined for c in result.counts}["people"] == 1
    assert rows(wh, "SELECT surname FROM people WHERE person_id = 'P01'") == [("Zoë",)]
    # The quarantine keeps the line losslessly: the bad byte as \xf6, not a '?'.
    ((original, reasons),) = rows(wh, "SELECT original, reasons FROM quarantine")
    assert "J\\xf6hn" in original and original.startswith("P02,")
    assert any("not valid UTF-8 text" in r and "--encoding" in r for r in reasons)


def _write_xlsx(path: Path, rows_: list[list], sheet: str = "Sheet1") -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows_:
        ws.append(row)
    book.save(path)


def _typed_cell(value: str):
    """Cells as Excel holds them: dates as dates, whole numbers as numbers."""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        pass
    return int(value) if value.isdigit() and not value.startswith("0") else (value or None)


def test_xlsx_sheets_load_like_csv(tmp_path: Path, reference: dict):
    folder = tmp_path / "data"
    folder.mkdir()
    for name, table in example_tables().items():
        body = [table[0], *([_typed_cell(v) for v in r] for r in table[1:])]
        _write_xlsx(folder / f"{name}.xlsx", body)
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert result.quarantined == 0
    got, want = contents(wh), dict(reference)
    # Lines are the sheet's rows, as in the CSV; _file is the workbook's name.
    assert {t: [r.replace(".xlsx'", ".csv'") for r in v] for t, v in got.items()} == want


def test_an_unreadable_workbook_stops_the_load_in_plain_words(tmp_path: Path):
    folder = write_set(tmp_path / "data", {"reports": example_rows("reports")})
    (folder / "people.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(LoadError, match=r"people\.xlsx: cannot be read as an Excel workbook"):
        load_dataset(folder, tmp_path / "w.duckdb")


def test_mixed_line_endings_never_give_an_engine_dump(example_copy: Path, tmp_path: Path):
    """Issue 13: rows appended with Python's csv module (CRLF) to an LF file stopped the
    load with DuckDB's "disable strict_mode" text."""
    with (example_copy / "people.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["P90", "R01", "victim", "", "A", "B", "", "", "F",
                                     "IC1", "", "", ""])
        csv.writer(handle).writerow(["P91", "R01", "victim", "", "A", "B", "", "", "F",
                                     "IC1", "", "", ""])
    n = len((example_copy / "people.csv").read_bytes().split(b"\n")) - 1
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    assert result.quarantined == 0
    assert rows(wh, "SELECT person_id, _line FROM people WHERE person_id IN ('P90', 'P91') "
                    "ORDER BY 1") == [("P90", n - 1), ("P91", n)]
    assert any("mixed (LF, CRLF, CR) line endings" in note for note in result.notes)


def test_a_lone_cr_file_loads(example_copy: Path, tmp_path: Path):
    people = example_copy / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    assert result.quarantined == 0
    assert rows(wh, "SELECT _line FROM people WHERE person_id = 'P01'") == [(2,)]


def test_a_nul_in_a_value_is_quarantined_not_a_new_borough(example_copy: Path,
                                                           tmp_path: Path):
    """Issue 13: a NUL byte in a borough made an invisible extra borough."""
    with (example_copy / "reports.csv").open("ab") as handle:
        handle.write(b"R90,Hackney\x00,2007-05-01,,non_crime,,true,,,,\n")
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    assert {c.table: c.quarantined for c in result.counts}["reports"] == 1
    (reasons,) = rows(wh, "SELECT reasons FROM quarantine WHERE table_name = 'reports'")[0]
    assert reasons == ["borough: 'Hackney?' holds a control character (U+0000)"]
    assert rows(wh, "SELECT count(*) FROM reports WHERE contains(borough, chr(0))") == [(0,)]


@pytest.mark.parametrize(("name", "hint"), [
    ("Outcomes.csv", "outcomes.csv"), ("outcome.csv", "outcomes.csv"),
    ("People.xlsx", "people.xlsx"), ("risk-assessments.tsv", "risk_assessments.csv"),
])
def test_files_not_named_after_a_table_stop_the_load_with_the_nearest_name(
    example_copy: Path, tmp_path: Path, name: str, hint: str
):
    """Issue 13: `Outcomes.csv`, `outcomes.xlsx` were ignored with exit code 0."""
    (example_copy / name).write_text("report_id\n")
    wh = tmp_path / "w.duckdb"
    with pytest.raises(LoadError, match=rf"{name}: not a file of the format; did you "
                                        rf"mean {hint}\?.*--allow-unknown-files"):
        load_dataset(example_copy, wh)
    assert not wh.exists()
    result = load_dataset(example_copy, wh, options=ReadOptions(allow_unknown_files=True))
    assert result.loaded and any(name in w and "left out" in w for w in result.warnings)


def test_an_xlsx_table_is_read_not_ignored(example_copy: Path, tmp_path: Path):
    table = example_rows("outcomes")
    (example_copy / "outcomes.csv").unlink()
    _write_xlsx(example_copy / "outcomes.xlsx", [table[0], *([_typed_cell(v) for v in r]
                                                            for r in table[1:])])
    result = load_dataset(example_copy, tmp_path / "w.duckdb")
    assert {c.table: c.loaded for c in result.counts}["outcomes"] == len(table) - 1


def test_a_header_near_a_contract_column_is_warned_about(example_copy: Path, tmp_path: Path):
    people = example_copy / "people.csv"
    people.write_text(people.read_text().replace("date_of_birth", "Date of Birth", 1))
    result = load_dataset(example_copy, tmp_path / "w.duckdb")
    assert any("people.csv: column 'Date of Birth' is not a column of the format" in w
               and "did you mean 'date_of_birth'?" in w for w in result.warnings)
    # A required column missing beside a near one: the stop says which.
    people.write_text(people.read_text().replace("person_id", "Person ID", 1))
    with pytest.raises(LoadError, match=r"required column 'person_id' is missing "
                                        r"\(is 'Person ID' it\?"):
        load_dataset(example_copy, tmp_path / "w2.duckdb")


def test_day_first_dates_say_what_was_expected_and_date_format_reads_them(
    tmp_path: Path
):
    """Issue 13: DD/MM/YYYY dates: every row quarantined, exit code 0, no word why."""
    tables = {"reports": example_rows("reports"), "people": example_rows("people")}
    for r in tables["reports"][1:]:
        for i in (2, 3):
            if r[i]:
                y, m, d = r[i].split("-")
                r[i] = f"{d}/{m}/{y}"
    folder = write_set(tmp_path / "data", tables)
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert result.quarantined > 0
    reasons = rows(wh, "SELECT reasons FROM quarantine WHERE line = 2 "
                       "AND table_name = 'reports'")[0][0]
    assert "recorded_date: '01/04/2007' is not a date (YYYY-MM-DD)" in reasons
    assert any("--date-format DD/MM/YYYY" in r for r in reasons)
    assert any("--date-format" in w for w in result.warnings)
    wh2 = tmp_path / "w2.duckdb"
    result = load_dataset(folder, wh2, options=ReadOptions(date_format="DD/MM/YYYY"))
    assert result.quarantined == 0
    assert rows(wh2, "SELECT recorded_date::VARCHAR, occurred_date::VARCHAR FROM reports "
                     "WHERE report_id = 'R01'") == [("2007-04-01", "2007-03-31")]
    with pytest.raises(LoadError, match="--date-format DD/MM/YY: not one of"):
        load_dataset(folder, wh2, options=ReadOptions(date_format="DD/MM/YY"))


def test_cli_reads_dialects_and_stops_on_unknown_files(tmp_path: Path):
    tables = {"reports": example_rows("reports"), "people": example_rows("people")}
    tables["people"][1][4] = "Zoë"
    folder = write_set(tmp_path / "data", tables, delimiter=";", encoding="cp1252",
                       endings="crlf")
    wh = tmp_path / "w.duckdb"
    runner = CliRunner()
    out = runner.invoke(app, ["load", str(folder), "-w", str(wh), "--encoding", "cp1252",
                              "--delimiter", ";"])
    assert out.exit_code == 0, out.output
    assert "total" in out.output
    assert rows(wh, "SELECT surname FROM people WHERE person_id = 'P01'") == [("Zoë",)]
    (folder / "Outcomes.csv").write_text("report_id\n")
    out = runner.invoke(app, ["load", str(folder), "-w", str(tmp_path / "w2.duckdb")])
    assert out.exit_code == 2
    said = " ".join(out.output.split())
    assert "did you mean outcomes.csv?" in said
    assert "strict_mode" not in said
    out = runner.invoke(app, ["load", str(folder), "-w", str(tmp_path / "w2.duckdb"),
                              "--allow-unknown-files"])
    assert out.exit_code == 0 and "left out" in " ".join(out.output.split())


# Property: small exports in every dialect conserve their rows.
_value = st.text(alphabet=st.sampled_from(list("aZ09 ;|,\t'-éŒ–")), max_size=8)


@st.composite
def exports(draw):
    n = draw(st.integers(0, 8))
    reports = []
    for _ in range(n):
        good = draw(st.booleans())
        reports.append([f"R{draw(st.integers(1, 6))}", draw(_value) or "X",
                        "2007-05-01" if good else draw(st.sampled_from(
                            ["2007-02-30", "01/05/2007", "", "x"])),
                        draw(st.sampled_from(["crime", "non_crime", "bad"])),
                        draw(st.sampled_from(["abh", ""])), "true", draw(_value)])
    people = [[f"P{i}", f"R{draw(st.integers(1, 6))}",
               draw(st.sampled_from(["victim", "suspect", "x"])), draw(_value)]
              for i in range(draw(st.integers(0, 8)))]
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    endings = draw(st.lists(st.sampled_from(["lf", "crlf", "cr"]), min_size=1, max_size=3))
    return reports, people, fmt, delimiter, encoding, endings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(export=exports())
def test_rows_are_conserved_in_every_dialect(tmp_path_factory, export):
    reports, people, fmt, delimiter, encoding, endings = export
    tmp = tmp_path_factory.mktemp("dialect")
    folder = tmp / "data"
    folder.mkdir()
    tables = {
        "reports": [["report_id", "borough", "recorded_date", "classification", "offence",
                     "dv_flag", "notes"], *reports],
        "people": [["person_id", "report_id", "role", "surname"], *people],
    }
    for name, table in tables.items():
        if fmt == "xlsx":
            _write_xlsx(folder / f"{name}.xlsx", table)
        else:
            write_table(folder / f"{name}.csv", table, delimiter=delimiter,
                        encoding=encoding, endings=endings)
    wh = tmp / "w.duckdb"
    result = load_dataset(folder, wh)
    counts = {c.table: c for c in result.counts}
    assert counts["reports"].read == len(reports)
    assert counts["people"].read == len(people)
    for c in result.counts:
        assert c.read == c.loaded + c.quarantined
    assert rows(wh, "SELECT count(*) FROM quarantine")[0][0] == result.quarantined
    # Values come through whole: every loaded report's borough is one that was written.
    written = {r[1].strip(" ") for r in reports}
    assert {b for (b,) in rows(wh, "SELECT borough FROM reports")} <= written


def test_line_endings_mixed_beyond_the_sample_are_found_from_the_whole_file(tmp_path: Path):
    """The dialect is sniffed from the first megabyte; CRLF rows appended to a bigger LF
    file make the reader fail, and the whole file is then looked at and read."""
    header = ["report_id", "borough", "recorded_date", "classification", "dv_flag", "notes"]
    body = [[f"R{i}", "Hackney", "2007-05-01", "non_crime", "true", "x" * 1000]
            for i in range(1200)]
    folder = write_set(tmp_path / "data", {"reports": [header, *body],
                                           "people": [["person_id", "report_id", "role"]]})
    with (folder / "reports.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["R9998", "Hackney", "2007-05-01", "non_crime", "true", ""])
        csv.writer(handle).writerow(["R9999", "Hackney", "2007-05-01", "non_crime", "true", ""])
    wh = tmp_path / "w.duckdb"
    result = load_dataset(folder, wh)
    assert result.quarantined == 0 and result.loaded == 1202
    assert rows(wh, "SELECT _line FROM reports WHERE report_id = 'R9999'") == [(1203,)]
    assert rows(wh, "SELECT count(*) FROM reports WHERE contains(borough, chr(13)) "
                    "OR contains(_extra, '\\r')") == [(0,)]
