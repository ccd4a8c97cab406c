"""Users, roles and API tokens.

Passwords are hashed with argon2id; API tokens are random and stored only as their
SHA-256 (a token is as good as a password but has 256 bits of entropy, so a fast hash
is enough and keeps per-request checks cheap).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dvpi.web.state import StateStore

ADMIN = "admin"
FORCE_ANALYST = "force_analyst"
BOROUGH_USER = "borough_user"
PARTNER = "partner"
ROLES: tuple[str, ...] = (ADMIN, FORCE_ANALYST, BOROUGH_USER, PARTNER)

MIN_PASSWORD_LENGTH = 12
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

    @property
    def sees_everything(self) -> bool:
        return self.role in (ADMIN, FORCE_ANALYST)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    def __init__(self, store: StateStore):
        self.store = store

    def add(self, username: str, password: str, role: str, borough: str | None = None) -> User:
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
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
        with self.store.connect(immediate=True) as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UserError(f"user {username} already exists")
            con.execute(
                "INSERT INTO users(username, password_hash, role, borough, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (username, _hasher.hash(password), role, borough, _now()),
            )
        return User(username, role, borough)

    def remove(self, username: str) -> None:
        with self.store.connect(immediate=True) as con:
            # Sessions and tokens go with the user (ON DELETE CASCADE).
            if not con.execute("DELETE FROM users WHERE username = ?",
                               (username.strip().lower(),)).rowcount:
                raise UserError(f"no user {username}")

    def get(self, username: str) -> User | None:
        with self.store.connect() as con:
            row = con.execute("SELECT username, role, borough FROM users WHERE username = ?",
                              (username.strip().lower(),)).fetchone()
        return User(row[0], row[1], row[2]) if row else None

    def list(self) -> list[User]:
        with self.store.connect() as con:
            rows = con.execute("SELECT username, role, borough FROM users ORDER BY username")
            return [User(*r) for r in rows.fetchall()]

    def check_password(self, username: str, password: str) -> User | None:
        """The user when the password is right, else None (in the same time either way)."""
        with self.store.connect() as con:
            row = con.execute(
                "SELECT username, role, borough, password_hash FROM users WHERE username = ?",
                (username.strip().lower(),),
            ).fetchone()
        stored = row[3] if row else _DUMMY_HASH
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
        return User(row[0], row[1], row[2])

    def issue_token(self, username: str) -> str:
        user = self.get(username)
        if user is None:
            raise UserError(f"no user {username}")
        token = secrets.token_urlsafe(32)
        with self.store.connect() as con:
            con.execute("INSERT INTO tokens(token_hash, username, created_at) VALUES (?, ?, ?)",
                        (_token_digest(token), user.username, _now()))
        return token

    def user_for_token(self, token: str) -> User | None:
        with self.store.connect() as con:
            row = con.execute(
                "SELECT u.username, u.role, u.borough FROM tokens t "
                "JOIN users u USING (username) WHERE t.token_hash = ?",
                (_token_digest(token),),
            ).fetchone()
        return User(*row) if row else None
