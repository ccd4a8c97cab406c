"""The loader: the format's tolerances, quarantine reasons, stops, replacement, ledger."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.ingest import LoadError, export_quarantine, list_loads, load_dataset
from dvpi.ingest.sources import SourceFile, read_in_order
from warehouse_rows import rows


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table's contents, to compare a warehouse before and after."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}").fetchall())) for n in names}
    finally:
        con.close()


def append_lines(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")


def quarantine_of(warehouse: Path) -> dict[tuple[str, int], list[str]]:
    return {
        (t, line): reasons
        for t, line, reasons in rows(warehouse, "SELECT table_name, line, reasons FROM quarantine")
    }


def test_example_loads_whole_with_the_formats_tolerances(example_dir: Path, tmp_path: Path):
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_dir, wh)
    assert result.quarantined == 0
    assert {c.table: c.loaded for c in result.counts} == {
        "reports": 16, "people": 34, "relationships": 17, "outcomes": 15,
        "risk_assessments": 8, "cad_calls": 6, "cps_cases": 10, "homicide_reviews": 2,
        "population": 4, "targets": 5,
    }
    # `Crime`, `GBH_WITH_INTENT`, booleans Y / yes / 1 / TRUE, IC9 -> IC0, `DASH`, `HIGH`.
    assert rows(wh, "SELECT classification, offence, dv_flag FROM reports "
                    "WHERE report_id IN ('R05', 'R07') ORDER BY 1, 2") == [
        ("crime", "gbh_with_intent", True), ("crime", "gbh_with_intent", True)]
    assert rows(wh, "SELECT dv_flag FROM reports WHERE report_id IN ('R04', 'R06')") == [
        (True,), (True,)]
    assert rows(wh, "SELECT ethnic_appearance FROM people WHERE person_id = 'P10'") == [("IC0",)]
    assert rows(wh, "SELECT ethnic_appearance, gender FROM people WHERE person_id = 'P19'") == [
        ("IC0", "M")]
    assert rows(wh, "SELECT tool, risk_level, quality_assured FROM risk_assessments "
                    "WHERE report_id = 'R05' ORDER BY assessed_date") == [
        ("dash", "medium", False), ("specss", "high", True)]
    # The BOM on relationships.csv does not hide its first column.
    assert rows(wh, "SELECT count(*) FROM relationships WHERE report_id = 'R13'") == [(2,)]
    # Extra columns are kept, as JSON.
    extra = rows(wh, "SELECT _extra FROM reports WHERE report_id = 'R16'")[0][0]
    assert json.loads(extra) == {"notes": "no suspect; no relationship"}
    # Lineage: file and line.
    assert rows(wh, "SELECT _file, _line FROM people WHERE person_id = 'P01'") == [
        ("people.csv", 2)]


@pytest.mark.parametrize(
    ("table", "line", "expected_reason"),
    [
        ("reports", "R90,Tower Hamlets,2007-02-30,,crime,abh,true,,,,",
         "recorded_date: '2007-02-30' is an impossible date"),
        ("reports", "R91,Tower Hamlets,01/04/2007,,crime,abh,true,,,,",
         "recorded_date: '01/04/2007' is not a date (YYYY-MM-DD)"),
        ("reports", "R92,Tower Hamlets,2007-05-01,,crime,burglary,true,,,,",
         "offence: 'burglary' is not in its code list"),
        ("reports", "R93,Tower Hamlets,2007-05-01,,crime,,true,,,,",
         "offence: required value missing"),
        ("reports", "R94,,2007-05-01,,non_crime,,true,,,,", "borough: required value missing"),
        ("reports", "R95,Tower Hamlets,2007-05-01,,non_crime,,perhaps,,,,",
         "dv_flag: 'perhaps' is not a boolean (true/false)"),
        ("people", "P90,R01,victim,,A,B,,forty,F,IC1,,,",
         "age: 'forty' is not a whole number"),
        ("people", "P91,R01,witness,,A,B,,,F,IC1,,,", "role: 'witness' is not in its code list"),
        ("people", "P92,R01,victim,,A,B,,,X,IC1,,,", "gender: 'X' is not in its code list"),
        ("people", "P93,R77,victim,,A,B,,,F,IC1,,,", "report_id: no report 'R77'"),
        ("relationships", "R01,P02,P01,spouse",
         "victim_person_id: no victim 'P02' in report 'R01'"),
        ("relationships", "R02,P01,P04,spouse",
         "victim_person_id: no victim 'P01' in report 'R02'"),
        ("outcomes", "R01,P02,23,2007-05-01", "outcome_type: '23' is outside 1..22"),
        ("outcomes", "R01,P09,1,2007-05-01", "person_id: no suspect 'P09' in report 'R01'"),
        ("risk_assessments", "R01,2007-04-01,dash,high,YYN,true",
         "dash_answers: for the dash tool must be 27 or 24 characters, each Y, N or ?"),
        ("cad_calls", "C9,Tower Hamlets,2007-04-01 25:00:00,true,",
         "received_at: '2007-04-01 25:00:00' is not a date-time (YYYY-MM-DDThh:mm:ss)"),
        ("targets", "dv_incidents,*,2008-04-01,2007-03-31,10,",
         "period_end: is before period_start"),
    ],
)
def test_bad_rows_are_quarantined_with_file_line_and_reason(
    example_copy: Path, tmp_path: Path, table: str, line: str, expected_reason: str
):
    path = example_copy / f"{table}.csv"
    n_lines = len(path.read_text(encoding="utf-8-sig").splitlines())
    if table == "targets":  # the example's targets file has no direction column
        line = line.rsplit(",", 1)[0]
    append_lines(path, line)
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    counts = {c.table: c for c in result.counts}
    assert counts[table].quarantined == 1
    assert all(c.balanced for c in result.counts)
    reasons = quarantine_of(wh)[(table, n_lines + 1)]
    assert expected_reason in reasons


def test_duplicate_keys_quarantine_every_copy_and_what_hangs_off_them(
    example_copy: Path, tmp_path: Path
):
    append_lines(example_copy / "reports.csv",
                 "R16,Tower Hamlets,2007-05-01,,non_crime,,true,,,,second copy")
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    q = quarantine_of(wh)
    assert any("duplicate key (report_id 'R16') within the load, lines 17, 18" in r
               for r in q[("reports", 17)])
    assert ("reports", 18) in q
    # P34 hangs off R16: with no R16 loaded it points at nothing.
    assert "report_id: no report 'R16'" in q[("people", 35)]
    assert {c.table: c.quarantined for c in result.counts}["people"] == 1
    assert rows(wh, "SELECT count(*) FROM reports WHERE report_id = 'R16'") == [(0,)]


def test_every_reason_of_a_row_is_kept(example_copy: Path, tmp_path: Path):
    append_lines(example_copy / "people.csv", "P90,R99,spectator,,A,B,1999-13-01,x,Q,IC7,ZZ,,")
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    reasons = quarantine_of(wh)[("people", 36)]
    assert len(reasons) == 7, reasons


def test_missing_required_column_stops_the_load_and_changes_nothing(
    example_dir: Path, example_copy: Path, tmp_path: Path
):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    before = snapshot(wh)
    text = (example_copy / "people.csv").read_text(encoding="utf-8")
    (example_copy / "people.csv").write_text(text.replace(",role,", ",part,", 1), encoding="utf-8")
    (example_copy / "reports.csv").write_text(
        (example_copy / "reports.csv").read_text().replace("R01,", "R01X,"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"people\.csv, line 1: required column 'role'"):
        load_dataset(example_copy, wh)
    assert snapshot(wh) == before
    assert not list(tmp_path.glob(".w.duckdb.loading*"))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", r"reports\.csv, line 1: empty file"),
     (b"\xff\xfe\x00r\x00e\x00p", r"reports\.csv, line 1: header is not UTF-8")],
)
def test_unreadable_files_stop_the_load(
    example_copy: Path, tmp_path: Path, content: bytes, message: str
):
    (example_copy / "reports.csv").write_bytes(content)
    wh = tmp_path / "w.duckdb"
    with pytest.raises(LoadError, match=message):
        load_dataset(example_copy, wh)
    assert not wh.exists()


def test_missing_required_table_and_ambiguous_files_stop_the_load(
    example_copy: Path, tmp_path: Path
):
    (example_copy / "people.csv").rename(example_copy / "persons.csv")
    with pytest.raises(LoadError, match=r"people\.csv: required table missing"):
        load_dataset(example_copy, tmp_path / "w.duckdb")
    (example_copy / "persons.csv").rename(example_copy / "people.csv")
    (example_copy / "targets.parquet").write_bytes(b"PAR1")
    with pytest.raises(LoadError, match="keep one file per table"):
        load_dataset(example_copy, tmp_path / "w.duckdb")


def test_loading_the_same_data_twice_changes_nothing(example_dir: Path, tmp_path: Path):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    before, mtime = snapshot(wh), wh.stat().st_mtime_ns
    again = load_dataset(example_dir, wh)
    assert again.unchanged
    assert snapshot(wh) == before and wh.stat().st_mtime_ns == mtime
    assert len(list_loads(wh)) == 1


def test_a_later_extract_replaces_a_report_and_everything_hanging_off_it(
    example_dir: Path, tmp_path: Path
):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    later = tmp_path / "later"
    later.mkdir()
    (later / "reports.csv").write_text(
        "report_id,borough,recorded_date,classification,offence,dv_flag\n"
        "R14,Tower Hamlets,2007-07-08,crime,abh,true\n", encoding="utf-8")
    (later / "people.csv").write_text(
        "person_id,report_id,role,surname,forenames\n"
        "P29,R14,victim,Stone,Rita\n"
        "P35,R14,suspect,Stone,Sam\n", encoding="utf-8")
    result = load_dataset(later, wh)
    counts = {c.table: c for c in result.counts}
    assert counts["reports"].replaced == 1 and counts["people"].replaced == 3
    assert rows(wh, "SELECT offence, recorded_date::VARCHAR FROM reports "
                    "WHERE report_id = 'R14'") == [("abh", "2007-07-08")]
    assert rows(wh, "SELECT person_id FROM people WHERE report_id = 'R14' ORDER BY 1") == [
        ("P29",), ("P35",)]
    # R14's relationships and outcome went with it; other reports are untouched.
    assert rows(wh, "SELECT count(*) FROM relationships WHERE report_id = 'R14'") == [(0,)]
    assert rows(wh, "SELECT count(*) FROM outcomes WHERE report_id = 'R14'") == [(0,)]
    assert rows(wh, "SELECT count(*) FROM reports") == [(16,)]
    assert rows(wh, "SELECT count(*) FROM relationships") == [(15,)]
    assert [e["load_id"] for e in list_loads(wh)] == [1, 2]


def test_children_of_an_earlier_report_can_come_alone_and_do_not_double(
    example_dir: Path, tmp_path: Path
):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "reports.csv").write_text("report_id,borough,recorded_date,classification,dv_flag\n")
    (extra / "people.csv").write_text("person_id,report_id,role\n")
    (extra / "outcomes.csv").write_text(
        "report_id,person_id,outcome_type,outcome_date\nR15,P33,1,2008-06-01\n")
    load_dataset(extra, wh)
    (extra / "outcomes.csv").write_text(
        "report_id,person_id,outcome_type,outcome_date\nR15,P33,1,2008-06-01\n\n")
    load_dataset(extra, wh)  # different bytes, same row
    assert rows(wh, "SELECT count(*) FROM outcomes WHERE report_id = 'R15'") == [(2,)]


def test_parquet_loads_like_csv(example_dir: Path, tmp_path: Path):
    pq = tmp_path / "pq"
    pq.mkdir()
    con = duckdb.connect()
    for f in example_dir.glob("*.csv"):
        con.execute(
            f"COPY (SELECT * FROM read_csv('{f}', all_varchar = true)) "
            f"TO '{pq / (f.stem + '.parquet')}' (FORMAT parquet)")
    # Typed columns are accepted too: a real DATE column in people.
    con.execute(
        f"COPY (SELECT * REPLACE (TRY_CAST(date_of_birth AS DATE) AS date_of_birth) "
        f"FROM read_parquet('{pq / 'people.parquet'}')) TO '{tmp_path / 'p.parquet'}' "
        "(FORMAT parquet)")
    (tmp_path / "p.parquet").replace(pq / "people.parquet")
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_dataset(example_dir, a)
    result = load_dataset(pq, b)
    assert result.quarantined == 0
    for table in ("reports", "people", "relationships", "outcomes", "risk_assessments"):
        sql = f"SELECT * EXCLUDE (_load_id, _file, _line, _extra) FROM {table} ORDER BY ALL"
        assert rows(a, sql) == rows(b, sql)


def test_ledger_records_files_checksums_and_counts(example_dir: Path, tmp_path: Path):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    (entry,) = list_loads(wh)
    assert entry["status"] == "committed"
    files = {f["file"]: f for f in entry["files"]}
    assert len(files) == 10 and len(files["reports.csv"]["sha256"]) == 64
    assert {c["table"]: c["read"] for c in entry["counts"]}["people"] == 34


def test_quarantine_exports_as_csv(example_copy: Path, tmp_path: Path):
    append_lines(example_copy / "reports.csv", "R90,Tower Hamlets,2007-02-30,,crime,abh,true,,,,")
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    out = tmp_path / "q.csv"
    assert export_quarantine(wh, out) == 1
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["file"] == "reports.csv" and row["line"] == "18"
    assert json.loads(row["original"])["recorded_date"] == "2007-02-30"


def test_cli_load_prints_counts_and_exits_2_on_a_stop(example_copy: Path, tmp_path: Path):
    runner = CliRunner()
    wh = tmp_path / "w.duckdb"
    ok = runner.invoke(app, ["load", str(example_copy), "--warehouse", str(wh)])
    assert ok.exit_code == 0, ok.output
    assert "people" in ok.output and "117" in ok.output
    (example_copy / "reports.csv").write_text("report_id\nR1\n", encoding="utf-8")
    bad = runner.invoke(app, ["load", str(example_copy), "--warehouse", str(wh)])
    assert bad.exit_code == 2
    listed = runner.invoke(app, ["loads", "--warehouse", str(wh)])
    assert listed.exit_code == 0 and "reports.csv" in listed.output



def test_a_read_that_could_reorder_rows_is_refused(tmp_path: Path):
    """Lines come from the order rows are read in: a read through anything but a scan
    and projections (a join, an aggregate) is a bug and stops the load."""
    (tmp_path / "reports.csv").write_text("report_id\n")
    source = SourceFile(TABLES["reports"], tmp_path / "reports.csv", "csv")
    con = duckdb.connect()
    with pytest.raises(RuntimeError, match="may reorder rows"):
        read_in_order(con, source, "t", "SELECT i % 7 AS k, count(*) FROM range(50000) t(i) "
                                        "GROUP BY k")
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE table_name = 't'").fetchall()
    # A long code list stays an expression (DuckDB would otherwise make it a join).
    codes = ", ".join(f"'{n}'" for n in range(0, 400, 3))
    read_in_order(con, source, "t", f"SELECT i, CAST(i % 400 AS VARCHAR) IN ({codes}) AS hit "
                                    "FROM range(300000) t(i)")
    assert con.execute("SELECT bool_and(i = rowid), count(*) FROM t").fetchone() == (True, 300000)


def test_spaces_around_values_are_trimmed_unicode_spaces_too(example_copy: Path, tmp_path: Path):
    """Codes are matched after trimming spaces; exports from spreadsheets leave no-break
    and other Unicode spaces, which are trimmed like the ordinary space. A cell of
    spaces only is blank. Tabs are not spaces."""
    nbsp, em = "\u00a0", "\u2003"
    append_lines(
        example_copy / "reports.csv",
        f"R90, Tower Hamlets ,{nbsp}2007-05-01{nbsp},,{em}Crime ,common_assault,{nbsp}true,,,,",
        f"R91,{nbsp}{em} ,2007-05-01,,crime,common_assault,true,,,,",
        "R92,Tower Hamlets,2007-05-01,,crime\t,common_assault,true,,,,",
    )
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    assert rows(wh, "SELECT borough, recorded_date::VARCHAR, classification, dv_flag "
                    "FROM reports WHERE report_id = 'R90'") == [
        ("Tower Hamlets", "2007-05-01", "crime", True)]
    q = quarantine_of(wh)
    assert q[("reports", 19)] == ["borough: required value missing"]
    assert q[("reports", 20)] == ["classification: 'crime?' is not in its code list"]


def test_a_file_that_changes_during_the_load_stops_it(example_copy: Path, tmp_path: Path):
    """An export still being written: its rows, checksum and quarantined values would
    not belong to one version of the file, so the load stops and changes nothing."""
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    before = snapshot(wh)
    append_lines(example_copy / "reports.csv", "R90,Tower Hamlets,2007-05-01,,crime,,true,,,,")

    def still_writing(table: str) -> None:
        if table == "reports":
            append_lines(example_copy / "people.csv", "P90,R90,victim,,A,B,,,F,IC1,,,")

    with pytest.raises(LoadError, match=r"people\.csv: the file changed while it was being"):
        load_dataset(example_copy, wh, _after_table=still_writing)
    assert snapshot(wh) == before


def test_lines_are_physical_lines_around_values_with_line_breaks(
    example_copy: Path, tmp_path: Path
):
    """A quoted value may hold line breaks (free-text notes): the reader counts it as
    one line, but a row's line, and a quarantined row's, is where it starts in the file
    as an editor shows it; blank lines inside the value are not blank lines."""
    path = example_copy / "reports.csv"
    first = len(path.read_text(encoding="utf-8-sig").splitlines()) + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            'R90,Tower Hamlets,2007-05-01,,non_crime,,true,,,,"called twice\n\nsee R91\n"\n'
            "R91,Tower Hamlets,2007-05-02,,non_crime,,true,,,,one line\n"
            "R92,Tower Hamlets,2007-05-02\n"  # ragged: rejected by the reader
            "\n"
            'R93,Tower Hamlets,2007-13-02,,non_crime,,true,,,,"bad date,\nnote"\n'
            "R94,Tower Hamlets,2007-05-03,,non_crime,,true,,,,last\n"
        )
    wh = tmp_path / "w.duckdb"
    result = load_dataset(example_copy, wh)
    assert all(c.balanced for c in result.counts)
    assert dict(rows(wh, "SELECT report_id, _line FROM reports WHERE report_id >= 'R90'")) == {
        "R90": first, "R91": first + 4, "R94": first + 9}
    q = quarantine_of(wh)
    assert any("too few columns" in r for r in q[("reports", first + 5)])
    assert any("recorded_date" in r for r in q[("reports", first + 7)])
    original = rows(wh, f"SELECT original FROM quarantine WHERE line = {first + 7}")[0][0]
    assert json.loads(original)["report_id"] == "R93"


def test_a_quote_inside_an_unquoted_value_is_a_character(example_copy: Path, tmp_path: Path):
    """A quote opens a quoted value only at the start of a field, as the reader reads
    it: a stray quote in a name does not make the next lines look like a note's."""
    path = example_copy / "reports.csv"
    first = len(path.read_text(encoding="utf-8-sig").splitlines()) + 1
    append_lines(path, 'R90,Tower "Hamlets,2007-05-01,,non_crime,,true,,,,',
                 "", "R91,Tower Hamlets,2007-05-02,,non_crime,,true,,,,",
                 'R92,Tower Hamlets,2007-05-02,,non_crime,,true,,,,"a ""quoted"" note,',
                 'over two lines"', "R93,Tower Hamlets,2007-05-03,,non_crime,,true,,,,")
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    assert dict(rows(wh, "SELECT report_id, _line FROM reports WHERE report_id >= 'R90'")) == {
        "R90": first, "R91": first + 2, "R92": first + 3, "R93": first + 5}
    assert rows(wh, "SELECT borough FROM reports WHERE report_id = 'R90'") == [('Tower "Hamlets',)]


