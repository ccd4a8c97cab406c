"""Finding a data set's files, reading them in file order, numbering their rows.

Every cell is read as text so that no value is lost to a failed cast; the typing and
validation query (``validate``) runs over those text columns as the file is read, in
SQL over whole columns. Rows are written in file order and numbered from it, counting
the lines the CSV reader skipped: rows it cannot parse at all (ragged rows, bad
encodings, over-long lines), kept by DuckDB's rejects mechanism with their line and
text and quarantined, and blank lines.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import json
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from dvpi.contract import TABLES, Table
from dvpi.ingest.errors import LoadError

if TYPE_CHECKING:
    from dvpi.ingest.mapping_spec import Mapping, TableMapping


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"

FORMATS = ("csv", "xlsx", "parquet")
# Files with these suffixes in a data set's folder are data: one that is not named
# after a table of the format (or ``deleted_reports``) is reported, with the nearest name.
DATA_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq"}
# Load instructions that are not tables of the warehouse.
INSTRUCTION_FILES = ("deleted_reports",)
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
             "cp1252": "cp1252", "windows-1252": "cp1252", "win1252": "cp1252",
             "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1"}
ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
# Control characters that no value may hold (tab, line feed and carriage return may).
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_NOT_CONTROL = bytes(b for b in range(256) if b not in CONTROL_BYTES)
XLSX_ROW = "__dvpi_row"  # the sheet's row number, in a workbook converted for reading


def normalised_name(name: str) -> str:
    """A name as compared with the contract's: lower case, runs of other characters
    than letters and digits as one underscore (``Date of Birth`` -> ``date_of_birth``)."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def nearest(name: str, candidates) -> str | None:
    """The candidate nearest to ``name`` (same normalised name, or close spelling)."""
    candidates = list(candidates)
    key = normalised_name(name)
    by_key = {normalised_name(c): c for c in candidates}
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    return by_key[close[0]] if close else None


@dataclass
class Dialect:
    """How a CSV file is written. ``encoding`` and ``delimiter`` are given by the user
    (``given``) or detected; ``notes`` say what was detected, for the load's summary."""

    encoding: str | None = None  # None: detect
    delimiter: str | None = None  # None: detect
    newlines: str = "lf"  # lf, crlf, cr or mixed
    notes: list[str] = field(default_factory=list)
    # The file's own encoding, when it is read from a UTF-8 copy (``encoding`` is then
    # the copy's).
    file_encoding: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    """The user's choices for reading an export (``dvpi load`` options)."""

    encoding: str | None = None
    delimiter: str | None = None
    date_format: str | None = None
    allow_unknown_files: bool = False


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    lines: int  # physical lines, a last line without a line break included
    controls: bool = False  # holds a control character (other than tab, CR, LF)


def _fingerprint(path: Path) -> Fingerprint:
    """The file's SHA-256 and its physical lines, in one pass over its bytes. (Whether
    every line holds one record, or some are blank or inside a quoted value, is told
    by comparing the lines with the records read: see ``skipped_lines``.)"""
    digest, breaks, last, controls = hashlib.sha256(), 0, b"", False
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            breaks += block.count(b"\n")
            last = block[-1:]
            if not controls:  # (a fast C loop: 0.03 s per 100 MB)
                controls = bool(block.translate(None, _NOT_CONTROL))
    unterminated = 1 if last and last != b"\n" else 0
    return Fingerprint(digest.hexdigest(), breaks + unterminated, controls)


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
    options: ReadOptions = field(default_factory=ReadOptions)
    dialect: Dialect = field(default_factory=Dialect)
    # The file the reader reads: the file itself, or a UTF-8, LF copy of it (another
    # encoding, CR or mixed line endings), or a workbook's sheet as Parquet.
    read_path: Path | None = None
    read_lines: int | None = None  # physical lines of a copy
    warnings: list[str] = field(default_factory=list)
    # How the force's mapping reads this table (``dvpi load --mapping``), if any.
    mapping: TableMapping | None = None
    where: Mapping | None = None  # the whole mapping: its file and lines, for messages
    # The file's name in the stage: the table's, or ``<table>_<n>`` for the n-th of
    # several files of one table.
    stage: str = ""
    # Contract columns given a constant value by the mapping: column -> value.
    constants: dict[str, str] = field(default_factory=dict)
    # A wide file (read by several tables or roles, ``mapping._mark_wide``): the export
    # columns (folded) that the other readings of it read.
    wide: bool = False
    shared_headers: frozenset[str] = frozenset()
    # The export's columns read by a derivation (a full name): header as in the file.
    derived_columns: dict[str, str] = field(default_factory=dict)  # header -> what
    # The file as found (one stat): it must not change during the load.
    size: int = field(init=False)
    modified_ns: int = field(init=False)

    def __post_init__(self) -> None:
        self.stage = self.stage or self.table.name
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
        if self.read_lines is not None:
            return self.read_lines
        return self.fingerprint.result().lines

    @property
    def reading(self) -> Path:
        return self.read_path or self.path

    @property
    def reads_as(self) -> str:
        """How the reader reads it: "csv", or "parquet" (Parquet, and workbooks)."""
        return "csv" if self.format == "csv" else "parquet"

    @property
    def has_controls(self) -> bool:
        """Whether values may hold control characters (a CSV's bytes tell; a Parquet
        file's or a workbook's do not, and are always checked)."""
        return self.reads_as != "csv" or self.fingerprint.result().controls


