"""Mapping files: a force describes its own export once, in TOML (or YAML), and dvpi
reads it.

A mapping says, per table of the format, which of the export's files feed it (glob
patterns), which of their columns are which contract columns, what the force's values
mean in the contract's codes, how dates are written, the files' encoding and
delimiter, columns to drop and constant columns; and derivations (``derive``): a full
name read as surname and forenames, columns composed of others, the roles of one wide
row (a victim's and a suspect's columns side by side) and the rows a table skips.
Everything in it is checked against the contract registry (``dvpi.contract``) before
a file is read: a bad mapping stops with the mapping file, the line and the key. The
format is documented, with a complete example, in docs/data-format.md ("Mapping
files").

    [export]                      # defaults for every table (all optional)
    encoding = "cp1252"
    date_format = "DD/MM/YYYY"

    [tables.reports]
    files = ["Occurrences*.csv"]
    drop = ["Officer*", "Station"]

    [tables.reports.columns]      # the export's header = the contract's column
    "Crime Ref" = "report_id"

    [tables.reports.values.offence]   # the force's value = the contract's code
    "Assault Occ ABH" = "abh"

    [tables.reports.constants]    # a column the export does not have
    hbv_flag = false
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from dvpi.contract import TABLES, Column, Table, codes
from dvpi.contract.tables import DELETED_REPORTS
from dvpi.ingest.derive import NAME_FORMS
from dvpi.ingest.errors import LoadError
from dvpi.ingest.mapping_spec import (
    Mapping,
    TableMapping,
    dotted,
    fold,
    key_lines,
    line_of,
)
from dvpi.ingest.sources import (
    DATA_SUFFIXES,
    DELIMITERS,
    ENCODINGS,
    FORMATS,
    ReadOptions,
    SourceFile,
    nearest,
)
from dvpi.ingest.validate import DATE_FORMATS

MAPPABLE: dict[str, Table] = {**TABLES, DELETED_REPORTS.name: DELETED_REPORTS}
MAX_FILE_BYTES = 4 << 20  # a mapping is a page or two; a bigger file is not a mapping
MAX_TEXT = 500  # characters in one key or value
MAX_VALUES = 5000  # entries in one column's value map
EXPORT_KEYS = ("name", "encoding", "delimiter", "date_format")
TABLE_KEYS = ("files", "columns", "values", "constants", "drop", "encoding", "delimiter",
              "date_format", "full_name", "skip_rows_without", "roles", "compose")
ROLE_KEYS = ("columns", "constants", "full_name", "skip_rows_without", "compose")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class MappingError(LoadError):
    """A mapping file that cannot be used: the message names the file, line and key."""


# ---------------------------------------------------------------------------------------


class _Reader:
    """Checks a parsed mapping against the contract, one key at a time."""

    def __init__(self, path: Path, lines: dict[tuple[str, ...], int]) -> None:
        self.path, self.lines = path, lines

    def column(self, table: Table, name: str, key: tuple[str, ...]) -> None:
        """A column of ``table`` named in the mapping: sane text, and in the contract
        (else the nearest name)."""
        self.sane(name, key)
        if name not in table.column_names:
            near = nearest(name, table.column_names)
            hint = f"; did you mean {near!r}?" if near else ""
            raise self.fail(key, f"{table.name} has no column {name!r}{hint}")

    def fail(self, key: tuple[str, ...], text: str) -> MappingError:
        shown = f"[{dotted(key[:-1])}] {dotted(key[-1:])}" if len(key) > 1 else \
            f"[{dotted(key)}]"
        return MappingError(f"{self.path}, line {line_of(self.lines, key)}: {shown}: {text}")

    def table_of(self, doc: dict, key: tuple[str, ...]) -> dict:
        value = doc
        for k in key:
            value = value.get(k, {}) if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{dotted(key)}]), not "
                                 f"{_kind(value)}")
        return value

    def known(self, section: dict, key: tuple[str, ...], allowed) -> None:
        for k in section:
            if k not in allowed:
                near = nearest(k, allowed)
                hint = f"; did you mean {near!r}?" if near else \
                    f" (the keys are {', '.join(allowed)})"
                raise self.fail((*key, k), f"unknown key{hint}")

    def text(self, value, key: tuple[str, ...], what: str = "a string") -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"must be {what}, not {_kind(value)}")
        self.sane(value, key)
        return value

    def sane(self, value: str, key: tuple[str, ...]) -> None:
        if len(value) > MAX_TEXT:
            raise self.fail(key, f"is {len(value):,} characters long (at most {MAX_TEXT})")
        if _CONTROL.search(value):
            raise self.fail(key, "holds a control character")

    def texts(self, value, key: tuple[str, ...]) -> tuple[str, ...]:
        """A string or a list of strings."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"must be a string or a list of strings, not {_kind(value)}")
        if len(value) > MAX_VALUES:
            raise self.fail(key, f"lists {len(value):,} entries (at most {MAX_VALUES:,})")
        return tuple(self.text(v, key, "a string") for v in value)

    def choice(self, value, key: tuple[str, ...], choices) -> str:
        text = self.text(value, key)
        lookup = {c.lower(): c for c in choices}
        if text.lower() not in lookup:
            raise self.fail(key, f"{text!r} is not one of {', '.join(sorted(set(choices)))}")
        return lookup[text.lower()]

    def delimiter(self, value, key: tuple[str, ...]) -> str:
        text = self.text(value, key)
        named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
        text = named.get(text.lower(), text)
        if text not in DELIMITERS:
            raise self.fail(key, f"{text!r} is not a delimiter the loader reads "
                                 "(, ; tab |)")
        return text


