"""Homicides, GBH with intent against the previous period, reviews (rules 8, 20, 21)."""

from __future__ import annotations

import datetime as dt

from engine_helpers import compute
from indicator_data import (
    YEAR,
    rel,
    report,
    suspect,
    victim,
    warehouse,
)

GBH = ["dv_gbh_with_intent", "dv_gbh_with_intent_previous", "dv_gbh_with_intent_change"]


def test_homicides_partner_and_population(tmp_path, engine):
    reports = [report("M1", offence="murder"), report("M2", offence="infanticide"),
               report("M3", offence="manslaughter", dv=False), report("X", offence="gbh")]
    people = [victim("v1", "M1", gender="F", age=85), suspect("s1", "M1", gender="M", age=19),
              victim("v2", "M2"), suspect("s2", "M2", age=20)]
    rels = [rel("M1", "v1", "s1", "ex_partner"), rel("M2", "v2", "s2", "parent")]
    pop = [{"borough": "North", "gender": "M", "age_band": "18-29", "ethnic_appearance": "IC1",
            "population": 1000}]
    path = warehouse(tmp_path, reports=reports, people=people, relationships=rels,
                     population=pop)
    f = compute(path, *YEAR, engine=engine, ids=[
        "dv_homicides", "dv_homicide_victims_by_age_band", "dv_homicide_suspects_by_age_band",
        "dv_homicides_partner", "dv_homicides_partner_per_1000"], people="exact")["indicators"]
    assert f["dv_homicides"] == {"value": 2}
    assert f["dv_homicide_victims_by_age_band"]["values"]["80+"] == 1
    assert f["dv_homicide_victims_by_age_band"]["values"]["unrecorded"] == 1
    assert f["dv_homicide_suspects_by_age_band"]["values"]["0-19"] == 1
    assert f["dv_homicide_suspects_by_age_band"]["values"]["20-29"] == 1
    assert f["dv_homicides_partner"] == {"value": 1}
    assert f["dv_homicides_partner_per_1000"] == {"value": 1.0, "numerator": 1,
                                                  "denominator": 1000}


def gbh_reports():
    return [report("G1", "2007-06-01", offence="gbh_with_intent"),
            report("G2", "2007-02-28", offence="gbh_with_intent"),
            report("G3", "2007-01-31", offence="gbh_with_intent"),
            report("G4", "2006-04-01", offence="gbh_with_intent")]


def test_previous_period_whole_months(tmp_path, engine):
    path = warehouse(tmp_path, reports=gbh_reports())
    f = compute(path, *YEAR, engine=engine, ids=GBH, people="exact")["indicators"]
    assert f["dv_gbh_with_intent_previous"] == {"value": 3}  # 2006-04-01 .. 2007-03-31
    assert f["dv_gbh_with_intent_change"] == {"value": -2 / 3, "numerator": -2,
                                              "denominator": 3}
    # February 2007 → January 2007 (one month, though 28 days against 31).
    feb = compute(path, dt.date(2007, 2, 1), dt.date(2007, 2, 28), engine=engine,
                  ids=GBH, people="exact")["indicators"]
    assert (feb["dv_gbh_with_intent"]["value"], feb["dv_gbh_with_intent_previous"]["value"]) == (
        1, 1)


def test_previous_period_in_days_and_null_change(tmp_path, engine):
    path = warehouse(tmp_path, reports=gbh_reports())
    # 2007-03-01 .. 2007-06-15 is not whole months: 107 days before: 2006-11-14 .. 2007-02-28.
    f = compute(path, dt.date(2007, 3, 1), dt.date(2007, 6, 15), engine=engine,
                ids=GBH, people="exact")["indicators"]
    assert (f["dv_gbh_with_intent"]["value"], f["dv_gbh_with_intent_previous"]["value"]) == (1, 2)
    empty = compute(path, dt.date(2005, 1, 1), dt.date(2005, 12, 31), engine=engine,
                    ids=GBH, people="exact")["indicators"]
    assert empty["dv_gbh_with_intent_change"] == {"value": None, "numerator": 0,
                                                  "denominator": 0}


def test_reviews_by_their_dates_and_the_reviewed_report_borough(tmp_path, engine):
    reviews = [
        {"review_id": "H1", "report_id": "M1", "started_date": "2007-04-01",
         "completed_date": "2008-04-01"},
        {"review_id": "H2", "report_id": "M2", "started_date": "2006-01-01",
         "completed_date": "2008-03-31"},
    ]
    path = warehouse(tmp_path, reports=[report("M1", "2006-01-01", offence="murder"),
                                        report("M2", "2005-01-01", offence="murder",
                                               borough="South")],
                     homicide_reviews=reviews)
    ids = ["homicide_reviews_started", "homicide_reviews_completed"]
    f = compute(path, *YEAR, engine=engine, ids=ids, people="exact")["indicators"]
    assert (f["homicide_reviews_started"]["value"], f["homicide_reviews_completed"]["value"]) == (
        1, 1)
    south = compute(path, *YEAR, borough="south", engine=engine, ids=ids,
            people="exact")["indicators"]
    assert (south["homicide_reviews_started"]["value"],
            south["homicide_reviews_completed"]["value"]) == (0, 1)
