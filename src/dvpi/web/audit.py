"""The audit log: append-only, every entry chained to the one before by a keyed MAC.

Each entry's MAC is HMAC-SHA256, under the audit key of the key file
(:mod:`dvpi.web.keys`, never in the state store), over its own fields *and the
previous entry's MAC*: changing, removing, reordering or re-chaining entries needs the
key. ``verify`` walks the chain and names the first entry that does not fit.

What the key cannot show is that the newest entries were cut off, or the whole store
replaced by an older copy. For that ``head()`` is exported (on ``verify --export-head``
and, by the server, after every append) to a file the operator keeps elsewhere;
``verify(against=)`` fails when the chain no longer holds that head. Entries written
after the last head that left the machine can still be cut off unseen: a hash chain
without an outside witness cannot show its own end. An empty log never verifies: a
keyed log always holds its start entry. Verification opens the store read-only
(``StateStore(read_only=True)``): it never starts a chain, so an emptied or deleted
store fails instead of verifying as a new one.

Older logs (entries with a plain SHA-256 chain, before the key file) are kept: the
first time the store is opened with a new key the old chain is verified and a start
entry (``audit_keyed``, recording how many legacy entries there were, their head and
whether they verified) is appended; from it on every entry is keyed. Legacy entries
are only allowed before that entry, and a keyed log must have one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dvpi.files import append_private
from dvpi.web.state import StateStore

GENESIS_HASH = "0" * 64

# The events the application writes. Anything that shows or exports records is logged.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
RECORD_VIEW = "record_view"
EXPORT = "export"
DIP_SAMPLE_DRAWN = "dip_sample_drawn"
DIP_SAMPLE_RESULT = "dip_sample_result"
USER_ADDED = "user_added"
USER_REMOVED = "user_removed"
TOKEN_ISSUED = "token_issued"
ACCESS_DENIED = "access_denied"
TOKEN_REVOKED = "token_revoked"
PASSWORD_CHANGED = "password_changed"
AUDIT_KEYED = "audit_keyed"  # the first keyed entry of a store

KEYED = "hmac:"  # the prefix of a keyed entry's MAC (a legacy entry's hash has none)
# Record ids kept in one audit entry; the count is always kept.
AUDIT_ID_LIMIT = 2000


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str | None
    event: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def _payload(seq: int, at: str, actor: str | None, event: str, detail_json: str,
             prev_hash: str) -> bytes:
    # A JSON array is an unambiguous encoding of the fields (no delimiter collisions).
    return json.dumps([seq, at, actor, event, detail_json, prev_hash],
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(seq: int, at: str, actor: str | None, event: str, detail_json: str,
               prev_hash: str) -> str:
    """A legacy entry's hash: plain SHA-256 (anyone can recompute it)."""
    return hashlib.sha256(_payload(seq, at, actor, event, detail_json, prev_hash)).hexdigest()


def entry_mac(key: bytes, seq: int, at: str, actor: str | None, event: str,
              detail_json: str, prev_hash: str) -> str:
    """A keyed entry's MAC: only the holder of the audit key can compute it."""
    digest = hmac.new(key, _payload(seq, at, actor, event, detail_json, prev_hash),
                      hashlib.sha256).hexdigest()
    return KEYED + digest


def _head_mac(key: bytes, seq: int, entry: str) -> str:
    return hmac.new(key, f"dvpi audit head|{seq}|{entry}".encode(), hashlib.sha256).hexdigest()


def _canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


