"""Loading a data set into the warehouse: read, validate, quarantine, merge, record.

The load is atomic. It works on a copy of the warehouse file and renames the copy
over the original only when everything has succeeded, so a load that stops — an
unreadable file, a missing column, a killed process — leaves the warehouse exactly as
it was, and readers never see half a load.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from dvpi.contract import LINEAGE_COLUMNS, TABLES, Column, Table
from dvpi.contract.cells import csv_cell
from dvpi.ingest import merge
from dvpi.ingest.errors import LoadError
from dvpi.ingest.mapping import Mapping, discover_mapped, read_mapping
from dvpi.ingest.merge import MODES, Taken
from dvpi.ingest.sources import (
    STAGE,
    ReadOptions,
    SourceFile,
    _physical_lines,
    discover,
    original_rows,
)
from dvpi.ingest.staging import Staged, Stager, drop_staged
from dvpi.ingest.validate import DATE_FORMATS, ident, original_select
from dvpi.warehouse import connect, has_table
from dvpi.warehouse.duckdb import columns_of

Progress = Callable[[str, int, int], None]  # (step description, done, total)


@dataclass
class TableCounts:
    table: str
    file: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    replaced: int = 0  # rows of earlier loads replaced by the extract's new version
    removed: int = 0  # rows of earlier loads taken out with nothing in their place
    # Rows of a wide file that give no row of this table (an empty block, a repeat).
    left_out: int = 0
    role: str | None = None  # the role a wide file's rows are read as (people)

    @property
    def label(self) -> str:
        """The table, with the role of a wide file's reading: ``people (victim)``."""
        return f"{self.table} ({self.role})" if self.role else self.table

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.quarantined + self.left_out


@dataclass(frozen=True)
class Unmapped:
    """A value of a mapped export that its mapping does not cover."""

    file: str
    header: str  # the export's column
    table: str
    column: str  # the contract's column
    value: str
    rows: int


@dataclass(frozen=True)
class FileRead:
    """How one file was read: for ``dvpi check`` and its HTML page."""

    table: str
    file: str
    format: str
    encoding: str | None  # CSV only
    delimiter: str | None
    newlines: str | None
    rows: int  # rows read (as in ``TableCounts.read``)


@dataclass
class LoadResult:
    load_id: int | None
    warehouse: Path
    source: Path
    unchanged: bool = False
    mode: str = "replace"
    counts: list[TableCounts] = field(default_factory=list)
    # What the user should know: files left out, columns near a contract name, dates
    # that look day-first; and how files were read (encodings, delimiters detected).
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # A mapped export's values its mapping does not cover (their rows are quarantined).
    unmapped: list[Unmapped] = field(default_factory=list)
    # How each file was read (encoding, delimiter, line endings, rows), in load order.
    files: list[FileRead] = field(default_factory=list)
    mapping: Path | None = None

    @property
    def read(self) -> int:
        return sum(c.read for c in self.counts)

    @property
    def loaded(self) -> int:
        return sum(c.loaded for c in self.counts)

    @property
    def quarantined(self) -> int:
        return sum(c.quarantined for c in self.counts)

    @property
    def replaced(self) -> int:
        return sum(c.replaced for c in self.counts)

    @property
    def removed(self) -> int:
        return sum(c.removed for c in self.counts)


LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS loads (
    load_id BIGINT PRIMARY KEY,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    source VARCHAR,
    status VARCHAR,
    files VARCHAR,   -- JSON: [{table, file, format, sha256, bytes}]
    counts VARCHAR   -- JSON: [{table, file, read, loaded, quarantined, replaced, removed}]
);
ALTER TABLE loads ADD COLUMN IF NOT EXISTS mode VARCHAR;  -- replace, changes or full
ALTER TABLE loads ADD COLUMN IF NOT EXISTS mapping VARCHAR;  -- JSON {file, sha256}, or NULL
-- true: the rows this load replaced or removed are kept (history_<table>, ingest.history)
ALTER TABLE loads ADD COLUMN IF NOT EXISTS history BOOLEAN;
CREATE TABLE IF NOT EXISTS quarantine (
    load_id BIGINT,
    table_name VARCHAR,
    file VARCHAR,
    line BIGINT,
    reasons VARCHAR[],
    original VARCHAR  -- JSON of the row's values as given, or the raw line
);
"""


# DuckDB's CSV reader errors, as a person reads them.
_REJECT_REASON = """CASE error_type
    WHEN 'MISSING COLUMNS' THEN 'row has too few columns (the header has '
        || regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1) || ')'
    WHEN 'TOO MANY COLUMNS' THEN 'row has too many columns (the header has '
        || regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1) || ')'
    WHEN 'INVALID ENCODING' THEN coalesce(column_name, 'row') || ': not valid UTF-8 text'
        || ' (the original shows its bytes as \\xNN; give another encoding with --encoding)'
    WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line longer than the reader allows'
    ELSE coalesce(column_name || ': ', '') || error_message END"""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The contract's tables (only those with data are created), ledger and quarantine;
    a table made by an earlier version of the format gains the columns added since (its
    rows read them as blank, or as the column's default)."""
    con.execute(LEDGER_DDL)
    have = {(t, c) for t, c, _ in columns_of(con, list(TABLES))}
    for table in TABLES.values():
        if any(t == table.name for t, _ in have):
            for column in table.columns:
                if (table.name, column.name) not in have:
                    con.execute(_add_column_ddl(table, column))


