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


def counts(warehouse: Path, tables) -> dict[str, int]:
    """Row counts of those of ``tables`` the warehouse holds."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in tables if t in names}
    finally:
        con.close()
