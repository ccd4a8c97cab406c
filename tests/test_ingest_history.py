"""`--as-at`: the warehouse as it stood after an earlier load, rows that later loads
replaced or removed restored, so that a published figure can be reproduced later."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import VERSION_1_TABLES
from dvpi.ingest import LoadError, load_dataset
from dvpi.ingest.history import KEPT_TABLES, snapshot

EXAMPLE = Path(__file__).parent / "data" / "example"
FINISHED = [dt.datetime(2008, 1, 10, 9), dt.datetime(2008, 2, 10, 9),
            dt.datetime(2008, 3, 10, 9)]


def _rewrite(path: Path, keep=lambda row: True, change=lambda row: row) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, header)
        out.writeheader()
        out.writerows(change(dict(r)) for r in rows if keep(r))


def _extracts(tmp_path: Path) -> list[tuple[Path, str]]:
    """Three loads: the example; a weekly extract of changed reports (R01 moved to
    another borough, R05 deleted); a full extract without R02 and R04."""
    week2 = tmp_path / "week2"
    week2.mkdir()
    for name in ("reports", "people"):
        shutil.copy(EXAMPLE / f"{name}.csv", week2 / f"{name}.csv")
    _rewrite(week2 / "reports.csv", lambda r: r["report_id"] == "R01",
             lambda r: {**r, "borough": "Hackney"})
    _rewrite(week2 / "people.csv", lambda r: r["report_id"] == "R01")
    (week2 / "deleted_reports.csv").write_text("report_id\nR05\n")
    week3 = tmp_path / "week3"
    shutil.copytree(EXAMPLE, week3)
    for path in week3.glob("*.csv"):
        if path.name in ("population.csv", "targets.csv"):
            continue
        _rewrite(path, lambda r: r.get("report_id") not in ("R02", "R04"))
    return [(EXAMPLE, "replace"), (week2, "changes"), (week3, "full")]


def _load(extracts, warehouse: Path, upto: int) -> None:
    for i, (folder, mode) in enumerate(extracts[:upto]):
        load_dataset(folder, warehouse, mode=mode, allow_removal=True)
        con = duckdb.connect(str(warehouse))
        con.execute("UPDATE loads SET finished_at = ? WHERE load_id = ?", [FINISHED[i], i + 1])
        con.close()


def _every_row(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        out = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
               for t in KEPT_TABLES if t in names}
        out = {t: rows for t, rows in out.items() if rows}  # an empty table: no table
        out["loads"] = con.execute("SELECT load_id, files, counts, mode FROM loads "
                                   "ORDER BY 1").fetchall()
        out["quarantine"] = sorted(con.execute("SELECT * FROM quarantine").fetchall(), key=repr)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The warehouse after the three loads, and the warehouses after the first one,
    two and three loads made anew (what the warehouse was at each date)."""
    tmp = tmp_path_factory.mktemp("history")
    extracts = _extracts(tmp)
    warehouse = tmp / "w.duckdb"
    _load(extracts, warehouse, 3)
    replays = []
    for n in (1, 2, 3):
        replays.append(tmp / f"after{n}.duckdb")
        _load(extracts, replays[-1], n)
    return warehouse, replays


@pytest.mark.parametrize(("when", "after"), [(dt.date(2008, 1, 10), 1), (dt.date(2008, 2, 9), 1),
                                             (dt.date(2008, 2, 10), 2), (dt.date(2008, 3, 1), 2),
                                             (dt.date(2009, 1, 1), 3)])
def test_the_warehouse_as_it_stood_after_each_load(history, tmp_path, when, after):
    warehouse, replays = history
    out = tmp_path / "as-at.duckdb"
    load = snapshot(warehouse, when, out)
    assert load.load_id == after and load.finished_at == FINISHED[after - 1]
    assert _every_row(out) == _every_row(replays[after - 1])


def test_the_later_loads_did_replace_and_remove(history):
    warehouse, replays = history
    now, first = _every_row(warehouse), _every_row(replays[0])
    assert now["reports"] != first["reports"]
    ids = {r[0] for r in now["reports"]}
    assert {"R02", "R04"}.isdisjoint(ids) and {"R01", "R05"} <= ids  # R05: deleted, sent again
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        kept = con.execute("SELECT report_id, borough, _load_id, _taken_by FROM history_reports "
                           "WHERE report_id IN ('R01', 'R05') ORDER BY ALL").fetchall()
        ledger = con.execute("SELECT bool_and(history) FROM loads").fetchone()[0]
    finally:
        con.close()
    assert kept == [("R01", "Hackney", 2, 3), ("R01", "Tower Hamlets", 1, 2),
                    ("R05", "Tower Hamlets", 1, 2)]
    assert ledger


def test_indicators_as_at_a_date_are_those_of_that_day(history):
    warehouse, replays = history
    run = CliRunner().invoke(app, ["indicators", str(warehouse), "--year", "2007-08",
                                   "--people", "exact", "--json", "--as-at", "2008-02-01"])
    assert run.exit_code == 0, run.output
    then = json.loads(run.stdout[run.stdout.index("{"):])
    ref = CliRunner().invoke(app, ["indicators", str(replays[0]), "--year", "2007-08",
                                   "--people", "exact", "--json"])
    now = CliRunner().invoke(app, ["indicators", str(warehouse), "--year", "2007-08",
                                   "--people", "exact", "--json"])
    assert then == json.loads(ref.stdout[ref.stdout.index("{"):])
    assert then != json.loads(now.stdout[now.stdout.index("{"):])
    assert "as it stood after load 1 (finished 2008-01-10 09:00)" in " ".join(run.output.split())


def test_a_date_before_any_load_or_a_load_without_history_is_refused(history, tmp_path):
    warehouse, _ = history
    with pytest.raises(LoadError, match="no load finished on or before 2007-12-31 "
                                        r"\(the first finished 2008-01-10 09:00\)"):
        snapshot(warehouse, dt.date(2007, 12, 31), tmp_path / "a.duckdb")
    old = tmp_path / "old.duckdb"
    shutil.copy(warehouse, old)
    con = duckdb.connect(str(old))
    con.execute("UPDATE loads SET history = NULL WHERE load_id = 2")  # as before history
    con.close()
    with pytest.raises(LoadError, match="load 2 was made before dvpi kept the rows"):
        snapshot(old, dt.date(2008, 1, 31), tmp_path / "b.duckdb")
    assert snapshot(old, dt.date(2008, 2, 28), tmp_path / "c.duckdb").load_id == 2
    run = CliRunner().invoke(app, ["indicators", str(EXAMPLE), "--year", "2007-08",
                                   "--as-at", "2008-01-01"])
    assert run.exit_code == 2 and "not a warehouse file" in " ".join(run.output.split())


def test_a_first_load_keeps_no_history_tables(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    load_dataset(EXAMPLE, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    finally:
        con.close()
    assert not {n for n in names if n.startswith("history_")}
    assert set(VERSION_1_TABLES) <= names  # the example holds no version-2 tables
