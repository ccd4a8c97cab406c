"""The synthetic data's time model: on which days things happen, and how long after.

Every date the generator writes comes from here, so that every dated table has the same
daily and weekly texture (sources and numbers in docs/synthetic-data.md, "Time"):

- **Incidents** (``"incident"`` days) are recorded more at weekends, a little more in
  summer, over Christmas and New Year (most on New Year's Day) and on the days England
  plays in a World Cup or European Championship (more when England loses, and the day
  after).
- **Office work** (``"office"``: investigation outcomes, reviews) happens on weekdays,
  little at weekends, on bank holidays and between Christmas and New Year; **courts**
  (``"court"``: first hearings) sit on weekdays only, with a few Saturday remand courts.
- **Delays** (:data:`DELAYS`) are drawn, never placed: a share settled at once (custody,
  the same or next day), the rest lognormal (most within weeks, a long tail over months).
  The day a delay lands on is then kept with the probability of its kind of day (drawn
  again otherwise), so office work does not pile up on Mondays.

API (for the pipeline's steps and any new table's):

    draw_days(rng, n, start, end, kind="incident") -> datetime64[D]   n days in [start, end]
    draw_after(rng, starts, "custody_outcome", latest=None) -> datetime64[D]
        one date per start: start + a delay of DELAYS[name] on a day of its kind; with
        ``latest`` the draw is conditioned on falling on or before it
    draw_before(rng, ends, "occurrence") -> datetime64[D]   end - a delay (occurred dates)
    day_weights(days, kind) -> weights of the days (kind: incident, office, court, any)
    worst_day(dates) / end_jump(dates, end) -> the checks tests and benchmarks apply

Everything works for any year (bank holidays are computed, Easter included), so a build of
another year (the national profile's) gets its own Christmas, Easter and tournaments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np

# Incidents by weekday, Monday..Sunday (weekends higher).
WEEKDAY_FACTOR = (1.05, 0.92, 0.90, 0.92, 1.00, 1.18, 1.20)
SUMMER_AMPLITUDE = 0.08   # +-8% over the year, highest in mid-July
SUMMER_PEAK_DAY = 200     # day of the year
# Christmas and New Year: (month, day) -> factor; about +25% over 17 December-4 January.
FESTIVE: dict[tuple[int, int], float] = {
    **{(12, d): 1.1 for d in range(17, 24)}, (12, 24): 1.2, (12, 25): 1.3, (12, 26): 1.3,
    **{(12, d): 1.2 for d in range(27, 31)}, (12, 31): 1.3, (1, 1): 1.7,
    (1, 2): 1.25, (1, 3): 1.25, (1, 4): 1.25,
}
# England's matches in the World Cup and European Championship finals: "W" won or drew,
# "L" lost (a penalty shoot-out lost counts as lost).
ENGLAND_TOURNAMENT_MATCHES: dict[str, str] = {
    # World Cup 2002
    "2002-06-02": "W", "2002-06-07": "W", "2002-06-12": "W", "2002-06-15": "W",
    "2002-06-21": "L",
    # Euro 2004
    "2004-06-13": "L", "2004-06-17": "W", "2004-06-21": "W", "2004-06-24": "L",
    # World Cup 2006
    "2006-06-10": "W", "2006-06-15": "W", "2006-06-20": "W", "2006-06-25": "W",
    "2006-07-01": "L",
    # Euro 2008: England did not qualify. World Cup 2010
    "2010-06-12": "W", "2010-06-18": "W", "2010-06-23": "W", "2010-06-27": "L",
    # Euro 2012
    "2012-06-11": "W", "2012-06-15": "W", "2012-06-19": "W", "2012-06-24": "L",
    # World Cup 2014
    "2014-06-14": "L", "2014-06-19": "L", "2014-06-24": "W",
    # Euro 2016
    "2016-06-11": "W", "2016-06-16": "W", "2016-06-20": "W", "2016-06-27": "L",
}
MATCH_FACTOR = {"W": 1.26, "L": 1.38}
DAY_AFTER_MATCH_FACTOR = 1.11
# Office work and courts, Monday..Sunday; bank holidays and 27-31 December apart.
OFFICE_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.2)
OFFICE_BANK_HOLIDAY = 0.2
OFFICE_CHRISTMAS_WEEK = 0.6
COURT_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.0)
COURT_BANK_HOLIDAY = 0.0


@dataclass(frozen=True)
class Delay:
    """Days from one event to the next: ``quick`` of them within ``quick_days`` (0 the
    same day), the rest lognormal around ``median`` days; landing on days of ``days``."""

    quick: float
    median: float
    sigma: float
    days: str = "any"
    quick_days: int = 1

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        quick = rng.random(n) < self.quick
        slow = np.round(rng.lognormal(np.log(self.median), self.sigma, n)).astype(np.int64)
        fast = rng.integers(0, self.quick_days + 1, n)
        return np.where(quick, fast, np.maximum(slow, self.quick_days + 1))


DELAYS: dict[str, Delay] = {
    # Incident to recording (drawn backwards from the recorded date).
    "occurrence": Delay(quick=0.70, median=3, sigma=1.2, quick_days=0),
    # Incident to arrest: most at the scene; some suspects found days later.
    "arrest": Delay(quick=0.80, median=4, sigma=0.9, quick_days=0),
    # Recording to risk assessment (at the scene or the next day), then the CSU's review.
    "risk_assessment": Delay(quick=0.85, median=3, sigma=0.6),
    "risk_review": Delay(quick=0.0, median=6, sigma=0.5, days="office"),
    # Recording to a sanction: charged or cautioned in custody, else after investigation
    # on bail; a crime with nobody arrested waits longer.
    "custody_outcome": Delay(quick=0.55, median=28, sigma=1.0),
    "investigation_outcome": Delay(quick=0.05, median=35, sigma=1.0, days="office"),
    "non_sanction_outcome": Delay(quick=0.10, median=30, sigma=1.0, days="office"),
    # CPS: referral before the charge (drawn backwards), the first hearing after it, and
    # advice (no further action, caution) on arrested crimes not charged.
    "cps_referral": Delay(quick=0.70, median=2, sigma=0.7, quick_days=0),
    "first_hearing": Delay(quick=0.30, median=14, sigma=0.5, days="court"),
    "cps_advice": Delay(quick=0.0, median=10, sigma=0.7, days="office"),
    # Domestic homicide reviews: started weeks after the homicide, done months later.
    "review_start": Delay(quick=0.0, median=40, sigma=0.5, days="office"),
    "review_completion": Delay(quick=0.0, median=110, sigma=0.4, days="office"),
}


def _easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = (dt.date(year, month + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)) \
        - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays of ``year`` (the regular ones, with substitute
    days; one-off royal holidays are not in it)."""
    easter = _easter(year)
    new_year = dt.date(year, 1, 1)
    days = {new_year if new_year.weekday() < 5 else _monday_on_or_after(new_year),
            easter - dt.timedelta(days=2), easter + dt.timedelta(days=1),
            _monday_on_or_after(dt.date(year, 5, 1)), _last_monday(year, 5),
            _last_monday(year, 8)}
    christmas = dt.date(year, 12, 25)
    if christmas.weekday() < 4:      # Monday..Thursday: 25 and 26
        days |= {christmas, christmas + dt.timedelta(days=1)}
    elif christmas.weekday() == 4:   # Friday: Boxing Day on Monday 28
        days |= {christmas, dt.date(year, 12, 28)}
    else:                            # Saturday or Sunday: Monday 27 and Tuesday 28
        days |= {dt.date(year, 12, 27), dt.date(year, 12, 28)}
    return frozenset(days)


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weekday (0 Monday), year, month and day of month of datetime64[D] days."""
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    year = days.astype("datetime64[Y]").astype(int) + 1970
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    day = (days - days.astype("datetime64[M]")).astype(int) + 1
    return weekday, year, month, day


def _is_bank_holiday(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    holidays = [d for y in np.unique(years).tolist() for d in bank_holidays(int(y))]
    return np.isin(days, np.array(holidays, dtype="datetime64[D]"))


def day_weights(days: np.ndarray, kind: str = "incident") -> np.ndarray:
    """The relative weight of each day (datetime64[D]) for ``kind``: ``incident``,
    ``office``, ``court`` or ``any`` (every day alike)."""
    days = np.asarray(days, dtype="datetime64[D]")
    weekday, year, month, day = _parts(days)
    if kind == "any":
        return np.ones(len(days))
    if kind in ("office", "court"):
        office = kind == "office"
        w = np.array(OFFICE_WEEKDAY if office else COURT_WEEKDAY)[weekday]
        holiday = _is_bank_holiday(days, year)
        w[holiday] = OFFICE_BANK_HOLIDAY if office else COURT_BANK_HOLIDAY
        christmas_week = (month == 12) & (day >= 27) & ~holiday & (weekday < 5)
        w[christmas_week] *= OFFICE_CHRISTMAS_WEEK
        return w
    if kind != "incident":
        raise ValueError(f"unknown kind of day {kind!r}")
    w = np.array(WEEKDAY_FACTOR)[weekday]
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    w = w * (1 + SUMMER_AMPLITUDE * np.cos(2 * np.pi * (doy - SUMMER_PEAK_DAY) / 365.25))
    for (m, d), factor in FESTIVE.items():
        w[(month == m) & (day == d)] *= factor
    matches = np.array(list(ENGLAND_TOURNAMENT_MATCHES), dtype="datetime64[D]")
    for result, factor in MATCH_FACTOR.items():
        on = np.array([r == result for r in ENGLAND_TOURNAMENT_MATCHES.values()])
        w[np.isin(days, matches[on])] *= factor
    w[np.isin(days, matches + 1) & ~np.isin(days, matches)] *= DAY_AFTER_MATCH_FACTOR
    return w


def draw_days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date,
              kind: str = "incident") -> np.ndarray:
    """``n`` days in ``start``..``end`` (inclusive), each drawn by its weight."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    w = day_weights(days, kind)
    return rng.choice(days, size=n, p=w / w.sum())


