"""Risk management (v2): secondary assessments, plans, IDVA and MARAC after a high-risk
assessment, support referrals (precise rules 26, 29, 32, 33)."""

from __future__ import annotations

import duckdb

from engine_helpers import compute
from indicator_data import YEAR, figures, report, victim, warehouse

IDS = ["secondary_risk_assessment_rate", "risk_plan_rate", "high_risk_support_referral_rate",
       "high_risk_marac_rate", "support_referrals", "support_engagement_rate"]


def ra(report_id, level, stage=None, plan=None, date="2007-06-01"):
    return {"report_id": report_id, "assessed_date": date, "tool": "dash", "risk_level": level,
            "stage": stage, "plan_recorded": plan}


def referral(rid, person_id, service, date, engaged=None):
    return {"referral_id": rid, "person_id": person_id, "service": service,
            "referral_date": date, "engaged": engaged}


def marac(case_id, person_id, date="2006-01-01"):
    return {"case_id": case_id, "borough": "Elsewhere", "conference_date": date,
            "victim_ref": f"V-{case_id}", "victim_person_id": person_id}


def data():
    reports = [report(r) for r in ("R1", "R2", "R3", "R4", "R5")] + [
        report("N", dv=False), report("R6", "2006-06-01")]
    people = [victim(f"V{r[1:] if r != 'N' else 'N'}", r) for r in
              ("R1", "R2", "R3", "R4", "R5", "N", "R6")]
    assessments = [
        ra("R1", "medium", "primary"), ra("R1", "standard", "secondary", plan=True),
        ra("R2", "high", "primary"),
        # Highest primary is standard; the secondary review found high.
        ra("R3", "standard", "primary", plan=True), ra("R3", "high", "secondary"),
        ra("R4", "high"),                       # blank stage: primary; blank plan: false
        ra("N", "high", "primary"),             # not DV-flagged
        ra("R6", "high", "primary"),            # recorded before the period
    ]
    referrals = [
        referral("F1", "V1", "idva", "2006-01-01", True),    # before the period
        referral("F2", "V2", "isva", "2007-06-01", False),
        referral("F3", "V3", "idva", "2007-07-01"),          # engagement not known
        referral("F4", "V3", "refuge", "2007-08-01", True),
        referral("F5", "VN", "idva", "2007-06-01", True),    # victim of a report not DV
        referral("F6", "V6", "victim_support", "2007-06-01", True),  # recorded date no matter
    ]
    cases = [marac("M1", "V1"), marac("M3", "V3"), marac("M9", None)]
    return {"reports": reports, "people": people, "risk_assessments": assessments,
            "support_referrals": referrals, "marac_cases": cases}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    # Primary medium or high: R1, R2, R4; a secondary: R1.
    assert f["secondary_risk_assessment_rate"] == {
        "value": 1 / 3, "numerator": 1, "denominator": 3}
    # Medium or high over all: R1, R2, R3, R4; a plan: R1, R3.
    assert f["risk_plan_rate"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    # High: R2, R3, R4; R3's victim was referred to an IDVA and discussed at a MARAC.
    assert f["high_risk_support_referral_rate"] == {
        "value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["high_risk_marac_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["support_referrals"] == {
        "values": {"idva": 1, "isva": 1, "victim_support": 1, "refuge": 1, "other": 0},
        "total": 4}
    assert f["support_engagement_rate"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}


def test_unavailable(tmp_path, engine):
    d = data()
    f = figures(tmp_path, engine, IDS, reports=d["reports"], people=d["people"],
                risk_assessments=d["risk_assessments"])
    assert f["risk_plan_rate"]["denominator"] == 4
    assert f["high_risk_support_referral_rate"] == {
        "value": None, "unavailable": "support_referrals not loaded"}
    assert f["high_risk_marac_rate"] == {"value": None, "unavailable": "marac_cases not loaded"}
    f = figures(tmp_path / "2", engine, IDS, reports=d["reports"], people=d["people"],
                marac_cases=d["marac_cases"])
    # Risk assessments come first in the definition.
    assert f["high_risk_marac_rate"] == {
        "value": None, "unavailable": "risk_assessments not loaded"}


def test_a_version_1_risk_table(tmp_path, engine):
    """Without `stage` and `plan_recorded` every assessment is primary and has no plan."""
    d = data()
    path = warehouse(tmp_path, reports=d["reports"], risk_assessments=d["risk_assessments"])
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE risk_assessments DROP COLUMN stage")
    con.execute("ALTER TABLE risk_assessments DROP COLUMN plan_recorded")
    con.close()
    f = compute(path, *YEAR, engine=engine, ids=IDS[:2], people="exact")["indicators"]
    # Every assessment primary: R1, R2, R3 (its high review now counts), R4; none secondary.
    assert f["secondary_risk_assessment_rate"] == {
        "value": 0.0, "numerator": 0, "denominator": 4}
    assert f["risk_plan_rate"] == {"value": 0.0, "numerator": 0, "denominator": 4}
