"""The dashboard over a data set of several forces (interchange-format.md, "Several
forces in one data set"): boroughs are named "FORCE / BOROUGH" and never mixed with
another force's namesake, a borough is set beside its own force, each force has a page
set beside the nation, and record lists, dip samples and populations read the rows of
the one borough of the one force.

The data set is the worked example twice (tests/test_indicators_forces.py): Force A
and Force B, each with a borough called Central.
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
from web_fakes import login

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
    for user, role, borough in (("analyst", "force_analyst", None),
                                ("bu", "borough_user", A_CENTRAL),
                                ("partner", "partner", None)):
        dash.users.add(user, PASSWORD, role, borough, boroughs=names)
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
