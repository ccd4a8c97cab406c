"""The full London profile, generated once: every figure of mps-fy2007-08.json exactly,
its rates to the report's rounding, and Tower Hamlets' 124D compliance."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dvpi.synth import generate
from synth_helpers import assert_realistic_in_time, dated_columns, load_with_truth, mismatches

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[Path, object, float]:
    out = tmp_path_factory.mktemp("synth-full") / "london"
    t0 = time.perf_counter()
    result = generate(out, seed=2008)
    seconds = time.perf_counter() - t0
    loaded = load_with_truth(out, out.parent / "w.duckdb")
    assert loaded.quarantined == 0
    return out.parent / "w.duckdb", result, seconds


def test_full_profile_is_exact(full):
    from engine_helpers import compute

    wh, result, _ = full
    prof = result.profile
    figures = compute(wh, prof.start, prof.end, people="truth")
    ind = figures["indicators"]
    assert mismatches(prof, ind) == []
    for key, rate in prof.rates.items():
        assert round(ind[key]["value"], 3) == rate, key
    best, rate = prof.compliance_best
    th = compute(wh, prof.start, prof.end, borough=best, people="truth",
                 ids=["risk_assessment_compliance"])
    assert round(th["indicators"]["risk_assessment_compliance"]["value"], 3) == rate
    assert figures["targets"]["spi8a_offence_arrest_rate"]["met"] is True


def test_full_profile_is_realistic_in_time(full):
    """No day of any dated table above 3 times its month's median day, no jump in the
    last week of either year (the outcomes used to pile up on 31 March)."""
    _, result, _ = full
    assert_realistic_in_time(dated_columns(result.out_dir))


def test_full_profile_scale_and_speed(full):
    _, result, seconds = full
    assert 200_000 < result.rows["reports"] < 260_000
    assert 400_000 < result.rows["people"] < 500_000
    assert seconds < 150  # shared 2-core machine; about a minute alone
