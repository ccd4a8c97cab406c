"""The server-rendered pages. Each route states its access rule first thing."""

from __future__ import annotations

import csv
import io
import random
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dvpi.indicators.worklists import report_ids
from dvpi.web import audit as events
from dvpi.web import views
from dvpi.web.access import Rule, allowed, home_for, protected, sees_force
from dvpi.web.auth import (
    DEVICE_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_address,
    tokens_match,
)
from dvpi.web.dashboard import dashboard_of
from dvpi.web.params import choose, published_only, years_in

router = APIRouter(include_in_schema=False)

DIP_RESULTS: dict[str, str] = {
    "compliant": "Compliant",
    "not_compliant": "Not compliant",
    "cannot_assess": "Cannot assess",
}
DEFAULT_SAMPLE_SIZE = 10
MAX_SAMPLE_SIZE = 100
AUDIT_ID_LIMIT = events.AUDIT_ID_LIMIT


def _safe_next(target: str | None) -> str | None:
    # Only a path on this site: never "//host", "https://..." or "/\t/host" (browsers
    # drop tabs and newlines, and read a backslash as a slash): no open redirect.
    if not target or not target.startswith("/") or len(target) > 2000:
        return None
    if any(c.isspace() or ord(c) < 32 or c == "\\" for c in target):
        return None
    return None if target.startswith("//") else target


def _check_csrf(request: Request, token: str) -> None:
    session = dashboard_of(request).session(request)
    if session is None or not tokens_match(session.csrf_token, token):
        raise HTTPException(403, "The form has expired or did not come from this site. "
                                 "Reload the page and try again.")


def _period(request: Request, snap, user=None) -> Any:
    q = request.query_params
    choice = choose(snap, q.get("year"), q.get("start"), q.get("end"), q.get("definition"))
    if user is not None and protected(user):  # the published period grid only
        published_only(choice)
    return choice


def _view(dash, session, snap, view, choice, arg) -> dict:
    return dash.view(view, session.user, snap, choice, arg)


def _name(borough: str) -> str:
    """A borough from its path segment: ``app.BoroughPaths`` leaves %2F and %25 encoded
    so that a name holding "/" stays one segment; decoded here, before any check."""
    return unquote(borough)


def _force(snap, name: str) -> str:
    """The force as the data spells it (a data set of several forces); else 404."""
    found = snap.force_named(name)
    if found is None:
        raise HTTPException(404, f"No force called {name!r} in the data.")
    return found


def _borough(snap, name: str) -> str:
    """The borough as the data spells it; a borough absent from the data is 404."""
    found = snap.borough_named(name)
    if found is None:
        raise HTTPException(404, f"No borough called {name!r} in the data.")
    return found


# --- logging in and out ----------------------------------------------------------------------


