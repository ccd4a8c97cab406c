"""The DuckDB engine: the warehouse file itself, queried in place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dvpi.warehouse.base import Backend
from dvpi.warehouse.duckdb.catalog import columns_of, has_table, present, table_names
from dvpi.warehouse.duckdb.files import (
    DEFAULT_WAREHOUSE,
    MEMORY_ENV,
    check_file,
    connect,
    connect_shared,
    memory_limit,
    warehouse_version,
)
from dvpi.warehouse.duckdb.runner import DuckDBRunner
from dvpi.warehouse.duckdb.snapshot import open_snapshot

# Person resolution's memory: DVPI_MEMORY_LIMIT (``files.MEMORY_ENV``), else this share of
# the machine's memory; the rest is for the pairs and clusters in Python.
SPLINK_MEMORY_SHARE = 0.4
SPLINK_ON_DISK_ROWS = 1_000_000  # people rows from which Splink's database is a file


def splink_memory_limit() -> str:
    """The memory limit of Splink's DuckDB database."""
    given = memory_limit()
    if given:
        return given
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(total * SPLINK_MEMORY_SHARE / 2**20))}MB"


class DuckDBEngine:
    name = "duckdb"

    @contextmanager
    def open(self, con: duckdb.DuckDBPyConnection,
             tables: dict[str, str]) -> Iterator[Backend]:
        yield Backend(self.name, con, DuckDBRunner(con), dict(tables))

    @contextmanager
    def splink_api(self, spark: Any = None, rows: int = 0) -> Iterator[Any]:
        from splink import DuckDBAPI

        # Splink works in a database of its own (the warehouse is never written by it).
        # For a national data set (``rows`` people rows) it is a file in a temporary
        # folder under a memory limit: the candidate pairs outgrow memory, and DuckDB
        # then spills to disk instead of growing until the machine runs out
        # (docs/person-resolution.md, "Scale"); a force's fit in memory, which is faster.
        with tempfile.TemporaryDirectory(prefix="dvpi-splink-") as folder:
            path = str(Path(folder) / "splink.duckdb") if rows >= SPLINK_ON_DISK_ROWS \
                else ":memory:"
            con = duckdb.connect(path, config={
                "memory_limit": splink_memory_limit(),
                "temp_directory": str(Path(folder) / "spill"),
                "preserve_insertion_order": False,
            })
            try:
                yield DuckDBAPI(con)
            finally:
                con.close()

    def splink_input(self, table: pa.Table) -> Any:
        return table


__all__ = [
    "DEFAULT_WAREHOUSE",
    "MEMORY_ENV",
    "DuckDBEngine",
    "DuckDBRunner",
    "check_file",
    "columns_of",
    "connect",
    "connect_shared",
    "has_table",
    "memory_limit",
    "open_snapshot",
    "present",
    "table_names",
    "warehouse_version",
]
