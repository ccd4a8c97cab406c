"""Sessions, CSRF tokens and login throttling.

A session is a row in the state database; the browser holds only its random id,
signed with itsdangerous (so a forged or altered cookie is rejected before any
lookup) in an HttpOnly, SameSite=Strict cookie. Deleting the row (logout, user
removed) ends the session at once. Each session carries its own CSRF token, which
every form posts back.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dvpi.web.state import StateStore
from dvpi.web.users import User

SESSION_COOKIE = "dvpi_session"
LOGIN_CSRF_COOKIE = "dvpi_login_csrf"
CSRF_FIELD = "csrf_token"

Clock = Callable[[], float]


@dataclass(frozen=True)
class AuthPolicy:
    session_seconds: int = 8 * 3600          # a working shift
    max_user_failures: int = 5               # consecutive failures before lockout
    lockout_seconds: int = 15 * 60
    max_client_failures: int = 20            # failures from one address in the window
    client_window_seconds: int = 10 * 60


@dataclass(frozen=True)
class Session:
    session_id: str
    user: User
    csrf_token: str


class Throttled(Exception):
    def __init__(self, reason: str, retry_after: int):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = max(1, retry_after)


def tokens_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class SessionManager:
    def __init__(self, store: StateStore, secret: str, policy: AuthPolicy,
                 clock: Clock = time.time):
        self.store = store
        self.policy = policy
        self.clock = clock
        self._signer = URLSafeTimedSerializer(secret, salt="dvpi-session")
        self._login_signer = URLSafeTimedSerializer(secret, salt="dvpi-login-csrf")

    def create(self, user: User) -> tuple[str, Session]:
        """A new session for the user: (signed cookie value, session)."""
        session = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32))
        now = self.clock()
        with self.store.connect() as con:
            con.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            con.execute(
                "INSERT INTO sessions(session_id, username, csrf_token, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session.session_id, user.username, session.csrf_token, now,
                 now + self.policy.session_seconds),
            )
        return self._signer.dumps(session.session_id), session

    def load(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            session_id = self._signer.loads(cookie, max_age=self.policy.session_seconds)
        except BadSignature:
            return None
        with self.store.connect() as con:
            row = con.execute(
                "SELECT s.session_id, s.csrf_token, s.expires_at, u.username, u.role, u.borough "
                "FROM sessions s JOIN users u USING (username) WHERE s.session_id = ?",
                (session_id,),
            ).fetchone()
        if row is None or row["expires_at"] < self.clock():
            return None
        user = User(row["username"], row["role"], row["borough"])
        return Session(row["session_id"], user, row["csrf_token"])

    def destroy(self, session_id: str) -> None:
        with self.store.connect() as con:
            con.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    # The login form has no session yet: its CSRF token is a random value held in a
    # signed cookie and echoed by the form (double submit).
    def new_login_csrf(self) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return self._login_signer.dumps(token), token

    def login_csrf_from_cookie(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self._login_signer.loads(cookie, max_age=3600)
        except BadSignature:
            return None


class LoginThrottle:
    """Lockout per account after repeated failures; a cap per client address."""

    def __init__(self, store: StateStore, policy: AuthPolicy, clock: Clock = time.time):
        self.store = store
        self.policy = policy
        self.clock = clock

    def check(self, username: str, client: str) -> None:
        now = self.clock()
        with self.store.connect() as con:
            row = con.execute("SELECT locked_until FROM users WHERE username = ?",
                              (username,)).fetchone()
            recent = con.execute(
                "SELECT count(*), min(at) FROM login_failures WHERE client = ? AND at > ?",
                (client, now - self.policy.client_window_seconds),
            ).fetchone()
        if row and row[0] > now:
            raise Throttled("account locked", int(row[0] - now))
        if recent[0] >= self.policy.max_client_failures:
            raise Throttled("too many failed logins from this address",
                            int(recent[1] + self.policy.client_window_seconds - now))

    def failed(self, username: str, client: str) -> bool:
        """Record a failure; True when it locked the account."""
        now = self.clock()
        with self.store.connect(immediate=True) as con:
            con.execute("DELETE FROM login_failures WHERE at < ?",
                        (now - self.policy.client_window_seconds,))
            con.execute("INSERT INTO login_failures(client, at) VALUES (?, ?)", (client, now))
            con.execute("UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?",
                        (username,))
            row = con.execute("SELECT failed_logins FROM users WHERE username = ?",
                              (username,)).fetchone()
            if row and row[0] >= self.policy.max_user_failures:
                con.execute(
                    "UPDATE users SET locked_until = ?, failed_logins = 0 WHERE username = ?",
                    (now + self.policy.lockout_seconds, username),
                )
                return True
        return False

    def succeeded(self, username: str) -> None:
        with self.store.connect() as con:
            con.execute("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE username = ?",
                        (username,))
