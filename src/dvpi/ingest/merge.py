"""Keys, references, quarantine and the merge of a validated table into the warehouse.

Works on ``stage.typed_<table>`` (see ``staging``): rows whose ``_reasons`` is NULL are
good. A later extract that holds a report again replaces the report and every row
hanging off it; keyed rows replace rows with the same key.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from dvpi.contract import LINEAGE_COLUMNS, TABLES, Reference, Table, codes
from dvpi.contract.tables import DELETED_REPORTS
from dvpi.ingest.sources import STAGE, SourceFile
from dvpi.ingest.validate import (
    CONTROL_PATTERN,
    SEPARATOR,
    ident,
    reasons_as_list,
    shown,
    sql_str,
)
from dvpi.warehouse import has_table

GOOD = "_reasons IS NULL"
TABLES_AND_INSTRUCTIONS = {**TABLES, DELETED_REPORTS.name: DELETED_REPORTS}
MAX_LINES_LISTED = 10


def _typed(stage: str) -> str:
    """A file's typed rows, in the stage (checks append to their ``_reasons``);
    ``stage`` is the file's ``SourceFile.stage``."""
    return f"{STAGE}.typed_{stage}"


def _numbered(stage: str) -> str:
    """The typed rows with their lines in the file (``sources.number_rows``)."""
    return f"{_typed(stage)}_lines"


def check_keys(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    """Every copy of a key that appears more than once in the file is quarantined:
    with two versions of a record, the loader cannot know which one is right."""
    table, stage = source.table, source.stage
    if not table.key:
        return
    keys = ", ".join(ident(k) for k in table.key)
    key_text = " || ', ' || ".join(
        f"{sql_str(k + ' ')} || {shown(ident(k))}" for k in table.key
    )
    # A key column that may be blank (``force`` in a one-force data set) is part of the
    # key as it is; a blank required one is a bad row already.
    not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in table.key
                            if table.column(k).required) or "true"
    # The duplicated keys first, then their lines: listing lines for every key (most
    # are unique) would cost more than finding the few that are not.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _duplicated AS
        SELECT {keys} FROM {_typed(stage)} WHERE {not_null}
        GROUP BY {keys} HAVING count(*) > 1""")
    duplicated = con.execute("SELECT count(*) FROM _duplicated").fetchone()[0]
    if duplicated:
        _mark_duplicates(con, table, stage, keys, key_text)
    con.execute("DROP TABLE _duplicated")


def _mark_duplicates(con: duckdb.DuckDBPyConnection, table: Table, stage: str, keys: str,
                     key_text: str) -> None:
    """Give every row whose key is in ``_duplicated`` the lines of all its copies."""
    join = " AND ".join(f"t.{ident(k)} IS NOT DISTINCT FROM d.{ident(k)}" for k in table.key)
    same = " AND ".join(f"n.{ident(k)} IS NOT DISTINCT FROM u.{ident(k)}" for k in table.key)
    _append_reasons(con, stage, f"""
        SELECT t.rowid AS rid, d.reason FROM {_typed(stage)} AS t JOIN (
            SELECT {keys},
                'duplicate key (' || {key_text} || ') within the load, lines '
                || array_to_string(list_slice(list(_line ORDER BY _line), 1,
                   {MAX_LINES_LISTED}), ', ') AS reason
            FROM {_numbered(stage)} AS n SEMI JOIN _duplicated AS u ON {same}
            GROUP BY {keys}
        ) AS d ON {join}""")


def check_keys_across(con: duckdb.DuckDBPyConnection, sources: list[SourceFile]) -> None:
    """A key in two files of one table (a weekly split sent with an overlap) is a
    duplicate within the load too: every copy is quarantined, naming the other files
    and lines. (Copies within one file are marked by ``check_keys``.)"""
    table = sources[0].table
    if not table.key or len(sources) < 2:
        return
    keys = ", ".join(ident(k) for k in table.key)
    not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in table.key)
    key_text = " || ', ' || ".join(
        f"{sql_str(k + ' ')} || {shown(ident(k))}" for k in table.key)
    # A wide file's roles are read as sources of one file: named with their role.
    every = " UNION ALL ".join(
        f"SELECT {keys}, {sql_str(_label(s))} AS _file, {sql_str(s.stage)} AS _stage, _line "
        f"FROM {_numbered(s.stage)} WHERE {not_null}" for s in sources)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _across AS
        SELECT {keys}, 'duplicate key (' || {key_text} || ') within the load, in '
            || array_to_string(list_slice(list(_file || ' line ' || _line
                ORDER BY _file, _line), 1, {MAX_LINES_LISTED}), ', ') AS reason
        FROM ({every}) GROUP BY {keys} HAVING count(DISTINCT _stage) > 1""")
    if con.execute("SELECT count(*) FROM _across").fetchone()[0]:
        join = " AND ".join(f"t.{ident(k)} = d.{ident(k)}" for k in table.key)
        for s in sources:
            _append_reasons(con, s.stage, f"""SELECT t.rowid AS rid, d.reason
                FROM {_typed(s.stage)} AS t JOIN _across AS d ON {join}""")
    con.execute("DROP TABLE _across")


