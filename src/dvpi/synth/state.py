"""The one object the synthetic-data pipeline passes from step to step.

Each step of :data:`dvpi.synth.pipeline.STEPS` reads fields set by the steps before it and
sets its own; the fields below are grouped (and ordered) by the step module that sets them.
Frames use a few short column names throughout, all integers: ``rid`` a report's index
(its row in ``reports``), ``pid`` a true person's index, ``vno`` a victim's number on its
report, ``sno`` a suspect's number, ``srow`` a suspect row's index in ``suspect_rows``;
``v1``/``v2`` the first and second victim of a report (-1: none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from dvpi.synth.parameters import EXTRACT_DAYS_AFTER, PLAN
from dvpi.synth.profile import Profile


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame()


def _empty_array() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


class PersonIds:
    """Hands out true-person indexes in order (the order is part of the seed's output)."""

    def __init__(self) -> None:
        self.next_id = 0

    def take(self, k: int) -> np.ndarray:
        ids = np.arange(self.next_id, self.next_id + k)
        self.next_id += k
        return ids


@dataclass
class Built:
    """What a build produces: every table of the interchange format, and the truth."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame


class ReportMasks(NamedTuple):
    in_period: np.ndarray   # recorded in the calibrated year (else the year before)
    dv: np.ndarray          # DV-flagged
    crime: np.ndarray       # a crime (else a non-crime incident)
    qualifying: np.ndarray  # has a qualifying victim-suspect pair (SPI8a)


def report_masks(reports: pd.DataFrame) -> ReportMasks:
    return ReportMasks((reports.year == "P").to_numpy(), reports.dv.to_numpy(bool),
                       (reports.cls == "crime").to_numpy(), (reports.reason == "q").to_numpy())


@dataclass
class SynthState:
    profile: Profile
    seed: int
    rng: np.random.Generator
    person_ids: PersonIds = field(default_factory=PersonIds)
    # Where the build lands: the national scale moves its dates on by whole weeks and
    # gives it to a force (None: the Met, London). Only the version-2 steps read them
    # (the law's eras are judged in the written calendar).
    date_shift_days: int = 0
    force: str | None = None
    # The year before's volume over the year's (reports.py). England and Wales drops the
    # year before of every build, so it builds less of it (synth/ew.py).
    previous_year_volume: float = PLAN["previous_year_volume"]

    # victims.py: the year's adult DV victims planned person-first.
    # victim_persons: kind (1-6), crimes / non_crimes (victim rows in the year's DV crimes
    # and non-crimes), crimes_before / non_crimes_before (in the year before), pid.
    victim_persons: pd.DataFrame = field(default_factory=_empty_frame)
    dual_arrest_crimes: int = 0        # dual-arrest incidents that are crimes
    dual_arrest_non_crimes: int = 0
    two_victim_crimes: int = 0         # other crimes with a second (child) victim
    homicide_victims: np.ndarray = field(default_factory=_empty_array)  # pids
    dual_arrest_crime_parties: np.ndarray = field(default_factory=_empty_array)  # pairs
    dual_arrest_non_crime_parties: np.ndarray = field(default_factory=_empty_array)
    # FM victim rows (gender, ic, sde, age); the first fm_records_dv are the DV reports'.
    fm_victims: pd.DataFrame = field(default_factory=_empty_frame)
    fm_adult_dv_victims: np.ndarray = field(default_factory=_empty_array)  # pids
    # Units of the DV crime victim marginals: pid, rec_gender, rec_ic, group, w (rows).
    victim_units: pd.DataFrame = field(default_factory=_empty_frame)

    # reports.py: reports by group (year, cls, dv, rec, reason, kind, v1, v2) ...
    dv_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    dv_non_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    fm_child_dv_victims: np.ndarray = field(default_factory=_empty_array)  # pids
    previous_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    previous_non_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    # The year before's FM victims (as fm_victims), the pids of its DV FM reports' victims
    # (in the frame's order of adults, then children) and which non-DV reports have an adult.
    previous_fm_victims: pd.DataFrame = field(default_factory=_empty_frame)
    previous_fm_dv_victims: np.ndarray = field(default_factory=_empty_array)
    previous_fm_reports_not_dv_adult: np.ndarray = field(default_factory=_empty_array)
    unflagged_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    unflagged_non_crimes: pd.DataFrame = field(default_factory=_empty_frame)
    unflagged_other: pd.DataFrame = field(default_factory=_empty_frame)
    fm_reports_not_dv: pd.DataFrame = field(default_factory=_empty_frame)
    fm_reports_not_dv_adult: np.ndarray = field(default_factory=_empty_array)  # bool
    previous_unflagged: pd.DataFrame = field(default_factory=_empty_frame)
    # ... then all of them, indexed by rid once the suspects are laid out.
    reports: pd.DataFrame = field(default_factory=_empty_frame)
    victim_rows: pd.DataFrame = field(default_factory=_empty_frame)   # rid, pid, vno, ...
    fm_victims_by_person: pd.DataFrame = field(default_factory=_empty_frame)
    suspect_rows: pd.DataFrame = field(default_factory=_empty_frame)  # rid, pid, sno, ...

    # outcomes.py
    period_homicides: np.ndarray = field(default_factory=_empty_array)  # mask of reports
    outcome_events: list[tuple[int, int, np.datetime64]] = field(default_factory=list)
    # Reports with a sanction (dated, or after the extract date), and those whose sanction
    # is settled (given, or ruled out: a juvenile's crime beyond the year's juveniles).
    detected: np.ndarray = field(default_factory=_empty_array)
    sanction_settled: np.ndarray = field(default_factory=_empty_array)
    sanctions_left: dict[str, int] = field(default_factory=dict)
    outcomes: pd.DataFrame = field(default_factory=_empty_frame)  # rid, type, date, srow
    involvements: pd.DataFrame = field(default_factory=_empty_frame)  # accused: rid, pid
    dual_arrest_persons: set[int] = field(default_factory=set)
    homicide_suspects: set[int] = field(default_factory=set)

    # persons.py
    people_rows: pd.DataFrame = field(default_factory=_empty_frame)  # victims and suspects
    persons: pd.DataFrame = field(default_factory=_empty_frame)      # true attributes
    calibrated_victims: pd.DataFrame = field(default_factory=_empty_frame)  # units by pid
    homicide_suspect_genders: dict[int, str] = field(default_factory=dict)
    homicide_suspect_bands: dict[int, str] = field(default_factory=dict)
    accused: pd.DataFrame = field(default_factory=_empty_frame)  # gender, ic, group

    # recording.py
    report_ids: pd.Series = field(default_factory=pd.Series)
    nominal_missing_rows: np.ndarray = field(default_factory=_empty_array)  # masks of
    nominal_shared_rows: np.ndarray = field(default_factory=_empty_array)   # people_rows
    nominal_second_rows: np.ndarray = field(default_factory=_empty_array)   # row indexes

    # tables.py
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    truth: pd.DataFrame = field(default_factory=_empty_frame)

    # casework.py, orders.py, services.py: the version-2 tables, from their own random
    # stream (so the version-1 tables never move) and the people rows with their
    # reports' facts (v2_inputs.people_frame).
    v2_rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    v2_people: pd.DataFrame = field(default_factory=_empty_frame)
    v2_court_cases: pd.DataFrame = field(default_factory=_empty_frame)  # finished, dated

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The calibrated financial year."""
        return self.profile.start, self.profile.end

    @property
    def previous_period(self) -> tuple[dt.date, dt.date]:
        """The financial year before it."""
        start = self.profile.start
        return dt.date(start.year - 1, 4, 1), start - dt.timedelta(days=1)

    @property
    def period_days(self) -> tuple[np.datetime64, np.datetime64]:
        return np.datetime64(self.profile.start, "D"), np.datetime64(self.profile.end, "D")

    @property
    def previous_period_days(self) -> tuple[np.datetime64, np.datetime64]:
        start, end = self.previous_period
        return np.datetime64(start, "D"), np.datetime64(end, "D")

    @property
    def extract_end(self) -> np.datetime64:
        """The day the data were extracted: nothing in them is dated after it."""
        return np.datetime64(self.profile.end, "D") + EXTRACT_DAYS_AFTER
