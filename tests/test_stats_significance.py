"""The two tests behind "statistically significant" (dvpi.stats.significance), against
published values and an independent exact computation."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dvpi.stats import significance as sig


def test_two_proportions_matches_r_prop_test():
    # R: prop.test(c(50, 40), c(100, 100), correct = FALSE)
    #    X-squared = 2.0202, df = 1, p-value = 0.1552
    t = sig.two_proportions(50, 100, 40, 100)
    assert t.statistic ** 2 == pytest.approx(2.0202, abs=1e-4)
    assert t.p_value == pytest.approx(0.1552, abs=1e-4)
    assert not t.significant and t.method == sig.PROPORTIONS


def test_two_proportions_by_hand():
    # p = 0.45 pooled; se = sqrt(0.45 * 0.55 * (1/400 + 1/400)) = 0.0351781;
    # z = 0.1 / 0.0351781 = 2.842676; two-sided p = 0.004474
    t = sig.two_proportions(200, 400, 160, 400)
    assert t.statistic == pytest.approx(2.842676, abs=1e-6)
    assert t.p_value == pytest.approx(0.004474, abs=1e-5)
    assert t.significant


def test_two_proportions_nothing_to_test():
    assert sig.two_proportions(0, 10, 0, 20) is None  # pooled share 0
    assert sig.two_proportions(5, 5, 7, 7) is None  # pooled share 1
    assert sig.two_proportions(0, 0, 2, 3) is None  # no denominator
    with pytest.raises(ValueError):
        sig.two_proportions(6, 5, 1, 2)
    with pytest.raises(ValueError):
        sig.two_proportions(-1, 5, 1, 2)


def test_poisson_matches_r_poisson_test():
    # R: poisson.test(c(10, 20)) -> p-value = 0.09874 (= binom.test(10, 30))
    t = sig.poisson_counts(10, 20)
    assert t.p_value == pytest.approx(0.09874, abs=1e-5)
    assert not t.significant and t.statistic is None and t.method == sig.POISSON
    # R: binom.test(20, 60) -> p-value = 0.01349
    assert sig.poisson_counts(20, 40).p_value == pytest.approx(0.01349, abs=1e-5)
    assert sig.poisson_counts(20, 40).significant


def _exact_two_sided(k: int, n: int, p: Fraction) -> float:
    """The textbook exact two-sided binomial p-value: the total probability of every
    outcome no more likely than the one observed (in exact fractions)."""
    probs = [math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(n + 1)]
    observed = probs[k]
    # scipy's relative tolerance for ties, as R's binom.test uses
    return float(sum(q for q in probs if q <= observed * (1 + Fraction(1, 10 ** 7))))


@given(st.integers(0, 60), st.integers(0, 60), st.sampled_from([(1, 1), (1, 2), (3, 2)]))
def test_poisson_is_the_exact_conditional_test(c1, c2, exposures):
    t1, t2 = exposures
    t = sig.poisson_counts(c1, c2, t1, t2)
    if c1 + c2 == 0:
        assert t is None
        return
    expected = _exact_two_sided(c1, c1 + c2, Fraction(t1, t1 + t2))
    assert t.p_value == pytest.approx(min(1.0, expected), rel=1e-9, abs=1e-12)


def test_poisson_with_exposures():
    # Equal rates per unit exposure: 10 in one day against 20 in two days is no change.
    assert sig.poisson_counts(10, 20, 1, 2).p_value == pytest.approx(1.0)
    assert sig.poisson_counts(0, 0) is None
    assert sig.poisson_counts(3, 4, 0, 1) is None
    with pytest.raises(ValueError):
        sig.poisson_counts(1.5, 2)


@given(st.integers(1, 500), st.integers(1, 500), st.data())
def test_two_proportions_is_symmetric(n1, n2, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    a, b = sig.two_proportions(x1, n1, x2, n2), sig.two_proportions(x2, n2, x1, n1)
    if a is None:
        assert b is None
        return
    assert a.p_value == pytest.approx(b.p_value)
    assert a.statistic == pytest.approx(-b.statistic)
    assert 0 <= a.p_value <= 1