def _weights_on(dates: np.ndarray, kind: str) -> np.ndarray:
    """Weights of ``dates`` (relative to the kind's heaviest day), computed over their span."""
    if kind == "any" or len(dates) == 0:
        return np.ones(len(dates))
    first, last = dates.min(), dates.max()
    span = np.arange(first, last + 1)
    w = day_weights(span, kind)
    top = 1.0 if kind in ("office", "court") else w.max()  # their weekdays weigh 1
    return w[(dates - first).astype(int)] / top


def _draw_shifted(rng: np.random.Generator, anchors: np.ndarray, delay: Delay, sign: int,
                  latest: np.datetime64 | None) -> np.ndarray:
    anchors = np.asarray(anchors, dtype="datetime64[D]")
    out = np.empty(len(anchors), dtype="datetime64[D]")
    todo = np.arange(len(anchors))
    for _ in range(40):
        if len(todo) == 0:
            return out
        dates = anchors[todo] + sign * delay.draw(rng, len(todo)) * np.timedelta64(1, "D")
        keep = rng.random(len(todo)) < _weights_on(dates, delay.days)
        if latest is not None:
            keep &= dates <= latest
        out[todo[keep]] = dates[keep]
        todo = todo[~keep]
    # Left after many draws (a start just before ``latest``): any day up to it.
    if len(todo):
        room = np.maximum((latest - anchors[todo]).astype(int), 0) if latest is not None \
            else np.zeros(len(todo), int)
        out[todo] = anchors[todo] + sign * (rng.random(len(todo)) * (room + 1)).astype(int)
    return out


