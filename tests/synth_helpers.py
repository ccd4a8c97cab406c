"""Shared checks for the synthetic-data tests: load, attach the truth, compare figures."""

from __future__ import annotations

from pathlib import Path

from dvpi.synth import default_truth_dir, store_truth_links
from dvpi.synth.profile import Profile

# Counts of the profile that are not catalogue indicators (derived splits).
NOT_INDICATORS = {"caution_adult", "other_sanctions"}


def load_with_truth(data_dir: Path, warehouse: Path):
    """Load a generated data set and store its truth as person links; returns the result."""
    from dvpi.ingest import load_dataset
    from dvpi.warehouse import connect

    result = load_dataset(data_dir, warehouse)
    con = connect(warehouse)
    try:
        store_truth_links(con, default_truth_dir(data_dir) / "people.csv")
    finally:
        con.close()
    return result


def mismatches(prof: Profile, indicators: dict) -> list[str]:
    """Every profile figure the computed indicators do not reproduce exactly."""
    bad = []
    for key, want in prof.counts.items():
        if key in NOT_INDICATORS or key not in indicators:
            continue
        got = indicators[key].get("value")
        if got != want:
            bad.append(f"{key}: want {want}, got {got}")
    for key, want in prof.breakdowns.items():
        if key not in indicators:
            continue
        values = indicators[key]["values"]
        for k, v in want.items():
            if values.get(k) != v:
                bad.append(f"{key}[{k}]: want {v}, got {values.get(k)}")
    return bad


def covered(prof: Profile, indicators: dict) -> set[str]:
    return {k for k in list(prof.counts) + list(prof.breakdowns) if k in indicators}
