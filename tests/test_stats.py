"""The shared statistics (dvpi.stats) on hand-computed cases: funnel limits, equality rates and
relative rate indices, red/amber/green status."""

from __future__ import annotations

import math

import pytest

from dvpi.stats import equality, funnel, status


def _results(force: tuple[int, int], boroughs: dict[str, tuple[int, int]], ind="x") -> list:
    def entry(n, d):
        return {"value": n / d if d else None, "numerator": n, "denominator": d}

    return [{"scope": "force", "indicators": {ind: entry(*force)}}] + [
        {"scope": s, "indicators": {ind: entry(*nd)}} for s, nd in boroughs.items()
    ]


# --- funnel -------------------------------------------------------------------------------


def test_normal_limits_by_hand():
    # 0.5 ± 1.959964 × sqrt(0.25 / 100) = 0.5 ± 0.0979982
    low, high = funnel.control_limits(0.5, 100, 0.95)
    assert low == pytest.approx(0.4020018, abs=1e-6)
    assert high == pytest.approx(0.5979982, abs=1e-6)
    assert funnel.z_for(0.998) == pytest.approx(3.0902323, abs=1e-6)


def test_limits_narrow_as_denominator_grows_and_clip():
    widths = [funnel.control_limits(0.3, n, 0.998) for n in (10, 100, 1000, 10000)]
    spans = [h - lo for lo, h in widths]
    assert spans == sorted(spans, reverse=True)
    assert funnel.control_limits(0.95, 5, 0.998)[1] == 1.0


def test_binomial_limits_close_to_normal_for_large_n():
    exact = funnel.control_limits(0.3, 10000, 0.998, "binomial")
    approx = funnel.control_limits(0.3, 10000, 0.998, "normal")
    assert exact == pytest.approx(approx, abs=2e-4)
    small = funnel.control_limits(0.3, 20, 0.95, "binomial")
    assert 0 <= small[0] < 0.3 < small[1] <= 1


def test_bands_by_z():
    # n = 100, p0 = 0.5, sd = 0.05: z = 4 (above 99.8%), 2 (above 95% only), -1 (within)
    assert funnel.band(0.70, 0.5, 100) == "above_998"
    assert funnel.band(0.60, 0.5, 100) == "above_95"
    assert funnel.band(0.45, 0.5, 100) == "within"
    assert funnel.band(0.40, 0.5, 100) == "below_95"
    assert funnel.band(0.30, 0.5, 100) == "below_998"


def test_small_borough_with_extreme_rate_is_not_flagged():
    """The point of a funnel: 2 of 3 (67%) is noise; 600 of 1000 (60%) is not."""
    f = funnel.funnel(_results((5000, 10000), {"Small": (2, 3), "Big": (600, 1000),
                                                "Empty": (0, 0)}), "x")
    bands = {p.scope: p.band for p in f.points}
    assert bands == {"Small": "within", "Big": "above_998"}
    assert f.omitted == ["Empty"]
    assert f.force_rate == 0.5
    league = funnel.league_table(f)
    assert [r["scope"] for r in league] == ["Small", "Big"]  # rank by rate ...
    assert [r["marker"] for r in league] == ["", "▲▲"]       # ... but only Big is marked
    assert league[1]["z"] == pytest.approx((0.6 - 0.5) / math.sqrt(0.25 / 1000))


def test_funnel_curve_spans_the_boroughs():
    f = funnel.funnel(_results((500, 1000), {"A": (30, 60), "B": (200, 400)}), "x")
    curve = f.curve(steps=10)
    assert set(curve) == {"0.95", "0.998"}
    ns = [row[0] for row in curve["0.95"]]
    assert ns[0] <= 60 and ns[-1] >= 400
    for _n, low, high in curve["0.998"]:
        assert low < 0.5 < high


# --- equality -----------------------------------------------------------------------------


def test_rate_per_1000_by_hand():
    rate, low, high = equality.rate_per_1000(10, 5000)
    assert rate == 2.0
    # 2 × exp(±1.959964 / sqrt(10))
    assert low == pytest.approx(1.07611, abs=1e-4)
    assert high == pytest.approx(3.71709, abs=1e-4)
    assert equality.rate_per_1000(0, 5000)[0] == 0.0
    assert equality.rate_per_1000(3, 0) is None


