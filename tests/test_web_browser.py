"""End to end, as a person would use it: Debian's chromium driven by Playwright against
the dashboard served by uvicorn on 127.0.0.1, over the example warehouse.

Screenshots of every page go to $DVPI_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from dvpi.web.app import create_app
from live_server import serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
PASSWORD = "a long enough password"
OWN, OTHER = "Tower Hamlets", "Waltham Forest"
PERIOD = "year=2007-08"


@pytest.fixture(scope="module")
def server(example_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("web-browser") / "state.sqlite"
    # Secure cookies as in production: chromium accepts them on http://127.0.0.1.
    app = create_app(example_warehouse, state_path=state, secure_cookies=True)
    users = app.state.dashboard.users
    users.add("admin", PASSWORD, "admin")
    users.add("analyst", PASSWORD, "force_analyst")
    users.add("bu", PASSWORD, "borough_user", OWN)
    users.add("partner", PASSWORD, "partner")
    with serving(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = Path(os.environ.get("DVPI_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def _login(browser, base: str, username: str, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # Any CSP violation or script error shows up on the console; failed loads are
    # collected from the responses (with their URL), the browser's own favicon probe of
    # a JSON response aside.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page, errors


def _visit(page, url: str, shot: Path, status: int = 200):
    response = page.goto(url)
    assert response.status == status, (url, response.status)
    page.screenshot(path=str(shot), full_page=True)
    return response


def test_force_analyst_walks_every_page(server, browser, shots):
    base, _app = server
    context, page, errors = _login(browser, base, "analyst")
    assert page.url == f"{base}/overview"
    _visit(page, f"{base}/overview?{PERIOD}", shots / "analyst-overview.png")
    assert page.locator("table.scorecard tbody tr").count() >= 10
    assert page.locator(".rag-green").count() >= 1 and page.locator(".rag-red").count() >= 1
    assert page.locator("svg.spark").count() >= 10
    _visit(page, f"{base}/boroughs?{PERIOD}", shots / "analyst-boroughs.png")
    assert page.locator("figure.chosen svg.funnel .point").count() == 2
    page.click(f"table.league a:text('{OWN}')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith(OWN)
    page.screenshot(path=str(shots / "analyst-borough.png"), full_page=True)
    _visit(page, f"{base}/equality?{PERIOD}", shots / "analyst-equality.png")
    assert "Per 1,000" in page.content()
    _visit(page, f"{base}/methodology", shots / "analyst-methodology.png")
    assert page.locator("dl.indicators dt").count() > 60
    _visit(page, f"{base}/worklists?{PERIOD}", shots / "analyst-worklists.png")
    # Dip sampling: draw a sample, record a check.
    _visit(page, f"{base}/boroughs/{quote(OWN)}/dip-samples?{PERIOD}",
           shots / "analyst-dip-samples.png")
    page.fill("input[name=size]", "3")
    page.click("form.draw button")
    page.wait_for_load_state()
    assert "/dip-samples/" in page.url
    rows = page.locator("table.sample tbody tr")
    assert rows.count() == 3
    rows.nth(0).locator("select").select_option("not_compliant")
    rows.nth(0).locator("input[name=note]").fill("no DASH recorded")
    rows.nth(0).locator("button").click()
    page.wait_for_load_state()
    assert page.locator("table.sample tbody tr").nth(0).locator("select").input_value() \
        == "not_compliant"
    page.screenshot(path=str(shots / "analyst-dip-sample.png"), full_page=True)
    # Printable: the print stylesheet hides navigation and forms.
    page.goto(f"{base}/overview?{PERIOD}")
    page.emulate_media(media="print")
    assert not page.locator("header.top nav").is_visible()
    page.screenshot(path=str(shots / "analyst-overview-print.png"), full_page=True)
    assert errors == []
    context.close()


def test_borough_user_is_kept_to_their_borough(server, browser, shots):
    base, _app = server
    context, page, errors = _login(browser, base, "bu", viewport={"width": 390, "height": 844})
    assert page.url == f"{base}/boroughs/{quote(OWN)}"
    _visit(page, f"{base}/boroughs/{quote(OWN)}?{PERIOD}", shots / "bu-borough-phone.png")
    _visit(page, f"{base}/boroughs/{quote(OWN)}/worklists?{PERIOD}", shots / "bu-worklists.png")
    _visit(page, f"{base}/boroughs/{quote(OTHER)}", shots / "bu-other-borough-403.png", 403)
    assert "Access denied" in page.content()
    _visit(page, f"{base}/overview", shots / "bu-overview-403.png", 403)
    api = page.goto(f"{base}/api/indicators?borough={quote(OTHER)}")
    assert api.status == 403
    api = page.goto(f"{base}/api/indicators?{PERIOD}&borough={quote(OWN)}")
    assert api.status == 200 and api.json()["scope"] == OWN
    assert sorted(errors) == sorted([
        f"403 {base}/boroughs/{quote(OTHER)}", f"403 {base}/overview",
        f"403 {base}/api/indicators?borough={quote(OTHER)}"])
    context.close()


def test_partner_sees_suppressed_cells(server, browser, shots):
    base, _app = server
    context, page, errors = _login(browser, base, "partner")
    _visit(page, f"{base}/overview?{PERIOD}", shots / "partner-overview.png")
    assert page.locator("td:text-is('[c]')").count() >= 3
    _visit(page, f"{base}/equality?{PERIOD}", shots / "partner-equality.png")
    assert page.locator("td:text-is('[c]')").count() >= 3
    _visit(page, f"{base}/boroughs?{PERIOD}", shots / "partner-boroughs.png")
    _visit(page, f"{base}/worklists", shots / "partner-worklists-403.png", 403)
    result = page.goto(f"{base}/api/indicators?{PERIOD}").json()
    assert any(e.get("suppressed") for e in result["indicators"].values())
    assert errors == [f"403 {base}/worklists"]
    context.close()


def test_admin_sees_the_audit_log(server, browser, shots):
    base, _app = server
    context, page, _errors = _login(browser, base, "admin")
    _visit(page, f"{base}/admin/audit", shots / "admin-audit.png")
    assert "intact" in page.content()
    assert page.locator("td:text-is('login')").count() >= 1
    context.close()
    # A wrong password, seen as a person sees it.
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "Wrong username or password" in page.content()
    page.screenshot(path=str(shots / "login-failed.png"), full_page=True)
    context.close()
