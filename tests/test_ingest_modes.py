"""Weekly extracts: --mode replace|changes|full, deleted_reports, every row removed or
replaced counted per table, and the removal threshold."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.ingest import LoadError, list_loads, load_dataset
from warehouse_rows import copy_warehouse, counts, rows

EXAMPLE = Path(__file__).parent / "data" / "example"
CHILDREN = ("relationships", "outcomes", "risk_assessments", "homicide_reviews")
# The tables the example holds (a version-1 data set: none of version 2's).
EXAMPLE_TABLES = tuple(t for t in TABLES if (EXAMPLE / f"{t}.csv").exists())


def counts_of(warehouse: Path) -> dict[str, int]:
    return counts(warehouse, TABLES)


def extract(tmp_path: Path, *tables: str, name: str = "extract") -> Path:
    """A folder holding some of the example's files."""
    folder = tmp_path / name
    folder.mkdir()
    for t in tables:
        shutil.copy(EXAMPLE / f"{t}.csv", folder / f"{t}.csv")
    return folder


@pytest.fixture
def loaded(example_loaded: Path, tmp_path: Path) -> Path:
    return copy_warehouse(example_loaded, tmp_path / "w.duckdb")  # the example loaded


def test_an_extract_without_child_tables_no_longer_deletes_them_silently(
    loaded: Path, tmp_path: Path
):
    """Issue 13: an extract of reports.csv and people.csv for reports already loaded
    silently deleted their relationships, outcomes and risk assessments."""
    before = counts_of(loaded)
    folder = extract(tmp_path, "reports", "people")
    # The format's rule (the default mode) takes them out: now it says so, and a load
    # that would remove more than 5% of the warehouse stops and changes nothing.
    with pytest.raises(LoadError, match=r"would remove 42 of the warehouse's 117 rows .*"
                                        r"relationships 17 of 17.*--allow-removal"):
        load_dataset(folder, loaded)
    assert counts_of(loaded) == before
    result = load_dataset(folder, loaded, allow_removal=True)
    counts = {c.table: c for c in result.counts}
    for t in CHILDREN:
        assert counts[t].removed == before[t] and counts[t].file == ""
        assert counts_of(loaded)[t] == 0
    assert counts["reports"].replaced == 16 and counts["reports"].removed == 0
    assert counts["people"].replaced == 34
    ledger = list_loads(loaded)[-1]
    assert {c["table"]: c["removed"] for c in ledger["counts"]}["outcomes"] == 15


def test_changes_mode_leaves_tables_the_extract_does_not_hold(loaded: Path, tmp_path: Path):
    before = counts_of(loaded)
    result = load_dataset(extract(tmp_path, "reports", "people"), loaded, mode="changes")
    assert result.removed == 0
    assert {c.table: c.replaced for c in result.counts} == {"reports": 16, "people": 34}
    assert counts_of(loaded) == before
    assert rows(loaded, "SELECT mode FROM loads ORDER BY load_id") == [
        ("replace",), ("changes",)]


def test_changes_mode_removes_and_counts_rows_left_pointing_at_nothing(
    loaded: Path, tmp_path: Path
):
    folder = tmp_path / "week"
    folder.mkdir()
    (folder / "reports.csv").write_text(
        "report_id,borough,recorded_date,classification,offence,dv_flag\n"
        "R14,Tower Hamlets,2007-07-08,crime,abh,true\n")
    (folder / "people.csv").write_text(
        "person_id,report_id,role,surname,forenames\n"
        "P29,R14,victim,Stone,Rita\nP35,R14,suspect,Stone,Sam\n")
    result = load_dataset(folder, loaded, mode="changes")
    counts = {c.table: c for c in result.counts}
    assert counts["people"].replaced == 3 and counts["people"].loaded == 2
    # R14's relationships named P30 and P31, who are no longer in it.
    assert counts["relationships"].removed == 2
    assert "outcomes" not in counts  # its outcome names no person: it stays
    assert rows(loaded, "SELECT count(*) FROM outcomes WHERE report_id = 'R14'") == [(1,)]


def test_full_mode_removes_what_the_extract_lacks_and_says_so(loaded: Path, tmp_path: Path):
    folder = extract(tmp_path, *(t for t in EXAMPLE_TABLES if t != "risk_assessments"))
    with pytest.raises(LoadError, match=r"full load would remove 8 of"):
        load_dataset(folder, loaded, mode="full", max_removal=0.05)
    result = load_dataset(folder, loaded, mode="full", allow_removal=True)
    counts = {c.table: c for c in result.counts}
    assert counts["risk_assessments"].removed == 8
    assert counts_of(loaded)["risk_assessments"] == 0
    assert counts["reports"].replaced == 16 and counts["reports"].removed == 0
    # A full extract that is all there removes nothing.
    again = load_dataset(extract(tmp_path, *EXAMPLE_TABLES, name="all"), loaded, mode="full")
    assert again.removed == 0 and counts_of(loaded)["reports"] == 16


def test_full_mode_removes_reports_not_in_the_extract(loaded: Path, tmp_path: Path):
    folder = extract(tmp_path, *EXAMPLE_TABLES)
    reports = folder / "reports.csv"
    lines = reports.read_text().splitlines(keepends=True)
    reports.write_text("".join(line for line in lines if not line.startswith("R16,")))
    result = load_dataset(folder, loaded, mode="full")
    counts = {c.table: c for c in result.counts}
    assert counts["reports"].removed == 1
    assert rows(loaded, "SELECT count(*) FROM reports WHERE report_id = 'R16'") == [(0,)]
    # R16's people were in people.csv, but pointed at a report that is not loaded.
    assert counts["people"].quarantined == rows(
        loaded, "SELECT count(*) FROM quarantine WHERE load_id = 2 "
                "AND table_name = 'people'")[0][0]


