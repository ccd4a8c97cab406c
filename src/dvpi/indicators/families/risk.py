"""Risk and service: risk assessment compliance and levels, DASH, calls for service."""

from __future__ import annotations

import ibis

from dvpi.contract import codes
from dvpi.indicators.families.volume import dv_reports
from dvpi.indicators.measures import breakdown, count
from dvpi.indicators.model import Family, Identity, Indicator, Ref

FAMILY = Family(
    "risk", "Risk and service",
    "Risk assessments on DV-flagged reports of the period (any date, any tool) and DV "
    "calls for service.",
)

NEEDS = ("reports", "risk_assessments")
CAD_NEEDS = ("cad_calls",)
NO_ASSESSMENT_KEY = "none"
LEVEL_KEYS: tuple[str, ...] = (*codes.RISK_LEVELS, NO_ASSESSMENT_KEY)
DASH_TOOL = "dash"
YES = "Y"
ELEVATED: tuple[str, ...] = ("medium", "high")
HIGH = "high"
PRIMARY = codes.RISK_STAGES[0]  # the other stage is secondary


def period_assessments(ctx):
    """Risk assessment rows of any date on the period's DV-flagged reports (no cell):
    made once, not every year's rows read again by each measure and the summary."""

    def build():
        ra = ctx.raw("risk_assessments")
        ra = ra.semi_join(dv_reports(ctx).select("report_id"), "report_id")
        return ra.select("report_id", "tool", "dash_answers", "quality_assured", "risk_level",
                         "stage", "plan_recorded")

    return ctx.memo("period_assessments", build)


def assessments(ctx):
    """Risk assessment rows of any date on the period's DV-flagged reports, per cell."""
    r = dv_reports(ctx).select("report_id", "cell")
    return period_assessments(ctx).join(r, "report_id")


def _level_rank(level):
    """A risk level's place in ``codes.RISK_LEVELS`` (standard < medium < high)."""
    return ibis.cases(*[(level == lvl, i) for i, lvl in enumerate(codes.RISK_LEVELS)])


def risk_summary(ctx):
    """Per DV-flagged report of the period with assessments (of any date): whether a
    primary assessment is medium or high, any assessment is medium or high, any is high,
    any is secondary, any records a plan, and the rank of the highest level assessed.
    Made once; every measure of this family and of risk management filters it."""

    def build():
        ra = period_assessments(ctx)
        primary = ra.stage.fill_null(codes.RISK_STAGE_DEFAULT) == PRIMARY
        elevated = ra.risk_level.isin(ELEVATED)

        def anyone(condition):
            return condition.fill_null(False).ifelse(1, 0).max() == 1

        return ra.group_by("report_id").agg(
            primary_elevated=anyone(primary & elevated),
            elevated=anyone(elevated),
            high=anyone(ra.risk_level == HIGH),
            secondary=anyone(~primary),
            planned=anyone(ra.plan_recorded),
            top_rank=_level_rank(ra.risk_level).max(),
        )

    return ctx.memo("risk_summary", build)


def _assessed_reports(ctx):
    return dv_reports(ctx).semi_join(risk_summary(ctx), "report_id")


def _highest_level(ctx):
    j = dv_reports(ctx).join(risk_summary(ctx), "report_id", how="left")
    level = ibis.cases(*[(j.top_rank == i, lvl) for i, lvl in enumerate(codes.RISK_LEVELS)],
                       else_=NO_ASSESSMENT_KEY)
    return breakdown(j, level)


def _quality_assured(ctx):
    a = assessments(ctx)
    return a.filter(a.quality_assured.fill_null(False))


def yes_answers(answers):
    """How many `Y` answers a DASH string holds (case ignored)."""
    upper = answers.upper()
    return upper.length() - upper.replace(YES, "").length()


def _visible_high_risk(ctx):
    a = assessments(ctx)
    return a.filter(
        (a.tool == DASH_TOOL)
        & (yes_answers(a.dash_answers) >= codes.DASH_VISIBLE_HIGH_RISK_YES).fill_null(False)
    )


def dv_calls(ctx):
    """DV-related calls received in each cell's period: made once (the calls table is the
    largest of every year's)."""

    def build():
        c = ctx.raw("cad_calls")
        c = c.filter(c.dv_related).select("force", "borough", "report_id",
                                          received_date=c.received_at.date())
        return ctx.dated(c, "received_date")

    return ctx.memo("dv_calls", build)


INDICATORS = (
    Indicator(
        "risk_assessment_compliance", "risk", "Risk assessment compliance",
        "DV-flagged reports recorded in the period with at least one risk assessment (any "
        "date, any tool), over DV-flagged reports (Book 124D compliance).",
        "rate", NEEDS, numerator=lambda ctx: count(_assessed_reports(ctx)),
        denominator=Ref("dv_incidents"), rules=("26",),
        # a report is assessed or has level `none`
        identities=(Identity(("risk_assessment_compliance.numerator",
                              "risk_level_distribution.values.none"), field="denominator"),),
    ),
    Indicator(
        "risk_level_distribution", "risk", "Risk level distribution",
        "DV-flagged reports recorded in the period by the highest level assessed (high > "
        "medium > standard), `none` without an assessment.",
        "breakdown", NEEDS, values=_highest_level, keys=LEVEL_KEYS, rules=("26",),
        identities=(Identity(("dv_incidents",)),),
    ),
    Indicator(
        "risk_assessment_quality_assured_rate", "risk", "Risk assessments quality assured",
        "Risk assessment rows on DV-flagged reports of the period that were quality assured, "
        "over all of them.",
        "rate", NEEDS, numerator=lambda ctx: count(_quality_assured(ctx)),
        denominator=lambda ctx: count(assessments(ctx)), rules=("26",),
    ),
    Indicator(
        "dash_visible_high_risk", "risk", "DASH visible high risk",
        "DASH assessment rows on DV-flagged reports of the period with 14 or more `Y` "
        "answers (case ignored; either form).",
        "count", NEEDS, value=lambda ctx: count(_visible_high_risk(ctx)), rules=("26",),
    ),
    Indicator(
        "cad_dv_calls", "risk", "DV calls for service",
        "DV-related calls received in the period (by the date part of `received_at`), scoped "
        "by the call's own borough.",
        "count", CAD_NEEDS, value=lambda ctx: count(dv_calls(ctx)), rules=("6", "18"),
    ),
    Indicator(
        "cad_dv_report_rate", "risk", "DV calls that raised a report",
        "Of `cad_dv_calls`, the share whose `report_id` is filled.",
        "rate", CAD_NEEDS,
        numerator=lambda ctx: count(dv_calls(ctx).filter(lambda t: t.report_id.notnull())),
        denominator=Ref("cad_dv_calls"), rules=("19",),
    ),
)
