"""Exact integer splits, random draws and age arithmetic shared by the pipeline's steps.

Nothing here knows about the plan: every function takes what it needs as arguments, so
any step module can use it without importing another step module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.profile import Profile, largest_remainder

ONE_DAY = np.timedelta64(1, "D")


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    return largest_remainder(int(total), weights)


def shuffled(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    """Each key repeated its count of times, in random order."""
    values = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    rng.shuffle(values)
    return values


def weighted_choice(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    """``n`` keys of ``weights`` drawn with replacement in proportion to their values."""
    p = np.array(list(weights.values()), float)
    return rng.choice(np.array(list(weights), dtype=object), n, p=p / p.sum())


def pick(rng: np.random.Generator, candidates: np.ndarray, n: int,
         weights: np.ndarray | None = None) -> np.ndarray:
    """``n`` distinct candidates (optionally weighted); an error if there are too few."""
    if n > len(candidates):
        raise RuntimeError(f"need {n} of {len(candidates)}")
    if n == 0:
        return candidates[:0]
    p = None if weights is None else weights / weights.sum()
    return rng.choice(candidates, n, replace=False, p=p)


def assign_marginal(rng: np.random.Generator, weights: np.ndarray, fixed: np.ndarray,
                    counts: dict[str, int]) -> np.ndarray:
    """Give each unit a value; a unit of weight w takes w rows of the marginal. Units with
    a fixed value keep it. The marginal (rows) is met exactly."""
    values = fixed.copy()
    remaining = dict(counts)
    for value, weight in zip(fixed, weights, strict=True):
        if value is not None:
            remaining[value] -= int(weight)
    free = np.array([value is None for value in fixed])
    for weight in sorted(set(weights[free & (weights > 1)].tolist()), reverse=True):
        units = np.flatnonzero(free & (weights == weight))
        available = {k: max(0, r) // weight for k, r in remaining.items()}
        share = apportion(len(units),
                          {k: remaining[k] * 1.0 for k in remaining if available[k] > 0})
        # Cap by availability; move the overflow to values with room left.
        overflow = 0
        for k in share:
            if share[k] > available[k]:
                overflow += share[k] - available[k]
                share[k] = available[k]
        for k in sorted(share, key=lambda k: available[k] - share[k], reverse=True):
            take = min(overflow, available[k] - share[k])
            share[k] += take
            overflow -= take
        values[units] = shuffled(rng, share)
        for k, taken in share.items():
            remaining[k] -= taken * weight
        free[units] = False
    units = np.flatnonzero(free)
    if any(r < 0 for r in remaining.values()) or sum(remaining.values()) != len(units):
        raise RuntimeError(f"marginal cannot be met: {remaining} for {len(units)} units")
    values[units] = shuffled(rng, remaining)
    return values


def age_at(birth: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Whole years (precise rule 7: a year older on the birthday; 29 Feb -> 1 March)."""
    birth_year = birth.astype("datetime64[Y]").astype(int)
    reference_year = reference.astype("datetime64[Y]").astype(int)
    return reference_year - birth_year - (_month_day(reference) < _month_day(birth))


def _month_day(days: np.ndarray) -> np.ndarray:
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    day = (days - days.astype("datetime64[M]")).astype(int) + 1
    return month * 100 + day


def dob_for_age(rng: np.random.Generator, ages: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """A date of birth giving exactly ``ages`` at ``reference``."""
    dob = reference - (np.round(ages * 365.25).astype(int) + rng.integers(1, 365, len(ages)))
    dob = dob.astype("datetime64[D]")
    for _ in range(4):
        diff = age_at(dob, reference) - ages
        if not diff.any():
            break
        dob = dob + (diff * 200).astype("timedelta64[D]")
    wrong = age_at(dob, reference) != ages
    while wrong.any():
        older = age_at(dob[wrong], reference[wrong]) > ages[wrong]
        dob[wrong] = dob[wrong] + np.where(older, 1, -1)
        wrong = age_at(dob, reference) != ages
    return dob


def group_of_band(band: str) -> str:
    """The age group (AGE_GROUPS) holding the lower end of a homicide or FM age band."""
    low = int(band.split("-")[0].rstrip("+"))
    for group in codes.AGE_GROUPS:
        if group.contains(low):
            return group.label
    return codes.UNRECORDED


def group_bounds(group: str) -> tuple[int, int]:
    """Youngest and oldest age of an age group (90 for the open-ended one)."""
    for b in codes.AGE_GROUPS:
        if b.label == group:
            return b.low, (b.high if b.high is not None else 90)
    raise KeyError(group)


def age_in_band(rng: np.random.Generator, band: str) -> int:
    """An age in a homicide age band (16 at the youngest)."""
    for b in codes.HOMICIDE_AGE_BANDS:
        if b.label == band:
            low = max(b.low, 16)
            return int(rng.integers(low, (b.high if b.high is not None else 88) + 1))
    raise KeyError(band)


def fm_victims(rng: np.random.Generator, profile: Profile) -> pd.DataFrame:
    """FM victim rows with exact breakdowns; DV FM reports (one victim each) first."""
    breakdowns = profile.breakdowns
    n = sum(breakdowns["fm_victims_by_gender"].values())
    gender = shuffled(rng, breakdowns["fm_victims_by_gender"])
    band = shuffled(rng, breakdowns["fm_victims_by_age_band"])
    ic_counts = {k: breakdowns["fm_victims_by_ethnic_appearance"].get(k, 0)
                 for k in codes.ETHNIC_APPEARANCES}
    sde = shuffled(rng, breakdowns["fm_victims_by_self_defined_ethnicity"])
    # Appearance that fits the self-defined ethnicity where the counts allow.
    fit = {"A1": "IC4", "A2": "IC4", "A3": "IC4", "A9": "IC4", "B2": "IC3", "B9": "IC3",
           "W1": "IC1", "W9": "IC2", "O9": "IC6", "M9": "IC3"}
    ic = np.full(n, None, dtype=object)
    remaining = dict(ic_counts)
    for i, s in enumerate(sde):
        want = fit.get(s)
        if want and remaining.get(want, 0) > 0:
            ic[i] = want
            remaining[want] -= 1
    left = np.flatnonzero(ic == None)  # noqa: E711
    ic[left] = shuffled(rng, remaining)
    bands = {b.label: b for b in codes.FM_AGE_BANDS}
    ages = np.array([rng.integers(bands[b].low, (bands[b].high or 60) + 1) if b in bands
                     else 30 for b in band])
    ages = np.where(np.array([b == "0-17" for b in band]), rng.integers(14, 18, n), ages)
    frame = pd.DataFrame({"gender": gender, "ic": ic, "sde": sde, "age": ages})
    return frame.sample(frac=1, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)
