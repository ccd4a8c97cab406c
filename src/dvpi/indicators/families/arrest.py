"""Arrest: SPI 8a (reports with a qualifying pair, and how many led to an arrest)."""

from __future__ import annotations

from dvpi.indicators.families.volume import dv_crimes
from dvpi.indicators.measures import count
from dvpi.indicators.model import Family, Indicator, Ref

FAMILY = Family(
    "arrest", "Arrest (SPI 8a and ONS)",
    "Reports with a qualifying victim-suspect pair under the definition in force, and the "
    "share in which a suspect was arrested.",
)

NEEDS = ("reports", "people", "relationships")


def qualifying(ctx, crimes_only: bool = False):
    """Reports of the period with a qualifying pair, flagged or not (rule 10)."""
    r = ctx.flagged_period_reports
    r = r.filter(r.qualifies)
    if crimes_only:
        r = r.filter(r.classification == "crime")
    return r


def qualifying_arrests(ctx, crimes_only: bool = False):
    """Of those, the reports where any suspect row has an arrest date (rule 11)."""
    r = qualifying(ctx, crimes_only)
    return r.filter(r.arrested > 0)


def dv_crime_arrest_rows(ctx):
    """Suspect rows with an arrest date on DV-flagged crimes of the period."""
    p = ctx.people_of(dv_crimes(ctx))
    return p.filter((p.role == "suspect") & p.arrest_date.notnull())


INDICATORS = (
    Indicator(
        "spi8a_incidents", "arrest", "SPI 8a incidents",
        "Reports recorded in the period, crime or non-crime, DV-flagged or not, with at least "
        "one qualifying victim-suspect pair under the definition in force.",
        "count", NEEDS, value=lambda ctx: count(qualifying(ctx)), rules=("10",),
    ),
    Indicator(
        "spi8a_incident_arrests", "arrest", "SPI 8a incidents with an arrest",
        "Of `spi8a_incidents`, the reports in which at least one suspect row has an arrest "
        "date (of any date, whether or not that suspect is in the qualifying pair).",
        "count", NEEDS, value=lambda ctx: count(qualifying_arrests(ctx)), rules=("11",),
    ),
    Indicator(
        "spi8a_incident_arrest_rate", "arrest", "SPI 8a incident arrest rate",
        "`spi8a_incident_arrests / spi8a_incidents`.",
        "rate", NEEDS, numerator=Ref("spi8a_incident_arrests"),
        denominator=Ref("spi8a_incidents"),
    ),
    Indicator(
        "spi8a_offences", "arrest", "SPI 8a offences",
        "As `spi8a_incidents`, crimes only.",
        "count", NEEDS, value=lambda ctx: count(qualifying(ctx, crimes_only=True)),
        rules=("10",),
    ),
    Indicator(
        "spi8a_offence_arrests", "arrest", "SPI 8a offences with an arrest",
        "As `spi8a_incident_arrests`, crimes only.",
        "count", NEEDS, value=lambda ctx: count(qualifying_arrests(ctx, crimes_only=True)),
        rules=("11",),
    ),
    Indicator(
        "spi8a_offence_arrest_rate", "arrest", "SPI 8a offence arrest rate",
        "`spi8a_offence_arrests / spi8a_offences`.",
        "rate", NEEDS, numerator=Ref("spi8a_offence_arrests"),
        denominator=Ref("spi8a_offences"),
    ),
    Indicator(
        "dv_crime_arrests_per_100", "arrest", "Arrests per 100 DV crimes",
        "Suspect rows with an arrest date on DV-flagged crimes recorded in the period, per 100 "
        "DV-flagged crimes recorded in the period.",
        "per_100", ("reports", "people"),
        numerator=lambda ctx: count(dv_crime_arrest_rows(ctx)), denominator=Ref("dv_crimes"),
        rules=("2",),
    ),
)