def _label(source: SourceFile) -> str:
    role = source.mapping.role if source.mapping is not None else None
    return f"{source.path.name} ({role})" if role else source.path.name


def check_controls(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    """Quarantine rows whose text values hold a control character (NUL and the like:
    invisible, they would make ``Hackney`` and ``Hackney<NUL>`` two boroughs). Other
    types need no check: such a value is not a code, date or number anyway. Runs only
    on files that hold such a character (see ``SourceFile.has_controls``)."""
    table = source.table
    for column in table.columns:
        if column.type != "text" or column.name not in source.columns:
            continue
        c = ident(column.name)
        char = f"printf('U+%04X', unicode(regexp_extract({c}, '{CONTROL_PATTERN}')))"
        _append_reasons(con, source.stage, f"""
            SELECT rowid AS rid, {sql_str(column.name + ': ')} || {shown(c)}
                || ' holds a control character (' || {char} || ')' AS reason
            FROM {_typed(source.stage)} WHERE regexp_matches({c}, '{CONTROL_PATTERN}')""")


def _append_reasons(con: duckdb.DuckDBPyConnection, stage: str, marked: str) -> None:
    """Append a reason to rows of the typed table: ``marked`` selects (rid: the row's
    rowid, reason). The rows are found first, in parallel, then only they are updated:
    an UPDATE runs on one thread, and most loads have few such rows or none."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _marked AS {marked}")
    if con.execute("SELECT count(*) FROM _marked").fetchone()[0]:
        con.execute(
            f"""UPDATE {_typed(stage)} AS t
            SET _reasons = concat_ws({SEPARATOR}, t._reasons, m.reason)
            FROM _marked AS m WHERE t.rowid = m.rid"""
        )


def _missing_condition(con: duckdb.DuckDBPyConnection, ref: Reference) -> str:
    """The reference of row ``t`` points at nothing in the warehouse."""
    col = f"t.{ident(ref.column)}"
    if not has_table(con, ref.table):
        return "true"
    if ref.table == "reports":
        return f"{col} NOT IN (SELECT report_id FROM main.reports)"
    conditions = [f"r.person_id = {col}"]
    if ref.same_report:
        conditions.append("r.report_id = t.report_id")
    if ref.target_role:
        conditions.append(f"r.role = {sql_str(ref.target_role)}")
    return f"NOT EXISTS (SELECT 1 FROM main.people r WHERE {' AND '.join(conditions)})"


def _missing_reason(ref: Reference) -> str:
    value = shown(f"t.{ident(ref.column)}")
    if ref.table == "reports":
        return f"{sql_str(ref.column + ': no report ')} || {value}"
    what = ref.target_role or "person"
    text = f"{sql_str(ref.column + ': no ' + what + ' ')} || {value}"
    if ref.same_report:
        text += f" || ' in report ' || {shown('t.report_id')}"
    return text


def check_references(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    """Mark the rows whose references point at nothing. Tables are merged in load order
    and point only at tables before them, so the warehouse already holds every report
    and person that will exist after this load (and none that this load replaced)."""
    for ref in source.table.references:
        _append_reasons(con, source.stage, f"""
            SELECT t.rowid AS rid, {_missing_reason(ref)} AS reason
            FROM {_typed(source.stage)} AS t
            WHERE t.{ident(ref.column)} IS NOT NULL AND {_missing_condition(con, ref)}""")


def check_forces(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    """A target names a force of the reports (trimmed, case ignored), or ``*`` for every
    force. The reports are merged first (load order), so their forces are known."""
    table = source.table
    if table.name != "targets" or "force" not in table.column_names:
        return
    known = "SELECT 1 FROM main.reports r WHERE lower(trim(r.force)) = lower(trim(t.force))"
    if not has_table(con, "reports") or not con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'reports' AND column_name = 'force'").fetchone()[0]:
        known = "SELECT 1 WHERE false"
    _append_reasons(con, source.stage, f"""
        SELECT t.rowid AS rid, 'force: no force ' || {shown('t.force')}
            || ' in the reports (give a force of the data set, or * for every force)'
            AS reason
        FROM {_typed(source.stage)} AS t
        WHERE t.force IS NOT NULL AND trim(t.force) <> {sql_str(codes.FORCE_WIDE_BOROUGH)}
          AND NOT EXISTS ({known})""")


def check_deletions(con: duckdb.DuckDBPyConnection, source: SourceFile, load_id: int) -> None:
    """A ``deleted_reports`` row naming a report that the extract also holds contradicts
    it: quarantined (the report stays as the extract gives it)."""
    if not has_table(con, "reports"):
        return
    _append_reasons(con, source.stage, f"""
        SELECT t.rowid AS rid, 'report_id: ' || {shown('t.report_id')}
            || ' is also in this extract''s reports file: delete it or send it' AS reason
        FROM {_typed(source.stage)} AS t
        WHERE t.report_id IN (SELECT report_id FROM main.reports
                              WHERE _load_id = {int(load_id)})""")


def quarantine(
    con: duckdb.DuckDBPyConnection, source: SourceFile, load_id: int,
    originals: Callable[[list[int]], str],
) -> int:
    """Quarantine the rows with reasons. ``originals(lines)`` gives a SELECT of (_line,
    _original) for the rows on those lines; it is only called when there is something
    to quarantine."""
    table, file = source.table, source.path.name
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bad AS
        SELECT _line, _reasons FROM {_numbered(source.stage)} WHERE NOT ({GOOD})"""
    )
    lines = [r[0] for r in con.execute("SELECT _line FROM _bad ORDER BY _line").fetchall()]
    if not lines:
        return 0
    inserted = con.execute(
        f"""INSERT INTO quarantine
        SELECT ?, ?, ?, t._line, {reasons_as_list('t._reasons')}, o._original
        FROM _bad AS t JOIN ({originals(lines)}) AS o USING (_line)""",
        [load_id, table.name, file],
    ).fetchone()[0]
    if inserted != len(lines):  # a bug, never bad input: every bad row must be kept
        raise RuntimeError(f"{table.name}: {len(lines)} rows to quarantine, {inserted} kept")
    return inserted