@dataclass
class Layout:
    """Where a CSV file's physical lines do not each start a record: ``blank`` lines
    (outside quotes: the reader skips them) and ``continued`` lines (inside a quoted
    value that holds a line break: the record began on an earlier line)."""

    blank: list[int] = field(default_factory=list)
    continued: list[int] = field(default_factory=list)


def _still_quoted(line: bytes, inside: bool, delimiter: bytes = b",") -> bool:
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
        comma = line.find(delimiter, i)  # on to the next field
        if comma < 0:
            return False
        i = comma + 1
    return inside


def scan_layout(path: Path, delimiter: str = ",") -> Layout:
    """Read the file line by line, following quoted values as the reader does. Only
    files that need it come here: those with fewer records than lines."""
    layout, inside, delim = Layout(), False, delimiter.encode()
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if inside:
                layout.continued.append(number)
            elif line in (b"\n", b"\r\n") and number > 1:
                layout.blank.append(number)
            if inside or b'"' in line:
                inside = _still_quoted(line, inside, delim)
    return layout


def find_sources(data_dir: Path, options: ReadOptions | None = None) -> list[SourceFile]:
    """The data set's table files, in load order (see ``discover``)."""
    return discover(data_dir, options)[0]


def discover(data_dir: Path, options: ReadOptions | None = None,
             ) -> tuple[list[SourceFile], list[str]]:
    """The data set's table files, in load order, and warnings about the folder.
    Missing required tables stop the load; so do data files that are not named after a
    table (``Outcomes.csv``, ``outcome.csv``, ``people.tsv``), unless
    ``options.allow_unknown_files``: then they are left out, with a warning."""
    from dvpi.contract.tables import DELETED_REPORTS

    options = options or ReadOptions()
    if not data_dir.is_dir():
        raise LoadError(f"{data_dir}: not a folder (a data set is a folder of table files)")
    known = {f"{t}.{fmt}" for t in [*TABLES, *INSTRUCTION_FILES] for fmt in FORMATS}
    unknown = sorted(p.name for p in data_dir.iterdir()
                     if p.is_file() and not p.name.startswith(".")
                     and p.suffix.lower() in DATA_SUFFIXES and p.name not in known)
    hints = {name: _nearest_file(name, known) for name in unknown}
    sources: list[SourceFile] = []
    for table in [*TABLES.values(), DELETED_REPORTS]:
        found = [data_dir / f"{table.name}.{fmt}" for fmt in FORMATS]
        found = [p for p in found if p.is_file()]
        if len(found) > 1:
            raise LoadError(
                f"{data_dir}: both {found[0].name} and {found[1].name} are present; "
                f"keep one file per table"
            )
        if not found:
            if table.required:
                near = [n for n, h in hints.items() if h and h.startswith(table.name + ".")]
                also = f" ({near[0]} is there: rename it {table.name}.csv?)" if near else ""
                raise LoadError(
                    f"{data_dir / (table.name + '.csv')}: required table missing{also}")
            continue
        path = found[0]
        sources.append(SourceFile(table, path, path.suffix[1:], options=options))
    warnings = [f"{name}: not a file of the format" + (f"; did you mean {hint}?" if hint
                else f" (the files are {', '.join(t + '.csv' for t in TABLES)})")
                for name, hint in hints.items()]
    if warnings and not options.allow_unknown_files:
        raise LoadError("; ".join(warnings) + " (rename the files, or load with "
                        "--allow-unknown-files to leave them out)")
    return sources, [w + "; left out" for w in warnings]


