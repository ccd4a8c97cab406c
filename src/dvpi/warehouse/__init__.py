"""The database layer: the warehouse file, and the engines that compute over it.

The only package that opens a warehouse or knows an engine by name. Everything else
receives what it opens: a :class:`Warehouse` (the DuckDB file, the system of record)
or a :class:`Backend` (that warehouse on one engine, for the indicator SQL).

>>> with open_warehouse("dvpi.duckdb") as wh, wh.backend("duckdb", tables) as backend:
...     compute(backend, start, end)  # doctest: +SKIP

One subpackage per engine (``duckdb/``, ``spark/``), registered below; adding an
engine means adding a subpackage and one ``register`` line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import duckdb as _duckdb

from dvpi.warehouse.base import (
    TEMP_PREFIX,
    Backend,
    Engine,
    Runner,
    WarehouseError,
    engine_names,
    get_engine,
    register,
)
from dvpi.warehouse.duckdb import (
    DEFAULT_WAREHOUSE,
    connect,
    connect_shared,
    has_table,
    present,
    table_names,
    warehouse_version,
)


def _duckdb_engine() -> Engine:
    from dvpi.warehouse.duckdb import DuckDBEngine

    return DuckDBEngine()


def _spark_engine() -> Engine:
    from dvpi.warehouse.spark import SparkEngine

    return SparkEngine()


register("duckdb", _duckdb_engine)
register("spark", _spark_engine)
DEFAULT_ENGINE = "duckdb"
ENGINES: tuple[str, ...] = engine_names()

Mode = Literal["write", "read", "shared"]


class Warehouse:
    """An opened warehouse: its DuckDB connection and the engines that can read it."""

    def __init__(self, con: _duckdb.DuckDBPyConnection, path: Path | None = None) -> None:
        self.con = con
        self.path = path

    def tables(self) -> set[str]:
        return table_names(self.con)

    @contextmanager
    def backend(self, engine: str, tables: Iterable[str]) -> Iterator[Backend]:
        """This warehouse on ``engine``, with those of ``tables`` that exist."""
        yield from _open(self.con, engine, tables)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_warehouse(path: str | Path, mode: Mode = "shared") -> Warehouse:
    """Open an existing warehouse file.

    ``write`` needs the write lock; ``read`` never takes it; ``shared`` writes if it can
    and reads otherwise (derived tables then live in the connection's temporary schema).
    Anything that is not a warehouse raises :class:`WarehouseError`.
    """
    path = Path(path)
    if mode == "write":
        from dvpi.warehouse.duckdb import check_file

        check_file(path)
        con = connect(path)
    elif mode == "read":
        con = connect(path, read_only=True)
    else:
        con = connect_shared(path)
    return Warehouse(con, path)


@contextmanager
def open_backend(con: _duckdb.DuckDBPyConnection, engine: str,
                 tables: Iterable[str]) -> Iterator[Backend]:
    """A connection's warehouse on ``engine`` (for callers that hold a connection: a
    dashboard snapshot's cursor, a test's)."""
    yield from _open(con, engine, tables)


def _open(con: _duckdb.DuckDBPyConnection, engine: str,
          tables: Iterable[str]) -> Iterator[Backend]:
    chosen = get_engine(engine)  # an unknown name fails before any work
    with chosen.open(con, present(con, tables)) as backend:
        yield backend


__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_WAREHOUSE",
    "ENGINES",
    "TEMP_PREFIX",
    "Backend",
    "Engine",
    "Runner",
    "Warehouse",
    "WarehouseError",
    "connect",
    "get_engine",
    "has_table",
    "open_backend",
    "open_warehouse",
    "table_names",
    "warehouse_version",
]
