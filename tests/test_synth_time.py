"""The synthetic data is realistic in time: the time model (dvpi.synth.calendar), no
spike on any day of any dated table, no jump at a period's end, and a year before that
is a plausible neighbour of the calibrated year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvpi.synth import generate, load_profile
from dvpi.synth.calendar import (
    DELAYS,
    bank_holidays,
    day_weights,
    draw_after,
    draw_days,
    end_jump,
    worst_day,
)
from dvpi.synth.national import _moved
from dvpi.synth.pipeline import run
from synth_helpers import (
    JUMP,
    MIN_MEDIAN,
    SPIKE,
    assert_realistic_in_time,
    dated_columns,
    load_with_truth,
)

SCALE = 0.25


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth-time") / "london"
    generate(out, seed=3, scale=SCALE)
    return out


def test_no_spike_and_no_end_of_period_jump_in_any_dated_table(data):
    dates = dated_columns(data)
    assert {"outcomes.outcome_date", "reports.recorded_date", "people.arrest_date",
            "risk_assessments.assessed_date", "cps_cases.referred_date",
            "cad_calls.received_at"} <= set(dates)
    assert_realistic_in_time(dates)


def test_outcomes_come_after_their_report_and_before_the_extract(data):
    import duckdb

    con = duckdb.connect()
    early, late, n = con.execute(f"""
        SELECT count(*) FILTER (o.outcome_date < r.recorded_date),
               count(*) FILTER (o.outcome_date > DATE '2008-06-30'), count(*)
        FROM read_csv_auto('{data}/outcomes.csv') o
        JOIN read_csv_auto('{data}/reports.csv') r USING (report_id)""").fetchone()
    assert n > 1000 and early == 0 and late == 0
    # Most outcomes within weeks, a tail over months: drawn, not placed.
    lags = np.array([r[0] for r in con.execute(f"""
        SELECT o.outcome_date - r.recorded_date FROM read_csv_auto('{data}/outcomes.csv') o
        JOIN read_csv_auto('{data}/reports.csv') r USING (report_id)""").fetchall()])
    assert 0.5 < (lags <= 42).mean() < 0.9
    assert (lags > 120).mean() > 0.02


def test_the_detectors_find_a_planted_spike_and_jump():
    rng = np.random.default_rng(0)
    days = draw_days(rng, 20_000, dt.date(2007, 4, 1), dt.date(2008, 3, 31))
    assert worst_day(days, MIN_MEDIAN)[0] < SPIKE
    assert 1 / JUMP < end_jump(days, dt.date(2008, 3, 31)) < JUMP
    planted = np.concatenate([days, np.full(600, np.datetime64("2008-03-31"))])
    ratio, day = worst_day(planted, MIN_MEDIAN)
    assert ratio > SPIKE and day == np.datetime64("2008-03-31")
    assert end_jump(planted, dt.date(2008, 3, 31)) > JUMP


def test_bank_holidays_are_computed_for_any_year():
    assert dt.date(2008, 3, 21) in bank_holidays(2008)   # Good Friday (Easter 23 March)
    assert dt.date(2008, 3, 24) in bank_holidays(2008)   # Easter Monday
    assert dt.date(2007, 4, 6) in bank_holidays(2007)
    assert {dt.date(2010, 12, 27), dt.date(2010, 12, 28)} <= bank_holidays(2010)  # Sat 25th
    assert dt.date(2011, 1, 3) in bank_holidays(2011)    # 1 January a Saturday
    assert len(bank_holidays(2009)) == 8


def test_day_weights_weekends_christmas_new_year_and_football():
    days = np.arange(np.datetime64("2006-04-01"), np.datetime64("2008-04-01"))
    w = dict(zip(days.tolist(), day_weights(days), strict=True))
    ordinary = w[dt.date(2007, 12, 11)]  # a Tuesday in December
    assert w[dt.date(2007, 12, 15)] > ordinary  # Saturday
    assert w[dt.date(2008, 1, 1)] > w[dt.date(2007, 12, 25)] > 1.2 * ordinary
    # World Cup 2006: England lost to Portugal on Saturday 1 July; won on Sunday 25 June.
    assert w[dt.date(2006, 7, 1)] > 1.3 * w[dt.date(2006, 7, 8)]
    assert w[dt.date(2006, 6, 25)] > 1.2 * w[dt.date(2006, 7, 2)] / 1.11 * 0.99
    office = day_weights(days, "office")
    court = day_weights(days, "court")
    weekday = (days.astype("int64") + 3) % 7
    assert office[weekday < 5].mean() > 3 * office[weekday >= 5].mean()
    assert court[weekday == 6].max() == 0
    assert court[days == np.datetime64("2007-12-25")][0] == 0


@settings(max_examples=30, deadline=None)
@given(st.dates(dt.date(2005, 1, 1), dt.date(2015, 12, 31)), st.integers(0, 200),
       st.sampled_from(sorted(DELAYS)))
def test_draw_after_stays_after_the_start_and_before_the_latest(start, room, delay):
    rng = np.random.default_rng(room)
    starts = np.full(200, np.datetime64(start, "D"))
    latest = np.datetime64(start, "D") + room
    dates = draw_after(rng, starts, delay, latest)
    assert (dates >= starts).all() and (dates <= latest).all()


def test_court_dates_fall_on_court_days():
    rng = np.random.default_rng(1)
    starts = draw_days(rng, 5000, dt.date(2007, 4, 1), dt.date(2008, 3, 31))
    dates = draw_after(rng, starts, "first_hearing")
    assert (day_weights(dates, "court") > 0).all()


def test_a_build_of_later_years_gets_its_own_calendar():
    """The national profile builds chunks of later years with the same time model."""
    prof = _moved(load_profile(scale=0.005), 2)
    assert (prof.start, prof.end) == (dt.date(2009, 4, 1), dt.date(2010, 3, 31))
    tables = run(prof, seed=2).tables
    recorded = tables["reports"].recorded_date.to_numpy("datetime64[D]")
    assert recorded.min() >= np.datetime64("2008-04-01")
    assert recorded.max() <= np.datetime64("2010-03-31")
    outcomes = tables["outcomes"].outcome_date.to_numpy("datetime64[D]")
    assert outcomes.max() <= np.datetime64("2010-06-30")
    assert tables["reports"].report_id.str.endswith("/09").any()


def test_the_year_before_is_a_plausible_neighbour(tmp_path):
    """2006-07 comes out of the same process: volumes, victims, accused, detections,
    dual arrests and forced marriage near 2007-08's (its repeat-victim figures lack their
    own look-back, the year before it, so they are not compared)."""
    from engine_helpers import compute

    out = tmp_path / "s"
    result = generate(out, seed=4, scale=0.05)
    load_with_truth(out, tmp_path / "w.duckdb")
    prof = result.profile
    ids = ["dv_incidents", "dv_crimes", "spi8a_offences", "adult_victims_incidents",
           "adult_victims_offences", "sanction_detections", "charges", "accused_persons",
           "cps_dv_prosecutions", "dual_arrest_incidents_surname_method", "fm_records",
           "risk_assessment_compliance", "spi8a_offence_arrest_rate"]
    year = compute(tmp_path / "w.duckdb", prof.start, prof.end, people="truth",
                   ids=ids)["indicators"]
    before = compute(tmp_path / "w.duckdb", dt.date(2006, 4, 1), dt.date(2007, 3, 31),
                     people="truth", ids=ids)["indicators"]
    far = {}
    for key in ids:
        now, then = year[key]["value"], before[key]["value"]
        tolerance = 0.5 if key in ("dual_arrest_incidents_surname_method", "fm_records") \
            else 0.15
        if not abs(then - now) <= tolerance * now:
            far[key] = (then, now)
    assert far == {}
