"""`dvpi check`: an export profiled, and what a load would do, with no warehouse touched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.ingest import load_dataset
from dvpi.ingest.check import check_export

EXAMPLE = Path(__file__).parent / "data" / "example"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def said(output: str) -> str:
    return " ".join(output.split())


def test_a_clean_export_checks_clean_and_no_warehouse_is_made(tmp_path: Path):
    report = check_export(EXAMPLE)
    assert report.clean and report.load.loaded == 117
    people = {p.name: p for p in report.columns["people"]}
    assert {v for v, _ in people["role"].values} == {"victim", "suspect"}
    assert sum(n for _, n in people["role"].values) == 34
    assert people["surname"].fill_rate > 0.5
    assert people["date_of_birth"].low <= people["date_of_birth"].high
    out = CliRunner().invoke(app, ["check", str(EXAMPLE)])
    assert out.exit_code == 0, out.output
    assert "clean" in out.output and "recorded_date" in out.output
    assert not list(tmp_path.iterdir())


def test_check_against_a_warehouse_says_what_would_be_quarantined_and_removed(
    example_copy: Path, tmp_path: Path
):
    wh = tmp_path / "w.duckdb"
    load_dataset(EXAMPLE, wh)
    before = digest(wh)
    (example_copy / "risk_assessments.csv").unlink()
    with (example_copy / "reports.csv").open("a") as handle:
        handle.write("R90,Hackney,01/04/2007,,crime,abh,true,,,,\n")
        handle.write("R01,Hackney,2007-04-01,,crime,abh,true,,,,\n")  # a duplicate key
    with (example_copy / "people.csv").open("a") as handle:
        handle.write("P90,R77,victim,,A,B,,,F,IC1,,,\n")  # no report R77
    (example_copy / "Outcomes.csv").write_text("report_id\n")
    report = check_export(example_copy, wh, mode="full")
    assert not report.clean
    counts = {c.table: c for c in report.load.counts}
    assert counts["risk_assessments"].removed == 8
    assert counts["reports"].quarantined == 3
    assert report.duplicate_keys == {"reports": 2}
    assert report.dangling.get("people", 0) >= 1
    assert any("Outcomes.csv" in w and "did you mean outcomes.csv" in w
               for w in report.load.warnings)
    out = CliRunner().invoke(app, ["check", str(example_copy), "-w", str(wh),
                                   "--mode", "full"])
    text = said(out.output)
    assert out.exit_code == 1
    assert "is not a date (YYYY-MM-DD)" in text and "duplicate keys: 2 reports" in text
    assert "would remove: 8 risk_assessments rows" in text
    assert digest(wh) == before  # the warehouse was not touched


def test_a_check_that_would_stop_exits_2(example_copy: Path):
    (example_copy / "reports.csv").write_bytes(b"")
    out = CliRunner().invoke(app, ["check", str(example_copy)])
    assert out.exit_code == 2 and "empty file" in said(out.output)


def test_the_same_files_again_would_change_nothing(tmp_path: Path):
    wh = tmp_path / "w.duckdb"
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    load_dataset(data, wh)
    out = CliRunner().invoke(app, ["check", str(data), "-w", str(wh)])
    assert out.exit_code == 0 and "changes nothing" in said(out.output)
