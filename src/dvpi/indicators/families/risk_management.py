"""Risk management (version 2; the 2008 report, paras 67-70 and 92): secondary risk
assessments, risk-management plans, what follows a high-risk assessment, and referrals
of victims to support services."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.families.risk import HIGH, risk_summary
from dvpi.indicators.families.volume import dv_reports
from dvpi.indicators.measures import breakdown, count
from dvpi.indicators.model import Family, Indicator, Ref, Sum

FAMILY = Family(
    "risk_management", "Risk management",
    "DV-flagged reports of the period and their risk assessments of any date and any tool "
    "(a blank `stage` is `primary`, a blank `plan_recorded` false); referrals by their own "
    "date, scoped through the victim's report and counted only when it is DV-flagged.",
)

NEEDS = ("reports", "risk_assessments")
SERVICE_KEYS: tuple[str, ...] = tuple(codes.SUPPORT_SERVICES)
REFERRAL_NEEDS = ("reports", "people", "support_referrals")


def assessed_reports(ctx):
    """The period's DV-flagged reports with assessments, with their ``risk_summary``."""
    return dv_reports(ctx).select("report_id", "cell").join(risk_summary(ctx), "report_id")


def _where(condition):
    def measure(ctx):
        r = assessed_reports(ctx)
        return count(r.filter(condition(r)))

    return measure


def _high_risk(ctx):
    r = assessed_reports(ctx)
    return r.filter(r.high)


def _high_risk_with_victim(ctx, victims):
    """High-risk reports with a victim row among ``victims`` (person ids), of any date."""
    high = _high_risk(ctx)
    # The people of the period's reports (a year's, not every year's), then the victims.
    p = ctx.people.semi_join(high.select("report_id"), "report_id")
    p = p.filter(p.role == "victim").semi_join(victims, "person_id")
    return high.semi_join(p.select("report_id"), "report_id")


def _idva_referred(ctx):
    s = ctx.raw("support_referrals")
    return _high_risk_with_victim(ctx, s.filter(s.service == codes.IDVA).select("person_id"))


def _marac_discussed(ctx):
    m = ctx.raw("marac_cases")
    m = m.filter(m.victim_person_id.notnull())
    return _high_risk_with_victim(ctx, m.select(person_id=m.victim_person_id))


def referrals(ctx):
    return ctx.in_span(ctx.through_person("support_referrals"), "referral_date")


def _by_service(ctx):
    t = referrals(ctx)
    return breakdown(t, t.service)


def _engaged(ctx):
    t = referrals(ctx)
    return count(t.filter(t.engaged.fill_null(False)))


def _engagement_known(ctx):
    t = referrals(ctx)
    return count(t.filter(t.engaged.notnull()))


INDICATORS = (
    Indicator(
        "secondary_risk_assessment_rate", "risk_management", "Secondary risk assessments",
        "Of the DV-flagged reports of the period whose highest level over their `primary` "
        "assessments is `medium` or `high`, the share with at least one `secondary` "
        "assessment.",
        "rate", NEEDS, numerator=_where(lambda r: r.primary_elevated & r.secondary),
        denominator=_where(lambda r: r.primary_elevated),
        rules=("26", "29", "32"), version=2,
    ),
    Indicator(
        "risk_plan_rate", "risk_management", "Risk-management plans recorded",
        "Of the DV-flagged reports of the period whose highest level over all assessments is "
        "`medium` or `high`, the share with at least one assessment with `plan_recorded`.",
        "rate", NEEDS, numerator=_where(lambda r: r.elevated & r.planned),
        denominator=Sum((Ref("risk_level_distribution", "medium"),
                         Ref("risk_level_distribution", "high"))),
        rules=("26", "29", "32"), version=2,
    ),
    Indicator(
        "high_risk_support_referral_rate", "risk_management",
        "High-risk victims referred to an IDVA",
        "Of the DV-flagged reports of the period whose highest level over all their "
        "assessments (any stage, any date) is `high`, the share with a victim row referred "
        "to an `idva` (a `support_referrals` row of that `person_id`, any date).",
        "rate", (*NEEDS, "support_referrals", "people"),
        numerator=lambda ctx: count(_idva_referred(ctx)),
        denominator=Ref("risk_level_distribution", HIGH), rules=("26", "29"), version=2,
    ),
    Indicator(
        "high_risk_marac_rate", "risk_management", "High-risk victims discussed at MARAC",
        "Of the same reports, the share with a victim row that is the `victim_person_id` of "
        "a MARAC case (any date, any borough).",
        "rate", (*NEEDS, "marac_cases", "people"),
        numerator=lambda ctx: count(_marac_discussed(ctx)),
        denominator=Ref("risk_level_distribution", HIGH), rules=("26", "29"), version=2,
    ),
    Indicator(
        "support_referrals", "risk_management", "Support referrals",
        "Referrals of victims dated in the period, by `service`; scoped through the victim's "
        "report.",
        "breakdown", REFERRAL_NEEDS, values=_by_service, keys=SERVICE_KEYS,
        key_labels=tuple(codes.SUPPORT_SERVICES.items()),
        rules=("29", "33"), version=2,
    ),
    Indicator(
        "support_engagement_rate", "risk_management", "Support taken up",
        "Of the referrals of `support_referrals` with `engaged` recorded, the share engaged.",
        "rate", REFERRAL_NEEDS, numerator=_engaged, denominator=_engagement_known,
        rules=("29", "33"), version=2,
    ),
)
