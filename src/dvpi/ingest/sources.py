"""Finding a data set's files, reading them in file order, numbering their rows.

Every cell is read as text so that no value is lost to a failed cast; the typing and
validation query (``validate``) runs over those text columns as the file is read, in
SQL over whole columns. Rows are written in file order and numbered from it, counting
the lines the CSV reader skipped: rows it cannot parse at all (ragged rows, bad
encodings, over-long lines), kept by DuckDB's rejects mechanism with their line and
text and quarantined, and blank lines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dvpi.contract import TABLES, Table
from dvpi.ingest.errors import LoadError


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    lines: int  # physical lines, a last line without a line break included


def _fingerprint(path: Path) -> Fingerprint:
    """The file's SHA-256 and its physical lines, in one pass over its bytes. (Whether
    every line holds one record, or some are blank or inside a quoted value, is told
    by comparing the lines with the records read: see ``skipped_lines``.)"""
    digest, breaks, last = hashlib.sha256(), 0, b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            breaks += block.count(b"\n")
            last = block[-1:]
    unterminated = 1 if last and last != b"\n" else 0
    return Fingerprint(digest.hexdigest(), breaks + unterminated)


# Files are fingerprinted on a thread of their own, while DuckDB (which releases the
# GIL, as hashlib does) reads them: a load waits for a checksum only when it needs one.
_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvpi-fingerprint")


@dataclass
class SourceFile:
    table: Table
    path: Path
    format: str
    fingerprint: Future[Fingerprint] | None = None
    # Input column name (as in the file) for each contract column present.
    columns: dict[str, str] = field(default_factory=dict)
    # Input columns the contract does not know: kept as JSON in _extra.
    extra_columns: list[str] = field(default_factory=list)
    # The file as found (one stat): it must not change during the load.
    size: int = field(init=False)
    modified_ns: int = field(init=False)

    def __post_init__(self) -> None:
        st = self.path.stat()
        self.size, self.modified_ns = st.st_size, st.st_mtime_ns
        if self.fingerprint is None:
            self.fingerprint = _HASHING.submit(_fingerprint, self.path)

    def check_unchanged(self) -> None:
        """Stop the load if the file changed since it was found (an export still being
        written, or replaced): its rows, checksum and quarantined values would not be
        of one version of the file."""
        st = self.path.stat()
        if (st.st_size, st.st_mtime_ns) != (self.size, self.modified_ns):
            raise LoadError(f"{self.path.name}: the file changed while it was being loaded; "
                            "load it again once it is complete")

    @property
    def sha256(self) -> str:
        return self.fingerprint.result().sha256

    @property
    def physical_lines(self) -> int:
        return self.fingerprint.result().lines


@dataclass
class Layout:
    """Where a CSV file's physical lines do not each start a record: ``blank`` lines
    (outside quotes: the reader skips them) and ``continued`` lines (inside a quoted
    value that holds a line break: the record began on an earlier line)."""

    blank: list[int] = field(default_factory=list)
    continued: list[int] = field(default_factory=list)


def _still_quoted(line: bytes, inside: bool) -> bool:
    """Whether a line ends inside a quoted value, given whether it starts inside one.
    As DuckDB reads a CSV: a quote opens a quoted value only at the start of a field (a
    quote within an unquoted value is a character like any other), and inside one a
    doubled quote is a quote."""
    i, end = 0, len(line)
    while i < end:
        if inside:
            q = line.find(b'"', i)
            if q < 0:
                return True
            if line[q + 1:q + 2] == b'"':  # an escaped quote: still inside
                i = q + 2
                continue
            inside, i = False, q + 1
        elif line[i:i + 1] == b'"':  # a field that starts with a quote
            inside, i = True, i + 1
            continue
        comma = line.find(b",", i)  # on to the next field
        if comma < 0:
            return False
        i = comma + 1
    return inside


def scan_layout(path: Path) -> Layout:
    """Read the file line by line, following quoted values as the reader does. Only
    files that need it come here: those with fewer records than lines."""
    layout, inside = Layout(), False
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if inside:
                layout.continued.append(number)
            elif line in (b"\n", b"\r\n") and number > 1:
                layout.blank.append(number)
            if inside or b'"' in line:
                inside = _still_quoted(line, inside)
    return layout


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
        sources.append(SourceFile(table, path, path.suffix[1:]))
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


def _read_csv(path: Path, rejects: str) -> str:
    """The reader over a CSV: every column text; unparsable rows go to ``rejects``."""
    names = [h.lstrip("\ufeff") for h in _csv_header(path)]
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    return (
        f"read_csv({sql_str(str(path))}, header = true, auto_detect = false, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, store_rejects = true, "
        f"rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')"
    )


# The operators a read may run through and keep the file's order: the scan, projections,
# and the table it writes (the batch variant puts batches back in order; the plain one
# runs on one thread when order is preserved).
_ORDER_KEEPING = {"RESULT_COLLECTOR", "BATCH_CREATE_TABLE_AS", "CREATE_TABLE_AS",
                  "PROJECTION", "TABLE_SCAN"}


def _operators(node: dict) -> list[str]:
    """The operator types in a query profile (its root holds the plan under "operator",
    each operator its inputs under "children")."""
    own = [node["type"]] if "type" in node else []
    inputs = [*node.get("operator", []), *node.get("children", [])]
    return [*own, *(t for c in inputs for t in _operators(c))]


STAGE = "stage"  # the in-memory database the loader reads files into (see ``staging``)


def read_in_order(con: duckdb.DuckDBPyConnection, source: SourceFile, table: str,
                  select: str) -> None:
    """``CREATE TABLE table AS select``, keeping the file's row order: line numbers come
    from it (see ``number_rows``). Read errors name the file.

    DuckDB keeps insertion order through scans and projections only, and only where
    ``preserve_insertion_order`` is on (for this connection: the loader's other
    connection runs unordered, which is faster). Its IN-clause optimizer turns a long
    IN list (a code list) into a join; the setting is global, so it is switched off for
    the loader's database as a whole (nothing the loader runs needs it). And the plan
    that ran is checked, from DuckDB's profile of the query, so that no other change
    can slip a reordering operator into the read and silently give rows other rows'
    lines.
    """
    con.execute("SET disabled_optimizers = 'in_clause'")
    con.execute("SET SESSION preserve_insertion_order = true")
    con.execute("PRAGMA enable_profiling = 'no_output'")
    try:
        # The plain CREATE_TABLE_AS operator keeps order only with the setting on.
        if not con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]:
            raise RuntimeError("preserve_insertion_order is off for the reading connection")
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select}")
        ran = _operators(json.loads(con.get_profiling_information(format="json")))
    except duckdb.Error as exc:
        kind = "Parquet" if source.format == "parquet" else "CSV"
        raise LoadError(f"{source.path.name}: cannot be read as {kind} ({exc})") from exc
    finally:
        con.execute("PRAGMA disable_profiling")
        con.execute("SET SESSION preserve_insertion_order = false")
    reordering = sorted(set(ran) - _ORDER_KEEPING)
    if reordering or "TABLE_SCAN" not in ran:  # a bug in the reading query, never bad input
        con.execute(f"DROP TABLE {table}")
        raise RuntimeError(f"{source.path.name}: the read ran through "
                           f"{', '.join(reordering or ran)}, which may reorder rows")


def _parquet_rows(source: SourceFile) -> str:
    """A Parquet file's mapped columns as text, with ``_line``, its row number."""
    header = [*source.columns.values(), *source.extra_columns]
    casts = ", ".join(f"CAST({_quote(h)} AS VARCHAR) AS {_quote(h)}" for h in header)
    return (f"SELECT {casts}, file_row_number + 1 AS _line "
            f"FROM read_parquet({sql_str(str(source.path))}, file_row_number = true)")


