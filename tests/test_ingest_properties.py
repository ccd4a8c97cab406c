"""Property-based tests: malformed input never loses a row nor breaks the warehouse.

Hypothesis writes reports and people files mixing good rows with wrong types, bad
encodings, ragged rows, duplicate keys, dangling references, huge fields and empty
files, loads them on top of a warehouse that already holds the example, and checks
that every row read is loaded or quarantined, the counts agree with the tables, and
nothing already loaded is lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvpi.contract import TABLES
from dvpi.ingest import LoadError, load_dataset
from warehouse_rows import copy_warehouse, counts

# A one-force export: no ``force`` column (a file that has it must fill every row).
REPORT_COLUMNS = tuple(c.name for c in TABLES["reports"].columns if not c.required_if_given)
PEOPLE_COLUMNS = tuple(c.name for c in TABLES["people"].columns if not c.required_if_given)

# Cells: plausible values, wrong types, junk bytes and huge text. No quotes or line
# breaks, so that every generated line is one record and can be counted.
good_dates = st.dates().map(lambda d: d.isoformat())
junk_text = st.text(
    alphabet=st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs",)),
    max_size=12,
)
cells = st.one_of(
    st.just(""),
    good_dates,
    st.sampled_from(["2007-02-30", "2007-13-01", "07/04/2007", "true", "Y", "maybe",
                     "crime", "non_crime", "abh", "spouse", "victim", "suspect", "M", "IC9",
                     "-3", "41", "4.5", "R1", "R2", "P1", "Tower Hamlets"]),
    junk_text,
    st.binary(min_size=1, max_size=6).map(
        lambda b: b.decode("latin-1").translate({0x0A: None, 0x0D: None, 0x22: None})),
    st.just("x" * 50_000),
)


def report_row(report_id: str) -> st.SearchStrategy[list[str]]:
    good = st.tuples(
        st.just(report_id), st.sampled_from(["Tower Hamlets", "Hackney"]), good_dates,
        st.just(""), st.sampled_from(["crime", "non_crime", "Crime"]),
        st.sampled_from(["abh", "common_assault", ""]), st.sampled_from(["true", "N"]),
        st.just(""), st.just(""), st.just(""),
    ).map(list)
    bad = st.lists(cells, min_size=len(REPORT_COLUMNS), max_size=len(REPORT_COLUMNS)).map(
        lambda cs: [report_id, *cs[1:]])
    # A blank line is no row: at least two cells.
    ragged = st.lists(cells, min_size=2, max_size=len(REPORT_COLUMNS) + 3)
    return st.one_of(good, bad, ragged)


def people_row(person_id: str, report_ids: list[str]) -> st.SearchStrategy[list[str]]:
    good = st.tuples(
        st.just(person_id), st.sampled_from([*report_ids, "R404"]),
        st.sampled_from(["victim", "suspect"]), st.just(""), st.just("Smith"),
        st.just("Ann"), good_dates, st.just(""), st.sampled_from(["F", "M", ""]),
        st.sampled_from(["IC1", "IC9", ""]), st.just(""), st.just(""), st.just(""),
    ).map(list)
    bad = st.lists(cells, min_size=len(PEOPLE_COLUMNS), max_size=len(PEOPLE_COLUMNS)).map(
        lambda cs: [person_id, *cs[1:]])
    return st.one_of(good, bad, st.lists(cells, min_size=2, max_size=len(PEOPLE_COLUMNS) + 2))


@st.composite
def data_sets(draw) -> dict:
    n_reports = draw(st.integers(0, 6))
    ids = [f"R{draw(st.integers(1, 5))}" for _ in range(n_reports)]  # duplicates likely
    reports = [draw(report_row(i)) for i in ids]
    n_people = draw(st.integers(0, 6))
    people = [draw(people_row(f"P{draw(st.integers(1, 5))}", ids or ["R1"]))
              for _ in range(n_people)]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    empty_people = draw(st.booleans()) and draw(st.booleans())
    return {"reports": reports, "people": people, "encoding": encoding,
            "empty_people": empty_people}


def write_csv(path: Path, header: tuple[str, ...], body: list[list[str]], encoding: str) -> None:
    lines = [",".join(header)] + [",".join(r) for r in body]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding, errors="replace"))


def table_counts(warehouse: Path) -> dict[str, int]:
    found = counts(warehouse, ("reports", "people", "quarantine"))
    assert len(found) == 3, found  # every load leaves all three
    return found


def consistent(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        orphans = con.execute(
            "SELECT count(*) FROM people WHERE report_id NOT IN (SELECT report_id FROM reports)"
        ).fetchone()[0]
        dup_reports = con.execute(
            "SELECT count(*) - count(DISTINCT report_id) FROM reports").fetchone()[0]
        dup_people = con.execute(
            "SELECT count(*) - count(DISTINCT person_id) FROM people").fetchone()[0]
    finally:
        con.close()
    assert (orphans, dup_reports, dup_people) == (0, 0, 0)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=data_sets())
def test_rows_are_conserved_and_the_warehouse_stays_consistent(data: dict,
                                                              example_loaded: Path):
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        wh = copy_warehouse(example_loaded, tmp_path / "w.duckdb")  # the example loaded
        before = table_counts(wh)
        folder = tmp_path / "extract"
        folder.mkdir()
        write_csv(folder / "reports.csv", REPORT_COLUMNS, data["reports"], data["encoding"])
        if data["empty_people"]:
            (folder / "people.csv").write_bytes(b"")
        else:
            write_csv(folder / "people.csv", PEOPLE_COLUMNS, data["people"], data["encoding"])
        try:
            result = load_dataset(folder, wh)
        except LoadError as exc:
            # Only an unreadable file stops a load, and then nothing changes.
            assert data["empty_people"] and "people.csv, line 1" in str(exc)
            assert table_counts(wh) == before
            return
        counts = {c.table: c for c in result.counts}
        assert counts["reports"].read == len(data["reports"])
        assert counts["people"].read == len(data["people"])
        for c in result.counts:
            assert c.read == c.loaded + c.quarantined
        after = table_counts(wh)
        assert after["quarantine"] - before["quarantine"] == result.quarantined
        for table in ("reports", "people"):
            assert after[table] == before[table] - counts[table].replaced + counts[table].loaded
        consistent(wh)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from dvpi.ingest import load_dataset

    def die(table):
        if table == sys.argv[3]:
            os.kill(os.getpid(), signal.SIGKILL)

    load_dataset(sys.argv[1], sys.argv[2], _after_table=die)
    """
)


