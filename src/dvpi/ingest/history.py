"""The warehouse as it stood after an earlier load (``dvpi indicators W --as-at DATE``).

A load never deletes a row: a row it replaces or removes moves to the table's history
(``history_<table>``), with ``_taken_by``, the load that took it out, beside its own
``_load_id``. A row was in the warehouse after load L when it was written by L or an
earlier load and taken out, if ever, by a later one. So the warehouse after L is, for
every table, its rows with ``_load_id <= L`` and its history's rows with ``_load_id <=
L < _taken_by``; with the ledger and the quarantine as they were. ``snapshot`` writes
that warehouse to a new file, on which every figure is computed as on any warehouse
(people resolved anew on it: the same rows give the same links).

Loads made before history was kept (the ledger's ``history`` is not true) deleted what
they replaced: a date before such a load cannot be reproduced, and is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dvpi.contract import LINEAGE_COLUMNS, TABLES
from dvpi.contract.tables import DELETED_REPORTS
from dvpi.ingest.errors import LoadError
from dvpi.ingest.load import LEDGER_DDL
from dvpi.ingest.merge import history_table
from dvpi.ingest.sources import sql_str
from dvpi.ingest.validate import ident
from dvpi.warehouse import connect, table_names

KEPT_TABLES = (*TABLES, DELETED_REPORTS.name)


@dataclass(frozen=True)
class AsAt:
    """The load a date falls after: the last committed load that finished on or before
    the date."""

    load_id: int
    finished_at: dt.datetime
    source: str


def load_as_at(con: duckdb.DuckDBPyConnection, when: dt.date) -> AsAt:
    """The load the warehouse stood after at the end of ``when``; LoadError when there
    is none, or when a later load kept no history (the state cannot be rebuilt)."""
    try:
        row = con.execute(
            "SELECT load_id, finished_at, source FROM loads WHERE status = 'committed' "
            "AND CAST(finished_at AS DATE) <= ? ORDER BY load_id DESC LIMIT 1", [when]
        ).fetchone()
    except duckdb.CatalogException:
        raise LoadError("the warehouse holds no load") from None
    if row is None:
        first = con.execute("SELECT min(finished_at) FROM loads "
                            "WHERE status = 'committed'").fetchone()[0]
        raise LoadError(f"no load finished on or before {when:%Y-%m-%d}"
                        + (f" (the first finished {first:%Y-%m-%d %H:%M})" if first else ""))
    as_at = AsAt(*row)
    try:
        unkept = con.execute(
            "SELECT min(load_id) FROM loads WHERE status = 'committed' AND load_id > ? "
            "AND history IS NOT TRUE", [as_at.load_id]).fetchone()[0]
    except duckdb.BinderException:  # a ledger from before history was kept
        unkept = con.execute("SELECT min(load_id) FROM loads WHERE load_id > ?",
                             [as_at.load_id]).fetchone()[0]
    if unkept is not None:
        raise LoadError(
            f"the warehouse as it stood after load {as_at.load_id} "
            f"({as_at.finished_at:%Y-%m-%d %H:%M}) cannot be rebuilt: load {unkept} was "
            "made before dvpi kept the rows a load replaces or removes")
    return as_at


def _columns(table: str) -> str:
    names = [*TABLES.get(table, DELETED_REPORTS).column_names, *(n for n, _ in LINEAGE_COLUMNS)]
    return ", ".join(ident(n) for n in names)


def snapshot(warehouse: str | Path, when: dt.date, out: str | Path) -> AsAt:
    """Write to ``out`` (a new file) the warehouse as it stood after the last load on or
    before ``when``; returns that load."""
    source = connect(warehouse, read_only=True)
    try:
        as_at = load_as_at(source, when)
    finally:
        source.close()
    out = Path(out)
    if out.exists():
        raise LoadError(f"{out}: exists already")
    con = duckdb.connect(str(out))
    try:
        con.execute(f"ATTACH {sql_str(str(warehouse))} AS kept (READ_ONLY)")
        kept = table_names(con, "kept")
        load_id = int(as_at.load_id)
        con.execute(LEDGER_DDL)
        con.execute("INSERT INTO loads BY NAME SELECT * FROM kept.loads WHERE load_id <= ?",
                    [load_id])
        if "quarantine" in kept:
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM kept.quarantine "
                        "WHERE load_id <= ?", [load_id])
        for table in KEPT_TABLES:
            if table not in kept:
                continue
            columns = _columns(table)
            rows = f"SELECT {columns} FROM kept.main.{table} WHERE _load_id <= {load_id}"
            history = history_table(table)
            if history in kept:
                rows += (f" UNION ALL SELECT {columns} FROM kept.main.{history} "
                         f"WHERE _load_id <= {load_id} AND _taken_by > {load_id}")
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM kept.main.{table} "
                        "LIMIT 0")
            con.execute(f"INSERT INTO main.{table} {rows} ORDER BY _load_id, _file, _line")
            # (A table with no row then is left out: no load before had written to it,
            # or all it wrote is gone; the figures read a missing table as empty.)
            if not con.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]:
                con.execute(f"DROP TABLE main.{table}")
        con.execute("DETACH kept")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        out.unlink(missing_ok=True)
        raise
    con.close()
    return as_at