def _kind(value) -> str:
    names = {str: "a string", int: "a number", float: "a number", bool: "true/false",
             list: "a list", dict: "a table", type(None): "nothing (null)"}
    return names.get(type(value), type(value).__name__)


def contract_value(column: Column, value) -> str | None:
    """A mapping's target (or constant) for ``column`` as the loader reads it, or
    ValueError saying why it is not a value of the column. None: a blank."""
    if isinstance(value, bool):
        if column.type != "bool":
            raise ValueError(f"true/false is not a value of {column.name} ({column.type})")
        return "true" if value else "false"
    if isinstance(value, int) and column.type in ("integer", "number"):
        value = str(value)
    if isinstance(value, float) and column.type == "number":
        value = repr(value)
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_kind(value)}")
    text = value.strip()
    if text == "":
        if column.required:
            raise ValueError(f"{column.name} is required: a blank is not a value of it")
        return None
    if column.type == "code":
        folded = text.upper() if column.upper else text.lower()
        folded = column.aliases.get(folded, folded)
        if folded not in column.codes:
            near = nearest(text, column.codes)
            hint = f" (did you mean {near!r}?)" if near else \
                f" (its codes: {', '.join(column.codes)})"
            raise ValueError(f"{text!r} is not a code of {column.name}{hint}")
        return folded
    if column.type == "bool":
        if text.lower() in codes.TRUE_WORDS:
            return "true"
        if text.lower() in codes.FALSE_WORDS:
            return "false"
        raise ValueError(f"{text!r} is not true or false")
    if column.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise ValueError(f"{text!r} is not a whole number")
        n = int(text)
        low = column.min_value if column.min_value is not None else -(2**62)
        high = column.max_value if column.max_value is not None else 2**62
        if not low <= n <= high:
            raise ValueError(f"{n} is outside {low}..{high}")
        return str(n)
    if column.type == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r} is not a finite number")
        return text
    if column.type == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return text


