"""The national bulletin (`dvpi report --national`), checked against the engine.

Runs on the small national data set of ``forces_data`` (four forces, whole years
2006-07 to 2008-09). The engine is asked once per module; the PDF is written once.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.indicators import registry
from dvpi.ingest import load_dataset
from dvpi.publish import bulletin
from dvpi.stats import disclosure, funnel, release
from dvpi.stats import display as fmt
from engine_helpers import backend
from forces_data import FORCES, write_national

YEAR = "2008-09"
PEOPLE = "exact"
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_national(tmp_path_factory.mktemp("national") / "data")


@pytest.fixture(scope="module")
def warehouse(data, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("national-wh") / "national.duckdb"
    load_dataset(data, path)
    return path


def _gather(warehouse: Path, **options) -> bulletin.BulletinInputs:
    with backend(warehouse, method=PEOPLE) as b:
        return bulletin.gather(b, YEAR, people=PEOPLE, **options)


@pytest.fixture(scope="module")
def inputs(warehouse) -> bulletin.BulletinInputs:
    return _gather(warehouse, force="northshire", boroughs=False)


@pytest.fixture(scope="module")
def internal(inputs) -> dict:
    return bulletin.prepare(inputs)


@pytest.fixture(scope="module")
def public_inputs(warehouse) -> bulletin.BulletinInputs:
    return _gather(warehouse, force="Northshire", boroughs=True)


@pytest.fixture(scope="module")
def public(public_inputs) -> dict:
    return bulletin.prepare(public_inputs, "public")


def _engine(warehouse: Path, year: str) -> dict[str, dict]:
    """`dvpi indicators --by force --json` of ``year``, by scope name."""
    result = runner.invoke(app, ["indicators", str(warehouse), "--year", year, "--by",
                                 "force", "--people", PEOPLE, "--json"])
    assert result.exit_code == 0, result.output
    return {r["scope"]: r["indicators"] for r in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def engine(warehouse) -> dict[str, dict[str, dict]]:
    return {y: _engine(warehouse, y) for y in ("2007-08", YEAR)}


def _figure(ind_id: str, entry: dict) -> str:
    return fmt.figure(registry.get(ind_id), entry)


def test_trend_years_are_the_whole_years_the_data_holds(inputs):
    # The data's first report is 2006-03-31: 2005-06 is not whole, so the trend starts
    # with 2006-07.
    assert inputs.years == ["2006-07", "2007-08", YEAR]
    import datetime as dt

    assert bulletin.trend_years("2024-25", dt.date(2015, 4, 1)) == [
        f"{y}-{(y + 1) % 100:02d}" for y in range(2015, 2025)]
    assert len(bulletin.trend_years("2024-25", dt.date(2001, 4, 1))) == 10
    assert bulletin.trend_years("2024-25", dt.date(2015, 4, 2))[0] == "2016-17"
    assert bulletin.trend_years("2024-25", None)[0] == "2015-16"


def test_headline_and_change_equal_the_engine(internal, engine):
    this, last = engine[YEAR]["national"], engine["2007-08"]["national"]
    rows = {r["id"]: r for r in internal["headline"]}
    assert list(rows) == list(bulletin.HEADLINE)
    for ind_id, row in rows.items():
        assert row["this"] == _figure(ind_id, this[ind_id]), ind_id
        assert row["last"] == _figure(ind_id, last[ind_id]), ind_id
        assert row["change"] == fmt.change(registry.get(ind_id), this[ind_id],
                                           last[ind_id]), ind_id
    assert rows["dv_crimes"]["change"] == "+2 (+4.8%)"  # 44 against 42


def test_force_table_equals_the_engine_with_rates_per_1000(internal, engine):
    table = internal["force_table"]
    rows = {r["name"]: r for r in table["rows"]}
    assert list(rows) == [bulletin.NATION, *sorted(FORCES)]
    for name, row in rows.items():
        figures = engine[YEAR]["national" if name == bulletin.NATION else name]
        assert row["rates"] == [_figure(i, figures[i]) for i in bulletin.COMPARED], name
        assert row["counts"] == [_figure(i, figures[i]) for i in bulletin.PER_1000], name
    # Southmoor: twice the example's 500,000 residents; 2008-09 holds two copies of the
    # example's 2007-08 year.
    southmoor = engine[YEAR]["Southmoor"]
    assert rows["Southmoor"]["population"] == "1,000,000"
    assert rows["Southmoor"]["per_1000"][0] == fmt.sig(
        southmoor["dv_incidents"]["value"] * 1000 / 1_000_000)
    assert rows[bulletin.NATION]["population"] == "3,500,000"


def test_trend_equals_the_engine_year_by_year(internal, engine):
    rows = {r["title"]: r["figures"] for t in internal["trend"] for r in t["rows"]}
    crimes = rows[registry.get("dv_crimes").title]
    assert crimes[1:] == [_figure("dv_crimes", engine[y]["national"]["dv_crimes"])
                          for y in ("2007-08", YEAR)]
    assert all(t["chart"].startswith("<svg") for t in internal["trend"])


def test_funnel_limits_are_spiegelhalters_around_the_nation(internal, engine):
    national = engine[YEAR]["national"]
    for block in internal["funnels"]:
        entry = national[block["id"]]
        if not entry.get("denominator"):
            continue
        p0 = entry["numerator"] / entry["denominator"]
        assert block["points"], block["id"]
        for point in block["points"]:
            force = engine[YEAR][point["scope"]][block["id"]]
            n = force["denominator"]
            assert point["rate"] == force["numerator"] / n
            for level, z in (("0.95", 1.959963984540054), ("0.998", 3.090232306167813)):
                half = z * math.sqrt(p0 * (1 - p0) / n)
                low, high = point["limits"][level]
                assert low == pytest.approx(max(0.0, p0 - half), abs=1e-12)
                assert high == pytest.approx(min(1.0, p0 + half), abs=1e-12)
            assert point["band"] == funnel.band(point["rate"], p0, n)
        alt = block["chart"].split("</title>")[0]
        assert f"{len(block['points'])} forces plotted" in alt
        assert "against the England and Wales rate" in alt and "every force." in alt
    ids = [b["id"] for b in internal["funnels"]]
    assert ids == ["spi8a_offence_arrest_rate", "cps_ons_charging_rate",
                   "repeat_victimisation_rate", "outcome_16_rate"]


def test_force_pages_show_that_force(internal, engine):
    page = internal["force_page"]
    assert page["name"] == "Northshire"
    this, last = engine[YEAR]["Northshire"], engine["2007-08"]["Northshire"]
    for row in page["rows"]:
        ind_id = row["force"]["id"]
        assert row["force"]["this"] == _figure(ind_id, this[ind_id])
        assert row["force"]["last"] == _figure(ind_id, last[ind_id])
        assert row["nation"]["this"] == _figure(ind_id, engine[YEAR]["national"][ind_id])
    html = bulletin.render_html(internal)
    section = BeautifulSoup(html, "lxml").find(id="your-force")
    assert section["data-force"] == "Northshire"
    assert "Northshire against England and Wales" in section.h2.get_text()


def test_caveats(internal, warehouse):
    text = " ".join(internal["caveats"])
    assert "Domestic Abuse Act 2021" in text and "recording practice" in text
    assert bulletin.SYNTHETIC not in internal["caveats"]
    synthetic = bulletin.prepare(_gather(warehouse, synthetic=True))
    assert synthetic["caveats"][0] == bulletin.SYNTHETIC
    assert synthetic["force_page"] is None
    assert "synthetic" in bulletin.render_html(synthetic).split("<h1>")[0]


def test_public_figures_are_the_years_protected_set(public, public_inputs):
    inputs = public_inputs
    sums = release.scope_sums(inputs.scope_keys)
    # The nation is the sum of the forces, and each force of its boroughs.
    assert sums[0] == (0, list(range(1, 1 + len(inputs.forces))))
    assert len(sums) == 1 + len(inputs.forces)
    assert sorted(b for _, members in sums[1:] for b in members) == list(
        range(1 + len(inputs.forces), len(inputs.scope_keys)))
    year = release.protect_year(inputs.results[-1], inputs.arrests[-1], sums=sums)
    n = 1 + len(inputs.forces)
    rows = {r["name"]: r for r in public["force_table"]["rows"]}
    raw = {r["scope"]: r["indicators"] for r in inputs.results[-1][:n]}
    marks = 0
    for result in year.results[:n]:
        name = bulletin.NATION if result["scope"] == "national" else result["scope"]
        assert rows[name]["rates"] == [_figure(i, result["indicators"][i])
                                       for i in bulletin.COMPARED]
        for i, text in zip(bulletin.PER_1000, rows[name]["counts"], strict=True):
            value = raw[result["scope"]][i]["value"]
            if 0 < value < disclosure.DEFAULT_THRESHOLD:
                assert text == disclosure.MARK
            marks += text == disclosure.MARK
    assert marks > 0
    # The forces add up to the nation: no single withheld force can be worked out.
    counts = {r["scope"]: r["indicators"]["dv_incidents"].get("value")
              for r in year.results[1:n]}
    total = year.results[0]["indicators"]["dv_incidents"]["value"]
    assert disclosure.recoverable_cells(counts, total) == []
    assert public["suppressed_cells"] > 0
    assert public["disclosure_rule"]


def test_public_needs_the_boroughs(inputs):
    # Gathered without boroughs (internal): no protected set can be made from it.
    with pytest.raises(ValueError, match="whole table set"):
        bulletin.prepare(inputs, "public")


def test_public_trend_reads_each_years_own_set(public, public_inputs):
    inputs = public_inputs
    sums = release.scope_sums(inputs.scope_keys)
    crimes = {r["title"]: r["figures"] for t in public["trend"] for r in t["rows"]}[
        registry.get("dv_crimes").title]
    # The first year (the last is checked above): its own set, not the bulletin year's.
    protected = release.protect_year(inputs.results[0], inputs.arrests[0], sums=sums)
    assert crimes[0] == _figure("dv_crimes", protected.results[0]["indicators"]["dv_crimes"])
    assert crimes[0] == "13"  # 2006-07's crimes: published


def test_cli_writes_html_and_pdf(data, tmp_path):
    out = tmp_path / "out"
    truth = data.parent / f"{data.name}.truth"  # as `dvpi synth` leaves it
    truth.mkdir()
    try:
        result = runner.invoke(app, ["report", str(data), "--national", "--year", YEAR,
                                     "--out", str(out), "--people", PEOPLE,
                                     "--force", "SOUTHMOOR"])
    finally:
        shutil.rmtree(truth)
    assert result.exit_code == 0, result.output
    html = out / f"dv-bulletin-{YEAR}-southmoor.html"
    pdf = out / f"dv-bulletin-{YEAR}-southmoor.pdf"
    assert html.exists() and pdf.read_bytes().startswith(b"%PDF")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
    assert soup.find(id="your-force")["data-force"] == "Southmoor"
    assert soup.find(id="synthetic")  # the ground truth beside the data: synthetic
    assert not soup.find("script") and not soup.select("[src^=http]")
    import pikepdf

    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) > 3
        assert "/StructTreeRoot" in doc.Root


def test_unknown_force_names_the_forces(warehouse, tmp_path):
    result = runner.invoke(app, ["report", str(warehouse), "--national", "--year", YEAR,
                                 "--out", str(tmp_path), "--people", PEOPLE, "--force",
                                 "Nowhere", "--no-pdf"])
    assert result.exit_code == 2
    assert "no force 'Nowhere'" in result.output
    for name in FORCES:
        assert name in result.output
    assert not list(tmp_path.iterdir())


def test_force_needs_national_and_one_force_data_is_refused(example_dir, tmp_path):
    result = runner.invoke(app, ["report", str(example_dir), "--year", "2007-08", "--out",
                                 str(tmp_path), "--force", "A"])
    assert result.exit_code == 2 and "--national" in result.output
    result = runner.invoke(app, ["report", str(example_dir), "--national", "--year",
                                 "2007-08", "--out", str(tmp_path), "--people", PEOPLE,
                                 "--no-pdf"])
    assert result.exit_code == 2 and "names no forces" in result.output


def test_public_at_another_threshold_warns(warehouse, tmp_path):
    # The warning comes before anything is computed (here the force is unknown, so
    # nothing is written after it either).
    result = runner.invoke(app, ["report", str(warehouse), "--national", "--year", YEAR,
                                 "--out", str(tmp_path), "--people", PEOPLE, "--audience",
                                 "public", "--threshold", "3", "--no-pdf", "--force", "?"])
    said = " ".join(result.output.split())
    assert "a second protected table set for the same year" in said
    assert result.exit_code == 2 and not list(tmp_path.iterdir())


def test_the_public_report_reads_the_bulletins_protected_set(warehouse, public_inputs):
    """One protected table set per year across outputs: on a data set of several forces
    the public board report protects the nation, the forces and the boroughs together,
    exactly as the bulletin does, so a borough's published figures are the same cells,
    suppressed alike, in both."""
    from dvpi.publish import report

    with backend(warehouse, method=PEOPLE) as b:
        inputs = report.gather(b, YEAR, people=PEOPLE)
    assert inputs.scope_keys == public_inputs.scope_keys
    current, _previous, _protection = report.protect_inputs(inputs, "public",
                                                            disclosure.DEFAULT_THRESHOLD)
    year = release.protect_year(public_inputs.results[-1], public_inputs.arrests[-1],
                                sums=release.scope_sums(public_inputs.scope_keys))
    n = 1 + len(public_inputs.forces)
    bulletin_boroughs = {r["scope"]: r for r in year.results[n:]}
    assert [r["scope"] for r in current[1:]] == list(bulletin_boroughs)
    for shown in current[1:]:
        for ind_id, entry in shown["indicators"].items():
            theirs = bulletin_boroughs[shown["scope"]]["indicators"][ind_id]
            assert entry.get("suppressed") == theirs.get("suppressed"), ind_id
            assert entry.get("value") == theirs.get("value"), ind_id