def _login_form(request: Request, status: int = 200, error: str | None = None,
                username: str = "") -> HTMLResponse:
    dash = dashboard_of(request)
    cookie, token = dash.sessions.new_login_csrf()
    response = dash.render(request, "login.html", status, csrf=token, error=error,
                           username=username,
                           next=_safe_next(request.query_params.get("next")) or "")
    response.set_cookie(LOGIN_CSRF_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=dash.secure_cookies, max_age=3600, path="/login")
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    if dashboard_of(request).session(request):
        return RedirectResponse(home_for(dashboard_of(request).session(request).user), 303)
    return _login_form(request)


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""),
          csrf_token: str = Form(""), next: str = Form("")) -> Response:
    dash = dashboard_of(request)
    expected = dash.sessions.login_csrf_from_cookie(request.cookies.get(LOGIN_CSRF_COOKIE))
    if not tokens_match(expected, csrf_token):
        raise HTTPException(403, "The login form has expired. Reload the page and try again.")
    username = username.strip().lower()[:100]
    client = client_address(request.client.host if request.client else None,
                            request.headers, dash.policy)
    # Throttling, password check and (aggregated) audit of failures: dvpi.web.auth.
    outcome = dash.throttle.attempt(dash.users, dash.audit, username, password, client,
                                    request.cookies.get(DEVICE_COOKIE))
    if outcome.user is None:
        response = _login_form(request, outcome.status, outcome.message, username)
        if outcome.retry_after:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    user = outcome.user
    previous = dash.session(request)
    if previous is not None:  # a fresh session id at every login (no fixation)
        dash.sessions.destroy(previous.session_id)
    cookie, _session = dash.sessions.create(user)
    dash.audit.append(events.LOGIN, user.username, client=client, role=user.role)
    response = RedirectResponse(_safe_next(next) or home_for(user), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=dash.secure_cookies, max_age=dash.policy.session_seconds,
                        path="/")
    response.set_cookie(DEVICE_COOKIE, outcome.device_cookie or "", httponly=True,
                        samesite="strict", secure=dash.secure_cookies,
                        max_age=dash.policy.device_days * 86400, path="/login")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    dash = dashboard_of(request)
    session = dash.page_user(request, Rule.ANY_USER)
    _check_csrf(request, csrf_token)
    dash.sessions.destroy(session.session_id)
    dash.audit.append(events.LOGOUT, session.user.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request) -> Response:
    session = dashboard_of(request).page_user(request, Rule.ANY_USER)
    return RedirectResponse(home_for(session.user), status_code=303)


# --- aggregate pages ---------------------------------------------------------------------------


def _aggregate_page(request: Request, rule: Rule, view: Callable[..., dict],
                    template: str, borough: str | None = None, *,
                    subject: str | None = None, force: str | None = None) -> Response:
    """An aggregate page: check access, pick the period, render the view's context.

    ``borough`` is the page's borough (checked against the user's); ``force`` the page's
    force (a data set of several forces); ``subject`` what the view is asked about when
    that is not the scope (the league table's indicator).
    """
    dash = dashboard_of(request)
    session = dash.page_user(request, rule, force if force is not None else borough)
    snap = dash.snapshot()
    if force is not None:
        name = _force(snap, force)
    else:
        name = _borough(snap, borough) if borough is not None else None
    choice = _period(request, snap, session.user)
    context = _view(dash, session, snap, view, choice, subject if subject else name)
    extra = {}
    if view is views.scorecard and borough is not None:
        extra["can_see_records"] = allowed(session.user, Rule.BOROUGH_RECORDS, name, snap)
    # Only the forces whose pages the user may open (a force user: their own).
    forces = [f for f in snap.forces() if sees_force(session.user, f, snap)]
    return dash.render(request, template, choice=choice, years=years_in(snap),
                       borough=name, forces=forces, national=bool(snap.forces()),
                       **extra, **context)


@router.get("/overview")
def overview(request: Request) -> Response:
    return _aggregate_page(request, Rule.FORCE_AGGREGATES, views.scorecard, "overview.html")


@router.get("/boroughs")
def boroughs(request: Request) -> Response:
    return _aggregate_page(request, Rule.BOROUGH_COMPARISONS, views.league, "boroughs.html",
                           subject=request.query_params.get("indicator"))


@router.get("/boroughs/{borough}")
def borough_page(request: Request, borough: str) -> Response:
    borough = _name(borough)
    return _aggregate_page(request, Rule.BOROUGH_AGGREGATES, views.scorecard,
                           "borough.html", borough)


@router.get("/forces/{force}")
def force_page(request: Request, force: str) -> Response:
    """One force of a data set of several, set beside the nation."""
    return _aggregate_page(request, Rule.ONE_FORCE_AGGREGATES, views.scorecard,
                           "force.html", force=_name(force))


@router.get("/equality")
def equality(request: Request) -> Response:
    return _aggregate_page(request, Rule.FORCE_AGGREGATES, views.equality, "equality.html")


