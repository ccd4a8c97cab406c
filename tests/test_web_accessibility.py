"""Every dashboard page passes axe-core's WCAG 2.2 AA rules, and the main journeys work
from the keyboard alone (issue 17). Debian's chromium driven by Playwright, as in
tests/test_web_browser.py; axe-core is the copy axe-playwright-python ships (PyPI), injected
by Playwright: nothing fetched from a CDN.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

import test_web_browser
from test_web_browser import OTHER, OWN, PASSWORD, PERIOD, _login

# The browser pages' own dashboard and Chromium: the same module fixtures, not a copy.
server = test_web_browser.server
browser = test_web_browser.browser

pytestmark = pytest.mark.browser

# axe-core's tags for WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA},
                                      "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
            for v in result.response["violations"]]


def _check(page, url: str, status: int = 200) -> list[str]:
    response = page.goto(url)
    assert response.status == status, (url, response.status)
    return [f"{url}: {v}" for v in _violations(page)]


def test_every_page_passes_axe(server, browser):
    base, _app = server
    found: list[str] = []
    # The login form, before anyone is logged in.
    context = browser.new_context()
    page = context.new_page()
    found += _check(page, f"{base}/login")
    context.close()

    context, page, _errors = _login(browser, base, "analyst")
    own = quote(OWN)
    for path in ("/overview", "/boroughs", f"/boroughs/{own}", "/equality",
                 f"/boroughs/{own}/equality", "/methodology", "/worklists",
                 f"/boroughs/{own}/worklists", f"/boroughs/{own}/dip-samples"):
        found += _check(page, f"{base}{path}?{PERIOD}")
    # A dip sample's page.
    page.goto(f"{base}/boroughs/{own}/dip-samples?{PERIOD}")
    page.fill("input[name=size]", "2")
    page.click("form.draw button")
    page.wait_for_load_state()
    assert "/dip-samples/" in page.url
    found += [f"{page.url}: {v}" for v in _violations(page)]
    found += _check(page, f"{base}/boroughs/{quote('Nowhere')}?{PERIOD}", 404)
    context.close()

    context, page, _errors = _login(browser, base, "bu", {"width": 390, "height": 844})
    found += _check(page, f"{base}/boroughs/{own}?{PERIOD}")  # the phone layout
    found += _check(page, f"{base}/boroughs/{quote(OTHER)}", 403)
    context.close()

    context, page, _errors = _login(browser, base, "partner")
    found += _check(page, f"{base}/overview?{PERIOD}")  # with suppressed cells
    found += _check(page, f"{base}/boroughs?{PERIOD}")
    context.close()

    context, page, _errors = _login(browser, base, "admin")
    found += _check(page, f"{base}/admin/audit")
    context.close()
    assert found == []


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard
    user would), failing if it is never reached."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            # The focus must be visible (WCAG 2.4.7): an outline or a box shadow.
            style = target.evaluate(
                "el => { const s = getComputedStyle(el); "
                "return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }")
            assert style[0] != "none" or style[2] != "none", (selector, style)
            return
    raise AssertionError(f"{selector} never took the focus from the keyboard")


def test_keyboard_only_journeys(server, browser, tmp_path):
    """Login, the force page, a borough, the worklists and a CSV download, with the
    keyboard alone: Tab to each control, Enter to follow or submit."""
    base, _app = server
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    _tab_to(page, "input[name=username]")
    page.keyboard.type("analyst")
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/overview"
    assert page.locator("h1").inner_text().startswith("Force overview")
    assert page.locator("#key-findings").count() == 1

    # The period form: its year chosen with the arrow keys, then Show.
    _tab_to(page, "select[name=year]")
    page.keyboard.press("Home")
    _tab_to(page, "form.period button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "year=" in page.url

    # Boroughs, then one borough from the league table.
    _tab_to(page, "header.top nav a[href='/boroughs']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/boroughs"
    _tab_to(page, f"table.league a:text('{OWN}')", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text().startswith(OWN)
    assert page.locator("#key-findings").count() == 1

    # The borough's worklists, and a list downloaded whole as CSV.
    _tab_to(page, "nav.sub a:text('Worklists')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/worklists" in page.url
    link = "a[href*='.csv'], a[href*='csv']"
    _tab_to(page, link, limit=200)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "list.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").splitlines()[0]
    context.close()