def test_deleted_reports_remove_reports_and_everything_hanging_off_them(
    loaded: Path, tmp_path: Path
):
    before = counts_of(loaded)
    folder = tmp_path / "week"
    folder.mkdir()
    (folder / "reports.csv").write_text(
        "report_id,borough,recorded_date,classification,offence,dv_flag\n"
        "R13,Tower Hamlets,2007-07-08,crime,abh,true\n")
    (folder / "people.csv").write_text("person_id,report_id,role\n")
    (folder / "deleted_reports.csv").write_text("report_id\nR14\nR13\nR404\n")
    result = load_dataset(folder, loaded, mode="changes", allow_removal=True)
    counts = {c.table: c for c in result.counts}
    assert counts["deleted_reports"].loaded == 2 and counts["deleted_reports"].quarantined == 1
    (reasons,) = rows(loaded, "SELECT reasons FROM quarantine WHERE table_name = "
                              "'deleted_reports'")[0]
    assert reasons == ["report_id: 'R13' is also in this extract's reports file: "
                       "delete it or send it"]
    assert counts["reports"].removed == 1
    assert counts["people"].removed == 3  # R14's
    assert counts["people"].replaced == 4  # R13's: the extract's R13 has no people
    # R14's two, and R13's two, which named R13's people, who are no longer there.
    assert counts["relationships"].removed == 4
    assert counts["outcomes"].removed == 1
    after = counts_of(loaded)
    assert after["reports"] == before["reports"] - 1
    assert rows(loaded, "SELECT count(*) FROM people WHERE report_id = 'R14'") == [(0,)]
    assert rows(loaded, "SELECT report_id FROM deleted_reports ORDER BY 1") == [
        ("R14",), ("R404",)]


def test_cli_modes_summary_and_the_removal_stop(loaded: Path, tmp_path: Path):
    folder = extract(tmp_path, "reports", "people")
    runner = CliRunner()
    out = runner.invoke(app, ["load", str(folder), "-w", str(loaded)])
    said = " ".join(out.output.split())
    assert out.exit_code == 2 and "--allow-removal" in said and "strict" not in said
    out = runner.invoke(app, ["load", str(folder), "-w", str(loaded), "--mode", "changes"])
    assert out.exit_code == 0, out.output
    assert "(changes)" in out.output and "removed" in out.output
    out = runner.invoke(app, ["load", str(folder), "-w", str(loaded), "--mode", "full",
                              "--allow-removal"])
    said = " ".join(out.output.split())
    assert out.exit_code == 0 and "removed: 17 relationships rows" in said
    out = runner.invoke(app, ["load", str(folder), "-w", str(loaded), "--mode", "weekly"])
    assert out.exit_code == 2


@st.composite
def extracts(draw):
    reports = draw(st.sets(st.integers(1, 16), max_size=16))
    tables = draw(st.sets(st.sampled_from([t for t in EXAMPLE_TABLES
                                           if t not in ("reports", "people")])))
    mode = draw(st.sampled_from(["replace", "changes", "full"]))
    deleted = draw(st.sets(st.integers(1, 18), max_size=3))
    return sorted(reports), sorted(tables), mode, sorted(deleted)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=extracts())
def test_every_row_taken_out_is_counted(case, example_loaded: Path):
    """Whatever the extract holds and the mode: read = loaded + quarantined, and each
    table's rows after = before + loaded - replaced - removed."""
    reports, tables, mode, deleted = case
    keep = {f"R{i:02d}" for i in reports}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        wh = copy_warehouse(example_loaded, tmp_path / "w.duckdb")  # the example loaded
        before = counts_of(wh)
        folder = tmp_path / "x"
        folder.mkdir()
        for t in ["reports", "people", *tables]:
            text = (EXAMPLE / f"{t}.csv").read_text(encoding="utf-8-sig").splitlines()
            body = [line for line in text[1:] if "report_id" not in text[0].split(",")[:2]
                    or line.split(",")[text[0].split(",").index("report_id")] in keep]
            (folder / f"{t}.csv").write_text("\n".join([text[0], *body]) + "\n")
        if deleted:
            (folder / "deleted_reports.csv").write_text(
                "report_id\n" + "".join(f"R{i:02d}\n" for i in deleted))
        result = load_dataset(folder, wh, mode=mode, allow_removal=True)
        after = counts_of(wh)
        counts = {c.table: c for c in result.counts}
        for c in result.counts:
            assert c.read == c.loaded + c.quarantined
        for t in TABLES:
            c = counts.get(t)
            loaded, replaced, removed = (c.loaded, c.replaced, c.removed) if c else (0, 0, 0)
            assert after.get(t, 0) == before.get(t, 0) + loaded - replaced - removed, t
            if mode == "changes" and t not in ("reports", "people", *tables) and not deleted:
                assert not c or not c.replaced  # tables not held are never replaced
        ledger = {c["table"]: c for c in list_loads(wh)[-1]["counts"]}
        assert {t: (c["replaced"], c["removed"]) for t, c in ledger.items()} == {
            t: (c.replaced, c.removed) for t, c in counts.items()}
