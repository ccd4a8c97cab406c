"""The board report, checked as a reader would: parse the HTML, render the PDF's pages.

Runs on the worked example (two boroughs). The engine is asked once per module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dvpi.indicators import coverage, registry
from dvpi.publish import report
from dvpi.stats import disclosure
from engine_helpers import gather_report

TEMPLATE = Path(report.__file__).parent / "templates" / "report.html.j2"


@pytest.fixture(scope="module")
def inputs(example_warehouse) -> report.ReportInputs:
    # The example already loaded and resolved (conftest): resolving it again here would
    # only repeat the linked method's training.
    return gather_report(example_warehouse, "2007-08")


@pytest.fixture(scope="module")
def internal(inputs, tmp_path_factory) -> report.Written:
    return report.write_report(inputs, tmp_path_factory.mktemp("internal"), pdf=True)


@pytest.fixture(scope="module")
def public(inputs, tmp_path_factory) -> report.Written:
    return report.write_report(inputs, tmp_path_factory.mktemp("public"), audience="public",
                               pdf=False)


def _soup(written: report.Written) -> BeautifulSoup:
    return BeautifulSoup(written.html.read_text(encoding="utf-8"), "lxml")


def _cells(tr) -> list:
    """A row's cells, its header cell (th scope=row) first."""
    return tr.find_all(["th", "td"])


def _main_text(td) -> str:
    return (td.contents[0].get_text() if hasattr(td.contents[0], "get_text")
            else str(td.contents[0])).strip()


def _number(text: str) -> float | None:
    """A figure as printed: "1,234", "75.0%", "2.00 : 1", "100.0 per 100"; None for marks."""
    if text in (disclosure.MARK, "–", "n/a", ""):
        return None
    m = re.match(r"-?[\d,]+(\.\d+)?", text)
    assert m, text
    value = float(m.group(0).replace(",", ""))
    return value / 100 if text.endswith("%") else value


def _close(printed: float | None, value: float | None, text: str) -> bool:
    if value is None:
        return printed is None
    if text.endswith("%"):
        return abs(printed - value) <= 0.0005 + 1e-12
    if ": 1" in text:
        return abs(printed - value) <= 0.005
    return abs(printed - value) <= max(0.05, abs(value) * 0.0005)


def test_files_written(internal, public):
    assert internal.html.name == "dv-report-2007-08.html"
    assert internal.pdf.exists() and internal.pdf.stat().st_size > 10_000
    assert public.html.name == "dv-report-2007-08-public.html"


def test_html_is_self_contained(internal):
    html = internal.html.read_text(encoding="utf-8")
    soup = _soup(internal)
    assert not soup.find_all("script")
    assert not soup.find_all("link")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    for img in soup.find_all("img"):
        assert img["src"].startswith("data:")
    assert len(soup.find_all("svg")) >= 10  # charts inline


def test_sections_follow_the_2008_report(internal):
    soup = _soup(internal)
    keys = [s["data-section"] for s in soup.find_all("section", attrs={"data-section": True})]
    assert keys == [s.key for s in report.SECTIONS]
    assert soup.find(id="targets") and soup.find(id="methodology")


def test_headline_figures_match_the_engine(internal, inputs):
    soup = _soup(internal)
    this, last = inputs.current[0]["indicators"], inputs.previous[0]["indicators"]
    checked = 0
    for tr in soup.select("table.figures tr[data-indicator]"):
        ind_id = tr["data-indicator"]
        for cls, source in (("this", this), ("last", last)):
            td = tr.find("td", class_=cls)
            if td is None:
                assert source[ind_id].get("unavailable"), ind_id
                continue
            text = _main_text(td)
            entry = source[ind_id]
            if coverage.incomplete(entry):  # never a number: not available, with a note
                assert text == "n/a" and td.find(class_="note-ref"), (ind_id, cls, text)
                checked += 1
                continue
            assert _close(_number(text), entry.get("value"), text), (ind_id, cls, text, entry)
            if "numerator" in entry:
                fraction = td.find(class_="fraction").get_text()
                assert fraction == f"{entry['numerator']:,} / {entry['denominator']:,}"
            checked += 1
    # Every figure the example can give (its version-2 tables are not loaded).
    non_breakdowns = [i for i in registry.INDICATORS if i.unit != "breakdown"
                      and not this[i.id].get("unavailable")]
    assert checked >= 2 * len(non_breakdowns) - 4


