"""The dashboard application: ``create_app(warehouse)`` builds it.

Everything the routes share (warehouse snapshots, the result cache, users, sessions,
the audit log) hangs off one :class:`Dashboard` object in ``app.state.dashboard``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles

from dvpi.web.access import Rule, allowed, audience
from dvpi.web.audit import ACCESS_DENIED, AuditLog
from dvpi.web.auth import (
    SESSION_COOKIE,
    AuthPolicy,
    Clock,
    LoginThrottle,
    Session,
    SessionManager,
)
from dvpi.web.data import Snapshot, Warehouse, WarehouseUnavailable
from dvpi.web.engine import Engine, default_engine
from dvpi.web.state import StateStore, default_state_path
from dvpi.web.users import User, UserStore

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("dvpi.web")

# No inline script or style anywhere: every style comes from /static, charts are SVG
# styled by class from the same stylesheet.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every response."""

    def __init__(self, app, secure: bool):
        self.app = app
        self.secure = secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if not scope["path"].startswith("/static/"):
                    # Pages show data about victims: never keep them in a shared cache.
                    headers["Cache-Control"] = "no-store"
                if self.secure:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginRequired(Exception):
    """A page asked for without a session: send the browser to the login form."""


@dataclass
class Dashboard:
    warehouse: Warehouse
    store: StateStore
    users: UserStore
    audit: AuditLog
    sessions: SessionManager
    throttle: LoginThrottle
    engine: Engine
    secure_cookies: bool
    policy: AuthPolicy
    templates: Environment

    # --- who is asking -------------------------------------------------------------------

    def session(self, request: Request) -> Session | None:
        if "dvpi_session_obj" not in request.scope:
            request.scope["dvpi_session_obj"] = self.sessions.load(
                request.cookies.get(SESSION_COOKIE))
        return request.scope["dvpi_session_obj"]

    def api_user(self, request: Request) -> User | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.users.user_for_token(token.strip())
        session = self.session(request)
        return session.user if session else None

    def require(self, request: Request, user: User | None, rule: Rule,
                borough: str | None = None) -> None:
        if allowed(user, rule, borough):
            return
        if user is None:
            raise LoginRequired()
        self.audit.append(ACCESS_DENIED, user.username, path=request.url.path,
                          borough=borough, role=user.role)
        raise HTTPException(403, "You do not have access to this page.")

    def page_user(self, request: Request, rule: Rule, borough: str | None = None) -> Session:
        session = self.session(request)
        self.require(request, session.user if session else None, rule, borough)
        assert session is not None
        return session

    # --- data ----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return self.warehouse.snapshot()

    def result(self, snap: Snapshot, start: dt.date, end: dt.date, borough: str | None,
               definition: str, ids: tuple[str, ...] | None = None) -> dict:
        """The engine's result for one period and scope, cached per warehouse version.

        A borough comes out of the all-boroughs computation (the engine counts every
        borough in the same queries, for about the cost of one), so the second borough
        anyone opens is already there; the force alone is cheaper on its own, unless
        the all-boroughs result is cached already.
        """
        scope = borough.strip().lower() if borough else None
        key = ("result", snap.version, start, end, scope, definition, ids)
        all_key = ("all", snap.version, start, end, definition, ids)

        def make() -> dict:
            batch = snap.cache.peek(all_key)
            if batch is None and borough is not None and self.engine.compute_by_borough:
                batch = self.all_scopes(snap, start, end, definition, ids)
            found = _pick(batch, borough) if batch is not None else None
            if found is not None:
                return found
            with snap.cursor() as cur:
                return self.engine.compute(cur, start, end, borough=borough,
                                           **_kwargs(snap, definition, ids))

        return snap.cache.get(key, make)

    def all_scopes(self, snap: Snapshot, start: dt.date, end: dt.date,
                   definition: str, ids: tuple[str, ...] | None = None) -> list[dict]:
        """Force first, then every borough."""
        key = ("all", snap.version, start, end, definition, ids)

        def make() -> list[dict]:
            if self.engine.compute_by_borough is not None:
                with snap.cursor() as cur:
                    return self.engine.compute_by_borough(cur, start, end,
                                                          **_kwargs(snap, definition, ids))
            return [self.result(snap, start, end, b, definition, ids)
                    for b in (None, *snap.boroughs())]

        return snap.cache.get(key, make)

    def series(self, user: User, snap: Snapshot, periods: list[tuple[dt.date, dt.date]],
               borough: str | None, definition: str,
               ids: tuple[str, ...] | None = None) -> list[dict]:
        """One result per period (a trend), as the user may see it."""
        periods_key = tuple(periods)
        if audience(user) == "public":
            from dvpi.publish.disclosure import protect

            key = ("public-series", snap.version, periods_key, definition, ids)
            batches = snap.cache.get(key, lambda: [
                protect(batch).results
                for batch in self._series_all(snap, periods, definition, ids)])
            return [_pick(batch, borough) or self.result(snap, s, e, borough, definition, ids)
                    for batch, (s, e) in zip(batches, periods, strict=True)]
        scope = borough.strip().lower() if borough else None
        key = ("series", snap.version, periods_key, scope, definition, ids)

        def make() -> list[dict]:
            if self.engine.compute_series is None:
                return [self.result(snap, s, e, borough, definition, ids) for s, e in periods]
            if borough is not None:  # as for result(): every borough at once
                batches = self._series_all(snap, periods, definition, ids)
                picked = [_pick(batch, borough) for batch in batches]
                if all(p is not None for p in picked):
                    return picked
            with snap.cursor() as cur:
                return self.engine.compute_series(cur, list(periods), borough=borough,
                                                  **_kwargs(snap, definition, ids))

        return snap.cache.get(key, make)

    def _series_all(self, snap: Snapshot, periods: list[tuple[dt.date, dt.date]],
                    definition: str, ids: tuple[str, ...] | None) -> list[list[dict]]:
        """Force and every borough for each period: one batch per period."""
        key = ("series-all", snap.version, tuple(periods), definition, ids)

        def make() -> list[list[dict]]:
            if self.engine.compute_series is None:
                return [self.all_scopes(snap, s, e, definition, ids) for s, e in periods]
            with snap.cursor() as cur:
                flat = self.engine.compute_series(cur, list(periods), by_borough=True,
                                                  **_kwargs(snap, definition, ids))
            size = len(flat) // len(periods)
            return [flat[i * size:(i + 1) * size] for i in range(len(periods))]

        return snap.cache.get(key, make)

    def published(self, snap: Snapshot, start: dt.date, end: dt.date, definition: str,
                  ids: tuple[str, ...] | None = None) -> list[dict]:
        """All scopes after disclosure control, protected together so that no page
        can be differenced against another to recover a suppressed cell."""
        from dvpi.publish.disclosure import protect

        key = ("public", snap.version, start, end, definition, ids)
        return snap.cache.get(
            key, lambda: protect(self.all_scopes(snap, start, end, definition, ids)).results)

    def result_for(self, user: User, snap: Snapshot, start: dt.date, end: dt.date,
                   borough: str | None, definition: str,
                   ids: tuple[str, ...] | None = None) -> dict:
        """The result a user may see: disclosure-controlled for the public audience."""
        if audience(user) != "public":
            return self.result(snap, start, end, borough, definition, ids)
        found = _pick(self.published(snap, start, end, definition, ids), borough)
        # A borough absent from the data gives zeros (rule 4): nothing to disclose.
        return found or self.result(snap, start, end, borough, definition, ids)

    def view(self, view: Any, user: User, snap: Snapshot, choice: Any, arg: Any) -> dict:
        """A page's context, cached like the results it is made of: it depends on the
        user only through their audience (public or restricted)."""
        key = ("view", view.__name__, snap.version, choice, arg, audience(user))
        return snap.cache.get(key, lambda: view(self, user, snap, choice, arg))

    def warm(self) -> None:
        """Compute the default pages of the current warehouse version for both
        audiences, so the first person to open them does not wait."""
        from dvpi.web import views
        from dvpi.web.params import choose
        from dvpi.web.users import FORCE_ANALYST, PARTNER

        snap = self.snapshot()
        choice = choose(snap, None, None, None, None)
        for role in (FORCE_ANALYST, PARTNER):
            user = User("warm-up", role)
            for view in (views.scorecard, views.league, views.equality):
                self.view(view, user, snap, choice, None)
        # Every borough's page: one borough's computes them all.
        boroughs = snap.boroughs()
        if boroughs:
            self.view(views.scorecard, User("warm-up", FORCE_ANALYST), snap, choice,
                      boroughs[0])

    def start_warming(self) -> threading.Thread:
        def run() -> None:
            try:
                self.warm()
            except Exception as exc:  # a page will show the error; keep serving
                log.warning("warming the cache failed: %s", exc)

        thread = threading.Thread(target=run, name="dvpi-warm", daemon=True)
        thread.start()
        return thread

    # --- rendering -----------------------------------------------------------------------

    def render(self, request: Request, template: str, status: int = 200,
               **context: Any) -> HTMLResponse:
        session = self.session(request)
        people_method: str | None = None
        if session is not None:  # never open the warehouse for an anonymous page
            with suppress(WarehouseUnavailable):
                people_method = self.warehouse.snapshot().people_method
        html = self.templates.get_template(template).render(
            request=request, session=session, user=session.user if session else None,
            people_method=people_method, **context)
        return HTMLResponse(html, status_code=status)


