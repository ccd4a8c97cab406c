"""The board report and the weekly pack with catalogue version 2 (issue 15): a section
per v2 family from the registry, targets, funnel plots, the same disclosure control, "not
available" without the tables (never 0), the weekly figures and the worklists sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup

from dvpi.indicators import registry
from dvpi.publish import pack, report, v2pack, v2sections
from dvpi.stats import disclosure, sections
from dvpi.stats import display as fmt
from engine_helpers import gather_pack, gather_report
from v2_data import EXAMPLE_V1, FORMULA_ID, v2_warehouse

V2_FAMILIES = ("justice", "charging_bail", "risk_management", "protective", "marac",
               "satisfaction", "programmes")
WEEK = dt.date(2008, 3, 30)
THRESHOLD = disclosure.DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def v2(tmp_path_factory) -> Path:
    return v2_warehouse(tmp_path_factory.mktemp("publish-v2"))


@pytest.fixture(scope="module")
def inputs(v2) -> report.ReportInputs:
    return gather_report(v2, "2007-08", people="exact")


@pytest.fixture(scope="module")
def internal(inputs) -> tuple[dict, BeautifulSoup]:
    context = report.prepare(inputs, "internal")
    return context, BeautifulSoup(report.render_html(context), "lxml")


@pytest.fixture(scope="module")
def public(inputs) -> tuple[dict, BeautifulSoup]:
    context = report.prepare(inputs, "public")
    return context, BeautifulSoup(report.render_html(context), "lxml")


def _section(soup: BeautifulSoup, key: str):
    found = soup.find("section", attrs={"data-section": key})
    assert found is not None, key
    return found


def _cells(tr) -> list[str]:
    return [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]


# --- sections from the registry ----------------------------------------------------------


def test_the_v2_sections_are_the_registry_families():
    assert tuple(f.id for f in sections.families()) == V2_FAMILIES
    keys = [s.key for s in report.SECTIONS]
    assert keys[-len(V2_FAMILIES):] == list(V2_FAMILIES)
    assert len(set(keys)) == len(keys)
    for s in report.SECTIONS[-len(V2_FAMILIES):]:
        assert s.title == registry.families_by_id[s.key].title
        assert s.source == v2sections.SOURCES[s.key]
    # every rate of a proportion is compared across the boroughs (and so asked for)
    rates = {i.id for i in registry.INDICATORS if i.version == 2 and i.unit == "rate"}
    assert set(v2sections.BOROUGH_FIGURES) == rates
    assert rates <= set(report.BOROUGH_FIGURES)


def test_every_v2_figure_is_the_engines(internal, inputs):
    _context, soup = internal
    this = inputs.current[0]["indicators"]
    shown = 0
    for key in V2_FAMILIES:
        table = _section(soup, key).find("table", class_="figures")
        for tr in table.select("tr[data-indicator]"):
            ind = registry.get(tr["data-indicator"])
            assert ind.family == key
            text = tr.find("td", class_="this").get_text(" ", strip=True)
            assert text.startswith(fmt.figure(ind, this[ind.id])), (ind.id, text)
            shown += 1
    assert shown == sum(1 for i in registry.INDICATORS if i.version == 2
                        and i.unit != "breakdown")


def test_details_median_n_interval_and_keys(internal, inputs):
    _context, soup = internal
    this = inputs.current[0]["indicators"]
    details = {tr["data-indicator"] + "/" + tr.get("data-key", ""): _cells(tr)
               for tr in soup.select("table.details tr[data-indicator]")}
    assert details["bail_days/"][1] == f"n {this['bail_days']['n']}"
    low, high = this["victim_satisfaction_rate"]["ci95"]
    assert details["victim_satisfaction_rate/"][1] == (
        f"7 / 12; 95% interval {fmt.percent(low)} to {fmt.percent(high)}")
    element = this["victim_satisfaction_by_element"]
    assert details["victim_satisfaction_by_element/kept_informed"][1] == (
        f"{fmt.percent(element['values']['kept_informed'])} "
        f"(n {element['n']['kept_informed']})")
    gap = details["victim_satisfaction_gap_ethnicity/"][1]
    assert gap.startswith("White 66.7% of 6; Black, Asian or racially minoritised 33.3% of 3")


def test_funnel_plots_for_the_v2_rates(internal, inputs):
    context, soup = internal
    plotted = [f for x in context["family_extras"].values() for f in x["funnels"]]
    # every available rate with a borough to compare, each with its chart
    comparable = [i for i in v2sections.BOROUGH_FIGURES
                  if not inputs.current[0]["indicators"][i].get("unavailable")
                  and any((r["indicators"][i].get("denominator") or 0) > 0
                          for r in inputs.current[1:])]
    assert [f["id"] for f in plotted] == comparable and len(plotted) >= 15
    assert all(f["chart"].startswith("<svg") for f in plotted)
    marac = _section(soup, "marac")
    assert "MARAC repeat cases by borough: funnel plot" in marac.get_text(" ")
    assert marac.find("svg") is not None


def test_targets_shown_as_the_version_1_targets_are(internal):
    _context, soup = internal
    rows = {tr["data-indicator"]: _cells(tr)
            for tr in soup.select("section#targets tr[data-indicator]")}
    # SafeLives' 40 cases per 10,000 adult females; 9 cases per 250,000 is 0.4
    assert rows["marac_cases_per_10000_adult_females"][1:] == [
        "40.0 per 10,000", "0.4 per 10,000", "not met", "red"]
    # 28 days for a disclosure decision, at most: the median is 28 days
    assert rows["dvds_days_to_decision"][1:] == ["28 days", "28 days", "met", "green"]
    assert rows["bail_over_8_weeks_rate"][1:3] == ["50.0%", "42.9%"]


# --- disclosure control: the public report -------------------------------------------------


def _counts(entry: dict) -> list[float]:
    """Every count an entry shows, or that a reader works out from it (a rate per key's
    numerators: rate × n)."""
    if "numerator" in entry:  # a rate: its numerator and denominator
        found = [entry.get("numerator"), entry.get("denominator")]
    elif "total" in entry:  # a breakdown
        found = [entry.get("total"), *entry["values"].values()]
    elif isinstance(entry.get("n"), dict):  # rates per key
        found = list(entry["n"].values()) + [
            round(rate * entry["n"][k]) for k, rate in entry["values"].items()
            if rate is not None and entry["n"][k] is not None]
    elif "n" in entry:  # a median: how many values
        found = [entry["n"]]
    elif "value" in entry and any(k.endswith("_n") for k in entry):  # a gap
        keys = [k[:-2] for k in entry if k.endswith("_n")]
        found = [entry[f"{k}_n"] for k in keys] + [
            round(entry[f"{k}_rate"] * entry[f"{k}_n"]) for k in keys
            if entry.get(f"{k}_rate") is not None and entry.get(f"{k}_n") is not None]
    else:  # a count
        found = [entry.get("value")]
    return [v for v in found if v is not None]


def _headline_counts(entry: dict) -> list[float]:
    """The counts behind the one figure a pack cell shows."""
    if "numerator" in entry:
        return [v for v in (entry.get("numerator"), entry.get("denominator")) if v is not None]
    value = entry.get("total", entry.get("value"))
    return [] if value is None else [value]


def test_public_report_shows_no_small_cell(public, inputs):
    context, soup = public
    assert context["suppressed_cells"] > 0
    protected, previous, _ = report.protect_inputs(inputs, "public", THRESHOLD)
    for result in [*protected, *previous]:
        for ind in registry.INDICATORS:
            entry = result["indicators"].get(ind.id)
            if ind.version < 2 or not entry or entry.get("unavailable"):
                continue
            for n in _counts(entry):
                assert n == 0 or n >= THRESHOLD, (result["scope"], ind.id, entry)
    # A median of fewer than 5 values, a rate and its interval over a small numerator: [c]
    this = inputs.current[0]["indicators"]
    assert this["programme_days_to_start"]["n"] < THRESHOLD
    row = _section(soup, "programmes").find("tr", attrs={"data-indicator":
                                                         "programme_days_to_start"})
    assert row.find("td", class_="this").get_text(strip=True) == disclosure.MARK
    sat = _section(soup, "satisfaction").find("table", class_="details")
    last = sat.find("tr", attrs={"data-indicator": "victim_satisfaction_rate"})
    assert _cells(last)[2] == f"0 / {disclosure.MARK}; 95% interval {disclosure.MARK}"


def test_public_funnels_leave_out_suppressed_boroughs(public):
    context, _soup = public
    for extra in context["family_extras"].values():
        for f in extra["funnels"]:
            for row in f["outside"]:
                assert row["numerator"] == 0 or row["numerator"] >= THRESHOLD


# --- without the version-2 tables: "not available", never 0 --------------------------------


def test_without_v2_tables_the_sections_say_not_available():
    inputs = gather_report(EXAMPLE_V1, "2007-08", people="exact")
    context = report.prepare(inputs, "internal")
    soup = BeautifulSoup(report.render_html(context), "lxml")
    expected = {"marac": "marac_cases not loaded",
                "satisfaction": "victim_surveys not loaded",
                "programmes": "programme_requirements not loaded",
                "protective": "protective_orders not loaded; disclosures not loaded"}
    for key, why in expected.items():
        section = _section(soup, key)
        assert section.find(class_="section-unavailable").get_text(" ", strip=True) == (
            f"Not available: {why}. No figure of this section is shown as a number.")
        for tr in section.select("table.figures tr[data-indicator]"):
            assert tr.find("td", class_="this") is None  # no number, only the reason
            assert "not available: " in tr.get_text(" ")
        assert not section.select("table.details") and not section.select("table.league")
    # a family with some of its tables (CPS decision dates blank) shows what it can
    bail = _section(soup, "charging_bail")
    assert bail.find(class_="section-unavailable") is None
    assert "not available: bail not loaded" in bail.get_text(" ")


# --- the weekly pack -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack_inputs(v2) -> pack.PackInputs:
    return gather_pack(v2, WEEK, people="exact")


@pytest.fixture(scope="module")
def packs(pack_inputs, tmp_path_factory) -> dict[str, pack.PackWritten]:
    # Internal only: the packs are never written for the public (publish/audience.py).
    return {"internal": pack.write_packs(pack_inputs, tmp_path_factory.mktemp("internal"))}


def test_the_pack_takes_only_the_weekly_v2_figures(packs, pack_inputs):
    assert set(v2pack.WEEKLY_IDS) < set(pack.PACK_INDICATORS)
    v2_in_pack = [i for i in pack.PACK_INDICATORS if registry.get(i).version == 2]
    assert v2_in_pack == list(v2pack.WEEKLY_IDS)
    assert all(reason for _, reason in v2pack.WEEKLY)
    ws = openpyxl.load_workbook(packs["internal"].workbooks["force"])["Summary"]
    summary = {row[1]: row for row in ws.iter_rows(values_only=True) if row[1]}
    year = pack_inputs.year_to_date[0]["indicators"]
    assert summary["bail_open_over_8_weeks"][3] == year["bail_open_over_8_weeks"]["total"]
    assert summary["protective_orders_applied"][3] == year["protective_orders_applied"]["total"]
    assert summary["dvds_decided_within_28_days_rate"][3] == pytest.approx(
        year["dvds_decided_within_28_days_rate"]["value"])


def _sheet(path: Path, name: str) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path)[name]
    return {row[0]: row for row in ws.iter_rows(min_row=5, values_only=True) if row[0]}


def test_internal_pack_counts_the_worklists_as_their_indicators(packs, pack_inputs):
    written = packs["internal"]
    titles = {w.id: w.title for w in v2pack.PROTECTIVE}
    for k, scope in enumerate(pack_inputs.scopes):
        sheet = _sheet(written.workbooks[scope], v2pack.SHEET)
        year = pack_inputs.year_to_date[k]["indicators"]
        # the worklist's count is its indicator's, as at the week's last day
        assert sheet[titles["bail_over_8_weeks"]][2] == year["bail_open_over_8_weeks"]["total"]
        assert sheet[titles["programmes_at_risk"]][2] == \
            year["programme_at_risk_of_expiry"]["value"]
        if scope != "force":  # and the borough's RESTRICTED workbook holds those rows
            restricted = pack_inputs.restricted[scope]
            for title in titles.values():
                assert sheet[title][2] == len(restricted[title])
    force = _sheet(written.workbooks["force"], v2pack.SHEET)
    assert force[titles["disclosures_waiting"]][2:] == (2, 2, 0)  # force, TH, WF
    assert force[titles["high_risk_unsupported"]][2:] == (1, 1, 0)


def test_restricted_workbook_holds_the_protective_lists(packs):
    path = packs["internal"].restricted["Tower Hamlets"]
    wb = openpyxl.load_workbook(path)
    waiting = wb[next(n for n in wb.sheetnames if n.startswith("Disclosure requests"))]
    cells = [c for row in waiting.iter_rows(min_row=5) for c in row if c.value == FORMULA_ID]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