def test_a_load_killed_half_way_leaves_the_warehouse_as_it_was(
    example_dir: Path, example_copy: Path, tmp_path: Path
):
    wh = tmp_path / "w.duckdb"
    load_dataset(example_dir, wh)
    before = table_counts(wh)
    with (example_copy / "reports.csv").open("a") as handle:
        handle.write("R50,Hackney,2007-06-01,,crime,abh,true,,,,\n")
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(example_copy), str(wh), "outcomes"],
        env={**os.environ}, capture_output=True, timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL
    assert table_counts(wh) == before
    # The next load cleans up after the dead one and succeeds.
    result = load_dataset(example_copy, wh)
    assert table_counts(wh)["reports"] == 17 and result.quarantined == 0
    assert not [p for p in tmp_path.iterdir() if ".loading" in p.name]
    shutil.rmtree(example_copy)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(["good", "bad_value", "short", "long", "blank",
                                        "notes", "bad_notes", "stray_quote"]), max_size=25),
       breaks=st.lists(st.sampled_from(["\n", "\n\n", "\r\n", "\n,\n"]), min_size=1,
                       max_size=3))
def test_every_row_keeps_its_own_line_number(kinds: list[str], breaks: list[str]):
    """Rows the CSV reader rejects (ragged), rows validation rejects (bad values),
    blank lines (the reader skips them) and rows with a quoted note holding line breaks
    (blank lines inside it too) or a stray quote inside an unquoted value (a character,
    not the start of a quoted value) interleave with good ones; each good row must carry
    the physical line it starts on, and the quarantine must list exactly the others'."""
    lines = [",".join([*REPORT_COLUMNS, "notes"])]  # notes: an extra column, kept
    good_lines, bad_lines = {}, set()
    line_no = 1
    for i, kind in enumerate(kinds):
        line_no += 1
        report_id = f"R{line_no}"
        row = [report_id, "Hackney", "2007-06-01", "", "non_crime", "", "true", "", "", "",
               ""]
        if kind in ("bad_value", "bad_notes"):
            row[2] = "2007-02-30"
        elif kind == "short":
            row = row[:3]
        elif kind == "long":
            row = [*row, "x", "y"]
        elif kind == "blank":
            lines.append("")
            continue
        elif kind == "stray_quote":
            row[1] = 'Hack"ney'
        if kind in ("notes", "bad_notes"):
            note = f'"see ""{i}""' + breaks[i % len(breaks)] + 'again"'
            row[-1] = note
        text = ",".join(row)
        lines.append(text)
        if kind in ("good", "notes", "stray_quote"):
            good_lines[report_id] = line_no
        else:
            bad_lines.add(line_no)
        line_no += text.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "extract"
        folder.mkdir()
        (folder / "reports.csv").write_text("\n".join(lines) + "\n")
        (folder / "people.csv").write_text(",".join(PEOPLE_COLUMNS) + "\n")
        wh = Path(tmp) / "w.duckdb"
        load_dataset(folder, wh)
        con = duckdb.connect(str(wh), read_only=True)
        try:
            loaded = dict(con.execute("SELECT report_id, _line FROM reports").fetchall())
            quarantined = {r[0] for r in con.execute("SELECT line FROM quarantine").fetchall()}
            # Rows that were read keep their own values (rejected ones their raw text).
            originals = con.execute(
                "SELECT line, json_extract_string(original, '$.report_id') FROM quarantine "
                "WHERE json_valid(original)").fetchall()
        finally:
            con.close()
    assert loaded == good_lines
    assert quarantined == bad_lines
    assert all(report == f"R{line}" for line, report in originals)
    assert len(originals) == sum(k in ("bad_value", "bad_notes") for k in kinds)


