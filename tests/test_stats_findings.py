"""Key findings (dvpi.stats.findings): template sentences from hand-made results."""

from __future__ import annotations

from dvpi.stats import findings
from dvpi.stats import significance as sig

THIS = {"start": "2007-04-01", "end": "2008-03-31"}  # 366 days
LAST = {"start": "2006-04-01", "end": "2007-03-31"}  # 365 days


def _result(figures: dict, period=THIS, scope="force", targets=None) -> dict:
    return {"period": period, "scope": scope, "definition": "acpo2004",
            "indicators": figures, "targets": targets or {}}


def _rate(n, d):
    return {"value": n / d, "numerator": n, "denominator": d}


def _opening(this, last, **kw):
    return findings.key_findings(_result(this), _result(last, LAST),
                                 period="2007-08", last_period="2006-07", **kw)


def test_a_significant_rise_in_a_count():
    out = _opening({"dv_incidents": {"value": 1200}}, {"dv_incidents": {"value": 1000}})
    assert [f.sentence for f in out.changes] == [
        "DV incidents rose by 20.0% to 1,200 in 2007-08, from 1,000 in 2006-07: a "
        "statistically significant increase."]
    assert out.summary[0].sentence == (
        "Of 1 figure compared with 2006-07, 1 changed significantly and 0 showed no "
        "significant change.")


def test_a_small_change_is_no_significant_change():
    out = _opening({"dv_crimes": {"value": 105}}, {"dv_crimes": {"value": 100}})
    assert out.changes == []  # only significant changes are named
    assert "0 changed significantly and 1 showed no significant change" in \
        out.summary[0].sentence
    change = findings._change(
        __import__("dvpi.indicators.registry", fromlist=["x"]).get("dv_crimes"),
        {"value": 105}, {"value": 100}, "2007-08", "2006-07", (366, 365))
    assert change.sentence == ("DV crimes rose by 5.0% to 105 in 2007-08, from 100 in "
                               "2006-07: no significant change.")
    # The same test the sentence rests on, with the periods' lengths as exposures.
    assert change.p_value == sig.poisson_counts(105, 100, 366, 365).p_value


def test_a_rate_in_percentage_points():
    out = _opening({"spi8a_offence_arrest_rate": _rate(600, 1000)},
                   {"spi8a_offence_arrest_rate": _rate(500, 1000)})
    assert [f.sentence for f in out.changes] == [
        "SPI 8a offence arrest rate rose from 50.0% in 2006-07 to 60.0% in 2007-08 "
        "(10.0 percentage points): a statistically significant increase."]
    assert out.changes[0].p_value == sig.two_proportions(600, 1000, 500, 1000).p_value


def test_an_incomplete_earlier_period_is_not_compared():
    why = {"complete": False,
           "reason": "look-back starts 2005-04-01, before the data's first date 2006-04-01"}
    out = _opening(
        {"adult_victims_incidents_repeat": {"value": 200},
         "repeat_victimisation_rate": _rate(200, 1000)},
        {"adult_victims_incidents_repeat": {"value": 100, "coverage": why},
         "repeat_victimisation_rate": {**_rate(100, 1000), "coverage": {
             "complete": False, "reason": "from `adult_victims_incidents_repeat`: "
                                          + why["reason"]}}})
    assert out.changes == []
    assert [f.sentence for f in out.not_comparable] == [
        "Repeat adult victims (incidents) and Repeat victimisation rate cannot be compared "
        "with 2006-07: look-back starts 2005-04-01, before the data's first date "
        "2006-04-01."]
    assert out.summary[0].sentence.endswith(
        "; 2 could not be compared because their inputs are incomplete.")


def test_targets_and_the_force():
    this = _result({"risk_assessment_compliance": _rate(900, 1000)}, scope="North",
                   targets={"risk_assessment_compliance": {"target": 0.95, "actual": 0.9,
                                                           "met": False}})
    last = _result({"risk_assessment_compliance": _rate(890, 1000)}, LAST, scope="North")
    force = _result({"risk_assessment_compliance": _rate(7000, 10000)})
    out = findings.key_findings(this, last, period="2007-08", last_period="2006-07",
                                force=force)
    assert [f.sentence for f in out.targets] == [
        "Risk assessment compliance was 90.0% against a target of 95.0%: not met (red)."]
    assert [f.sentence for f in out.against_force] == [
        "Risk assessment compliance in North was 90.0%, significantly above the force's "
        "70.0% (outside its 99.8% funnel limits).",
        "0 of 1 rates were in line with the force (within its 95% funnel limits)."]


def test_suppressed_and_unavailable_figures_are_left_out():
    out = _opening(
        {"dv_incidents": {"value": None, "suppressed": ["value"]},
         "cps_dv_referrals": {"value": None, "unavailable": "cps_cases not loaded"}},
        {"dv_incidents": {"value": 3}, "cps_dv_referrals": {"value": None,
                                                            "unavailable": "x"}})
    assert out.changes == [] and out.not_comparable == []
    assert out.summary[0].sentence.startswith("Of 0 figures")


def test_changes_are_capped_and_ordered_by_size():
    this = {"dv_incidents": {"value": 2000}, "dv_crimes": {"value": 1500},
            "dv_non_crimes": {"value": 1300}}
    last = {"dv_incidents": {"value": 1000}, "dv_crimes": {"value": 1000},
            "dv_non_crimes": {"value": 1000}}
    out = _opening(this, last, shown=2)
    assert [f.indicator for f in out.changes[:2]] == ["dv_incidents", "dv_crimes"]
    assert out.changes[2].sentence == (
        "A further 1 figure changed significantly; the tables below give every figure.")


def test_comparisons_with_the_period_before_are_not_findings():
    out = _opening({"dv_gbh_with_intent_previous": {"value": 10}},
                   {"dv_gbh_with_intent_previous": {"value": 100}})
    assert out.changes == [] and out.summary[0].sentence.startswith("Of 0 figures")


def test_a_comparison_with_the_period_before_is_not_set_against_the_force():
    this = _result({"dv_gbh_with_intent_change": {"value": 0.0, "numerator": 0,
                                                  "denominator": 1}}, scope="North")
    force = _result({"dv_gbh_with_intent_change": {"value": 1.0, "numerator": 1,
                                                   "denominator": 1}})
    out = findings.key_findings(this, _result({}, LAST), period="2007-08",
                                last_period="2006-07", force=force)
    assert out.against_force == []