def test_breakdowns_match_the_engine(internal, inputs):
    soup = _soup(internal)
    this = inputs.current[0]["indicators"]
    tables = soup.select("table.breakdown")
    assert {t["data-indicator"] for t in tables} == {
        i.id for i in registry.INDICATORS if i.unit == "breakdown"
        and not this[i.id].get("unavailable")}
    for table in tables:
        entry = this[table["data-indicator"]]
        for tr in table.select("tr[data-key]"):
            printed = _number(tr.find("td", class_="this").get_text())
            expected = entry["total"] if tr["data-key"] == "total" else entry["values"][
                tr["data-key"]]
            assert printed == expected, (table["data-indicator"], tr["data-key"])


def test_methodology_is_the_registry(internal):
    soup = _soup(internal)
    documented = [tr["data-method"] for tr in soup.select("tr[data-method]")]
    assert documented == [i.id for i in registry.INDICATORS]
    text = soup.find(id="methodology").get_text()
    for ind in registry.INDICATORS:
        assert ind.definition.split(".")[0][:60] in " ".join(text.split())


def test_targets_with_status(internal, inputs):
    soup = _soup(internal)
    rows = {tr["data-indicator"]: tr for tr in soup.select("table.targets tr[data-indicator]")}
    assert set(rows) == set(inputs.current[0]["targets"])
    for ind_id, t in inputs.current[0]["targets"].items():
        badge = rows[ind_id].find(class_="status")
        assert ("green" in badge["class"]) == bool(t["met"])


def test_funnel_league_tables_name_every_borough(internal, inputs):
    soup = _soup(internal)
    boroughs = {r["scope"] for r in inputs.current[1:]}
    leagues = soup.select("table.league")
    assert {t["data-indicator"] for t in leagues} == {
        i for s in report.SECTIONS for i in s.funnels}
    for table in leagues:
        entries = {r["scope"]: r["indicators"][table["data-indicator"]]
                   for r in inputs.current[1:]}
        for tr in table.select("tr[data-borough]"):
            e = entries[tr["data-borough"]]
            cells = _cells(tr)
            assert cells[2].get_text() == f"{e['numerator']:,} / {e['denominator']:,}"
            assert tr["data-band"] in ("within", "above_95", "above_998", "below_95",
                                       "below_998")
        shown = {tr["data-borough"] for tr in table.select("tr[data-borough]")}
        assert shown | set(_omitted(table)) == boroughs


def _omitted(table) -> list[str]:
    note = table.find_next_sibling("p")
    if note and note.get_text().startswith("Not shown"):
        return [s.strip(" .") for s in note.get_text().split(":", 1)[1].split(",")]
    return []


def test_equality_rates_from_engine_counts_and_population(internal, inputs):
    soup = _soup(internal)
    ind_id = "dv_crime_victims_by_ethnic_appearance"
    table = soup.select_one(f'table.equality[data-indicator="{ind_id}"]')
    assert table is not None
    counts = inputs.current[0]["indicators"]["dv_crime_victims_by_ethnic_appearance"]["values"]
    population = inputs.population["ethnic_appearance"]
    rows = {_cells(tr)[0].get_text(): _cells(tr) for tr in table.select("tbody tr")}
    white = rows["White European"]
    assert _number(white[1].get_text()) == counts["IC1"]
    assert _number(white[3].get_text()) == pytest.approx(
        1000 * counts["IC1"] / population["IC1"], abs=0.005)
    assert white[5].get_text() == "1.00"  # the reference group against itself


