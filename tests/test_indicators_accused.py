"""Persons accused: distinct persons, outcomes naming nobody, latest involvement (rule 15)."""

from __future__ import annotations

import datetime as dt

from engine_helpers import compute
from indicator_data import (
    YEAR,
    outcome,
    report,
    suspect,
    warehouse,
)

IDS = ["accused_persons", "accused_by_gender", "accused_by_ethnic_appearance",
       "accused_by_age_group"]


def data():
    reports = [report("R1", occurred="2007-05-01"), report("R2", "2006-06-01"),
               report("R3"), report("R4"), report("R5", dv=False)]
    people = [
        suspect("p1", "R1", nominal="N1", gender="M", ethnic="IC1", dob="1980-01-01"),
        suspect("p2", "R2", nominal="N1", gender="M", ethnic="IC3", age=50),
        # R3 has two suspects and an outcome naming nobody: both accused.
        suspect("p3", "R3", surname="Lee", forenames="Ann", dob="1970-01-01", gender="F"),
        suspect("p4", "R3", gender="U", age=20),
        # R4: the same person as p3 under the exact method (name + DOB), outcome earlier.
        suspect("p5", "R4", surname=" LEE", forenames="ann", dob="1970-01-01", gender="F",
                ethnic="IC4"),
        suspect("p6", "R5", nominal="N9"),
    ]
    outcomes = [
        outcome("R1", 3, "2007-05-10", "p1"),
        outcome("R1", 1, "2007-03-01", "p1"),  # R1's earliest sanction is before the period
        outcome("R2", 1, "2007-09-01", "p2"),  # crime of an earlier period: counts; latest
        outcome("R3", 2, "2007-06-01"),        # names nobody: p3 and p4
        outcome("R4", 3, "2007-05-01", "p5"),
        outcome("R4", 14, "2007-12-01", "p5"),  # not a sanction
        outcome("R5", 1, "2007-06-01", "p6"),  # not DV
    ]
    return {"reports": reports, "people": people, "outcomes": outcomes}


def test_distinct_persons_and_latest_involvement(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, *YEAR, engine=engine, ids=IDS, people="exact")["indicators"]
    # N1 (p1, p2), Ann Lee (p3, p5), p4.
    assert f["accused_persons"] == {"value": 3, "method": "exact"}
    # N1's latest involvement is p2 (2007-09-01): IC3, 50; Ann Lee's is p3 (2007-06-01).
    assert f["accused_by_gender"] == {"values": {"M": 1, "F": 1, "U": 1}, "total": 3,
                                      "method": "exact"}
    assert f["accused_by_ethnic_appearance"]["values"] == {
        "IC1": 0, "IC2": 0, "IC3": 1, "IC4": 0, "IC5": 0, "IC6": 0, "IC0": 2}
    assert f["accused_by_age_group"]["values"] == {
        "0-17": 0, "18-29": 1, "30-39": 1, "40-49": 0, "50-59": 1, "60+": 0, "unrecorded": 0}


def test_outcomes_dated_outside_the_period_do_not_accuse(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, dt.date(2007, 10, 1), dt.date(2008, 3, 31), engine=engine,
                ids=IDS, people="exact")["indicators"]
    assert f["accused_persons"]["value"] == 0


def test_another_method_from_person_links(tmp_path, engine):
    """Any method stored in person_links is usable (here: everyone is one person)."""
    import duckdb

    from dvpi.people import store_links

    path = warehouse(tmp_path, **data())
    con = duckdb.connect(str(path))
    store_links(con, "truth", "SELECT person_id, 'same' AS person_key FROM people")
    con.close()
    out = compute(path, *YEAR, engine=engine, ids=["accused_persons"], people="truth")
    assert out["indicators"]["accused_persons"] == {"value": 1, "method": "truth"}
