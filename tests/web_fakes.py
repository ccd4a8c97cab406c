"""Helpers for testing the dashboard: a fake engine and a scripted login.

The fake engine answers instantly with a fixed result (shaped like the spec's
expected.json), so access-control and security tests do not wait for the real
indicator engine; the page and API tests use the real one.
"""

from __future__ import annotations

import copy
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.web.services import Engine, IndicatorInfo, Worklist

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def _unit(entry: dict) -> str:
    if "values" in entry:
        return "breakdown"
    return "rate" if "numerator" in entry else "count"


def fake_engine(template: dict, calls: list | None = None) -> Engine:
    """An engine whose compute returns ``template`` relabelled with the period and scope."""
    calls = calls if calls is not None else []

    def compute(source: Any, start, end, *, borough: str | None = None,
                definition: str = DEFAULT_DEFINITION, ids=None, **_: Any) -> dict:
        calls.append((start, end, borough, definition, tuple(ids) if ids else None))
        out = copy.deepcopy(template)
        out["definition"] = definition
        out["period"] = {"start": str(start), "end": str(end)}
        out["scope"] = borough.strip() if borough else "force"
        if ids:
            out["indicators"] = {k: v for k, v in out["indicators"].items() if k in ids}
        return out

    def worklist(kind: str) -> Callable[..., list[dict]]:
        def fetch(con: Any, start, end, borough: str | None = None, **_: Any) -> list[dict]:
            where = borough or "force"
            return [{"report_id": f"{kind}-{where}-1", "borough": where, "why": kind}]
        return fetch

    catalogue = [IndicatorInfo(i, "test", i.replace("_", " "), f"definition of {i}", _unit(e))
                 for i, e in template["indicators"].items()]
    return Engine(
        compute=compute,
        worklists={k: Worklist(k, k.replace("_", " ").title(), f"{k} records", worklist(k))
                   for k in ("flag_audit", "risk_gaps")},
        catalogue=catalogue,
        families={"test": "Test family"},
    )


def login(client: Any, username: str, password: str, *, follow: bool = False):
    """Log in through the form as a browser would (GET for the token, then POST)."""
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text)},
                       follow_redirects=follow)


def unlocked_store(path) -> sqlite3.Connection:
    """Someone with write access to the state store: a connection with the audit log's
    append-only triggers dropped, ready to tamper."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con
