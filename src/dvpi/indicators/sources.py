"""Opening what the caller gave: a warehouse file, a data folder or a connection, on
the engine asked for."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dvpi.contract import TABLES
from dvpi.indicators.runners import DuckDBRunner, Runner
from dvpi.people import LINKS_TABLE

ENGINES: tuple[str, ...] = ("duckdb", "spark")
Source = str | Path | duckdb.DuckDBPyConnection


@dataclass
class Opened:
    con: duckdb.DuckDBPyConnection  # the DuckDB warehouse (always: Spark reads from it)
    runner: Runner  # runs the SQL on the engine asked for
    tables: dict[str, str]  # logical table name -> name in the engine


def duckdb_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The contract tables present, and the person links (main or temporary schema)."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main'"
    ).fetchall()
    present = {r[0] for r in rows}
    wanted = [*TABLES, LINKS_TABLE]
    return {name: name for name in wanted if name in present}


@contextmanager
def open_connection(source: Source) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection on the warehouse: the caller's, a file's, or a temporary
    warehouse loaded from a data folder."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        yield source
        return
    from dvpi.warehouse import WarehouseError, connect

    path = Path(source)
    if path.is_dir():
        from dvpi.ingest import load_dataset

        with tempfile.TemporaryDirectory(prefix="dvpi-indicators-") as tmp:
            warehouse = Path(tmp) / "warehouse.duckdb"
            load_dataset(path, warehouse)
            con = connect(warehouse)
            try:
                yield con
            finally:
                con.close()
        return
    if not path.exists():
        raise WarehouseError(f"no data folder or warehouse at {path}")
    try:
        con = connect(path)
    except WarehouseError:
        # Another process holds the write lock (e.g. the dashboard): read only.
        con = connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def open_backend(con: duckdb.DuckDBPyConnection, engine: str) -> Iterator[Opened]:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    tables = duckdb_tables(con)
    if engine == "duckdb":
        yield Opened(con, DuckDBRunner(con), tables)
        return
    from dvpi.warehouse import spark

    with spark.mirror(con, list(tables)) as (runner, names):
        yield Opened(con, runner, names)