def test_arrest_stage_total_is_the_engine_numerator(inputs):
    arrests = inputs.arrests["ethnic_appearance"]
    assert sum(arrests.values()) == (
        inputs.current[0]["indicators"]["dv_crime_arrests_per_100"]["numerator"])


def test_no_record_level_data(internal, public):
    ids = re.compile(r"\b(R\d\d|P\d\d|N\d{1,2}|K\d|C\d|HR\d)\b")
    for written in (internal, public):
        text = _soup(written).get_text(" ")
        assert not ids.search(text), ids.search(text)


def test_public_report_suppresses_and_cannot_be_undone(public, inputs):
    soup = _soup(public)
    assert soup.find(id="disclosure-note")
    this = inputs.current[0]["indicators"]
    marks = 0
    for table in soup.select("table.breakdown"):
        ind_id = table["data-indicator"]
        values, total = {}, None
        for tr in table.select("tr[data-key]"):
            text = tr.find("td", class_="this").get_text()
            printed = _number(text)
            if tr["data-key"] == "total":
                total = printed
                continue
            values[tr["data-key"]] = printed
            marks += text == disclosure.MARK
            true = this[ind_id]["values"][tr["data-key"]]
            if 0 < true < disclosure.DEFAULT_THRESHOLD:
                assert text == disclosure.MARK, (ind_id, tr["data-key"])
            elif printed is not None:
                assert printed == true
        if ind_id not in disclosure.NON_ADDITIVE_BREAKDOWNS:
            assert disclosure.recoverable_cells(values, total) == [], ind_id
    assert marks > 0
    for tr in soup.select("table.figures tr[data-indicator]"):
        td = tr.find("td", class_="this")
        if td is None:
            continue
        text = _main_text(td)
        entry = this[tr["data-indicator"]]
        value = entry.get("value") if "numerator" not in entry else None
        if value is not None and 0 < value < disclosure.DEFAULT_THRESHOLD:
            assert text == disclosure.MARK, tr["data-indicator"]


def test_template_holds_no_figures():
    """Every number in the report comes from the engine: the template types none."""
    text = TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    numbers = {n.rstrip(".,") for n in re.findall(r"(?<![A-Za-z\d_])\d[\d,.]*", text)}
    # references, not figures: the year of the report, paragraph 86, Spiegelhalter 2005,
    # "per 1,000", and the RRI's reference value 1
    assert numbers <= {"2008", "86", "2005", "1,000", "1"}, numbers


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_pages_not_blank_and_fit(internal, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(internal.pdf), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 5
    for page in pages:
        im = Image.open(page).convert("L")
        w, h = im.size
        assert abs(w / h - 210 / 297) < 0.01  # A4 portrait
        dark = sum(im.histogram()[:200])
        assert dark > 0.003 * w * h, f"{page.name} looks blank"
        # nothing drawn in the outer 5 mm: content stays inside the page margins
        band = max(1, round(w * 5 / 210))
        for box in ((0, 0, band, h), (w - band, 0, w, h)):
            assert im.crop(box).getextrema()[0] > 200, f"{page.name} overflows its margin"



def test_arrest_and_accused_stages_side_by_side(internal, inputs):
    soup = _soup(internal)
    tables = soup.select("section#accused table.stages")
    assert len(tables) == 2  # ethnic appearance and gender
    accused = inputs.current[0]["indicators"]["accused_by_ethnic_appearance"]["values"]
    arrested = inputs.arrests["ethnic_appearance"]
    rows = {_cells(tr)[0].get_text(): _cells(tr) for tr in tables[0].select("tbody tr")}
    white = rows["White European"]
    assert _number(white[1].get_text()) == arrested["IC1"]
    assert _number(white[2].get_text()) == accused["IC1"]
    assert white[3].get_text() == "1.00"  # the reference against itself


# --- issue 17: a publication a board and the public can trust and everyone can read ----


def test_opens_with_key_findings(internal):
    soup = _soup(internal)
    first = soup.find("section")
    assert first["id"] == "key-findings"
    items = [li.get_text() for li in first.select("li")]
    assert items[0].startswith("Of ") and "compared with 2006-07" in items[0]
    # Every sentence is a template's: significance is said only as the tests allow.
    for text in items[1:]:
        assert ("statistically significant" in text or "no significant change" in text
                or "target" in text or "cannot be compared" in text
                or text.startswith("A further")), text
    assert "two-proportion z-test" in first.get_text()


def test_contents_has_page_numbers_and_every_part(internal):
    soup = _soup(internal)
    links = [a["href"] for a in soup.select("nav.toc a")]
    assert links[0] == "#key-findings"
    assert {"#targets", "#glossary", "#methodology"} <= set(links)
    assert all(soup.find(id=h[1:]) for h in links)
    css = (TEMPLATE.parent / "report.css").read_text()
    assert "target-counter(attr(href), page)" in css
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "2", "-layout", str(internal.pdf),
                           "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Glossary \.+ \d+", text), text[:2000]


