"""Sessions, CSRF tokens and login throttling.

A session is a row in the state database; the browser holds only its random id,
signed with itsdangerous (so a forged or altered cookie is rejected before any
lookup) in an HttpOnly, SameSite=Strict cookie. The row holds the SHA-256 of the id,
never the id: a reader of the state file cannot log in as anyone. Deleting the row
(logout, user removed) ends the session at once. Each session carries its own CSRF
token, which every form posts back.

Login throttling (:class:`LoginThrottle`) counts failures per account *and client*
(the address, or the browser's device cookie), so an attacker locks out only
themselves: see docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dvpi.web.audit import LOGIN_FAILED, AuditLog
from dvpi.web.state import StateStore
from dvpi.web.users import User, UserStore

SESSION_COOKIE = "dvpi_session"
LOGIN_CSRF_COOKIE = "dvpi_login_csrf"
DEVICE_COOKIE = "dvpi_device"  # "this browser has logged in as USER before"
CSRF_FIELD = "csrf_token"

Clock = Callable[[], float]


@dataclass(frozen=True)
class AuthPolicy:
    session_seconds: int = 8 * 3600          # a working shift
    max_user_failures: int = 5               # failures on an account from one client
    lockout_seconds: int = 15 * 60           # ... lock that client out of that account
    max_account_failures: int = 50           # failures on an account from all clients
    max_client_failures: int = 20            # failures from one client, any account
    client_window_seconds: int = 10 * 60
    device_days: int = 90                    # a device cookie lasts this long
    # Proxies whose forwarded-for header is believed (addresses or networks). Empty:
    # the client is the peer address.
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    proxy_header: str = "x-forwarded-for"


def client_address(peer: str | None, headers: Mapping[str, str], policy: AuthPolicy) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the
    right-most address of the forwarded-for header that is not a trusted proxy."""
    peer = peer or "unknown"
    if not policy.trusted_proxies or not _trusted(peer, policy.trusted_proxies):
        return peer
    forwarded = headers.get(policy.proxy_header, "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a header we do not understand: do not believe any of it
        if not _trusted(address, policy.trusted_proxies):
            return address
    return peer


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


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
        self.failures = 0  # the client's failures in the window (for the audit)


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
                "INSERT INTO sessions(session_hash, username, csrf_token, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?)",
                (_digest(session.session_id), user.username, session.csrf_token, now,
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
        if not isinstance(session_id, str):
            return None
        digest = _digest(session_id)
        with self.store.connect() as con:
            row = con.execute(
                "SELECT s.session_hash, s.csrf_token, s.expires_at, u.username, u.role, "
                "u.borough, u.force FROM sessions s JOIN users u USING (username) "
                "WHERE s.session_hash = ?",
                (digest,),
            ).fetchone()
        if row is None or not hmac.compare_digest(row["session_hash"], digest) \
                or row["expires_at"] < self.clock():
            return None
        user = User(row["username"], row["role"], row["borough"], row["force"])
        return Session(session_id, user, row["csrf_token"])

    def destroy(self, session_id: str) -> None:
        with self.store.connect() as con:
            con.execute("DELETE FROM sessions WHERE session_hash = ?", (_digest(session_id),))

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


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt comes to: the user (and a device cookie to set), or the
    status to answer (401 wrong, 429 throttled with ``retry_after``). The answer never
    depends on whether the account exists."""

    user: User | None
    status: int
    message: str
    retry_after: int | None = None
    device_cookie: str | None = None


WRONG = "Wrong username or password."
THROTTLED = "Too many failed attempts. Try again later."


class LoginThrottle:
    """Failures are counted per (account, client) and per account; the refusal is
    decided on those two alone.

    The *client* is the browser's device cookie for that account when it has one
    (it logged in as that account before), else its address (:func:`client_address`).
    A client is locked out of an account after ``max_user_failures`` failures there;
    clients without the account's device cookie are also refused while the account
    has ``max_account_failures`` failures from everywhere. Failures on *other*
    accounts never refuse a login (issue 14 item 6): an address's failures on any
    accounts (``max_client_failures``, password spraying) are audited, not refused,
    so one attacker behind a NAT or an untrusted proxy cannot lock others out. And an
    attacker's failures never refuse a browser that has logged in as the account
    before, whatever the address.

    Each attempt takes its slot before the password is checked: the check of the
    limits and the insert of the attempt (counted as a failure until the password
    proves right) happen in one write transaction, so concurrent guesses cannot all
    pass the check first; at most the limit of passwords are ever checked per
    (account, client) and per account in a window, across threads and processes.

    Nothing here asks whether an account exists: an unknown name is counted, locked
    and answered exactly like a known one. Failures reach the audit log aggregated:
    an entry at a client's 1st, 2nd, 4th, 8th ... failure in the window (with the
    running count), when an address reaches ``max_client_failures`` and at every
    lockout, not one per attempt.
    """

    def __init__(self, store: StateStore, policy: AuthPolicy, clock: Clock = time.time):
        self.store = store
        self.policy = policy
        self.clock = clock
        self._device = URLSafeTimedSerializer(store.secret_key(), salt="dvpi-device")

    # --- device cookies ------------------------------------------------------------------

    def device_cookie(self, username: str) -> str:
        return self._device.dumps({"u": username, "d": secrets.token_urlsafe(12)})

    def _device_key(self, username: str, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            value = self._device.loads(cookie, max_age=self.policy.device_days * 86400)
        except BadSignature:
            return None
        if not isinstance(value, dict) or value.get("u") != username:
            return None
        return "device:" + _digest(str(value.get("d")))[:32]

    # --- the checks ----------------------------------------------------------------------

    def _refusal(self, con: sqlite3.Connection, username: str, key: str, device: str | None,
                 now: float) -> Throttled | None:
        """Why this attempt must not be checked at all, or None. Counts taken slots
        (attempts in flight) as failures."""
        p = self.policy
        pair = con.execute(
            "SELECT count(*), min(at) FROM login_attempts WHERE username = ? AND "
            "client = ? AND at > ? AND refused = 0",
            (username, key, now - p.lockout_seconds)).fetchone()
        if pair[0] >= p.max_user_failures:
            return Throttled("account locked for this client",
                             int(pair[1] + p.lockout_seconds - now))
        if device is not None:
            return None
        account = con.execute(
            "SELECT count(*), min(at) FROM login_attempts WHERE username = ? AND at > ? "
            "AND refused = 0", (username, now - p.client_window_seconds)).fetchone()
        if account[0] >= p.max_account_failures:
            return Throttled("account locked (failures from many clients)",
                             int(account[1] + p.client_window_seconds - now))
        return None

    def reserve(self, username: str, key: str, device: str | None = None
                ) -> tuple[int, int, bool]:
        """Check the limits and take a slot, atomically (one ``BEGIN IMMEDIATE``
        transaction): the attempt is recorded as a failure before its password is
        checked, and :meth:`succeeded` removes it if the password is right.

        Returns (the slot's row id, failures from the client in the window with this
        one, whether this one locks the account for the client if it fails). Raises
        :class:`Throttled` when refused; the refusal is recorded too (not counted
        against the account)."""
        now = self.clock()
        p = self.policy
        with self.store.connect(immediate=True) as con:
            con.execute("DELETE FROM login_attempts WHERE at < ?",
                        (now - max(p.client_window_seconds, p.lockout_seconds),))
            refusal = self._refusal(con, username, key, device, now)
            slot = con.execute(
                "INSERT INTO login_attempts(username, client, at, refused) "
                "VALUES (?, ?, ?, ?)", (username, key, now, int(refusal is not None))
            ).lastrowid
            n = con.execute("SELECT count(*) FROM login_attempts WHERE client = ? AND at > ?",
                            (key, now - p.client_window_seconds)).fetchone()[0]
            pair = con.execute(
                "SELECT count(*) FROM login_attempts WHERE username = ? AND client = ? AND "
                "at > ? AND refused = 0", (username, key, now - p.lockout_seconds)
            ).fetchone()[0]
        if refusal is not None:
            refusal.failures = n
            raise refusal
        return slot, n, pair == p.max_user_failures

    def succeeded(self, username: str, client: str) -> None:
        """A right password ends the client's failures on that account (its own slot
        included)."""
        with self.store.connect() as con:
            con.execute("DELETE FROM login_attempts WHERE username = ? AND client = ?",
                        (username, client))

    # --- one attempt, whole --------------------------------------------------------------

    def attempt(self, users: UserStore, audit: AuditLog, username: str, password: str,
                client: str, device_cookie: str | None = None) -> LoginOutcome:
        device = self._device_key(username, device_cookie)
        key = device or client
        try:
            _slot, n, locks = self.reserve(username, key, device)
        except Throttled as exc:
            self._audit(audit, username, client, exc.failures, exc.reason, locked=False)
            return LoginOutcome(None, 429, THROTTLED, exc.retry_after)
        # The slot stays counted as a failure unless the password proves right (also
        # if the check fails with an error: fail closed).
        user = users.check_password(username, password)
        if user is None:
            self._audit(audit, username, client, n, "bad credentials", locks)
            return LoginOutcome(None, 401, WRONG)
        self.succeeded(user.username, key)
        return LoginOutcome(user, 303, "", None, self.device_cookie(user.username))

    def _audit(self, audit: AuditLog, username: str, client: str, n: int, reason: str,
               locked: bool) -> None:
        # The 1st, 2nd, 4th, 8th ..., an address reaching the spraying mark (audited,
        # never refused: issue 14 item 6), and lockouts.
        spraying = n == self.policy.max_client_failures
        if locked or spraying or (n & (n - 1)) == 0:
            audit.append(LOGIN_FAILED, None, username=username, client=client,
                         reason=reason, failures_in_window=n, locked=locked,
                         **({"many_accounts": True} if spraying else {}))
