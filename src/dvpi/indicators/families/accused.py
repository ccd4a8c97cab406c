"""Persons accused: distinct persons given a sanction outcome in the period."""

from __future__ import annotations

import ibis

from dvpi.contract import codes
from dvpi.indicators.measures import (
    AGE_GROUP_KEYS,
    ETHNIC_KEYS,
    GENDER_KEYS,
    age_group_key,
    breakdown,
    count_distinct,
    ethnic_key,
    gender_key,
)
from dvpi.indicators.model import Family, Identity, Indicator

FAMILY = Family(
    "accused", "Persons accused (distinct persons)",
    "Distinct persons named by sanction outcomes dated in the period on DV-flagged crimes.",
)

NEEDS = ("reports", "people", "outcomes")


def accusations(ctx):
    """One row per (sanction outcome dated in the period, person it names): the suspect
    row the outcome names, or every suspect row of the crime when it names none
    (rule 15). Crimes of any recording period count."""

    def build():
        r = ctx.scoped_dv_crimes()
        crimes = r.select(
            "report_id", "scope", r_recorded=r.recorded_date, r_load=r._load_id,
            r_line=r._line,
        )
        o = ctx.raw("outcomes")
        o = o.filter(o.outcome_type.isin(codes.SANCTION_OUTCOME_TYPES)).select(
            "report_id", o_person=o.person_id, outcome_date=o.outcome_date,
            o_load=o._load_id, o_line=o._line,
        )
        # Outcomes of other years are left out before they meet the scoped crimes.
        o = ctx.within_bounds(o, "outcome_date", "period")
        dated = ctx.in_span(o.join(crimes, "report_id"), "outcome_date")
        p = ctx.people
        p = p.filter(p.role == "suspect").select(
            "person_id", "report_id", "person_key", "gender", "ethnic_appearance",
            "age_years", p_load=p._load_id, p_line=p._line,
        )
        named = dated.filter(dated.o_person.notnull())
        named = named.join(p, named.o_person == p.person_id)
        unnamed = dated.filter(dated.o_person.isnull())
        unnamed = unnamed.join(p, "report_id")
        cols = ["cell", "person_key", "gender", "ethnic_appearance", "age_years",
                "outcome_date", "r_recorded", "r_load", "r_line", "o_load", "o_line",
                "p_load", "p_line"]
        return named.select(*cols).union(unnamed.select(*cols), distinct=False)

    return ctx.memo("accusations", build)


def latest_involvement(ctx):
    """Each accused person's involvement with the latest outcome date; ties: the later
    report, then the later row (rule 15)."""

    def build():
        a = accusations(ctx)
        order = [ibis.desc(a[c]) for c in ("outcome_date", "r_recorded", "r_load", "r_line",
                                            "o_load", "o_line", "p_load", "p_line")]
        a = a.mutate(rn=ibis.row_number().over(group_by=[a.cell, a.person_key], order_by=order))
        return a.filter(a.rn == 0)

    # Made once: three breakdowns read it (the window is the costly part).
    return ctx.memo("latest_involvement", build)


def _by(key_of):
    def measure(ctx):
        t = latest_involvement(ctx)
        return breakdown(t, key_of(t))

    return measure


INDICATORS = (
    Indicator(
        "accused_persons", "accused", "Persons accused",
        "Distinct persons given a sanction outcome dated in the period on a DV-flagged crime "
        "of any recording period: the suspect the outcome names, or every suspect of the "
        "crime where it names none. Every such outcome row counts, not only the crime's "
        "earliest sanction.",
        "count", NEEDS, value=lambda ctx: count_distinct(accusations(ctx), "person_key"),
        person_based=True, rules=("3", "15", "16"),
        identities=(Identity(("accused_by_gender",)), Identity(("accused_by_ethnic_appearance",)),
                    Identity(("accused_by_age_group",))),
    ),
    Indicator(
        "accused_by_gender", "accused", "Persons accused by gender",
        "`accused_persons` by the gender of their latest involvement in the period.",
        "breakdown", NEEDS, values=_by(gender_key), keys=GENDER_KEYS, person_based=True,
        rules=("15",),
    ),
    Indicator(
        "accused_by_ethnic_appearance", "accused", "Persons accused by ethnic appearance",
        "`accused_persons` by the ethnic appearance of their latest involvement.",
        "breakdown", NEEDS, values=_by(ethnic_key), keys=ETHNIC_KEYS, person_based=True,
        rules=("15",),
    ),
    Indicator(
        "accused_by_age_group", "accused", "Persons accused by age group",
        "`accused_persons` by their age group at the incident date of their latest "
        "involvement.",
        "breakdown", NEEDS, values=_by(age_group_key), keys=AGE_GROUP_KEYS, person_based=True,
        rules=("7", "15"),
    ),
)
