"""Validation as SQL over whole columns, built from the contract's declarations.

For each table this builds one SELECT over the staging table that yields every
contract column typed and canonical, plus ``_reasons``: everything wrong with the row
(NULL when the row is good). Nothing here loops over rows in Python.
"""

from __future__ import annotations

from dvpi.contract import Column, Table, codes
from dvpi.ingest.derive import split_name_sql
from dvpi.ingest.mapping_spec import fold
from dvpi.ingest.sources import SourceFile, sql_str

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"
INTEGER_PATTERN = r"^[+-]?\d{1,18}(\.0+)?$"
EARLIEST_YEAR, LATEST_YEAR = 1850, 2100
# --date-format: the day-first and month-first forms exports use, besides ISO 8601
# (always read: it cannot be mistaken for either). (strptime format, pattern)
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "YYYY-MM-DD": ("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}$"),
    "DD/MM/YYYY": ("%d/%m/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
    "MM/DD/YYYY": ("%m/%d/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
    "DD-MM-YYYY": ("%d-%m-%Y", r"^\d{1,2}-\d{1,2}-\d{4}$"),
    "DD.MM.YYYY": ("%d.%m.%Y", r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    "YYYY/MM/DD": ("%Y/%m/%d", r"^\d{4}/\d{1,2}/\d{1,2}$"),
    # Oracle's default (03-APR-2007): English month abbreviations, any case.
    "DD-MON-YYYY": ("%d-%b-%Y", r"^\d{1,2}-[A-Za-z]{3}-\d{4}$"),
}
# A date written day- or month-first, when no --date-format says which.
_LOOKS_LIKE = r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}([T ].*)?$"
CONTROL_PATTERN = "[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]"


def sql_list(values) -> str:
    return "(" + ", ".join(sql_str(str(v)) for v in values) + ")"


def cleaned(column: str) -> str:
    """A cell's text without surrounding spaces; NULL when blank.

    DuckDB's ``trim`` strips the space and the Unicode space separators (no-break
    space, em space ...), which spreadsheet exports leave behind. It is costly on every
    cell, so it runs only where it can change something: a cell that starts or ends with
    a space, or holds any non-ASCII character (byte length differs from length).
    """
    c = ident(column)
    return (f"CASE WHEN {c} LIKE ' %' OR {c} LIKE '% ' OR strlen({c}) <> length({c}) "
            f"THEN NULLIF(trim({c}), '') WHEN {c} <> '' THEN {c} END")


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# A row's reasons travel as one text, joined by this character (the ASCII unit
# separator), NULL when there are none: a text column is updated in place, where
# DuckDB updates a list column by deleting and re-inserting the row, which would take
# the row out of the file's order that its line number comes from.
SEPARATOR = "chr(31)"


def shown(expr: str) -> str:
    """A value quoted for a reason text: shortened, control characters (line breaks,
    the reasons' separator) as '?'. The quarantine keeps the whole value as given."""
    short = f"left(CAST({expr} AS VARCHAR), 40)"
    return f"(chr(39) || regexp_replace({short}, '[\\x00-\\x1f]', '?', 'g') || chr(39))"


def join_reasons(reasons: list[str]) -> str:
    """The reasons that are not NULL, as one text; NULL when there are none."""
    return f"NULLIF(concat_ws({SEPARATOR}, {', '.join(reasons)}), '')"


def reasons_as_list(expr: str) -> str:
    return f"string_split({expr}, {SEPARATOR})"


def _reason(column: str, text: str) -> str:
    return sql_str(f"{column}: {text}")


def _date_hint(v: str, name: str) -> str:
    """For a value that is not a date: a second reason when it is written day- or
    month-first, saying how to read it (else nothing). It follows the first reason in
    the same branch, after the reasons' separator, so that the pattern runs only on
    values already found not to be dates: repeating the cell's expression in a
    reason of its own cost every cell of every date column."""
    return (f"coalesce(CASE WHEN regexp_matches({v}, '{_LOOKS_LIKE}') THEN {SEPARATOR} || "
            f"{_reason(name, 'dates are read as YYYY-MM-DD; this one looks day- or month-first')}"
            f" || ' (' || {shown(v)} || '): load with --date-format DD/MM/YYYY "
            f"(or MM/DD/YYYY)' END, '')")


def mapped_values(raw: str, values: dict[str, str | None]) -> str:
    """``raw`` (a cleaned cell) through a mapping's value map: keys are folded values
    (``mapping.fold``: trimmed, case folded), targets the contract's values (None: a
    blank). Values the map does not hold pass as they are."""
    if not values:
        return raw
    cases = " ".join(f"WHEN {sql_str(k)} THEN "
                     f"{sql_str(t) if t is not None else 'CAST(NULL AS VARCHAR)'}"
                     for k, t in values.items())
    return f"(CASE lower({raw}) {cases} ELSE {raw} END)"


def column_sql(column: Column, raw: str, date_format: str | None = None,
               hint: str | None = None) -> tuple[str, list[str]]:
    """(typed canonical value, [reason expressions that are NULL when fine]).
    ``date_format`` (a key of ``DATE_FORMATS``): dates in that form are read too.
    ``hint``: said after a value that is not a code, boolean or number of the column
    (where to map it, for a mapped export)."""
    v = raw
    fmt = DATE_FORMATS[date_format] if date_format and date_format != "YYYY-MM-DD" else None
    reasons: list[str] = []
    name = column.name
    tail = f" || {sql_str('; ' + hint)}" if hint else ""
    if column.type == "text":
        value = v
    elif column.type == "code":
        folded = f"upper({v})" if column.upper else f"lower({v})"
        if column.aliases:
            cases = " ".join(
                f"WHEN {sql_str(a)} THEN {sql_str(c)}" for a, c in column.aliases.items()
            )
            folded = f"(CASE {folded} {cases} ELSE {folded} END)"
        value = f"(CASE WHEN {folded} IN {sql_list(column.codes)} THEN {folded} END)"
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not in its code list'{tail} END"
        )
    elif column.type == "date" and fmt:
        value = (
            f"(CASE WHEN regexp_matches({v}, '{DATE_PATTERN}') THEN TRY_CAST({v} AS DATE) "
            f"WHEN regexp_matches({v}, '{fmt[1]}') THEN "
            f"CAST(TRY_STRPTIME({v}, '{fmt[0]}') AS DATE) END)"
        )
        matches = f"(regexp_matches({v}, '{DATE_PATTERN}') OR regexp_matches({v}, '{fmt[1]}'))"
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND NOT {matches} THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a date ({date_format} or "
            f"YYYY-MM-DD)' "
            f"WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is an impossible date' "
            f"WHEN year({value}) NOT BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR} THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is an impossible date' END"
        )
    elif column.type == "date":
        value = (
            f"(CASE WHEN regexp_matches({v}, '{DATE_PATTERN}') THEN TRY_CAST({v} AS DATE) END)"
        )
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND NOT regexp_matches({v}, '{DATE_PATTERN}') THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a date (YYYY-MM-DD)' || "
            f"{_date_hint(v, name)} "
            f"WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is an impossible date' "
            f"WHEN year({value}) NOT BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR} THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is an impossible date' END"
        )
    elif column.type == "datetime":
        value = (
            f"(CASE WHEN regexp_matches({v}, '{DATETIME_PATTERN}') "
            f"THEN TRY_CAST(replace({v}, 'T', ' ') AS TIMESTAMP) END)"
        )
        if fmt:  # the date part in the given form, then hh:mm or hh:mm:ss
            forms = ", ".join(f"'{fmt[0]}{t}'" for t in (" %H:%M:%S", " %H:%M", "T%H:%M:%S"))
            value = f"coalesce({value}, TRY_STRPTIME({v}, [{forms}]))"
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a date-time (YYYY-MM-DDThh:mm:ss)' "
            f"|| {_date_hint(v, name) if not fmt else chr(39) * 2} "
            f"WHEN year({value}) NOT BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR} THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is an impossible date-time' END"
        )
    elif column.type == "bool":
        value = (
            f"(CASE WHEN lower({v}) IN {sql_list(codes.TRUE_WORDS)} THEN true "
            f"WHEN lower({v}) IN {sql_list(codes.FALSE_WORDS)} THEN false END)"
        )
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a boolean (true/false)'{tail} END"
        )
    elif column.type == "integer":
        value = (
            f"(CASE WHEN regexp_matches({v}, '{INTEGER_PATTERN}') "
            f"THEN TRY_CAST(TRY_CAST({v} AS DOUBLE) AS BIGINT) END)"
        )
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a whole number'{tail} END"
        )
        if column.min_value is not None or column.max_value is not None:
            low = column.min_value if column.min_value is not None else -(2**62)
            high = column.max_value if column.max_value is not None else 2**62
            reasons.append(
                f"CASE WHEN {value} NOT BETWEEN {low} AND {high} THEN "
                f"{_reason(name, '')} || {shown(v)} || ' is outside {low}..{high}'{tail} END"
            )
    elif column.type == "number":
        value = f"(CASE WHEN isfinite(TRY_CAST({v} AS DOUBLE)) THEN TRY_CAST({v} AS DOUBLE) END)"
        reasons.append(
            f"CASE WHEN {v} IS NOT NULL AND {value} IS NULL THEN "
            f"{_reason(name, '')} || {shown(v)} || ' is not a number' END"
        )
    else:  # pragma: no cover - the contract's types are closed
        raise ValueError(column.type)

    if column.required:
        reasons.append(
            f"CASE WHEN {v} IS NULL THEN {_reason(name, 'required value missing')} END"
        )
    if column.default is not None:
        default = (
            ("true" if column.default else "false")
            if isinstance(column.default, bool)
            else sql_str(column.default)
        )
        value = f"coalesce({value}, CASE WHEN {v} IS NULL THEN {default} END)"
    return value, reasons