# How an extract's rows replace what is loaded (``dvpi load --mode``):
# - "replace" (the default; the format's version-1 rule): a report the extract holds
#   replaces its earlier version and every row hanging off it, in every table, whether
#   or not the extract holds that table; reports it does not hold are untouched.
# - "changes" (a weekly extract of changed reports): as "replace", but only in the
#   tables the extract holds; the others are left alone (but for rows that would then
#   point at a person no longer there).
# - "full" (the extract is the whole truth): everything the extract does not hold is
#   removed, in every table.
MODES = ("replace", "changes", "full")


class Taken:
    """Rows of earlier loads that a load takes out, per table: ``replaced`` (the
    extract holds a new version of their report, or key, in that table) and
    ``removed`` (nothing of the extract takes their place)."""

    def __init__(self) -> None:
        self.replaced: dict[str, int] = {}
        self.removed: dict[str, int] = {}

    def add(self, kind: str, table: str, n: int) -> None:
        counts = self.replaced if kind == "replaced" else self.removed
        counts[table] = counts.get(table, 0) + n


HISTORY_PREFIX = "history_"


def history_table(table: str) -> str:
    """Where the rows taken out of ``table`` are kept: its columns and lineage, and
    ``_taken_by``, the load that replaced or removed them. A row was in the warehouse
    after every load from its ``_load_id`` until before its ``_taken_by`` (``history``
    rebuilds the warehouse as it stood after any load)."""
    return f"{HISTORY_PREFIX}{table}"


