"""The dashboard's view of the warehouse: read-only snapshots and a result cache.

DuckDB allows one writer or many readers, and the loader replaces the warehouse by
building a new file and renaming it over the old one. So the application never holds
a write lock and never opens the file for long: it keeps one read-only *snapshot* per
file version (inode, size, mtime; opened by :mod:`dvpi.warehouse.duckdb.snapshot`), and
opens a new one when a load has replaced the file. Person links the snapshot needs
are derived into it once, by the same policy as the command line
(:func:`dvpi.people.ready`), never with a linkage run inside a request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dvpi.indicators import TABLES_READ, boroughs_in, forces_in
from dvpi.indicators.context import SEP, name_key
from dvpi.warehouse import Backend, WarehouseError, open_backend, warehouse_version
from dvpi.warehouse.duckdb import snapshot as snapshots
from dvpi.warehouse.duckdb import table_names

Version = snapshots.Version


class WarehouseUnavailable(WarehouseError):
    """No warehouse file yet, or it cannot be read."""


@dataclass
class Snapshot:
    """One version of the warehouse file, and every result computed from it (the
    cache goes with the snapshot: a load starts a fresh one, the old is freed)."""

    version: Version
    con: duckdb.DuckDBPyConnection
    cache: ResultCache = field(default_factory=lambda: ResultCache())
    people_method: str = "exact"  # person resolution behind distinct-person figures
    _facts: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # A cursor is a connection of its own to the same database: safe per thread.
        cur = snapshots.cursor(self.con)
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def backend(self) -> Iterator[Backend]:
        """The snapshot as the indicator engine reads it (DuckDB, in this thread)."""
        with self.cursor() as cur, open_backend(cur, "duckdb", TABLES_READ) as backend:
            yield backend

    def _fact(self, name: str, sql: str, params: list | None = None) -> list[tuple]:
        with self._lock:
            if name not in self._facts:
                with self.cursor() as cur:
                    self._facts[name] = cur.execute(sql, params or []).fetchall()
            return self._facts[name]

    def tables(self) -> set[str]:
        with self._lock:
            if "tables" not in self._facts:
                self._facts["tables"] = table_names(self.con, snapshots.WAREHOUSE_CATALOG)
            return self._facts["tables"]

    def boroughs(self) -> list[str]:
        """One name per borough (matched case-insensitively), named by its most frequent
        spelling and sorted, as the indicator engine names its scopes ("FORCE /
        BOROUGH" in a data set of several forces)."""
        return list(self._scopes()["boroughs"])

    def forces(self) -> list[str]:
        """The forces of a data set of several forces (none for one force)."""
        return list(self._scopes()["forces"])

    def _scopes(self) -> dict[str, dict[str, tuple[str, str]]]:
        """Each borough's and force's name -> (force key, borough key), as the engine
        keys its scopes (a force's borough key is blank)."""
        if "reports" not in self.tables():
            return {"boroughs": {}, "forces": {}}
        with self._lock:
            if "scopes" not in self._facts:
                with self.cursor() as cur:
                    boroughs = {s.name: tuple(s.key.split(SEP)) for s in boroughs_in(cur)}
                    forces = {s.name: (s.key.split(SEP)[0], "") for s in forces_in(cur)}
                self._facts["scopes"] = {"boroughs": boroughs, "forces": forces}
            return self._facts["scopes"]

    def borough_named(self, name: str) -> str | None:
        wanted = name_key(name)
        return next((b for b in self.boroughs() if name_key(b) == wanted), None)

    def force_named(self, name: str) -> str | None:
        wanted = name_key(name)
        return next((f for f in self.forces() if name_key(f) == wanted), None)

    def force_of(self, borough: str) -> str | None:
        """The force a borough (as named by ``boroughs``) belongs to, in a data set of
        several forces; None for one force."""
        keys = self._scopes()["boroughs"].get(self.borough_named(borough) or "")
        if keys is None or not keys[0]:
            return None
        return next((f for f, (k, _) in self._scopes()["forces"].items() if k == keys[0]),
                    None)

    def _where(self, scope: str | None, table: str) -> tuple[str, list]:
        """A SQL condition (and its parameters) for ``table``'s rows of one borough or
        force, named as ``boroughs``/``forces`` name them: force and borough both
        matched, so that two forces' Centrals are never mixed. An unknown name, or a
        force asked of a table without a ``force`` column, matches nothing."""
        if scope is None:
            return "TRUE", []
        scopes = self._scopes()
        known = scopes["boroughs"].get(self.borough_named(scope) or "") \
            or scopes["forces"].get(self.force_named(scope) or "")
        if known is None:
            return "FALSE", []
        force, borough = known
        if force and not self._has_force(table):
            return "FALSE", []
        parts, params = [], []
        if borough:
            parts.append("lower(trim(borough)) = ?")
            params.append(borough)
        if force:
            parts.append("lower(trim(force)) = ?")
            params.append(force)
        return " AND ".join(parts) or "TRUE", params

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        if "reports" not in self.tables():
            return None
        rows = self._fact("dates", "SELECT min(recorded_date), max(recorded_date) FROM reports")
        return None if rows[0][0] is None else (rows[0][0], rows[0][1])

    def population(self, scope: str | None) -> list[tuple[str, str, str, int]]:
        """(gender, age_band, ethnic_appearance, population) of the scope (a borough or a
        force, as named by ``boroughs``/``forces``; None: every row), if loaded."""
        if "population" not in self.tables():
            return []
        where, params = self._where(scope, "population")
        return self._fact(
            f"population:{scope}",
            f"SELECT gender, age_band, ethnic_appearance, sum(population)::BIGINT "
            f"FROM population WHERE {where} GROUP BY ALL", params,
        )

    def _has_force(self, table: str) -> bool:
        rows = self._fact(f"force-column:{table}",
                          "SELECT count(*) FROM information_schema.columns "
                          "WHERE table_name = ? AND column_name = 'force'", [table])
        return bool(rows[0][0])

    def dv_report_ids(self, borough: str, start: dt.date, end: dt.date) -> list[str]:
        where, params = self._where(borough, "reports")
        with self.cursor() as cur:
            rows = cur.execute(
                f"SELECT report_id FROM reports WHERE dv_flag AND {where} "
                "AND recorded_date BETWEEN ? AND ? ORDER BY report_id",
                [*params, start, end],
            ).fetchall()
        return [r[0] for r in rows]

    def reports(self, report_ids: list[str]) -> dict[str, dict]:
        if not report_ids:
            return {}
        with self.cursor() as cur:
            rel = cur.execute(
                "SELECT r.report_id, r.borough, r.recorded_date, r.classification, r.offence, "
                "r.dv_flag, (SELECT count(*) FROM people p WHERE p.report_id = r.report_id) "
                "AS people FROM reports r WHERE r.report_id IN (SELECT unnest(?))",
                (report_ids,),
            )
            cols = [d[0] for d in rel.description]
            return {row[0]: dict(zip(cols, row, strict=True)) for row in rel.fetchall()}


def _open(path: Path) -> Snapshot:
    version, con = snapshots.open_snapshot(path)
    return Snapshot(version, con, people_method=_derive(con))


def _derive(con: duckdb.DuckDBPyConnection) -> str:
    """The person-resolution method the snapshot's figures use, its links made ready:
    the default when the load stored a current resolution (``dvpi people resolve``),
    otherwise the fallback, derived once into the snapshot; every distinct-person figure
    says which."""
    from dvpi import people

    return people.ready(con, allow_slow=False)


class Warehouse:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        # Called (outside the lock) when a load has replaced the file.
        self.on_new_version: Callable[[], object] | None = None

    def snapshot(self) -> Snapshot:
        try:
            version = warehouse_version(self.path)
        except FileNotFoundError as exc:
            raise WarehouseUnavailable(f"no warehouse at {self.path}") from exc
        current = self._snapshot
        if current is not None and current.version == version:
            return current
        replaced = False
        with self._lock:
            current = self._snapshot
            if current is None or current.version != version:
                try:
                    current = _open(self.path)
                except WarehouseError as exc:
                    raise WarehouseUnavailable(str(exc)) from exc
                except (duckdb.Error, FileNotFoundError) as exc:
                    raise WarehouseUnavailable(f"cannot read {self.path}: {exc}") from exc
                # The old snapshot is not closed here: requests still running on it
                # finish, and it is freed when the last of them lets go.
                replaced = self._snapshot is not None
                self._snapshot = current
        if replaced and self.on_new_version is not None:
            self.on_new_version()
        return current


ComputeFn = Callable[..., dict]


class ResultCache:
    """Indicator results per (warehouse version, period, scope, ...), least recent out.

    Each key is computed once even when many requests ask for it at the same moment.
    """

    def __init__(self, size: int = 1024):
        self.size = size
        self._results: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def peek(self, key: tuple) -> Any:
        """The cached value, or None (never computes)."""
        with self._lock:
            return self._results.get(key)

    def get(self, key: tuple, make: Callable[[], dict]) -> dict:
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                return self._results[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._results:
                    self.hits += 1
                    return self._results[key]
            result = make()
            with self._lock:
                self.misses += 1
                self._results[key] = result
                while len(self._results) > self.size:
                    self._results.popitem(last=False)
                self._key_locks.pop(key, None)
            return result
