"""Compiled SQL run in place on the DuckDB warehouse."""

from __future__ import annotations

import duckdb
import ibis
import pyarrow as pa


class DuckDBRunner:
    engine = "duckdb"
    cuts_by_date = True  # dated tables are cut before scoping (Context.dated)

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
        # A base table is only ever joined and counted, never read in row order: letting
        # DuckDB write it in parallel and out of order saves time and memory (the
        # people rows of a national data set are millions), and changes no count.
        self.con.execute("SET preserve_insertion_order = false")
        try:
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        finally:
            self.con.execute("RESET preserve_insertion_order")

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def drop(self, name: str) -> None:
        self.con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')