def _take(con: duckdb.DuckDBPyConnection, table: str, where: str, load_id: int,
          alias: str = "w") -> int:
    """Take the rows of ``table`` (as ``alias``) that ``where`` selects out of it, into
    its history; returns how many. The condition is evaluated once, for the rows' ids:
    most calls take nothing, and those that do copy and delete by id."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _taken AS SELECT {alias}.rowid AS rid "
                f"FROM main.{table} AS {alias} WHERE {where}")
    found = con.execute("SELECT count(*) FROM _taken").fetchone()[0]
    if not found:
        return 0
    kept = history_table(table)
    rows = (f"SELECT t.*, CAST({int(load_id)} AS BIGINT) AS _taken_by FROM main.{table} AS t "
            "WHERE t.rowid IN (SELECT rid FROM _taken)")
    if has_table(con, kept):
        copied = con.execute(f"INSERT INTO main.{kept} {rows}").fetchone()[0]
    else:  # the table's first rows taken out (a warehouse that never lost one has none)
        con.execute(f"CREATE TABLE main.{kept} AS {rows}")
        copied = found
    n = con.execute(f"DELETE FROM main.{table} WHERE rowid IN (SELECT rid FROM _taken)"
                    ).fetchone()[0]
    if not n == copied == found:  # a bug, never bad input: a row taken out must be kept
        raise RuntimeError(f"{table}: {found} rows to take out, {copied} kept in history, "
                           f"{n} taken out")
    return n


def merge(
    con: duckdb.DuckDBPyConnection, source: SourceFile, load_id: int,
    *, held: set[str] | None = None, mode: str = "replace", taken: Taken | None = None,
) -> int:
    """Merge the good rows into the warehouse; returns how many were loaded. ``held``:
    the tables the extract holds (None: all); ``mode`` one of ``MODES``; rows taken
    out are counted in ``taken``. Rows of this load (another file of the same table)
    are never taken out: keys in two files are quarantined (``check_keys_across``)."""
    table, file = source.table, source.path.name
    taken = taken or Taken()
    held = set(TABLES) if held is None else held
    good = f"(SELECT * FROM {_numbered(source.stage)} WHERE {GOOD})"
    if table.name == "reports":
        # The report comes again: it replaces the old version and everything hanging
        # off it (the children of this load are inserted after).
        con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS "
                    f"SELECT DISTINCT report_id FROM {good}")
        for child in hanging_tables(con):
            if mode == "changes" and child.name not in held:
                continue  # a table the extract does not hold: left alone
            n = _take(con, child.name,
                      f"{_of_reports(child, 'SELECT report_id FROM _incoming')} "
                      f"AND w._load_id <> {int(load_id)}", load_id)
            # A table the extract holds has the report's new rows (or none); one
            # it does not hold just loses them.
            taken.add("replaced" if child.name in held else "removed", child.name, n)
    if table.key:
        match = " AND ".join(f"w.{ident(k)} IS NOT DISTINCT FROM g.{ident(k)}"
                             for k in table.key)
    else:
        # No key: an identical row already loaded (a report not in this extract) is the
        # same row, so loading it again must not double it.
        match = " AND ".join(
            f"w.{ident(c.name)} IS NOT DISTINCT FROM g.{ident(c.name)}" for c in table.columns
        )
    taken.add("replaced", table.name, _take(
        con, table.name,
        f"w._load_id <> {int(load_id)} AND EXISTS (SELECT 1 FROM {good} g WHERE {match})",
        load_id))
    columns = ", ".join(ident(c.name) for c in table.columns)
    lineage = ", ".join(name for name, _ in LINEAGE_COLUMNS)
    # Columns named: a table made by an earlier version has its newer columns at the end.
    return con.execute(
        f"INSERT INTO main.{table.name} ({columns}, {lineage}) "
        f"SELECT {columns}, ?, ?, _line, _extra FROM {good}",
        [load_id, file],
    ).fetchone()[0]


def hanging_tables(con: duckdb.DuckDBPyConnection) -> list[Table]:
    """The loaded tables whose rows hang off a report, in the order their rows must go:
    rows that hang off a person first (they are found through the people rows, which
    go with the report), then the rows with the report's id."""
    tables = [t for t in TABLES.values() if t.hangs_off_person] + [
        t for t in TABLES.values() if t.hangs_off_report]
    return [t for t in tables if has_table(con, t.name)
            and (not t.hangs_off_person or has_table(con, "people"))]


def _of_reports(table: Table, reports: str, alias: str = "w") -> str:
    """The condition (on ``alias``) selecting the rows of ``table`` that hang off the
    reports ``reports`` (a query) gives."""
    if table.hangs_off_person:
        return (f"{alias}.{ident(table.hangs_off_person)} IN "
                f"(SELECT person_id FROM main.people WHERE report_id IN ({reports}))")
    return f"{alias}.report_id IN ({reports})"


def remove_reports(con: duckdb.DuckDBPyConnection, reports: str, taken: Taken,
                   load_id: int) -> None:
    """Remove the reports whose ids ``reports`` (a query) gives, and every row hanging
    off them, from every table (``deleted_reports``), keeping them in history."""
    for t in hanging_tables(con):
        taken.add("removed", t.name, _take(con, t.name, _of_reports(t, reports), load_id))
    if has_table(con, "reports"):
        taken.add("removed", "reports", _take(
            con, "reports", f"w.report_id IN ({reports})", load_id))


def remove_unloaded(con: duckdb.DuckDBPyConnection, load_id: int, taken: Taken) -> None:
    """"full": remove every row this load did not write, from every table."""
    for t in TABLES.values():
        if has_table(con, t.name):
            taken.add("removed", t.name, _take(
                con, t.name, f"w._load_id <> {int(load_id)}", load_id))


def remove_dangling(con: duckdb.DuckDBPyConnection, held: set[str], taken: Taken,
                    load_id: int) -> None:
    """Rows of tables the load did not hold whose required references now point at
    nothing (their person was replaced without them, their report removed): removed,
    as every row in the warehouse must point at a row that exists."""
    for t in TABLES.values():
        if t.name in held or not has_table(con, t.name):
            continue
        for ref in t.references:
            if ref.optional:
                continue
            missing = _missing_condition(con, ref)
            taken.add("removed", t.name, _take(
                con, t.name, f"t.{ident(ref.column)} IS NOT NULL AND {missing}", load_id,
                alias="t"))
