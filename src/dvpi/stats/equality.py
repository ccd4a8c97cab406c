"""Equality: rates per 1,000 residents and relative rate indices (RRI) against IC1.

Paragraph 86 of the 2008 report: the MPS knew of disproportionality in its DV figures
but not where it arose. Here each group's count is set against its resident population
(per 1,000, with a 95% interval) and against the White European group (IC1) as a
relative rate index with a Katz log-normal interval; and the arrest stage is set beside
the accused stage, so a reader can see whether a difference is already there at arrest
or appears between arrest and sanction.

Pure functions over engine breakdowns (``{"values": {...}, "total": n}``) and a
population mapping ``{group: residents}``; what they read from the warehouse is read by
the outputs (:mod:`dvpi.publish.inputs`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from dvpi.contract import codes

REFERENCE_GROUP = "IC1"
PER = 1000.0
CI_LEVEL = 0.95
Z95 = float(norm.ppf(0.5 + CI_LEVEL / 2))

# Dimensions of the population table and the engine breakdowns that use them.
DIMENSIONS: dict[str, dict] = {
    "ethnic_appearance": {
        "column": "ethnic_appearance", "groups": codes.POPULATION_ETHNIC_APPEARANCES,
        "labels": codes.ETHNIC_APPEARANCES, "reference": REFERENCE_GROUP,
    },
    "gender": {
        "column": "gender", "groups": codes.POPULATION_GENDERS, "labels": codes.GENDERS,
        "reference": "M",
    },
    "age_group": {
        "column": "age_band", "groups": codes.POPULATION_AGE_BANDS,
        "labels": {**{b: b for b in codes.POPULATION_AGE_BANDS},
                   codes.UNRECORDED: codes.UNRECORDED.capitalize()},
        "reference": None,
    },
}


@dataclass(frozen=True)
class GroupRate:
    group: str
    label: str
    count: int | None
    population: int | None
    per_1000: float | None
    low: float | None
    high: float | None
    rri: float | None = None
    rri_low: float | None = None
    rri_high: float | None = None

    @property
    def significant(self) -> bool:
        """The RRI's interval excludes 1."""
        return self.rri_low is not None and (self.rri_low > 1 or self.rri_high < 1)

    @property
    def is_reference(self) -> bool:
        return self.rri == 1.0 and self.rri_low is None


def rate_per_1000(count: int, population: int) -> tuple[float, float, float] | None:
    """Rate per 1,000 with a 95% interval (log-normal on the count; exact-ish for small n)."""
    if not population or count is None:
        return None
    rate = PER * count / population
    if count == 0:
        # No log interval at zero: use the one-sided Poisson bound (3.69 at 95%, 2-sided).
        return (0.0, 0.0, PER * 3.689 / population)
    se = 1 / math.sqrt(count)
    return (rate, rate * math.exp(-Z95 * se), rate * math.exp(Z95 * se))


def katz_interval(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float] | None:
    """Risk ratio (a/n1)/(c/n0) with the Katz log interval: SE = sqrt(1/a - 1/n1 + 1/c - 1/n0)."""
    if not (a and c and n1 and n0) or a > n1 or c > n0:
        return None
    rr = (a / n1) / (c / n0)
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n0))
    return (rr, rr * math.exp(-Z95 * se), rr * math.exp(Z95 * se))


def ratio_of_ratios(a: int, b: int, c: int, d: int) -> tuple[float, float, float] | None:
    """(a/b)/(c/d) for four Poisson counts: SE(log) = sqrt(1/a + 1/b + 1/c + 1/d)."""
    if not (a and b and c and d):
        return None
    r = (a / b) / (c / d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return (r, r * math.exp(-Z95 * se), r * math.exp(Z95 * se))


def group_rates(
    breakdown: dict, population: dict[str, int], dimension: str = "ethnic_appearance",
    reference: str | None = None,
) -> list[GroupRate]:
    """Each group of an engine breakdown per 1,000 residents, with its RRI against the
    reference group (IC1 for ethnic appearance). Groups with no population row (IC0,
    unrecorded, U) are listed with their count and no rate."""
    spec = DIMENSIONS[dimension]
    ref = reference if reference is not None else spec["reference"]
    values = breakdown.get("values", {})
    ref_count, ref_pop = values.get(ref), population.get(ref) if ref else None
    rows = []
    for group, count in values.items():
        pop = population.get(group)
        rate = rate_per_1000(count, pop) if pop and count is not None else None
        rri = (katz_interval(count, pop, ref_count, ref_pop)
               if ref and pop and count is not None and ref_count and ref_pop else None)
        if rri and group == ref:
            rri = (1.0, None, None)  # the reference against itself: 1 by definition
        rows.append(GroupRate(
            group=group, label=spec["labels"].get(group, group), count=count, population=pop,
            per_1000=rate[0] if rate else None, low=rate[1] if rate else None,
            high=rate[2] if rate else None,
            rri=rri[0] if rri else None, rri_low=rri[1] if rri else None,
            rri_high=rri[2] if rri else None,
        ))
    return rows


@dataclass(frozen=True)
class StageRow:
    group: str
    label: str
    population: int | None
    arrested: int | None
    accused: int | None
    arrest_rri: tuple[float, float, float] | None       # arrests per resident vs reference
    accused_rri: tuple[float, float, float] | None      # accused per resident vs reference
    progression_rri: tuple[float, float, float] | None  # accused per arrest vs reference


def stage_comparison(
    arrested: dict[str, int], accused: dict[str, int], population: dict[str, int],
    dimension: str = "ethnic_appearance", reference: str | None = None,
) -> list[StageRow]:
    """The arrest stage beside the accused stage, each group against the reference.

    ``arrest_rri`` > 1 says the group is arrested more often per resident; ``progression_rri``
    > 1 says an arrest of that group more often ends in a sanction (accused per arrest), so a
    difference that appears only in ``accused_rri`` is located between arrest and sanction.
    """
    spec = DIMENSIONS[dimension]
    ref = reference if reference is not None else spec["reference"]
    ra, rc, rp = arrested.get(ref), accused.get(ref), population.get(ref)
    rows = []
    for group in arrested.keys() | accused.keys():
        a, c, p = arrested.get(group), accused.get(group), population.get(group)
        if group == ref:  # the reference against itself: 1 by definition, no interval
            one = (1.0, None, None)
            rows.append(StageRow(group, spec["labels"].get(group, group), p, a, c,
                                 one if p and a else None, one if p and c else None,
                                 one if a and c else None))
            continue
        rows.append(StageRow(
            group=group, label=spec["labels"].get(group, group), population=p,
            arrested=a, accused=c,
            arrest_rri=katz_interval(a, p, ra, rp) if p and rp and a is not None else None,
            accused_rri=katz_interval(c, p, rc, rp) if p and rp and c is not None else None,
            progression_rri=ratio_of_ratios(c, a, rc, ra) if None not in (a, c, ra, rc) else None,
        ))
    order = list(spec["labels"])
    rows.sort(key=lambda r: order.index(r.group) if r.group in order else len(order))
    return rows
