"""When the version-2 records happen: the law's eras, and the delays between events.

Two things live here and nowhere else, so that a time model (daily and weekly patterns,
outcome delays) can later be applied to the version-2 tables in one place:

- :data:`ERAS` and :func:`in_force`: from when (and, for pilots, where) each notice,
  order, scheme and kind of bail exists. A date is judged in the calendar of the data
  set, i.e. after the national scale's shift (``state.date_shift``).
- :data:`DELAYS` and :func:`draw_dates`: the whole-day delay from one event to the next
  (report -> application, referral -> decision ...). Every version-2 date is drawn
  through :func:`draw_dates` or :func:`court_days`.

Sources and assumptions: docs/synthetic-data.md, "Version 2 tables".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

ONE_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Era:
    """A measure exists from ``start`` (inclusive) until ``end`` (exclusive, None: still),
    everywhere, or only in ``forces`` (every borough) and ``boroughs`` (of the London
    build, i.e. the Metropolitan Police) while it is a pilot."""

    start: dt.date
    end: dt.date | None = None
    forces: tuple[str, ...] | None = None
    boroughs: tuple[str, ...] = ()


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Domestic Abuse Act 2021 Part 3 pilot: GMP, the Met in Croydon, Bromley and Sutton, and
# BTP from 27 November 2024; Cleveland and North Wales "from early 2025" (we take
# 1 February 2025). DVPNs/DVPOs go on everywhere else.
_DAPO_PILOT = (
    Era(_d("2024-11-27"), forces=("Greater Manchester",),
        boroughs=("Croydon", "Bromley", "Sutton")),
    Era(_d("2025-02-01"), forces=("Cleveland", "North Wales")),
)
ERAS: dict[str, tuple[Era, ...]] = {
    # Crime and Security Act 2010 ss24-33: pilots in Greater Manchester, West Mercia and
    # Wiltshire (30 June 2011 - 30 June 2012), national roll-out 8 March 2014.
    "dvpn": (Era(_d("2011-06-30"), _d("2012-07-01"),
                 forces=("Greater Manchester", "West Mercia", "Wiltshire")),
             Era(_d("2014-03-08"))),
    "dvpo": (Era(_d("2011-06-30"), _d("2012-07-01"),
                 forces=("Greater Manchester", "West Mercia", "Wiltshire")),
             Era(_d("2014-03-08"))),
    "dapn": _DAPO_PILOT,
    "dapo": _DAPO_PILOT,
    # Family Law Act 1996 Part IV: throughout.
    "non_molestation": (Era(_d("1997-10-01")),),
    # Protection from Harassment Act 1997 s5; from 30 September 2009 (Domestic Violence,
    # Crime and Victims Act 2004 s12) on conviction for any offence, and on acquittal.
    "restraining": (Era(_d("1997-06-16")),),
    "restraining_any_offence": (Era(_d("2009-09-30")),),
    # Stalking Protection Act 2019, in force 20 January 2020.
    "stalking_protection": (Era(_d("2020-01-20")),),
    # Clare's Law: pilot in Greater Manchester, Gwent, Nottinghamshire and Wiltshire
    # (July 2012 - September 2013), all 43 forces from 8 March 2014.
    "dvds": (Era(_d("2012-07-01"), _d("2013-10-01"),
                 forces=("Greater Manchester", "Gwent", "Nottinghamshire", "Wiltshire")),
             Era(_d("2014-03-08"))),
    # Policing and Crime Act 2017: presumption against pre-charge bail from 3 April 2017;
    # Police, Crime, Sentencing and Courts Act 2022: bail reforms from 28 October 2022.
    "released_under_investigation": (Era(_d("2017-04-03")),),
    "bail_reform_2022": (Era(_d("2022-10-28")),),
    # Perpetrator programmes: IDAP (accredited 2004) until BBR replaced it; BBR from 2011;
    # Building Choices from July 2023 (written as `other`).
    "idap": (Era(_d("2004-01-01"), _d("2015-01-01")),),
    "bbr": (Era(_d("2011-01-01"), _d("2023-07-01")),),
    "building_choices": (Era(_d("2023-07-01")),),
    # DV victim satisfaction became the Home Office's one mandatory survey in April 2017.
    "mandatory_dv_survey": (Era(_d("2017-04-01")),),
}


def in_force(measure: str, dates: np.ndarray, force: str | None = None,
             boroughs: np.ndarray | None = None) -> np.ndarray:
    """Which ``dates`` (datetime64[D], already in the data set's calendar) fall in an era
    of ``measure``, for rows of ``force`` (None: the London build, the Met) in
    ``boroughs``."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    where = np.asarray(boroughs, dtype=object) if boroughs is not None \
        else np.full(len(dates), "", dtype=object)
    ok = np.zeros(len(dates), bool)
    for era in ERAS[measure]:
        inside = dates >= np.datetime64(era.start, "D")
        if era.end is not None:
            inside &= dates < np.datetime64(era.end, "D")
        if era.forces is not None:
            here = force in era.forces if force is not None else False
            met = force in (None, "Metropolitan") and bool(era.boroughs)
            if not here:
                inside &= np.isin(where, era.boroughs) if met else False
        ok |= inside
    return ok


@dataclass(frozen=True)
class Delay:
    """Whole days from one event to the next: ``low + round(lognormal)`` with the given
    median and spread (sigma of the log), capped at ``high``; sigma 0 means uniform on
    ``low..high``."""

    median: float
    sigma: float = 0.0
    low: int = 0
    high: int = 3650


DELAYS: dict[str, Delay] = {
    "cps_decision_not_charged": Delay(14, 1.0, 0, 400),  # referral -> NFA/caution advice
    "cps_decision_charged": Delay(1, 0.0, 0, 3),          # when no charge date is known
    "bail_without_outcome": Delay(35, 0.8, 1, 700),       # arrest -> NFA on a non-crime
    "civil_order_after_report": Delay(0, 0.0, 1, 60),     # report -> non-molestation appl.
    "sentence_after_first_hearing": Delay(28, 0.5, 0, 180),
    "order_decision": Delay(0, 0.0, 0, 14),               # application -> granted/refused
    "notice_to_order": Delay(0, 0.0, 1, 2),               # DVPN/DAPN -> DVPO/DAPO (48 h)
    "first_breach": Delay(45, 0.9, 1, 365),             # order -> first breach
    "notice_breach": Delay(0, 0.0, 0, 2),                # a notice lasts 48 hours
    "dvpo_breach": Delay(0, 0.0, 1, 28),                 # a DVPO lasts 28 days at most
    "dvds_right_to_ask": Delay(21, 0.6, 0, 180),          # received -> decision
    "dvds_right_to_know": Delay(14, 0.6, 0, 180),
    "dvds_after_report": Delay(0, 0.0, 0, 90),
    "marac_referral": Delay(0, 0.0, 0, 7),                # assessment -> referral
    "marac_preparation": Delay(0, 0.0, 3, 3),             # referral -> earliest conference
    "marac_repeat": Delay(120, 0.6, 14, 330),             # conference -> repeat referral
    "support_referral": Delay(0, 0.0, 0, 3),
    "survey_interview": Delay(0, 0.0, 42, 84),            # USS: 6-12 weeks after report
    "programme_wait_2008": Delay(189, 0.6, 7, 1100),      # order -> first session (27 wks)
    "programme_wait_later": Delay(84, 0.6, 7, 900),
    "programme_completed": Delay(0, 0.0, 182, 210),       # 26-30 weeks of sessions
    "programme_breached": Delay(0, 0.0, 14, 140),
    "programme_revoked": Delay(0, 0.0, 28, 140),
    "programme_other_end": Delay(0, 0.0, 7, 182),
}


def draw_days(rng: np.random.Generator, delay: str, n: int) -> np.ndarray:
    """``n`` whole-day delays of the named kind (as timedelta64[D])."""
    d = DELAYS[delay]
    if d.sigma == 0:
        days = rng.integers(d.low, d.high + 1, n)
    else:
        days = d.low + np.round(d.median * np.exp(d.sigma * rng.standard_normal(n)))
        days = np.minimum(days, d.high).astype(np.int64)
    return days * ONE_DAY


def draw_dates(rng: np.random.Generator, start: np.ndarray, delay: str) -> np.ndarray:
    """Each of ``start`` (datetime64[D]) moved on by a delay of the named kind."""
    start = np.asarray(start, dtype="datetime64[D]")
    return start + draw_days(rng, delay, len(start))


def court_days(dates: np.ndarray) -> np.ndarray:
    """Courts and conferences sit on weekdays: a Saturday or Sunday moves to Monday."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    weekday = (dates.astype("int64") + 3) % 7  # 0 = Monday; 1970-01-01 was a Thursday
    return dates + np.where(weekday >= 5, 7 - weekday, 0) * ONE_DAY


def next_meeting(after: np.ndarray, first: np.ndarray, every_days: np.ndarray) -> np.ndarray:
    """The first meeting on or after ``after`` of a series that met on ``first`` and every
    ``every_days`` days since (per row)."""
    after = np.asarray(after, dtype="datetime64[D]")
    first = np.asarray(first, dtype="datetime64[D]")
    gap = (after - first).astype(np.int64)
    k = np.maximum(0, -(-gap // every_days))
    return first + (k * every_days) * ONE_DAY