def coded(source: SourceFile, column: Column) -> bool:
    """Whether a value of ``column`` not read is a code the mapping does not cover
    (listed as unmapped): code and boolean columns, columns coded by a list of the
    registry (outcome types), and any column the mapping gives a value map, of a
    mapped file."""
    if source.mapping is None or column.name not in source.columns:
        return False
    return (column.type in ("code", "bool") or bool(column.words)
            or column.name in source.mapping.values)


def unmapped_column(column: Column) -> str:
    """The typed table's column holding a value of ``column`` that was not read."""
    return f"_unmapped_{column.name}"


def typed_select(source: SourceFile, rows: str, keep: tuple[str, ...] = ()) -> str:
    """SELECT the typed, canonical columns, ``_extra`` and ``_reasons`` from ``rows``
    (the file's text columns), and the columns ``keep`` of ``rows`` as they are.
    A mapped file's values go through its value maps, constants fill the columns it
    gives them, and each code column has beside it the values that were not read
    (``unmapped_column``), for the list of codes the mapping does not cover.

    Only projections: the loader reads the file through this query, and rows must
    leave it in the file's order.
    """
    table: Table = source.table
    mapping = source.mapping
    values: list[str] = []
    unmapped: list[str] = []
    reasons: list[str] = []
    # A mapped value is computed once, in a projection of its own: the typing reads it
    # many times (value, code folding, reasons).
    premapped: list[str] = []
    derived = _derived(source)
    for column in table.columns:
        if column.name in source.columns:
            raw = cleaned(source.columns[column.name])
        elif column.name in derived:
            raw = derived[column.name]
        elif column.name in source.constants:
            raw = sql_str(source.constants[column.name])
        else:
            raw = "CAST(NULL AS VARCHAR)"
        hint = None
        if mapping is not None and column.name in source.columns:
            hint = source.where.entry_hint(table.name, column.name)
            if mapping.values.get(column.name):
                mapped = ident(f"__mapped_{column.name}")
                premapped.append(f"{mapped_values(raw, mapping.values[column.name])} "
                                 f"AS {mapped}")
                raw = mapped
        value, why = column_sql(column, raw, source.options.date_format, hint)
        if column.required_if_given and column.name in source.columns:
            missing = _reason(column.name, "required value missing (the file has the column)")
            why.append(f"CASE WHEN {raw} IS NULL THEN {missing} END")
        values.append(f"CAST({value} AS {column.sql_type}) AS {ident(column.name)}")
        if coded(source, column):  # the value as mapped; kept below only if not read
            # (a value the map does not hold is the value as given; one it maps is read)
            unmapped.append(f"{raw} AS {ident(unmapped_column(column))}")
        reasons.extend(why)
    reasons.extend(derived.get("", []))
    if mapping is not None and mapping.skip_rows_without:
        given = " OR ".join(f"{cleaned(source.derived_columns[fold(h)])} IS NOT NULL"
                            for h in mapping.skip_rows_without)
        values.append(f"NOT ({given}) AS _absent")
    values_sql = ",\n  ".join([*values, *unmapped, *keep])
    extra = (
        "json_object(" + ", ".join(f"{sql_str(h)}, {ident(h)}" for h in source.extra_columns) + ")"
        if source.extra_columns
        else "CAST(NULL AS VARCHAR)"
    )
    if premapped:
        rows = f"(SELECT *, {', '.join(premapped)} FROM {rows})"
    typed = f"""
SELECT
  {values_sql},
  CAST({extra} AS VARCHAR) AS _extra,
  {_in_role(mapping, join_reasons(reasons or ["NULL"]))} AS _reasons
FROM {rows}
"""
    rules = conditional_rules(table)
    replaced = [f"CASE WHEN {ident(c.name)} IS NULL THEN {ident(unmapped_column(c))} END "
                f"AS {ident(unmapped_column(c))}" for c in table.columns if coded(source, c)]
    if rules:
        replaced.append(f"{join_reasons(['_reasons', *rules])} AS _reasons")
    if not replaced:
        return typed
    # Rules over several columns read the typed values: one more projection, no copy.
    return f"""
SELECT * REPLACE (
  {", ".join(replaced)})
FROM ({typed})
"""


