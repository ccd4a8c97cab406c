"""The version-2 worked example (tests/data/example_v2): expected.json, worked by hand in
WORKING.md beside it, on DuckDB and on Spark.

The data set is the specification's v1 example plus rows in every v2 table and the v2
columns; no v1 figure changes (WORKING.md section 0), which is checked here too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from dvpi import people
from dvpi.ingest import load_dataset
from dvpi.ingest.sources import ReadOptions
from dvpi.warehouse import connect
from engine_helpers import compute, compute_by_borough

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
EXAMPLE_V2 = Path(__file__).parent / "data" / "example_v2"
V2_TABLES = ("bail", "protective_orders", "disclosures", "marac_cases", "support_referrals",
             "victim_surveys", "programme_requirements")
TOLERANCE = 1e-12


def load(folder: Path, target: Path) -> Path:
    """``folder`` loaded into a warehouse at ``target``, exact links stored.

    Files the loader does not know are left out rather than stopping the load, so the
    v1 part of the data set loads whatever the contract's version (before the v2
    contract, the seven v2 tables are left out with a warning)."""
    load_dataset(folder, target, options=ReadOptions(allow_unknown_files=True))
    con = connect(target)
    try:
        people.resolve(con, "exact")
    finally:
        con.close()
    return target


@pytest.fixture(scope="module")
def v2_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load(EXAMPLE_V2, tmp_path_factory.mktemp("example-v2") / "example_v2.duckdb")


@pytest.fixture(scope="module")
def expected() -> list[dict[str, Any]]:
    return json.loads((EXAMPLE_V2 / "expected.json").read_text())


@pytest.fixture(scope="module")
def expected_v1_only() -> dict[str, Any]:
    return json.loads((EXAMPLE_V2 / "expected_v1_only.json").read_text())


def assert_close(got: Any, want: Any, where: str) -> None:
    """Equal, but numbers within TOLERANCE (a fraction's double may differ in its last
    bit with the order of operations); dict keys and list lengths exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: {got!r} is not an object"
        assert set(got) == set(want), f"{where}: keys {sorted(got)} != {sorted(want)}"
        for key in want:
            assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, bool) or want is None:
        assert got is want, f"{where}: {got!r} != {want!r}"
    elif isinstance(want, int | float):
        assert isinstance(got, int | float) and not isinstance(got, bool), \
            f"{where}: {got!r} != {want!r}"
        assert math.isclose(got, want, rel_tol=0, abs_tol=TOLERANCE), \
            f"{where}: {got!r} != {want!r}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def assert_has_ids(out: dict[str, Any], ids) -> None:
    missing = [i for i in ids if i not in out["indicators"]]
    assert not missing, f"indicators not in the engine's output: {missing}"


def test_every_row_loads(tmp_path):
    """No row of the example is quarantined; v2 table files are loaded or, before the
    v2 contract, left out with a warning naming them."""
    result = load_dataset(EXAMPLE_V2, tmp_path / "w.duckdb",
                          options=ReadOptions(allow_unknown_files=True))
    counts = {c.table: c for c in result.counts}
    for name, c in counts.items():
        assert c.quarantined == 0 and c.read == c.loaded, (name, c)
    for table in V2_TABLES:
        rows = len((EXAMPLE_V2 / f"{table}.csv").read_text().splitlines()) - 1
        if table in counts:
            assert counts[table].loaded == rows, table
        else:
            assert any(w.startswith(f"{table}.csv") for w in result.warnings), table
    for table in ("reports", "people", "outcomes", "cps_cases", "risk_assessments",
                  "targets"):
        rows = len((EXAMPLE_V2 / f"{table}.csv").read_text(encoding="utf-8-sig")
                   .splitlines()) - 1
        assert counts[table].loaded == rows, table


def test_expected_figures(v2_warehouse, expected, engine):
    """Every v2 figure of the three scopes (force, Tower Hamlets, Waltham Forest), and
    the targets, as worked by hand."""
    many = compute_by_borough(v2_warehouse, *YEAR, engine=engine, people="exact")
    assert [o["scope"] for o in many] == [o["scope"] for o in expected]
    for out, want in zip(many, expected, strict=True):
        scope = want["scope"]
        assert (out["definition"], out["period"]) == (want["definition"], want["period"])
        assert_has_ids(out, want["indicators"])
        for ind_id, figure in want["indicators"].items():
            assert_close(out["indicators"][ind_id], figure, f"{scope}: {ind_id}")
        assert_close(out["targets"], want["targets"], f"{scope}: targets")


