"""Perpetrator programmes (v2): orders, completion, expiry before a start, orders at risk
of lapsing, days to a start (precise rules 29, 31, 33)."""

from __future__ import annotations

from engine_helpers import compute
from indicator_data import YEAR, figures, report, suspect, warehouse

IDS = ["programme_requirements_ordered", "programme_completion_rate",
       "programme_expired_before_start", "programme_at_risk_of_expiry",
       "programme_days_to_start"]


def req(rid, person_id, programme, ordered, *, expiry=None, started=None, ended=None,
        reason=None):
    return {"requirement_id": rid, "person_id": person_id, "programme": programme,
            "ordered_date": ordered, "expiry_date": expiry, "started_date": started,
            "ended_date": ended, "ended_reason": reason}


def data():
    reports = [report("R1"), report("R2", borough="South"), report("R3", dv=False),
               report("R4", "2004-06-01")]
    people = [suspect(f"S{i}", f"R{i}") for i in range(1, 5)]
    rows = [
        req("P1", "S1", "idap", "2007-05-01", expiry="2008-11-01", started="2007-06-01",
            ended="2008-01-10", reason="completed"),                   # 31 days to start
        req("P2", "S1", "bbr", "2007-06-01", expiry="2008-03-01", ended="2008-03-01",
            reason="expired_before_start"),
        req("P3", "S2", "bbr", "2007-08-01", started="2007-10-01", ended="2008-02-01",
            reason="breached"),                                        # 61 days, South
        req("P4", "S3", "idap", "2007-06-01", started="2007-06-02", ended="2007-12-01",
            reason="completed"),                                       # report not DV
        req("P5", "S4", "other", "2006-12-01", started="2007-04-15"),  # 135 days
        req("P6", "S1", "bbr", "2008-01-15", expiry="2008-05-26"),     # 56 days after 31/3
        req("P7", "S2", "idap", "2008-02-01", expiry="2008-05-27"),    # 57 days: not yet
        req("P8", "S1", "other", "2007-11-01", expiry="2008-03-31"),   # expires on the day
        req("P9", "S2", "bbr", "2007-12-01", expiry="2008-04-01", ended="2008-04-01",
            reason="expired_before_start"),                            # ends after 31/3
        req("P10", "S1", "idap", "2008-04-05", expiry="2008-04-20"),   # ordered after
        req("P11", "S1", "bbr", "2008-01-01", expiry="2008-05-01", started="2008-04-10"),
    ]
    return {"reports": reports, "people": people, "programme_requirements": rows}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    assert f["programme_requirements_ordered"] == {
        "values": {"idap": 2, "bbr": 5, "other": 1}, "total": 8}
    assert f["programme_completion_rate"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["programme_expired_before_start"] == {"value": 1}
    # P6 (56 days ahead) and P9 (1 day ahead, not ended on the last day). P11 started
    # after the period: not blank, so not counted (the spec's "blank started_date").
    assert f["programme_at_risk_of_expiry"] == {"value": 2}
    assert f["programme_days_to_start"] == {"value": 61, "n": 3}   # 31, 61, 135


def test_boroughs(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert south["programme_requirements_ordered"]["total"] == 3
    assert south["programme_at_risk_of_expiry"] == {"value": 1}
    assert south["programme_days_to_start"] == {"value": 61, "n": 1}
    north = compute(path, *YEAR, borough="North", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert north["programme_at_risk_of_expiry"] == {"value": 1}
    assert north["programme_days_to_start"] == {"value": 83, "n": 2}   # 31 and 135


def test_unavailable(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("R1")])
    assert f["programme_days_to_start"] == {
        "value": None, "unavailable": "programme_requirements not loaded"}
