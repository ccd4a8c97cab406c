"""The DuckDB engine: the warehouse file itself, queried in place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from dvpi.warehouse.base import Backend
from dvpi.warehouse.duckdb.catalog import columns_of, has_table, present, table_names
from dvpi.warehouse.duckdb.files import (
    DEFAULT_WAREHOUSE,
    check_file,
    connect,
    connect_shared,
    warehouse_version,
)
from dvpi.warehouse.duckdb.runner import DuckDBRunner
from dvpi.warehouse.duckdb.snapshot import open_snapshot


class DuckDBEngine:
    name = "duckdb"

    @contextmanager
    def open(self, con: duckdb.DuckDBPyConnection,
             tables: dict[str, str]) -> Iterator[Backend]:
        yield Backend(self.name, con, DuckDBRunner(con), dict(tables))

    @contextmanager
    def splink_api(self, spark: Any = None) -> Iterator[Any]:
        from splink import DuckDBAPI

        # Splink works in a database of its own: the warehouse is never written by it.
        con = duckdb.connect()
        try:
            yield DuckDBAPI(con)
        finally:
            con.close()

    def splink_input(self, table: pa.Table) -> Any:
        return table


__all__ = [
    "DEFAULT_WAREHOUSE",
    "DuckDBEngine",
    "DuckDBRunner",
    "check_file",
    "columns_of",
    "connect",
    "connect_shared",
    "has_table",
    "open_snapshot",
    "present",
    "table_names",
    "warehouse_version",
]
