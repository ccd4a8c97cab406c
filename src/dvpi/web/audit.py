"""The audit log: append-only, every entry chained to the one before by its hash.

Each entry's hash is SHA-256 over its own fields *and the previous entry's hash*, so
changing, removing or reordering any entry breaks every hash after it; ``verify``
walks the chain and names the first entry that does not fit. (Removing entries from
the *end* leaves a valid shorter chain; ``verify`` reports the head so an operator can
compare it with a copy kept elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str | None
    event: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def entry_hash(seq: int, at: str, actor: str | None, event: str, detail_json: str,
               prev_hash: str) -> str:
    # A JSON array is an unambiguous encoding of the fields (no delimiter collisions).
    payload = json.dumps([seq, at, actor, event, detail_json, prev_hash],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


class AuditLog:
    def __init__(self, store: StateStore):
        self.store = store

    def append(self, event: str, actor: str | None = None, **detail: Any) -> AuditEntry:
        detail_json = _canonical(detail)
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        with self.store.connect(immediate=True) as con:
            last = con.execute(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            digest = entry_hash(seq, at, actor, event, detail_json, prev)
            con.execute(
                "INSERT INTO audit_log(seq, at, actor, event, detail, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, at, actor, event, detail_json, prev, digest),
            )
        return AuditEntry(seq, at, actor, event, json.loads(detail_json), prev, digest)

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

    def verify(self) -> VerifyResult:
        return verify_rows(self.store)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    bad_seq: int | None = None


def verify_rows(store: StateStore) -> VerifyResult:
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    with store.connect() as con:
        cursor = con.execute(
            "SELECT seq, at, actor, event, detail, prev_hash, hash FROM audit_log ORDER BY seq"
        )
        for seq, at, actor, event, detail, prev_hash, stored in cursor:
            if seq != expected_seq:
                return VerifyResult(False, count, prev, f"entry {expected_seq} is missing", seq)
            if prev_hash != prev:
                return VerifyResult(False, count, prev,
                                    f"entry {seq} does not follow entry {seq - 1}", seq)
            if entry_hash(seq, at, actor, event, detail, prev_hash) != stored:
                return VerifyResult(False, count, prev, f"entry {seq} has been altered", seq)
            prev = stored
            expected_seq += 1
            count += 1
    return VerifyResult(True, count, prev)
