"""Victim satisfaction (v2): the overall rate with its Wilson interval, the four elements,
and the gap between White and minority-ethnic victims (precise rules 29, 33)."""

from __future__ import annotations

import datetime as dt

from dvpi.indicators.summaries import wilson_interval
from engine_helpers import compute
from indicator_data import YEAR, figures, report, victim, warehouse

IDS = ["victim_satisfaction_rate", "victim_satisfaction_by_element",
       "victim_satisfaction_gap_ethnicity"]


def survey(sid, person_id, overall, date="2007-06-01", **elements):
    return {"survey_id": sid, "person_id": person_id, "interview_date": date,
            "overall": overall, **elements}


def data():
    reports = [report("R1"), report("R2", borough="South"), report("R3", dv=False),
               report("R4", "2005-06-01")]
    people = [victim("V1", "R1", self_defined="W1"), victim("V2", "R2", self_defined="B1"),
              victim("V3", "R3", self_defined="W2"), victim("V4", "R4", self_defined="NS"),
              victim("V5", "R1"), victim("V6", "R1", self_defined="A2"),
              victim("V7", "R2", self_defined="W9")]
    surveys = [
        survey("Q1", "V1", "completely_satisfied", ease_of_contact="very_satisfied",
               actions_taken="fairly_dissatisfied", treatment="neither"),
        survey("Q2", "V2", "fairly_dissatisfied", ease_of_contact="fairly_satisfied",
               treatment="completely_satisfied"),
        survey("Q3", "V3", "very_satisfied"),                 # report not DV-flagged
        survey("Q4", "V4", "neither"),                        # recorded date does not matter
        survey("Q5", "V5", "fairly_satisfied", kept_informed="very_dissatisfied"),
        survey("Q6", "V6", "very_dissatisfied", actions_taken="very_satisfied"),
        survey("Q7", "V7", "very_satisfied", date="2008-04-01"),  # after the period
        survey("Q8", "V1", "fairly_satisfied", date="2007-12-01"),
    ]
    return {"reports": reports, "people": people, "victim_surveys": surveys}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    # Q1, Q2, Q4, Q5, Q6, Q8; satisfied: Q1, Q5, Q8.
    assert f["victim_satisfaction_rate"] == {
        "value": 0.5, "numerator": 3, "denominator": 6, "ci95": wilson_interval(3, 6)}
    assert f["victim_satisfaction_by_element"] == {
        "values": {"ease_of_contact": 1.0, "actions_taken": 0.5, "kept_informed": 0.0,
                   "treatment": 0.5},
        "n": {"ease_of_contact": 2, "actions_taken": 2, "kept_informed": 1, "treatment": 2}}
    # White: Q1, Q8 (both satisfied); minority ethnic: Q2 (B1), Q6 (A2), neither.
    assert f["victim_satisfaction_gap_ethnicity"] == {
        "value": 1.0, "white_rate": 1.0, "bme_rate": 0.0, "white_n": 2, "bme_n": 2}


def test_a_borough_with_one_group_empty(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert south["victim_satisfaction_rate"] == {
        "value": 0.0, "numerator": 0, "denominator": 1, "ci95": wilson_interval(0, 1)}
    assert south["victim_satisfaction_by_element"]["values"] == {
        "ease_of_contact": 1.0, "actions_taken": None, "kept_informed": None, "treatment": 1.0}
    assert south["victim_satisfaction_gap_ethnicity"] == {
        "value": None, "white_rate": None, "bme_rate": 0.0, "white_n": 0, "bme_n": 1}


def test_no_surveys_in_the_period(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, dt.date(2009, 1, 1), dt.date(2009, 12, 31), engine=engine, ids=IDS,
                people="exact")["indicators"]
    assert f["victim_satisfaction_rate"] == {
        "value": None, "numerator": 0, "denominator": 0, "ci95": None}


def test_unavailable(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("R1")])
    for ind_id in IDS:
        assert f[ind_id] == {"value": None, "unavailable": "victim_surveys not loaded"}