def _add_column_ddl(table: Table, column: Column) -> str:
    default = ""
    if column.default is not None:
        value = column.default
        literal = ("true" if value else "false") if isinstance(value, bool) else (
            "'" + str(value).replace("'", "''") + "'")
        default = f" DEFAULT {literal}"
    return (f"ALTER TABLE main.{table.name} ADD COLUMN IF NOT EXISTS {ident(column.name)} "
            f"{column.sql_type}{default}")


def _table_ddl(table: Table) -> str:
    cols = [f"{ident(c.name)} {c.sql_type}" for c in table.columns]
    cols += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(cols)})"


@contextlib.contextmanager
def _writer_lock(warehouse: Path) -> Iterator[None]:
    """One loader at a time per warehouse."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LoadError(f"{warehouse}: another load is running") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _last_files(warehouse: Path, mode: str = "replace") -> tuple[list[dict], dict | None] | None:
    """The files (and mapping) of the last load, if loading them again in ``mode``
    changes nothing (a "full" load after a load of another mode may remove rows)."""
    if not warehouse.exists():
        return None
    con = connect(warehouse, read_only=True)
    try:
        row = con.execute(
            "SELECT files, mode, mapping FROM loads WHERE status = 'committed' "
            "ORDER BY load_id DESC LIMIT 1"
        ).fetchone()
    except duckdb.BinderException:  # a ledger from before load modes and mappings
        row = con.execute(
            "SELECT files, 'replace', NULL FROM loads WHERE status = 'committed' "
            "ORDER BY load_id DESC LIMIT 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    if not row or (mode == "full" and row[1] != "full"):
        return None
    return json.loads(row[0]), json.loads(row[2]) if row[2] else None


def _mapping_entry(mapping: Mapping | None) -> dict | None:
    return {"file": str(mapping.path), "sha256": mapping.sha256} if mapping else None


def _file_entries(sources: list[SourceFile]) -> list[dict]:
    return [
        {
            "table": s.table.name,
            "file": s.path.name,
            "format": s.format,
            "sha256": s.sha256,
            "bytes": s.size,
        }
        for s in sources
    ]


def load_dataset(
    data_dir: str | Path,
    warehouse: str | Path = "dvpi.duckdb",
    *,
    options: ReadOptions | None = None,
    mapping: str | Path | Mapping | None = None,
    mode: str = "replace",
    allow_removal: bool = False,
    max_removal: float = 0.05,
    progress: Progress | None = None,
    _after_table: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load a data set in the interchange format, or a force's own export described by
    a ``mapping`` file (``ingest.mapping``), into a warehouse file.

    Raises :class:`LoadError` (and changes nothing) when a file cannot be read or lacks
    a required column, or when the load would remove more than ``max_removal`` of the
    warehouse's rows and ``allow_removal`` is not given. ``mode`` says what the extract
    replaces and removes (see ``merge.MODES``). Row-level problems are quarantined,
    never raised.
    ``_after_table`` is a test hook called after each table is merged (to kill a load
    half-way).
    """
    data_dir, warehouse = Path(data_dir), Path(warehouse)
    if mode not in MODES:
        raise LoadError(f"--mode {mode}: not one of {', '.join(MODES)}")
    options = options or ReadOptions()
    if options.date_format and options.date_format.upper() not in DATE_FORMATS:
        raise LoadError(f"--date-format {options.date_format}: not one of "
                        f"{', '.join(DATE_FORMATS)}")
    if options.date_format:
        options = ReadOptions(options.encoding, options.delimiter,
                              options.date_format.upper(), options.allow_unknown_files)
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = read_mapping(mapping)
    if mapping is not None:
        sources, folder_warnings = discover_mapped(data_dir, mapping, options)
    else:
        sources, folder_warnings = discover(data_dir, options)
    result = LoadResult(None, warehouse, data_dir, mode=mode, warnings=folder_warnings,
                        mapping=mapping.path if mapping else None)
    removal = None if allow_removal else max_removal

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(warehouse):
        # We hold the writer lock, so any work file left beside the warehouse belongs
        # to a load that died (killed, power cut): remove it before anything else.
        for stale in warehouse.parent.glob(f".{warehouse.name}.loading-*"):
            stale.unlink(missing_ok=True)
        # (The checksums are computed in the background; only a warehouse with an
        # earlier load has to wait for them here.)
        last = _last_files(warehouse, mode)
        if last is not None and last == (_file_entries(sources), _mapping_entry(mapping)):
            result.unchanged = True  # the same files again: nothing to do
            return result
        work = warehouse.with_name(f".{warehouse.name}.loading-{os.getpid()}")
        if warehouse.exists():
            shutil.copyfile(warehouse, work)
            wal = warehouse.with_name(warehouse.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, work.with_name(work.name + ".wal"))
        try:
            con = connect(work)
            os.chmod(work, 0o600)  # personal data: owner only (docs/security.md, "Files")
            try:
                with tempfile.TemporaryDirectory(prefix="dvpi-read-") as copies:
                    _load_into(con, sources, result, progress, _after_table, Path(copies),
                               removal, _mapping_entry(mapping))
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(work, warehouse)
        finally:
            for leftover in (work, work.with_name(work.name + ".wal")):
                leftover.unlink(missing_ok=True)
    return result


