"""MARAC (v2): cases, the rate per 10,000 adult females, repeat cases within 12 calendar
months, and the SafeLives shares (precise rule 29)."""

from __future__ import annotations

from engine_helpers import compute
from indicator_data import YEAR, figures, report, warehouse

IDS = ["marac_cases", "marac_cases_per_10000_adult_females", "marac_repeat_rate",
       "marac_partner_referral_share", "marac_male_victim_share", "marac_bme_share",
       "marac_lgbt_share", "marac_disabled_share", "marac_children", "marac_victims_16_17"]


def case(cid, date, ref, *, borough="North", agency=None, gender=None, age=None,
         ethnicity=None, lgbt=None, disabled=None, children=None):
    return {"case_id": cid, "borough": borough, "conference_date": date, "victim_ref": ref,
            "referring_agency": agency, "victim_gender": gender, "victim_age": age,
            "victim_self_defined_ethnicity": ethnicity, "victim_lgbt": lgbt,
            "victim_disabled": disabled, "children_in_household": children}


def pop(borough, gender, band, n):
    return {"borough": borough, "gender": gender, "age_band": band, "ethnic_appearance": "IC1",
            "population": n}


def data():
    cases = [
        case("C1", "2007-05-01", "A", agency="police", gender="F", age=30, ethnicity="W1",
             lgbt=False, disabled=True, children=2),
        case("C2", "2007-09-01", "A", agency="idva", gender="F", age=17, ethnicity="B2",
             lgbt=True),                                      # repeat: C1 four months before
        # 29 February: a year before is 28 February 2007, when C0 was discussed.
        case("C3", "2008-02-29", "B", borough="South", gender="M", age=16, ethnicity="NS",
             lgbt=False, children=1),                         # agency blank: other
        case("C0", "2007-02-28", "B", borough="South", agency="police"),
        case("C4", "2007-06-01", "C", agency="police", gender="U", ethnicity="A1",
             disabled=False),
        case("C5", "2006-05-31", "C", agency="police"),       # a year and a day before C4
        case("C6", "2007-06-01", "D", agency="health", gender="F", ethnicity="W9", children=3),
        case("C7", "2007-06-01", "D", agency="other", gender="F"),  # same day: no repeat
        case("C8", "2008-04-01", "A", agency="police"),       # after the period
        case("C9", "2007-10-01", "a", agency="police", gender="F"),  # another victim_ref
        case("C10", "2007-07-15", "E", agency="police", gender="F"),
        case("C11", "2006-07-15", "E", agency="police"),      # exactly 12 months before C10
    ]
    population = [pop("North", "F", "18-29", 2000), pop("North", "F", "0-17", 500),
                  pop("North", "M", "18-29", 1000), pop("South", "F", "60+", 1000)]
    return {"reports": [report("R1")], "marac_cases": cases, "population": population}


def test_force(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, **data())
    # The period's cases: C1, C2, C3, C4, C6, C7, C9, C10.
    assert f["marac_cases"] == {"value": 8}
    assert f["marac_cases_per_10000_adult_females"] == {
        "value": 10000 * 8 / 3000, "numerator": 8, "denominator": 3000}
    assert f["marac_repeat_rate"] == {"value": 3 / 8, "numerator": 3, "denominator": 8}
    assert f["marac_partner_referral_share"] == {
        "value": 0.5, "numerator": 4, "denominator": 8}
    assert f["marac_male_victim_share"] == {"value": 1 / 7, "numerator": 1, "denominator": 7}
    assert f["marac_bme_share"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    assert f["marac_lgbt_share"] == {"value": 1 / 3, "numerator": 1, "denominator": 3}
    assert f["marac_disabled_share"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert f["marac_children"] == {"value": 6}
    assert f["marac_victims_16_17"] == {"value": 2}


def test_boroughs(tmp_path, engine):
    path = warehouse(tmp_path, **data())
    south = compute(path, *YEAR, borough="south", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert south["marac_cases"] == {"value": 1}
    assert south["marac_cases_per_10000_adult_females"]["value"] == 10.0
    assert south["marac_repeat_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    north = compute(path, *YEAR, borough="North", engine=engine, ids=IDS,
                    people="exact")["indicators"]
    assert north["marac_repeat_rate"] == {"value": 2 / 7, "numerator": 2, "denominator": 7}


def test_unavailable(tmp_path, engine):
    d = data()
    f = figures(tmp_path, engine, IDS, reports=d["reports"], marac_cases=d["marac_cases"])
    assert f["marac_cases_per_10000_adult_females"] == {
        "value": None, "unavailable": "population not loaded"}
    f = figures(tmp_path / "2", engine, IDS, reports=d["reports"], population=d["population"])
    assert f["marac_cases_per_10000_adult_females"] == {
        "value": None, "unavailable": "marac_cases not loaded"}