def _nearest_file(name: str, known: set[str]) -> str | None:
    stem = Path(name).stem
    table = nearest(stem, sorted({Path(k).stem for k in known}))
    if table is None:
        return None
    fmt = Path(name).suffix.lower().lstrip(".")
    fmt = {"xlsm": "xlsx", "xls": "xlsx", "pq": "parquet"}.get(fmt, fmt)
    return f"{table}.{fmt if fmt in FORMATS else 'csv'}"


# ---------------------------------------------------------------------------------------
# Dialects: encodings, delimiters, line endings. A CSV in UTF-8 (a BOM or not) with LF
# or CRLF line endings is read as it is; any other is first copied to a UTF-8, LF file
# with the same lines, which is read instead (the ledger keeps the original's checksum).

SAMPLE_BYTES = 1 << 20


def _sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(SAMPLE_BYTES)
        if len(data) == SAMPLE_BYTES:  # cut at a line: no character split in two
            cut = data.rfind(b"\n")
            data = data[:cut + 1] if cut > 0 else data
    return data


def _newlines(data: bytes) -> str:
    crlf = data.count(b"\r\n")
    cr, lf = data.count(b"\r") - crlf, data.count(b"\n") - crlf
    if cr and not crlf and not lf:
        return "cr"
    if cr or (crlf and lf):
        return "mixed"
    return "crlf" if crlf else "lf"


def _whole_file_newlines(path: Path) -> str:
    crlf = cr = lf = 0
    carry = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            block = carry + block
            carry = b"\r" if block.endswith(b"\r") else b""
            if carry:
                block = block[:-1]
            n = block.count(b"\r\n")
            crlf, cr, lf = crlf + n, cr + block.count(b"\r") - n, lf + block.count(b"\n") - n
    cr += len(carry)
    if cr and not crlf and not lf:
        return "cr"
    if cr or (crlf and lf):
        return "mixed"
    return "crlf" if crlf else "lf"