def test_a_reader_that_stops_short_stops_the_load(example_copy: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    """Every physical line must be a row, a rejected line, a blank line or part of a
    quoted value: rows are numbered from that count, and none may go missing unnoticed
    (DuckDB's reader has been seen to stop short of a file's end without an error).
    Here the reader is given only the first half of the people file."""
    from dvpi.ingest import sources

    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    before = snapshot(wh)
    people = example_copy / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines(keepends=True)
    half = tmp_path / "half" / "people.csv"
    half.parent.mkdir()
    half.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    append_lines(people, "P99,R1,victim,,A,B,,,F,IC1,,,")  # a new load, not a no-op
    real = sources._read_csv
    monkeypatch.setattr(sources, "_read_csv", lambda path, rejects: real(
        half if path == people else path, rejects))
    with pytest.raises(LoadError, match=r"people\.csv: .* lines, but the CSV reader gave"):
        load_dataset(example_copy, wh)
    assert snapshot(wh) == before


def test_a_ragged_row_after_a_blank_line_keeps_its_own_text(example_copy: Path,
                                                            tmp_path: Path):
    path = example_copy / "reports.csv"
    first = len(path.read_text(encoding="utf-8-sig").splitlines()) + 1
    append_lines(path, "", "R92,Tower Hamlets,2007-05-02")
    wh = tmp_path / "w.duckdb"
    load_dataset(example_copy, wh)
    assert rows(wh, f"SELECT original FROM quarantine WHERE line = {first + 1}") == [
        ("R92,Tower Hamlets,2007-05-02",)]