def test_katz_interval_by_hand():
    # RR = (20/1000)/(10/1000) = 2; SE = sqrt(1/20 - 1/1000 + 1/10 - 1/1000) = 0.384708
    rr, low, high = equality.katz_interval(20, 1000, 10, 1000)
    assert rr == 2.0
    assert low == pytest.approx(0.94095, abs=1e-4)
    assert high == pytest.approx(4.25103, abs=1e-4)
    assert equality.katz_interval(0, 1000, 10, 1000) is None


def test_ratio_of_ratios_by_hand():
    # (10/20)/(30/40) = 2/3; SE = sqrt(1/10 + 1/20 + 1/30 + 1/40) = 0.456435
    r, low, high = equality.ratio_of_ratios(10, 20, 30, 40)
    assert r == pytest.approx(2 / 3)
    assert low == pytest.approx(2 / 3 * math.exp(-1.959964 * 0.456435), abs=1e-4)
    assert high == pytest.approx(2 / 3 * math.exp(1.959964 * 0.456435), abs=1e-4)


def test_group_rates_against_ic1():
    breakdown = {"values": {"IC1": 100, "IC3": 60, "IC4": 0, "IC0": 7}, "total": 167}
    population = {"IC1": 100000, "IC3": 20000, "IC4": 30000}
    rows = {r.group: r for r in equality.group_rates(breakdown, population)}
    assert rows["IC1"].per_1000 == pytest.approx(1.0)
    assert rows["IC1"].rri == 1.0 and rows["IC1"].is_reference
    assert rows["IC1"].rri_low is None  # no interval for the reference against itself
    assert rows["IC3"].per_1000 == pytest.approx(3.0)
    assert rows["IC3"].rri == pytest.approx(3.0)
    assert rows["IC3"].significant
    assert not rows["IC1"].significant
    assert rows["IC0"].per_1000 is None and rows["IC0"].count == 7  # no residents recorded
    assert rows["IC4"].rri is None  # no cases: no log interval
    assert rows["IC3"].label == "African/Caribbean"


def test_stage_comparison_locates_the_gap():
    """Group IC3 is arrested at the same rate as IC1 per resident, but twice as often
    accused per arrest: the difference arises after arrest."""
    population = {"IC1": 100000, "IC3": 50000}
    arrested = {"IC1": 400, "IC3": 200}
    accused = {"IC1": 100, "IC3": 100}
    rows = {r.group: r for r in equality.stage_comparison(arrested, accused, population)}
    assert rows["IC3"].arrest_rri[0] == pytest.approx(1.0)
    assert rows["IC3"].accused_rri[0] == pytest.approx(2.0)
    assert rows["IC3"].progression_rri[0] == pytest.approx(2.0)
    assert rows["IC3"].progression_rri[1] > 1  # the interval excludes 1
    assert rows["IC1"].arrest_rri == (1.0, None, None)  # the reference group


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "target", "direction", "expected"), [
    (0.60, 0.60, "at_least", "green"),
    (0.65, 0.60, "at_least", "green"),
    (0.58, 0.60, "at_least", "amber"),   # short by 0.02 <= 5% of 0.6
    (0.50, 0.60, "at_least", "red"),
    (10, 10, "at_most", "green"),
    (10.4, 10, "at_most", "amber"),
    (11, 10, "at_most", "red"),
    (None, 10, "at_least", None),
])
def test_rag(actual, target, direction, expected):
    assert status.rag(actual, target, direction) == expected


def test_rag_from_engine_target_reads_direction_from_met():
    assert status.infer_direction({"actual": 5, "target": 10, "met": True}) == "at_most"
    assert status.infer_direction({"actual": 12, "target": 10, "met": True}) == "at_least"
    assert status.rag_from_target({"actual": 0.5, "target": 0.75, "met": False}) == "red"
    assert status.rag_from_target({"actual": 10, "target": 10, "met": True}) == "green"
    assert status.pro_rata(366, 183, 366) == 183
