"""The access-control matrix: every route × every role × own/other/no borough.

The routes are read from the application itself (``app.routes``): a route added
without an entry here fails the test, so nobody can add a page and forget who may
see it. Expectations are written out independently of ``dvpi.web.access``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from dvpi.web.app import create_app
from web_fakes import csrf_of, fake_engine, login

PASSWORD = "a long enough password"
OWN, OTHER = "Tower Hamlets", "Waltham Forest"
# A force user on this one-force warehouse: their force is not in the data, so they
# see nothing but what any user sees (tests/test_web_forces.py has their own matrix
# over a warehouse of two forces).
ROLES = ("anonymous", "admin", "force_analyst", "borough_user", "partner", "force_user")

# Who may use a route of each kind, for each borough variant (None = no borough in it).
EVERYONE = {r: {None, "own", "other"} for r in ROLES}
ANY_USER = {r: {None, "own", "other"} for r in ROLES if r != "anonymous"}
FORCE_AGGREGATES = {"admin": {None}, "force_analyst": {None}, "partner": {None}}
BOROUGH_AGGREGATES = {"admin": {"own", "other"}, "force_analyst": {"own", "other"},
                      "partner": {"own", "other"}, "borough_user": {"own"}}
BOROUGH_RECORDS = {"admin": {"own", "other"}, "force_analyst": {"own", "other"},
                   "borough_user": {"own"}}
FORCE_RECORDS = {"admin": {None}, "force_analyst": {None}}
ADMIN_ONLY = {"admin": {None}}


@dataclass(frozen=True)
class Case:
    allowed: dict[str, set]
    variants: tuple = (None,)   # which borough variants the route is called with
    ok: int | dict[str, int] = 200  # the status of an allowed call (by role, or all)

    def ok_for(self, role: str) -> int:
        return self.ok if isinstance(self.ok, int) else self.ok[role]


MATRIX: dict[tuple[str, str], Case | None] = {
    # A logged-in user asking for the login form is sent to their start page.
    ("GET", "/login"): Case(EVERYONE, ok={r: 200 if r == "anonymous" else 303 for r in ROLES}),
    ("POST", "/login"): None,  # the login itself: tests in test_web_security.py
    ("POST", "/logout"): Case(ANY_USER, ok=303),
    ("GET", "/"): Case(ANY_USER, ok=303),
    ("GET", "/overview"): Case(FORCE_AGGREGATES),
    ("GET", "/boroughs"): Case(FORCE_AGGREGATES),
    ("GET", "/boroughs/{borough}"): Case(BOROUGH_AGGREGATES, ("own", "other")),
    # A force of a data set of several (test_web_forces.py); this one is one force, so
    # an allowed user is told there is no such force.
    ("GET", "/forces/{force}"): Case(FORCE_AGGREGATES, ok=404),
    ("GET", "/equality"): Case(FORCE_AGGREGATES),
    ("GET", "/boroughs/{borough}/equality"): Case(BOROUGH_AGGREGATES, ("own", "other")),
    ("GET", "/safeguarding"): Case(FORCE_AGGREGATES),
    ("GET", "/boroughs/{borough}/safeguarding"): Case(BOROUGH_AGGREGATES, ("own", "other")),
    ("GET", "/methodology"): Case(ANY_USER),
    ("GET", "/worklists"): Case(FORCE_RECORDS),
    # One force's lists (several forces): on this one-force set, not found.
    ("GET", "/forces/{force}/worklists"): Case(FORCE_RECORDS, ok=404),
    ("GET", "/boroughs/{borough}/worklists"): Case(BOROUGH_RECORDS, ("own", "other")),
    ("GET", "/boroughs/{borough}/worklists/{kind}.csv"):
        Case(BOROUGH_RECORDS, ("own", "other")),
    ("GET", "/boroughs/{borough}/dip-samples"): Case(BOROUGH_RECORDS, ("own", "other")),
    ("POST", "/boroughs/{borough}/dip-samples"):
        Case(BOROUGH_RECORDS, ("own", "other"), ok=303),
    ("GET", "/dip-samples/{sample_id}"): Case(BOROUGH_RECORDS, ("own", "other")),
    ("POST", "/dip-samples/{sample_id}/results"):
        Case(BOROUGH_RECORDS, ("own", "other"), ok=303),
    ("GET", "/admin/audit"): Case(ADMIN_ONLY),
    # The API: the force without a borough, or one borough.
    ("GET", "/api/indicators"): Case(
        {r: FORCE_AGGREGATES.get(r, set()) | BOROUGH_AGGREGATES.get(r, set())
         for r in ROLES}, (None, "own", "other")),
    ("GET", "/api/indicators/boroughs"): Case(FORCE_AGGREGATES),
    ("GET", "/api/boroughs"): Case(ANY_USER),
    ("GET", "/api/openapi.json"): Case(EVERYONE),
    ("MOUNT", "/static"): Case(EVERYONE),
}


@pytest.fixture(scope="module")
def site(example_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    template = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    state = tmp_path_factory.mktemp("web-access") / "state.sqlite"
    app = create_app(example_warehouse, state_path=state, secure_cookies=False,
                     engine=fake_engine(template))
    users = app.state.dashboard.users
    users.add("admin", PASSWORD, "admin")
    users.add("analyst", PASSWORD, "force_analyst")
    users.add("bu", PASSWORD, "borough_user", OWN)
    users.add("partner", PASSWORD, "partner")
    users.add("fu", PASSWORD, "force_user", force="Metropolitan")  # not checked: no forces
    return app


USERNAMES = {"admin": "admin", "force_analyst": "analyst", "borough_user": "bu",
             "partner": "partner", "force_user": "fu"}


def _client(app, role: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    if role == "anonymous":
        return client, ""
    assert login(client, USERNAMES[role], PASSWORD).status_code == 303
    return client, csrf_of(client.get("/methodology").text)


@pytest.fixture(scope="module")
def samples(site) -> dict[str, int]:
    """One dip sample in each borough, drawn by the analyst."""
    client, csrf = _client(site, "force_analyst")
    return draw_samples(client, csrf, {"own": OWN, "other": OTHER})


def draw_samples(client: TestClient, csrf: str, boroughs: dict[str, str]) -> dict[str, int]:
    """One dip sample of 2007-08 in each borough, by variant: the sample ids."""
    out = {}
    for variant, borough in boroughs.items():
        r = client.post(f"/boroughs/{quote(borough, safe='')}/dip-samples",
                        data={"csrf_token": csrf, "size": 3, "start": "2007-04-01",
                              "end": "2008-03-31"})
        assert r.status_code == 303, r.text
        out[variant] = int(r.headers["location"].rsplit("/", 1)[1])
    return out


def _route_keys(routes, prefix: str = "") -> set[tuple[str, str]]:
    keys = set()
    for route in routes:
        if isinstance(route, Mount):
            keys.add(("MOUNT", prefix + route.path))
        elif isinstance(route, APIRoute | Route):
            for method in route.methods or ():
                if method != "HEAD":
                    keys.add((method, prefix + route.path))
        elif hasattr(route, "original_router"):
            # FastAPI keeps an included router as one entry: walk into it.
            keys |= _route_keys(route.original_router.routes,
                                prefix + (route.include_context.prefix or ""))
        else:
            raise AssertionError(f"unexpected route type {route!r}")
    return keys


def test_every_route_is_in_the_matrix(site):
    routes = _route_keys(site.routes)
    missing = routes - MATRIX.keys()
    stale = MATRIX.keys() - routes
    assert not missing, f"routes with no access rule in the matrix: {sorted(missing)}"
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def test_a_route_left_out_of_the_matrix_is_caught(example_warehouse, tmp_path):
    template = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    app = create_app(example_warehouse, state_path=tmp_path / "s.sqlite",
                     engine=fake_engine(template))

    @app.get("/forgotten")
    def forgotten() -> dict:
        return {}

    assert _route_keys(app.routes) - MATRIX.keys() == {("GET", "/forgotten")}


def _call(client: TestClient, csrf: str, method: str, path: str, variant, samples):
    borough = {"own": OWN, "other": OTHER, None: None}[variant]
    url = path.replace("{borough}", quote(borough or "")).replace("{kind}", "flag_audit")
    url = url.replace("{force}", "Metropolitan")
    if "{sample_id}" in url:
        url = url.replace("{sample_id}", str(samples[variant]))
    if path == "/api/indicators" and borough:
        url += f"?borough={quote(borough)}"
    return send(client, csrf, method, path, url)


def send(client: TestClient, csrf: str, method: str, path: str, url: str):
    """Request ``url`` (the route ``path`` filled in) as the matrix does: a form post
    carries the CSRF token and what its route needs (a dip sample's size, a result for
    the sample's first report)."""
    if path == "/static":
        url = "/static/dvpi.css"
    if method in ("GET", "MOUNT"):
        return client.get(url)
    data = {"csrf_token": csrf}
    if path.endswith("/dip-samples"):
        data |= {"size": "2"}
    if path.endswith("/results"):
        sample = client.get(url.removesuffix("/results"))
        report = sample.text.split('name="report_id" value="', 1)[1].split('"', 1)[0] \
            if sample.status_code == 200 else "x"
        data |= {"report_id": report, "result": "compliant"}
    return client.post(url, data=data)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(site, samples, role):
    failures = []
    shared = _client(site, role)
    for (method, path), case in MATRIX.items():
        if case is None:
            continue
        for variant in case.variants:
            # A fresh session for logout, so the other calls keep theirs.
            client, csrf = _client(site, role) if path == "/logout" else shared
            response = _call(client, csrf, method, path, variant, samples)
            allowed = variant in case.allowed.get(role, set())
            if allowed:
                expected = case.ok_for(role)
            elif role == "anonymous":
                expected = 401 if path.startswith("/api/") else 303
            else:
                expected = 403
            if response.status_code != expected:
                failures.append(f"{role} {method} {path} [{variant}]: "
                                f"{response.status_code}, expected {expected}")
            if not allowed and role == "anonymous" and expected == 303:
                assert response.headers["location"].startswith("/login?next=")
    assert not failures, "\n".join(failures)
