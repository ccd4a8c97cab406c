"""Risk assessments, DASH and calls for service (rules 19, 26)."""

from __future__ import annotations

from indicator_data import (
    figures,
    report,
)

IDS = ["risk_assessment_compliance", "risk_level_distribution",
       "risk_assessment_quality_assured_rate", "dash_visible_high_risk", "cad_dv_calls",
       "cad_dv_report_rate"]


def ra(report_id, level, *, tool="specss", answers=None, qa=None, date="2007-06-01"):
    return {"report_id": report_id, "assessed_date": date, "tool": tool, "risk_level": level,
            "dash_answers": answers, "quality_assured": qa}


def call(cid, at, *, dv=True, report_id=None, borough="North"):
    return {"call_id": cid, "borough": borough, "received_at": at, "dv_related": dv,
            "report_id": report_id}


def test_risk_and_calls(tmp_path, engine):
    reports = [report("R1"), report("R2"), report("R3"), report("N", dv=False)]
    assessments = [
        ra("R1", "medium", qa=True), ra("R1", "high", date="2009-01-01"),  # any date
        ra("R2", "standard", tool="dash", answers="y" * 14 + "N" * 13),     # lower-case y
        ra("R2", "standard", tool="dash", answers="Y" * 13 + "?" * 11),
        ra("R2", "standard", tool="other", answers="Y" * 20),               # not DASH
        ra("N", "high", qa=True),                                           # not DV
    ]
    calls = [call("C1", "2007-04-01T00:00:00", report_id="R1"),
             call("C2", "2008-03-31T23:59:59"), call("C3", "2007-03-31T23:59:59"),
             call("C4", "2007-06-01T12:00:00", dv=False)]
    f = figures(tmp_path, engine, IDS, reports=reports, risk_assessments=assessments,
                cad_calls=calls)
    assert f["risk_assessment_compliance"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}
    assert f["risk_level_distribution"] == {
        "values": {"standard": 1, "medium": 0, "high": 1, "none": 1}, "total": 3}
    assert f["risk_assessment_quality_assured_rate"] == {
        "value": 0.2, "numerator": 1, "denominator": 5}
    assert f["dash_visible_high_risk"] == {"value": 1}
    assert f["cad_dv_calls"] == {"value": 2}
    assert f["cad_dv_report_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