def _load_into(
    con: duckdb.DuckDBPyConnection,
    sources: list[SourceFile],
    result: LoadResult,
    progress: Progress | None,
    after_table: Callable[[str], None] | None,
    copies: Path,
    max_removal: float | None = None,
    mapping: dict | None = None,
) -> None:
    create_schema(con)
    started = datetime.now()
    load_id = (con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone() or [1])[0]
    result.load_id = load_id
    total = len(sources) * 2
    # This connection checks and merges, unordered, which is faster (rows carry their
    # lines by then); the staging connection reads in order (``sources.read_in_order``).
    con.execute("SET SESSION preserve_insertion_order = false")
    con.execute(f"ATTACH ':memory:' AS {STAGE}")

    # Files are read and typed in load order on a second connection (``staging``) while
    # this one checks, quarantines and merges the ones already read. A file that cannot
    # be read stops the load; nothing of it reaches the warehouse, which only ever sees
    # the work file renamed into place whole.
    before = {name: _row_count(con, name) for name in TABLES}
    held = {s.table.name for s in sources if s.table.name in TABLES}
    taken = Taken()
    stager = Stager(con, sources, copies)
    try:
        done = 0
        for group in _by_table(sources):
            # A table's files are all read before any is merged: a key in two of
            # them is a duplicate within the load (a weekly split sent with overlaps).
            staged_group = []
            for source in group:
                if progress:
                    progress(f"reading {source.path.name}", done, total)
                staged_group.append(stager.staged(source))
                done += 1
            merge.check_keys_across(con, group)
            for staged in staged_group:
                source = staged.source
                if progress:
                    progress(f"checking and merging {source.path.name}", done, total)
                counts = _merge_staged(con, staged, load_id, held, result.mode, taken)
                result.counts.append(counts)
                result.files.append(_file_read(source, counts.read))
                result.unmapped.extend(
                    Unmapped(source.path.name, source.columns.get(column, column),
                             source.table.name, column, value, n)
                    for column, value, n in staged.unmapped)
                result.notes.extend(source.dialect.notes)
                result.warnings.extend(source.warnings)
                drop_staged(con, staged)  # its rows are in the warehouse now
                done += 1
            if after_table:
                after_table(group[0].table.name)
    finally:
        stager.close()

    if result.mode == "full":
        merge.remove_unloaded(con, load_id, taken)
    merge.remove_dangling(con, held, taken, load_id)
    _count_taken(con, result, before, taken)
    _check_removal(result, before, max_removal)
    for source in sources:  # the checksums recorded are of the files loaded
        source.check_unchanged()
    looks_day_first = con.execute(
        "SELECT count(*) FROM quarantine WHERE load_id = ? AND "
        "array_to_string(reasons, ' ') LIKE '%looks day- or month-first%'", [load_id]
    ).fetchone()[0]
    if looks_day_first:
        result.warnings.append(
            f"{looks_day_first:,} rows quarantined for dates written day- or month-first "
            "(01/04/2007): load again with --date-format DD/MM/YYYY (or MM/DD/YYYY)")
    bad = [c for c in result.counts if not c.balanced]
    if bad:  # a bug, never bad input: refuse to keep an unbalanced load
        raise RuntimeError(f"row counts do not add up: {bad}")
    con.execute(
        "INSERT INTO loads (load_id, started_at, finished_at, source, status, files, "
        "counts, mode, mapping, history) "
        "VALUES (?, ?, now()::TIMESTAMP, ?, 'committed', ?, ?, ?, ?, true)",
        [
            load_id,
            started,
            str(result.source.resolve()),
            json.dumps(_file_entries(sources)),
            json.dumps([c.__dict__ for c in result.counts]),
            result.mode,
            json.dumps(mapping) if mapping else None,
        ],
    )
    if progress:
        progress("done", total, total)


