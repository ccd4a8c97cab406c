"""A borough user's worklists that protect people, in Debian's chromium driven by
Playwright (as tests/test_web_browser.py): the page, its lists, a CSV download, and the
audit of both. Screenshots go to $DVPI_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from dvpi.web.app import create_app
from live_server import serving
from v2_data import FORMULA_ID, v2_warehouse

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PASSWORD = "a long enough password"
OWN = "Tower Hamlets"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("web-browser-worklists")
    app = create_app(v2_warehouse(tmp), state_path=tmp / "state.sqlite", secure_cookies=True)
    app.state.dashboard.users.add("bu", PASSWORD, "borough_user", OWN)
    with serving(app) as base:
        yield base, app


def test_a_borough_user_works_through_the_lists_that_protect_people(server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, app = server
    shots = Path(os.environ.get("DVPI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          accept_downloads=True)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "bu")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            # from the borough's start page, through the main navigation
            page.click("header nav a:text('Worklists')")
            page.wait_for_load_state()
            assert page.url.startswith(f"{base}/boroughs/{quote(OWN)}/worklists")
            page.goto(f"{base}/boroughs/{quote(OWN)}/worklists?year=2007-08")
            page.screenshot(path=str(shots / "bu-worklists-v2.png"), full_page=True)
            waiting = page.locator("section#disclosures_waiting")
            assert "As at 2008-03-31." in waiting.inner_text()
            assert waiting.locator("tbody tr").count() == 2
            assert page.locator("section#high_risk_unsupported tbody tr").inner_text(
            ).startswith("R14")
            # the list of lists at the top jumps to each
            page.click("nav.lists a:text('Disclosure requests waiting over 28 days')")
            assert page.url.endswith("#disclosures_waiting")
            with page.expect_download() as download:
                waiting.locator("a:text('Download CSV')").click()
            saved = tmp_path / "waiting.csv"
            download.value.save_as(saved)
            rows = list(csv.DictReader(saved.open(encoding="utf-8")))
            assert [r["request_id"] for r in rows] == ["'" + FORMULA_ID, "D9"]
            assert errors == []
        finally:
            browser.close()
    events = [e.event for e in reversed(app.state.dashboard.audit.entries(actor="bu"))]
    assert events.count("record_view") >= 2 and events[-1] == "export"
