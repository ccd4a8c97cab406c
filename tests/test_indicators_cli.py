"""`dvpi indicators`: JSON exactly as the library, a table, and clear errors."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from dvpi.cli import app

runner = CliRunner()


def test_json_matches_expected(example_warehouse, example_dir):
    # The worked example is computed with the exact method (precise rule 16).
    res = runner.invoke(app, ["indicators", str(example_warehouse), "--year", "2007-08",
                              "--people", "exact", "--json"])
    assert res.exit_code == 0, res.output
    expected = json.loads((example_dir / "expected.json").read_text())
    out = json.loads(res.stdout)
    # expected.json is the version-1 catalogue: its figures stay exactly as they were.
    v1 = {i: f for i, f in out["indicators"].items() if i in expected["indicators"]}
    assert {**out, "indicators": v1} == expected
    assert "obtj_rate" in out["indicators"]


def test_linked_is_the_default_method_and_the_output_names_it(example_warehouse, tmp_path):
    warehouse = tmp_path / "w.duckdb"  # resolving stores links: not in the shared one
    shutil.copyfile(example_warehouse, warehouse)
    res = runner.invoke(app, ["indicators", str(warehouse), "--year", "2007-08", "--json"])
    assert res.exit_code == 0, res.output
    methods = {f["method"] for f in json.loads(res.stdout)["indicators"].values()
               if "method" in f}
    assert methods == {"linked"}


def test_by_borough_json_list(example_warehouse):
    res = runner.invoke(app, ["indicators", str(example_warehouse), "--start", "2007-04-01",
                              "--end", "2008-03-31", "--by", "borough", "--json"])
    assert res.exit_code == 0, res.output
    assert [o["scope"] for o in json.loads(res.stdout)] == [
        "force", "Tower Hamlets", "Waltham Forest"]


def test_table_output(example_warehouse):
    res = runner.invoke(app, ["indicators", str(example_warehouse), "--year", "2007-08",
                              "--borough", "tower hamlets"])
    assert res.exit_code == 0, res.output
    assert "dv_incidents" in res.stdout and "tower hamlets" in res.stdout


def test_errors_exit_2(example_warehouse):
    for args in (["--start", "2008-01-02", "--end", "2008-01-01"],
                 ["--year", "2007-09"],
                 ["--year", "2007-08", "--start", "2007-04-01"],
                 ["--year", "2007-08", "--definition", "nope"]):
        res = runner.invoke(app, ["indicators", str(example_warehouse), *args])
        assert res.exit_code == 2, (args, res.output)
