"""Crown Prosecution Service: DV-flagged cases referred, charged, prosecuted, convicted."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import count
from dvpi.indicators.model import Diff, Family, Indicator, Ref

FAMILY = Family(
    "cps", "Crown Prosecution Service",
    "DV-flagged CPS cases, scoped by the case's own borough (never through the report).",
)

NEEDS = ("cps_cases",)
CHARGE_DECISION = "charge"
CONVICTED = "convicted"


def _dv_cases(ctx, date_column: str):
    c = ctx.raw("cps_cases")
    c = c.filter(c.dv_flagged)
    return ctx.dated(c, date_column)


def referrals(ctx):
    return _dv_cases(ctx, "referred_date")


def prosecutions(ctx):
    return _dv_cases(ctx, "prosecution_date")


def _decided(ctx):
    r = referrals(ctx)
    return r.filter(r.decision.notnull())


def charged(ctx):
    r = referrals(ctx)
    return r.filter(r.decision == CHARGE_DECISION)


def legal_decisions(ctx):
    """Decisions ONS counts as legal decisions: charge, no further action and an
    out-of-court disposal (``caution_advised``); ``other`` is left out."""
    r = referrals(ctx)
    return r.filter(r.decision.isin(codes.CPS_LEGAL_DECISIONS))


def _finished(ctx):
    p = prosecutions(ctx)
    return p.filter(p.outcome.isin(codes.CPS_FINISHED_OUTCOMES))


def _convicted(ctx):
    p = prosecutions(ctx)
    return p.filter(p.outcome == CONVICTED)


INDICATORS = (
    Indicator(
        "cps_dv_referrals", "cps", "CPS DV referrals",
        "DV-flagged CPS cases referred for a charging decision in the period.",
        "count", NEEDS, value=lambda ctx: count(referrals(ctx)), rules=("18",),
    ),
    Indicator(
        "cps_charging_rate", "cps", "CPS charging rate",
        "Of the DV-flagged cases referred in the period that have a decision, the share whose "
        "decision is `charge` (`caution_advised` and `other` are not charges).",
        "rate", NEEDS, numerator=lambda ctx: count(charged(ctx)),
        denominator=lambda ctx: count(_decided(ctx)), rules=("18",),
    ),
    Indicator(
        "cps_dv_prosecutions", "cps", "CPS DV prosecutions",
        "DV-flagged CPS cases whose prosecution began in the period.",
        "count", NEEDS, value=lambda ctx: count(prosecutions(ctx)), rules=("18",),
    ),
    Indicator(
        "cps_conviction_rate", "cps", "CPS conviction rate",
        "Of `cps_dv_prosecutions`, convicted cases over finished cases (convicted, acquitted "
        "or discontinued), whenever they finished.",
        "rate", NEEDS, numerator=lambda ctx: count(_convicted(ctx)),
        denominator=lambda ctx: count(_finished(ctx)), rules=("18",),
    ),
    Indicator(
        "charge_prosecution_gap", "cps", "Charge-prosecution gap",
        "`1 - cps_dv_prosecutions / charges`: numerator `charges - cps_dv_prosecutions`, "
        "denominator `charges`; may be negative.",
        "rate", ("cps_cases", "reports", "outcomes"),
        numerator=Diff(Ref("charges"), Ref("cps_dv_prosecutions")), denominator=Ref("charges"),
        rules=("18",),
    ),
)