def detect_encoding(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (or hold UTF-8 characters beside bad bytes: its
    bad rows are quarantined); else Windows-1252, or Latin-1 where a byte is undefined
    in Windows-1252. UTF-16 and binary files (NUL bytes) stay "UTF-8": they are refused."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return "utf-8"
    text = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
        return "utf-8"  # mixed: real UTF-8 characters and bad bytes
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _header_delimiter(header: bytes) -> str:
    """The candidate that occurs most often in the header line (outside quotes), comma
    on a tie or when there is none."""
    text = re.sub(rb'"[^"]*"', b"", header)
    counts = {d: text.count(d.encode()) for d in DELIMITERS}
    best = max(counts.values())
    return "," if best == 0 or counts[","] == best else max(counts, key=counts.get)


def sniff(source: SourceFile) -> None:
    """Decide how to read a CSV: its encoding, delimiter and line endings."""
    options, dialect = source.options, source.dialect
    data = _sample(source.path)
    if options.encoding:
        encoding = ENCODINGS.get(options.encoding.lower())
        if encoding is None:
            raise LoadError(f"--encoding {options.encoding}: not one of "
                            f"{', '.join(sorted(set(ENCODINGS)))}")
        dialect.encoding = encoding
    else:
        dialect.encoding = detect_encoding(data)
        if dialect.encoding != "utf-8":
            dialect.notes.append(f"{source.path.name}: not UTF-8; read as "
                                 f"{ENCODING_NAMES[dialect.encoding]} (detected; "
                                 f"--encoding to choose)")
    first = data.split(b"\n", 1)[0].split(b"\r", 1)[0]
    if options.delimiter:
        given = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
        delimiter = given.get(options.delimiter.lower(), options.delimiter)
        if delimiter not in DELIMITERS:
            raise LoadError(f"--delimiter {options.delimiter!r}: not one of , ; tab |")
        dialect.delimiter = delimiter
    else:
        dialect.delimiter = _header_delimiter(first)
        if dialect.delimiter != ",":
            shown_as = {"\t": "tab"}.get(dialect.delimiter, dialect.delimiter)
            dialect.notes.append(f"{source.path.name}: {shown_as}-delimited (detected)")
    dialect.newlines = _newlines(data)


def needs_copy(dialect: Dialect) -> bool:
    return dialect.encoding != "utf-8" or dialect.newlines in ("cr", "mixed")


def copy_as_utf8(source: SourceFile, folder: Path) -> None:
    """Copy a CSV to a UTF-8 file with LF line endings and the same lines (every CR,
    CRLF and LF a line break, as an editor counts them), to be read instead."""
    dialect = source.dialect
    dialect.file_encoding = dialect.encoding
    encoding = "utf-8-sig" if dialect.encoding == "utf-8" else dialect.encoding
    # Bytes that are not UTF-8 in a UTF-8 file stay as they are (the reader rejects
    # their rows, which are quarantined).
    errors = "surrogateescape" if dialect.encoding == "utf-8" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    out = folder / f"{source.stage}.csv"
    lines, last, line_no, carry = 0, "", 1, ""
    with source.path.open("rb") as handle, out.open("w", encoding="utf-8",
                                                    errors="surrogateescape",
                                                    newline="") as target:
        for block in iter(lambda: handle.read(1 << 22), b""):
            try:
                text = carry + decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = block[exc.start:exc.start + 1]
                line = line_no + block[:exc.start].count(b"\n")
                raise LoadError(
                    f"{source.path.name}, line {line}: byte 0x{bad.hex()} is not "
                    f"{ENCODING_NAMES[dialect.encoding]} text; give the file's encoding "
                    "with --encoding") from exc
            line_no += block.count(b"\n")
            carry = "\r" if text.endswith("\r") else ""
            if carry:
                text = text[:-1]
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            lines += text.count("\n")
            last = text[-1:] or last
            target.write(text)
        text = carry + decoder.decode(b"", final=True)
        text = text.replace("\r", "\n")
        lines += text.count("\n")
        last = text[-1:] or last
        target.write(text)
    source.read_path = out
    source.read_lines = lines + (1 if last and last != "\n" else 0)
    if dialect.newlines in ("cr", "mixed"):
        what = "CR" if dialect.newlines == "cr" else "mixed (LF, CRLF, CR)"
        dialect.notes.append(f"{source.path.name}: {what} line endings, read as lines")
    dialect.encoding = "utf-8"


def prepare(source: SourceFile, folder: Path) -> None:
    """Make a file readable by the reader: a CSV's dialect decided (and a copy made
    when needed), a workbook's sheet converted."""
    if source.format == "xlsx":
        xlsx_to_parquet(source, folder)
    elif source.format == "csv":
        sniff(source)
        if needs_copy(source.dialect):
            copy_as_utf8(source, folder)


def retry_as_copy(source: SourceFile, folder: Path, encoding_rejects: bool) -> bool:
    """After a read that failed (or rejected rows as not UTF-8), whether a copy of the
    file would read: line endings mixed beyond the sample, or a file that is not UTF-8
    beyond the sample. Makes the copy and returns True if so."""
    if source.format != "csv" or source.read_path is not None:
        return False
    dialect, changed = source.dialect, False
    newlines = _whole_file_newlines(source.path)
    if newlines in ("cr", "mixed"):
        dialect.newlines, changed = newlines, True
    if encoding_rejects and not source.options.encoding:
        encoding = detect_encoding(source.path.read_bytes())
        if encoding != "utf-8":
            dialect.encoding, changed = encoding, True
            dialect.notes.append(f"{source.path.name}: not UTF-8; read as "
                                 f"{ENCODING_NAMES[encoding]} (detected; --encoding to choose)")
    if changed:
        copy_as_utf8(source, folder)
    return changed


def _cell_text(value) -> str | None:
    """A workbook cell as the text a CSV export would hold."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_parquet(source: SourceFile, folder: Path) -> None:
    """A workbook's sheet (the one named after the table, else the first) as a Parquet
    file of text columns with each row's number in the sheet, ``XLSX_ROW``. Empty rows
    are no rows (their numbers are skipped, as a CSV's blank lines are)."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        book = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file it cannot open
        raise LoadError(f"{source.path.name}: cannot be read as an Excel workbook "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
                        ) from exc
    try:
        sheet = (book[source.table.name] if source.table.name in book.sheetnames
                 else book.worksheets[0])
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or all(v is None for v in header):
            raise LoadError(f"{source.path.name}, sheet {sheet.title!r}, line 1: "
                            "empty sheet, no header row")
        names = [_cell_text(v) or f"column_{i + 1}" for i, v in enumerate(header)]
        body: list[list[str | None]] = []
        numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row]
            if all(c is None or c == "" for c in cells):
                continue
            while len(cells) > len(names):  # a value beyond the header: keep it
                if cells[-1] is None:
                    cells.pop()
                else:
                    names.append(f"column_{len(names) + 1}")
            body.append(cells + [None] * (len(names) - len(cells)))
            numbers.append(number)
    finally:
        book.close()
    if XLSX_ROW in names:
        raise LoadError(f"{source.path.name}, line 1: a column is named {XLSX_ROW}")
    columns = {n: pa.array([r[i] for r in body], pa.string()) for i, n in enumerate(names)}
    columns[XLSX_ROW] = pa.array(numbers, pa.int64())
    out = folder / f"{source.stage}.parquet"
    pq.write_table(pa.table(columns), out)
    source.read_path = out
    source.dialect.notes.append(f"{source.path.name}: sheet {sheet.title!r} read")


def _csv_header(path: Path, dialect: Dialect | None = None) -> list[str]:
    delimiter = dialect.delimiter if dialect and dialect.delimiter else ","
    with path.open("rb") as handle:
        first = handle.readline()
    if not first.strip():
        raise LoadError(f"{path.name}, line 1: empty file, no header row")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"{path.name}, line 1: header is not UTF-8 text ({exc.reason}); "
            "give the file's encoding with --encoding"
        ) from exc
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise LoadError(f"{path.name}, line 1: unreadable header ({exc})") from exc


