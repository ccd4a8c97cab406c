"""Reading a data set's files into the stage, on a thread of its own.

The loader reads and types each file (``sources``, ``validate``) into an in-memory
database, the stage, and checks its keys there; meanwhile the loader's own connection
checks references, quarantines and merges the files already staged. The two share
DuckDB's threads, which one of them alone leaves idle part of the time: reading in
order and merging both have steps that run on one thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dvpi.ingest import merge
from dvpi.ingest.errors import LoadError
from dvpi.ingest.sources import (
    STAGE,
    SourceFile,
    number_rows,
    prepare,
    read_in_order,
    reader,
    retry_as_copy,
    skipped_lines,
    sql_str,
)
from dvpi.ingest.validate import coded, ident, typed_select, unmapped_column


@dataclass
class Staged:
    """A file read into the stage: ``typed`` (rows with their ``_reasons``, in file
    order), ``lines`` (a view of them with ``_line``) and, for a CSV, ``skipped`` (the
    lines the reader rejected, and blank ones)."""

    source: SourceFile
    typed: str
    lines: str
    skipped: str | None
    rows: int  # rows read and typed (not counting rejected lines, nor left out)
    # Rows of a wide file that give no row of this table: an empty block
    # (``skip_rows_without``), or a repeat of an earlier row's values.
    left_out: int = 0
    # A mapped file's values its mapping does not cover: (column, value, rows).
    unmapped: list[tuple[str, str, int]] = field(default_factory=list)


def drop_staged(con: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Free a merged file's stage: a big load keeps in memory only the file being
    merged and those read ahead of it."""
    name = staged.source.stage
    con.execute(f"DROP VIEW IF EXISTS {staged.lines}")
    for table in (f"{staged.typed}_map", staged.typed, f"{STAGE}.raw_{name}",
                  f"{STAGE}.raw_{name}_text", f"{STAGE}.skipped_{name}",
                  f"{STAGE}.continued_{name}"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


class _Cancelled(Exception):
    pass


def _read(con: duckdb.DuckDBPyConnection, source: SourceFile) -> tuple[str, str | None, int]:
    name = source.stage
    typed = f"{STAGE}.typed_{name}"
    rejects = f"rejects_{name}"  # the reading connection's temporary table
    rows = reader(con, source, rejects)
    keep = ("_line",) if source.reads_as == "parquet" else ()
    read_in_order(con, source, typed, typed_select(source, rows, keep))
    count = con.execute(f"SELECT count(*) FROM {typed}").fetchone()[0]
    csv = source.reads_as == "csv"
    skipped = skipped_lines(con, source, rejects, count) if csv else None
    return typed, skipped, count


def _encoding_rejects(con: duckdb.DuckDBPyConnection, source: SourceFile) -> bool:
    if source.reads_as != "csv":
        return False
    return con.execute(f"SELECT count(*) FROM rejects_{source.stage} "
                       "WHERE error_type = 'INVALID ENCODING'").fetchone()[0] > 0


def stage_file(con: duckdb.DuckDBPyConnection, source: SourceFile,
               folder: Path) -> Staged:
    """Read, type and number one file, and check its keys (which need no other file).

    The file's dialect is decided first (``prepare``). A CSV that the reader cannot
    read, or whose rows it rejects as not UTF-8, is looked at whole: line endings mixed
    past the sample, or a file that is not UTF-8 past the sample, are read from a
    UTF-8, LF copy. Only what then still fails stops the load."""
    prepare(source, folder)
    try:
        typed, skipped, count = _read(con, source)
        again = _encoding_rejects(con, source) and retry_as_copy(source, folder, True)
    except LoadError:
        if not retry_as_copy(source, folder, False):
            raise
        again = True
    if again:
        typed, skipped, count = _read(con, source)
    lines = number_rows(con, source, typed)
    left_out = leave_out(con, source, typed, lines)
    if source.has_controls:
        merge.check_controls(con, source)
    merge.check_keys(con, source)
    return Staged(source, typed, lines, skipped, count - left_out,
                  unmapped=_unmapped(con, source, typed), left_out=left_out)


def leave_out(con: duckdb.DuckDBPyConnection, source: SourceFile, typed: str,
              lines: str) -> int:
    """Take out the rows that give no row of the table: rows whose block is empty
    (none of the mapping's ``skip_rows_without`` columns given) and, in a wide file,
    rows that repeat an earlier row's values exactly (the report's columns on each of
    its victim-suspect rows). The typed table then carries each row's ``_line``
    itself; returns the rows left out."""
    mapping = source.mapping
    skips = mapping is not None and bool(mapping.skip_rows_without)
    if not (skips or source.wide):
        return 0
    columns = ", ".join(ident(c.name) for c in source.table.columns)
    where = "WHERE NOT _absent" if skips else ""
    once = (f"QUALIFY row_number() OVER (PARTITION BY {columns}, _extra, _reasons "
            "ORDER BY _line) = 1") if source.wide else ""
    drop = "EXCLUDE (_absent)" if skips else ""
    con.execute(f"CREATE OR REPLACE TABLE {typed}_kept AS "
                f"SELECT * {drop} FROM {lines} {where} {once} ORDER BY _line")
    before = con.execute(f"SELECT count(*) FROM {typed}").fetchone()[0]
    after = con.execute(f"SELECT count(*) FROM {typed}_kept").fetchone()[0]
    con.execute(f"DROP VIEW {lines}")
    con.execute(f"DROP TABLE IF EXISTS {typed}_map")
    con.execute(f"DROP TABLE {typed}")
    con.execute(f"ALTER TABLE {typed}_kept RENAME TO {typed.split('.')[-1]}")
    con.execute(f"CREATE VIEW {lines} AS SELECT * FROM {typed}")
    return before - after


def _unmapped(con: duckdb.DuckDBPyConnection, source: SourceFile,
              typed: str) -> list[tuple[str, str, int]]:
    """The values of a mapped file's code columns that were not read: (column, value,
    rows), most rows first."""
    columns = [c for c in source.table.columns if coded(source, c)]
    if not columns:
        return []
    parts = " UNION ALL ".join(
        f"SELECT {sql_str(c.name)} AS col, {ident(unmapped_column(c))} AS value "
        f"FROM {typed} WHERE {ident(unmapped_column(c))} IS NOT NULL" for c in columns)
    return [(c, v, n) for c, v, n in con.execute(
        f"SELECT col, value, count(*) AS n FROM ({parts}) GROUP BY ALL "
        "ORDER BY col, n DESC, value").fetchall()]


class Stager:
    """Stages ``sources`` one after another, in load order, on a background thread with
    its own DuckDB connection. ``staged(source)`` waits for one (and raises what reading
    it raised); ``close()`` stops whatever is left."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: list[SourceFile],
                 folder: Path) -> None:
        self._folder = folder  # where copies of files read in another form are written
        self._con = con.cursor()  # same database, own session and transactions
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvpi-stage")
        self._futures: dict[str, Future[Staged]] = {
            s.stage: self._pool.submit(self._stage, s) for s in sources
        }

    def _stage(self, source: SourceFile) -> Staged:
        if self._stop.is_set():
            raise _Cancelled(source.path.name)
        try:
            return stage_file(self._con, source, self._folder)
        except BaseException:
            self._stop.set()  # the load stops: read no further file
            raise

    def staged(self, source: SourceFile) -> Staged:
        return self._futures[source.stage].result()

    def close(self) -> None:
        self._stop.set()
        for future in self._futures.values():
            future.cancel()
        self._con.interrupt()  # a read in progress stops with an error nobody waits for
        self._pool.shutdown(wait=True)
        self._con.close()
