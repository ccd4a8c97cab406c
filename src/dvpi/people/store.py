"""Storage of person links and of when each method last ran.

The links live in the warehouse when it is writable; on a read-only warehouse (the
dashboard's) they go into a temporary table of the connection instead, so reading
never needs the write lock.
"""

from __future__ import annotations

import duckdb

LINKS_TABLE = "person_links"
META_TABLE = "person_links_runs"


def _is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute("CREATE TABLE IF NOT EXISTS main._dvpi_write_probe (x INTEGER)")
        con.execute("DROP TABLE main._dvpi_write_probe")
    except duckdb.Error:
        return True
    return False


def _schema(con: duckdb.DuckDBPyConnection) -> str:
    return "temp.main" if _is_read_only(con) else "main"


def _ensure_tables(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    # DuckDB refuses CREATE TABLE temp.main.x on a read-only file: say TEMP instead.
    create = "CREATE TEMP TABLE IF NOT EXISTS" if schema.startswith("temp") else (
        f"CREATE TABLE IF NOT EXISTS {schema}."
    )
    sep = " " if schema.startswith("temp") else ""
    con.execute(
        f"{create}{sep}{LINKS_TABLE} (person_id VARCHAR, person_key VARCHAR, method VARCHAR)"
    )
    con.execute(
        f"{create}{sep}{META_TABLE} "
        "(method VARCHAR, load_id BIGINT, computed_at TIMESTAMP, detail VARCHAR)"
    )


def current_load_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """The id of the latest load that changed the data, or None before any load."""
    try:
        row = con.execute(
            "SELECT max(load_id) FROM loads WHERE status = 'committed'"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None else row[0]


def links_methods(con: duckdb.DuckDBPyConnection) -> set[str]:
    try:
        rows = con.execute(f"SELECT DISTINCT method FROM {LINKS_TABLE}").fetchall()
    except duckdb.CatalogException:
        return set()
    return {r[0] for r in rows}


def resolved_methods(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Methods whose links have been stored (even for no rows: an empty people table)."""
    try:
        rows = con.execute(f"SELECT DISTINCT method FROM {META_TABLE}").fetchall()
    except duckdb.CatalogException:
        return links_methods(con)
    return {r[0] for r in rows} | links_methods(con)


def is_current(con: duckdb.DuckDBPyConnection, method: str) -> bool:
    try:
        row = con.execute(
            f"SELECT max(load_id) FROM {META_TABLE} WHERE method = ?", [method]
        ).fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] is not None and row[0] == current_load_id(con)


def store_links(
    con: duckdb.DuckDBPyConnection, method: str, select_sql: str, detail: str = ""
) -> None:
    """Replace ``method``'s links with the rows of ``select_sql`` (person_id, person_key)."""
    schema = _schema(con)
    _ensure_tables(con, schema)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {schema}.{LINKS_TABLE} WHERE method = ?", [method])
        con.execute(
            f"INSERT INTO {schema}.{LINKS_TABLE} "
            f"SELECT person_id, person_key, ? FROM ({select_sql})",
            [method],
        )
        con.execute(f"DELETE FROM {schema}.{META_TABLE} WHERE method = ?", [method])
        con.execute(
            f"INSERT INTO {schema}.{META_TABLE} VALUES (?, ?, now()::TIMESTAMP, ?)",
            [method, current_load_id(con), detail],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
