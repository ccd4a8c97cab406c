"""Outcomes: sanction detections and the outcome mix of DV-flagged crimes."""

from __future__ import annotations

import ibis

from dvpi.contract import codes
from dvpi.indicators.families.volume import dv_crimes
from dvpi.indicators.measures import breakdown, count
from dvpi.indicators.model import Display, Family, Identity, Indicator, Ref, Sum

FAMILY = Family(
    "outcomes", "Outcomes",
    "Sanction detections (outcome types 1, 2, 3, 4, 6, 7) of DV-flagged crimes and the "
    "latest outcome of the period's crimes.",
)

NEEDS = ("reports", "outcomes")
SANCTION_KEYS: tuple[str, ...] = tuple(c.key for c in codes.SANCTION_CLASSES)
NO_OUTCOME_KEY = "0"  # a crime with no outcome yet
OUTCOME_KEYS: tuple[str, ...] = (NO_OUTCOME_KEY, *(str(t) for t in codes.OUTCOME_TYPES))


def sanction_detections(ctx):
    """DV-flagged crimes of any recording date whose earliest sanction outcome is dated in
    the period, with their class rank (rule 13)."""

    def build():
        crimes = ctx.scoped_dv_crimes()
        s = ctx.outcome_summary
        s = ctx.within_bounds(s.filter(s.sanction_date.notnull()), "sanction_date",
                              "period")
        j = crimes.join(s, "report_id")
        j = j.select("report_id", "scope", "sanction_date", "sanction_rank")
        return ctx.in_span(j, "sanction_date")

    return ctx.memo("sanction_detections", build)


def sanction_class(rank):
    return ibis.cases(*[(rank == i, key) for i, key in enumerate(SANCTION_KEYS)])


def cohort_detected(ctx):
    """DV-flagged crimes of the period with any sanction outcome, of any date."""
    s = ctx.outcome_summary
    s = s.filter(s.sanction_date.notnull()).select("report_id")
    return dv_crimes(ctx).semi_join(s, "report_id")


def latest_outcome(ctx):
    """Each of the period's crimes' latest outcome of any date; ties go to the later row
    in the file (rule 14)."""
    o = ctx.raw("outcomes")
    # Rank only the period's reports' outcomes (all of them), not every year's.
    o = o.semi_join(ctx.period_report_ids, "report_id")
    order = [ibis.desc(o.outcome_date), ibis.desc(o._load_id), ibis.desc(o._line)]
    o = o.mutate(rn=ibis.row_number().over(group_by=o.report_id, order_by=order))
    return o.filter(o.rn == 0).select("report_id", latest_type=o.outcome_type)


def outcome_distribution(ctx):
    crimes = dv_crimes(ctx)
    latest = latest_outcome(ctx)
    j = crimes.join(latest, "report_id", how="left")
    key = j.latest_type.cast("string").fill_null(NO_OUTCOME_KEY)
    return breakdown(j, key)


def _by_type(ctx):
    t = sanction_detections(ctx)
    return breakdown(t, sanction_class(t.sanction_rank))


INDICATORS = (
    Indicator(
        "sanction_detections", "outcomes", "Sanction detections",
        "DV-flagged crimes, recorded in any period, whose earliest sanction outcome (type 1, "
        "2, 3, 4, 6 or 7) is dated in the period.",
        "count", NEEDS, value=lambda ctx: count(sanction_detections(ctx)), rules=("13",),
    ),
    Indicator(
        "sanction_detection_rate", "outcomes", "Sanction detection rate",
        "`sanction_detections / dv_crimes` (the 2008 convention: detections in the period "
        "over crimes recorded in the period).",
        "rate", NEEDS, numerator=Ref("sanction_detections"), denominator=Ref("dv_crimes"),
    ),
    Indicator(
        "sanction_detections_by_type", "outcomes", "Sanction detections by type",
        "`sanction_detections` by class: the highest of the crime's sanction outcomes of any "
        "date, in the order charge/summons, adult caution, youth caution, TIC, PND, "
        "cannabis warning.",
        "breakdown", NEEDS, values=_by_type, keys=SANCTION_KEYS, rules=("13",),
        identities=(Identity(("sanction_detections",)),),
    ),
    Indicator(
        "charges", "outcomes", "Charges",
        "`sanction_detections_by_type.charge_summons`.",
        "count", NEEDS, value=Ref("sanction_detections_by_type", "charge_summons"),
    ),
    Indicator(
        "adult_caution_share", "outcomes", "Adult caution share",
        "Sanction detections classed as adult cautions over all sanction detections.",
        "rate", NEEDS, numerator=Ref("sanction_detections_by_type", "caution_adult"),
        denominator=Ref("sanction_detections"),
    ),
    Indicator(
        "charge_caution_ratio", "outcomes", "Charge to caution ratio",
        "`charge_summons / (caution_adult + caution_youth)` of the sanction detections.",
        "rate", NEEDS, numerator=Ref("sanction_detections_by_type", "charge_summons"),
        denominator=Sum((Ref("sanction_detections_by_type", "caution_adult"),
                         Ref("sanction_detections_by_type", "caution_youth"))),
        display=Display("ratio", 2),  # charges per caution: "2.00 : 1", not 200%
    ),
    Indicator(
        "sanction_detection_rate_cohort", "outcomes", "Sanction detection rate (cohort)",
        "DV-flagged crimes recorded in the period that have any sanction outcome, of any "
        "date, over `dv_crimes`.",
        "rate", NEEDS, numerator=lambda ctx: count(cohort_detected(ctx)),
        denominator=Ref("dv_crimes"),
    ),
    Indicator(
        "outcome_distribution", "outcomes", "Outcome distribution",
        "DV-flagged crimes recorded in the period by their latest outcome type of any date "
        "(as at extract time; ties on one date go to the later row in the file); `0` for a "
        "crime with no outcome yet.",
        "breakdown", NEEDS, values=outcome_distribution, keys=OUTCOME_KEYS, rules=("14",),
        identities=(Identity(("dv_crimes",)),),
    ),
)
