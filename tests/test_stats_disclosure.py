"""Disclosure control: primary and secondary suppression cannot be undone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dvpi.publish import report
from dvpi.stats import disclosure as sdc
from engine_helpers import gather_report

EXPECTED = Path(__file__).parent / "data" / "example" / "expected.json"


@pytest.fixture(scope="module")
def report_inputs(example_warehouse) -> report.ReportInputs:
    """The engine's figures for the example: two years, the force and two boroughs."""
    return gather_report(example_warehouse, "2007-08")


def _breakdown_result(values: dict[str, int]) -> dict:
    return {
        "scope": "force",
        "indicators": {"b": {"values": dict(values), "total": sum(values.values())}},
        "targets": {},
    }


def test_small_cells_suppressed_zero_kept():
    out = sdc.protect(_breakdown_result({"a": 3, "b": 0, "c": 40, "d": 50}), 5).results[0]
    entry = out["indicators"]["b"]
    assert entry["values"]["a"] is None
    assert entry["values"]["b"] == 0 or entry["values"]["b"] is None
    # one primary cell: a second one is hidden, the smallest other cell (the zero)
    assert len([v for v in entry["values"].values() if v is None]) >= 2
    assert entry["total"] == 93


def test_single_suppressed_cell_gets_a_partner():
    out = sdc.protect(_breakdown_result({"a": 2, "b": 30, "c": 40}), 5).results[0]
    values = out["indicators"]["b"]["values"]
    assert values == {"a": None, "b": None, "c": 40}


def test_threshold_is_configurable():
    result = _breakdown_result({"a": 7, "b": 30, "c": 40})
    assert sdc.protect(result, 5).results[0]["indicators"]["b"]["values"]["a"] == 7
    assert sdc.protect(result, 10).results[0]["indicators"]["b"]["values"]["a"] is None


def test_rate_suppressed_when_numerator_or_denominator_small():
    result = {"scope": "force", "targets": {}, "indicators": {
        "r1": {"value": 0.75, "numerator": 3, "denominator": 4},
        "r2": {"value": 0.1, "numerator": 10, "denominator": 100},
        "r3": {"value": 0.03, "numerator": 3, "denominator": 100},
    }}
    out = sdc.protect(result, 5).results[0]["indicators"]
    assert out["r1"]["value"] is None
    assert out["r2"]["value"] == 0.1
    assert out["r3"]["value"] is None and out["r3"]["numerator"] is None
    assert out["r3"]["denominator"] == 100


def test_identity_between_indicators_is_protected():
    # charges is the charge_summons cell: hiding one and publishing the other undoes nothing
    result = {"scope": "force", "targets": {}, "indicators": {
        "sanction_detections": {"value": 60},
        "sanction_detections_by_type": {
            "values": {"charge_summons": 3, "caution_adult": 30, "caution_youth": 27},
            "total": 60},
        "charges": {"value": 3},
    }}
    out = sdc.protect(result, 5).results[0]["indicators"]
    assert out["charges"]["value"] is None
    assert out["sanction_detections_by_type"]["values"]["charge_summons"] is None
    assert out["sanction_detections_by_type"]["values"]["caution_youth"] is None


def test_borough_cell_cannot_be_recovered_from_force_total():
    force = {"scope": "force", "targets": {}, "indicators": {"dv_crimes": {"value": 103}}}
    b1 = {"scope": "A", "targets": {}, "indicators": {"dv_crimes": {"value": 3}}}
    b2 = {"scope": "B", "targets": {}, "indicators": {"dv_crimes": {"value": 50}}}
    b3 = {"scope": "C", "targets": {}, "indicators": {"dv_crimes": {"value": 50}}}
    out = sdc.protect([force, b1, b2, b3], 5).results
    hidden = [r["scope"] for r in out if r["indicators"]["dv_crimes"]["value"] is None]
    assert "A" in hidden and len(hidden) >= 2


def test_example_has_no_recoverable_breakdown_cell():
    result = json.loads(EXPECTED.read_text())
    out = sdc.protect(result, 5).results[0]
    for ind_id, entry in out["indicators"].items():
        if "values" in entry and ind_id not in sdc.NON_ADDITIVE_BREAKDOWNS:
            assert sdc.recoverable_cells(entry["values"], entry["total"]) == [], ind_id
    # targets never give back a hidden figure
    for ind_id, target in out["targets"].items():
        entry = out["indicators"][ind_id]
        if entry.get("suppressed") and "value" in entry["suppressed"]:
            assert target["actual"] is None


def test_a_hidden_actual_takes_its_met_with_it():
    """``met`` says on which side of the target the actual lies: published beside a
    suppressed actual, it would bound it (an actual of at least 3 when the target is 3)."""
    result = {"scope": "force", "indicators": {"dv_homicides": {"value": 2}},
              "targets": {"dv_homicides": {"target": 3, "actual": 2, "met": True}}}
    target = sdc.protect(result, 5).results[0]["targets"]["dv_homicides"]
    assert target["actual"] is None and target["met"] is None and target["suppressed"]