def _by_table(sources: list[SourceFile]) -> list[list[SourceFile]]:
    """The sources in load order, the files of one table together."""
    groups: list[list[SourceFile]] = []
    for source in sources:
        if groups and groups[-1][0].table.name == source.table.name:
            groups[-1].append(source)
        else:
            groups.append([source])
    return groups


def _file_read(source: SourceFile, rows: int) -> FileRead:
    csv = source.format == "csv"
    return FileRead(source.table.name, source.path.name, source.format,
                    (source.dialect.file_encoding or source.dialect.encoding) if csv else None,
                    source.dialect.delimiter if csv else None,
                    source.dialect.newlines if csv else None, rows)


def _count_taken(con: duckdb.DuckDBPyConnection, result: LoadResult,
                 before: dict[str, int], taken: Taken) -> None:
    """Give each table its rows replaced and removed (a table the extract did not hold
    gets a line of its own; a table of several files, on its first file's line), and
    check that every table's rows add up."""
    by_table: dict[str, TableCounts] = {}
    for c in result.counts:
        by_table.setdefault(c.table, c)
    for name in [*TABLES, *(c.table for c in result.counts if c.table not in TABLES)]:
        replaced, removed = taken.replaced.get(name, 0), taken.removed.get(name, 0)
        if name not in by_table and (replaced or removed):
            by_table[name] = TableCounts(name, "")
            result.counts.append(by_table[name])
        if name in by_table:
            by_table[name].replaced, by_table[name].removed = replaced, removed
        if name in TABLES:
            loaded = sum(c.loaded for c in result.counts if c.table == name)
            after = _row_count(con, name)
            if after != before[name] + loaded - replaced - removed:  # a bug, never input
                raise RuntimeError(f"{name}: {before[name]} rows + {loaded} loaded - "
                                   f"{replaced} replaced - {removed} removed != {after}")


def _check_removal(result: LoadResult, before: dict[str, int],
                   max_removal: float | None) -> None:
    """Stop a load that would remove more than ``max_removal`` of the warehouse's rows
    (None: any number may go)."""
    existing = sum(before.values())
    if max_removal is None or not existing or result.removed <= max_removal * existing:
        return
    tables = ", ".join(f"{c.table} {c.removed:,} of {before.get(c.table, 0):,}"
                       for c in result.counts if c.removed)
    raise LoadError(
        f"this {result.mode} load would remove {result.removed:,} of the warehouse's "
        f"{existing:,} rows ({result.removed / existing:.1%}, more than "
        f"{max_removal:.0%}): {tables}. Nothing was changed; if that is right, load "
        "again with --allow-removal (or choose --mode changes for an extract of "
        "changed reports only)")


