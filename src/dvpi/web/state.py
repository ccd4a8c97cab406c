"""The dashboard's own small database: users, tokens, sessions, dip samples, audit log.

It lives in a SQLite file beside the warehouse (``<warehouse>.web.sqlite``), never in the
warehouse itself: the loader replaces the warehouse file on every load, and this state
must survive loads. SQLite in WAL mode lets the server and the ``dvpi users``/``dvpi
audit`` commands use it at the same time.

The file is created 0600 (SQLite gives its -wal and -shm files the same mode). It holds
no secret: sessions are stored as the SHA-256 of their id, tokens as the SHA-256 of
the token, and the key that signs cookies and keys the audit log is in a separate
key file (:mod:`dvpi.web.keys`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dvpi.files import private_file
from dvpi.web.keys import Keys, default_key_path, load_keys

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    borough TEXT,
    force TEXT,
    created_at TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at REAL NOT NULL DEFAULT 0,
    last_used_at REAL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_attempts (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at REAL NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS login_attempts_user ON login_attempts(username, at);
CREATE INDEX IF NOT EXISTS login_attempts_client ON login_attempts(client, at);
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


# Tokens issued before expiry existed expire this long after the upgrade.
LEGACY_TOKEN_DAYS = 90


def _migrate(con: sqlite3.Connection) -> None:
    """Bring a store written by an earlier version up to date (idempotent)."""
    columns = {r[1] for r in con.execute("PRAGMA table_info(sessions)")}
    if "session_id" in columns:
        # Sessions were stored by their plaintext id: drop them all (everyone logs in
        # again once) rather than keep ids that let a reader of the file log in.
        con.execute("DROP TABLE sessions")
    # The signing secret was kept in the store: it now lives in the key file.
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
        con.execute("DELETE FROM meta WHERE key = 'secret_key'")
    token_columns = {r[1] for r in con.execute("PRAGMA table_info(tokens)")}
    if token_columns and "expires_at" not in token_columns:
        con.execute("ALTER TABLE tokens ADD COLUMN expires_at REAL NOT NULL DEFAULT 0")
        con.execute("ALTER TABLE tokens ADD COLUMN last_used_at REAL")
        con.execute("UPDATE tokens SET expires_at = CAST(strftime('%s', 'now') AS REAL) + ?",
                    (LEGACY_TOKEN_DAYS * 86400,))
    con.execute("DROP TABLE IF EXISTS login_failures")
    user_columns = {r[1] for r in con.execute("PRAGMA table_info(users)")}
    if user_columns and "force" not in user_columns:  # force users came later
        con.execute("ALTER TABLE users ADD COLUMN force TEXT")


class StateStoreError(RuntimeError):
    """A store opened read-only is missing, empty, not a store or has no audit log."""


class StateStore:
    """One SQLite connection per thread, reused (opening one costs more than most
    queries); each operation runs in its own transaction.

    ``key_file`` is where the key file is (default: ``$DVPI_KEY_FILE``, else beside
    the store as ``<store>.key``). ``created`` says the store did not exist before.

    ``read_only`` (``dvpi audit verify`` and ``show``): the store must already exist and
    hold an audit log (else :class:`StateStoreError`); nothing is created or migrated,
    the connections are SQLite read-only ones, and the key file is only read, when
    first needed, never created (:class:`~dvpi.web.keys.KeyFileError` if missing).
    A check must never make the thing it checks: opening an emptied or deleted store
    for writing would start a fresh, valid chain in it.
    """

    def __init__(self, path: str | Path, key_file: str | Path | None = None, *,
                 read_only: bool = False):
        self.path = Path(path)
        self._local = threading.local()
        self.read_only = read_only
        self._key_file = Path(key_file or default_key_path(self.path))
        self._keys: Keys | None = None
        if read_only:
            self.created = False
            self._check_existing()
            return
        self.created = not self.path.exists() or self.path.stat().st_size == 0
        private_file(self.path)  # 0600 before SQLite writes a byte (and its folder 0700)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        for suffix in ("-wal", "-shm"):  # an older store's files, made 0644
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                private_file(side)
        with self.connect(immediate=True) as con:
            _migrate(con)
            for statement in _statements(SCHEMA):
                con.execute(statement)
        self._keys = load_keys(self._key_file)

    @property
    def keys(self) -> Keys:
        if self._keys is None:  # read-only: read (never create) the key file on first use
            self._keys = load_keys(self._key_file, create=not self.read_only)
        return self._keys

    def _check_existing(self) -> None:
        """Read-only: the store exists, is an SQLite file and has an audit log."""
        if not self.path.is_file():
            raise StateStoreError(f"no state store at {self.path}: it was deleted, or "
                                  f"--state/--warehouse names the wrong file")
        if self.path.stat().st_size == 0:
            raise StateStoreError(f"the state store {self.path} is empty (0 bytes): it "
                                  f"was emptied, or never written")
        try:
            with self.connect() as con:
                table = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                    "AND name = 'audit_log'").fetchone()
        except sqlite3.Error as exc:
            raise StateStoreError(f"cannot read the state store {self.path}: {exc}"
                                  ) from exc
        if table is None:
            raise StateStoreError(f"no audit log in {self.path}: the store was replaced "
                                  f"or never initialised")

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            # mode=ro: SQLite refuses every write; it also never creates the file.
            return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=30, isolation_level=None,
                                   check_same_thread=False)
        return sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)

    @contextmanager
    def connect(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed on success, rolled back on error.

        ``immediate`` takes the write lock at once, so a read-then-write (the audit
        chain's "read the last hash, append the next") cannot interleave with another.
        """
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._open()
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=30000")
            # In WAL mode NORMAL still never corrupts the file or breaks the audit chain;
            # it syncs at checkpoints rather than at every commit (every page view that
            # writes an audit entry would otherwise wait for the disk).
            if not self.read_only:
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
        """The key that signs session and login cookies (from the key file)."""
        return self.keys.session
