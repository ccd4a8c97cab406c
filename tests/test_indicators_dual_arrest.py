"""Dual arrests: cross allegations by person, and the 2008 surname method (rules 22-24)."""

from __future__ import annotations

from engine_helpers import compute
from indicator_data import (
    YEAR,
    outcome,
    report,
    suspect,
    victim,
    warehouse,
)

IDS = ["dual_arrest_incidents", "dual_arrest_incidents_surname_method", "dual_arrest_outcomes",
       "dual_arrest_outcomes_surname_method"]
ARR = "2007-06-01"


def test_cross_allegations_and_surnames(tmp_path, engine):
    reports = [report("X"), report("Y", classification="non_crime"), report("Z"),
               report("W"), report("B")]
    people = [
        # X: two persons each arrested as suspect and a victim; a third arrested suspect.
        victim("x1v", "X", nominal="A", surname="Rose", age=30),
        suspect("x1s", "X", nominal="A", surname="Rose", arrest=ARR),
        victim("x2v", "X", nominal="B", surname="Rose", age=30),
        suspect("x2s", "X", nominal="B", surname="Rose", arrest="2009-01-01"),
        suspect("x3s", "X", nominal="C", arrest=ARR),
        # Y (non-crime): one person in both roles only: not dual; surname method: yes.
        victim("y1v", "Y", nominal="D", surname="van  der Berg", age=40),
        suspect("y1s", "Y", nominal="D", surname="Van der berg", arrest=ARR),
        suspect("y2s", "Y", nominal="E", surname="Smith", arrest=ARR),
        # Z: surnames match, but the victim is 17: not by the surname method.
        victim("zv", "Z", surname="Khan", age=17),
        suspect("zs1", "Z", surname="Khan", arrest=ARR), suspect("zs2", "Z", arrest=ARR),
        # W: blank surnames match nothing.
        victim("wv", "W", age=30), suspect("ws1", "W", arrest=ARR), suspect("ws2", "W",
                                                                             arrest=ARR),
        # B: two persons each both victim and suspect, but only one arrested.
        victim("b1v", "B", nominal="F", age=30), suspect("b1s", "B", nominal="F", arrest=ARR),
        victim("b2v", "B", nominal="G", age=30), suspect("b2s", "B", nominal="G"),
    ]
    outcomes = [outcome("X", 3, "2009-01-01"), outcome("X", 1, "2006-01-01"),
                outcome("Y", 2, "2007-07-01")]
    path = warehouse(tmp_path, reports=reports, people=people, outcomes=outcomes)
    f = compute(path, *YEAR, engine=engine, ids=IDS, people="exact")["indicators"]
    assert f["dual_arrest_incidents"] == {"value": 1}
    assert f["dual_arrest_incidents_surname_method"] == {"value": 2}  # X and Y
    assert f["dual_arrest_outcomes"] == {"values": {"caution": 1, "charge": 1}, "total": 1}
    assert f["dual_arrest_outcomes_surname_method"] == {
        "values": {"caution": 2, "charge": 1}, "total": 2}
