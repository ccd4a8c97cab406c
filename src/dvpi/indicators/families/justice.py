"""Justice outcomes (version 2): offences brought to justice, the most serious violence,
domestic rape, and the evidential-difficulty outcomes 15 and 16."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.families.homicide import scope_population
from dvpi.indicators.families.volume import dv_crimes
from dvpi.indicators.measures import count
from dvpi.indicators.model import Diff, Family, Indicator, Ref

FAMILY = Family(
    "justice", "Justice outcomes",
    "DV-flagged crimes recorded in the period and whether, by the extract, they were brought "
    "to justice: a caution (outcome 2 or 3), TIC (4), penalty notice (6) or cannabis warning "
    "(7) of any date, or a CPS case pointing at the crime by `report_id` with outcome "
    "`convicted`, whatever the case's own flag and borough (a charge alone does not count).",
)

# Brought to justice reads outcomes, then CPS cases (precise rule 32 names them so).
NEEDS = ("reports", "outcomes", "cps_cases")
OUTCOME_NEEDS = ("reports", "outcomes")


def brought_to_justice(ctx):
    """The crimes brought to justice by the extract, of any date (precise rule 30)."""

    def build():
        o = ctx.raw("outcomes")
        o = o.filter(o.outcome_type.isin(codes.BROUGHT_TO_JUSTICE_OUTCOME_TYPES))
        c = ctx.raw("cps_cases")
        c = c.filter((c.outcome == codes.CONVICTED) & c.report_id.notnull())
        return o.select("report_id").union(c.select("report_id"), distinct=True)

    return ctx.memo("brought_to_justice", build)


def _justice(crimes, ctx):
    return crimes.semi_join(brought_to_justice(ctx), "report_id")


def most_serious_violence(ctx):
    c = dv_crimes(ctx)
    return c.filter(c.offence.isin(codes.MOST_SERIOUS_VIOLENCE))


def domestic_rapes(ctx):
    c = dv_crimes(ctx)
    return c.filter(c.offence == codes.RAPE)


def _outcome_key(outcome_type: int) -> str:
    return str(outcome_type)


def _outcome_rate(outcome_type: int) -> Indicator:
    words = codes.OUTCOME_TYPES[outcome_type]
    return Indicator(
        f"outcome_{outcome_type}_rate", "justice", f"Outcome {outcome_type} rate",
        f"Of the DV-flagged crimes recorded in the period that have an outcome, the share "
        f"whose latest outcome (as `outcome_distribution`) is type {outcome_type}: {words}.",
        "rate", OUTCOME_NEEDS,
        numerator=Ref("outcome_distribution", _outcome_key(outcome_type)),
        denominator=Diff(Ref("dv_crimes"), Ref("outcome_distribution", "0")),
        rules=("14", "29"), version=2,
    )


INDICATORS = (
    Indicator(
        "offences_brought_to_justice", "justice", "Offences brought to justice",
        "DV-flagged crimes recorded in the period that, by the extract, were brought to "
        "justice (see the family's definition).",
        "count", NEEDS, value=lambda ctx: count(_justice(dv_crimes(ctx), ctx)),
        rules=("29", "30", "32", "33"), version=2,
    ),
    Indicator(
        "obtj_rate", "justice", "Offences brought to justice rate",
        "`offences_brought_to_justice / dv_crimes`.",
        "rate", NEEDS, numerator=Ref("offences_brought_to_justice"),
        denominator=Ref("dv_crimes"), rules=("29", "30"), version=2,
    ),
    Indicator(
        "dv_most_serious_violence", "justice", "DV most serious violence",
        "DV-flagged crimes recorded in the period whose offence is murder, manslaughter, "
        "infanticide, attempted murder, GBH with intent (s18) or GBH (s20).",
        "count", ("reports",), value=lambda ctx: count(most_serious_violence(ctx)),
        rules=("6", "29"), version=2,
    ),
    Indicator(
        "dv_most_serious_violence_per_1000", "justice",
        "DV most serious violence per 1,000 residents",
        "`dv_most_serious_violence` per 1,000 resident population: every population row of "
        "the scope, all ages (as rule 20).",
        "per_1000", ("reports", "population"), numerator=Ref("dv_most_serious_violence"),
        denominator=scope_population, rules=("2", "20", "29"), version=2,
    ),
    Indicator(
        "most_serious_violence_obtj_rate", "justice",
        "Most serious violence brought to justice",
        "Of `dv_most_serious_violence`, the share brought to justice.",
        "rate", NEEDS,
        numerator=lambda ctx: count(_justice(most_serious_violence(ctx), ctx)),
        denominator=Ref("dv_most_serious_violence"), rules=("29", "30"), version=2,
    ),
    Indicator(
        "domestic_rape_obtj_rate", "justice", "Domestic rape brought to justice",
        "Of the DV-flagged crimes recorded in the period whose offence is rape, the share "
        "brought to justice.",
        "rate", NEEDS, numerator=lambda ctx: count(_justice(domestic_rapes(ctx), ctx)),
        denominator=lambda ctx: count(domestic_rapes(ctx)), rules=("29", "30"), version=2,
    ),
    *(_outcome_rate(t) for t in codes.EVIDENTIAL_DIFFICULTY_TYPES),
)
