"""Volume: how many DV-flagged reports were recorded."""

from __future__ import annotations

from dvpi.indicators.measures import count
from dvpi.indicators.model import Family, Identity, Indicator

FAMILY = Family("volume", "Volume", "How many DV-flagged reports were recorded in the period.")


def dv_reports(ctx):
    r = ctx.period_reports
    return r.filter(r.dv_flag)


def dv_crimes(ctx):
    r = dv_reports(ctx)
    return r.filter(r.classification == "crime")


def dv_non_crimes(ctx):
    r = dv_reports(ctx)
    return r.filter(r.classification == "non_crime")


NEEDS = ("reports",)

INDICATORS = (
    Indicator(
        "dv_incidents", "volume", "DV incidents",
        "DV-flagged reports recorded in the period, crimes and non-crime incidents.",
        "count", NEEDS, value=lambda ctx: count(dv_reports(ctx)), rules=("6",),
        identities=(Identity(("dv_crimes", "dv_non_crimes")),),
    ),
    Indicator(
        "dv_crimes", "volume", "DV crimes",
        "DV-flagged crimes recorded in the period.",
        "count", NEEDS, value=lambda ctx: count(dv_crimes(ctx)), rules=("6",),
    ),
    Indicator(
        "dv_non_crimes", "volume", "DV non-crime incidents",
        "DV-flagged non-crime incidents recorded in the period.",
        "count", NEEDS, value=lambda ctx: count(dv_non_crimes(ctx)), rules=("6",),
    ),
)