def _glob_pattern(reader: _Reader, pattern: str, key: tuple[str, ...]) -> str:
    """A files pattern stays inside the export's folder."""
    pure = PurePosixPath(pattern.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", pattern):
        raise reader.fail(key, f"{pattern!r}: a pattern names files inside the export's "
                               "folder (no absolute path, no '..')")
    if pattern.strip() in ("", "."):
        raise reader.fail(key, "an empty pattern")
    return pattern


def _columns(reader: _Reader, doc: dict, key: tuple[str, ...], table: Table,
             inherited: dict[str, str]) -> dict[str, str]:
    """``[<key>.columns]``: export header -> contract column, after ``inherited`` (the
    table's own columns, for a role)."""
    name = table.name
    columns: dict[str, str] = dict(inherited)
    seen_headers: dict[str, str] = {fold(h): h for h in inherited}
    for header, target in reader.table_of(doc, (*key, "columns")).items():
        k = (*key, "columns", header)
        reader.sane(header, k)
        if not header.strip():
            raise reader.fail(k, "an empty column name")
        target = reader.text(target, k, "the name of a column of " + name)
        if target not in table.column_names:
            near = nearest(target, table.column_names)
            hint = f"; did you mean {near!r}?" if near else \
                f" (its columns: {', '.join(table.column_names)})"
            raise reader.fail(k, f"{target!r} is not a column of {name}{hint}")
        folded = fold(header)
        if folded in seen_headers:
            raise reader.fail(k, f"the column {seen_headers[folded]!r} is mapped already "
                                 "(column names match whatever their case)")
        seen_headers[folded] = header
        if target in columns.values():
            other = next(h for h, c in columns.items() if c == target)
            raise reader.fail(k, f"{target!r} is mapped from {other!r} already")
        columns[header] = target
    return columns


def _constants(reader: _Reader, doc: dict, key: tuple[str, ...], table: Table,
               columns: dict[str, str], inherited: dict[str, str]) -> dict[str, str]:
    constants: dict[str, str] = dict(inherited)
    for column_name, value in reader.table_of(doc, (*key, "constants")).items():
        k = (*key, "constants", column_name)
        reader.column(table, column_name, k)
        if column_name in columns.values():
            raise reader.fail(k, f"{column_name!r} is mapped from the export's "
                                 f"{next(h for h, c in columns.items() if c == column_name)!r} "
                                 "too: give it one or the other")
        if isinstance(value, str):
            reader.sane(value, k)
        try:
            mapped = contract_value(table.column(column_name), value)
        except ValueError as exc:
            raise reader.fail(k, str(exc)) from None
        if mapped is None:
            raise reader.fail(k, "a constant must have a value")
        constants[column_name] = mapped
    return constants


def _full_name(reader: _Reader, section: dict, key: tuple[str, ...], table: Table,
               columns: dict[str, str], constants: dict[str, str]) -> tuple[str, str] | None:
    """``full_name = { column = "Name", form = "SURNAME, Forenames" }``."""
    if "full_name" not in section:
        return None
    k = (*key, "full_name")
    entry = section["full_name"]
    if not isinstance(entry, dict):
        raise reader.fail(k, 'must be a table: { column = "...", form = "..." }, not '
                             f"{_kind(entry)}")
    reader.known(entry, k, ("column", "form"))
    for part in ("column", "form"):
        if part not in entry:
            raise reader.fail(k, f"says no {part} "
                                 '({ column = "Name", form = "SURNAME, Forenames" })')
    header = reader.text(entry["column"], (*k, "column"))
    if not header.strip():
        raise reader.fail((*k, "column"), "an empty column name")
    form = reader.choice(entry["form"], (*k, "form"), NAME_FORMS)
    missing = [c for c in ("surname", "forenames") if c not in table.column_names]
    if missing:
        raise reader.fail(k, f"{table.name} has no {' or '.join(missing)} column")
    for target in ("surname", "forenames"):
        if target in columns.values() or target in constants:
            raise reader.fail(k, f"{target!r} is mapped in [{dotted(key)}] already: "
                                 "read it from the full name or from its own column")
    if fold(header) in {fold(h) for h in columns}:
        raise reader.fail((*k, "column"), f"{header!r} is mapped in "
                                          f"[{dotted((*key, 'columns'))}] too")
    return header, form


def _compose(reader: _Reader, doc: dict, key: tuple[str, ...], table: Table,
             taken: set[str], inherited: dict) -> dict[str, tuple[tuple[str, bool], ...]]:
    """``[<key>.compose]``: ``person_id = "{OCC Ref}/V"``: a column made of the export's
    columns (in braces) and text."""
    out = dict(inherited)
    for column_name, template in reader.table_of(doc, (*key, "compose")).items():
        k = (*key, "compose", column_name)
        reader.column(table, column_name, k)
        if column_name in taken or column_name in out:
            raise reader.fail(k, f"{column_name!r} is given a value already (columns, "
                                 "constants, full_name or compose): give it one")
        if table.column(column_name).type != "text":
            raise reader.fail(k, f"{column_name} is not a text column: compose makes ids "
                                 "and other text")
        template = reader.text(template, k)
        parts: list[tuple[str, bool]] = []
        at = 0
        for match in re.finditer(r"\{([^{}]*)\}", template):
            if match.start() > at:
                parts.append((template[at:match.start()], False))
            if not match.group(1).strip():
                raise reader.fail(k, "{} names no column")
            parts.append((match.group(1), True))
            at = match.end()
        parts += [(template[at:], False)] if at < len(template) else []
        if any(("{" in t or "}" in t) for t, is_column in parts if not is_column):
            raise reader.fail(k, f"{template!r}: a brace that closes no column name")
        if not any(is_column for _, is_column in parts):
            raise reader.fail(k, f"{template!r} names no column of the export "
                                 '(in braces: "{OCC Ref}/V"); a value for every row is a '
                                 "constant")
        out[column_name] = tuple(parts)
    return out


def _skip_rows_without(reader: _Reader, section: dict, key: tuple[str, ...],
                       default: tuple[str, ...]) -> tuple[str, ...]:
    if "skip_rows_without" not in section:
        return default
    headers = reader.texts(section["skip_rows_without"], (*key, "skip_rows_without"))
    for header in headers:
        if not header.strip():
            raise reader.fail((*key, "skip_rows_without"), "an empty column name")
    return headers


def _roles(reader: _Reader, doc: dict, key: tuple[str, ...], base: TableMapping,
           table: Table) -> tuple[TableMapping, ...]:
    """``[tables.people.roles.<role>]``: one wide row read as a row per role."""
    section = reader.table_of(doc, (*key, "roles"))
    if not section:
        return ()
    if "role" not in table.column_names:
        raise reader.fail((*key, "roles"), f"{table.name} has no role column: roles are "
                                           "for [tables.people]")
    role_column = table.column("role")
    if "role" in base.columns.values() or "role" in base.constants:
        raise reader.fail((*key, "roles"), "the role is given by each role's name: map "
                                           "no column (or constant) to role")
    if base.full_name:
        raise reader.fail((*key, "full_name"), "give each role its own full_name")
    roles = []
    for role in section:
        rk = (*key, "roles", role)
        reader.sane(role, rk)
        try:
            code = contract_value(role_column, role)
        except ValueError as exc:
            raise reader.fail(rk, str(exc)) from None
        body = reader.table_of(doc, rk)
        reader.known(body, rk, ROLE_KEYS)
        own = _columns(reader, doc, rk, table, {})
        for header, target in own.items():
            if fold(header) in {fold(h) for h in base.columns}:
                raise reader.fail((*rk, "columns", header), f"{header!r} is mapped in "
                                  f"[{dotted((*key, 'columns'))}] too")
            if target in base.columns.values():
                raise reader.fail((*rk, "columns", header), f"{target!r} is mapped for "
                                  f"every role in [{dotted((*key, 'columns'))}] already")
        columns = {**base.columns, **own}
        constants = _constants(reader, doc, rk, table, columns,
                               {**base.constants, "role": code})
        full_name = _full_name(reader, body, rk, table, columns, constants)
        taken = {*columns.values(), *constants, *(("surname", "forenames") if full_name
                                                   else ())}
        compose = _compose(reader, doc, rk, table, taken, base.compose)
        default = tuple(own) + ((full_name[0],) if full_name else ())
        skip = _skip_rows_without(reader, body, rk, default)
        if not skip:
            raise reader.fail(rk, "reads no column of its own: say which of the row's "
                                  "columns are this role's")
        roles.append(replace(base, columns=columns, constants=constants,
                             full_name=full_name, skip_rows_without=skip, role=code,
                             section=rk, compose=compose))
    return tuple(roles)


def _table(reader: _Reader, doc: dict, name: str, defaults: dict) -> TableMapping:
    key = ("tables", name)
    section = reader.table_of(doc, key)
    reader.known(section, key, TABLE_KEYS)
    table = MAPPABLE[name]
    files = tuple(_glob_pattern(reader, p, (*key, "files"))
                  for p in reader.texts(section["files"], (*key, "files"))) \
        if "files" in section else ()

    columns = _columns(reader, doc, key, table, {})
    seen_headers = {fold(h): h for h in columns}

    values: dict[str, dict[str, str | None]] = {}
    section_values = reader.table_of(doc, (*key, "values"))
    for column_name, entries in section_values.items():
        k = (*key, "values", column_name)
        reader.column(table, column_name, k)
        entries = reader.table_of(doc, k)
        if len(entries) > MAX_VALUES:
            raise reader.fail(k, f"maps {len(entries):,} values (at most {MAX_VALUES:,})")
        column = table.column(column_name)
        folded_map: dict[str, str | None] = {}
        originals: dict[str, str] = {}
        for source_value, target in entries.items():
            ek = (*k, source_value)
            reader.sane(source_value, ek)
            if isinstance(target, str):
                reader.sane(target, ek)
            try:
                mapped = contract_value(column, target)
            except ValueError as exc:
                raise reader.fail(ek, str(exc)) from None
            folded = fold(source_value)
            if folded == "":
                raise reader.fail(ek, "a blank value is read as blank; it cannot be mapped")
            if folded in folded_map and folded_map[folded] != mapped:
                raise reader.fail(ek, f"{originals[folded]!r} is mapped already, to "
                                      f"{folded_map[folded]!r} (values match whatever "
                                      "their case)")
            folded_map[folded], originals[folded] = mapped, source_value
        values[column_name] = folded_map

    constants = _constants(reader, doc, key, table, columns, {})

    drop = reader.texts(section["drop"], (*key, "drop")) if "drop" in section else ()
    for pattern in drop:
        if fold(pattern) in seen_headers:
            raise reader.fail((*key, "drop"), f"{pattern!r} is mapped in "
                                              f"[tables.{name}.columns]: map it or drop it")

    def setting(option: str, parse):
        if option in section:
            return parse(section[option], (*key, option))
        return defaults.get(option)

    full_name = _full_name(reader, section, key, table, columns, constants)
    taken = {*columns.values(), *constants, *(("surname", "forenames") if full_name else ())}
    base = TableMapping(
        name, files, columns, values, constants, drop,
        encoding=setting("encoding", lambda v, k: reader.choice(v, k, ENCODINGS)),
        delimiter=setting("delimiter", reader.delimiter),
        date_format=setting("date_format", lambda v, k: reader.choice(v, k, DATE_FORMATS)),
        full_name=full_name,
        skip_rows_without=_skip_rows_without(reader, section, key, ()),
        section=key,
        compose=_compose(reader, doc, key, table, taken, {}),
    )
    roles = _roles(reader, doc, key, base, table)
    return replace(base, roles=roles) if roles else base


YAML_SUFFIXES = (".yaml", ".yml")
MAX_YAML_NODES = 200_000  # aliases may repeat a node: a bound on what they expand to


def _toml_doc(text: str, path: Path) -> tuple[dict, dict[tuple[str, ...], int]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        at = f", line {where.group(1)}, column {where.group(2)}" if where else ""
        raise MappingError(f"{path}{at}: not valid TOML: {what}") from None
    return doc, key_lines(text)


def _yaml_doc(text: str, path: Path) -> tuple[dict, dict[tuple[str, ...], int]]:
    """A YAML mapping as the same document a TOML one gives, with each key's line.

    Keys are taken as they are written (YAML 1.1 would read a key ``Y`` or ``yes`` as
    true, and ``1`` as a number: in a value map they are the force's text); values as
    YAML reads them (``true``, ``16``, ``"text"``)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MappingError(f"{path}{at}: not valid YAML: {what}") from None
    lines: dict[tuple[str, ...], int] = {}
    scalars = yaml.SafeLoader("")
    built = 0

    def build(node, key: tuple[str, ...]):
        nonlocal built
        built += 1
        if built > MAX_YAML_NODES:
            raise MappingError(f"{path}, line {node.start_mark.line + 1}: more than "
                               f"{MAX_YAML_NODES:,} values (aliases repeat too much)")
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for k, v in node.value:
                line = k.start_mark.line + 1
                if not isinstance(k, yaml.ScalarNode):
                    raise MappingError(f"{path}, line {line}: a key must be text")
                if k.value in out:
                    raise MappingError(f"{path}, line {line}: {dotted((*key, k.value))} "
                                       "is given twice")
                lines.setdefault((*key, k.value), line)
                out[k.value] = build(v, (*key, k.value))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(v, key) for v in node.value]
        try:
            return scalars.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise MappingError(f"{path}, line {node.start_mark.line + 1}: "
                               f"{dotted(key)}: {getattr(exc, 'problem', exc)}") from None

    doc = build(root, ()) if root is not None else {}
    if not isinstance(doc, dict):
        raise MappingError(f"{path}, line 1: a mapping is a table of keys (export:, "
                           f"tables:), not {_kind(doc)}")
    return doc, lines


def parse_mapping(text: str, path: Path) -> Mapping:
    """A mapping from its TOML (or, for a .yaml or .yml file, YAML) text;
    MappingError (naming ``path``, the line and the key) when it cannot be used."""
    if path.suffix.lower() in YAML_SUFFIXES:
        doc, lines = _yaml_doc(text, path)
    else:
        doc, lines = _toml_doc(text, path)
    reader = _Reader(path, lines)
    reader.known(doc, (), ("export", "tables"))
    export = reader.table_of(doc, ("export",))
    reader.known(export, ("export",), EXPORT_KEYS)
    defaults: dict[str, str] = {}
    if "encoding" in export:
        defaults["encoding"] = reader.choice(export["encoding"], ("export", "encoding"),
                                             ENCODINGS)
    if "delimiter" in export:
        defaults["delimiter"] = reader.delimiter(export["delimiter"], ("export", "delimiter"))
    if "date_format" in export:
        defaults["date_format"] = reader.choice(export["date_format"],
                                                ("export", "date_format"), DATE_FORMATS)
    name = reader.text(export["name"], ("export", "name")) if "name" in export else None
    tables_section = reader.table_of(doc, ("tables",))
    reader.known(tables_section, ("tables",), tuple(MAPPABLE))
    if not tables_section:
        raise MappingError(f"{path}, line 1: no [tables.NAME] section: a mapping maps "
                           f"at least one of {', '.join(MAPPABLE)}")
    tables = {t: _table(reader, doc, t, defaults) for t in MAPPABLE if t in tables_section}
    sha = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    # Tables the mapping does not list are read as the format's own files, with the
    # export's settings.
    unlisted = TableMapping("", encoding=defaults.get("encoding"),
                            delimiter=defaults.get("delimiter"),
                            date_format=defaults.get("date_format"))
    return Mapping(path, sha, tables, name, lines, unlisted)


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MappingError(f"{path}: {size:,} bytes; a mapping file is at most "
                               f"{MAX_FILE_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise MappingError(f"{path}, line {line}: not UTF-8 text (a mapping file is "
                           "saved as UTF-8)") from None
    return parse_mapping(text, path)


# ---------------------------------------------------------------------------------------
# An export's files, found through its mapping.

SUFFIX_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx",
                  ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}


def _options_for(table: TableMapping | None, options: ReadOptions) -> ReadOptions:
    """The command line's options win; else the mapping's (the table's, else the
    export's)."""
    if table is None:
        return options
    return ReadOptions(options.encoding or table.encoding,
                       options.delimiter or table.delimiter,
                       (options.date_format or table.date_format or "").upper() or None,
                       options.allow_unknown_files)


def _mark_wide(sources: list[SourceFile]) -> None:
    """A file read by more than one table or role is a wide file: each reading of it
    leaves the columns the others read alone (not kept in ``_extra``, not warned
    about, as are the columns any of them drops), and gives one row for rows that
    repeat the same values (see ``staging.leave_out``)."""
    by_path: dict[Path, list[SourceFile]] = {}
    for source in sources:
        by_path.setdefault(source.path, []).append(source)
    for group in by_path.values():
        if len(group) < 2:
            continue
        drop = tuple(dict.fromkeys(p for o in group if o.mapping for p in o.mapping.drop))
        for source in group:
            source.wide = True
            source.shared_headers = frozenset().union(
                *(o.mapping.headers() for o in group if o is not source and o.mapping))
            if source.mapping is not None:  # a column one reading drops, all drop
                source.mapping = replace(source.mapping, drop=drop)


def discover_mapped(data_dir: Path, mapping: Mapping, options: ReadOptions | None = None,
                    ) -> tuple[list[SourceFile], list[str]]:
    """The export's files, in load order, as its mapping names them: each table's
    ``files`` patterns (sorted by name: a weekly split loads week by week), or the
    format's own file name for a table the mapping gives no files. A data file that no
    table claims stops the load, as in ``sources.discover``."""
    options = options or ReadOptions()
    if not data_dir.is_dir():
        raise LoadError(f"{data_dir}: not a folder (an export is a folder of files)")
    present = sorted(p for p in data_dir.iterdir()
                     if p.is_file() and not p.name.startswith("."))
    claimed: set[Path] = set()
    sources: list[SourceFile] = []
    notes: list[str] = []
    for name, table in MAPPABLE.items():
        tm = mapping.tables.get(name)
        if tm is not None and tm.files:
            found = sorted({p for p in present for pattern in tm.files
                            if fnmatchcase(p.name, pattern)})
            if not found:
                at = mapping.where("tables", name, "files")
                if table.required:
                    raise LoadError(f"{data_dir}: no file matches the files of {at} "
                                    f"({', '.join(tm.files)}); {name} is required")
                notes.append(f"{name}: no file matches {', '.join(tm.files)} ({at}); "
                             "nothing loaded into it")
                continue
        else:
            found = [data_dir / f"{name}.{fmt}" for fmt in FORMATS]
            found = [p for p in found if p.is_file()]
            if len(found) > 1:
                raise LoadError(f"{data_dir}: both {found[0].name} and {found[1].name} are "
                                "present; keep one file per table")
            if not found:
                if table.required:
                    raise LoadError(
                        f"{data_dir}: no file for {name}, which is required: give its "
                        f"files in [tables.{name}] of {mapping.path.name} "
                        f"(files = [\"...\"]), or name it {name}.csv")
                continue
        readers = (tm.roles or (tm,)) if tm is not None else (None,)
        i = 0
        for path in found:
            fmt = SUFFIX_FORMATS.get(path.suffix.lower())
            if fmt is None:
                raise LoadError(f"{path.name}: the loader reads .csv, .tsv, .txt, .xlsx "
                                "and .parquet files (save an old .xls workbook as .xlsx)")
            claimed.add(path)
            for reading in readers:  # a wide row: a source per role
                stage = name if i == 0 else f"{name}_{i + 1}"
                i += 1
                # A table the mapping does not list is read as the format's own file.
                source = SourceFile(table, path, fmt,
                                    options=_options_for(reading or mapping.unlisted, options),
                                    mapping=reading, where=mapping, stage=stage,
                                    constants=dict(reading.constants) if reading else {})
                sources.append(source)
    _mark_wide(sources)
    unknown = [p.name for p in present if p not in claimed
               and p.suffix.lower() in DATA_SUFFIXES]
    warnings = [f"{n}: matches no files pattern of {mapping.path.name}" for n in unknown]
    if warnings and not options.allow_unknown_files:
        raise LoadError("; ".join(warnings) + " (add it to a table's files, or load with "
                        "--allow-unknown-files to leave it out)")
    return sources, [w + "; left out" for w in warnings] + notes
