"""Compiled plans: reused from memory and disk, keyed by shape and code."""

from __future__ import annotations

import datetime as dt

from dvpi.indicators import plans
from engine_helpers import compute

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
IDS = ["dv_incidents", "accused_persons"]


def test_disk_cache_round_trip(example_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("DVPI_PLAN_CACHE", str(tmp_path / "plans"))
    plans.clear_memory()
    first = compute(example_warehouse, *YEAR, ids=IDS, people="exact")
    files = list((tmp_path / "plans").glob("*.json"))
    assert len(files) == 1
    plans.clear_memory()
    assert compute(example_warehouse, *YEAR, ids=IDS,
            people="exact") == first  # read back from disk
    # Another period is the same shape: no new plan; another scope is a new shape.
    compute(example_warehouse, dt.date(2007, 5, 1), dt.date(2007, 5, 31), ids=IDS, people="exact")
    compute(example_warehouse, *YEAR, borough="Tower Hamlets", ids=IDS, people="exact")
    assert len(list((tmp_path / "plans").glob("*.json"))) == 2


def test_cache_off(example_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("DVPI_PLAN_CACHE", "off")
    plans.clear_memory()
    figures = compute(example_warehouse, *YEAR, ids=IDS, people="exact")["indicators"]
    assert figures["dv_incidents"] == {"value": 10}
    assert plans.get(("no", "such", "shape")) is None


def test_keys_depend_on_shape():
    assert plans.digest(("duckdb", "a")) != plans.digest(("duckdb", "b"))
    assert len(plans.code_hash()) == 64
