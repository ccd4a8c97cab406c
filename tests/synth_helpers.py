"""Shared checks for the synthetic-data tests: load, attach the truth, compare figures,
and what "realistic in time" means for a data set's dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from dvpi.contract import TABLES
from dvpi.synth import default_truth_dir, store_truth_links
from dvpi.synth.calendar import end_jump, worst_day
from dvpi.synth.profile import Profile

# The months checked for spikes: the two recorded years but their first month, in which
# outcomes and hearings ramp up (those of reports recorded before 1 April 2006 are not in
# the extract); the months after them thin out (no report is recorded after 31 March 2008).
CHECKED = (dt.date(2006, 5, 1), dt.date(2008, 3, 31))
PERIOD_ENDS = (dt.date(2007, 3, 31), dt.date(2008, 3, 31))
NOT_EVENTS = {("people", "date_of_birth"), ("targets", "period_start"),
              ("targets", "period_end")}
# Days of scheduled meetings: each borough's MARAC sits on set days, so its cases come in
# clusters by design; the end-of-period jump rule still holds for them, the spike rule not.
SCHEDULED = {"marac_cases.conference_date"}
SPIKE = 3.0        # no day above 3 times the median day of its month
MIN_MEDIAN = 10    # months with fewer rows a day are chance, not shape
JUMP = 1.5         # the last week within 1/1.5..1.5 times the 12 weeks before
MIN_WEEKLY = 100   # weeks with fewer rows are chance, not shape


def dated_columns(data: Path) -> dict[str, np.ndarray]:
    """Every event date of a generated data set, by ``table.column``."""
    out = {}
    for table in TABLES.values():
        for col in table.columns:
            if col.type not in ("date", "datetime") or (table.name, col.name) in NOT_EVENTS:
                continue
            values = pacsv.read_csv(data / f"{table.name}.csv", convert_options=pacsv
                                    .ConvertOptions(include_columns=[col.name]))[col.name]
            out[f"{table.name}.{col.name}"] = np.asarray(
                values.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    return out


def assert_realistic_in_time(dates: dict[str, np.ndarray]) -> None:
    """No spike on any day of the checked months, no jump in the last week of either year."""
    problems = []
    for name, days in dates.items():
        ratio, day = worst_day(days, MIN_MEDIAN, within=CHECKED)
        if ratio > SPIKE and name not in SCHEDULED:
            problems.append(f"{name}: {day} holds {ratio:.1f} times its month's median day")
        for end in PERIOD_ENDS:
            back = (np.datetime64(end) - days[~np.isnat(days)]).astype(int)
            if ((back >= 7) & (back < 91)).sum() / 12 < MIN_WEEKLY:
                continue
            jump = end_jump(days, end)
            if not 1 / JUMP <= jump <= JUMP:
                problems.append(f"{name}: the week to {end} is {jump:.2f} times the 12 before")
    assert problems == [], problems


# Counts of the profile that are not catalogue indicators (derived splits).
NOT_INDICATORS = {"caution_adult", "other_sanctions"}


def load_with_truth(data_dir: Path, warehouse: Path):
    """Load a generated data set and store its truth as person links; returns the result."""
    from dvpi.ingest import load_dataset
    from dvpi.warehouse import connect

    result = load_dataset(data_dir, warehouse)
    con = connect(warehouse)
    try:
        store_truth_links(con, default_truth_dir(data_dir) / "people.csv")
    finally:
        con.close()
    return result


def mismatches(prof: Profile, indicators: dict) -> list[str]:
    """Every profile figure the computed indicators do not reproduce exactly."""
    bad = []
    for key, want in prof.counts.items():
        if key in NOT_INDICATORS or key not in indicators:
            continue
        got = indicators[key].get("value")
        if got != want:
            bad.append(f"{key}: want {want}, got {got}")
    for key, want in prof.breakdowns.items():
        if key not in indicators:
            continue
        values = indicators[key]["values"]
        for k, v in want.items():
            if values.get(k) != v:
                bad.append(f"{key}[{k}]: want {v}, got {values.get(k)}")
    return bad


def covered(prof: Profile, indicators: dict) -> set[str]:
    return {k for k in list(prof.counts) + list(prof.breakdowns) if k in indicators}
