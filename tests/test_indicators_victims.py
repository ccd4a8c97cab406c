"""Victims of DV-flagged crimes: one per victim row, every age (rule 12)."""

from __future__ import annotations

from indicator_data import (
    figures,
    report,
    suspect,
    victim,
)

IDS = ["dv_crime_victims_by_gender", "dv_crime_victims_by_ethnic_appearance",
       "dv_crime_victims_by_age_group"]


def test_victim_rows_by_gender_ethnicity_and_age(tmp_path, engine):
    reports = [report("C1", occurred="2007-05-01"), report("C2"),
               report("NC", classification="non_crime"), report("ND", dv=False),
               report("OLD", "2007-03-31")]
    people = [
        victim("a", "C1", gender="F", ethnic="IC1", dob="1989-05-01"),  # 18 that very day
        victim("b", "C1", gender="M", ethnic="IC9", dob="1989-05-02"),  # 17; IC9 → IC0
        victim("c", "C2", age=60),                                      # U, IC0, 60+
        victim("d", "C2"),                                              # unrecorded age
        suspect("s", "C2", gender="M", age=30),                         # not a victim
        victim("e", "NC", gender="F", age=30), victim("f", "ND", age=30),
        victim("g", "OLD", age=30),
    ]
    f = figures(tmp_path, engine, IDS, reports=reports, people=people)
    assert f["dv_crime_victims_by_gender"] == {"values": {"M": 1, "F": 1, "U": 2}, "total": 4}
    assert f["dv_crime_victims_by_ethnic_appearance"] == {
        "values": {"IC1": 1, "IC2": 0, "IC3": 0, "IC4": 0, "IC5": 0, "IC6": 0, "IC0": 3},
        "total": 4,
    }
    assert f["dv_crime_victims_by_age_group"] == {
        "values": {"0-17": 1, "18-29": 1, "30-39": 0, "40-49": 0, "50-59": 0, "60+": 1,
                   "unrecorded": 1},
        "total": 4,
    }


def test_no_victims_keeps_every_key(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("C1")])
    assert f["dv_crime_victims_by_gender"] == {"values": {"M": 0, "F": 0, "U": 0}, "total": 0}
