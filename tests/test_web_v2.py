"""The dashboard with catalogue version 2 (issue 15): the "Justice and safeguarding"
pages (one section per v2 family, the figures each role may see, "not available" without
the tables) and the worklists that protect people (who sees them, for which borough, and
the audit of every view and export)."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from dvpi.indicators import registry, worklists
from dvpi.stats import disclosure, sections
from dvpi.stats import display as fmt
from dvpi.web.app import create_app
from dvpi.web.params import choose
from v2_data import FORMULA_ID, v2_warehouse
from web_fakes import login

PASSWORD = "a long enough password"
OWN, OTHER = "Tower Hamlets", "Waltham Forest"
FY = "year=2007-08"
PROTECTIVE = [w.id for w in worklists.WORKLISTS if w.protects]
USERS = (("admin", "admin", None), ("analyst", "force_analyst", None),
         ("bu", "borough_user", OWN), ("other", "borough_user", OTHER),
         ("partner", "partner", None))


def _site(warehouse: Path, state: Path):
    app = create_app(warehouse, state_path=state, secure_cookies=False)
    clients = {}
    for name, role, borough in USERS:
        app.state.dashboard.users.add(name, PASSWORD, role, borough)
        clients[name] = TestClient(app, follow_redirects=False)
        assert login(clients[name], name, PASSWORD).status_code == 303
    return app, clients


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-v2")
    return _site(v2_warehouse(tmp), tmp / "state.sqlite")


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def _rows(soup: BeautifulSoup, family: str) -> dict[str, list[str]]:
    section = soup.find("section", attrs={"data-section": family})
    assert section is not None, family
    return {tr["data-indicator"] + "/" + tr.get("data-key", ""):
            [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in section.select("tr[data-indicator]")}


def _results(app, borough=None, public=False) -> dict:
    dash = app.state.dashboard
    snap = dash.snapshot()
    choice = choose(snap, "2007-08", None, None, None)
    if public:
        found = dash.published(snap, choice.start, choice.end, choice.definition)
        wanted = (borough or "force").lower()
        return next(r for r in found if r["scope"].lower() == wanted)["indicators"]
    return dash.result(snap, choice.start, choice.end, borough, choice.definition)[
        "indicators"]


# --- Justice and safeguarding ------------------------------------------------------------


def test_every_v2_family_is_a_section_with_the_engines_figures(site):
    app, clients = site
    soup = _soup(clients["analyst"].get(f"/safeguarding?{FY}"))
    assert [s["data-section"] for s in soup.select("section.family")] == [
        f.id for f in sections.families()]
    figures = _results(app)
    for fam in sections.families():
        rows = _rows(soup, fam.id)
        for ind in registry.in_family(fam.id):
            shown = rows[f"{ind.id}/"][0]
            if ind.unit != "rates":
                assert shown == fmt.figure(ind, figures[ind.id]), ind.id
            for key in ind.keys if ind.unit in ("breakdown", "rates") else ():
                assert f"{ind.id}/{key}" in rows
    # targets as on every other page: SafeLives' 40 per 10,000, 28 days for a decision
    marac = _rows(soup, "marac")["marac_cases_per_10000_adult_females/"]
    assert marac[2:] == ["40.0 per 10,000", "red"]
    assert _rows(soup, "protective")["dvds_days_to_decision/"][2:] == ["28 days", "green"]
    # a rate links to its funnel plot and league table across the boroughs
    link = soup.find("a", href=f"/boroughs?{FY}&definition=acpo2004&indicator=marac_repeat_rate")
    assert link is not None
    boroughs = _soup(clients["analyst"].get(
        f"/boroughs?{FY}&indicator=marac_repeat_rate"))
    assert boroughs.select("figure.chosen svg") and len(boroughs.select(
        "table.league tbody tr")) == 2


def test_a_borough_page_sets_the_borough_beside_the_force(site):
    app, clients = site
    soup = _soup(clients["bu"].get(f"/boroughs/{quote(OWN)}/safeguarding?{FY}"))
    own, force = _results(app, OWN), _results(app)
    ind = registry.get("marac_cases")
    row = _rows(soup, "marac")["marac_cases/"]
    assert row[0] == fmt.figure(ind, own[ind.id]) and row[2] == fmt.figure(ind, force[ind.id])
    assert clients["bu"].get(f"/boroughs/{quote(OTHER)}/safeguarding?{FY}").status_code == 403
    assert clients["bu"].get(f"/safeguarding?{FY}").status_code == 403


def test_a_partner_sees_the_published_figures_and_never_a_small_cell(site):
    app, clients = site
    soup = _soup(clients["partner"].get(f"/safeguarding?{FY}"))
    published, raw = _results(app, public=True), _results(app)
    marks = 0
    for fam in sections.families():
        rows = _rows(soup, fam.id)
        for ind in registry.in_family(fam.id):
            shown = rows[f"{ind.id}/"][0]
            if ind.unit != "rates":
                assert shown == fmt.figure(ind, published[ind.id]), ind.id
            marks += shown == disclosure.MARK
            entry = raw[ind.id]
            small = (entry.get("n") if ind.unit == "median" else entry.get("numerator"))
            if ind.unit in ("median", "rate") and small is not None and 0 < small < 5:
                assert shown == disclosure.MARK, (ind.id, entry)
    assert marks > 0
    # a borough page for a partner is protected the same way
    soup = _soup(clients["partner"].get(f"/boroughs/{quote(OWN)}/safeguarding?{FY}"))
    assert disclosure.MARK in soup.get_text()
    # and only for published periods
    assert clients["partner"].get(
        "/safeguarding?start=2007-04-01&end=2007-06-30").status_code == 400


def test_without_the_v2_tables_a_section_says_not_available(example_warehouse, tmp_path):
    app = create_app(example_warehouse, state_path=tmp_path / "s.sqlite",
                     secure_cookies=False)
    app.state.dashboard.users.add("analyst", PASSWORD, "force_analyst")
    client = TestClient(app, follow_redirects=False)
    login(client, "analyst", PASSWORD)
    soup = _soup(client.get(f"/safeguarding?{FY}"))
    marac = soup.find("section", attrs={"data-section": "marac"})
    assert marac.find(class_="unavailable").get_text(strip=True) == (
        "Not available: marac_cases not loaded.")
    assert marac.find("table") is None  # no figure, so no zero
    bail = _rows(soup, "charging_bail")
    assert bail["bail_days/"][0] == fmt.NOT_AVAILABLE


# --- worklists: who sees them, and the audit ------------------------------------------------


def _lists(soup: BeautifulSoup) -> dict[str, BeautifulSoup]:
    return {s["id"]: s for s in soup.select("section.worklist")}


def _events(app, actor: str, *events: str) -> list:
    return [e for e in app.state.dashboard.audit.entries(actor=actor) if e.event in events]


def test_the_worklists_page_lists_the_protective_lists(site):
    app, clients = site
    soup = _soup(clients["analyst"].get(f"/worklists?{FY}"))
    shown = _lists(soup)
    assert list(shown) == [w.id for w in worklists.WORKLISTS]
    bail = shown["bail_over_8_weeks"]
    assert "As at 2008-03-31." in bail.get_text(" ")
    assert [td.get_text() for td in bail.select("tbody tr td:first-child")] == ["B8", "B9"]
    assert "Shown to: admin, force analyst, borough user" in bail.get_text(" ")
    view = _events(app, "analyst", "record_view")[0]
    assert {"bail_id:B8", "bail_id:B9", f"request_id:{FORMULA_ID}",
            "requirement_id:Q5"} <= set(view.detail["record_ids"])
    assert any(i.startswith("person_key:") for i in view.detail["record_ids"])
    assert view.detail["rows"]["disclosures_waiting"] == 2
    assert "R14" in view.detail["report_ids"]  # the high-risk victim's report


def test_a_borough_user_sees_their_borough_and_downloads_it_audited(site):
    app, clients = site
    soup = _soup(clients["bu"].get(f"/boroughs/{quote(OWN)}/worklists?{FY}"))
    shown = _lists(soup)
    assert set(PROTECTIVE) <= set(shown)
    assert shown["bail_over_8_weeks"].find("tbody") is None  # none in Tower Hamlets
    unsupported = shown["high_risk_unsupported"].select("tbody tr")
    assert [[td.get_text() for td in tr.find_all("td")][:4] for tr in unsupported] == [
        ["R14", OWN, "2007-07-07", "P29"]]
    response = clients["bu"].get(
        f"/boroughs/{quote(OWN)}/worklists/disclosures_waiting.csv?{FY}")
    assert response.status_code == 200
    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["request_id"] for r in exported] == ["'" + FORMULA_ID, "D9"]  # no formula
    export = _events(app, "bu", "export")[0]
    assert export.detail["what"] == "worklist disclosures_waiting"
    assert export.detail["record_ids"] == [f"request_id:{FORMULA_ID}", "request_id:D9"]
    assert export.detail["rows"] == 2 and export.detail["borough"] == OWN


@pytest.mark.parametrize("who,url", [
    ("partner", "/worklists"),
    ("partner", f"/boroughs/{quote(OWN)}/worklists"),
    ("partner", f"/boroughs/{quote(OWN)}/worklists/bail_over_8_weeks.csv"),
    ("other", f"/boroughs/{quote(OWN)}/worklists"),
    ("other", f"/boroughs/{quote(OWN)}/worklists/high_risk_unsupported.csv"),
    ("other", "/worklists"),
    ("bu", "/worklists"),
])
def test_no_list_for_a_partner_or_another_borough_and_nothing_logged_as_shown(site, who, url):
    app, clients = site
    before = len(_events(app, who, "record_view", "export"))
    response = clients[who].get(f"{url}?{FY}")
    assert response.status_code == 403
    assert "P29" not in response.text and "B8" not in response.text
    assert len(_events(app, who, "record_view", "export")) == before
    assert _events(app, who, "access_denied")


def test_a_borough_not_in_the_data_is_not_found(site):
    _app, clients = site
    assert clients["analyst"].get(f"/boroughs/Atlantis/worklists?{FY}").status_code == 404
    assert clients["analyst"].get(
        f"/boroughs/Atlantis/worklists/bail_over_8_weeks.csv?{FY}").status_code == 404


def test_a_list_is_shown_only_to_the_roles_it_names(site):
    app, clients = site
    engine = app.state.dashboard.engine
    declared = engine.worklists["high_risk_unsupported"]
    engine.worklists["high_risk_unsupported"] = dataclasses.replace(
        declared, roles=("admin", "force_analyst"))
    try:
        page = _soup(clients["bu"].get(f"/boroughs/{quote(OWN)}/worklists?{FY}"))
        assert "high_risk_unsupported" not in _lists(page)
        assert "P29" not in str(page)
        before = len(_events(app, "bu", "export"))
        url = f"/boroughs/{quote(OWN)}/worklists/high_risk_unsupported.csv?{FY}"
        assert clients["bu"].get(url).status_code == 403
        assert len(_events(app, "bu", "export")) == before
        assert clients["analyst"].get(url).status_code == 200
    finally:
        engine.worklists["high_risk_unsupported"] = declared


def test_an_as_at_list_past_the_data_is_taken_on_its_latest_date(site):
    _app, clients = site
    # 2008-09 runs past the data (its latest report is recorded 2008-04-01)
    soup = _soup(clients["analyst"].get("/worklists?year=2008-09"))
    bail = _lists(soup)["bail_over_8_weeks"]
    assert "As at 2008-04-01." in bail.get_text(" ")
