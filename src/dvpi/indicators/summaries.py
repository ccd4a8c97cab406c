"""The summaries of version 2, implemented once: exact medians and Wilson intervals.

Both are taken in Python from counts the engine made, so they are the same on every
engine (Spark's median is approximate; DuckDB's is exact): a median from how many rows
took each whole number of days, an interval from a rate's numerator and denominator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist

# The two-sided 95% normal quantile, 1.959963984540054.
Z95 = NormalDist().inv_cdf(0.975)


def median_of_counts(counts: Mapping[int, int]) -> int | float | None:
    """The median of a distribution given as {value: how many rows}: the middle value,
    or the mean of the two middle values when their number is even; None when there
    is none. A whole median is an int (12), a half one a float (12.5)."""
    n = sum(counts.values())
    if n == 0:
        return None
    low_rank, high_rank = (n - 1) // 2, n // 2  # 0-based ranks of the middle value(s)
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    assert low is not None and high is not None
    total = low + high
    return total // 2 if total % 2 == 0 else total / 2


def wilson_interval(successes: int, n: int, z: float = Z95) -> list[float] | None:
    """The Wilson score interval [low, high] for ``successes`` out of ``n``; None when
    n is 0. With p = successes / n:

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z · sqrt(p(1 - p)/n + z²/4n²) / (1 + z²/n)

    clipped to [0, 1] (at p = 0 or 1 the bound is exactly 0 or 1)."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return [low, high]
