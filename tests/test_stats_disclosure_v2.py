"""Disclosure control of the version-2 shapes: medians, rates with intervals, rates per
key, gaps; and an entry of a shape it does not understand is withheld, never published."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dvpi.indicators.summaries import wilson_interval
from dvpi.stats import disclosure as sdc


def result(**indicators) -> dict:
    return {"scope": "force", "indicators": indicators, "targets": {}}


def protected(res: dict, threshold: int = 5) -> dict:
    return sdc.protect(res, threshold).results[0]["indicators"]


def test_a_median_of_few_values_is_withheld_with_its_n():
    out = protected(result(bail_days={"value": 40, "n": 3},
                           programme_days_to_start={"value": 61, "n": 12},
                           dvds_days_to_decision={"value": None, "n": 0}))
    assert out["bail_days"] == {"value": None, "n": None, "suppressed": ["n", "value"]}
    assert out["programme_days_to_start"] == {"value": 61, "n": 12}
    assert out["dvds_days_to_decision"] == {"value": None, "n": 0}


def test_a_median_goes_when_the_count_it_equals_is_hidden():
    """bail_days.n is bail_periods_ended's total: hiding one hides the other."""
    res = result(
        bail_periods_ended={"values": {"pre_charge_bail": 2, "released_under_investigation": 30},
                            "total": 32},
        bail_days={"value": 40, "n": 32},
        bail_over_8_weeks_rate={"value": 0.25, "numerator": 8, "denominator": 32})
    out = protected(res)
    ended = out["bail_periods_ended"]
    assert ended["values"]["pre_charge_bail"] is None
    # The total must not give the small cell back: either it is hidden, or so is another.
    hidden = [k for k, v in ended["values"].items() if v is None]
    assert len(hidden) == 2 or ended["total"] is None
    if ended["total"] is None:
        assert out["bail_days"]["n"] is None
        assert out["bail_over_8_weeks_rate"]["denominator"] is None


def test_a_rate_withheld_takes_its_interval():
    out = protected(result(victim_satisfaction_rate={
        "value": 0.75, "numerator": 3, "denominator": 4, "ci95": wilson_interval(3, 4)}))
    entry = out["victim_satisfaction_rate"]
    assert entry["value"] is None and entry["ci95"] is None
    assert "ci95" in entry["suppressed"]


def test_rates_per_key_are_protected_key_by_key():
    out = protected(result(victim_satisfaction_by_element={
        "values": {"ease_of_contact": 0.9, "actions_taken": 0.5, "kept_informed": 0.25,
                   "treatment": 1.0},
        "n": {"ease_of_contact": 50, "actions_taken": 3, "kept_informed": 40, "treatment": 60}}))
    entry = out["victim_satisfaction_by_element"]
    assert entry["values"]["ease_of_contact"] == 0.9
    # n of 3: the share and the n go.
    assert entry["values"]["actions_taken"] is None and entry["n"]["actions_taken"] is None
    # 0.25 x 40 = 10 satisfied: published; 1.0 x 60: published.
    assert entry["values"]["kept_informed"] == 0.25 and entry["n"]["treatment"] == 60


def test_a_small_numerator_per_key_hides_the_share_not_the_n():
    out = protected(result(victim_satisfaction_by_element={
        "values": {"ease_of_contact": 0.05, "actions_taken": 0.5, "kept_informed": 0.5,
                   "treatment": 0.5},
        "n": {"ease_of_contact": 40, "actions_taken": 40, "kept_informed": 40,
              "treatment": 40}}))
    entry = out["victim_satisfaction_by_element"]
    assert entry["values"]["ease_of_contact"] is None   # 2 of 40
    assert entry["n"]["ease_of_contact"] == 40
    assert "values.ease_of_contact" in entry["suppressed"]


def test_a_gap_with_a_small_group_is_withheld():
    out = protected(result(victim_satisfaction_gap_ethnicity={
        "value": 0.3, "white_rate": 0.8, "bme_rate": 0.5, "white_n": 100, "bme_n": 4}))
    entry = out["victim_satisfaction_gap_ethnicity"]
    assert entry["value"] is None and entry["bme_rate"] is None and entry["bme_n"] is None
    assert entry["white_rate"] == 0.8 and entry["white_n"] == 100


def test_a_gap_of_large_groups_is_published():
    gap = {"value": 0.3, "white_rate": 0.8, "bme_rate": 0.5, "white_n": 100, "bme_n": 40}
    out = protected(result(victim_satisfaction_gap_ethnicity=dict(gap)))
    assert out["victim_satisfaction_gap_ethnicity"] == gap


def test_an_entry_of_an_unknown_shape_is_withheld_whole():
    out = protected(result(
        marac_cases={"value": 50, "mystery": 3},                        # an extra field
        bail_days={"value": 40, "n": 30, "values": {"1": 3}},           # not a median
        something_new={"value": 4.5, "spread": [1, 2]},                 # not in the registry
        dv_incidents={"value": 120}))
    assert out["marac_cases"] == {"value": None, "mystery": None,
                                  "suppressed": ["mystery", "value"]}
    assert out["bail_days"]["n"] is None and out["bail_days"]["values"] == {"1": None}
    assert out["something_new"]["value"] is None and out["something_new"]["spread"] is None
    assert out["dv_incidents"] == {"value": 120}


@given(st.integers(0, 60), st.integers(0, 60), st.integers(1, 9))
def test_no_published_rate_or_n_reveals_a_small_count(white_n, bme_n, threshold):
    """Whatever the groups' sizes: every group published has n and satisfied counts that
    are 0 or at least the threshold."""
    white_sat, bme_sat = white_n // 2, bme_n // 3
    a = white_sat / white_n if white_n else None
    b = bme_sat / bme_n if bme_n else None
    entry = {"value": None if a is None or b is None else a - b, "white_rate": a,
             "bme_rate": b, "white_n": white_n, "bme_n": bme_n}
    out = protected(result(victim_satisfaction_gap_ethnicity=entry), threshold)
    out = out["victim_satisfaction_gap_ethnicity"]
    for group, sat in (("white", white_sat), ("bme", bme_sat)):
        n = out[f"{group}_n"]
        if n is not None:
            assert n == 0 or n >= threshold
        if out[f"{group}_rate"] is not None:
            assert sat == 0 or sat >= threshold


def test_an_incomplete_entry_is_protected_like_any_other():
    """``coverage`` (why a figure's inputs are incomplete) is not a figure: the entry keeps
    its cells, so the arrest stage, which adds up to its numerator, cannot give back a
    numerator withheld on its own (the merge of issues 14 and 17 did exactly that)."""
    from dvpi.stats import release

    cov = {"complete": False, "reason": "the period ends after the data's last date"}
    force = result(dv_crimes={"value": 200},
                   dv_crime_arrests_per_100={"value": 19.0, "numerator": 38,
                                             "denominator": 200, "coverage": cov})
    arrests = {"gender": {"female": 3, "male": 35}}
    out = release.protect_year([force], arrests, 5).results[0]["indicators"]
    rate, stage = out["dv_crime_arrests_per_100"], out[release.ARRESTS_PREFIX + "gender"]
    assert rate["coverage"] == cov and rate["denominator"] == 200
    assert stage["values"]["female"] is None
    # Either the total and the numerator both stay (nothing hidden from them), or both go.
    assert (stage["total"] is None) == (rate["numerator"] is None)
    if stage["total"] is not None:
        assert stage["values"]["male"] is None
