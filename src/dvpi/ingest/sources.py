"""Finding a data set's files and reading each into a staging table, as text.

Every cell is read as text so that no value is lost to a failed cast: typing and
validation happen afterwards, in SQL, over whole columns (see ``validate``). Rows the
CSV reader cannot parse at all (ragged rows, bad encodings, over-long lines) are kept
by DuckDB's rejects mechanism with their line and text, and quarantined.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dvpi.contract import TABLES, Table
from dvpi.ingest.errors import LoadError


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

FORMATS = ("csv", "parquet")


@dataclass
class SourceFile:
    table: Table
    path: Path
    format: str
    sha256: str
    size: int
    # Input column name (as in the file) for each contract column present.
    columns: dict[str, str] = field(default_factory=dict)
    # Input columns the contract does not know: kept as JSON in _extra.
    extra_columns: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_sources(data_dir: Path) -> list[SourceFile]:
    """The data set's table files, in load order. Missing required tables stop the load."""
    if not data_dir.is_dir():
        raise LoadError(f"{data_dir}: not a folder (a data set is a folder of table files)")
    sources: list[SourceFile] = []
    for table in TABLES.values():
        found = [data_dir / f"{table.name}.{fmt}" for fmt in FORMATS]
        found = [p for p in found if p.is_file()]
        if len(found) > 1:
            raise LoadError(
                f"{data_dir}: both {found[0].name} and {found[1].name} are present; "
                f"keep one file per table"
            )
        if not found:
            if table.required:
                raise LoadError(f"{data_dir / (table.name + '.csv')}: required table missing")
            continue
        path = found[0]
        sources.append(
            SourceFile(table, path, path.suffix[1:], sha256_of(path), path.stat().st_size)
        )
    return sources


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline()
    if not first.strip():
        raise LoadError(f"{path.name}, line 1: empty file, no header row")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{path.name}, line 1: header is not UTF-8 text ({exc.reason})"
        ) from exc
    try:
        return next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as exc:
        raise LoadError(f"{path.name}, line 1: unreadable header ({exc})") from exc


def _parquet_header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    try:
        rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise LoadError(f"{path.name}: cannot be read as Parquet ({exc})") from exc
    return [r[0] for r in rows]


def map_columns(source: SourceFile, header: list[str]) -> None:
    """Match the header to the contract: names are case-insensitive, order is free."""
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in seen:
            raise LoadError(f"{source.path.name}, line 1: column {name!r} appears twice")
        seen[key] = name
    for column in source.table.columns:
        if column.name in seen:
            source.columns[column.name] = seen.pop(column.name)
        elif column.required:
            raise LoadError(
                f"{source.path.name}, line 1: required column {column.name!r} is missing"
            )
    source.extra_columns = list(seen.values())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage(con: duckdb.DuckDBPyConnection, source: SourceFile) -> tuple[str, str | None]:
    """Read a file into a temp table of text columns plus ``_line``.

    Returns the staging table and, for CSV, the table of rows the reader rejected.
    """
    raw, rejects = f"raw_{source.table.name}", f"rejects_{source.table.name}"
    if source.format == "parquet":
        header = _parquet_header(con, source.path)
        map_columns(source, header)
        casts = ", ".join(f"CAST({_quote(h)} AS VARCHAR) AS {_quote(h)}" for h in header)
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {casts}, "
                f"file_row_number + 1 AS _line "
                f"FROM read_parquet(?, file_row_number = true)",
                [str(source.path)],
            )
        except duckdb.Error as exc:
            raise LoadError(f"{source.path.name}: cannot be read as Parquet ({exc})") from exc
        return raw, None

    header = _csv_header(source.path)
    map_columns(source, header)
    names = [h.lstrip("\ufeff") for h in header]
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {raw}_parsed AS
            SELECT * FROM read_csv(?, header = true, auto_detect = false,
                columns = {columns}, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false,
                store_rejects = true, rejects_table = '{rejects}',
                rejects_scan = '{rejects}_scan')""",
            [str(source.path)],
        )
    except duckdb.Error as exc:
        raise LoadError(f"{source.path.name}: cannot be read as CSV ({exc})") from exc
    # The reader keeps file order (insertion order is preserved), so a parsed row's
    # line is its position plus one for the header, counting the rejected lines in
    # between (one record per line). With nothing rejected, that is rowid + 2: a view,
    # no copy — the common case, and the one the loader's speed depends on.
    has_rejects = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0] > 0
    if not has_rejects:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {raw} AS "
            f"SELECT *, rowid + 2 AS _line FROM {raw}_parsed"
        )
        return raw, rejects
    # Rejected line r_j (the j-th, in order) comes before parsed row o when the good
    # lines above it number fewer than o: r_j - 1 - j < o. An as-of join counts them.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {raw} AS
        WITH numbered AS (
            SELECT line, row_number() OVER (ORDER BY line) AS j
            FROM (SELECT DISTINCT line FROM {rejects})
        ),
        rejected AS (  -- consecutive rejected lines share good_before: keep the last
            SELECT line - 1 - j AS good_before, max(j) AS j FROM numbered GROUP BY ALL
        ),
        parsed AS (SELECT *, rowid + 1 AS _ord FROM {raw}_parsed)
        SELECT parsed.* EXCLUDE (_ord), parsed._ord + 1 + coalesce(rejected.j, 0) AS _line
        FROM parsed ASOF LEFT JOIN rejected ON parsed._ord > rejected.good_before"""
    )
    con.execute(f"DROP TABLE {raw}_parsed")
    return raw, rejects
