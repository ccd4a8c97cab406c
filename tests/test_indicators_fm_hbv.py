"""Forced marriage and honour-based violence (rule 25)."""

from __future__ import annotations

from indicator_data import (
    figures,
    report,
    suspect,
    victim,
)

IDS = ["fm_records", "fm_records_dv", "hbv_records", "fm_victims_by_gender",
       "fm_victims_by_self_defined_ethnicity", "fm_victims_by_age_band"]


def test_flags_and_victims(tmp_path, engine):
    reports = [report("F1", fm=True, dv=False, classification="non_crime"),
               report("F2", fm=True, hbv=True), report("H1", hbv=True, dv=False),
               report("F0", "2007-01-01", fm=True)]
    people = [victim("a", "F1", gender="F", self_defined="A3", age=17),
              victim("b", "F2", gender="F", age=26), victim("c", "F2", age=51),
              suspect("s", "F2", self_defined="A3", age=40), victim("d", "F0", age=20)]
    f = figures(tmp_path, engine, IDS, reports=reports, people=people)
    assert (f["fm_records"]["value"], f["fm_records_dv"]["value"],
            f["hbv_records"]["value"]) == (2, 1, 2)
    assert f["fm_victims_by_gender"]["values"] == {"M": 0, "F": 2, "U": 1}
    sde = f["fm_victims_by_self_defined_ethnicity"]
    assert (sde["values"]["A3"], sde["values"]["unrecorded"], sde["total"]) == (1, 2, 3)
    assert f["fm_victims_by_age_band"]["values"] == {
        "0-17": 1, "18-25": 0, "26-32": 1, "33-40": 0, "41-50": 0, "51+": 1, "unrecorded": 0}
