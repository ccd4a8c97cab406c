"""Recording noise, on purpose and in known proportions.

Every rate lives in :data:`NOISE`. Each is the probability that one people row (or, for
the nominal-id mix-ups, one true person) gets that error. Noise never changes a value a
calibrated figure reads: recorded ages are preserved exactly (a day/month swap or a
missing date of birth is applied only when the age at the report stays the same), and
the rows of the dual-arrest incidents keep their surnames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.synth.names import TRANSLITERATIONS

NOISE: dict[str, float] = {
    "transliteration": 0.35,   # of rows whose forename or surname has a known variant
    "spelling": 0.03,          # a doubled or dropped letter, or a vowel changed
    "typo": 0.02,              # a keyboard slip: adjacent letters transposed
    "swapped_names": 0.01,     # forename and surname entered the wrong way round
    "dob_day_month_swap": 0.01,  # day and month of birth swapped (when both <= 12)
    "dob_missing_age_only": 0.05,  # date of birth blank, age in years given instead
    "nominal_missing": 0.08,   # no nominal id on the row
    "nominal_shared": 0.002,   # of persons: given another person's nominal id
    "nominal_second": 0.005,   # of persons: one of their rows has a second nominal id
}

_VOWELS = "aeiou"


def _spelling(name: str, r: float) -> str:
    if len(name) < 4:
        return name
    i = 1 + int(r * (len(name) - 2))
    ch = name[i]
    if ch.lower() in _VOWELS:
        return name[:i] + _VOWELS[(_VOWELS.index(ch.lower()) + 1) % 5] + name[i + 1:]
    if name[i - 1] == ch:
        return name[:i] + name[i + 1:]
    return name[:i] + ch + name[i:]


def _typo(name: str, r: float) -> str:
    if len(name) < 3:
        return name
    i = 1 + int(r * (len(name) - 2))
    i = min(i, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _translit(name: str, r: float) -> str:
    variants = TRANSLITERATIONS.get(name)
    if not variants:
        return name
    return variants[int(r * len(variants)) % len(variants)]


def apply_name_noise(people: pd.DataFrame, rng: np.random.Generator,
                     protected: np.ndarray) -> pd.Series:
    """Edit surname/forenames in place; returns a column naming the noise applied."""
    n = len(people)
    applied = np.full(n, "", dtype=object)
    sur = people["surname"].to_numpy(dtype=object).copy()
    fore = people["forenames"].to_numpy(dtype=object).copy()
    u = rng.random((n, 6))
    has_variant = np.array([(s in TRANSLITERATIONS) or (f in TRANSLITERATIONS)
                            for s, f in zip(sur, fore, strict=True)])
    ok = ~protected
    for i in np.flatnonzero(ok & has_variant & (u[:, 0] < NOISE["transliteration"])):
        if sur[i] in TRANSLITERATIONS and (fore[i] not in TRANSLITERATIONS or u[i, 5] < 0.5):
            sur[i] = _translit(sur[i], u[i, 4])
        else:
            fore[i] = _translit(fore[i], u[i, 4])
        applied[i] += "transliteration;"
    for i in np.flatnonzero(ok & (u[:, 1] < NOISE["spelling"])):
        if u[i, 5] < 0.5:
            sur[i] = _spelling(sur[i], u[i, 4])
        else:
            fore[i] = _spelling(fore[i], u[i, 4])
        applied[i] += "spelling;"
    for i in np.flatnonzero(ok & (u[:, 2] < NOISE["typo"])):
        if u[i, 5] < 0.5:
            sur[i] = _typo(sur[i], u[i, 4])
        else:
            fore[i] = _typo(fore[i], u[i, 4])
        applied[i] += "typo;"
    swap = np.flatnonzero(ok & (u[:, 3] < NOISE["swapped_names"]))
    sur[swap], fore[swap] = fore[swap].copy(), sur[swap].copy()
    applied[swap] += "swapped_names;"
    people["surname"] = sur
    people["forenames"] = fore
    return pd.Series(applied, index=people.index)