def _derived(source: SourceFile) -> dict:
    """Columns a mapping derives (surname and forenames from a full name): column ->
    SQL over the file's text; under "" the reasons a row's values cannot be derived."""
    mapping = source.mapping
    if mapping is None:
        return {}
    out: dict = {"": []}
    for column, parts in mapping.compose.items():
        # Blank when any column it reads is blank (a required id is then missing).
        cells = [cleaned(source.derived_columns[fold(text)]) for text, is_column in parts
                 if is_column]
        joined = " || ".join(cleaned(source.derived_columns[fold(text)]) if is_column
                             else sql_str(text) for text, is_column in parts)
        out[column] = f"CASE WHEN {' AND '.join(f'{c} IS NOT NULL' for c in cells)} " \
                      f"THEN {joined} END"
    if not mapping.full_name:
        return out
    header, form = mapping.full_name
    raw = cleaned(source.derived_columns[fold(header)])
    surname, forenames, problem = split_name_sql(raw, form)
    at = source.where.where(*(mapping.section or ("tables", source.table.name)), "full_name")
    reason = (f"CASE WHEN {problem} IS NOT NULL THEN "
              f"{sql_str('surname, forenames: ')} || {shown(raw)} || "
              f"{sql_str(f' (column {header!r}) cannot be split: ')} || {problem} || "
              f"{sql_str(f'; {at} reads it as {form}')} END")
    return {**out, "surname": surname, "forenames": forenames, "": [reason]}


