"""Engine parity: Spark gives exactly what DuckDB gives, and exactly expected.json.

The whole catalogue, the force and both boroughs of the worked example, in one Spark
computation (Spark's local mode is slow to start, so this module runs it once). The
full family suite runs on Spark too with DVPI_SPARK_TESTS=1 (its `engine` fixture).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from engine_helpers import compute_by_borough

pytestmark = pytest.mark.spark
YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))


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
    assert json.dumps(both[1][0], indent=2) == json.dumps(expected, indent=2)
