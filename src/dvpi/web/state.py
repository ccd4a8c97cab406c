"""The dashboard's own small database: users, tokens, sessions, dip samples, audit log.

It lives in a SQLite file beside the warehouse (``<warehouse>.web.sqlite``), never in the
warehouse itself: the loader replaces the warehouse file on every load, and this state
must survive loads. SQLite in WAL mode lets the server and the ``dvpi users``/``dvpi
audit`` commands use it at the same time.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    borough TEXT,
    created_at TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_client ON login_failures(client, at);
CREATE TABLE IF NOT EXISTS dip_samples (
    sample_id INTEGER PRIMARY KEY AUTOINCREMENT,
    borough TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    seed TEXT NOT NULL,
    population INTEGER NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dip_sample_items (
    sample_id INTEGER NOT NULL REFERENCES dip_samples(sample_id),
    report_id TEXT NOT NULL,
    result TEXT,
    note TEXT,
    checked_by TEXT,
    checked_at TEXT,
    PRIMARY KEY (sample_id, report_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT,
    event TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- Append-only: the database refuses to change or remove an audit entry. Someone with
-- the file can still drop these triggers; the hash chain is what detects that.
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def _statements(script: str) -> list[str]:
    """Split the schema into statements (executescript would commit our transaction)."""
    out, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            current = []
    return out


def default_state_path(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".web.sqlite")


class StateStore:
    """One SQLite connection per thread, reused (opening one costs more than most
    queries); each operation runs in its own transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        with self.connect(immediate=True) as con:
            for statement in _statements(SCHEMA):
                con.execute(statement)
            con.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('secret_key', ?)",
                (secrets.token_urlsafe(48),),
            )

    @contextmanager
    def connect(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed on success, rolled back on error.

        ``immediate`` takes the write lock at once, so a read-then-write (the audit
        chain's "read the last hash, append the next") cannot interleave with another.
        """
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=30000")
            # In WAL mode NORMAL still never corrupts the file or breaks the audit chain;
            # it syncs at checkpoints rather than at every commit (every page view that
            # writes an audit entry would otherwise wait for the disk).
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        try:
            con.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    def secret_key(self) -> str:
        with self.connect() as con:
            return con.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()[0]
