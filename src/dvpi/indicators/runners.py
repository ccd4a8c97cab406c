"""How compiled SQL is run on an engine.

Building Ibis expressions and compiling them costs far more than DuckDB takes to run
them on a year of a large force, so a computation is recorded as a *plan* — the SQL
of the base tables it materialises and of the final counting query — and the plan
is reused for every later computation of the same shape (same tables, definition,
person method, scopes and indicators; periods live in a table, not in the SQL).
Temporary names are therefore fixed, and one computation runs at a time per
connection.
"""

from __future__ import annotations

from typing import Any, Protocol

import duckdb
import ibis
import pyarrow as pa

TEMP_PREFIX = "_dvpi_"
CELLS = f"{TEMP_PREFIX}cells"


class Runner(Protocol):
    engine: str
    backend: Any  # the Ibis backend expressions are built on

    def compile(self, expr) -> str: ...
    def put_arrow(self, name: str, table: pa.Table) -> None: ...
    def materialise(self, name: str, sql: str) -> None: ...
    def fetch(self, sql: str) -> pa.Table: ...
    def drop(self, name: str) -> None: ...


class DuckDBRunner:
    engine = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._backend = None

    @property
    def backend(self):
        # Made on first use: a computation whose plan is cached never needs Ibis.
        if self._backend is None:
            self._backend = ibis.duckdb.from_connection(self.con)
        return self._backend

    def compile(self, expr) -> str:
        return self.backend.compile(expr)

    def put_arrow(self, name: str, table: pa.Table) -> None:
        view = f"{name}_arrow"
        self.con.register(view, table)
        try:
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{view}"')
        finally:
            self.con.unregister(view)

    def materialise(self, name: str, sql: str) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def drop(self, name: str) -> None:
        self.con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')
