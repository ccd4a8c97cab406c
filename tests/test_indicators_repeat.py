"""Repeat victims: the look-back, adult at least once, borough scope (rules 9, 17)."""

from __future__ import annotations

import datetime as dt

from engine_helpers import compute
from indicator_data import (
    YEAR,
    report,
    victim,
    warehouse,
)

IDS = ["adult_victims_incidents", "adult_victims_incidents_repeat",
       "adult_victims_incidents_single", "adult_victims_offences",
       "adult_victims_offences_repeat", "adult_victims_offences_single",
       "repeat_victimisation_rate"]


def data():
    reports = [
        report("A1", "2007-05-01"), report("A2", "2007-06-01", classification="non_crime"),
        report("B1", "2007-05-01"), report("B0", "2006-04-01"),      # first look-back day
        report("C1", "2007-05-01"), report("C0", "2006-03-31"),      # a day before: out
        report("D1", "2007-05-01"), report("D9", "2008-04-01"),      # after the period: out
        report("E1", "2007-05-01", occurred="2007-05-01"),           # 17 here
        report("E2", "2007-09-01", occurred="2007-09-01"),           # 18 here
        report("F1", "2007-05-01"), report("F0", "2006-09-01", dv=False),  # not DV: out
        report("G1", "2007-05-01", borough="South"), report("G0", "2006-09-01"),
        report("H1", "2007-05-01"),
    ]
    people = [
        victim("a1", "A1", nominal="A", age=30), victim("a2", "A2", nominal="A", age=30),
        victim("b1", "B1", nominal="B", age=30), victim("b0", "B0", nominal="B", age=12),
        victim("c1", "C1", nominal="C", age=30), victim("c0", "C0", nominal="C", age=30),
        victim("d1", "D1", nominal="D", age=30), victim("d9", "D9", nominal="D", age=30),
        victim("e1", "E1", nominal="E", dob="1989-09-01"),
        victim("e2", "E2", nominal="E", dob="1989-09-01"),
        victim("f1", "F1", nominal="F", age=30), victim("f0", "F0", nominal="F", age=30),
        victim("g1", "G1", nominal="G", age=30), victim("g0", "G0", nominal="G", age=30),
        victim("h1", "H1", nominal="H"),  # unknown age: never an adult victim
    ]
    return {"reports": reports, "people": people}


def test_force_look_back(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    f = compute(path, *YEAR, engine=engine, ids=IDS, people="exact")["indicators"]
    # Adults: A B C D E F G (H unknown). Repeat: A (two in the period), B (look-back day 1,
    # a child then), E (two in the period, adult in one), G (other borough still the force's).
    assert f["adult_victims_incidents"] == {"value": 7, "method": "exact"}
    assert f["adult_victims_incidents_repeat"] == {"value": 4, "method": "exact"}
    assert f["adult_victims_incidents_single"] == {"value": 3, "method": "exact"}
    assert f["repeat_victimisation_rate"] == {"value": 4 / 7, "numerator": 4, "denominator": 7,
                                              "method": "exact"}
    # Offences: A's second report is a non-crime, so A is single.
    assert f["adult_victims_offences"]["value"] == 7
    assert f["adult_victims_offences_repeat"]["value"] == 3


def test_borough_scope_needs_both_reports_in_the_borough(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    north = compute(path, *YEAR, borough="north", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert north["adult_victims_incidents"]["value"] == 6
    assert north["adult_victims_incidents_repeat"]["value"] == 3  # A, B, E (not G)
    south = compute(path, *YEAR, borough="South", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert (south["adult_victims_incidents"]["value"],
            south["adult_victims_incidents_repeat"]["value"]) == (1, 0)


def test_look_back_is_twelve_calendar_months(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    # Period 2007-05-01 .. 2007-05-31: look-back from 2006-05-01, so B0 (2006-04-01) is out.
    f = compute(path, dt.date(2007, 5, 1), dt.date(2007, 5, 31), engine=engine,
                ids=IDS, people="exact")["indicators"]
    # Adults of May: A B C D F G (E is 17 in May). Repeat: G (G0 2006-09-01) only;
    # A's second report is in June, after the period.
    assert f["adult_victims_incidents"]["value"] == 6
    assert f["adult_victims_incidents_repeat"]["value"] == 1
