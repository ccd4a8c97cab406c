"""The specification's worked example: expected.json exactly, and WORKING.md §15.

The example is a version-1 data set and expected.json lists the version-1 catalogue:
version 2 added indicators, and every version-1 figure must stay exactly as it was."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dvpi.indicators import registry
from engine_helpers import compute, compute_by_borough

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
V1 = list(registry.VERSION_1_IDS)


@pytest.fixture(scope="module")
def expected(example_dir):
    return json.loads((example_dir / "expected.json").read_text())


def test_expected_json_exactly(example_warehouse, expected, engine):
    out = compute(example_warehouse, *YEAR, engine=engine, people="exact", ids=V1)
    # Text equality: key order (catalogue order, targets) and number types (6 vs 6.0) too.
    assert json.dumps(out, indent=2) == json.dumps(expected, indent=2)


def test_the_whole_catalogue_keeps_every_version_1_figure(example_warehouse, expected):
    """Computed with version 2's indicators beside them, the version-1 figures and
    targets are those of expected.json, in the same order."""
    out = compute(example_warehouse, *YEAR, people="exact")
    assert list(out["indicators"]) == list(registry.IDS)
    v1 = {i: f for i, f in out["indicators"].items() if i in expected["indicators"]}
    assert json.dumps({**out, "indicators": v1}, indent=2) == json.dumps(expected, indent=2)


def test_from_the_data_folder(example_dir, expected):
    assert compute(example_dir, *YEAR, people="exact", ids=V1) == expected


def test_catalogue_order_is_the_registry(expected):
    assert list(expected["indicators"]) == V1
    assert list(registry.IDS[:len(V1)]) == V1  # version 2 comes after


def test_da2021_cross_check(example_warehouse, expected, engine):
    out = compute(example_warehouse, *YEAR, definition="da2021", engine=engine, people="exact")
    f = out["indicators"]
    assert out["definition"] == "da2021"
    assert f["spi8a_incident_arrest_rate"] == {"value": 0.6, "numerator": 6, "denominator": 10}
    assert f["spi8a_offence_arrest_rate"] == {"value": 0.75, "numerator": 6, "denominator": 8}
    assert f["flag_audit_unflagged"] == {"value": 2}
    changed = {"spi8a_incidents", "spi8a_incident_arrest_rate", "spi8a_offences",
               "spi8a_offence_arrest_rate", "flag_audit_unflagged"}
    for ind_id, fig in expected["indicators"].items():
        if ind_id not in changed:
            assert f[ind_id] == fig, ind_id  # "Nothing else changes."


def test_tower_hamlets_cross_check(example_warehouse, engine):
    out = compute(example_warehouse, *YEAR, borough="Tower Hamlets", engine=engine, people="exact")
    f = out["indicators"]
    assert out["scope"] == "Tower Hamlets"
    assert (f["dv_incidents"]["value"], f["dv_crimes"]["value"]) == (6, 4)
    assert f["spi8a_incidents"]["value"] == 5
    assert f["spi8a_offence_arrest_rate"] == {"value": 0.75, "numerator": 3, "denominator": 4}
    assert f["sanction_detections"]["value"] == 3
    assert (f["adult_victims_incidents"]["value"],
            f["adult_victims_incidents_repeat"]["value"]) == (4, 2)
    assert f["cps_dv_referrals"]["value"] == 4
    assert f["cad_dv_calls"]["value"] == 1
    assert f["homicide_reviews_started"]["value"] == 1
    assert f["dv_homicides_partner_per_1000"]["value"] == 0.005
    assert (f["dv_gbh_with_intent"]["value"], f["dv_gbh_with_intent_previous"]["value"]) == (1, 1)
    assert f["dv_gbh_with_intent_change"]["value"] == 0.0
    assert out["targets"] == {
        "sanction_detection_rate": {"target": 0.5, "actual": 0.75, "met": True}}


def test_by_borough_matches_single_scopes(example_warehouse, engine):
    many = compute_by_borough(example_warehouse, *YEAR, engine=engine, people="exact")
    assert [o["scope"] for o in many] == ["force", "Tower Hamlets", "Waltham Forest"]
    assert many[0] == compute(example_warehouse, *YEAR, engine=engine, people="exact")
    assert many[2] == compute(example_warehouse, *YEAR, borough="Waltham Forest",
                              engine=engine, people="exact")


def test_an_open_read_only_connection(example_warehouse, expected):
    import duckdb

    compute(example_warehouse, *YEAR, ids=["accused_persons"],
            people="exact")  # person links stored
    con = duckdb.connect(str(example_warehouse), read_only=True)
    try:
        assert compute(con, *YEAR, people="exact", ids=V1) == expected
        # The engine's temporary tables are gone afterwards.
        left = con.execute("SELECT table_name FROM information_schema.tables "
                           "WHERE table_name LIKE '\\_dvpi%' ESCAPE '\\'").fetchall()
        assert left == []
    finally:
        con.close()