class AuditLog:
    """The store's audit log, keyed with the store's audit key.

    ``head_file``: the server appends the chain head there for the operator to keep,
    after every append (``head_interval`` 0, the default) or at most every
    ``head_interval`` seconds (and the first time it writes).

    On a read-only store (``dvpi audit verify``/``show``) nothing is started or
    written, and the key is read only when needed (``show`` needs none).
    """

    def __init__(self, store: StateStore, *, head_file: str | Path | None = None,
                 head_interval: float = 0.0):
        self.store = store
        self.head_file = Path(head_file) if head_file else None
        self.head_interval = head_interval
        self._head_lock = threading.Lock()
        self._head_written = 0.0
        self._head_seq = 0
        if not store.read_only and (store.created or store.keys.created):
            self._start(reason="new state store" if store.created else "new key file")

    @property
    def key(self) -> bytes:
        return self.store.keys.audit

    def _start(self, reason: str) -> None:
        """Begin the keyed chain (once per store): verify the legacy chain, mark it."""
        with self.store.connect(immediate=True) as con:
            if con.execute("SELECT 1 FROM audit_log WHERE hash LIKE 'hmac:%' LIMIT 1"
                           ).fetchone():
                return  # already keyed (a new key file on a keyed log fails verify)
            legacy = _walk(con, self.key)
            self._insert(con, AUDIT_KEYED, None, {
                "reason": reason, "legacy_entries": legacy.entries,
                "legacy_head": legacy.head, "legacy_intact": legacy.ok,
                "legacy_problem": legacy.problem}, keyed_start=True)

    def _insert(self, con, event: str, actor: str | None, detail: dict[str, Any],
                keyed_start: bool = False) -> AuditEntry:
        detail_json = _canonical(detail)
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
                           ).fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        digest = entry_mac(self.key, seq, at, actor, event, detail_json, prev)
        con.execute(
            "INSERT INTO audit_log(seq, at, actor, event, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, actor, event, detail_json, prev, digest),
        )
        return AuditEntry(seq, at, actor, event, json.loads(detail_json), prev, digest)

    def append(self, event: str, actor: str | None = None, **detail: Any) -> AuditEntry:
        with self.store.connect(immediate=True) as con:
            entry = self._insert(con, event, actor, detail)
        if self.head_file is not None:
            self._maybe_export_head(entry)
        return entry

    # --- the head, kept elsewhere -----------------------------------------------------------

    def head(self) -> dict[str, Any] | None:
        """The newest entry's seq and MAC, with a MAC of its own (None when empty)."""
        with self.store.connect() as con:
            row = con.execute("SELECT seq, at, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
                              ).fetchone()
        return self._head_of(row[0], row[1], row[2]) if row else None

    def _head_of(self, seq: int, at: str, entry: str) -> dict[str, Any]:
        return {"seq": seq, "hash": entry, "at": at,
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "mac": _head_mac(self.key, seq, entry)}

    def export_head(self, path: str | Path) -> dict[str, Any] | None:
        """Append the head to ``path`` (one JSON object a line, file 0600)."""
        head = self.head()
        if head is not None:
            append_private(path, json.dumps(head, sort_keys=True))
        return head

    def _maybe_export_head(self, entry: AuditEntry) -> None:
        assert self.head_file is not None
        now = time.monotonic()
        with self._head_lock:  # one writer at a time, and heads only ever move forward
            if entry.seq <= self._head_seq:
                return
            if self.head_interval and self._head_written \
                    and now - self._head_written < self.head_interval:
                return
            line = json.dumps(self._head_of(entry.seq, entry.at, entry.hash),
                              sort_keys=True)
            if not self._head_seq:
                append_private(self.head_file, line)  # creates it (and its folder) private
            else:
                _append_line(self.head_file, line)
            self._head_written = now
            self._head_seq = entry.seq

    def entries(self, *, limit: int | None = None, actor: str | None = None,
                event: str | None = None) -> list[AuditEntry]:
        """Entries, newest first."""
        sql = "SELECT * FROM audit_log"
        where, args = [], []
        if actor:
            where.append("actor = ?")
            args.append(actor)
        if event:
            where.append("event = ?")
            args.append(event)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.store.connect() as con:
            rows = con.execute(sql, args).fetchall()
        return [
            AuditEntry(r["seq"], r["at"], r["actor"], r["event"], json.loads(r["detail"]),
                       r["prev_hash"], r["hash"])
            for r in rows
        ]

    def verify(self, against: dict[str, Any] | None = None) -> VerifyResult:
        """Walk the chain; with ``against`` (an exported head), also check that the
        chain still holds that head (nothing cut off, nothing rewritten before it)."""
        with self.store.connect() as con:
            result = _walk(con, self.key, require_keyed=True, against=against)
        return result


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    bad_seq: int | None = None
    keyed_from: int | None = None  # the seq of the audit_keyed entry
    head_seq: int = 0


