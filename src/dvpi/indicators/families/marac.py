"""MARAC (version 2; the 2008 report, para 93, and SafeLives' national indicators):
cases discussed at Multi-Agency Risk Assessment Conferences."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import count, total
from dvpi.indicators.model import Family, Indicator, Ref

FAMILY = Family(
    "marac", "MARAC",
    "Cases discussed at a MARAC, counted by `conference_date` in the period and scoped by "
    "their own `borough` (the MARAC's area).",
)

NEEDS = ("marac_cases",)
ADULT_FEMALE_BANDS: tuple[str, ...] = tuple(
    b for b in codes.POPULATION_AGE_BANDS if b != codes.AGE_GROUPS[0].label)
FEMALE = "F"
MALE = "M"


def cases(ctx):
    return ctx.dated(ctx.raw("marac_cases"), "conference_date")


def _day_number(d):
    """A date as YYYYMMDD: orders as the date does, on every engine."""
    return d.year() * 10000 + d.month() * 100 + d.day()


def _year_before_number(d):
    """The same day 12 calendar months earlier as YYYYMMDD; 29 February goes to 28
    February."""
    leap_day = (d.month() == 2) & (d.day() == 29)
    day = leap_day.ifelse(28, d.day())
    return (d.year() - 1) * 10000 + d.month() * 100 + day


def repeat_case_ids(ctx):
    """Cases whose victim (`victim_ref`, exact after trimming) has another case, in any
    borough, strictly before it and no more than 12 calendar months before it."""

    def build():
        m = ctx.raw("marac_cases")
        this = m.select("case_id", ref=m.victim_ref.strip(), day=m.conference_date,
                        since=_year_before_number(m.conference_date))
        m2 = ctx.raw("marac_cases")
        other = m2.select(other_ref=m2.victim_ref.strip(), other_day=m2.conference_date)
        j = this.join(other, [this.ref == other.other_ref, other.other_day < this.day,
                              _day_number(other.other_day) >= this.since])
        return j.select("case_id").distinct()

    return ctx.memo("marac_repeat_cases", build)


def adult_female_population(ctx):
    p = ctx.raw("population")
    p = p.filter((p.gender == FEMALE) & p.age_band.isin(ADULT_FEMALE_BANDS))
    p = ctx.scoped(p)
    per_scope = p.group_by("scope").agg(n=p.population.sum().cast("int64"))
    return ctx.per_cell(per_scope).select("cell", "n")


def _where(condition):
    """Cases of the period for which ``condition(cases)`` holds, counted."""

    def measure(ctx):
        c = cases(ctx)
        return count(c.filter(condition(c).fill_null(False)))

    return measure


def _children(ctx):
    c = cases(ctx)
    return total(c, c.children_in_household)


def _ethnicity(c):
    return c.victim_self_defined_ethnicity


def _gender(c):
    return c.victim_gender.fill_null(codes.GENDER_DEFAULT)


def _share(ind_id: str, title: str, definition: str, numerator, denominator) -> Indicator:
    return Indicator(ind_id, "marac", title, definition, "rate", NEEDS,
                     numerator=numerator, denominator=denominator, rules=("29",), version=2)


INDICATORS = (
    Indicator(
        "marac_cases", "marac", "MARAC cases", "Cases discussed in the period.",
        "count", NEEDS, value=lambda ctx: count(cases(ctx)), rules=("29",), version=2,
    ),
    Indicator(
        "marac_cases_per_10000_adult_females", "marac",
        "MARAC cases per 10,000 adult females",
        "`marac_cases` per 10,000 female residents aged 18 or over (population rows with "
        "gender `F`, every band but `0-17`) of the scope.",
        "per_10000", (*NEEDS, "population"), numerator=Ref("marac_cases"),
        denominator=adult_female_population, rules=("2", "29"), version=2,
    ),
    _share(
        "marac_repeat_rate", "MARAC repeat cases",
        "Of the period's cases, the share that are repeats: the same `victim_ref` (exact, "
        "after trimming) has another case (any borough) whose `conference_date` is strictly "
        "before this case's and no more than 12 calendar months before it (on or after the "
        "same day a year earlier; 29 February goes to 28 February).",
        lambda ctx: count(cases(ctx).semi_join(repeat_case_ids(ctx), "case_id")),
        Ref("marac_cases"),
    ),
    _share(
        "marac_partner_referral_share", "MARAC cases referred by partner agencies",
        "Of the period's cases, the share whose `referring_agency` is not `police` (a blank "
        "is the column's default, `other`).",
        _where(lambda c: c.referring_agency.fill_null(codes.MARAC_AGENCY_DEFAULT)
               != codes.POLICE_AGENCY),
        Ref("marac_cases"),
    ),
    _share(
        "marac_male_victim_share", "MARAC male victims",
        "Of the period's cases with victim gender `M` or `F`, the share `M`.",
        _where(lambda c: _gender(c) == MALE),
        _where(lambda c: _gender(c).isin((MALE, FEMALE))),
    ),
    _share(
        "marac_bme_share", "MARAC victims Black, Asian or racially minoritised",
        "Of the period's cases with a recorded self-defined ethnicity other than `NS` and "
        "`NU`, the share not `W1`, `W2` or `W9`.",
        _where(lambda c: ~_ethnicity(c).isin(
            (*codes.WHITE_SELF_DEFINED, *codes.NOT_DEFINED_SELF_DEFINED))),
        _where(lambda c: ~_ethnicity(c).isin(codes.NOT_DEFINED_SELF_DEFINED)),
    ),
    _share(
        "marac_lgbt_share", "MARAC victims LGBT+",
        "Of the period's cases where `victim_lgbt` is recorded, the share `true`.",
        _where(lambda c: c.victim_lgbt), _where(lambda c: c.victim_lgbt.notnull()),
    ),
    _share(
        "marac_disabled_share", "MARAC victims disabled",
        "Of the period's cases where `victim_disabled` is recorded, the share `true`.",
        _where(lambda c: c.victim_disabled), _where(lambda c: c.victim_disabled.notnull()),
    ),
    Indicator(
        "marac_children", "marac", "Children in MARAC households",
        "The sum of `children_in_household` over the period's cases (a blank counts 0).",
        "count", NEEDS, value=_children,
        rules=("29",), version=2,
    ),
    Indicator(
        "marac_victims_16_17", "marac", "MARAC victims aged 16-17",
        "The period's cases whose `victim_age` is 16 or 17.",
        "count", NEEDS, value=_where(lambda c: c.victim_age.isin(codes.MARAC_YOUNG_AGES)),
        rules=("29",), version=2,
    ),
)
