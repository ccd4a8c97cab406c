"""Targets: covering rows, scope, direction, breakdown totals, scaled figures (rule 28)."""

from __future__ import annotations

import datetime as dt

from engine_helpers import compute
from indicator_data import (
    YEAR,
    report,
    suspect,
    warehouse,
)


def target(indicator, start, end, value, *, borough="*", direction=None):
    return {"indicator": indicator, "borough": borough, "period_start": start,
            "period_end": end, "target": value, "direction": direction}


def test_covering_rows_and_directions(tmp_path, engine):
    targets = [
        # Several cover the year: the latest start wins, then the earliest end.
        target("dv_incidents", "2006-04-01", "2009-03-31", 1),
        target("dv_incidents", "2007-04-01", "2009-03-31", 5),
        target("dv_incidents", "2007-04-01", "2008-03-31", 2, direction="at_most"),
        target("dv_incidents", "2007-03-01", "2008-03-31", 9),
        # Does not cover the whole year.
        target("dv_crimes", "2007-04-01", "2007-12-31", 1),
        # A breakdown by its total; a per-100 figure on its scale.
        target("dv_crime_victims_by_gender", "2007-01-01", "2008-12-31", 1),
        target("dv_crime_arrests_per_100", "2007-01-01", "2008-12-31", 40.0),
        # Borough targets are the borough's only; `*` the force's only.
        target("dv_non_crimes", "2007-04-01", "2008-03-31", 0, borough="north",
               direction="at_most"),
        # A null actual: met is null.
        target("charge_caution_ratio", "2007-04-01", "2008-03-31", 0.5),
    ]
    reports = [report("A", borough="North"), report("B", borough="South")]
    people = [suspect("s", "A", arrest="2007-06-01")]
    path = warehouse(tmp_path, reports=reports, people=people, targets=targets, outcomes=[])
    ids = ["dv_incidents", "dv_crimes", "dv_non_crimes", "dv_crime_arrests_per_100",
           "dv_crime_victims_by_gender", "charge_caution_ratio"]
    force = compute(path, *YEAR, engine=engine, ids=ids, people="exact")["targets"]
    assert force == {
        "dv_incidents": {"target": 2, "actual": 2, "met": True},
        "dv_crime_arrests_per_100": {"target": 40.0, "actual": 50.0, "met": True},
        "dv_crime_victims_by_gender": {"target": 1, "actual": 0, "met": False},
        "charge_caution_ratio": {"target": 0.5, "actual": None, "met": None},
    }
    north = compute(path, *YEAR, borough="NORTH", engine=engine, ids=ids, people="exact")["targets"]
    assert north == {"dv_non_crimes": {"target": 0, "actual": 0, "met": True}}


def test_no_targets_table(tmp_path, engine):
    path = warehouse(tmp_path, reports=[report("A")])
    out = compute(path, dt.date(2007, 4, 1), dt.date(2008, 3, 31), engine=engine,
                  ids=["dv_incidents"], people="exact")
    assert out["targets"] == {}


def test_targets_on_version_2_figures(tmp_path, engine):
    """A median by its days, a per-10,000 figure on its scale, a gap by its value; a rate
    per key has no one figure to compare."""
    import test_indicators_marac as marac
    import test_indicators_protective as protective
    import test_indicators_satisfaction as satisfaction

    targets = [
        target("dvds_days_to_decision", "2007-04-01", "2008-03-31", 28, direction="at_most"),
        target("marac_cases_per_10000_adult_females", "2007-04-01", "2008-03-31", 40),
        target("victim_satisfaction_gap_ethnicity", "2007-04-01", "2008-03-31", 0.1,
               direction="at_most"),
        target("victim_satisfaction_by_element", "2007-04-01", "2008-03-31", 0.8),
    ]
    sat = satisfaction.data()
    path = warehouse(tmp_path, reports=sat["reports"], people=sat["people"],
                     victim_surveys=sat["victim_surveys"],
                     disclosures=protective.data()["disclosures"],
                     marac_cases=marac.data()["marac_cases"],
                     population=marac.data()["population"], targets=targets)
    ids = ["dvds_days_to_decision", "marac_cases_per_10000_adult_females",
           "victim_satisfaction_gap_ethnicity", "victim_satisfaction_by_element"]
    got = compute(path, *YEAR, engine=engine, ids=ids, people="exact")["targets"]
    assert got == {
        "dvds_days_to_decision": {"target": 28, "actual": 31.5, "met": False},
        "marac_cases_per_10000_adult_females": {
            "target": 40.0, "actual": 10000 * 8 / 3000, "met": False},
        "victim_satisfaction_gap_ethnicity": {"target": 0.1, "actual": 1.0, "met": False},
        "victim_satisfaction_by_element": {"target": 0.8, "actual": None, "met": None},
    }
