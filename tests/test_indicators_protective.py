"""Protective orders and the Domestic Violence Disclosure Scheme (v2, precise rules 29,
31)."""

from __future__ import annotations

from engine_helpers import compute
from indicator_data import YEAR, figures, report, warehouse

IDS = ["protective_orders_applied", "protective_orders_granted_rate",
       "protective_orders_breached_rate", "dvds_applications",
       "dvds_disclosure_rate_right_to_ask", "dvds_disclosure_rate_right_to_know",
       "dvds_days_to_decision", "dvds_decided_within_28_days_rate"]


def order(oid, kind, applied, outcome=None, breach=None, borough="North"):
    return {"order_id": oid, "borough": borough, "order_type": kind, "applied_date": applied,
            "outcome": outcome, "first_breach_date": breach}


def request(rid, route, received, decision=None, decided=None, borough="North"):
    return {"request_id": rid, "borough": borough, "route": route, "received_date": received,
            "decision": decision, "decision_date": decided}


ASK, KNOW = "right_to_ask", "right_to_know"


def data():
    orders = [
        order("O1", "dvpn", "2007-05-01", "granted", "2007-05-10"),
        order("O2", "dvpo", "2007-05-03", "granted"),
        order("O3", "dvpo", "2007-06-01", "refused", borough="South"),
        order("O4", "non_molestation", "2007-07-01", "withdrawn"),   # not a decision
        order("O5", "restraining", "2007-08-01"),                    # not decided yet
        order("O6", "dapo", "2008-04-01", "granted"),                # after the period
        order("O7", "dvpn", "2007-03-31", "granted"),                # before it
        order("O8", "stalking_protection", "2007-09-01", "granted", "2008-06-01",
              borough="South"),
    ]
    requests = [
        request("D1", ASK, "2007-04-10", "disclosed", "2007-05-01"),        # 21 days
        request("D2", ASK, "2007-05-01", "not_disclosed", "2007-06-05"),    # 35 days
        request("D3", KNOW, "2007-06-01", "disclosed", "2007-06-29"),       # 28 days
        request("D4", ASK, "2007-07-01", "withdrawn", "2007-07-05", borough="South"),
        request("D5", ASK, "2007-08-01"),                                   # undecided
        request("D6", KNOW, "2007-03-01", "disclosed", "2007-04-30"),       # 60 days
        request("D7", ASK, "2008-03-20", "disclosed", "2008-04-10"),        # decided after
    ]
    return {"reports": [report("R1")], "protective_orders": orders, "disclosures": requests}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    assert f["protective_orders_applied"] == {
        "values": {"dvpn": 1, "dvpo": 2, "dapn": 0, "dapo": 0, "non_molestation": 1,
                   "restraining": 1, "stalking_protection": 1, "other": 0}, "total": 6}
    assert f["protective_orders_granted_rate"] == {
        "value": 0.75, "numerator": 3, "denominator": 4}
    assert f["protective_orders_breached_rate"] == {
        "value": 2 / 3, "numerator": 2, "denominator": 3}
    assert f["dvds_applications"] == {"values": {ASK: 5, KNOW: 1}, "total": 6}
    assert f["dvds_disclosure_rate_right_to_ask"] == {
        "value": 2 / 3, "numerator": 2, "denominator": 3}
    assert f["dvds_disclosure_rate_right_to_know"] == {
        "value": 1.0, "numerator": 1, "denominator": 1}
    assert f["dvds_days_to_decision"] == {"value": 31.5, "n": 4}   # 21, 28, 35, 60
    assert f["dvds_decided_within_28_days_rate"] == {
        "value": 0.5, "numerator": 2, "denominator": 4}


def test_own_borough(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert south["protective_orders_applied"]["total"] == 2
    assert south["protective_orders_granted_rate"] == {
        "value": 0.5, "numerator": 1, "denominator": 2}
    assert south["dvds_days_to_decision"] == {"value": None, "n": 0}   # D4 was withdrawn


def test_unavailable(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("R1")])
    assert f["protective_orders_applied"] == {
        "value": None, "unavailable": "protective_orders not loaded"}
    assert f["dvds_days_to_decision"] == {"value": None, "unavailable": "disclosures not loaded"}