def _in_role(mapping, reasons: str) -> str:
    """A role's reasons say which role's columns they are of (a wide row holds
    several): ``suspect date_of_birth: ...``."""
    if mapping is None or mapping.role is None:
        return reasons
    return f"regexp_replace({reasons}, '(^|\\x1f)', '\\1' || {sql_str(mapping.role + ' ')}, 'g')"


def original_select(source: SourceFile, raw_table: str) -> str:
    """SELECT ``_line`` and the row's original values as JSON (for the quarantine).

    Built only for rows that are quarantined: most rows are good, and rendering every
    row as JSON was a third of the loader's time.
    """
    headers = dict.fromkeys([*source.columns.values(), *source.derived_columns.values(),
                             *source.extra_columns])
    original = ", ".join(f"{sql_str(h)}, {ident(h)}" for h in headers)
    return f"SELECT _line, CAST(json_object({original}) AS VARCHAR) AS _original FROM {raw_table}"


def conditional_rules(table: Table) -> list[str]:
    """Rules that involve several columns of a row: SQL reason expressions."""
    rules: list[str] = []
    for column in table.columns:
        if column.required_when:
            rules.append(
                f"CASE WHEN {ident(column.name)} IS NULL AND ({column.required_when}) THEN "
                f"{_reason(column.name, 'required value missing')} END"
            )
    for rule in table.rules:
        rules.append(
            f"CASE WHEN {rule.bad_when} THEN {_reason(rule.column, rule.reason)} END"
        )
    return rules
