"""Repeat victimisation: adult victims of the period, and those victimised again in the
look-back (the period and the 12 calendar months before it)."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import count_distinct
from dvpi.indicators.model import Diff, Family, Indicator, Ref

FAMILY = Family(
    "repeat", "Repeat victimisation (distinct persons)",
    "Distinct adult victims of DV-flagged reports in the period, and those who are victims "
    "in another DV-flagged report of the look-back.",
)

NEEDS = ("reports", "people")


def _victims(ctx, reports, crimes_only: bool):
    r = reports.filter(reports.dv_flag)
    if crimes_only:
        r = r.filter(r.classification == "crime")
    p = ctx.people_of(r)
    return p.filter(p.role == "victim")


def adult_victims(ctx, crimes_only: bool):
    """(cell, person_key) of persons aged 18 or over in at least one of their victim rows in
    the period's DV-flagged reports (rule 17: 18 under both definitions)."""

    def build():
        v = _victims(ctx, ctx.period_reports, crimes_only)
        v = v.filter(v.age_years >= codes.ADULT_AGE)
        return v.select("cell", "person_key").distinct()

    return ctx.memo(f"adult_victims_{crimes_only}", build)


def repeat_victims(ctx, crimes_only: bool):
    """Adult victims of the period who are victims, at any age, in at least two distinct
    DV-flagged reports of the look-back span: their period report and another."""

    def build():
        adults = adult_victims(ctx, crimes_only)
        # Only the period's adult victims are asked about: their victim rows are found
        # first, and only those are dated into each cell's look-back and scope (not every
        # report of the look-back, copied into every scope).
        p = ctx.people
        p = p.filter(p.role == "victim").semi_join(adults.select("person_key"), "person_key")
        r = ctx.raw("reports")
        r = r.filter(r.dv_flag)
        if crimes_only:
            r = r.filter(r.classification == "crime")
        r = ctx.within_bounds(r.select("report_id", "force", "borough", "recorded_date"),
                              "recorded_date", "lookback")
        j = p.join(r, "report_id")
        rows = j.select("person_key", "report_id", "force", "borough", "recorded_date")
        v = ctx.in_span(ctx.scoped(rows), "recorded_date", "lookback")
        v = v.semi_join(adults, ["cell", "person_key"])
        # At least two distinct reports: the least and greatest report id differ (ids are
        # never blank), without counting distinct ids.
        n = v.group_by(["cell", "person_key"]).agg(first=v.report_id.min(),
                                                    last=v.report_id.max())
        return n.filter(n.first != n.last).select("cell", "person_key")

    return ctx.memo(f"repeat_victims_{crimes_only}", build, cache=False)


def _family(kind: str, crimes_only: bool, what: str, other: str) -> tuple[Indicator, ...]:
    base = f"adult_victims_{kind}"
    return (
        Indicator(
            base, "repeat", f"Adult victims ({kind})",
            f"Distinct persons aged 18 or over (in at least one of their victim rows) who are "
            f"victims in {what} recorded in the period. Unknown age never counts.",
            "count", NEEDS,
            value=lambda ctx: count_distinct(adult_victims(ctx, crimes_only), "person_key"),
            person_based=True, rules=("3", "16", "17"),
        ),
        Indicator(
            f"{base}_repeat", "repeat", f"Repeat adult victims ({kind})",
            f"Of `{base}`, the persons who are victims, at any age, in at least one other "
            f"distinct {other} recorded in the look-back: from 12 calendar months before "
            "the period start to the period end (later reports never count; in a borough "
            "both reports must be the borough's).",
            "count", NEEDS,
            value=lambda ctx: count_distinct(repeat_victims(ctx, crimes_only), "person_key"),
            person_based=True, rules=("9", "17"),
        ),
        Indicator(
            f"{base}_single", "repeat", f"Single-report adult victims ({kind})",
            f"`{base} - {base}_repeat`.",
            "count", NEEDS, value=Diff(Ref(base), Ref(f"{base}_repeat")), person_based=True,
        ),
    )


INDICATORS = (
    *_family("incidents", False, "DV-flagged reports, crime or non-crime,", "DV-flagged report"),
    *_family("offences", True, "DV-flagged crimes", "DV-flagged crime"),
    Indicator(
        "repeat_victimisation_rate", "repeat", "Repeat victimisation rate",
        "`adult_victims_incidents_repeat / adult_victims_incidents`.",
        "rate", NEEDS, numerator=Ref("adult_victims_incidents_repeat"),
        denominator=Ref("adult_victims_incidents"), person_based=True,
    ),
)
