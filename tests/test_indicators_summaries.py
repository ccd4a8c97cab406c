"""The exact median of whole days and the Wilson score interval (indicators/summaries)."""

from __future__ import annotations

import math
import statistics
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from dvpi.indicators.summaries import Z95, median_of_counts, wilson_interval


@given(st.lists(st.integers(-400, 4000), max_size=60))
def test_the_median_of_a_distribution_is_the_median_of_its_values(values):
    got = median_of_counts(Counter(values))
    if not values:
        assert got is None
        return
    assert got == statistics.median(values)
    # Whole medians are ints: 12, never 12.0.
    assert isinstance(got, int) == (got == int(got))


def test_median_examples():
    assert median_of_counts({}) is None
    assert median_of_counts({10: 1, 56: 1, 57: 1, 120: 1}) == 56.5
    assert median_of_counts({3: 2, 9: 2}) == 6
    assert median_of_counts({7: 5}) == 7


def test_z_is_the_two_sided_95_percent_quantile():
    assert math.isclose(Z95, 1.959963984540054, rel_tol=1e-12)


@given(st.integers(1, 100_000), st.data())
def test_wilson_bounds_solve_the_score_equation(n, data):
    """The Wilson bounds are the proportions p at which the observed p̂ is exactly z
    standard errors (under p) away: (p̂ - p)² = z² p(1 - p) / n."""
    x = data.draw(st.integers(0, n))
    low, high = wilson_interval(x, n)
    p_hat = x / n
    assert 0.0 <= low <= p_hat <= high <= 1.0
    for p in (low, high):
        residual = (p_hat - p) ** 2 - Z95 * Z95 * p * (1 - p) / n
        assert abs(residual) < 1e-9
    if 0 < x < n:
        assert low < p_hat < high


def test_wilson_examples():
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(3, 6)  # statsmodels' proportion_confint(3, 6, "wilson")
    assert math.isclose(low, 0.18761, abs_tol=1e-5) and math.isclose(high, 0.81239, abs_tol=1e-5)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    low, high = wilson_interval(0, 10)
    assert math.isclose(high, 0.27753, abs_tol=1e-5)
