"""Engine parity: Spark gives exactly what DuckDB gives, and exactly expected.json.

The whole catalogue, the force and both boroughs of the worked example, in one Spark
computation (Spark's local mode is slow to start, so this module runs it once); and the
version-2 catalogue on the v2 family tests' data sets, gathered into one warehouse. The
full family suite runs on Spark too with DVPI_SPARK_TESTS=1 (its `engine` fixture).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import test_indicators_charging_bail
import test_indicators_justice
import test_indicators_marac
import test_indicators_programmes
import test_indicators_protective
import test_indicators_risk_management
import test_indicators_satisfaction
from dvpi.indicators import registry
from engine_helpers import compute_by_borough, compute_series
from indicator_data import warehouse

pytestmark = pytest.mark.spark
YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
V2_IDS = [i.id for i in registry.INDICATORS if i.version == 2]
# Columns holding a key or a reference: prefixed per family so the sets do not collide.
ID_COLUMNS = ("report_id", "person_id", "victim_person_id", "suspect_person_id", "cps_urn",
              "bail_id", "order_id", "request_id", "case_id", "victim_ref", "referral_id",
              "survey_id", "requirement_id")
V2_FAMILIES = (test_indicators_justice, test_indicators_charging_bail,
               test_indicators_risk_management, test_indicators_protective,
               test_indicators_marac, test_indicators_satisfaction, test_indicators_programmes)


def v2_data() -> dict[str, list[dict]]:
    """Every v2 family test's data, ids prefixed by family; the population once (the
    MARAC test's, whose bands include the adult females)."""
    merged: dict[str, list[dict]] = {}
    for n, module in enumerate(V2_FAMILIES):
        for table, rows in module.data().items():
            if table == "population" and module is not test_indicators_marac:
                continue
            for row in rows:
                merged.setdefault(table, []).append(
                    {k: (f"f{n}{v}" if k in ID_COLUMNS and v is not None else v)
                     for k, v in row.items()})
    return merged


@pytest.fixture(scope="module")
def both(example_warehouse, spark_session):
    duck = compute_by_borough(example_warehouse, *YEAR, engine="duckdb", people="exact")
    spark = compute_by_borough(example_warehouse, *YEAR, engine="spark", people="exact")
    return duck, spark


def test_spark_equals_duckdb(both):
    duck, spark = both
    assert json.dumps(spark, indent=1) == json.dumps(duck, indent=1)


def test_spark_equals_expected_json(both, example_dir):
    expected = json.loads((example_dir / "expected.json").read_text())
    out = both[1][0]
    v1 = {i: f for i, f in out["indicators"].items() if i in expected["indicators"]}
    assert json.dumps({**out, "indicators": v1}, indent=2) == json.dumps(expected, indent=2)


def test_version_2_on_spark_equals_duckdb(tmp_path, spark_session):
    path = warehouse(tmp_path, **v2_data())
    periods = [YEAR, (dt.date(2008, 1, 1), dt.date(2008, 3, 31))]
    duck = compute_series(path, periods, by_borough=True, engine="duckdb", people="exact",
                          ids=V2_IDS)
    spark = compute_series(path, periods, by_borough=True, engine="spark", people="exact",
                           ids=V2_IDS)
    assert [o["scope"] for o in duck[:3]] == ["force", "North", "South"]
    # Every v2 indicator has a figure here, and not only zeros.
    force = duck[0]["indicators"]
    assert not [i for i in V2_IDS if force[i].get("unavailable")]
    assert json.dumps(spark, indent=1) == json.dumps(duck, indent=1)
