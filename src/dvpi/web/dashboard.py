"""The dashboard's shared state and the one way a route reaches it.

Everything the routes share (warehouse snapshots, the result cache, users, sessions,
the audit log) hangs off one :class:`Dashboard` in ``app.state.dashboard``. It lives
here, not in ``app.py``, so that the routers (``api``, ``pages``) and ``views`` can
import it while the application factory imports the routers: no import runs back up.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from dvpi.web.access import Rule, allowed, audience, force_filter, protected
from dvpi.web.audit import ACCESS_DENIED, AuditLog
from dvpi.web.auth import SESSION_COOKIE, AuthPolicy, LoginThrottle, Session, SessionManager
from dvpi.web.data import Snapshot, Warehouse, WarehouseUnavailable
from dvpi.web.params import PUBLISHED_PERIODS, is_published
from dvpi.web.services import Engine
from dvpi.web.state import StateStore
from dvpi.web.users import FORCE_USER, User, UserStore


class LoginRequired(Exception):
    """A page asked for without a session: send the browser to the login form."""


# Uncached computations one user may run at once (item 15 of issue 14): a request that
# would start one more is answered 429 with Retry-After; cached results never count.
COMPUTE_LIMIT = 2
COMPUTE_RETRY_AFTER = 5  # seconds
# Who the current request computes for (set when a route's access check passes), and
# whether it already holds one of their slots (nested computations share it).
_asking: contextvars.ContextVar[str | None] = contextvars.ContextVar("dvpi_asking",
                                                                     default=None)
_holding: contextvars.ContextVar[bool] = contextvars.ContextVar("dvpi_holding",
                                                                default=False)


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
    compute_limit: int = COMPUTE_LIMIT
    _computing: dict[str, int] = field(default_factory=dict, repr=False)
    _computing_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        # A force user's rules ask the data which force a borough belongs to.
        data = self.snapshot() if user is not None and user.role == FORCE_USER else None
        if allowed(user, rule, borough, data):
            _asking.set(user.username if user is not None else None)
            return
        if user is None:
            raise LoginRequired()
        self.audit.append(ACCESS_DENIED, user.username, path=request.url.path,
                          borough=borough, role=user.role,
                          **({"force": user.force} if user.force else {}))
        raise HTTPException(403, "You do not have access to this page.")

    def page_user(self, request: Request, rule: Rule, borough: str | None = None) -> Session:
        session = self.session(request)
        self.require(request, session.user if session else None, rule, borough)
        assert session is not None
        return session

    @contextmanager
    def computing(self) -> Iterator[None]:
        """Hold one of the asking user's slots for an uncached computation, or refuse
        with 429. Nested computations of the same request share the slot; the warm-up
        (no user) is not limited."""
        username = _asking.get()
        if username is None or _holding.get():
            yield
            return
        with self._computing_lock:
            running = self._computing.get(username, 0)
            if running >= self.compute_limit:
                raise HTTPException(
                    429, "Too many figures being computed for you at once: try again in "
                         "a few seconds.",
                    headers={"Retry-After": str(COMPUTE_RETRY_AFTER)})
            self._computing[username] = running + 1
        token = _holding.set(True)
        try:
            yield
        finally:
            _holding.reset(token)
            with self._computing_lock:
                left = self._computing[username] - 1
                if left:
                    self._computing[username] = left
                else:
                    del self._computing[username]

    def _cached(self, snap: Snapshot, key: tuple, make):
        """``snap.cache.get`` with the computation, on a miss, counted against the user."""
        def counted():
            with self.computing():
                return make()
        return snap.cache.get(key, counted)

    # --- data ----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return self.warehouse.snapshot()

    def result(self, snap: Snapshot, start: dt.date, end: dt.date, borough: str | None,
               definition: str, ids: tuple[str, ...] | None = None) -> dict:
        """The engine's result for one period and scope (None: every row; a borough, or
        a force of a data set of several, by name), cached per warehouse version.

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
            with snap.backend() as backend:
                return self.engine.compute(backend, start, end, **_scope(snap, borough),
                                           **_kwargs(snap, definition, ids))

        return self._cached(snap, key, make)

    def all_scopes(self, snap: Snapshot, start: dt.date, end: dt.date,
                   definition: str, ids: tuple[str, ...] | None = None) -> list[dict]:
        """Force first, then every borough."""
        key = ("all", snap.version, start, end, definition, ids)

        def make() -> list[dict]:
            if self.engine.compute_by_borough is not None:
                with snap.backend() as backend:
                    return self.engine.compute_by_borough(backend, start, end,
                                                          **_kwargs(snap, definition, ids))
            return [self.result(snap, start, end, b, definition, ids)
                    for b in (None, *snap.boroughs())]

        return self._cached(snap, key, make)

    def series(self, user: User, snap: Snapshot, periods: list[tuple[dt.date, dt.date]],
               borough: str | None, definition: str,
               ids: tuple[str, ...] | None = None) -> list[dict]:
        """One result per period (a trend), as the user may see it."""
        periods_key = tuple(periods)
        if protected(user):
            # Weeks nest in the year: published beside it, the year less its weeks
            # would be a period of its own that nobody protected. Not on the grid.
            if not all(is_published(s, e, definition) for s, e in periods):
                raise HTTPException(400, PUBLISHED_PERIODS)
            return [self.result_for(user, snap, s, e, borough, definition, ids)
                    for s, e in periods]
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
            with snap.backend() as backend:
                return self.engine.compute_series(backend, list(periods),
                                                  **_scope(snap, borough),
                                                  **_kwargs(snap, definition, ids))

        return self._cached(snap, key, make)

    def _series_all(self, snap: Snapshot, periods: list[tuple[dt.date, dt.date]],
                    definition: str, ids: tuple[str, ...] | None) -> list[list[dict]]:
        """Force and every borough for each period: one batch per period."""
        key = ("series-all", snap.version, tuple(periods), definition, ids)

        def make() -> list[list[dict]]:
            if self.engine.compute_series is None:
                return [self.all_scopes(snap, s, e, definition, ids) for s, e in periods]
            with snap.backend() as backend:
                flat = self.engine.compute_series(backend, list(periods), by_borough=True,
                                                  **_kwargs(snap, definition, ids))
            size = len(flat) // len(periods)
            return [flat[i * size:(i + 1) * size] for i in range(len(periods))]

        return self._cached(snap, key, make)

    def published(self, snap: Snapshot, start: dt.date, end: dt.date, definition: str,
                  ids: tuple[str, ...] | None = None) -> list[dict]:
        """All scopes after disclosure control: the year's one protected table set
        (``stats.release.protect_year``), the same the public board report reads, so that
        no page, API call or report can be differenced against another to recover a
        suppressed cell.

        Only periods of the published grid (financial years: disjoint, so no two can be
        subtracted). The set is protected once, over every indicator and the report's
        arrest stage (the union of what any output publishes), and ``ids`` only selects
        from it. Figures of another period (``dv_gbh_with_intent_previous``) are withheld:
        they would tie a year to the year before, which is protected on its own.
        """
        from dvpi.indicators import scopes_for
        from dvpi.publish.inputs import arrest_stage
        from dvpi.stats.release import engine_figures, protect_year, scope_sums

        if not is_published(start, end, definition):
            raise HTTPException(400, PUBLISHED_PERIODS)
        key = ("public", snap.version, start, end, definition)

        def make() -> list[dict]:
            with snap.cursor() as cur:
                arrests = arrest_stage(cur, start, end)
                keys = [s.key for s in scopes_for(cur, by="every")]
            protected = protect_year(self._table_set(snap, start, end, definition),
                                     arrests, sums=scope_sums(keys))
            return [engine_figures(r) for r in protected.results]

        results = self._cached(snap, key, make)
        if ids is None:
            return results
        return [{**r, "indicators": {k: v for k, v in r["indicators"].items() if k in ids}}
                for r in results]

    def _table_set(self, snap: Snapshot, start: dt.date, end: dt.date,
                   definition: str) -> list[dict]:
        """Every scope of the year's published table set, in the engine's order: the
        whole, every force (several forces), every borough."""
        forces = snap.forces()
        if not forces:
            return self.all_scopes(snap, start, end, definition)
        if self.engine.compute_by_borough is not None:
            with snap.backend() as backend:
                return self.engine.compute_by_borough(backend, start, end, with_forces=True,
                                                      **_kwargs(snap, definition, None))
        return [self.result(snap, start, end, name, definition)
                for name in (None, *forces, *snap.boroughs())]

    def result_for(self, user: User, snap: Snapshot, start: dt.date, end: dt.date,
                   borough: str | None, definition: str,
                   ids: tuple[str, ...] | None = None) -> dict:
        """The result a user may see: disclosure-controlled for the protected audiences,
        who never get an unprotected result: a scope that is not in the published set
        (a borough named only in calls or CPS cases, or nowhere) is 404."""
        if not protected(user):
            return self.result(snap, start, end, borough, definition, ids)
        found = _pick(self.published(snap, start, end, definition, ids), borough)
        if found is None:
            raise HTTPException(404, f"No figures for {borough!r} in the published "
                                     "figures.")
        return found

    def view(self, view: Any, user: User, snap: Snapshot, choice: Any, arg: Any) -> dict:
        """A page's context, cached like the results it is made of: it depends on the
        user only through their audience (public or restricted) and the force their
        comparisons are cut down to (a force user's)."""
        key = ("view", view.__name__, snap.version, choice, arg, audience(user),
               force_filter(user, snap))
        return self._cached(snap, key, lambda: view(self, user, snap, choice, arg))

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


def _scope(snap: Snapshot, name: str | None) -> dict[str, str | None]:
    """The engine's scope argument for a scope of the dashboard: None (every row), a
    force of a data set of several, or a borough, by name."""
    if name is not None and snap.force_named(name) is not None:
        return {"force": name}
    return {"borough": name}


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


def dashboard_of(request: Request) -> Dashboard:
    """The dashboard of the application serving ``request`` (set by ``create_app``)."""
    return request.app.state.dashboard