def test_glossary_from_the_registry(internal):
    soup = _soup(internal)
    terms = [dt.get_text() for dt in soup.select("#glossary dt")]
    for fam in registry.FAMILIES:
        if fam.description:
            assert fam.title in terms
    assert "Statistically significant" in terms and "Funnel plot" in terms
    assert terms == sorted(terms, key=str.lower)


def test_public_sections_state_the_disclosure_rule(public):
    soup = _soup(public)
    for section in soup.select("section[data-section]"):
        marked = any(td.get_text().strip().startswith(disclosure.MARK)
                     for td in section.select("td"))
        rule = section.select_one("p.disclosure")
        assert bool(rule) == marked, section["id"]
        if rule:
            assert rule.get_text().startswith("Disclosure control: counts from 1 to 4")
    # And every printed page carries it, in the running footer.
    assert soup.select_one("p.running-disclosure").get_text().startswith("[c] = suppressed")


def test_charts_have_text_alternatives(internal):
    soup = _soup(internal)
    for svg in soup.find_all("svg"):
        assert svg.get("role") == "img"
        title = svg.find("title")
        assert title is not None and len(title.get_text()) > 20
        assert svg["aria-labelledby"] == title["id"]


def test_pdf_is_tagged_pdf_ua(internal):
    """pdfua (a maintained PDF/UA-1 checker over pikepdf) finds nothing, and the
    structure a screen reader needs is there."""
    import pikepdf
    from pdfua import Severity, validate

    result = validate(str(internal.pdf))
    problems = [(f.rule_id, f.message) for f in result.findings
                if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert problems == []
    info = subprocess.run(["pdfinfo", str(internal.pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Tagged:\s+yes", info)
    with pikepdf.open(internal.pdf) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title).startswith("Domestic violence performance report")
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert "/Outlines" in root and int(root.Outlines.Count) != 0  # bookmarks
        figures = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                   and o.get("/S") == "/Figure"]
        assert figures and all(len(str(f.get("/Alt", ""))) > 20 for f in figures)
        headers = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                   and o.get("/S") == "/TH"]
        assert headers and all("/Scope" in h.A for h in headers)


def test_revision_notes_name_the_loads_between(inputs, tmp_path):
    out = tmp_path / "editions"
    first = report.write_report(inputs, out, pdf=False)
    assert first.context["revisions"] == []
    # A later load changed a published figure: the record of the first edition says what
    # it was; the ledger names the load that came after it.
    record = out / "dv-report-2007-08.figures.json"
    data = __import__("json").loads(record.read_text())
    data["figures"]["dv_incidents 2007-08"]["text"] = "9"
    data["load"] = 0
    record.write_text(__import__("json").dumps(data))
    second = report.write_report(inputs, out, pdf=False)
    notes = second.context["revisions"]
    assert [(n["title"], n["year"], n["was"]) for n in notes] == [
        ("DV incidents", "2007-08", "9")]
    assert notes[0]["because"].startswith("load 1 (")
    assert "Revisions" in second.html.read_text()
