"""Data accuracy: the monthly DV flag audit."""

from __future__ import annotations

from dvpi.indicators.measures import count
from dvpi.indicators.model import Family, Indicator

FAMILY = Family(
    "audit", "Data accuracy (the monthly flag audit)",
    "Reports recorded in the period whose DV flag disagrees with their relationships.",
)

NEEDS = ("reports", "people", "relationships")


def unflagged(ctx):
    """Reports with a qualifying pair (definition in force) but no DV flag."""
    r = ctx.flagged_period_reports
    return r.filter(r.qualifies & ~r.dv_flag)


def overflagged(ctx):
    """DV-flagged reports with no intimate, ACPO-family or extended-family relationship row,
    whatever the ages (rule 27); no relationship rows at all is over-flagged too."""
    r = ctx.flagged_period_reports
    return r.filter(r.dv_flag & ~r.domestic)


INDICATORS = (
    Indicator(
        "flag_audit_unflagged", "audit", "Flag audit: unflagged",
        "Reports recorded in the period with a qualifying pair under the definition in force "
        "but no DV flag (under-use of the flag).",
        "count", NEEDS, value=lambda ctx: count(unflagged(ctx)), rules=("27",),
    ),
    Indicator(
        "flag_audit_overflagged", "audit", "Flag audit: over-flagged",
        "DV-flagged reports recorded in the period with no intimate, family or extended-family "
        "relationship recorded, whatever the definition and ages (over-use of the flag).",
        "count", NEEDS, value=lambda ctx: count(overflagged(ctx)), rules=("27",),
    ),
)
