"""The database layer and the person-resolution step (issue 12).

- one registry of engines, each a subpackage behind one interface;
- one error for "not a warehouse", a plain message and exit code 2 at every entry point;
- person resolution as an explicit step: methods registered the same way, one policy
  (``people.ready``), and an engine that only reads links, never makes or writes them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dvpi import indicators, people, warehouse
from dvpi.cli import app
from dvpi.warehouse import WarehouseError, open_backend, open_warehouse
from warehouse_rows import copy_warehouse

runner = CliRunner()
YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))


# --- the engines ----------------------------------------------------------------------

def test_engines_are_registered_once_and_each_is_a_subpackage():
    assert warehouse.ENGINES == ("duckdb", "spark")
    for name in warehouse.ENGINES:
        engine = warehouse.get_engine(name)
        assert engine.name == name
        assert type(engine).__module__ == f"dvpi.warehouse.{name}"
    with pytest.raises(ValueError, match="unknown engine 'bogus'"):
        warehouse.get_engine("bogus")


def test_a_backend_lists_only_the_tables_that_exist(example_warehouse):
    with open_warehouse(example_warehouse, "read") as wh, \
            wh.backend("duckdb", ["reports", "no_such_table"]) as backend:
        assert backend.engine == "duckdb"
        assert backend.tables == {"reports": "reports"}


# --- not a warehouse -------------------------------------------------------------------

@pytest.fixture
def not_a_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "reports.duckdb"
    path.write_text("report_id,borough\nR1,North\n")
    return path


@pytest.mark.parametrize("mode", ["read", "write", "shared"])
def test_opening_what_is_not_a_warehouse_is_one_error(not_a_warehouse, tmp_path, mode):
    with pytest.raises(WarehouseError, match="not a dvpi warehouse"):
        open_warehouse(not_a_warehouse, mode)
    with pytest.raises(WarehouseError, match="no warehouse at"):
        open_warehouse(tmp_path / "missing.duckdb", mode)
    with pytest.raises(WarehouseError, match="is a folder"):
        open_warehouse(tmp_path, mode)
    assert not (tmp_path / "missing.duckdb").exists()  # never created by a reader


@pytest.mark.parametrize("args", [
    ["indicators", "{w}", "--year", "2007-08"],
    ["report", "{w}", "--year", "2007-08", "--out", "{out}"],
    ["pack", "{w}", "--week-ending", "2008-03-30", "--out", "{out}"],
    ["people", "resolve", "-w", "{w}"],
    ["people", "review", "-w", "{w}", "--purpose", "test"],
    ["loads", "-w", "{w}"],
    ["quarantine", "-w", "{w}", "-o", "{out}/q.csv"],
])
def test_every_entry_point_says_so_plainly_with_exit_code_2(not_a_warehouse, tmp_path, args):
    argv = [a.format(w=not_a_warehouse, out=tmp_path / "out") for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "not a dvpi warehouse" in result.output
    assert "Traceback" not in result.output


def test_the_dashboard_says_so_too(not_a_warehouse):
    from dvpi.web.data import Warehouse, WarehouseUnavailable

    # Pages and the API answer 503 with this message (web/app.py's handler).
    with pytest.raises(WarehouseUnavailable, match="not a dvpi warehouse"):
        Warehouse(not_a_warehouse).snapshot()
    result = runner.invoke(app, ["serve", "-w", str(not_a_warehouse)])
    assert result.exit_code == 2 and "not a dvpi warehouse" in result.output


# --- person resolution as an explicit step ------------------------------------------

def test_methods_register_the_same_way_and_unknown_ones_are_refused():
    assert set(people.BUILT_IN_METHODS) <= set(people.method_names())
    assert people.get_method("linked").slow and not people.get_method("exact").slow
    with pytest.raises(ValueError, match="unknown person-resolution method 'bogus'"):
        people.get_method("bogus")
    people.register(people.Method("manual", "an analyst's own keys"))
    try:
        assert "manual" in people.method_names()
        with pytest.raises(ValueError, match="cannot be computed"):
            people.resolve(duckdb.connect(), "manual")
    finally:
        people.unregister("manual")


def test_an_unknown_method_is_refused_before_a_folder_is_loaded(example_dir, monkeypatch):
    import dvpi.ingest

    def must_not_load(*_args, **_kwargs):
        raise AssertionError("the folder was loaded before the method was checked")

    monkeypatch.setattr(dvpi.ingest, "load_dataset", must_not_load)
    result = runner.invoke(app, ["indicators", str(example_dir), "--year", "2007-08",
                                 "--people", "bogus"])
    assert result.exit_code == 2
    assert "unknown person-resolution method 'bogus'" in result.output


@pytest.fixture
def fresh(example_loaded, tmp_path) -> Path:
    """The example loaded, no person resolved yet."""
    return copy_warehouse(example_loaded, tmp_path / "w.duckdb")


def _links(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return people.links_methods(con)
    finally:
        con.close()


def test_the_engine_only_reads_links_and_never_makes_them(fresh):
    with open_warehouse(fresh, "write") as wh, \
            wh.backend("duckdb", indicators.TABLES_READ) as backend:
        with pytest.raises(ValueError, match="no person links for method 'exact'"):
            indicators.compute(backend, *YEAR, people="exact")
        # Figures that count no person need no links.
        out = indicators.compute(backend, *YEAR, ids=["dv_incidents"], people="exact")
        assert out["indicators"]["dv_incidents"]["value"] == 10
    assert _links(fresh) == set()


def test_ready_is_the_one_policy(fresh):
    con = duckdb.connect(str(fresh))
    try:
        # A reader that cannot wait (the dashboard) gets the fallback, computed once.
        assert people.ready(con, allow_slow=False) == people.FALLBACK_METHOD
        assert people.links_methods(con) == {"exact"}
        # The command line waits for the default.
        assert people.ready(con) == people.DEFAULT_METHOD == "linked"
        assert people.links_methods(con) == {"exact", "linked"}
        # Once current, the default is used as it is, by everyone.
        assert people.ready(con, allow_slow=False) == "linked"
        with pytest.raises(ValueError, match="no person links stored for method 'truth'"):
            people.ready(con, "truth")
    finally:
        con.close()


def test_a_read_only_warehouse_gets_its_links_in_the_connection(fresh, tmp_path):
    copy = tmp_path / "ro.duckdb"
    shutil.copyfile(fresh, copy)
    with open_warehouse(copy, "read") as wh:
        assert people.ready(wh.con, "exact") == "exact"
        with open_backend(wh.con, "duckdb", indicators.TABLES_READ) as backend:
            out = indicators.compute(backend, *YEAR, ids=["accused_persons"], people="exact")
        assert out["indicators"]["accused_persons"]["method"] == "exact"
    assert _links(copy) == set()  # nothing written to the file


def test_a_load_ends_with_people_resolved(example_dir, tmp_path):
    """The first figures after a load do not wait for linkage: `dvpi load` resolves the
    people of the new load (the default method), and says so."""
    path = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["load", str(example_dir), "-w", str(path)])
    assert result.exit_code == 0, result.output
    assert "people resolved (linked)" in result.output
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert people.is_current(con, people.DEFAULT_METHOD)
    finally:
        con.close()
    skipped = tmp_path / "n.duckdb"
    result = runner.invoke(app, ["load", str(example_dir), "-w", str(skipped), "--no-resolve"])
    assert result.exit_code == 0 and "people resolved" not in result.output
    assert _links(skipped) == set()
    result = runner.invoke(app, ["load", str(example_dir), "-w", str(skipped),
                                 "--people", "bogus"])
    assert result.exit_code == 2 and "unknown person-resolution method" in result.output


def test_the_memory_limit_is_the_operators_and_a_bad_one_is_refused(tmp_path, monkeypatch):
    """DVPI_MEMORY_LIMIT bounds DuckDB on every warehouse connection (past it, DuckDB
    spills to disk: a national catalogue then fits a small machine); not a size: refused
    in plain words before DuckDB sees it."""
    from dvpi.warehouse.duckdb import MEMORY_ENV, connect

    path = tmp_path / "w.duckdb"
    monkeypatch.setenv(MEMORY_ENV, "300MB")
    con = connect(path)
    try:
        limit, = con.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert limit.replace(" ", "") in ("286.1MiB", "300.0MB"), limit
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(WarehouseError, match="DVPI_MEMORY_LIMIT='lots' is not a size"):
        connect(path)
