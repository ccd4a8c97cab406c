"""Several forces in one data set (interchange-format.md): scopes national, force and
force/borough; targets with force ``*``; the loader's checks of the ``force`` column.

The two-force set is the example twice: force A and force B, every id prefixed, and in
each a borough renamed ``Central`` (A's is the example's Tower Hamlets, B's its Waltham
Forest), so the same borough name belongs to two forces. Force B lacks the calls and CPS
cases of its Central, so the two forces differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dvpi import indicators
from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.indicators.engine import run_cells
from dvpi.indicators.periods import Period
from dvpi.ingest import load_dataset
from dvpi.stats import disclosure
from engine_helpers import backend
from forces_data import read_rows, write_rows
from indicator_data import YEAR

# Columns holding an id of the data set: prefixed per force so keys stay unique.
ID_COLUMNS = {"report_id", "person_id", "victim_person_id", "suspect_person_id", "nominal_id",
              "call_id", "cps_urn", "review_id", "cad_ref",
              "surname"}  # and surnames: exact resolution would merge namesakes of A and B
RENAMED = {"A": "Tower Hamlets", "B": "Waltham Forest"}  # the borough each calls Central
DROPPED_IN_B = {"cad_calls", "cps_cases"}  # B has none of these rows in its Central
PEOPLE = "exact"  # nominal ids are prefixed: no one is in both forces


def force_rows(example: Path, force: str, name: str) -> dict[str, tuple[list[str], list]]:
    """One force's copy of the example: ids prefixed, its Central, its force column."""
    out = {}
    for file in sorted(example.glob("*.csv")):
        table = file.stem
        header, rows = read_rows(file)
        kept = []
        for row in rows:
            if table == "targets":
                continue  # the two-force targets are written by the test
            for col in ID_COLUMNS & set(header):
                if row[col]:
                    row[col] = f"{force}-{row[col]}"
            if "borough" in header and row["borough"] == RENAMED[force]:
                row["borough"] = "Central"
                if force == "B" and table in DROPPED_IN_B:
                    continue
            kept.append(row)
        if "borough" in header and name:
            header = [*header, "force"]
            for row in kept:
                row["force"] = name
        out[table] = (header, kept)
    return out


def write_alone(example: Path, folder: Path, force: str) -> Path:
    """One force as a one-force data set (no force column)."""
    folder.mkdir()
    for table, (header, rows) in force_rows(example, force, "").items():
        if table != "targets":
            write_rows(folder / f"{table}.csv", header, rows)
    return folder


TARGETS = [
    # Every force (and the nation): the example's targets.
    {"indicator": "dv_incidents", "force": "*", "borough": "*", "target": "10"},
    # Force B's own target overrides the one for every force.
    {"indicator": "dv_incidents", "force": "Force B", "borough": "*", "target": "3"},
    # Central of every force, and Central of A only.
    {"indicator": "dv_crimes", "force": "*", "borough": "central", "target": "1"},
    {"indicator": "dv_non_crimes", "force": "force a", "borough": "Central", "target": "0"},
]


def write_two(example: Path, folder: Path) -> Path:
    folder.mkdir()
    a = force_rows(example, "A", "Force A")
    b = force_rows(example, "B", "Force B")
    for table, (header, rows) in a.items():
        if table != "targets":
            write_rows(folder / f"{table}.csv", header, rows + b[table][1])
    write_rows(folder / "targets.csv",
           ["indicator", "force", "borough", "period_start", "period_end", "target"],
           [{**t, "period_start": "2007-04-01", "period_end": "2008-03-31"} for t in TARGETS])
    return folder


@pytest.fixture(scope="module")
def two(tmp_path_factory, example_dir) -> Path:
    return write_two(example_dir, tmp_path_factory.mktemp("two") / "data")


@pytest.fixture(scope="module")
def alone(tmp_path_factory, example_dir) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("alone")
    return {f: write_alone(example_dir, root / f, f) for f in ("A", "B")}


def run(source, engine: str, **scopes) -> list[dict]:
    with backend(source, engine, PEOPLE) as b:
        chosen = indicators.scopes_for(b.con, **scopes)
        return run_cells(b, [Period(*YEAR)], chosen, people=PEOPLE)


def counts(result: dict) -> dict[str, int]:
    return {i: f["value"] for i, f in result["indicators"].items()
            if indicators.registry.get(i).unit == "count" and f.get("value") is not None}