def test_catalogue_order(v2_warehouse, expected):
    """The v2 ids follow every v1 id, in the order of indicators.md (the project's own
    additions, such as the ONS charging rate, may sit among them in their family)."""
    out = compute(v2_warehouse, *YEAR, people="exact")
    v2_ids = list(expected[0]["indicators"])
    assert_has_ids(out, v2_ids)
    ids = list(out["indicators"])
    assert [i for i in ids if i in v2_ids] == v2_ids
    first_v2 = ids.index(v2_ids[0])
    assert set(ids[first_v2:]) >= set(v2_ids) and not set(ids[:first_v2]) & set(v2_ids)


def test_v1_figures_unchanged(v2_warehouse, example_warehouse, example_dir):
    """The v2 rows and columns change no v1 figure, in any scope (DuckDB only: the
    parity suite covers v1 on Spark, and this costs minutes there)."""
    v1_expected = json.loads((example_dir / "expected.json").read_text())
    v1_ids = list(v1_expected["indicators"])
    new = compute_by_borough(v2_warehouse, *YEAR, people="exact")
    old = compute_by_borough(example_warehouse, *YEAR, people="exact")
    assert [o["scope"] for o in new] == [o["scope"] for o in old]
    for n, o in zip(new, old, strict=True):
        assert {i: n["indicators"][i] for i in v1_ids} == \
            {i: o["indicators"][i] for i in v1_ids}, n["scope"]
        assert {i: t for i, t in n["targets"].items() if i in v1_ids} == o["targets"], \
            n["scope"]
    assert {i: new[0]["indicators"][i] for i in v1_ids} == v1_expected["indicators"]


def test_v1_files_alone(example_warehouse, expected_v1_only, engine):
    """On the v1 files, a v2 indicator reading only v1 tables is computed (a missing v2
    column reads blank); the others are unavailable, naming their table (rule 32)."""
    out = compute(example_warehouse, *YEAR, engine=engine, people="exact")
    assert_has_ids(out, expected_v1_only["indicators"])
    for ind_id, figure in expected_v1_only["indicators"].items():
        got = out["indicators"][ind_id]
        if "unavailable" in figure:
            assert got.get("unavailable") == figure["unavailable"], (ind_id, got)
            assert got.get("value") is None, (ind_id, got)
        else:
            assert "unavailable" not in got, (ind_id, got)
            assert_close(got, figure, f"v1 files: {ind_id}")


@pytest.mark.parametrize(("removed", "reasons"), [
    (("outcomes",), {
        "offences_brought_to_justice": "outcomes", "obtj_rate": "outcomes",
        "most_serious_violence_obtj_rate": "outcomes", "domestic_rape_obtj_rate": "outcomes",
        "outcome_15_rate": "outcomes", "outcome_16_rate": "outcomes"}),
    (("cps_cases",), {
        "offences_brought_to_justice": "cps_cases", "obtj_rate": "cps_cases",
        "most_serious_violence_obtj_rate": "cps_cases", "domestic_rape_obtj_rate": "cps_cases",
        "cps_days_to_decision": "cps_cases", "cps_decisions_over_8_weeks_rate": "cps_cases"}),
    (("population",), {
        "dv_most_serious_violence_per_1000": "population",
        "marac_cases_per_10000_adult_females": "population"}),
    (("risk_assessments",), {
        "secondary_risk_assessment_rate": "risk_assessments",
        "risk_plan_rate": "risk_assessments",
        "high_risk_support_referral_rate": "risk_assessments",
        "high_risk_marac_rate": "risk_assessments"}),
    (("marac_cases", "population"), {
        "marac_cases_per_10000_adult_females": "marac_cases",
        "high_risk_marac_rate": "marac_cases"}),
])
def test_unavailable_names_the_first_missing_table(tmp_path, removed, reasons):
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE_V2, folder)
    for table in removed:
        (folder / f"{table}.csv").unlink()
    out = compute(load(folder, tmp_path / "w.duckdb"), *YEAR, people="exact")
    assert_has_ids(out, reasons)
    got = {i: out["indicators"][i].get("unavailable") for i in reasons}
    assert got == {i: f"{t} not loaded" for i, t in reasons.items()}
    # What does not need the removed tables is still computed.
    assert "unavailable" not in out["indicators"]["dv_most_serious_violence"]
