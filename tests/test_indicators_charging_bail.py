"""Charging time and bail (v2): exact medians of whole days, shares over 56 days, bail
running on the period's last day (precise rules 29, 31, 32, 33)."""

from __future__ import annotations

import datetime as dt

import duckdb

from engine_helpers import compute
from indicator_data import YEAR, figures, report, suspect, warehouse

IDS = ["cps_days_to_decision", "cps_decisions_over_8_weeks_rate", "bail_periods_ended",
       "bail_days", "bail_over_8_weeks_rate", "bail_open_over_8_weeks"]


def case(urn, referred, decided, *, borough="North", dv=True, decision="charge"):
    return {"cps_urn": urn, "borough": borough, "dv_flagged": dv, "referred_date": referred,
            "decision": decision, "decision_date": decided}


def bail(bail_id, person_id, kind, start, end=None, ended_by=None):
    return {"bail_id": bail_id, "person_id": person_id, "kind": kind, "start_date": start,
            "end_date": end, "ended_by": ended_by or ("charge" if end else None)}


PCB, RUI = "pre_charge_bail", "released_under_investigation"


def data():
    cases = [
        case("K1", "2007-04-01", "2007-04-11"),                   # 10 days
        case("K2", "2007-01-01", "2007-05-01", decision="no_further_action"),  # 120
        case("K3", "2007-06-01", "2007-07-27", borough="South"),  # 56: not over 8 weeks
        case("K4", "2007-06-01", "2007-07-28"),                   # 57: over
        case("K5", "2007-06-01", "2007-06-02", dv=False),         # not DV-flagged
        case("K6", "2008-03-01", "2008-04-01"),                   # decided after the period
        case("K7", "2007-06-01", None),                           # date not recorded
    ]
    reports = [report("R1"), report("R2", borough="South"), report("R3", dv=False),
               report("R4", "2005-06-01")]                        # recorded long before
    people = [suspect("S1", "R1"), suspect("S2", "R2"), suspect("S3", "R3"),
              suspect("S4", "R4")]
    rows = [
        bail("B1", "S1", PCB, "2007-04-01", "2007-05-01"),       # 30 days
        bail("B2", "S1", RUI, "2007-05-01", "2007-08-01"),       # 92 days
        bail("B3", "S2", PCB, "2007-06-01", "2007-07-27"),       # 56 days, South
        bail("B4", "S3", PCB, "2007-05-01", "2007-09-01"),       # report not DV-flagged
        bail("B5", "S4", RUI, "2007-10-01"),                     # running: 182 days on 31/3
        bail("B6", "S1", PCB, "2008-02-15", "2008-05-01"),       # running on 31/3: 45 days
        bail("B7", "S2", PCB, "2008-01-31"),                     # running: 60 days, South
        bail("B8", "S1", PCB, "2008-02-04"),                     # running: exactly 56 days
        bail("B9", "S1", RUI, "2008-04-10"),                     # begins after the period
        bail("B10", "S1", PCB, "2006-01-01", "2007-03-01"),      # ended before it
    ]
    return {"cps_cases": cases, "reports": reports, "people": people, "bail": rows}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    # 10, 56, 57, 120: an even number, the mean of the two middle values.
    assert f["cps_days_to_decision"] == {"value": 56.5, "n": 4}
    assert f["cps_decisions_over_8_weeks_rate"] == {
        "value": 0.5, "numerator": 2, "denominator": 4}
    assert f["bail_periods_ended"] == {"values": {PCB: 2, RUI: 1}, "total": 3}
    assert f["bail_days"] == {"value": 56, "n": 3}              # 30, 56, 92
    assert f["bail_over_8_weeks_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["bail_open_over_8_weeks"] == {"values": {PCB: 1, RUI: 1}, "total": 2}


def test_boroughs(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    north = compute(path, *YEAR, borough="North", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert north["cps_days_to_decision"] == {"value": 57, "n": 3}
    assert north["bail_days"] == {"value": 61, "n": 2}          # 30 and 92
    assert north["bail_open_over_8_weeks"] == {"values": {PCB: 0, RUI: 1}, "total": 1}
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert south["cps_days_to_decision"] == {"value": 56, "n": 1}
    assert south["cps_decisions_over_8_weeks_rate"]["numerator"] == 0
    assert south["bail_open_over_8_weeks"] == {"values": {PCB: 1, RUI: 0}, "total": 1}


def test_a_period_with_nothing(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, dt.date(2010, 1, 1), dt.date(2010, 1, 31), engine=engine, ids=IDS,
                people="exact")["indicators"]
    assert f["cps_days_to_decision"] == {"value": None, "n": 0}
    assert f["bail_over_8_weeks_rate"] == {"value": None, "numerator": 0, "denominator": 0}
    # B5, B7, B8 and B9 are still running in 2010 (their end is blank).
    assert f["bail_open_over_8_weeks"] == {"values": {PCB: 2, RUI: 2}, "total": 4}


def test_without_bail(tmp_path, engine):
    d = data()
    f = figures(tmp_path, engine, IDS, cps_cases=d["cps_cases"], reports=d["reports"])
    assert f["bail_days"] == {"value": None, "unavailable": "bail not loaded"}
    assert f["cps_days_to_decision"]["n"] == 4


def test_a_version_1_warehouse_without_decision_date(tmp_path, engine):
    """A warehouse loaded before version 2 lacks the column: it reads as blank."""
    path = warehouse(tmp_path, cps_cases=data()["cps_cases"], reports=[report("R1")])
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE cps_cases DROP COLUMN decision_date")
    con.close()
    f = compute(path, *YEAR, engine=engine, ids=IDS[:2], people="exact")["indicators"]
    assert f["cps_days_to_decision"] == {"value": None, "n": 0}