def test_national_is_the_sum_of_forces_and_forces_equal_each_alone(two, alone, engine):
    national, a, b = run(two, engine, by="force")
    assert [r["scope"] for r in (national, a, b)] == ["national", "Force A", "Force B"]
    assert counts(national) == {k: v + counts(b)[k] for k, v in counts(a).items()}
    assert counts(a) != counts(b)  # B lacks its Central's calls and CPS cases
    for force, result in (("A", a), ("B", b)):
        (own,) = run(alone[force], engine)
        assert own["scope"] == "force"
        assert result["indicators"] == own["indicators"]


def test_the_same_borough_name_in_two_forces_is_kept_apart(two, alone, engine):
    results = run(two, engine, by="borough", force="Force B")
    assert [r["scope"] for r in results] == ["Force B", "Force B / Central",
                                            "Force B / Tower Hamlets"]
    (a_central,) = run(two, engine, force="force a", borough="CENTRAL")
    assert a_central["scope"] == "Force A / CENTRAL"
    (a_alone,) = run(alone["A"], engine, borough="Central")
    assert a_central["indicators"] == a_alone["indicators"]
    assert results[1]["indicators"] != a_central["indicators"]
    with backend(two, "duckdb", PEOPLE) as b:
        with pytest.raises(ValueError, match="more than one force"):
            indicators.scopes_for(b.con, borough="Central")
        with pytest.raises(ValueError, match="no force 'Force C'"):
            indicators.scopes_for(b.con, force="Force C")


def test_targets_for_every_force_and_for_one(two, engine):
    national, a, b = run(two, engine, by="force")
    assert national["targets"]["dv_incidents"]["target"] == 10
    assert a["targets"]["dv_incidents"]["target"] == 10
    assert b["targets"]["dv_incidents"] == {"target": 3, "actual": 10, "met": True}
    (a_central,) = run(two, engine, force="Force A", borough="Central")
    (b_central,) = run(two, engine, force="Force B", borough="Central")
    assert set(a_central["targets"]) == {"dv_crimes", "dv_non_crimes"}
    assert set(b_central["targets"]) == {"dv_crimes"}


def test_cli_by_force_and_one_force(two):
    runner = CliRunner()
    out = runner.invoke(app, ["indicators", str(two), "--year", "2007-08", "--by", "force",
                              "--people", PEOPLE, "--json"])
    assert out.exit_code == 0, out.output
    assert [r["scope"] for r in json.loads(out.stdout)] == ["national", "Force A", "Force B"]
    out = runner.invoke(app, ["indicators", str(two), "--year", "2007-08", "--force",
                              "Force A", "--people", PEOPLE, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["scope"] == "Force A"
    out = runner.invoke(app, ["indicators", str(two), "--year", "2007-08", "--force", "A",
                              "--by", "force"])
    assert out.exit_code != 0 and "not both" in out.output


def test_a_blank_force_and_an_unknown_target_force_are_bad_rows(tmp_path, example_dir):
    folder = write_two(example_dir, tmp_path / "data")
    header, rows = read_rows(folder / "reports.csv")
    rows[0]["force"] = " "
    write_rows(folder / "reports.csv", header, rows)
    header, rows = read_rows(folder / "targets.csv")
    rows.append({**rows[0], "force": "Force C"})
    write_rows(folder / "targets.csv", header, rows)
    wh = tmp_path / "w.duckdb"
    load_dataset(folder, wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        bad = con.execute("SELECT table_name, file, line, reasons FROM quarantine "
                          "WHERE table_name IN ('reports', 'targets') ORDER BY ALL").fetchall()
    assert [b[:3] for b in bad] == [("reports", "reports.csv", 2), ("targets", "targets.csv", 6)]
    assert bad[0][3] == ["force: required value missing (the file has the column)"]
    assert "force: no force 'Force C' in the reports" in bad[1][3][0]


def test_every_table_with_a_borough_may_name_its_force():
    with_borough = {t.name for t in TABLES.values() if "borough" in t.column_names}
    assert with_borough == {"reports", "cad_calls", "cps_cases", "population", "targets",
                            "protective_orders", "disclosures", "marac_cases"}
    assert all("force" in TABLES[t].column_names for t in with_borough)


def test_disclosure_control_reads_a_whole_and_its_parts(two):
    """The nation is the sum of its forces, a force the sum of its boroughs: secondary
    suppression protects the cells a reader could subtract."""
    for scopes in ({"by": "force"}, {"by": "borough", "force": "Force A"},
                   {"by": "borough"}):
        results = run(two, "duckdb", **scopes)
        summed = disclosure.protect(results)
        alone_ = disclosure.protect(results, sums=[])
        assert len(summed.identities) > len(alone_.identities), scopes
    unrelated = run(two, "duckdb", force="Force A") + run(two, "duckdb", force="Force B")
    assert len(disclosure.protect(unrelated).identities) == len(
        disclosure.protect(unrelated, sums=[]).identities)
