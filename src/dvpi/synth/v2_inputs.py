"""What the version-2 steps read: the finished version-1 tables, joined once.

The version-2 tables hang off the version-1 rows (a bail period off an arrested suspect's
row, a MARAC case off a high-risk victim's row), so they are drawn from the tables the
earlier steps wrote, never from the plan: whatever the version-1 steps do to dates, the
version-2 rows follow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.synth.draws import age_at
from dvpi.synth.state import SynthState

LEVEL_RANK = {"standard": 1, "medium": 2, "high": 3}
# The version-2 tables, in the order they are written (after the version-1 tables).
V2_TABLE_ORDER = ("bail", "protective_orders", "disclosures", "marac_cases",
                  "support_referrals", "victim_surveys", "programme_requirements")


def people_frame(state: SynthState) -> pd.DataFrame:
    """One row per ``people`` row with its report's facts: person_id, report_id, role,
    pid (the true person, never written), borough, recorded, dv, crime, offence, gender,
    age (at the report), sde, arrested (date), level (the report's highest risk level,
    '' if none), assessed (that assessment's date), dash_high (a DASH with 14+ Y),
    main_suspect (the report's first suspect row)."""
    people, reports = state.tables["people"], state.tables["reports"]
    at = pd.Index(reports.report_id).get_indexer(people.report_id)  # the row's report
    recorded = reports.recorded_date.to_numpy("datetime64[D]")[at]
    occurred = reports.occurred_date.to_numpy("datetime64[D]")[at]
    reference = np.where(np.isnat(occurred), recorded, occurred)
    dob = people.date_of_birth.to_numpy("datetime64[D]")
    stated = pd.to_numeric(people.age, errors="coerce").to_numpy(float)
    role = people.role.to_numpy()
    suspect = role == "suspect"
    main = np.zeros(len(people), bool)
    main[np.flatnonzero(suspect)[~pd.Series(at[suspect]).duplicated().to_numpy()]] = True
    level, assessed, dash_high = _highest_risk(state.tables["risk_assessments"], reports)
    return pd.DataFrame({
        "person_id": people.person_id.to_numpy(), "report_id": people.report_id.to_numpy(),
        "role": role, "pid": state.people_rows.pid.to_numpy(),
        "gender": people.gender.fillna("U").to_numpy(),
        "sde": people.self_defined_ethnicity.to_numpy(),
        "arrested": people.arrest_date.to_numpy("datetime64[D]"),
        "borough": reports.borough.to_numpy()[at], "dv": reports.dv_flag.to_numpy(bool)[at],
        "offence": reports.offence.to_numpy()[at],
        "crime": reports.classification.to_numpy()[at] == "crime", "recorded": recorded,
        "age": np.where(np.isnat(dob), stated, age_at(dob, reference).astype(float)),
        "level": level[at], "assessed": assessed[at], "dash_high": dash_high[at],
        "main_suspect": main})


def _highest_risk(risk: pd.DataFrame, reports: pd.DataFrame) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per report (in ``reports`` order): the highest level over its assessments ('' for
    none), the date of the first assessment at that level, and whether any DASH had 14
    or more Y answers."""
    n = len(reports)
    at = pd.Index(reports.report_id).get_indexer(risk.report_id)
    rank = risk.risk_level.map(LEVEL_RANK).to_numpy(int)
    date = risk.assessed_date.to_numpy("datetime64[D]")
    order = np.lexsort((date, -rank, at))  # by report, highest level, earliest
    first = order[np.r_[True, at[order][1:] != at[order][:-1]]]
    level = np.full(n, "", dtype=object)
    level[at[first]] = risk.risk_level.to_numpy()[first]
    assessed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    assessed[at[first]] = date[first]
    yes = risk.dash_answers.fillna("").str.upper().str.count("Y").to_numpy()
    dash_high = np.zeros(n, bool)
    dash_high[at[(risk.tool.to_numpy() == "dash") & (yes >= 14)]] = True
    return level, assessed, dash_high


def extract_day(state: SynthState) -> np.datetime64:
    """The day the data was extracted: nothing is dated after it."""
    return state.extract_end


def calendar_dates(state: SynthState, dates: np.ndarray) -> np.ndarray:
    """``dates`` as they will be written (after the national scale's shift): the calendar
    in which the law's eras are judged."""
    return np.asarray(dates, dtype="datetime64[D]") \
        + np.timedelta64(state.date_shift_days, "D")


def calendar_years(state: SynthState, dates: np.ndarray) -> np.ndarray:
    return calendar_dates(state, dates).astype("datetime64[Y]").astype(int) + 1970


def by_year(table: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A value per row from a step table keyed by first year (the last key at or before
    the row's year; the first key before it)."""
    keys = np.array(sorted(table))
    values = np.array([table[k] for k in keys])
    index = np.clip(np.searchsorted(keys, years, side="right") - 1, 0, len(keys) - 1)
    return values[index]


def between_years(table: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A value per row on the straight line through a two-year table (held flat outside)."""
    (y0, v0), (y1, v1) = sorted(table.items())
    t = np.clip((years - y0) / (y1 - y0), 0, 1)
    return v0 + t * (v1 - v0)


def ids(prefix: str, n: int, start: int = 1) -> np.ndarray:
    return np.array([f"{prefix}{start + i:07d}" for i in range(n)], dtype=object)


def choose(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    """``n`` keys of ``weights`` drawn with replacement in proportion to their values."""
    p = np.array(list(weights.values()), float)
    return rng.choice(np.array(list(weights), dtype=object), n, p=p / p.sum())


def date_column(values: np.ndarray) -> np.ndarray:
    """Dates as written: datetime64[s] with NaT for blanks."""
    return np.asarray(values, dtype="datetime64[D]").astype("datetime64[s]")


def nullable_bool(values: np.ndarray, known: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(known, values, None).tolist(), dtype="boolean"))
