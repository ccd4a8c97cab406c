"""The indicator engine called as the command line calls it, for tests.

The library's engine receives an opened backend whose person links are resolved; tests
mostly have a data folder, a warehouse file or a connection. These helpers do the steps
the CLI does (open or load, resolve people, open the engine) and then call the engine,
so a test reads as one line.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from dvpi import indicators, people
from dvpi.indicators import engine as indicator_engine
from dvpi.ingest import load_dataset
from dvpi.warehouse import Backend, open_backend, open_warehouse

Source = str | Path | duckdb.DuckDBPyConnection


def load_resolved(data: Path, path: Path) -> Path:
    """``data`` loaded into a warehouse at ``path`` with both built-in resolutions
    stored up front, as `dvpi people resolve` would: a test asking for either then reads
    them and writes nothing, so no test sees the file change under it."""
    from dvpi.warehouse import connect

    load_dataset(data, path)
    con = connect(path)
    try:
        for method in people.BUILT_IN_METHODS:
            people.resolve(con, method)
    finally:
        con.close()
    return path


@contextmanager
def connection(source: Source) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection on ``source``: the caller's, a warehouse file's, or a temporary
    warehouse loaded from a data folder."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        yield source
        return
    path = Path(source)
    if path.is_dir():
        with tempfile.TemporaryDirectory(prefix="dvpi-test-") as tmp:
            target = Path(tmp) / "warehouse.duckdb"
            load_dataset(path, target)
            with open_warehouse(target, "write") as wh:
                yield wh.con
        return
    with open_warehouse(path, "shared") as wh:
        yield wh.con


@contextmanager
def backend(source: Source, engine: str = "duckdb",
            method: str | None = people.DEFAULT_METHOD) -> Iterator[Backend]:
    """``source`` on ``engine``, with ``method``'s person links resolved first."""
    with connection(source) as con:
        if method is not None:
            people.ready(con, method)
        with open_backend(con, engine, indicators.TABLES_READ) as opened:
            yield opened


def compute(source: Source, start: dt.date, end: dt.date, *, engine: str = "duckdb",
            people: str = people.DEFAULT_METHOD, **options: Any) -> dict[str, Any]:
    with backend(source, engine, people) as b:
        return indicators.compute(b, start, end, people=people, **options)


def compute_by_borough(source: Source, start: dt.date, end: dt.date, *,
                       engine: str = "duckdb", people: str = people.DEFAULT_METHOD,
                       **options: Any) -> list[dict[str, Any]]:
    with backend(source, engine, people) as b:
        return indicators.compute_by_borough(b, start, end, people=people, **options)


def compute_series(source: Source, periods: Sequence[tuple[dt.date, dt.date]], *,
                   engine: str = "duckdb", people: str = people.DEFAULT_METHOD,
                   **options: Any) -> list[dict[str, Any]]:
    with backend(source, engine, people) as b:
        return indicators.compute_series(b, periods, people=people, **options)


def run_cells(source: Source, periods, scopes, *, engine: str = "duckdb",
              people: str = people.DEFAULT_METHOD, **options: Any) -> list[dict[str, Any]]:
    with backend(source, engine, people) as b:
        return indicator_engine.run_cells(b, periods, scopes, people=people, **options)


def gather_report(source: Source, year: str, *, engine: str = "duckdb",
                  people: str = people.DEFAULT_METHOD, **options: Any):
    """What ``dvpi report`` gathers, from a folder, file or connection."""
    from dvpi.publish import report

    with backend(source, engine, people) as b:
        return report.gather(b, year, people=people, **options)


def gather_pack(source: Source, week_ending: dt.date, *, engine: str = "duckdb",
                people: str = people.DEFAULT_METHOD, **options: Any):
    """What ``dvpi pack`` gathers, from a folder, file or connection."""
    from dvpi.publish import pack

    with backend(source, engine, people) as b:
        return pack.gather(b, week_ending, people=people, **options)
