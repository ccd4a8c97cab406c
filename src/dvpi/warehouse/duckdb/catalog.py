"""Which tables a warehouse holds: the one query every caller uses."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb


def table_names(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> set[str]:
    """Tables of schema ``main`` in every attached database (the warehouse, and the
    connection's temporary and in-memory ones, where derived tables may live), or in
    ``catalog`` alone."""
    sql = "SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    params: list[str] = []
    if catalog is not None:
        sql += " AND table_catalog = ?"
        params.append(catalog)
    return {r[0] for r in con.execute(sql, params).fetchall()}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in table_names(con)


def present(con: duckdb.DuckDBPyConnection, wanted: Iterable[str]) -> dict[str, str]:
    """The ``wanted`` tables that exist, each under its own name (in wanted's order)."""
    names = table_names(con)
    return {name: name for name in wanted if name in names}


def columns_of(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> tuple:
    """(table, column, type) of the given tables, sorted: a warehouse's shape."""
    tables = list(tables)
    if not tables:
        return ()
    marks = ", ".join("?" for _ in tables)
    return tuple(con.execute(
        "SELECT DISTINCT table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_name IN ({marks}) ORDER BY ALL", tables).fetchall())
