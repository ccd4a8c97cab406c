"""The embedded DuckDB warehouse file.

DuckDB allows one writing process or many reading ones. The loader never writes to
the live file: it builds the next version in a copy and renames it into place, so a
reader (the dashboard) opening the file read-only always sees a whole load.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = Path("dvpi.duckdb")


class WarehouseError(Exception):
    """The warehouse file is missing or not a dvpi warehouse."""


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file. Read-only opening of a missing file is an error."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `dvpi load DATA --warehouse {path}`")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:  # e.g. not a DuckDB file, or locked by a writer
        raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in table_names(con)


def warehouse_version(path: str | Path) -> tuple[int, int, int]:
    """Changes whenever a load replaces the file: (inode, size, mtime in ns)."""
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)
