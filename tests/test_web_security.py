"""Passwords, sessions, CSRF, login throttling, security headers, API tokens."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dvpi.web.app import create_app
from dvpi.web.auth import AuthPolicy
from dvpi.web.users import UserError
from web_fakes import csrf_of, fake_engine, login

PASSWORD = "a long enough password"
OWN = "Tower Hamlets"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _app(warehouse: Path, state: Path, clock: Clock, secure: bool = False, **kw):
    template = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    app = create_app(warehouse, state_path=state, secure_cookies=secure,
                     engine=fake_engine(template), clock=clock, **kw)
    users = app.state.dashboard.users
    users.add("analyst", PASSWORD, "force_analyst")
    users.add("bu", PASSWORD, "borough_user", OWN)
    return app


@pytest.fixture
def app(example_warehouse, tmp_path, clock):
    return _app(example_warehouse, tmp_path / "state.sqlite", clock)


def test_passwords_are_argon2_hashes_and_rules_hold(app, tmp_path):
    users = app.state.dashboard.users
    with sqlite3.connect(tmp_path / "state.sqlite") as con:
        stored = con.execute("SELECT password_hash FROM users WHERE username = 'analyst'"
                             ).fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.check_password("analyst", PASSWORD).role == "force_analyst"
    assert users.check_password("analyst", PASSWORD + "x") is None
    assert users.check_password("nobody", PASSWORD) is None
    with pytest.raises(UserError):
        users.add("short", "tooshort", "admin")
    with pytest.raises(UserError):
        users.add("nob", PASSWORD, "borough_user")  # a borough user needs a borough
    with pytest.raises(UserError):
        users.add("x", PASSWORD, "superuser")
    with pytest.raises(UserError):
        users.add("analyst", PASSWORD, "admin")  # exists


@pytest.mark.parametrize("secure", [True, False])
def test_session_cookie_flags(example_warehouse, tmp_path, clock, secure):
    client = TestClient(_app(example_warehouse, tmp_path / "s.sqlite", clock, secure),
                        base_url="https://testserver", follow_redirects=False)
    response = login(client, "analyst", PASSWORD)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("dvpi_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert ("secure" in flags) is secure


def test_tampered_or_ended_sessions_are_refused(app):
    client = TestClient(app, follow_redirects=False)
    login(client, "analyst", PASSWORD)
    assert client.get("/overview").status_code == 200
    good = client.cookies["dvpi_session"]
    client.cookies.set("dvpi_session", good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    assert client.get("/overview").status_code == 303
    client.cookies.set("dvpi_session", good)
    csrf = csrf_of(client.get("/methodology").text)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    client.cookies.set("dvpi_session", good)  # replaying the cookie after logout
    assert client.get("/overview").status_code == 303


def test_removing_a_user_ends_their_session_and_tokens(app):
    client = TestClient(app, follow_redirects=False)
    login(client, "bu", PASSWORD)
    token = app.state.dashboard.users.issue_token("bu")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/indicators?borough={quote(OWN)}").status_code == 200
    app.state.dashboard.users.remove("bu")
    assert client.get(f"/boroughs/{quote(OWN)}").status_code == 303
    assert api.get(f"/api/indicators?borough={quote(OWN)}").status_code == 401


def test_bearer_tokens(app):
    token = app.state.dashboard.users.issue_token("analyst")
    ok = TestClient(app, headers={"Authorization": f"Bearer {token}"}).get("/api/indicators")
    assert ok.status_code == 200 and ok.json()["scope"] == "force"
    bad = TestClient(app, headers={"Authorization": f"Bearer {token}x"}).get("/api/indicators")
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    # A borough user's token follows the borough user's rules.
    bu = app.state.dashboard.users.issue_token("bu")
    api = TestClient(app, headers={"Authorization": f"Bearer {bu}"})
    assert api.get("/api/indicators").status_code == 403
    assert api.get("/api/indicators?borough=Waltham%20Forest").status_code == 403
    assert api.get(f"/api/indicators?borough={quote(OWN.upper())}").status_code == 200


def test_login_form_needs_its_csrf_token(app):
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    no_token = client.post("/login", data={"username": "analyst", "password": PASSWORD})
    assert no_token.status_code == 403
    wrong = client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                        "csrf_token": "forged"})
    assert wrong.status_code == 403
    # Another browser's token (no matching cookie) does not work either.
    other = TestClient(app)
    token = csrf_of(other.get("/login").text)
    fresh = TestClient(app, follow_redirects=False)
    assert fresh.post("/login", data={"username": "analyst", "password": PASSWORD,
                                      "csrf_token": token}).status_code == 403


def test_every_form_post_needs_the_session_csrf_token(app):
    client = TestClient(app, follow_redirects=False)
    login(client, "analyst", PASSWORD)
    csrf = csrf_of(client.get("/methodology").text)
    period = {"start": "2007-04-01", "end": "2008-03-31"}
    drawn = client.post(f"/boroughs/{quote(OWN)}/dip-samples",
                        data={"csrf_token": csrf, "size": "2"} | period)
    assert drawn.status_code == 303
    sample = drawn.headers["location"]
    report = re.search(r'name="report_id" value="([^"]+)"', client.get(sample).text).group(1)
    posts = {
        "/logout": {},
        f"/boroughs/{quote(OWN)}/dip-samples": {"size": "2"} | period,
        f"{sample}/results": {"report_id": report, "result": "compliant"},
    }
    # Every POST route of the application is exercised here (bar the login form).
    declared = {r.path for r in app.router.routes if "POST" in getattr(r, "methods", ())}
    declared |= {r.path for inc in app.router.routes if hasattr(inc, "original_router")
                 for r in inc.original_router.routes if "POST" in getattr(r, "methods", ())}
    assert len(declared - {"/login"}) == len(posts), declared
    for url, data in posts.items():
        for token in (None, "forged", csrf + "x"):
            form = dict(data) | ({"csrf_token": token} if token else {})
            response = client.post(url, data=form)
            assert response.status_code == 403, (url, token, response.status_code)
    # With the token, the same posts work (logout last).
    for url, data in posts.items():
        assert client.post(url, data=data | {"csrf_token": csrf}).status_code == 303, url


def test_lockout_after_repeated_failures(app, clock):
    client = TestClient(app, follow_redirects=False)
    policy = AuthPolicy()
    for _ in range(policy.max_user_failures):
        assert login(client, "analyst", "wrong password!").status_code == 401
    locked = login(client, "analyst", PASSWORD)
    assert locked.status_code == 429 and "dvpi_session" not in client.cookies
    assert int(locked.headers["retry-after"]) > 0
    clock.now += policy.lockout_seconds + 1
    assert login(client, "analyst", PASSWORD).status_code == 303
    events = [e for e in app.state.dashboard.audit.entries()]
    # Aggregated (docs/security.md): entries at the 1st, 2nd and 4th failure and at the
    # lockout (the 5th), each with the running count; not one per attempt.
    failed = [e.detail["failures_in_window"] for e in events if e.event == "login_failed"]
    assert sorted(failed) == [1, 2, 4, 5]
    assert events[0].event == "login"


def test_failures_on_other_accounts_never_refuse_a_right_password(example_warehouse,
                                                                  tmp_path, clock):
    """Issue 14 item 6 (F6): one address (a NAT, a proxy without --trusted-proxy) fails
    on 25 other account names; the officer, same address, no device cookie, gets in.
    The refusal is per account and per (account, client) only."""
    policy = AuthPolicy()
    app = _app(example_warehouse, tmp_path / "t.sqlite", clock, policy=policy)
    app.state.dashboard.users.add("officer", PASSWORD, "force_analyst")
    attacker = TestClient(app, follow_redirects=False)
    for i in range(policy.max_client_failures + 5):
        assert login(attacker, f"guess{i}", "wrong password!").status_code == 401
    officer = TestClient(app, follow_redirects=False)  # same address, never logged in
    assert "dvpi_device" not in officer.cookies
    assert login(officer, "officer", PASSWORD).status_code == 303
    # The attacker's own account/client pairs still lock: per (account, client).
    for _ in range(policy.max_user_failures):
        assert login(attacker, "guess0", "wrong password!").status_code in (401, 429)
    assert login(attacker, "guess0", "wrong password!").status_code == 429
    # The spraying is still audited (aggregated) under the address's running count.
    failed = [e for e in app.state.dashboard.audit.entries() if e.event == "login_failed"]
    assert max(e.detail["failures_in_window"] for e in failed) >= policy.max_client_failures


def _racing_throttle(example_warehouse, tmp_path, clock, policy):
    """The dashboard's throttle, with a password check that counts its calls and is
    slow enough that concurrent attempts overlap."""
    app = _app(example_warehouse, tmp_path / "race.sqlite", clock, policy=policy)
    dash = app.state.dashboard
    checked: list[str] = []
    lock = threading.Lock()

    class SlowUsers:
        def check_password(self, username, password):
            with lock:
                checked.append(username)
            time.sleep(0.2)
            return dash.users.check_password(username, password)

    return dash, SlowUsers(), checked


def _race(attempts) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return [o.status for o in pool.map(lambda f: f(), attempts)]


def test_concurrent_guesses_are_checked_at_most_the_limit(example_warehouse, tmp_path,
                                                          clock):
    """F5: 40 concurrent wrong passwords from one client: at most max_user_failures are
    checked at all (a slot is reserved atomically before the check), the rest 429."""
    policy = AuthPolicy()
    dash, users, checked = _racing_throttle(example_warehouse, tmp_path, clock, policy)
    statuses = _race([lambda: dash.throttle.attempt(users, dash.audit, "analyst",
                                                    "wrong password!", "203.0.113.9")
                      for _ in range(40)])
    assert len(checked) <= policy.max_user_failures
    assert statuses.count(401) == len(checked) and statuses.count(429) == 40 - len(checked)
    # And the account-wide cap holds too, from many addresses at once.
    checked.clear()
    cap = AuthPolicy(max_account_failures=8)
    dash, users, checked = _racing_throttle(example_warehouse, tmp_path / "cap", clock,
                                            cap)
    statuses = _race([lambda i=i: dash.throttle.attempt(users, dash.audit, "analyst",
                                                        "wrong password!", f"198.51.100.{i}")
                      for i in range(40)])
    assert len(checked) <= cap.max_account_failures
    assert statuses.count(401) == len(checked)
    # A right password afterwards, from a client without failures and no device cookie,
    # is refused by the account cap while it lasts (distributed guessing), then let in.
    assert dash.throttle.attempt(dash.users, dash.audit, "analyst", PASSWORD,
                                 "192.0.2.1").status == 429
    clock.now += cap.client_window_seconds + 1
    assert dash.throttle.attempt(dash.users, dash.audit, "analyst", PASSWORD,
                                 "192.0.2.1").status == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example", "/\\evil.example",
                                    "https://evil.example/", "/\n/evil.example"])
def test_no_open_redirect_after_login(app, target):
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    response = client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text),
                                           "next": target})
    assert response.headers["location"] == "/overview"
    client2 = TestClient(app, follow_redirects=False)
    page = client2.get("/login")
    response = client2.post("/login", data={"username": "analyst", "password": PASSWORD,
                                            "csrf_token": csrf_of(page.text),
                                            "next": "/boroughs"})
    assert response.headers["location"] == "/boroughs"


@pytest.mark.parametrize("secure", [True, False])
def test_security_headers_everywhere(example_warehouse, tmp_path, clock, secure):
    app = _app(example_warehouse, tmp_path / "h.sqlite", clock, secure)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login(client, "analyst", PASSWORD)
    for url in ("/login", "/overview", "/api/indicators", "/static/dvpi.css", "/nowhere",
                "/api/openapi.json"):
        h = client.get(url).headers
        csp = h["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert ("strict-transport-security" in h) is secure
        if not url.startswith("/static"):
            assert h["cache-control"] == "no-store"


def test_pages_need_no_inline_script_or_style(app):
    client = TestClient(app)
    login(client, "analyst", PASSWORD)
    for url in ("/login", "/overview", "/boroughs", f"/boroughs/{quote(OWN)}", "/equality",
                "/methodology", "/worklists"):
        html = client.get(url).text
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html, re.I), url
    assert client.get("/docs").status_code == 404  # the CDN-loading docs UI is off
