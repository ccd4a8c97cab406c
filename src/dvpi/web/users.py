"""Users, roles and API tokens.

Passwords are hashed with argon2id and must pass :func:`password_problem` (length and
a zxcvbn strength score, which knows common passwords, names, keyboard walks and
repeats). API tokens are random and stored only as their SHA-256 (a token is as good
as a password but has 256 bits of entropy, so a fast hash is enough and keeps
per-request checks cheap); each expires (default 90 days), records when it was last
used, and can be listed and revoked by its id (the first 12 digits of its hash).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dvpi.web.state import StateStore

ADMIN = "admin"
FORCE_ANALYST = "force_analyst"
BOROUGH_USER = "borough_user"
PARTNER = "partner"
FORCE_USER = "force_user"
ROLES: tuple[str, ...] = (ADMIN, FORCE_ANALYST, BOROUGH_USER, PARTNER, FORCE_USER)

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3          # zxcvbn: 0 (too guessable) .. 4 (very unguessable)
TOKEN_DAYS = 90                 # a token's default lifetime
LAST_USED_RESOLUTION = 60.0     # seconds: a token's last use is written at most this often
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")

_hasher = PasswordHasher()
# Verified against when the username does not exist, so a wrong username takes as
# long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """A user cannot be added, changed or found."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    borough: str | None = None
    force: str | None = None  # a force_user's force (a warehouse of several forces)

    @property
    def sees_everything(self) -> bool:
        return self.role in (ADMIN, FORCE_ANALYST)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_problem(password: str, *, username: str = "",
                     extra: Collection[str] = ()) -> str | None:
    """Why ``password`` is too weak, or None.

    At least 12 characters, not only spaces, and a zxcvbn score of at least 3 (it
    penalises common passwords, repeats, sequences, dictionary words and the user's own
    name and borough). zxcvbn only reads the first 100 characters.
    """
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password has at least {MIN_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "a password is not only spaces"
    inputs = [v for v in (username, *extra) if v]
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = result.get("feedback", {}).get("warning") or "it is too easy to guess"
        return f"that password is too weak: {hint.rstrip('.').lower()} (use a few unrelated words)"
    return None


@dataclass(frozen=True)
class TokenInfo:
    token_id: str       # the first 12 hex digits of the token's hash: safe to show
    username: str
    created_at: str
    expires_at: float
    last_used_at: float | None

    @property
    def expired(self) -> bool:
        return self.expires_at <= time.time()


class UserStore:
    def __init__(self, store: StateStore):
        self.store = store

    def add(self, username: str, password: str, role: str, borough: str | None = None,
            *, boroughs: Collection[str] | None = None, force: str | None = None,
            forces: Collection[str] | None = None) -> User:
        """Add a user. ``boroughs``: the boroughs of the warehouse, when known; a
        borough user's borough must be one of them (spelt as the data spells it).
        ``forces``: the forces of the warehouse, when known (none: one force); a force
        user's force must be one of them, matched as the engine matches force names
        (trimmed, case ignored) and stored as the data spells it."""
        username = username.strip().lower()
        if not username or not set(username) <= USERNAME_CHARS:
            raise UserError("a username is letters, digits and . _ - @")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        borough = borough.strip() if borough else None
        if role == BOROUGH_USER and not borough:
            raise UserError("a borough_user needs --borough")
        if role != BOROUGH_USER and borough:
            raise UserError("only a borough_user has a borough")
        force = force.strip() if force else None
        if role == FORCE_USER and not force:
            raise UserError("a force_user needs --force")
        if role != FORCE_USER and force:
            raise UserError("only a force_user has a force")
        if force and forces is not None:
            if not forces:
                raise UserError("the warehouse holds one force: a force_user is for a "
                                "warehouse of several forces (use force_analyst or "
                                "borough_user)")
            known_forces = {f.strip().lower(): f for f in forces}
            if force.lower() not in known_forces:
                raise UserError(f"no force {force!r} in the warehouse (its forces: "
                                f"{', '.join(sorted(forces))})")
            force = known_forces[force.lower()]
        if borough and boroughs is not None:
            known = {b.strip().lower(): b for b in boroughs}
            if borough.lower() not in known:
                raise UserError(f"no borough {borough!r} in the warehouse")
            borough = known[borough.lower()]
        problem = password_problem(password, username=username,
                                   extra=[v for v in (borough, force) if v])
        if problem:
            raise UserError(problem)
        with self.store.connect(immediate=True) as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UserError(f"user {username} already exists")
            con.execute(
                "INSERT INTO users(username, password_hash, role, borough, force, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (username, _hasher.hash(password), role, borough, force, _now()),
            )
        return User(username, role, borough, force)

    def remove(self, username: str) -> None:
        with self.store.connect(immediate=True) as con:
            # Sessions and tokens go with the user (ON DELETE CASCADE).
            if not con.execute("DELETE FROM users WHERE username = ?",
                               (username.strip().lower(),)).rowcount:
                raise UserError(f"no user {username}")

    def set_password(self, username: str, password: str) -> User:
        """A new password; the user's sessions end (tokens stay: revoke them apart)."""
        user = self.get(username)
        if user is None:
            raise UserError(f"no user {username}")
        problem = password_problem(password, username=user.username,
                                   extra=[v for v in (user.borough, user.force) if v])
        if problem:
            raise UserError(problem)
        with self.store.connect(immediate=True) as con:
            con.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                        (_hasher.hash(password), user.username))
            con.execute("DELETE FROM sessions WHERE username = ?", (user.username,))
        return user

    def get(self, username: str) -> User | None:
        with self.store.connect() as con:
            row = con.execute("SELECT username, role, borough, force FROM users "
                              "WHERE username = ?", (username.strip().lower(),)).fetchone()
        return User(*row) if row else None

    def list(self) -> list[User]:
        with self.store.connect() as con:
            rows = con.execute("SELECT username, role, borough, force FROM users "
                               "ORDER BY username")
            return [User(*r) for r in rows.fetchall()]

    def check_password(self, username: str, password: str) -> User | None:
        """The user when the password is right, else None (in the same time either way)."""
        with self.store.connect() as con:
            row = con.execute(
                "SELECT username, role, borough, force, password_hash FROM users "
                "WHERE username = ?",
                (username.strip().lower(),),
            ).fetchone()
        stored = row[4] if row else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            with self.store.connect() as con:
                con.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                            (_hasher.hash(password), row[0]))
        return User(row[0], row[1], row[2], row[3])

    def issue_token(self, username: str, days: float = TOKEN_DAYS) -> str:
        user = self.get(username)
        if user is None:
            raise UserError(f"no user {username}")
        if not 0 < days <= 366:
            raise UserError("a token lasts more than 0 and at most 366 days")
        token = secrets.token_urlsafe(32)
        with self.store.connect() as con:
            con.execute("INSERT INTO tokens(token_hash, username, created_at, expires_at) "
                        "VALUES (?, ?, ?, ?)",
                        (_token_digest(token), user.username, _now(),
                         time.time() + days * 86400))
        return token

    def token_id(self, token: str) -> str:
        return _token_digest(token)[:12]

    def tokens(self, username: str | None = None) -> list[TokenInfo]:
        sql = ("SELECT substr(token_hash, 1, 12), username, created_at, expires_at, "
               "last_used_at FROM tokens")
        args: list[str] = []
        if username:
            sql += " WHERE username = ?"
            args.append(username.strip().lower())
        with self.store.connect() as con:
            rows = con.execute(sql + " ORDER BY username, created_at", args).fetchall()
        return [TokenInfo(*r) for r in rows]

    def revoke_token(self, token_id: str) -> TokenInfo:
        """Revoke the one token whose id (or a longer prefix of its hash) is given."""
        prefix = token_id.strip().lower()
        if len(prefix) < 8 or not set(prefix) <= set("0123456789abcdef"):
            raise UserError("a token id is at least 8 hex digits (dvpi users tokens list)")
        with self.store.connect(immediate=True) as con:
            rows = con.execute(
                "SELECT substr(token_hash, 1, 12), username, created_at, expires_at, "
                "last_used_at, token_hash FROM tokens WHERE token_hash LIKE ? || '%'",
                (prefix,)).fetchall()
            if len(rows) != 1:
                raise UserError(f"no token {token_id}" if not rows
                                else f"token id {token_id} is ambiguous: give more digits")
            con.execute("DELETE FROM tokens WHERE token_hash = ?", (rows[0][5],))
        return TokenInfo(*rows[0][:5])

    def user_for_token(self, token: str) -> User | None:
        """The token's user, when the token exists and has not expired (its last use
        is recorded, at most once a minute)."""
        now = time.time()
        digest = _token_digest(token)
        with self.store.connect() as con:
            row = con.execute(
                "SELECT u.username, u.role, u.borough, u.force, t.expires_at, "
                "t.last_used_at "
                "FROM tokens t JOIN users u USING (username) WHERE t.token_hash = ?",
                (digest,),
            ).fetchone()
        if row is None or row[4] <= now:
            return None
        if row[5] is None or now - row[5] >= LAST_USED_RESOLUTION:
            with self.store.connect() as con:
                con.execute("UPDATE tokens SET last_used_at = ? WHERE token_hash = ?",
                            (now, digest))
        return User(row[0], row[1], row[2], row[3])
