"""Periods: financial years, the look-back and "the period of the same length just before"."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

LOOKBACK_MONTHS = 12


class PeriodError(ValueError):
    """A period that cannot be computed (start after end, a malformed year)."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months away, clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def financial_year(text: str) -> tuple[dt.date, dt.date]:
    """``2007-08`` (or ``2007-2008``, ``2007/08``) -> 2007-04-01 .. 2008-03-31."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", text)
    if not m:
        raise PeriodError(f"not a financial year: {text!r} (expected e.g. 2007-08)")
    first = int(m.group(1))
    second = m.group(2)
    expected = str(first + 1)
    if second not in (expected, expected[-2:]):
        raise PeriodError(f"not a financial year: {text!r} (the years must be consecutive)")
    return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)


def is_whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end == (end.replace(day=calendar.monthrange(end.year, end.month)[1]))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Rule 8: whole calendar months -> the same number of months before; else days."""
    if is_whole_months(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return add_months(start, -months), start - dt.timedelta(days=1)
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def lookback_start(start: dt.date) -> dt.date:
    """Rule 9: 12 calendar months before the start (29 February -> 28 February)."""
    return add_months(start, -LOOKBACK_MONTHS)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(f"the period starts ({self.start}) after it ends ({self.end})")

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        return previous_period(self.start, self.end)

    @property
    def lookback_start(self) -> dt.date:
        return lookback_start(self.start)

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}
