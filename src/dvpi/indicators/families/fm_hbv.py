"""Forced marriage and honour-based violence."""

from __future__ import annotations

from dataclasses import replace

from dvpi.contract import codes
from dvpi.indicators.measures import breakdown, count, person_breakdowns
from dvpi.indicators.model import Family, Identity, Indicator

FAMILY = Family(
    "fm_hbv", "Forced marriage and honour-based violence",
    "FM- and HBV-flagged reports recorded in the period, DV-flagged or not.",
)

NEEDS = ("reports",)
PEOPLE_NEEDS = ("reports", "people")
SELF_DEFINED_KEYS: tuple[str, ...] = (*codes.SELF_DEFINED_ETHNICITIES, codes.UNRECORDED)


def fm_reports(ctx):
    r = ctx.period_reports
    return r.filter(r.fm_flag)


def fm_victims(ctx):
    def build():
        p = ctx.people_of(fm_reports(ctx))
        return p.filter(p.role == "victim")

    return ctx.memo("fm_victims", build, cache=False)


def _by_self_defined(ctx):
    v = fm_victims(ctx)
    return breakdown(v, v.self_defined_ethnicity.fill_null(codes.UNRECORDED))


_gender, _ethnic, _age = person_breakdowns(
    "fm_victims", fm_victims, "fm_hbv", "Forced marriage victims",
    "victim rows of FM-flagged reports recorded in the period (every age, crime or not, DV or "
    "not)", PEOPLE_NEEDS, age_bands=codes.FM_AGE_BANDS, age_suffix="age_band", rules=("25",),
)
# The same victims split a fourth way.
_gender = replace(_gender, identities=(
    *_gender.identities, Identity(("fm_victims_by_self_defined_ethnicity",))))

INDICATORS = (
    Indicator(
        "fm_records", "fm_hbv", "Forced marriage records",
        "FM-flagged reports recorded in the period.",
        "count", NEEDS, value=lambda ctx: count(fm_reports(ctx)), rules=("25",),
    ),
    Indicator(
        "fm_records_dv", "fm_hbv", "Forced marriage records also DV-flagged",
        "Of `fm_records`, those also DV-flagged.",
        "count", NEEDS, value=lambda ctx: count(fm_reports(ctx).filter(lambda t: t.dv_flag)),
    ),
    Indicator(
        "hbv_records", "fm_hbv", "Honour-based violence records",
        "HBV-flagged reports recorded in the period, whatever the FM flag.",
        "count", NEEDS,
        value=lambda ctx: count(ctx.period_reports.filter(lambda t: t.hbv_flag)),
        rules=("25",),
    ),
    _gender,
    _ethnic,
    Indicator(
        "fm_victims_by_self_defined_ethnicity", "fm_hbv",
        "Forced marriage victims by self-defined ethnicity",
        "Victim rows of FM-flagged reports recorded in the period, by self-defined ethnicity "
        "(2001 census 16+1 codes; blank is `unrecorded`).",
        "breakdown", PEOPLE_NEEDS, values=_by_self_defined, keys=SELF_DEFINED_KEYS,
        rules=("25",),
    ),
    _age,
)
