"""The period and definition a page or API call asks for, with the defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import HTTPException

from dvpi.indicators.definitions import DEFAULT_DEFINITION, DEFINITIONS
from dvpi.indicators.periods import PeriodError, add_months, financial_year
from dvpi.stats import release
from dvpi.web.data import Snapshot

TREND_WEEKS = 13
# Dates a force's records can have; outside them a period is a typing error.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


@dataclass(frozen=True)
class Choice:
    start: dt.date
    end: dt.date
    definition: str
    year: str | None = None  # the financial year, when the period is one

    @property
    def year_before(self) -> tuple[dt.date, dt.date]:
        return add_months(self.start, -12), add_months(self.end, -12)

    def weeks(self, count: int = TREND_WEEKS) -> list[tuple[dt.date, dt.date]]:
        """The ``count`` whole weeks ending on the period's last day, oldest first."""
        out = []
        for i in range(count - 1, -1, -1):
            last = self.end - dt.timedelta(days=7 * i)
            out.append((last - dt.timedelta(days=6), last))
        return out

    def query(self) -> str:
        if self.year:
            return f"year={self.year}&definition={self.definition}"
        return f"start={self.start}&end={self.end}&definition={self.definition}"


def year_label(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def year_of(day: dt.date) -> str:
    return year_label(day.year if day.month >= 4 else day.year - 1)


def years_in(snap: Snapshot) -> list[str]:
    span = snap.date_range()
    if span is None:
        return []
    first = int(year_of(span[0])[:4])
    last = int(year_of(span[1])[:4])
    return [year_label(y) for y in range(last, first - 1, -1)]


def _date(text: str, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"{name} must be a date like 2007-04-01") from None
    return _in_range(day, name)


def _in_range(day: dt.date, name: str) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise HTTPException(400, f"{name} must be between {EARLIEST} and {LATEST}")
    return day


def choose(snap: Snapshot, year: str | None, start: str | None, end: str | None,
           definition: str | None) -> Choice:
    definition = definition or DEFAULT_DEFINITION
    if definition not in DEFINITIONS:
        raise HTTPException(400, f"definition must be one of {', '.join(DEFINITIONS)}")
    if start or end:
        if not (start and end):
            raise HTTPException(400, "give both start and end")
        first, last = _date(start, "start"), _date(end, "end")
        if first > last:
            raise HTTPException(400, "the period starts after it ends")
        # A financial year given as dates is that year (the same published figures).
        fy = year_label(first.year if first.month >= 4 else first.year - 1)
        if (first, last) == financial_year(fy):
            return Choice(first, last, definition, fy)
        return Choice(first, last, definition)
    if not year:
        span = snap.date_range()
        year = year_of(span[1]) if span else year_of(dt.date.today())
    try:
        first, last = financial_year(year)
    except (PeriodError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    _in_range(first, "year")
    _in_range(last, "year")
    return Choice(first, last, definition, year_label(first.year))


# What a protected audience (``access.PROTECTED_AUDIENCES``) may be given: the published
# grid of ``stats.release`` (financial years, one definition), the same rule as every other
# public output. See docs/security.md ("Disclosure control across outputs").
PUBLISHED_PERIODS = release.PUBLISHED_PERIODS
is_published = release.is_published


def published_only(choice: Choice) -> Choice:
    """The choice, if a protected audience may have it; else 400 naming what it may."""
    if not is_published(choice.start, choice.end, choice.definition):
        raise HTTPException(400, PUBLISHED_PERIODS)
    return choice
