"""Victim satisfaction (version 2; the 2008 report, paras 45-46, PSA 24): the Home Office
user satisfaction survey of victims."""

from __future__ import annotations

import ibis

from dvpi.contract import codes
from dvpi.indicators.context import union_all
from dvpi.indicators.measures import breakdown, count
from dvpi.indicators.model import Family, Indicator

FAMILY = Family(
    "satisfaction", "Victim satisfaction",
    "Surveys counted by `interview_date` in the period, scoped through the victim's report "
    "and counted only when it is DV-flagged, whatever its recorded date. Satisfied is "
    "completely, very or fairly satisfied.",
)

NEEDS = ("reports", "people", "victim_surveys")
ELEMENT_KEYS: tuple[str, ...] = tuple(codes.SURVEY_ELEMENTS)
WHITE, BME = "white", "bme"
GROUP_KEYS: tuple[str, ...] = (WHITE, BME)


def surveys(ctx):
    t = ctx.through_person("victim_surveys", ("self_defined_ethnicity",))
    return ctx.in_span(t, "interview_date")


def _satisfied(answer):
    return answer.isin(codes.SATISFIED).fill_null(False)


def _satisfied_overall(ctx):
    s = surveys(ctx)
    return count(s.filter(_satisfied(s.overall)))


def _elements(answered_only: bool):
    """Per element: surveys answering it, or (``answered_only`` False) satisfied with it."""

    def measure(ctx):
        s = surveys(ctx)
        parts = []
        for element in ELEMENT_KEYS:
            kept = s.filter(s[element].notnull() if answered_only else _satisfied(s[element]))
            parts.append(breakdown(kept, ibis.literal(element)))
        return union_all(parts)

    return measure


def _group(s):
    """`white` (W1, W2, W9), `bme` (another recorded code), NULL (NS, NU, blank)."""
    e = s.self_defined_ethnicity
    return ibis.cases(
        (e.isin(codes.WHITE_SELF_DEFINED), WHITE),
        (e.notnull() & ~e.isin(codes.NOT_DEFINED_SELF_DEFINED), BME),
        else_=ibis.null("string"),
    )


def _by_group(satisfied_only: bool):
    def measure(ctx):
        s = surveys(ctx)
        s = s.mutate(group=_group(s))
        s = s.filter(s.group.notnull())
        if satisfied_only:
            s = s.filter(_satisfied(s.overall))
        return breakdown(s, s.group)

    return measure


INDICATORS = (
    Indicator(
        "victim_satisfaction_rate", "satisfaction", "Victim satisfaction",
        "Of the period's surveys, the share whose `overall` is completely, very or fairly "
        "satisfied, with its 95% Wilson score interval (`ci95`).",
        "rate", NEEDS, numerator=_satisfied_overall,
        denominator=lambda ctx: count(surveys(ctx)), interval=True,
        rules=("29", "33"), version=2,
    ),
    Indicator(
        "victim_satisfaction_by_element", "satisfaction", "Victim satisfaction by element",
        "For each element (`ease_of_contact`, `actions_taken`, `kept_informed`, "
        "`treatment`), the satisfied share among the period's surveys answering it: "
        "`values` by element, and `n`, the answers.",
        "rates", NEEDS, numerator=_elements(False), denominator=_elements(True),
        keys=ELEMENT_KEYS, key_labels=tuple(codes.SURVEY_ELEMENTS.items()),
        rules=("29", "33"), version=2,
    ),
    Indicator(
        "victim_satisfaction_gap_ethnicity", "satisfaction",
        "Victim satisfaction gap, White and minority ethnic",
        "The satisfied share of the surveys whose victim's `people` row has self-defined "
        "ethnicity `W1`, `W2` or `W9`, minus that of the surveys with another recorded code "
        "(`NS`, `NU` and blank left out); may be negative; null when either group is empty. "
        "Adds `white_rate`, `bme_rate`, `white_n`, `bme_n`.",
        "gap", NEEDS, numerator=_by_group(True), denominator=_by_group(False),
        keys=GROUP_KEYS, rules=("29", "33"), version=2,
        key_labels=((WHITE, "White"), (BME, "Black, Asian or racially minoritised")),
    ),
)