def _first_rowid(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows written in order are numbered from their rowid less the first one (rowids
    need not start at 0)."""
    return con.execute(f"SELECT coalesce(min(rowid), 0) FROM {table}").fetchone()[0]


def reader(con: duckdb.DuckDBPyConnection, source: SourceFile, rejects: str) -> str:
    """The file as a relation of text columns, with its header mapped to the contract.

    A Parquet file's rows carry ``_line`` (the row's number in the file). A CSV file's
    rows are numbered afterwards from their order (``number_rows``); rows the reader
    cannot parse go to the connection's temporary table ``rejects``.
    """
    if source.format == "parquet":
        map_columns(source, _parquet_header(con, source.path))
        return f"({_parquet_rows(source)})"
    map_columns(source, _csv_header(source.path))
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    return _read_csv(source.path, rejects)


def _numbered_lines(lines: str) -> str:
    """(line, j): ``lines`` (a query of line numbers) numbered in order from 1."""
    return (f"SELECT line, row_number() OVER (ORDER BY line) AS j "
            f"FROM (SELECT DISTINCT line FROM ({lines}))")


def _lines_accounted(rows: int, rejected: int, layout: Layout) -> int:
    """The physical lines the header, the rows read, the lines rejected, the blank
    lines and the lines inside quoted values make together."""
    return 1 + rows + rejected + len(layout.blank) + len(layout.continued)


def _check_every_line_read(source: SourceFile, rows: int, rejected: int,
                           layout: Layout) -> None:
    """Stop the load unless every physical line of the file is accounted for: the
    header, a row read, a line rejected, a blank line or a line inside a quoted value.
    Rows are numbered from this count, and no row may go missing unnoticed: a quote left
    open (an unquoted value holding a stray quote) makes the reader and the count part
    ways, and DuckDB's reader has been seen to stop short of a file's end without an
    error (with some buffer sizes)."""
    accounted = _lines_accounted(rows, rejected, layout)
    if accounted == source.physical_lines:
        return
    source.check_unchanged()  # an export still being written: say so
    where = (f"; the first value read as quoted across lines starts on line "
             f"{layout.continued[0] - 1}" if layout.continued else "")
    raise LoadError(
        f"{source.path.name}: {source.physical_lines:,} lines, but the CSV reader gave "
        f"{rows:,} rows and {rejected:,} rejected lines, which with the header, "
        f"{len(layout.blank):,} blank lines and {len(layout.continued):,} lines inside "
        f"quoted values make {accounted:,}{where}. A quote may be unbalanced (a value "
        "holding a quote must be quoted, its quotes doubled); nothing was loaded")


def skipped_lines(con: duckdb.DuckDBPyConnection, source: SourceFile, rejects: str,
                  rows: int) -> str:
    """Keep, in the stage, where a CSV file's lines and its rows part ways; returns the
    table of skipped lines.

    DuckDB numbers a file's lines as records: a quoted value with line breaks is one
    line to it. The rows read are numbered the same way (``number_rows``), counting the
    lines skipped before them: those the reader rejected (kept with their text and why:
    they are quarantined) and the blank ones, which it skips without a trace. Then
    record lines become physical lines, counting the lines inside quoted values
    (``stage.continued_<table>``). The skipped table holds (line: as a record, physical,
    csv_line, error_type, column_name, error_message), with NULL texts for a blank line.
    """
    name = source.table.name
    table, continued = f"{STAGE}.skipped_{name}", f"{STAGE}.continued_{name}"
    # Every physical line is the header, a row read or a line rejected, unless some are
    # blank or inside a quoted value: only then is the file scanned for them.
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rejects}").fetchone()[0]
    layout = Layout()
    if _lines_accounted(rows, rejected, layout) != source.physical_lines:
        layout = scan_layout(source.path)
        _check_every_line_read(source, rows, rejected, layout)
    con.execute(f"CREATE OR REPLACE TABLE {continued} AS SELECT unnest(?::BIGINT[]) AS line",
                [layout.continued])
    # A physical line p: its record line is p less the continued lines above it.
    con.execute(f"""CREATE OR REPLACE TABLE {table} AS
        SELECT line, NULL::BIGINT AS physical, csv_line, error_type, column_name,
               error_message FROM {rejects}""")
    if layout.blank:
        con.execute(f"INSERT INTO {table} (physical) SELECT unnest(?::BIGINT[])",
                    [layout.blank])
        con.execute(f"""UPDATE {table} AS s SET line = s.physical
            - (SELECT count(*) FROM {continued} AS c WHERE c.line < s.physical)
            WHERE s.line IS NULL""")
    # And a record line n's physical line: n plus the continued lines c_j (the j-th)
    # above it, those with c_j - j < n.
    con.execute(f"""UPDATE {table} AS s SET physical = s.line + (
            SELECT count(*) FROM ({_numbered_lines(f'SELECT line FROM {continued}')}) AS c
            WHERE c.line - c.j < s.line)
        WHERE s.physical IS NULL""")
    return table


def number_rows(con: duckdb.DuckDBPyConnection, source: SourceFile, table: str) -> str:
    """A view of ``table`` (read in file order by ``read_in_order``) with each row's
    physical line in the file, ``_line``; returns its name.

    A CSV row's line is its position plus one for the header, plus the lines skipped
    before it, plus the lines inside quoted values above it (see ``skipped_lines``).
    """
    view = f"{table}_lines"
    if source.format == "parquet":  # numbered by the reader
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {table}")
        return view
    ordinal = f"rowid - {_first_rowid(con, table)} + 1"
    name = source.table.name
    skipped, continued = f"{STAGE}.skipped_{name}", f"{STAGE}.continued_{name}"
    if not con.execute(f"SELECT (SELECT count(*) FROM {skipped}) "
                       f"+ (SELECT count(*) FROM {continued})").fetchone()[0]:
        con.execute(f"CREATE OR REPLACE VIEW {view} AS "
                    f"SELECT *, {ordinal} + 1 AS _line FROM {table}")
        return view
    # Row o's record line: a skipped line r_j (the j-th) comes before it when the
    # rows above it number fewer than o: r_j - 1 - j < o. Then its physical line, as
    # in ``skipped_lines``. Two as-of joins count them; consecutive skipped (or
    # continued) lines share a threshold, and the last of them counts.
    con.execute(
        f"""CREATE OR REPLACE TABLE {table}_map AS
        WITH skipped AS (
            SELECT line - 1 - j AS rows_before, max(j) AS j
            FROM ({_numbered_lines(f'SELECT line FROM {skipped}')}) GROUP BY ALL
        ),
        continued AS (
            SELECT line - j AS lines_before, max(j) AS j
            FROM ({_numbered_lines(f'SELECT line FROM {continued}')}) GROUP BY ALL
        ),
        rows AS (SELECT rowid AS rid, {ordinal} AS ord FROM {table}),
        records AS (
            SELECT rows.rid, rows.ord + 1 + coalesce(skipped.j, 0) AS line
            FROM rows ASOF LEFT JOIN skipped ON rows.ord > skipped.rows_before
        )
        SELECT records.rid, records.line + coalesce(continued.j, 0) AS _line
        FROM records ASOF LEFT JOIN continued ON records.line > continued.lines_before"""
    )
    con.execute(
        f"CREATE OR REPLACE VIEW {view} AS SELECT r.*, m._line "
        f"FROM (SELECT *, rowid AS _rid FROM {table}) AS r JOIN {table}_map AS m "
        f"ON r._rid = m.rid"
    )
    return view


def _physical_lines(path: Path, wanted: list[int]) -> dict[int, bytes]:
    """The physical lines ``wanted`` (sorted) of a file, as bytes without their line
    break; read in blocks, so a big file costs one pass and little memory."""
    found: dict[int, bytes] = {}
    number, carry, i = 1, b"", 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            lines = (carry + block).split(b"\n")
            carry = lines.pop()  # the last line may go on in the next block
            last = number + len(lines) - 1
            while i < len(wanted) and wanted[i] <= last:
                found[wanted[i]] = lines[wanted[i] - number]
                i += 1
            number = last + 1
    if carry and i < len(wanted) and wanted[i] == number:
        found[number] = carry
    return found


def original_rows(con: duckdb.DuckDBPyConnection, source: SourceFile, lines: list[int]) -> str:
    """The rows starting on ``lines`` as given in the file: a table with ``_line`` and
    the file's columns as text, for the quarantine's original values.

    Only these rows are read again. A CSV's records are cut from its physical lines
    (with the lines inside their quoted values), written under the file's header to a
    small file and read by the same reader, so they split exactly as they did.
    """
    source.check_unchanged()  # the lines must be those that were read
    raw = f"{STAGE}.raw_{source.table.name}"
    if source.format == "parquet":
        con.execute(
            f"""CREATE OR REPLACE TABLE {raw} AS SELECT * FROM ({_parquet_rows(source)})
            WHERE _line IN (SELECT unnest(?::BIGINT[]))""",
            [lines],
        )
        return raw
    continued = {r[0] for r in con.execute(
        f"SELECT line FROM {STAGE}.continued_{source.table.name}").fetchall()}
    spans = {}
    for start in sorted(lines):
        end = start
        while end + 1 in continued:
            end += 1
        spans[start] = end
    wanted = sorted({1, *(n for a, b in spans.items() for n in range(a, b + 1))})
    text = _physical_lines(source.path, wanted)
    records = [b"\n".join(text[n] for n in range(a, b + 1)) for a, b in spans.items()]
    with tempfile.TemporaryDirectory(prefix="dvpi-originals-") as folder:
        extract = Path(folder) / source.path.name
        extract.write_bytes(b"\n".join([text[1], *records]) + b"\n")
        read_in_order(con, source, f"{raw}_text",
                      f"SELECT * FROM {_read_csv(extract, 'rejects_again')}")
    first = _first_rowid(con, f"{raw}_text")
    con.execute(
        f"""CREATE OR REPLACE TABLE {raw} AS
        SELECT r.*, l.line AS _line FROM (SELECT *, rowid AS _rid FROM {raw}_text) AS r
        JOIN (SELECT unnest(?::BIGINT[]) AS line, unnest(?::BIGINT[]) AS i) AS l
        ON r._rid - {first} + 1 = l.i""",
        [list(spans), list(range(1, len(spans) + 1))],
    )
    return raw
