"""Victims of DV-flagged crimes: one per victim row, by gender, ethnic appearance, age."""

from __future__ import annotations

from dvpi.indicators.families.volume import dv_crimes
from dvpi.indicators.measures import person_breakdowns
from dvpi.indicators.model import Family

FAMILY = Family(
    "victims", "Victims of DV-flagged crimes",
    "Victim rows of DV-flagged crimes recorded in the period, one per row, every age.",
)


def dv_crime_victims(ctx):
    def build():
        p = ctx.people_of(dv_crimes(ctx))
        return p.filter(p.role == "victim")

    return ctx.memo("dv_crime_victims", build)


INDICATORS = person_breakdowns(
    "dv_crime_victims", dv_crime_victims, "victims", "DV crime victims",
    "victim rows of DV-flagged crimes recorded in the period", ("reports", "people"),
    rules=("7", "12"),
)