def _parquet_header(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> list[str]:
    try:
        rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise LoadError(f"{name}: cannot be read as Parquet ({plain(exc)})") from exc
    return [r[0] for r in rows if r[0] != XLSX_ROW]


def plain(exc: Exception) -> str:
    """An engine's error in a sentence: its first line, without the error class and
    without advice about the engine's own settings."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text)
    line = re.search(r"[Ll]ine:? (\d+)", str(exc))
    return text + (f" (near line {line.group(1)})" if line and "line" not in text.lower()
                   else "")


def map_columns(source: SourceFile, header: list[str]) -> None:
    """Match the header to the contract: names are case-insensitive, order is free.
    A column that is not the contract's but near one (``Date of Birth``) is kept in
    ``_extra`` with a warning naming the contract column. With a mapping, its column
    names come first, dropped columns are left out, and constant columns must not be
    in the file too."""
    if source.mapping is not None:
        _map_mapped_columns(source, header)
        return
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if key in seen:
            raise LoadError(f"{source.path.name}, line 1: column {name!r} appears twice")
        seen[key] = name
    missing = [c.name for c in source.table.columns if c.name not in seen]
    for column in source.table.columns:
        if column.name in seen:
            source.columns[column.name] = seen.pop(column.name)
        elif column.required:
            near = [h for h in seen.values() if nearest(h, [column.name])]
            also = f" (is {near[0]!r} it? rename the column)" if near else ""
            raise LoadError(
                f"{source.path.name}, line 1: required column {column.name!r} is missing{also}"
            )
    source.extra_columns = list(seen.values())
    for name in source.extra_columns:
        near = nearest(name, missing)
        if near:
            source.warnings.append(
                f"{source.path.name}: column {name!r} is not a column of the format (kept "
                f"in _extra, not used); did you mean {near!r}? Rename it to load it")


def _map_mapped_columns(source: SourceFile, header: list[str]) -> None:
    """``map_columns`` through the table's mapping: a header the mapping names is its
    column; else a header named as a contract column is that column; a header that
    matches a ``drop`` pattern is left out; any other is kept in ``_extra``."""
    from dvpi.ingest.mapping_spec import fold

    mapping, where = source.mapping, source.where
    table, file = source.table, source.path.name
    renamed = {fold(h): c for h, c in mapping.columns.items()}
    names = {c.name for c in table.columns}
    taken: dict[str, str] = {}  # contract column -> header
    extra: list[str] = []
    seen: set[str] = set()
    # What derivations read: a full name, the columns a row needs, composed columns'
    # parts (which may be mapped columns too).
    derived = {fold(h) for h in mapping.skip_rows_without}
    derived |= {fold(mapping.full_name[0])} if mapping.full_name else set()
    derived |= {fold(text) for parts in mapping.compose.values()
                for text, is_column in parts if is_column}
    source.derived_columns = {}
    for name in header:
        key = fold(name)
        if key in seen:
            raise LoadError(f"{file}, line 1: column {name!r} appears twice")
        seen.add(key)
        if key in derived:
            source.derived_columns[key] = name
        target = renamed.get(key)
        if target is None and key in names and key not in mapping.columns.values():
            target = key  # the contract's own name, not mapped from another column
        if target is not None and target in source.constants:
            raise LoadError(
                f"{file}, line 1: column {name!r} is {target!r}, which "
                f"{where.where('tables', table.name, 'constants', target)} gives a "
                "constant value: keep one of them")
        if target is not None:
            taken[target] = name
        elif key in derived or key in source.shared_headers:
            continue  # read by a derivation, or by another table of a wide file
        elif not any(fnmatchcase(key, fold(p)) for p in mapping.drop):
            extra.append(name)
    section = mapping.section or ("tables", table.name)
    wanted = [(mapping.full_name[0], (*section, "full_name", "column"))] \
        if mapping.full_name else []
    wanted += [(h, (*section, "skip_rows_without")) for h in mapping.skip_rows_without]
    wanted += [(text, (*section, "compose", column))
               for column, parts in mapping.compose.items()
               for text, is_column in parts if is_column]
    for name, key in wanted:
        if fold(name) not in source.derived_columns:
            raise LoadError(f"{file}, line 1: no column {name!r}, which "
                            f"{where.where(*key)} reads")
    from_name = (*(("surname", "forenames") if mapping.full_name else ()), *mapping.compose)
    for column in table.columns:
        if column.name in taken or column.name in source.constants or \
                column.name in from_name:
            continue
        mapped_from = mapping.header_for(column.name)
        if mapped_from:
            at = where.where("tables", table.name, "columns", mapped_from[0])
            text = (f"{file}, line 1: no column {mapped_from[0]!r}, which {at} maps to "
                    f"{column.name!r}")
            if column.required:
                raise LoadError(text)
            source.warnings.append(text + "; the column is read as blank")
        elif column.required:
            near = [h for h in extra if nearest(h, [column.name, *column.synonyms])]
            also = (f" (is {near[0]!r} it? map it in "
                    f"[tables.{table.name}.columns] of {where.path.name})" if near else "")
            raise LoadError(f"{file}, line 1: required column {column.name!r} is missing, "
                            f"and {where.path.name} maps no column to it{also}")
    source.columns = {c.name: taken[c.name] for c in table.columns if c.name in taken}
    source.extra_columns = extra
    if extra:
        source.warnings.append(
            f"{file}: {len(extra)} column(s) neither mapped nor dropped in "
            f"{where.path.name} (kept in _extra, not used): "
            + ", ".join(repr(e) for e in extra[:8]) + (" ..." if len(extra) > 8 else ""))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_csv(path: Path, rejects: str, dialect: Dialect | None = None) -> str:
    """The reader over a CSV: every column text; unparsable rows go to ``rejects``."""
    names = [h.lstrip("\ufeff") for h in _csv_header(path, dialect)]
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    delimiter = dialect.delimiter if dialect and dialect.delimiter else ","
    return (
        f"read_csv({sql_str(str(path))}, header = true, auto_detect = false, "
        f"columns = {columns}, delim = {sql_str(delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, store_rejects = true, "
        f"rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')"
    )


def _csv_reader(path: Path, rejects: str, dialect: Dialect) -> str:
    """``_read_csv``, given the dialect only where it is not the format's own (the
    two-argument call is the one tests replace)."""
    if dialect.delimiter in (None, ","):
        return _read_csv(path, rejects)
    return _read_csv(path, rejects, dialect)


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
        kind = {"parquet": "Parquet", "xlsx": "an Excel workbook"}.get(source.format, "CSV")
        raise LoadError(f"{source.path.name}: cannot be read as {kind}: {plain(exc)}") from exc
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
    # A workbook's rows are numbered as in the sheet; a Parquet file's from 1.
    line = XLSX_ROW if source.format == "xlsx" else "file_row_number + 1"
    return (f"SELECT {casts}, {line} AS _line "
            f"FROM read_parquet({sql_str(str(source.reading))}, file_row_number = true)")


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
    source.columns, source.extra_columns, source.warnings = {}, [], []
    if source.reads_as == "parquet":
        map_columns(source, _parquet_header(con, source.reading, source.path.name))
        return f"({_parquet_rows(source)})"
    map_columns(source, _csv_header(source.reading, source.dialect))
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {rejects}_scan")
    return _csv_reader(source.reading, rejects, source.dialect)


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
    name = source.stage
    table, continued = f"{STAGE}.skipped_{name}", f"{STAGE}.continued_{name}"
    # Every physical line is the header, a row read or a line rejected, unless some are
    # blank or inside a quoted value: only then is the file scanned for them.
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {rejects}").fetchone()[0]
    layout = Layout()
    if _lines_accounted(rows, rejected, layout) != source.physical_lines:
        layout = scan_layout(source.reading, source.dialect.delimiter or ",")
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
    if source.reads_as == "parquet":  # numbered by the reader
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {table}")
        return view
    ordinal = f"rowid - {_first_rowid(con, table)} + 1"
    name = source.stage
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
    raw = f"{STAGE}.raw_{source.stage}"
    if source.reads_as == "parquet":
        con.execute(
            f"""CREATE OR REPLACE TABLE {raw} AS SELECT * FROM ({_parquet_rows(source)})
            WHERE _line IN (SELECT unnest(?::BIGINT[]))""",
            [lines],
        )
        return raw
    continued = {r[0] for r in con.execute(
        f"SELECT line FROM {STAGE}.continued_{source.stage}").fetchall()}
    spans = {}
    for start in sorted(lines):
        end = start
        while end + 1 in continued:
            end += 1
        spans[start] = end
    wanted = sorted({1, *(n for a, b in spans.items() for n in range(a, b + 1))})
    text = _physical_lines(source.reading, wanted)
    records = [b"\n".join(text[n] for n in range(a, b + 1)) for a, b in spans.items()]
    with tempfile.TemporaryDirectory(prefix="dvpi-originals-") as folder:
        extract = Path(folder) / source.path.name
        extract.write_bytes(b"\n".join([text[1], *records]) + b"\n")
        read_in_order(con, source, f"{raw}_text",
                      f"SELECT * FROM {_csv_reader(extract, 'rejects_again', source.dialect)}")
    first = _first_rowid(con, f"{raw}_text")
    con.execute(
        f"""CREATE OR REPLACE TABLE {raw} AS
        SELECT r.*, l.line AS _line FROM (SELECT *, rowid AS _rid FROM {raw}_text) AS r
        JOIN (SELECT unnest(?::BIGINT[]) AS line, unnest(?::BIGINT[]) AS i) AS l
        ON r._rid - {first} + 1 = l.i""",
        [list(spans), list(range(1, len(spans) + 1))],
    )
    return raw
