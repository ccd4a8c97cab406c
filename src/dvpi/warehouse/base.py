"""What every engine provides, and the registry of engines.

The DuckDB warehouse file is the system of record. An *engine* runs the indicator
SQL over it: DuckDB in place, or Spark on a mirror of the tables it needs. Each engine
is a subpackage (``warehouse/duckdb``, ``warehouse/spark``) that registers one
:class:`Engine` here; nothing outside this package tests an engine's name.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pyarrow as pa

# Temporary tables a computation makes carry this prefix (never a warehouse table's).
TEMP_PREFIX = "_dvpi_"


class WarehouseError(Exception):
    """The warehouse is missing, is not a dvpi warehouse, or cannot be opened.

    Every entry point (CLI, dashboard) turns it into a plain message, exit code 2.
    """


class Runner(Protocol):
    """Runs compiled SQL on one engine."""

    engine: str
    backend: Any  # the Ibis backend expressions are built on
    # Whether the engine gains from cutting a dated table to the cells' dates before
    # scoping it (``Context.dated``, ``reachable_rows``): a plan-size trade-off only,
    # never a change of figures.
    cuts_by_date: bool

    def compile(self, expr) -> str: ...
    def put_arrow(self, name: str, table: pa.Table) -> None: ...
    def materialise(self, name: str, sql: str) -> None: ...
    def fetch(self, sql: str) -> pa.Table: ...
    def drop(self, name: str) -> None: ...


@dataclass
class Backend:
    """An opened warehouse on one engine: what the indicator engine receives."""

    engine: str
    con: duckdb.DuckDBPyConnection  # the DuckDB warehouse (Spark reads from it too)
    runner: Runner  # runs the SQL on the engine
    tables: dict[str, str]  # logical table name -> name in the engine


class Engine(Protocol):
    """One engine: how it opens a warehouse, and Splink's database API on it."""

    name: str

    def open(self, con: duckdb.DuckDBPyConnection,
             tables: dict[str, str]) -> AbstractContextManager[Backend]:
        """The warehouse on ``con`` as this engine sees it (``tables``: logical names of
        the tables to make available, each mapped to its name in DuckDB)."""
        ...

    def splink_api(self, spark: Any = None, rows: int = 0) -> AbstractContextManager[Any]:
        """A Splink database API for person resolution on this engine, released after;
        ``rows``: how many people rows it will link (an engine may size itself by it)."""
        ...

    def splink_input(self, table: pa.Table) -> Any:
        """``table`` in the form this engine's Splink API registers."""
        ...


_ENGINES: dict[str, Engine] = {}
_LOADERS: dict[str, Callable[[], Engine]] = {}


def register(name: str, load: Callable[[], Engine]) -> None:
    """Declare an engine; ``load`` imports it on first use (Spark is heavy)."""
    _LOADERS[name] = load


def engine_names() -> tuple[str, ...]:
    return tuple(_LOADERS)


def get_engine(name: str) -> Engine:
    if name not in _LOADERS:
        raise ValueError(f"unknown engine {name!r} (known: {', '.join(_LOADERS)})")
    if name not in _ENGINES:
        _ENGINES[name] = _LOADERS[name]()
    return _ENGINES[name]
