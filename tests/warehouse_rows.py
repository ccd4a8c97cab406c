"""Reading a warehouse file in tests without holding its lock, and copying one."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb


def rows(warehouse: Path, sql: str) -> list[tuple]:
    """The rows of ``sql`` on a read-only connection, closed afterwards."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def counts(warehouse: Path, tables) -> dict[str, int]:
    """Row counts of those of ``tables`` the warehouse holds."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in tables if t in names}
    finally:
        con.close()


def copy_warehouse(source: Path, target: Path) -> Path:
    """A closed warehouse file copied (DuckDB keeps a closed database in its one file;
    a write-ahead log left beside it is copied too)."""
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target