@router.get("/boroughs/{borough}/equality")
def borough_equality(request: Request, borough: str) -> Response:
    borough = _name(borough)
    return _aggregate_page(request, Rule.BOROUGH_AGGREGATES, views.equality,
                           "equality.html", borough)


@router.get("/methodology")
def methodology(request: Request) -> Response:
    dash = dashboard_of(request)
    dash.page_user(request, Rule.ANY_USER)
    return dash.render(request, "methodology.html", **views.methodology(dash))


# --- restricted: worklists and dip sampling ------------------------------------------------------


WORKLIST_PAGE_ROWS = 100  # rows of each list on one page; the CSV has them all


def _worklists(request: Request, borough: str | None, force: str | None = None) -> Response:
    """The lists of one borough, of one force of several (``force``), or of the whole
    data set (neither)."""
    dash = dashboard_of(request)
    if force is not None:
        rule, scope = Rule.ONE_FORCE_RECORDS, force
    else:
        rule, scope = (Rule.BOROUGH_RECORDS if borough else Rule.FORCE_RECORDS), borough
    session = dash.page_user(request, rule, scope)
    snap = dash.snapshot()
    name = _borough(snap, borough) if borough else None
    force_name = _force(snap, force) if force is not None else None
    choice = _period(request, snap)
    paged, offset = request.query_params.get("list"), request.query_params.get("offset", "0")
    if not re.fullmatch(r"[0-9]{1,9}", offset):
        raise HTTPException(400, "offset must be a whole number")
    lists = views.worklists(dash, snap, choice, name, session.user.role, force_name)
    for wl in lists:  # a page of each list: a borough's lists run to thousands of rows
        start = int(offset) if wl["kind"] == paged else 0
        wl["total"], wl["offset"] = len(wl["rows"]), start
        wl["rows"] = wl["rows"][start:start + WORKLIST_PAGE_ROWS]
        wl["page_rows"] = WORKLIST_PAGE_ROWS
    # The log names what was shown: the rows of these pages.
    ids = report_ids([r for wl in lists for r in wl["rows"]])
    keyed = views.record_ids(lists)
    dash.audit.append(events.RECORD_VIEW, session.user.username, page="worklists",
                      borough=name, **({"force": force_name} if force_name else {}),
                      start=choice.start, end=choice.end,
                      records=len(ids), report_ids=ids[:AUDIT_ID_LIMIT],
                      record_ids=keyed[:AUDIT_ID_LIMIT],
                      rows={wl["kind"]: len(wl["rows"]) for wl in lists})
    return dash.render(request, "worklists.html", choice=choice, years=years_in(snap),
                       borough=name, force=force_name, lists=lists,
                       national=bool(snap.forces()))


@router.get("/worklists")
def force_worklists(request: Request) -> Response:
    return _worklists(request, None)


@router.get("/forces/{force}/worklists")
def one_force_worklists(request: Request, force: str) -> Response:
    """One force's lists (a data set of several): that force's rows only."""
    return _worklists(request, None, _name(force))


@router.get("/boroughs/{borough}/worklists")
def borough_worklists(request: Request, borough: str) -> Response:
    borough = _name(borough)
    return _worklists(request, borough)


