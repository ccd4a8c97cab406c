"""Charging time and bail (version 2; the 2008 report, para 89): how long the CPS took
to decide, and how long suspects spent on pre-charge bail or released under
investigation; and the charging rate as ONS publishes it (issue 16)."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.families import cps
from dvpi.indicators.measures import breakdown, count, day_counts, days_between, over_days
from dvpi.indicators.model import Family, Indicator, Ref

FAMILY = Family(
    "charging_bail", "Charging time and bail",
    "Days are whole days between two dates (`end - start`); a row whose dates are blank is "
    "left out; \"over 8 weeks\" is strictly more than 56 days. CPS cases are scoped by "
    "their own borough; bail rows by the borough of their suspect's report, counted only "
    "when that report is DV-flagged, whatever its recorded date.",
)

CPS_NEEDS = ("cps_cases",)
BAIL_NEEDS = ("reports", "people", "bail")
KIND_KEYS: tuple[str, ...] = codes.BAIL_KINDS
KIND_LABELS = (("pre_charge_bail", "Pre-charge bail"),
               ("released_under_investigation", "Released under investigation"))
WEEKS_8 = codes.EIGHT_WEEKS_DAYS


def decided_cases(ctx):
    """DV-flagged CPS cases whose decision is dated in the period, with their days."""
    c = ctx.raw("cps_cases")
    c = c.filter(c.dv_flagged)
    c = ctx.dated(c, "decision_date")
    return c.mutate(days=days_between(c.decision_date, c.referred_date))


def ended_bail(ctx):
    """Bail rows whose end is dated in the period, with their days."""
    b = ctx.in_span(ctx.through_person("bail"), "end_date")
    return b.mutate(days=days_between(b.end_date, b.start_date))


def open_bail_over_8_weeks(ctx):
    """Bail rows running on the period's last day that had then run over 56 days."""
    b = ctx.on_last_day(ctx.through_person("bail"))
    running = (b.start_date <= b.last_day) & (b.end_date.isnull() | (b.end_date > b.last_day))
    return b.filter(running & (days_between(b.last_day, b.start_date) > WEEKS_8))


def _decision_days(ctx):
    t = decided_cases(ctx)
    return day_counts(t, t.days)


def _decisions_over_8_weeks(ctx):
    t = decided_cases(ctx)
    return over_days(t, t.days, WEEKS_8)


def _ended_by_kind(ctx):
    t = ended_bail(ctx)
    return breakdown(t, t.kind)


def _bail_days(ctx):
    t = ended_bail(ctx)
    return day_counts(t, t.days)


def _bail_over_8_weeks(ctx):
    t = ended_bail(ctx)
    return over_days(t, t.days, WEEKS_8)


def _open_by_kind(ctx):
    t = open_bail_over_8_weeks(ctx)
    return breakdown(t, t.kind)


INDICATORS = (
    Indicator(
        "cps_ons_charging_rate", "charging_bail", "CPS charging rate (ONS)",
        "As ONS publishes it: of the DV-flagged cases referred in the period with a legal "
        "decision (`charge`, `no_further_action`, or `caution_advised`, the out-of-court "
        "disposal), the share charged; `other` and undecided cases are left out.",
        "rate", CPS_NEEDS, numerator=lambda ctx: count(cps.charged(ctx)),
        denominator=lambda ctx: count(cps.legal_decisions(ctx)), rules=("18",), version=2,
    ),
    Indicator(
        "cps_days_to_decision", "charging_bail", "Days to a CPS charging decision",
        "Median of `decision_date - referred_date` over DV-flagged CPS cases whose "
        "`decision_date` is in the period.",
        "median", CPS_NEEDS,
        values=_decision_days,
        rules=("18", "29", "31", "32"), version=2,
    ),
    Indicator(
        "cps_decisions_over_8_weeks_rate", "charging_bail",
        "CPS decisions taking over 8 weeks",
        "Of the cases of `cps_days_to_decision`, the share taking over 56 days.",
        "rate", CPS_NEEDS,
        numerator=_decisions_over_8_weeks,
        denominator=Ref("cps_days_to_decision"), rules=("18", "29", "31"), version=2,
    ),
    Indicator(
        "bail_periods_ended", "charging_bail", "Bail periods ended",
        "Bail rows whose `end_date` is in the period, by `kind`.",
        "breakdown", BAIL_NEEDS,
        values=_ended_by_kind, keys=KIND_KEYS, key_labels=KIND_LABELS,
        rules=("29", "33"), version=2,
    ),
    Indicator(
        "bail_days", "charging_bail", "Days on bail",
        "Median of `end_date - start_date` over the rows of `bail_periods_ended`.",
        "median", BAIL_NEEDS, values=_bail_days,
        rules=("29", "31", "33"), version=2,
    ),
    Indicator(
        "bail_over_8_weeks_rate", "charging_bail", "Bail periods over 8 weeks",
        "Of the rows of `bail_periods_ended`, the share lasting over 56 days.",
        "rate", BAIL_NEEDS,
        numerator=_bail_over_8_weeks,
        denominator=Ref("bail_periods_ended"), rules=("29", "31", "33"), version=2,
    ),
    Indicator(
        "bail_open_over_8_weeks", "charging_bail", "Bail running over 8 weeks",
        "Bail rows running on the period's last day (`start_date` on or before it, "
        "`end_date` blank or after it) that had then run over 56 days (last day - "
        "`start_date` > 56), by `kind`; a row counts once whatever its report's recorded "
        "date.",
        "breakdown", BAIL_NEEDS,
        values=_open_by_kind,
        keys=KIND_KEYS, key_labels=KIND_LABELS, rules=("29", "31", "33"), version=2,
    ),
)