def _merge_staged(con: duckdb.DuckDBPyConnection, staged: Staged, load_id: int,
                  held: set[str], mode: str, taken: Taken) -> TableCounts:
    """References (they point at tables merged already), quarantine and merge."""
    source = staged.source
    counts = TableCounts(source.table.name, source.path.name,
                         role=source.mapping.role if source.mapping else None)
    if staged.skipped:
        # Rows the reader could not parse: quarantined with their raw text (DuckDB's
        # starts with the line break of a blank line before it: not part of the row).
        counts.quarantined += con.execute(
            f"""INSERT INTO quarantine
            SELECT ?, ?, ?, physical, list(DISTINCT reason ORDER BY reason),
                   ltrim(first(csv_line), chr(13) || chr(10))
            FROM (SELECT physical, csv_line, {_REJECT_REASON} AS reason
                  FROM {staged.skipped} WHERE error_type IS NOT NULL)
            GROUP BY physical""",
            [load_id, source.table.name, source.path.name],
        ).fetchone()[0]
        _keep_bytes(con, staged, load_id)
    counts.read = counts.quarantined + staged.rows + staged.left_out
    counts.left_out = staged.left_out
    merge.check_references(con, source)
    merge.check_forces(con, source)
    deletions = source.table.name == "deleted_reports"
    if deletions:
        merge.check_deletions(con, source, load_id)
    con.execute(_table_ddl(source.table))
    counts.quarantined += merge.quarantine(
        con, source, load_id,
        # The quarantined rows' lines are read again, as text, for their values.
        lambda lines: original_select(source, original_rows(con, source, lines)),
    )
    counts.loaded = merge.merge(con, source, load_id, held=held, mode=mode, taken=taken)
    if deletions:  # (deleted_reports comes last: after every table of the extract)
        merge.remove_reports(
            con, f"SELECT report_id FROM main.deleted_reports WHERE _load_id = {load_id}",
            taken, load_id)
    return counts


def _keep_bytes(con: duckdb.DuckDBPyConnection, staged: Staged, load_id: int) -> None:
    """The reader gives a line that is not UTF-8 with its bad bytes replaced: keep it
    as it is in the file instead, each bad byte as ``\\xNN`` (lossless)."""
    lines = [r[0] for r in con.execute(
        f"SELECT DISTINCT physical FROM {staged.skipped} "
        "WHERE error_type = 'INVALID ENCODING' ORDER BY 1").fetchall()]
    if not lines:
        return
    raw = _physical_lines(staged.source.reading, lines)
    con.executemany(
        "UPDATE quarantine SET original = ? WHERE load_id = ? AND table_name = ? "
        "AND file = ? AND line = ?",
        [[raw[n].rstrip(b"\r").decode("utf-8", "backslashreplace"), load_id,
          staged.source.table.name, staged.source.path.name, n] for n in lines if n in raw])


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    if not has_table(con, table):
        return 0
    return con.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]


def list_loads(warehouse: str | Path) -> list[dict]:
    """The load ledger, oldest first: each load's files, counts and ``mapping`` (the
    mapping file's path and sha256, or None for an export in the format)."""
    con = connect(warehouse, read_only=True)
    keys = ("load_id", "started_at", "finished_at", "source", "status", "files", "counts")
    try:
        has_mapping = any(c == "mapping" for _, c, _ in columns_of(con, ["loads"]))
        rows = con.execute(
            f"SELECT {', '.join(keys)}, {'mapping' if has_mapping else 'NULL'} "
            "FROM loads ORDER BY load_id"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    finally:
        con.close()
    out = []
    for row in rows:
        entry = dict(zip((*keys, "mapping"), row, strict=True))
        entry["files"] = json.loads(entry["files"])
        entry["counts"] = json.loads(entry["counts"])
        entry["mapping"] = json.loads(entry["mapping"]) if entry["mapping"] else None
        out.append(entry)
    return out


def export_quarantine(
    warehouse: str | Path, out: str | Path, load_id: int | None = None
) -> int:
    """Write quarantined rows (of one load, or all) to CSV; returns the row count."""
    con = connect(warehouse, read_only=True)
    try:
        where = "WHERE load_id = ?" if load_id is not None else ""
        params = [load_id] if load_id is not None else []
        con.create_function("cell", csv_cell, ["VARCHAR"], "VARCHAR")  # never a formula
        con.execute(
            f"""CREATE TEMP TABLE q AS SELECT load_id, cell(table_name) AS table_name,
                cell(file) AS file, line, cell(array_to_string(reasons, '; ')) AS reasons,
                cell(original) AS original
                FROM quarantine {where} ORDER BY load_id, table_name, line""",
            params,
        )
        n = con.execute("SELECT count(*) FROM q").fetchone()[0]
        con.execute(f"COPY q TO '{Path(out).as_posix()}' (HEADER, DELIMITER ',')")
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()
    return n