def _append_line(path: Path, line: str) -> None:
    """One line appended in one write (O_APPEND), file 0600; no fsync: the server does
    this after every entry, and the store itself syncs only at checkpoints."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def read_head(path: str | Path) -> dict[str, Any]:
    """The last head in a head file (one JSON object a line)."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    if not lines:
        raise ValueError(f"{path} holds no audit head")
    head = json.loads(lines[-1])
    if not isinstance(head, dict) or not {"seq", "hash", "mac"} <= set(head):
        raise ValueError(f"{path} is not an audit head file")
    return head


def _walk(con, key: bytes, *, require_keyed: bool = False,
          against: dict[str, Any] | None = None) -> VerifyResult:
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    keyed_from: int | None = None
    want = int(against["seq"]) if against else None
    seen_at_want: str | None = None
    cursor = con.execute(
        "SELECT seq, at, actor, event, detail, prev_hash, hash FROM audit_log ORDER BY seq")

    def bad(problem: str, seq: int | None) -> VerifyResult:
        return VerifyResult(False, count, prev, problem, seq, keyed_from, expected_seq - 1)

    for seq, at, actor, event, detail, prev_hash, stored in cursor:
        if seq != expected_seq:
            return bad(f"entry {expected_seq} is missing", seq)
        if prev_hash != prev:
            return bad(f"entry {seq} does not follow entry {seq - 1}", seq)
        if stored.startswith(KEYED):
            if keyed_from is None:
                if event != AUDIT_KEYED:
                    return bad(f"entry {seq} is keyed but the keyed chain has no start "
                               f"entry: entries were removed", seq)
                keyed_from = seq
            expected = entry_mac(key, seq, at, actor, event, detail, prev_hash)
            if not hmac.compare_digest(expected, stored):
                return bad(f"entry {seq} has been altered (or this is not the log's key "
                           f"file)", seq)
        else:
            if keyed_from is not None:
                return bad(f"entry {seq} is not keyed, after keyed entries: the log was "
                           f"rewritten", seq)
            if entry_hash(seq, at, actor, event, detail, prev_hash) != stored:
                return bad(f"entry {seq} has been altered", seq)
        if seq == want:
            seen_at_want = stored
        prev = stored
        expected_seq += 1
        count += 1
    if require_keyed and count == 0:
        return bad("the audit log is empty: a keyed log always holds its start entry, so "
                   "every entry was removed", None)
    if require_keyed and keyed_from is None:
        return bad("no keyed entry: the log was rewritten without the key (or the store "
                   "was never opened with a key file)", None)
    if against is not None:
        assert want is not None
        if not hmac.compare_digest(_head_mac(key, want, str(against["hash"])),
                                   str(against.get("mac", ""))):
            return bad("the head file was not written with this log's key", None)
        if count < want:
            return bad(f"the log has {count} entries but the exported head is entry "
                       f"{want}: entries were removed from the end", None)
        if seen_at_want is None or not hmac.compare_digest(seen_at_want, str(against["hash"])):
            return bad(f"entry {want} is not the one in the exported head: the log was "
                       f"rewritten", want)
    return VerifyResult(True, count, prev, None, None, keyed_from, count)


def verify_rows(store: StateStore) -> VerifyResult:
    """The chain of ``store`` under its own key (see :meth:`AuditLog.verify`)."""
    with store.connect() as con:
        return _walk(con, store.keys.audit, require_keyed=True)