def test_line_numbers_hold_in_a_file_big_enough_for_parallel_reading(tmp_path: Path):
    """DuckDB reads a big file in parallel; every row must still carry its own line and
    every quarantined row its own original values (a bad row is quarantined with another
    row's values if rows are numbered after anything that can reorder them)."""
    n = 400_000
    lines = [",".join(REPORT_COLUMNS)]
    for i in range(n):
        line_no = i + 2
        date = "2007-13-45" if i % 997 == 0 else "2007-05-01"
        lines.append(f"R{line_no},Hackney,{date},,non_crime,,true,,,,")
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "reports.csv").write_text("\n".join(lines) + "\n")
    (folder / "people.csv").write_text(",".join(PEOPLE_COLUMNS) + "\n")
    wh = tmp_path / "w.duckdb"
    load_dataset(folder, wh)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        misnumbered = con.execute(
            "SELECT count(*) FROM reports WHERE report_id <> 'R' || _line").fetchone()[0]
        quarantined = con.execute(
            "SELECT line, json_extract_string(original, '$.report_id') FROM quarantine"
        ).fetchall()
    finally:
        con.close()
    assert misnumbered == 0
    assert len(quarantined) == len(range(0, n, 997))
    assert all(report == f"R{line}" for line, report in quarantined)


# --- version 2: the bad-row rules over several columns ----------------------------------

DAY_POOL = [None, "2007-05-01", "2007-06-01", "2007-07-01"]


def _maybe(values):
    return st.sampled_from([None, *values])


@st.composite
def v2_rows(draw) -> dict[str, list[dict]]:
    """Rows of the tables with rules over several columns, each cell blank or a value
    that may or may not break a rule."""
    n = draw(st.integers(1, 6))
    days = st.sampled_from(DAY_POOL)
    out: dict[str, list[dict]] = {"bail": [], "disclosures": [], "cps_cases": [],
                                  "protective_orders": [], "programme_requirements": []}
    for i in range(n):
        out["bail"].append({
            "bail_id": f"B{i}", "person_id": "S1", "kind": "pre_charge_bail",
            "start_date": "2007-06-01", "end_date": draw(days),
            "ended_by": draw(_maybe(["charge", "other"]))})
        out["disclosures"].append({
            "request_id": f"D{i}", "borough": "North", "route": "right_to_ask",
            "received_date": "2007-06-01", "decision": draw(_maybe(["disclosed", "withdrawn"])),
            "decision_date": draw(days)})
        out["cps_cases"].append({
            "cps_urn": f"K{i}", "borough": "North", "dv_flagged": True,
            "referred_date": "2007-06-01", "decision": draw(_maybe(["charge", "other"])),
            "decision_date": draw(days)})
        out["protective_orders"].append({
            "order_id": f"O{i}", "borough": "North", "order_type": "dvpo",
            "applied_date": "2007-06-01",
            "outcome": draw(_maybe(["granted", "refused", "withdrawn"])),
            "first_breach_date": draw(days)})
        out["programme_requirements"].append({
            "requirement_id": f"P{i}", "person_id": "S1", "programme": "idap",
            "ordered_date": "2007-05-01", "started_date": draw(days),
            "ended_date": draw(days),
            "ended_reason": draw(_maybe(["completed", "expired_before_start"]))})
    return out


def _breaks_a_rule(table: str, r: dict) -> bool:
    """The format's rules (interchange-format.md, "Version 2 additions"), in Python."""
    if table == "bail":
        return bool((r["end_date"] and r["end_date"] < r["start_date"])
                    or (r["ended_by"] and not r["end_date"]))
    if table in ("disclosures", "cps_cases"):
        start = r["received_date"] if table == "disclosures" else r["referred_date"]
        return bool(r["decision_date"] and (r["decision_date"] < start or not r["decision"]))
    if table == "protective_orders":
        return bool(r["first_breach_date"] and r["outcome"] != "granted")
    return bool((r["ended_date"] is None) != (r["ended_reason"] is None)
                or (r["ended_reason"] == "expired_before_start" and r["started_date"]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=v2_rows())
def test_the_version_2_row_rules_quarantine_exactly_the_rows_that_break_them(data):
    from indicator_data import report, suspect, write_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dataset(Path(tmp) / "x", reports=[report("R1")],
                               people=[suspect("S1", "R1")], **data)
        wh = Path(tmp) / "w.duckdb"
        result = load_dataset(folder, wh)
        con = duckdb.connect(str(wh), read_only=True)
        try:
            bad = {(t, line) for t, line in con.execute(
                "SELECT table_name, line FROM quarantine").fetchall()}
        finally:
            con.close()
    expected = {(t, i + 2) for t, rows in data.items() for i, r in enumerate(rows)
                if _breaks_a_rule(t, r)}
    assert bad == expected
    for c in result.counts:
        assert c.read == c.loaded + c.quarantined