@router.get("/boroughs/{borough}/worklists/{kind}.csv")
def worklist_csv(request: Request, borough: str, kind: str) -> Response:
    borough = _name(borough)
    dash = dashboard_of(request)
    session = dash.page_user(request, Rule.BOROUGH_RECORDS, borough)
    snap = dash.snapshot()
    name = _borough(snap, borough)
    if kind not in dash.engine.worklists:
        raise HTTPException(404, f"No worklist {kind!r}.")
    if not views.may_see(dash.engine.worklists[kind], session.user.role):
        dash.audit.append(events.ACCESS_DENIED, session.user.username,
                          path=request.url.path, borough=name, role=session.user.role)
        raise HTTPException(403, "You do not have access to this list.")
    why_not = views.worklist_unavailable(dash, snap, kind)
    if why_not:
        raise HTTPException(404, f"This list is not available: {why_not}.")
    choice = _period(request, snap)
    rows = views.worklist_rows(dash, snap, choice, name, kind)
    out = io.StringIO()
    columns = views.columns_of(rows)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # A leading = + - @ would be run as a formula by a spreadsheet: neutralise it.
        writer.writerow({k: views.csv_safe(row.get(k)) for k in columns})
    ids = report_ids(rows)
    keyed = views.record_ids([{"record_key": dash.engine.worklists[kind].record_key,
                               "rows": rows}])
    dash.audit.append(events.EXPORT, session.user.username, what=f"worklist {kind}",
                      borough=name, start=choice.start,
                      end=views.list_end(dash, snap, choice, kind), rows=len(rows),
                      records=len(ids), report_ids=ids[:AUDIT_ID_LIMIT],
                      record_ids=keyed[:AUDIT_ID_LIMIT])
    filename = f"{kind}-{name}-{choice.start}-{choice.end}.csv".replace(" ", "_")
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename)})


