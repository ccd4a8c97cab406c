"""When things happen: daily weights with weekly and seasonal shape and match days."""

from __future__ import annotations

import datetime as dt

import numpy as np

# England matches and cup finals (DV reports rise on big match days).
MATCH_DAYS: tuple[str, ...] = (
    "2006-06-10", "2006-06-15", "2006-06-20", "2006-06-25", "2006-07-01",  # World Cup 2006
    "2006-09-02", "2006-09-06", "2006-10-07", "2006-10-11", "2007-03-24", "2007-03-28",
    "2007-06-06", "2007-09-08", "2007-09-12", "2007-10-13", "2007-10-17", "2007-11-21",
    "2007-05-19",  # FA Cup final 2007
    "2008-05-17",  # FA Cup final 2008
)
WEEKDAY_FACTOR = (1.05, 0.92, 0.90, 0.92, 1.00, 1.18, 1.20)  # Mon..Sun
MATCH_FACTOR = 1.35
FESTIVE_FACTOR = 1.30  # 24 December to 2 January


def day_weights(start: dt.date, end: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(days as datetime64[D], probability of each day)."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    w = np.array(WEEKDAY_FACTOR)[weekday]
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    w *= 1 + 0.08 * np.cos(2 * np.pi * (doy - 200) / 365.25)  # summer a little higher
    md = (days.astype("datetime64[M]").astype(int) % 12) + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    festive = ((md == 12) & (dom >= 24)) | ((md == 1) & (dom <= 2))
    w[festive] *= FESTIVE_FACTOR
    w[np.isin(days, np.array(MATCH_DAYS, dtype="datetime64[D]"))] *= MATCH_FACTOR
    return days, w / w.sum()


def draw_days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    days, p = day_weights(start, end)
    return rng.choice(days, size=n, p=p)
