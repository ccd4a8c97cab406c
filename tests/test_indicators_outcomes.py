"""Sanction detections: classing, dating, outcomes of crimes of earlier periods (rules 13, 14)."""

from __future__ import annotations

from indicator_data import (
    figures,
    outcome,
    report,
    suspect,
)

IDS = ["dv_crimes", "sanction_detections", "sanction_detection_rate",
       "sanction_detections_by_type", "charges", "adult_caution_share", "charge_caution_ratio",
       "sanction_detection_rate_cohort", "outcome_distribution"]


def by_type(**kw):
    keys = ("charge_summons", "caution_adult", "caution_youth", "tic", "pnd", "cannabis_warning")
    return {k: kw.get(k, 0) for k in keys}


def test_classing_and_dating(tmp_path, engine):
    reports = [
        report("MULTI"),            # caution in period, charge after: charge_summons, in
        report("EARLYOLD", "2006-05-01"),   # earlier crime, sanction in period: counts
        report("BEFORE"),           # earliest sanction before the period: out
        report("YOUTH"),            # youth caution vs tic: youth caution ranks above tic
        report("PND"),              # type 6 only
        report("NOSANC"),           # type 14 only: no sanction
        report("NODV", dv=False),   # not DV: ignored
        report("LATE"),             # sanction after the period: not a detection, cohort yes
    ]
    outcomes = [
        outcome("MULTI", 3, "2007-05-01"), outcome("MULTI", 1, "2008-06-01"),
        outcome("EARLYOLD", 2, "2007-04-01"),
        outcome("BEFORE", 1, "2007-03-31"), outcome("BEFORE", 3, "2007-05-01"),
        outcome("YOUTH", 4, "2007-07-01"), outcome("YOUTH", 2, "2007-08-01"),
        outcome("PND", 6, "2007-09-01"),
        outcome("NOSANC", 14, "2007-09-01"),
        outcome("NODV", 1, "2007-09-01"),
        outcome("LATE", 7, "2008-04-01"),
    ]
    f = figures(tmp_path, engine, IDS, reports=reports, outcomes=outcomes)
    # EARLYOLD is recorded before the period; NODV is not DV.
    assert f["dv_crimes"] == {"value": 6}
    assert f["sanction_detections"] == {"value": 4}  # MULTI, EARLYOLD, YOUTH, PND
    assert f["sanction_detection_rate"] == {"value": 4 / 6, "numerator": 4, "denominator": 6}
    assert f["sanction_detections_by_type"] == {
        "values": by_type(charge_summons=1, caution_youth=2, pnd=1), "total": 4}
    assert f["charges"] == {"value": 1}
    assert f["adult_caution_share"] == {"value": 0.0, "numerator": 0, "denominator": 4}
    assert f["charge_caution_ratio"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # Cohort: crimes of the period with any sanction of any date: MULTI BEFORE YOUTH PND LATE.
    assert f["sanction_detection_rate_cohort"] == {
        "value": 5 / 6, "numerator": 5, "denominator": 6}


def test_latest_outcome_ties_go_to_the_later_row(tmp_path, engine):
    reports = [report("TIE"), report("NONE"), report("LATER")]
    outcomes = [
        outcome("TIE", 16, "2007-06-01"), outcome("TIE", 8, "2007-06-01"),  # tie: later row, 8
        outcome("LATER", 8, "2008-09-01"), outcome("LATER", 1, "2007-06-01"),  # latest date
    ]
    f = figures(tmp_path, engine, ["outcome_distribution"], reports=reports, outcomes=outcomes)
    values = f["outcome_distribution"]["values"]
    assert list(values) == ["0", *(str(i) for i in range(1, 23))]
    assert {k: v for k, v in values.items() if v} == {"0": 1, "8": 2}
    assert f["outcome_distribution"]["total"] == 3


def test_no_cautions_gives_a_null_ratio(tmp_path, engine):
    f = figures(tmp_path, engine, ["charge_caution_ratio"], reports=[report("A")],
                outcomes=[outcome("A", 1, "2007-06-01")])
    assert f["charge_caution_ratio"] == {"value": None, "numerator": 1, "denominator": 0}


def test_unavailable_without_outcomes(tmp_path, engine):
    f = figures(tmp_path, engine, ["sanction_detections", "charges"], reports=[report("A")],
                people=[suspect("s", "A")])
    assert f["charges"] == {"value": None, "unavailable": "outcomes not loaded"}
