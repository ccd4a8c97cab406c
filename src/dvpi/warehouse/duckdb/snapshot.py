"""A read-only snapshot of one version of the warehouse file (for long-lived readers).

The file is attached to an in-memory DuckDB rather than opened directly because
DuckDB caches open databases by path within a process: a second ``connect(path)``
would hand back the *old* file after the loader renamed a new one into place. The
in-memory database also gives a reader somewhere to write what it derives from the
snapshot (person links, when the load did not store current ones): tables land in
``memory.main``, which is searched first. A query that began on the old snapshot
finishes on it (the old inode lives on while it is open).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dvpi.warehouse.base import WarehouseError
from dvpi.warehouse.duckdb.files import check_file, warehouse_version

Version = tuple[int, int, int]
WAREHOUSE_CATALOG = "wh"
# Derived tables (memory.main) first, then the warehouse; new tables go to memory.
SEARCH_PATH = f"SET search_path = 'memory.main,{WAREHOUSE_CATALOG}.main'"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_snapshot(path: str | Path, attempts: int = 5) -> tuple[Version, duckdb.DuckDBPyConnection]:
    """The file's current version and a connection that sees exactly that version."""
    path = Path(path)
    for _ in range(attempts):
        check_file(path)
        before = warehouse_version(path)
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {_sql_str(str(path))} AS {WAREHOUSE_CATALOG} (READ_ONLY)")
            con.execute(SEARCH_PATH)
        except duckdb.Error as exc:
            con.close()
            raise WarehouseError(f"cannot read warehouse {path}: {exc}") from exc
        # A rename between the stat and the attach would label new data with the old
        # version; stat again and retry in that (rare) case.
        if warehouse_version(path) == before:
            return before, con
        con.close()
    raise WarehouseError(f"{path} keeps changing; try again")


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a snapshot (a connection of its own: safe per thread), searching the
    derived tables first."""
    cur = con.cursor()
    cur.execute(SEARCH_PATH)
    return cur
