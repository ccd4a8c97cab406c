"""Is a change between two periods more than chance? The two tests every output uses.

A key finding calls a change "statistically significant" only when one of these says so
at the 95% level (two-sided); otherwise it says "no significant change". Implemented
once, here, and tested against published values (tests/test_stats_significance.py).

* **Rates** (a numerator over a denominator): the two-proportion z-test with the pooled
  proportion, z = (p1 − p2) / √(p(1−p)(1/n1 + 1/n2)). It is the test of ONS bulletins and
  of R's ``prop.test(correct = FALSE)`` (its X-squared is z²).
* **Counts** (events in two periods): the exact conditional test for two Poisson counts.
  Given the total c1 + c2, c1 is binomial with p = t1 / (t1 + t2) when the rates are
  equal (t the periods' lengths), so the p-value is the two-sided exact binomial test
  (R's ``poisson.test(c(c1, c2), c(t1, t2))``). Chosen over the normal approximation
  because it is exact for the small counts of a borough or a rare event (homicides) and
  costs nothing for large ones; see docs/methodology.md.

A per-100 or per-1,000 figure is a count over a denominator, not a proportion: it is
tested as a rate only when ``numerator <= denominator`` (a share), otherwise as two
Poisson counts with the denominators as exposures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import binomtest, norm

LEVEL = 0.95
ALPHA = 1 - LEVEL


@dataclass(frozen=True)
class Test:
    """The outcome of one test: which test, its statistic, the two-sided p-value."""

    method: str  # "two-proportion z-test" or "exact Poisson (conditional binomial) test"
    statistic: float | None  # z for proportions; None for the exact test
    p_value: float

    @property
    def significant(self) -> bool:
        """At the 95% level (two-sided)."""
        return self.p_value < ALPHA


PROPORTIONS = "two-proportion z-test"
POISSON = "exact Poisson (conditional binomial) test"


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> Test | None:
    """Is x1/n1 different from x2/n2? None when a denominator is 0 or the pooled share is
    0 or 1 (no variation: nothing to test)."""
    _check_counts(x1, n1, x2, n2)
    if x1 > n1 or x2 > n2:
        raise ValueError("a proportion's numerator cannot exceed its denominator")
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return Test(PROPORTIONS, z, float(2 * norm.sf(abs(z))))


def poisson_counts(c1: int, c2: int, t1: float = 1.0, t2: float = 1.0) -> Test | None:
    """Is the rate c1/t1 different from c2/t2 (counts of events over exposures t, e.g. days
    or residents)? None when both counts are 0 or an exposure is not positive."""
    _check_counts(c1, c2)
    if t1 <= 0 or t2 <= 0 or c1 + c2 == 0:
        return None
    result = binomtest(int(c1), int(c1 + c2), t1 / (t1 + t2), alternative="two-sided")
    return Test(POISSON, None, float(min(1.0, result.pvalue)))


def _check_counts(*values: float) -> None:
    for v in values:
        if v is None or v < 0 or not float(v).is_integer():
            raise ValueError(f"a count must be a whole number 0 or more, not {v!r}")
