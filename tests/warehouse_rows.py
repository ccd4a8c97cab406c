"""Reading a warehouse file in tests without holding its lock."""

from __future__ import annotations

from pathlib import Path

import duckdb


def rows(warehouse: Path, sql: str) -> list[tuple]:
    """The rows of ``sql`` on a read-only connection, closed afterwards."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