def attachment(filename: str) -> str:
    """A Content-Disposition for a download (RFC 6266): the name as UTF-8 in
    ``filename*``, and an ASCII fallback of letters, digits and ``._-`` only, so no
    quote, backslash, slash or control character from the data reaches the header."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/boroughs/{borough}/dip-samples")
def dip_samples(request: Request, borough: str) -> Response:
    borough = _name(borough)
    dash = dashboard_of(request)
    session = dash.page_user(request, Rule.BOROUGH_RECORDS, borough)
    snap = dash.snapshot()
    name = _borough(snap, borough)
    choice = _period(request, snap)
    with dash.store.connect() as con:
        samples = con.execute(
            "SELECT s.*, count(i.report_id) AS size, count(i.result) AS checked "
            "FROM dip_samples s LEFT JOIN dip_sample_items i USING (sample_id) "
            "WHERE lower(s.borough) = lower(?) GROUP BY s.sample_id "
            "ORDER BY s.sample_id DESC", (name,)).fetchall()
    return dash.render(request, "dip_samples.html", choice=choice, years=years_in(snap),
                       borough=name, samples=samples, csrf=session.csrf_token,
                       default_size=DEFAULT_SAMPLE_SIZE, max_size=MAX_SAMPLE_SIZE)


@router.post("/boroughs/{borough}/dip-samples")
def draw_dip_sample(request: Request, borough: str, csrf_token: str = Form(""),
                    size: int = Form(DEFAULT_SAMPLE_SIZE), start: str = Form(""),
                    end: str = Form(""), definition: str = Form("")) -> Response:
    borough = _name(borough)
    dash = dashboard_of(request)
    session = dash.page_user(request, Rule.BOROUGH_RECORDS, borough)
    _check_csrf(request, csrf_token)
    snap = dash.snapshot()
    name = _borough(snap, borough)
    choice = choose(snap, None, start or None, end or None, definition or None)
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise HTTPException(400, f"A sample has 1 to {MAX_SAMPLE_SIZE} reports.")
    population = snap.dv_report_ids(name, choice.start, choice.end)
    # The seed is recorded, so anyone can redraw the same sample from the same data.
    seed = secrets.token_hex(8)
    chosen = sorted(random.Random(seed).sample(population, min(size, len(population))))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with dash.store.connect(immediate=True) as con:
        sample_id = con.execute(
            "INSERT INTO dip_samples(borough, period_start, period_end, seed, population, "
            "drawn_by, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, str(choice.start), str(choice.end), seed, len(population),
             session.user.username, now)).lastrowid
        con.executemany("INSERT INTO dip_sample_items(sample_id, report_id) VALUES (?, ?)",
                        [(sample_id, r) for r in chosen])
    dash.audit.append(events.DIP_SAMPLE_DRAWN, session.user.username, sample_id=sample_id,
                      borough=name, start=choice.start, end=choice.end, seed=seed,
                      population=len(population), report_ids=chosen)
    return RedirectResponse(f"/dip-samples/{sample_id}", status_code=303)


MAX_SAMPLE_ID = 2**63 - 1  # SQLite's largest integer


def _sample_id(text: str) -> int | None:
    """The id of ``/dip-samples/{id}``, or None for anything that cannot be one (a
    number too big for the database is not found, never a 500)."""
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 0 < int(text) <= MAX_SAMPLE_ID:
        return None
    return int(text)


def _sample(request: Request, sample_id: int | None):
    dash = dashboard_of(request)
    if sample_id is None:
        session = dash.session(request)
        dash.require(request, session.user if session else None, Rule.FORCE_RECORDS)
        raise HTTPException(404, "No such dip sample.")
    with dash.store.connect() as con:
        sample = con.execute("SELECT * FROM dip_samples WHERE sample_id = ?",
                             (sample_id,)).fetchone()
        items = con.execute("SELECT * FROM dip_sample_items WHERE sample_id = ? "
                            "ORDER BY report_id", (sample_id,)).fetchall()
    session = dash.session(request)
    if sample is None:
        # Not found and not allowed look the same, so ids cannot be probed.
        dash.require(request, session.user if session else None, Rule.FORCE_RECORDS)
        raise HTTPException(404, "No such dip sample.")
    session = dash.page_user(request, Rule.BOROUGH_RECORDS, sample["borough"])
    return dash, session, sample, items


@router.get("/dip-samples/{sample_id}")
def dip_sample(request: Request, sample_id: str) -> Response:
    dash, session, sample, items = _sample(request, _sample_id(sample_id))
    sample_id = int(sample["sample_id"])
    snap = dash.snapshot()
    details = snap.reports([i["report_id"] for i in items])
    dash.audit.append(events.RECORD_VIEW, session.user.username, page="dip_sample",
                      sample_id=sample_id, borough=sample["borough"],
                      records=len(items), report_ids=[i["report_id"] for i in items])
    return dash.render(request, "dip_sample.html", sample=sample, items=items,
                       details=details, results=DIP_RESULTS, csrf=session.csrf_token,
                       borough=sample["borough"])


@router.post("/dip-samples/{sample_id}/results")
def record_dip_result(request: Request, sample_id: str, csrf_token: str = Form(""),
                      report_id: str = Form(""), result: str = Form(""),
                      note: str = Form("")) -> Response:
    dash, session, _sample_row, items = _sample(request, _sample_id(sample_id))
    sample_id = int(_sample_row["sample_id"])
    _check_csrf(request, csrf_token)
    if result not in DIP_RESULTS:
        raise HTTPException(400, "Choose a result.")
    if report_id not in {i["report_id"] for i in items}:
        raise HTTPException(400, "That report is not in this sample.")
    note = note.strip()[:2000]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with dash.store.connect() as con:
        con.execute("UPDATE dip_sample_items SET result = ?, note = ?, checked_by = ?, "
                    "checked_at = ? WHERE sample_id = ? AND report_id = ?",
                    (result, note or None, session.user.username, now, sample_id, report_id))
    dash.audit.append(events.DIP_SAMPLE_RESULT, session.user.username, sample_id=sample_id,
                      report_id=report_id, result=result)
    return RedirectResponse(f"/dip-samples/{sample_id}#r-{quote(report_id)}", status_code=303)


# --- administration ------------------------------------------------------------------------------


@router.get("/admin/audit")
def audit_page(request: Request) -> Response:
    dash = dashboard_of(request)
    dash.page_user(request, Rule.ADMIN_ONLY)
    return dash.render(request, "audit.html", entries=dash.audit.entries(limit=200),
                       verified=dash.audit.verify())