def draw_after(rng: np.random.Generator, starts: np.ndarray, delay: str | Delay,
               latest: np.datetime64 | dt.date | None = None) -> np.ndarray:
    """One date per start: the start plus a delay drawn from ``delay`` (a name of
    :data:`DELAYS`), on a day of its kind; on or before ``latest`` when given."""
    d = DELAYS[delay] if isinstance(delay, str) else delay
    limit = None if latest is None else np.datetime64(latest, "D")
    return _draw_shifted(rng, starts, d, 1, limit)


def draw_before(rng: np.random.Generator, ends: np.ndarray, delay: str | Delay) -> np.ndarray:
    """One date per end: the end minus a delay drawn from ``delay``."""
    return _draw_shifted(rng, ends, DELAYS[delay] if isinstance(delay, str) else delay, -1,
                         None)


# The checks: what "no spike" and "no end-of-period jump" mean, for tests and benchmarks.

def worst_day(dates: np.ndarray, min_median: float = 0.0,
              within: tuple[dt.date, dt.date] | None = None) -> tuple[float, np.datetime64 | None]:
    """The largest ratio of a day's count to the median daily count of its month (every
    day of the month counts, empty days as 0), and that day. Months whose median is
    below ``min_median`` are skipped (too few rows to tell a spike from chance), and with
    ``within`` (first, last) so are months not wholly inside it (the edges of an extract:
    occurred dates before its first recorded day)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    days = days[~np.isnat(days)]
    if within is not None:
        low, high = (np.datetime64(d, "D") for d in within)
        days = days[(days >= low) & (days <= high)]
    if len(days) == 0:
        return 0.0, None
    first = days.min().astype("datetime64[M]").astype("datetime64[D]")
    last = (days.max().astype("datetime64[M]") + 1).astype("datetime64[D]")
    counts = np.bincount((days - first).astype(int), minlength=int((last - first).astype(int)))
    span = np.arange(first, last)
    month = span.astype("datetime64[M]")
    worst, worst_day_ = 0.0, None
    for m in np.unique(month):
        if within is not None and not (m.astype("datetime64[D]") >= low
                                       and (m + 1).astype("datetime64[D]") - 1 <= high):
            continue
        in_month = counts[month == m]
        median = float(np.median(in_month))
        if median <= 0 or median < min_median:
            continue
        i = int(in_month.argmax())
        ratio = in_month[i] / median
        if ratio > worst:
            worst, worst_day_ = ratio, span[month == m][i]
    return worst, worst_day_


def end_jump(dates: np.ndarray, end: dt.date | np.datetime64, weeks: int = 12) -> float:
    """The count of the 7 days ending on ``end`` over the mean count of the ``weeks``
    7-day blocks before them (1.0: no jump; nan when those blocks are empty)."""
    days = np.asarray(dates, dtype="datetime64[D]")
    last = np.datetime64(end, "D")
    back = (last - days[~np.isnat(days)]).astype(int)
    back = back[(back >= 0) & (back < 7 * (weeks + 1))]
    blocks = np.bincount(back // 7, minlength=weeks + 1)
    mean = blocks[1:].mean()
    return float(blocks[0] / mean) if mean > 0 else float("nan")
