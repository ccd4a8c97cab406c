"""Homicide and serious violence: DV homicides, their victims and suspects, GBH with
intent against the previous period, domestic homicide reviews."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import count, person_breakdowns
from dvpi.indicators.model import Diff, Family, Indicator, Ref

FAMILY = Family(
    "homicide", "Homicide and serious violence",
    "DV-flagged homicides (murder, manslaughter, infanticide) and GBH with intent, by "
    "recording date.",
)

GBH_WITH_INTENT = "gbh_with_intent"


def _dv_crimes_of(reports, offences: tuple[str, ...]):
    r = reports.filter(reports.dv_flag & (reports.classification == "crime"))
    return r.filter(r.offence.isin(offences))


def homicides(ctx):
    return _dv_crimes_of(ctx.period_reports, codes.HOMICIDE_OFFENCES)


def _homicide_people(role: str):
    def rows(ctx):
        def build():
            p = ctx.people_of(homicides(ctx))
            return p.filter(p.role == role)

        return ctx.memo(f"homicide_{role}s", build, cache=False)

    return rows


def partner_homicides(ctx):
    """DV homicides with any intimate relationship row, whatever the ages (rule 20)."""
    h = ctx.with_relationship_flags(homicides(ctx))
    return h.filter(h.intimate)


def scope_population(ctx):
    """The sum of the scope's population rows, per cell."""
    p = ctx.scoped(ctx.raw("population"))
    total = p.group_by("scope").agg(n=p.population.sum().cast("int64"))
    return ctx.per_cell(total).select("cell", "n")


def gbh(ctx, span: str):
    reports = ctx.period_reports if span == "period" else ctx.reports_in(span)
    return _dv_crimes_of(reports, (GBH_WITH_INTENT,))


def reviews(ctx, date_column: str):
    """Reviews dated in the period, scoped by the reviewed report's borough (rule 21)."""
    h = ctx.raw("homicide_reviews")
    r = ctx.raw("reports").select("report_id", "force", "borough")
    j = h.join(r, "report_id")
    return ctx.dated(j.select("review_id", "force", "borough", date_column), date_column)


NEEDS = ("reports",)
PEOPLE_NEEDS = ("reports", "people")
BAND_KEYS = codes.band_labels(codes.HOMICIDE_AGE_BANDS)

INDICATORS = (
    Indicator(
        "dv_homicides", "homicide", "DV homicides",
        "DV-flagged crimes recorded in the period whose offence is murder, manslaughter or "
        "infanticide.",
        "count", NEEDS, value=lambda ctx: count(homicides(ctx)), rules=("6",),
    ),
    *person_breakdowns(
        "dv_homicide_victims", _homicide_people("victim"), "homicide", "DV homicide victims",
        "victim rows of the period's DV homicides", PEOPLE_NEEDS,
        age_bands=codes.HOMICIDE_AGE_BANDS, age_suffix="age_band", rules=("20",),
    ),
    *person_breakdowns(
        "dv_homicide_suspects", _homicide_people("suspect"), "homicide",
        "DV homicide suspects",
        "suspect rows of the period's DV homicides", PEOPLE_NEEDS,
        age_bands=codes.HOMICIDE_AGE_BANDS, age_suffix="age_band", rules=("20",),
    ),
    Indicator(
        "dv_homicides_partner", "homicide", "DV partner homicides",
        "DV homicides with an intimate relationship row between a victim and a suspect, "
        "whatever their ages (the Home Office indicator's definition).",
        "count", ("reports", "people", "relationships"),
        value=lambda ctx: count(partner_homicides(ctx)), rules=("20",),
    ),
    Indicator(
        "dv_homicides_partner_per_1000", "homicide", "DV partner homicides per 1,000 residents",
        "`dv_homicides_partner` per 1,000 resident population (the sum of the scope's "
        "population rows).",
        "per_1000", ("reports", "people", "relationships", "population"),
        numerator=Ref("dv_homicides_partner"), denominator=scope_population, rules=("2", "20"),
    ),
    Indicator(
        "dv_gbh_with_intent", "homicide", "DV GBH with intent",
        "DV-flagged crimes recorded in the period whose offence is GBH with intent (s18).",
        "count", NEEDS, value=lambda ctx: count(gbh(ctx, "period")), rules=("6",),
    ),
    Indicator(
        "dv_gbh_with_intent_previous", "homicide", "DV GBH with intent, previous period",
        "`dv_gbh_with_intent` for the period of the same length just before: the same number "
        "of calendar months when the period is whole months, else the same number of days.",
        "count", NEEDS, value=lambda ctx: count(gbh(ctx, "previous")), rules=("8",),
    ),
    Indicator(
        "dv_gbh_with_intent_change", "homicide", "DV GBH with intent, change",
        "`(dv_gbh_with_intent - dv_gbh_with_intent_previous) / dv_gbh_with_intent_previous`; "
        "null when the previous count is 0.",
        "rate", NEEDS,
        numerator=Diff(Ref("dv_gbh_with_intent"), Ref("dv_gbh_with_intent_previous")),
        denominator=Ref("dv_gbh_with_intent_previous"), rules=("21",),
    ),
    Indicator(
        "homicide_reviews_started", "homicide", "Domestic homicide reviews started",
        "Domestic homicide reviews whose `started_date` is in the period, scoped by the "
        "reviewed report's borough.",
        "count", ("homicide_reviews", "reports"),
        value=lambda ctx: count(reviews(ctx, "started_date")), rules=("21",),
    ),
    Indicator(
        "homicide_reviews_completed", "homicide", "Domestic homicide reviews completed",
        "Domestic homicide reviews whose `completed_date` is in the period, scoped by the "
        "reviewed report's borough.",
        "count", ("homicide_reviews", "reports"),
        value=lambda ctx: count(reviews(ctx, "completed_date")), rules=("21",),
    ),
)
