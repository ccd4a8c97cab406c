"""The dashboard over a data set of several forces (interchange-format.md, "Several
forces in one data set"): boroughs are named "FORCE / BOROUGH" and never mixed with
another force's namesake, a borough is set beside its own force, each force has a page
set beside the nation, and record lists, dip samples and populations read the rows of
the one borough of the one force.

The data set is the worked example twice (tests/test_indicators_forces.py): Force A
and Force B, each with a borough called Central.

A force user (Force A) sees the nation's figures, their force and its boroughs, never
Force B, its boroughs or its rows: the access matrix below checks every route of the
application for every role against their own and the other force.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from dvpi import indicators, people
from dvpi.indicators.periods import Period
from dvpi.web.app import create_app
from engine_helpers import backend, load_resolved
from test_indicators_forces import write_two
from test_web_access import _route_keys, draw_samples, send
from web_fakes import csrf_of, login

PASSWORD = "a long enough password"
FY = "year=2007-08"
A_CENTRAL, B_CENTRAL = "Force A / Central", "Force B / Central"
YEAR = Period(dt.date(2007, 4, 1), dt.date(2008, 3, 31))


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory, example_dir) -> Path:
    root = tmp_path_factory.mktemp("web-forces")
    return load_resolved(write_two(example_dir, root / "data"), root / "two.duckdb")


@pytest.fixture(scope="module")
def served(two_forces, tmp_path_factory):
    app = create_app(two_forces, state_path=tmp_path_factory.mktemp("s") / "s.sqlite",
                     secure_cookies=False)
    dash = app.state.dashboard
    names = dash.snapshot().boroughs()
    clients = {}
    forces = dash.snapshot().forces()
    for user, role, borough, force in (("admin", "admin", None, None),
                                       ("analyst", "force_analyst", None, None),
                                       ("bu", "borough_user", A_CENTRAL, None),
                                       ("partner", "partner", None, None),
                                       ("fu", "force_user", None, " force a ")):
        dash.users.add(user, PASSWORD, role, borough, boroughs=names, force=force,
                       forces=forces)
        clients[user] = TestClient(app, follow_redirects=False)
        login(clients[user], user, PASSWORD)
    return app, clients


def _engine(path: Path, **scope) -> dict:
    with backend(path, "duckdb", people.DEFAULT_METHOD) as b:
        (result,) = indicators.engine.run_cells(
            b, [YEAR],
            indicators.scopes_for(b.con, **scope), people=people.DEFAULT_METHOD)
    return result


def _scorecard(html: str) -> tuple[list[str], dict[str, list[str]]]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.scorecard")
    heads = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        head = tr.find("th")
        title = head.find("a").get_text(strip=True) if head.find("a") else head.get_text()
        rows[title] = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
    return heads, rows


def _value(result: dict, ind: str) -> int:
    return result["indicators"][ind]["value"]


def test_boroughs_are_named_with_their_force(served):
    app, _ = served
    snap = app.state.dashboard.snapshot()
    assert snap.forces() == ["Force A", "Force B"]
    assert A_CENTRAL in snap.boroughs() and B_CENTRAL in snap.boroughs()
    assert snap.force_of(A_CENTRAL) == "Force A"
    assert snap.force_of("force b / CENTRAL") == "Force B"
    assert snap.borough_named("Central") is None  # a bare name two forces share


def test_a_borough_is_set_beside_its_own_force(served, two_forces):
    _, clients = served
    heads, rows = _scorecard(clients["analyst"].get(
        f"/boroughs/{quote(A_CENTRAL, safe='')}?{FY}").text)
    assert "Force A" in heads
    this, _before, force = rows["DV incidents"][:3]
    assert int(this) == _value(_engine(two_forces, borough=A_CENTRAL), "dv_incidents")
    assert int(force) == _value(_engine(two_forces, force="Force A"), "dv_incidents")
    assert int(force) < _value(_engine(two_forces), "dv_incidents")  # not the nation


def test_each_force_has_a_page_beside_the_nation(served, two_forces):
    _, clients = served
    overview = clients["analyst"].get(f"/overview?{FY}").text
    assert "National overview" in overview
    assert f'href="/forces/{quote("Force B", safe="")}?' in overview
    heads, rows = _scorecard(clients["analyst"].get(f"/forces/Force%20B?{FY}").text)
    assert "National" in heads
    this, _before, nation = rows["DV incidents"][:3]
    assert int(this) == _value(_engine(two_forces, force="Force B"), "dv_incidents")
    assert int(nation) == _value(_engine(two_forces), "dv_incidents")
    assert clients["analyst"].get(f"/forces/Atlantis?{FY}").status_code == 404


def test_a_borough_user_sees_only_their_forces_borough(served):
    _, clients = served
    bu = clients["bu"]
    assert bu.get(f"/boroughs/{quote(A_CENTRAL, safe='')}?{FY}").status_code == 200
    for other in (B_CENTRAL, "Force A / Waltham Forest"):
        assert bu.get(f"/boroughs/{quote(other, safe='')}?{FY}").status_code == 403
    assert bu.get(f"/forces/Force%20A?{FY}").status_code == 403
    assert bu.get(f"/boroughs/{quote(B_CENTRAL, safe='')}/worklists?{FY}").status_code == 403


def test_record_lists_read_one_borough_of_one_force(served):
    app, clients = served
    html = clients["bu"].get(f"/boroughs/{quote(A_CENTRAL, safe='')}/worklists?{FY}").text
    ids = {td.get_text(strip=True) for td in
           BeautifulSoup(html, "html.parser").select("td") if td.get_text().startswith(
               ("A-", "B-"))}
    assert ids and all(i.startswith("A-") for i in ids)
    snap = app.state.dashboard.snapshot()
    year = (YEAR.start, YEAR.end)
    a, b = snap.dv_report_ids(A_CENTRAL, *year), snap.dv_report_ids(B_CENTRAL, *year)
    assert a and b and all(r.startswith("A-") for r in a) and all(r.startswith("B-") for r in b)
    assert snap.dv_report_ids("Central", *year) == []  # ambiguous: nothing, never both


def test_population_is_one_borough_of_one_force(served, two_forces):
    app, _ = served
    snap = app.state.dashboard.snapshot()
    con = duckdb.connect(str(two_forces), read_only=True)
    try:
        def total(force: str, borough: str | None = None) -> int:
            sql = "SELECT coalesce(sum(population), 0) FROM population WHERE force = ?"
            params = [force]
            if borough:
                sql += " AND borough = ?"
                params.append(borough)
            return con.execute(sql, params).fetchone()[0]
        assert sum(p[3] for p in snap.population(A_CENTRAL)) == total("Force A", "Central")
        assert sum(p[3] for p in snap.population("Force B")) == total("Force B")
        assert total("Force B", "Central") > 0  # the other Central, left out above
    finally:
        con.close()


def test_the_public_see_forces_from_the_years_one_protected_set(served, two_forces):
    """Partners: a borough beside its force and a page per force, every figure from the
    year's one protected table set (the nation, its forces, their boroughs: the set the
    public report and the national bulletin read)."""
    from dvpi.publish.inputs import arrest_stage
    from dvpi.stats.release import protect_year, scope_sums

    app, clients = served
    partner = clients["partner"]
    heads, rows = _scorecard(partner.get(f"/boroughs/{quote(A_CENTRAL, safe='')}?{FY}").text)
    assert "Force A" in heads
    assert partner.get(f"/forces/Force%20A?{FY}").status_code == 200
    with backend(two_forces, "duckdb", people.DEFAULT_METHOD) as b:
        scopes = indicators.scopes_for(b.con, by="every")
        every = indicators.engine.run_cells(b, [YEAR], scopes, people=people.DEFAULT_METHOD)
        arrests = arrest_stage(b.con, YEAR.start, YEAR.end)
    assert [r["scope"] for r in every[:3]] == ["national", "Force A", "Force B"]
    protected = protect_year(every, arrests, sums=scope_sums([s.key for s in scopes]))
    force_a = next(r for r in protected.results if r["scope"] == "Force A")
    shown = rows["DV incidents"][2]
    entry = force_a["indicators"]["dv_incidents"]
    assert shown == ("[c]" if "value" in entry.get("suppressed", ()) else str(entry["value"]))
    published = app.state.dashboard.published(app.state.dashboard.snapshot(), YEAR.start,
                                              YEAR.end, "acpo2004")
    assert [r["scope"] for r in published] == [r["scope"] for r in protected.results]


# --- a force user: their own force only ---------------------------------------------------

ROLES = ("admin", "force_analyst", "borough_user", "partner", "force_user")
USERNAMES = {"admin": "admin", "force_analyst": "analyst", "borough_user": "bu",
             "partner": "partner", "force_user": "fu"}
# What each variant names: a borough of Force A or of Force B, or the force itself.
SCOPES = {"own": A_CENTRAL, "other": B_CENTRAL, "own_force": "Force A",
          "other_force": "Force B"}
ALL = {r: {None} for r in ROLES}
NATIONAL = {"admin": {None}, "force_analyst": {None}, "partner": {None},
            "force_user": {None}}
ONE_FORCE = {"admin": {"own_force", "other_force"},
             "force_analyst": {"own_force", "other_force"},
             "partner": {"own_force", "other_force"}, "force_user": {"own_force"}}
BOROUGH = {"admin": {"own", "other"}, "force_analyst": {"own", "other"},
           "partner": {"own", "other"}, "borough_user": {"own"}, "force_user": {"own"}}
RECORDS = {"admin": {"own", "other"}, "force_analyst": {"own", "other"},
           "borough_user": {"own"}, "force_user": {"own"}}
WHOLE_RECORDS = {"admin": {None}, "force_analyst": {None}}
FORCE_RECORDS = {"admin": {"own_force", "other_force"},
                 "force_analyst": {"own_force", "other_force"}, "force_user": {"own_force"}}
# (allowed, variants, status of an allowed call); written out apart from web.access.
B2 = ("own", "other")
MATRIX: dict[tuple[str, str], tuple[dict, tuple, int] | None] = {
    ("GET", "/login"): (ALL, (None,), 303),  # logged in: sent to their start page
    ("POST", "/login"): None,
    ("POST", "/logout"): (ALL, (None,), 303),
    ("GET", "/"): (ALL, (None,), 303),
    ("GET", "/overview"): (NATIONAL, (None,), 200),
    ("GET", "/boroughs"): (NATIONAL, (None,), 200),  # a force user's: cut to theirs
    ("GET", "/boroughs/{borough}"): (BOROUGH, B2, 200),
    ("GET", "/forces/{force}"): (ONE_FORCE, ("own_force", "other_force"), 200),
    ("GET", "/equality"): (NATIONAL, (None,), 200),
    ("GET", "/boroughs/{borough}/equality"): (BOROUGH, B2, 200),
    ("GET", "/safeguarding"): (NATIONAL, (None,), 200),
    ("GET", "/boroughs/{borough}/safeguarding"): (BOROUGH, B2, 200),
    ("GET", "/methodology"): (ALL, (None,), 200),
    ("GET", "/worklists"): (WHOLE_RECORDS, (None,), 200),
    ("GET", "/forces/{force}/worklists"): (FORCE_RECORDS, ("own_force", "other_force"), 200),
    ("GET", "/boroughs/{borough}/worklists"): (RECORDS, B2, 200),
    ("GET", "/boroughs/{borough}/worklists/{kind}.csv"): (RECORDS, B2, 200),
    ("GET", "/boroughs/{borough}/dip-samples"): (RECORDS, B2, 200),
    ("POST", "/boroughs/{borough}/dip-samples"): (RECORDS, B2, 303),
    ("GET", "/dip-samples/{sample_id}"): (RECORDS, B2, 200),
    ("POST", "/dip-samples/{sample_id}/results"): (RECORDS, B2, 303),
    ("GET", "/admin/audit"): ({"admin": {None}}, (None,), 200),
    ("GET", "/api/indicators"): (
        {r: NATIONAL.get(r, set()) | BOROUGH.get(r, set()) | ONE_FORCE.get(r, set())
         for r in ROLES}, (None, "own", "other", "own_force", "other_force"), 200),
    ("GET", "/api/indicators/boroughs"): (NATIONAL, (None,), 200),
    ("GET", "/api/boroughs"): (ALL, (None,), 200),
    ("GET", "/api/openapi.json"): (ALL, (None,), 200),
    ("MOUNT", "/static"): (ALL, (None,), 200),
}


@pytest.fixture(scope="module")
def samples(served) -> dict[str, int]:
    """A dip sample in Force A's Central and one in Force B's, drawn by the analyst."""
    app, _ = served
    client = TestClient(app, follow_redirects=False)
    login(client, "analyst", PASSWORD)
    csrf = csrf_of(client.get("/methodology").text)
    return draw_samples(client, csrf, {v: SCOPES[v] for v in ("own", "other")})


def test_every_route_is_in_the_forces_matrix(served):
    app, _ = served
    routes = _route_keys(app.routes)
    assert routes == MATRIX.keys(), sorted(routes ^ MATRIX.keys())


def _call(client: TestClient, csrf: str, method: str, path: str, variant, samples):
    name = quote(SCOPES[variant], safe="") if variant else ""
    url = (path.replace("{borough}", name).replace("{force}", name)
           .replace("{kind}", "flag_audit"))
    if "{sample_id}" in url:
        url = url.replace("{sample_id}", str(samples[variant]))
    if path == "/api/indicators" and variant:
        url += f"?borough={quote(SCOPES[variant])}&{FY}"
    elif method == "GET" and not path.startswith(("/api/", "/login", "/static")):
        url += ("&" if "?" in url else "?") + FY
    return send(client, csrf, method, path, url)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_over_two_forces(served, samples, role):
    app, _ = served
    failures = []

    def client_of() -> tuple[TestClient, str]:
        client = TestClient(app, follow_redirects=False)
        assert login(client, USERNAMES[role], PASSWORD).status_code == 303
        return client, csrf_of(client.get("/methodology").text)

    shared = client_of()
    for (method, path), case in MATRIX.items():
        if case is None:
            continue
        allowed, variants, ok = case
        for variant in variants:
            client, csrf = client_of() if path == "/logout" else shared
            response = _call(client, csrf, method, path, variant, samples)
            expected = ok if variant in allowed.get(role, set()) else 403
            if response.status_code != expected:
                failures.append(f"{role} {method} {path} [{variant}]: "
                                f"{response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_a_force_user_starts_on_their_force(served):
    _, clients = served
    fu = clients["fu"]
    assert fu.get("/").headers["location"] == "/forces/Force%20A"
    assert fu.app.state.dashboard.users.get("fu").force == "Force A"  # as the data spells it
    overview = fu.get(f"/overview?{FY}").text
    assert "National overview" in overview
    assert 'href="/forces/Force%20A?' in overview
    assert "/forces/Force%20B" not in overview  # no link to a page they cannot open
    assert "/forces/Force%20B" in clients["analyst"].get(f"/overview?{FY}").text
    nav = {a["href"] for a in BeautifulSoup(overview, "html.parser").select(
        'nav[aria-label="Main"] a')}
    assert {"/forces/Force%20A", "/overview", "/boroughs"} <= nav
    assert "/forces/Force%20A/worklists" in nav
    assert "/worklists" not in nav and "/admin/audit" not in nav


def _league_boroughs(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.league")
    return {tr.find_all(["th", "td"])[1].get_text(strip=True)
            for tr in table.select("tbody tr")}


def test_a_force_users_comparisons_are_cut_to_their_force(served, two_forces):
    _, clients = served
    page = clients["fu"].get(f"/boroughs?{FY}").text
    assert "Force B" not in page  # not in the table, nor a funnel plot's points
    seen = _league_boroughs(page)
    everyone = _league_boroughs(clients["analyst"].get(f"/boroughs?{FY}").text)
    assert seen and all(b.startswith("Force A / ") for b in seen)
    assert any(b.startswith("Force B / ") for b in everyone)  # so the cut is real
    api = clients["fu"].get(f"/api/indicators/boroughs?{FY}").json()
    assert api[0]["scope"] == "Force A"
    assert _value(api[0], "dv_incidents") == _value(_engine(two_forces, force="Force A"),
                                                     "dv_incidents")
    assert len(api) > 1 and all(r["scope"].startswith("Force A / ") for r in api[1:])
    names = clients["fu"].get("/api/boroughs").json()
    assert names and all(n.startswith("Force A / ") for n in names)
    assert any(n.startswith("Force B / ")
               for n in clients["analyst"].get("/api/boroughs").json())
    # The nation's headline figures are theirs to set beside (the use case).
    nation = clients["fu"].get(f"/api/indicators?{FY}").json()
    assert _value(nation, "dv_incidents") == _value(_engine(two_forces), "dv_incidents")


def test_a_force_user_sees_only_their_forces_rows(served):
    app, clients = served
    fu = clients["fu"]
    html = fu.get(f"/boroughs/{quote(A_CENTRAL, safe='')}/worklists?{FY}").text
    ids = {td.get_text(strip=True) for td in BeautifulSoup(html, "html.parser").select("td")
           if td.get_text().startswith(("A-", "B-"))}
    assert ids and all(i.startswith("A-") for i in ids)
    csv_text = fu.get(f"/boroughs/{quote(A_CENTRAL, safe='')}/worklists/risk_gaps.csv"
                      f"?{FY}").text
    assert "A-" in csv_text and "B-" not in csv_text
    # Their force's lists: Force A's rows, every one of them; the nation's has Force B's.
    def listed(client, url: str) -> set[str]:
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        return {td.get_text(strip=True) for td in soup.select("#risk_gaps td")
                if td.get_text().startswith(("A-", "B-"))}

    force_ids = listed(fu, f"/forces/Force%20A/worklists?{FY}")
    assert force_ids and all(i.startswith("A-") for i in force_ids)
    nation_ids = listed(clients["analyst"], f"/worklists?{FY}")
    assert force_ids == {i for i in nation_ids if i.startswith("A-")}
    assert any(i.startswith("B-") for i in nation_ids)
    assert fu.get(f"/forces/Force%20B/worklists?{FY}").status_code == 403
    denied = fu.get(f"/boroughs/{quote(B_CENTRAL, safe='')}/worklists/risk_gaps.csv?{FY}")
    assert denied.status_code == 403
    entry = app.state.dashboard.audit.entries(limit=1)[0]
    assert entry.event == "access_denied" and entry.actor == "fu"
    assert entry.detail["force"] == "Force A" and entry.detail["borough"] == B_CENTRAL


def test_users_add_a_force_user_checks_the_force(two_forces, example_warehouse, tmp_path):
    from typer.testing import CliRunner

    from dvpi.cli import app as cli
    from dvpi.web.audit import AuditLog
    from dvpi.web.state import StateStore
    from dvpi.web.users import UserStore

    runner = CliRunner()

    def add(name: str, force: str | None, warehouse: Path, role: str = "force_user"):
        extra = ["--force", force] if force is not None else []
        return runner.invoke(cli, ["users", "add", name, "--role", role, *extra,
                                   "--password-stdin", "--warehouse", str(warehouse),
                                   "--state", str(tmp_path / "s.sqlite")],
                             input=PASSWORD + "\n")

    done = add("kim", "  force b ", two_forces)
    assert done.exit_code == 0, done.output
    store = StateStore(tmp_path / "s.sqlite")
    assert UserStore(store).get("kim").force == "Force B"  # as the data spells it
    entry = AuditLog(store).entries(event="user_added")[0]
    assert entry.detail["force"] == "Force B" and entry.detail["role"] == "force_user"
    unknown = add("lee", "Atlantis", two_forces)
    assert unknown.exit_code != 0 and "no force 'Atlantis'" in unknown.output
    assert "Force A, Force B" in unknown.output
    one = add("mo", "Metropolitan", example_warehouse)
    assert one.exit_code != 0 and "holds one force" in one.output
    assert add("ned", None, two_forces).exit_code != 0  # a force user needs --force
    assert add("oz", "Force A", two_forces, role="force_analyst").exit_code != 0
    assert {u.username for u in UserStore(store).list()} == {"kim"}


@pytest.mark.browser
def test_a_force_user_walks_their_force_in_a_browser(served):
    """Debian's chromium (as tests/test_web_browser.py): from their force's page to its
    boroughs' league table, a borough and its worklists; the other force is 403."""
    from live_server import serving
    from test_web_browser import ARGS, CHROMIUM, _login, _visit

    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    app, _ = served
    shots = Path(app.state.dashboard.store.path).parent
    with serving(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context, page, errors = _login(browser, base, "fu")
            assert page.url == f"{base}/forces/Force%20A"
            page.click("header.top nav a:text('Boroughs')")
            page.wait_for_load_state()
            links = page.locator("table.league th a").all_inner_texts()
            assert links and all(t.startswith("Force A / ") for t in links)
            page.click(f"table.league a:text('{A_CENTRAL}')")
            page.wait_for_load_state()
            assert page.locator("h1").inner_text().startswith(A_CENTRAL)
            _visit(page, f"{base}/boroughs/{quote(A_CENTRAL, safe='')}/worklists?{FY}",
                   shots / "fu-worklists.png")
            other = f"{base}/forces/Force%20B?{FY}"
            _visit(page, other, shots / "fu-other-force-403.png", 403)
            assert "Access denied" in page.content()
            assert errors == [f"403 {other}"]
            context.close()
        finally:
            browser.close()


def test_a_forces_worklists_are_its_boroughs_rows(two_forces):
    """Every list taken for one force holds exactly the rows of its boroughs' lists (the
    query filters by force, then by force and borough), never another force's."""
    from collections import Counter

    from dvpi.indicators import worklists

    def key(row: dict) -> str:
        return repr(sorted((k, str(v)) for k, v in row.items()))

    with backend(two_forces, "duckdb", people.DEFAULT_METHOD) as b:
        boroughs = [s.name for s in indicators.boroughs_in(b.con)
                    if s.name.startswith("Force A / ")]
        assert len(boroughs) > 1
        some = False
        for wl in worklists.WORKLISTS:
            if any(t not in b.tables for t in wl.needs):
                continue
            args = (wl, b, YEAR.start, YEAR.end)
            force = worklists.fetch(*args, force=" force a ", people=people.DEFAULT_METHOD)
            parts = Counter(key(r) for name in boroughs
                            for r in worklists.fetch(*args, borough=name,
                                                     people=people.DEFAULT_METHOD))
            if wl.unit != "person":  # a person may be in two boroughs' lists
                assert Counter(key(r) for r in force) == parts, wl.id
            ids = worklists.report_ids(force)
            assert all(i.startswith("A-") for i in ids), wl.id
            some = some or bool(ids)
        assert some
        with pytest.raises(ValueError, match="no force"):
            worklists.fetch(worklists.WORKLISTS[0], b, YEAR.start, YEAR.end,
                            force="Atlantis")


def test_a_boroughs_justice_page_is_set_beside_its_own_force(served, two_forces):
    _, clients = served
    html = clients["analyst"].get(
        f"/boroughs/{quote(A_CENTRAL, safe='')}/safeguarding?{FY}").text
    soup = BeautifulSoup(html, "html.parser")
    heads = {th.get_text(strip=True) for th in soup.select("thead th")}
    assert "Force A" in heads and "Force" not in heads
    # The column holds the force's figure, not the nation's.
    rows = {r[0]: r[1:] for r in ([c.get_text(" ", strip=True) for c in tr.find_all(
        ["th", "td"])] for tr in soup.select("tbody tr"))}
    force = int(rows["Offences brought to justice"][2])
    ind = "offences_brought_to_justice"
    assert force == _value(_engine(two_forces, force="Force A"), ind)
    assert force < _value(_engine(two_forces), ind)