def test_internal_values_untouched_by_protect():
    result = json.loads(EXPECTED.read_text())
    before = json.dumps(result, sort_keys=True)
    sdc.protect(result, 5)
    assert json.dumps(result, sort_keys=True) == before


# --- property-based ------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), counts, min_size=2, max_size=8),
       st.integers(min_value=2, max_value=10))
def test_breakdown_total_minus_published_never_isolates_one_cell(values, threshold):
    out = sdc.protect(_breakdown_result(values), threshold).results[0]["indicators"]["b"]
    published = out["values"]
    assert sdc.recoverable_cells(published, out["total"]) == []
    for key, v in values.items():
        # every small non-zero cell is hidden; nothing published is altered
        if 0 < v < threshold:
            assert published[key] is None
        elif published[key] is not None:
            assert published[key] == v


def _interval(cell_index: int, a_eq: np.ndarray, b_eq: np.ndarray) -> tuple[float, float]:
    """The range a reader can narrow a hidden cell to: min and max by linear programming."""
    n = a_eq.shape[1]
    bounds = [(0, None)] * n
    c = np.zeros(n)
    c[cell_index] = 1.0
    low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert low.status == 0 and high.status in (0, 3)  # 3: unbounded, nothing learnt
    return low.fun, (-high.fun if high.status == 0 else float("inf"))


def _reader_equations(identities, cells, hidden):
    """What a reader knows: every identity as a row of A x = b over the hidden cells x,
    the published cells moved to b. Returns (index of each hidden cell, A, b)."""
    index = {c: i for i, c in enumerate(hidden)}
    rows, rhs = [], []
    for whole, parts in identities:
        row, b = np.zeros(len(hidden)), 0.0
        for cell, sign in [(whole, 1.0), *((p, -1.0) for p in parts)]:
            if cell in index:
                row[index[cell]] += sign
            else:
                b -= sign * cells[cell]
        if row.any():
            rows.append(row)
            rhs.append(b)
    return index, np.array(rows), np.array(rhs)


@settings(max_examples=120, deadline=None)
@given(st.integers(min_value=2, max_value=4), st.integers(min_value=2, max_value=4),
       st.data())
def test_two_way_table_suppression_cannot_be_undone(n_boroughs, n_keys, data):
    """Boroughs x categories with borough totals and the force's breakdown as margins.

    A reader who knows every published cell and every identity, and that counts are not
    negative, solves for each hidden primary cell: its interval is never narrower than
    the threshold (a count of 1-4 cannot be told from 0 or 5).
    """
    keys = [f"k{i}" for i in range(n_keys)]
    table = [[data.draw(st.integers(0, 12)) for _ in keys] for _ in range(n_boroughs)]
    force_values = {k: sum(row[j] for row in table) for j, k in enumerate(keys)}
    results = [_breakdown_result(force_values)]
    for i, row in enumerate(table):
        r = _breakdown_result(dict(zip(keys, row, strict=True)))
        r["scope"] = f"B{i}"
        results.append(r)
    protection = sdc.protect(results, 5)

    # rebuild the reader's equations: unknowns are the hidden cells
    cells = {}
    for s, r in enumerate(results):
        for k, v in r["indicators"]["b"]["values"].items():
            cells[(s, "b", f"values.{k}")] = v
        cells[(s, "b", "total")] = r["indicators"]["b"]["total"]
    hidden = sorted(protection.suppressed, key=str)
    if not hidden:
        return
    equations = []
    for s in range(len(results)):
        equations.append(((s, "b", "total"), [(s, "b", f"values.{k}") for k in keys]))
    for fld in [*(f"values.{k}" for k in keys), "total"]:
        equations.append(((0, "b", fld), [(s, "b", fld) for s in range(1, len(results))]))
    index, a_eq, b_eq = _reader_equations(equations, cells, hidden)
    for cell in protection.primary:
        low, high = _interval(index[cell], a_eq, b_eq)
        assert high - low >= 5 - 1e-6, (cell, cells[cell], low, high)


@pytest.mark.parametrize("threshold", [3, 10])
def test_public_report_figures_survive_a_linear_program(report_inputs, threshold):
    """A reader who knows every published figure of the report (both years, force and
    boroughs), every identity between them and that counts are not negative, narrows each
    suppressed count by linear programming: no small count is ever narrowed to an
    interval narrower than the threshold."""
    _, _, protection = report.protect_inputs(report_inputs, "public", threshold)
    cells, hidden = protection.cells, sorted(protection.suppressed, key=str)
    index, a_eq, b_eq = _reader_equations(protection.identities, cells, hidden)
    signed = sdc.signed_fields()
    bounds = [(None, None) if f"{c[1]}.{c[2]}" in signed else (0, None) for c in hidden]
    assert protection.primary
    for cell in protection.primary:
        c = np.zeros(len(hidden))
        c[index[cell]] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        # 0: solved; 3: unbounded (nothing learnt); never infeasible: the truth satisfies it
        assert low.status in (0, 3) and high.status in (0, 3)
        if low.status == high.status == 0:
            assert -high.fun - low.fun >= threshold - 1e-6, (cell, cells[cell], low.fun,
                                                             -high.fun)
