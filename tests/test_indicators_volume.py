"""Volume, scope and period rules, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from dvpi.indicators import PeriodError
from engine_helpers import compute
from indicator_data import (
    figures,
    report,
    value,
    warehouse,
)

IDS = ["dv_incidents", "dv_crimes", "dv_non_crimes"]


def test_period_bounds_are_inclusive_and_flags_count(tmp_path, engine):
    reports = [
        report("FIRST", "2007-04-01"),                       # first day: in
        report("LAST", "2008-03-31", classification="non_crime"),  # last day: in
        report("BEFORE", "2007-03-31"),                      # out
        report("AFTER", "2008-04-01"),                       # out
        report("NODV", "2007-06-01", dv=False),              # not DV
        report("OCC", "2007-06-01", occurred="2007-03-01"),  # recorded in: in (rule 6)
    ]
    f = figures(tmp_path, engine, IDS, reports=reports)
    assert (value(f, "dv_incidents"), value(f, "dv_crimes"), value(f, "dv_non_crimes")) == (3, 2, 1)


def test_borough_scope_matches_case_and_spaces(tmp_path, engine):
    path = warehouse(tmp_path, reports=[
        report("A", borough="Tower Hamlets"), report("B", borough=" tower hamlets "),
        report("C", borough="Waltham Forest"),
    ])
    out = compute(path, *[dt.date(2007, 4, 1), dt.date(2008, 3, 31)], borough="  TOWER hamlets",
                  engine=engine, ids=IDS, people="exact")
    assert out["scope"] == "TOWER hamlets"  # the name as given, trimmed (rule 4)
    assert value(out["indicators"], "dv_incidents") == 2
    absent = compute(path, dt.date(2007, 4, 1), dt.date(2008, 3, 31), borough="Nowhere",
                     engine=engine, ids=IDS, people="exact")
    assert value(absent["indicators"], "dv_incidents") == 0  # zeros, not an error


def test_start_after_end_is_an_error(tmp_path):
    path = warehouse(tmp_path, reports=[report("A")])
    with pytest.raises(PeriodError):
        compute(path, dt.date(2008, 1, 2), dt.date(2008, 1, 1), people="exact")


def test_compute_by_borough_force_first_then_sorted(tmp_path, engine):
    from engine_helpers import compute_by_borough

    path = warehouse(tmp_path, reports=[
        report("A", borough="Waltham Forest"), report("B", borough="barnet"),
        report("C", borough="Waltham Forest", dv=False),
    ])
    out = compute_by_borough(path, dt.date(2007, 4, 1), dt.date(2008, 3, 31), engine=engine,
                             ids=IDS, people="exact")
    assert [o["scope"] for o in out] == ["force", "barnet", "Waltham Forest"]
    assert [value(o["indicators"], "dv_incidents") for o in out] == [2, 1, 1]


def test_compute_series_one_object_per_period(tmp_path, engine):
    from engine_helpers import compute_series

    path = warehouse(tmp_path, reports=[
        report("A", "2007-04-02"), report("B", "2007-04-09"), report("C", "2007-04-10"),
    ])
    weeks = [(dt.date(2007, 4, 2), dt.date(2007, 4, 8)),
             (dt.date(2007, 4, 9), dt.date(2007, 4, 15))]
    out = compute_series(path, weeks, engine=engine, ids=IDS, people="exact")
    assert [o["period"]["start"] for o in out] == ["2007-04-02", "2007-04-09"]
    assert [value(o["indicators"], "dv_incidents") for o in out] == [1, 2]
    both = compute_series(path, weeks, by_borough=True, engine=engine, ids=IDS, people="exact")
    assert [(o["period"]["start"], o["scope"]) for o in both] == [
        ("2007-04-02", "force"), ("2007-04-02", "North"),
        ("2007-04-09", "force"), ("2007-04-09", "North"),
    ]


def test_data_folder_source_is_loaded(tmp_path):
    from indicator_data import write_dataset

    data = write_dataset(tmp_path / "d", reports=[report("A")], people=[])
    out = compute(data, dt.date(2007, 4, 1), dt.date(2008, 3, 31), ids=IDS, people="exact")
    assert value(out["indicators"], "dv_incidents") == 1
