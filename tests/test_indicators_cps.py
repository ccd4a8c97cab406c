"""CPS: own-borough scope, decisions, finished cases, the charge-prosecution gap (rule 18)."""

from __future__ import annotations

from engine_helpers import compute
from indicator_data import (
    YEAR,
    outcome,
    report,
    warehouse,
)

IDS = ["cps_dv_referrals", "cps_charging_rate", "cps_dv_prosecutions", "cps_conviction_rate",
       "charge_prosecution_gap"]


def case(urn, referred, *, borough="North", dv=True, decision=None, prosecuted=None,
         result=None, report_id=None):
    return {"cps_urn": urn, "report_id": report_id, "borough": borough, "dv_flagged": dv,
            "referred_date": referred, "decision": decision, "prosecution_date": prosecuted,
            "outcome": result}


def data():
    cases = [
        case("K1", "2007-05-01", decision="charge", prosecuted="2007-06-01", result="convicted"),
        case("K2", "2007-05-01", decision="caution_advised", prosecuted="2007-06-01",
             result="discontinued"),
        case("K3", "2007-05-01", decision="other"),
        case("K4", "2007-05-01"),  # no decision yet
        case("K5", "2007-05-01", decision="charge", dv=False, prosecuted="2007-06-01"),
        # Referred before, prosecuted in the period, still running.
        case("K6", "2007-03-01", decision="charge", prosecuted="2007-04-01"),
        # Own borough South, though its report is North's.
        case("K7", "2007-05-01", borough="south", decision="charge", prosecuted="2007-07-01",
             result="acquitted", report_id="R1"),
    ]
    return {"reports": [report("R1")], "cps_cases": cases,
            "outcomes": [outcome("R1", 1, "2007-05-01")]}


def test_force(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, *YEAR, engine=engine, ids=IDS, people="exact")["indicators"]
    assert f["cps_dv_referrals"] == {"value": 5}
    assert f["cps_charging_rate"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    assert f["cps_dv_prosecutions"] == {"value": 4}
    assert f["cps_conviction_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    # One charge (R1) against four prosecutions: the gap is negative.
    assert f["charge_prosecution_gap"] == {"value": -3.0, "numerator": -3, "denominator": 1}


def test_cases_scoped_by_their_own_borough(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
            people="exact")["indicators"]
    assert south["cps_dv_referrals"] == {"value": 1}
    # R1's charge is North's: South has no charges, so the gap is null.
    assert south["charge_prosecution_gap"] == {"value": None, "numerator": -1, "denominator": 0}


def test_unavailable_without_cps_cases(tmp_path, engine):
    path = warehouse(tmp_path, reports=[report("R1")])
    f = compute(path, *YEAR, engine=engine, ids=IDS, people="exact")["indicators"]
    assert f["cps_charging_rate"] == {"value": None, "unavailable": "cps_cases not loaded"}
    assert f["charge_prosecution_gap"] == {
        "value": None, "unavailable": "cps_cases, outcomes not loaded"}


def test_ons_charging_rate_counts_legal_decisions_only(tmp_path, engine):
    """ONS: charged over charge + no further action + out-of-court disposal (a caution
    advised); `other` and undecided cases are not legal decisions."""
    cases = [
        case("K1", "2007-05-01", decision="charge"),
        case("K2", "2007-05-01", decision="caution_advised"),
        case("K3", "2007-05-01", decision="other"),
        case("K4", "2007-05-01"),
        case("K5", "2007-05-01", decision="no_further_action"),
        case("K6", "2007-05-01", decision="charge", dv=False),
        case("K7", "2007-03-01", decision="charge"),  # referred before the period
    ]
    path = warehouse(tmp_path, reports=[report("R1")], cps_cases=cases)
    f = compute(path, *YEAR, engine=engine, people="exact",
                ids=["cps_ons_charging_rate", "cps_charging_rate"])["indicators"]
    assert f["cps_ons_charging_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["cps_charging_rate"] == {"value": 1 / 4, "numerator": 1, "denominator": 4}
