"""Dual arrests: DV incidents where both parties were arrested (cross allegations)."""

from __future__ import annotations

import ibis

from dvpi.contract import codes
from dvpi.indicators.families.volume import dv_reports
from dvpi.indicators.measures import count
from dvpi.indicators.model import Family, Indicator, Ref

FAMILY = Family(
    "dual_arrest", "Dual arrests",
    "DV-flagged reports in which both parties were arrested: by person (a cross allegation) "
    "and by the 2008 enquiry's surname method.",
)

OUTCOME_KEYS: tuple[str, ...] = ("caution", "charge")
NEEDS = ("reports", "people")
OUTCOME_NEEDS = ("reports", "people", "outcomes")


def _flag(cond):
    return cond.ifelse(1, 0).max() == 1


def _of_period_dv_reports(ctx):
    """The people rows of the period's DV-flagged reports: the only reports either method
    is asked about (``dual_incidents``), so neither looks at any other year's."""
    return ctx.people.semi_join(dv_reports(ctx).select("report_id"), "report_id")


def cross_allegation_reports(ctx):
    """Reports where at least two distinct persons each have an arrested suspect row and a
    victim row (rule 22; persons as resolved by the method in force)."""

    def build():
        p = _of_period_dv_reports(ctx)
        per_person = p.group_by(["report_id", "person_key"]).agg(
            arrested=_flag((p.role == "suspect") & p.arrest_date.notnull()),
            victim=_flag(p.role == "victim"),
        )
        both = per_person.filter(per_person.arrested & per_person.victim)
        n = both.group_by("report_id").agg(persons=both.person_key.nunique())
        return n.filter(n.persons >= 2).select("report_id")

    return ctx.memo("cross_allegation_reports", build)


def normalised_surname(surname):
    """Case and all white space ignored; a blank surname matches nothing (rule 23)."""
    s = surname.lower().re_replace(r"\s+", "")
    return (s == "").ifelse(ibis.null("string"), s)


def surname_method_reports(ctx):
    """Reports with a victim aged 18 or over, at least two suspect rows with an arrest date,
    and a victim surname equal to a suspect surname (rule 23)."""

    def build():
        p = _of_period_dv_reports(ctx)
        facts = p.group_by("report_id").agg(
            adult_victim=_flag((p.role == "victim") & (p.age_years >= codes.ADULT_AGE)),
            arrested=((p.role == "suspect") & p.arrest_date.notnull()).ifelse(1, 0).sum(),
        )
        facts = facts.filter(facts.adult_victim & (facts.arrested >= 2))
        named = p.mutate(s=normalised_surname(p.surname)).filter(lambda t: t.s.notnull())
        v = named.filter(named.role == "victim").select("report_id", "s").distinct()
        s = named.filter(named.role == "suspect").select("report_id", "s").distinct()
        matched = v.join(s, ["report_id", "s"]).select("report_id").distinct()
        return facts.select("report_id").semi_join(matched, "report_id")

    return ctx.memo("surname_method_reports", build)


def dual_incidents(ctx, method):
    return dv_reports(ctx).semi_join(method(ctx), "report_id")


def dual_outcomes(method):
    """Keys `caution` (any type 2 or 3) and `charge` (any type 1), outcomes of any date;
    one crime can be in both (rule 24)."""

    def measure(ctx):
        j = dual_incidents(ctx, method).join(ctx.outcome_summary, "report_id")
        caution = j.filter(j.has_caution).select("cell", key=ibis.literal("caution"))
        charge = j.filter(j.has_charge).select("cell", key=ibis.literal("charge"))
        both = caution.union(charge, distinct=False)
        return both.group_by(["cell", "key"]).agg(n=both.count())

    return measure


INDICATORS = (
    Indicator(
        "dual_arrest_incidents", "dual_arrest", "Dual arrest incidents",
        "DV-flagged reports recorded in the period, crime or non-crime, in which at least two "
        "distinct persons each have a suspect row with an arrest date (any date) and a victim "
        "row in the same report (a cross allegation). Other arrested suspects do not "
        "disqualify.",
        "count", NEEDS,
        value=lambda ctx: count(dual_incidents(ctx, cross_allegation_reports)), rules=("22",),
    ),
    Indicator(
        "dual_arrest_incidents_surname_method", "dual_arrest",
        "Dual arrest incidents (2008 surname method)",
        "DV-flagged reports recorded in the period with a victim aged 18 or over, at least two "
        "suspect rows with an arrest date, and a victim whose surname equals a suspect's "
        "surname (case and all white space ignored; a blank surname matches nothing).",
        "count", NEEDS,
        value=lambda ctx: count(dual_incidents(ctx, surname_method_reports)), rules=("23",),
    ),
    Indicator(
        "dual_arrest_outcomes", "dual_arrest", "Dual arrest outcomes",
        "Of `dual_arrest_incidents`, those whose crime has a caution (type 2 or 3) and those "
        "with a charge (type 1), outcomes of any date; `total` is the number of dual-arrest "
        "incidents (a crime can be in both keys).",
        "breakdown", OUTCOME_NEEDS, values=dual_outcomes(cross_allegation_reports),
        total=Ref("dual_arrest_incidents"), keys=OUTCOME_KEYS, rules=("1", "24"),
        additive=False,
    ),
    Indicator(
        "dual_arrest_outcomes_surname_method", "dual_arrest",
        "Dual arrest outcomes (2008 surname method)",
        "The same for `dual_arrest_incidents_surname_method`.",
        "breakdown", OUTCOME_NEEDS, values=dual_outcomes(surname_method_reports),
        total=Ref("dual_arrest_incidents_surname_method"), keys=OUTCOME_KEYS,
        rules=("1", "24"), additive=False,
    ),
)
