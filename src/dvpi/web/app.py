"""The dashboard application: ``create_app(warehouse)`` builds it.

This module only wires: it builds the :class:`~dvpi.web.dashboard.Dashboard` (the
state every route shares) and mounts the routers. Routers and views reach the
dashboard through :func:`dvpi.web.dashboard.dashboard_of` and never import this
module, so the imports run one way: app -> api/pages -> views -> dashboard.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles

from dvpi.web import api, pages, present, safeguarding
from dvpi.web.audit import AuditLog
from dvpi.web.auth import AuthPolicy, Clock, LoginThrottle, SessionManager
from dvpi.web.dashboard import Dashboard, LoginRequired
from dvpi.web.data import Warehouse, WarehouseUnavailable
from dvpi.web.services import Engine, default_engine
from dvpi.web.state import StateStore, default_state_path
from dvpi.web.users import UserStore
from dvpi.web.warming import start_warming

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


# Borough (and force) names come from the data and may hold "/" (or "%"): in a URL each is one path
# segment, percent-encoded whole (the ``segment`` filter). Servers decode %2F before
# routing, which would split the name; for /boroughs/ and /forces/ paths the path is re-decoded from
# the raw bytes keeping %2F and %25 encoded, and routes decode the name themselves
# (``pages._name``).
_KEEP = re.compile(r"(%2[Ff]|%25)")


def _route_path(raw: bytes) -> str:
    text = raw.decode("latin-1").split("?", 1)[0]
    return "".join(p.upper() if _KEEP.fullmatch(p) else unquote(p)
                   for p in _KEEP.split(text))


class BoroughPaths:
    """Pure ASGI middleware: ``/boroughs/<name>`` and ``/forces/<name>`` route on the
    name as one segment."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw and raw.startswith((b"/boroughs/", b"/forces/")):
            scope = {**scope, "path": _route_path(raw)}
        await self.app(scope, receive, send)


def segment(value: object) -> str:
    """A value as one URL path segment: everything but unreserved characters encoded."""
    return quote(str(value), safe="")


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("dvpi.web", "templates"),
                      autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # templates ship with the package
    env.filters.update(present.FILTERS)
    env.filters["segment"] = segment
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
    key_file: Path | None = None,
    audit_head: Path | None = None,
    audit_head_interval: float = 0.0,
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
    # key_file: the session and audit key (docs/security.md); audit_head: where the
    # audit chain's head is appended after every entry (or at most every
    # audit_head_interval seconds) for the operator to keep.
    store = StateStore(state_path or default_state_path(warehouse), key_file=key_file)
    dashboard = Dashboard(
        warehouse=Warehouse(warehouse),
        store=store,
        users=UserStore(store),
        audit=AuditLog(store, head_file=audit_head, head_interval=audit_head_interval),
        sessions=SessionManager(store, store.secret_key(), policy, clock),
        throttle=LoginThrottle(store, policy, clock),
        engine=engine,
        secure_cookies=secure_cookies,
        policy=policy,
        templates=_templates(),
    )

    if warm:
        dashboard.warehouse.on_new_version = lambda: start_warming(dashboard)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm and warehouse.exists():
            start_warming(dashboard)
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
    app.add_middleware(BoroughPaths)
    # Outside Starlette's ServerErrorMiddleware, so that a 500 carries the headers too
    # (middleware added with add_middleware runs inside it).
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build(), secure=secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "authentication required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
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
        response = dashboard.render(request, "error.html", exc.status_code,
                                    title=titles.get(exc.status_code, "Error"),
                                    message=str(exc.detail))
        for name, value in (exc.headers or {}).items():  # Retry-After
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        # Logged for the operator; the reader learns nothing about the failure.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return dashboard.render(request, "error.html", 500, title="Error",
                                message="Something went wrong. The error has been logged.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "invalid request",
                                 "errors": [str(e.get("msg")) for e in exc.errors()]},
                                status_code=422)
        return dashboard.render(request, "error.html", 400, title="Bad request",
                                message="The request was not understood.")

    app.include_router(pages.router)
    app.include_router(safeguarding.router)
    app.include_router(api.router)
    return app