def _kwargs(snap: Snapshot, definition: str, ids: tuple[str, ...] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"definition": definition, "people": snap.people_method}
    if ids is not None:
        kwargs["ids"] = list(ids)
    return kwargs


def _pick(results: list[dict], borough: str | None) -> dict | None:
    """The force (first) or the named borough's result from a force-then-boroughs list."""
    if borough is None:
        return results[0]
    wanted = borough.strip().lower()
    return next((r for r in results[1:]
                 if str(r.get("scope", "")).strip().lower() == wanted), None)


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("dvpi.web", "templates"),
                      autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # templates ship with the package
    from dvpi.web import present

    env.filters.update(present.FILTERS)
    env.globals.update(present.GLOBALS)
    return env


def create_app(
    warehouse: Path,
    *,
    state_path: Path | None = None,
    secure_cookies: bool = True,
    compute=None,
    engine: Engine | None = None,
    policy: AuthPolicy | None = None,
    clock: Clock = time.time,
    warm: bool = False,
) -> FastAPI:
    """The dashboard over ``warehouse``.

    ``compute`` replaces the indicator engine's ``compute`` (tests); ``engine`` replaces
    the whole engine (compute, worklists, catalogue). State (users, sessions, audit)
    lives in ``state_path``, by default ``<warehouse>.web.sqlite``. ``warm`` computes
    the default pages in the background at start-up and after every load.
    """
    warehouse = Path(warehouse)
    if engine is None:
        engine = default_engine()
    if compute is not None:
        engine = Engine(compute=compute, worklists=engine.worklists,
                        catalogue=engine.catalogue, families=engine.families)
    policy = policy or AuthPolicy()
    store = StateStore(state_path or default_state_path(warehouse))
    dashboard = Dashboard(
        warehouse=Warehouse(warehouse),
        store=store,
        users=UserStore(store),
        audit=AuditLog(store),
        sessions=SessionManager(store, store.secret_key(), policy, clock),
        throttle=LoginThrottle(store, policy, clock),
        engine=engine,
        secure_cookies=secure_cookies,
        policy=policy,
        templates=_templates(),
    )

    if warm:
        dashboard.warehouse.on_new_version = dashboard.start_warming

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm and warehouse.exists():
            dashboard.start_warming()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="dvpi dashboard API",
        description="The indicators of `dvpi indicators --json`, under the dashboard's "
                    "access rules. Authenticate with a bearer token from "
                    "`dvpi users token USER`.",
        version="1",
        docs_url=None,      # the interactive docs load scripts from a CDN: not here
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.dashboard = dashboard
    app.add_middleware(SecurityHeaders, secure=secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "authentication required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(WarehouseUnavailable)
    async def _no_warehouse(request: Request, exc: WarehouseUnavailable) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return dashboard.render(request, "error.html", 503, title="No data yet",
                                message="The warehouse is not available. Load data with "
                                        "`dvpi load`, then reload this page.")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        titles = {403: "Access denied", 404: "Not found", 400: "Bad request",
                  429: "Too many attempts"}
        return dashboard.render(request, "error.html", exc.status_code,
                                title=titles.get(exc.status_code, "Error"),
                                message=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "invalid request",
                                 "errors": [str(e.get("msg")) for e in exc.errors()]},
                                status_code=422)
        return dashboard.render(request, "error.html", 400, title="Bad request",
                                message="The request was not understood.")

    from dvpi.web import api, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    return app


def dashboard_of(request: Request) -> Dashboard:
    return request.app.state.dashboard
