"""What a mapping file says, as data (read by ``ingest.mapping``, used by the reader in
``ingest.sources``): kept apart from the parser so that the reader needs nothing of it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TableMapping:
    """How one table of the format is read from the export."""

    table: str
    files: tuple[str, ...] = ()  # glob patterns, relative to the export's folder
    columns: dict[str, str] = field(default_factory=dict)  # export header -> column
    # column -> {the force's value, folded (``fold``) -> the contract's value, or None
    # for a blank}
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # column -> value
    drop: tuple[str, ...] = ()  # header patterns (case-insensitive globs)
    encoding: str | None = None
    delimiter: str | None = None
    date_format: str | None = None
    # A full name read as surname and forenames: (the export's column, its form, one of
    # ``derive.NAME_FORMS``).
    full_name: tuple[str, str] | None = None
    # Columns made of the export's columns and text: column -> parts, each (text,
    # whether it is an export column's name): ``person_id = "{OCC Ref}/V"``.
    compose: dict[str, tuple[tuple[str, bool], ...]] = field(default_factory=dict)
    # A row of the file gives a row of this table only when one of these export
    # columns is not blank (none: every row does).
    skip_rows_without: tuple[str, ...] = ()
    # Roles read from one wide row (``[tables.people.roles.victim]``): each a whole
    # mapping of the table, with ``role`` set; the table's own mapping then reads no
    # rows itself.
    roles: tuple[TableMapping, ...] = ()
    role: str | None = None
    # Where the mapping says it: ("tables", "people"), or ("tables", "people", "roles",
    # "victim").
    section: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        """Every export column this mapping reads (folded)."""
        out = {fold(h) for h in self.columns} | {fold(h) for h in self.skip_rows_without}
        if self.full_name:
            out.add(fold(self.full_name[0]))
        out |= {fold(text) for parts in self.compose.values() for text, is_column in parts
                if is_column}
        for role in self.roles:
            out |= role.headers()
        return out

    def header_for(self, column: str) -> list[str]:
        """The export headers this mapping reads as ``column``."""
        return [h for h, c in self.columns.items() if c == column]


@dataclass(frozen=True)
class Mapping:
    path: Path
    sha256: str
    tables: dict[str, TableMapping]
    name: str | None = None
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False)
    # The export's settings ([export]), for the tables the mapping does not list.
    unlisted: TableMapping = field(default_factory=lambda: TableMapping(""))

    def where(self, *key: str) -> str:
        """``force.toml, line 12: [tables.reports.values.offence]``: where an entry is,
        or would go, for a message."""
        return f"{self.path.name}, line {line_of(self.lines, key)}: [{dotted(key)}]"

    def entry_hint(self, table: str, column: str) -> str:
        """Where a value the mapping does not cover is to be mapped."""
        return f"add it to [tables.{table}.values.{column}] in {self.path.name}"


def fold(value: str) -> str:
    """A value (or column name) as matched: trimmed, in lower case (as the loader's
    SQL ``lower`` folds it)."""
    return value.strip().lower()


def dotted(key: tuple[str, ...]) -> str:
    return ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else toml_string(k) for k in key)


def toml_string(text: str) -> str:
    """A TOML basic string."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04X}", out)
    return f'"{out}"'


# ---------------------------------------------------------------------------------------
# Where each key is: tomllib gives values, not positions, so the text is scanned for its
# table headers and keys (a mapping's keys are on lines of their own; a key inside an
# inline table or a multi-line value is placed on the line of the key that holds it).

_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEY = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_KEY})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_KEY})\s*=")


def _parts(key: str) -> tuple[str, ...]:
    out = []
    for part in re.findall(_PART, key):
        if part.startswith('"'):
            out.append(tomllib.loads(f"k = {part}")["k"])
        elif part.startswith("'"):
            out.append(part[1:-1])
        else:
            out.append(part)
    return tuple(out)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Each table header's and key's line (1-based), by its full path."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = False
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            path = table + _parts(assign.group(1))
            lines.setdefault(path, number)
            for i in range(len(table) + 1, len(path)):  # dotted keys make tables
                lines.setdefault(path[:i], number)
            rest = line[assign.end():]
            if rest.count('"""') % 2 or rest.count("'''") % 2:
                in_multiline = True
    return lines


def line_of(lines: dict[tuple[str, ...], int], key: tuple[str, ...]) -> int:
    """The line of ``key``, else of the nearest enclosing key that has one, else 1."""
    for i in range(len(key), 0, -1):
        if key[:i] in lines:
            return lines[key[:i]]
    return 1
