"""Perpetrator programmes (version 2; the 2008 report, paras 76-78): programme
requirements ordered by courts, completed, and lapsing before a place was found."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import breakdown, count, day_counts, days_between
from dvpi.indicators.model import Family, Indicator

FAMILY = Family(
    "programmes", "Perpetrator programmes",
    "Programme requirements scoped through the offender's report, counted only when it is "
    "DV-flagged, whatever its recorded date; each figure counts by the date it names.",
)

NEEDS = ("reports", "people", "programme_requirements")
PROGRAMME_KEYS: tuple[str, ...] = tuple(codes.PROGRAMMES)
LOOK_AHEAD_DAYS = codes.EIGHT_WEEKS_DAYS


def requirements(ctx):
    return ctx.through_person("programme_requirements")


def _ordered_by_programme(ctx):
    r = ctx.in_span(requirements(ctx), "ordered_date")
    return breakdown(r, r.programme)


def ended(ctx):
    return ctx.in_span(requirements(ctx), "ended_date")


def _ended_as(reason: str):
    def measure(ctx):
        r = ended(ctx)
        return count(r.filter(r.ended_reason == reason))

    return measure


def at_risk_of_expiry(ctx):
    """Orders made by the period's last day, not started (blank `started_date`) and not
    ended on it, whose `expiry_date` is 1 to 56 days after it."""
    r = ctx.on_last_day(requirements(ctx))
    ahead = days_between(r.expiry_date, r.last_day)
    return r.filter(
        (r.ordered_date <= r.last_day) & r.started_date.isnull()
        & (r.ended_date.isnull() | (r.ended_date > r.last_day))
        & ahead.between(1, LOOK_AHEAD_DAYS)
    )


def _days_to_start(ctx):
    r = ctx.in_span(requirements(ctx), "started_date")
    return day_counts(r, days_between(r.started_date, r.ordered_date))


INDICATORS = (
    Indicator(
        "programme_requirements_ordered", "programmes", "Programme requirements ordered",
        "Requirements whose `ordered_date` is in the period, by `programme`.",
        "breakdown", NEEDS, values=_ordered_by_programme, keys=PROGRAMME_KEYS,
        key_labels=tuple(codes.PROGRAMMES.items()),
        rules=("29", "33"), version=2,
    ),
    Indicator(
        "programme_completion_rate", "programmes", "Programme completion",
        "Of the requirements whose `ended_date` is in the period, the share `completed`.",
        "rate", NEEDS, numerator=_ended_as(codes.COMPLETED),
        denominator=lambda ctx: count(ended(ctx)), rules=("29", "33"), version=2,
    ),
    Indicator(
        "programme_expired_before_start", "programmes", "Programme orders expired before a start",
        "Requirements whose `ended_date` is in the period and whose `ended_reason` is "
        "`expired_before_start`: the order ran out before a place was found (para 78).",
        "count", NEEDS, value=_ended_as(codes.EXPIRED_BEFORE_START), rules=("29", "33"),
        version=2,
    ),
    Indicator(
        "programme_at_risk_of_expiry", "programmes", "Programme orders at risk of expiry",
        "Requirements ordered on or before the period's last day, not started (blank "
        "`started_date`) and not ended on it (`ended_date` blank or after it), whose "
        "`expiry_date` falls within the 8 weeks after it (1 to 56 days later): these orders "
        "will lapse unless a place is found.",
        "count", NEEDS, value=lambda ctx: count(at_risk_of_expiry(ctx)), rules=("29", "33"),
        version=2,
    ),
    Indicator(
        "programme_days_to_start", "programmes", "Days from order to programme start",
        "Median of `started_date - ordered_date` over requirements whose `started_date` is "
        "in the period.",
        "median", NEEDS, values=_days_to_start, rules=("29", "31", "33"), version=2,
    ),
)
