"""England and Wales: the published national figures of each year as integer targets, and
their split across the 43 forces.

The figures are read from ``data/ew-national.json`` (each with its source) and the forces
from ``data/ew-forces.json``. A year's national integers are exact: counts as published
(times ``scale``), and every rate as a numerator whose ratio to its denominator rounds to
the published rate. Each integer is split across forces by largest remainder of
population x a fixed per-force factor (the spread forces really show around the national
figure), so the forces' integers sum exactly to the nation's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from dvpi.synth.forces import force_data as forces
from dvpi.synth.profile import largest_remainder

DATA = Path(__file__).parent / "data"
FIRST_YEAR, LAST_YEAR = 2015, 2024  # financial years 2015-16 .. 2024-25
PUBLISHED = ("dv_incidents", "dv_crimes", "dv_crime_arrests_per_100", "cps_dv_referrals",
             "cps_ons_charging_rate", "cps_dv_prosecutions", "cps_conviction_rate")
# Figures ONS does not publish, as stated ratios (assumptions, docs/synthetic-data.md):
# referrals with a legal decision (charge, NFA, out-of-court disposal) in the year; the
# rest are 'other' or still undecided. Every CPS prosecution counted is finished.
LEGAL_DECISION_SHARE = 0.95
# The spread of forces around the national figure: a force's factor is lognormal with
# these standard deviations, fixed per force (seeded by FACTOR_SEED, not the run's seed),
# so a force is consistently above or below the nation from year to year.
SPREAD = {"volume": 0.20, "crime_share": 0.08, "arrests": 0.15, "referrals": 0.15,
          "charging": 0.04, "conviction": 0.04}
FACTOR_SEED = 20251126


def year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def parse_year(label: str) -> int:
    try:
        start = int(label[:4])
    except ValueError:
        raise ValueError(f"a financial year is written like 2023-24, not {label!r}") from None
    if label != year_label(start) or not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(f"year {label!r}: give one of {year_label(FIRST_YEAR)} .. "
                         f"{year_label(LAST_YEAR)}")
    return start


@cache
def first_published(key: str) -> int:
    years = json.loads((DATA / "ew-national.json").read_text())["years"]
    return min(parse_year(y) for y, v in years.items() if key in v)


@cache
def national_figures() -> dict[int, dict[str, float]]:
    """Every figure of every year: published, else interpolated between the nearest
    published years, else the earliest carried back (the json says which)."""
    years = json.loads((DATA / "ew-national.json").read_text())["years"]
    out: dict[int, dict[str, float]] = {y: {} for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    for key in PUBLISHED:
        known = {parse_year(y): v[key][0] for y, v in years.items() if key in v}
        if not known:
            continue
        xs = sorted(known)
        for y in out:
            if y <= xs[0]:
                out[y][key] = known[xs[0]]
            else:
                out[y][key] = float(np.interp(y, xs, [known[x] for x in xs]))
    return out


def rounds_to(num: int, den: int, rate: float, per: float) -> bool:
    return den > 0 and abs(round(per * num / den, 1) - round(rate, 1)) < 1e-9


def _numerator(rate: float, den: int, per: float) -> int:
    """The integer numerator nearest to ``rate`` of ``den`` (rate per ``per``)."""
    return min(den, max(0, round(rate / per * den)))


@dataclass(frozen=True)
class YearTargets:
    """One year's integers (nation or force): every count the engine's figures read."""

    dv_incidents: int
    dv_crimes: int
    arrests: int  # suspect rows with an arrest date on the year's DV crimes
    referrals: int
    legal_decisions: int
    charged: int
    prosecutions: int
    convicted: int  # of prosecutions, all finished

    @property
    def dv_non_crimes(self) -> int:
        return self.dv_incidents - self.dv_crimes


def national_targets(year: int, scale: float = 1.0) -> YearTargets:
    f = national_figures()[year]
    crimes = round(f["dv_crimes"] * scale)
    incidents = max(crimes, round(f["dv_incidents"] * scale))
    prosecutions = round(f["cps_dv_prosecutions"] * scale)
    if year < first_published("cps_dv_referrals"):
        # No referral figure: as many charged as prosecuted (a stated assumption).
        referrals = round(prosecutions / (f["cps_ons_charging_rate"] / 100)
                          / LEGAL_DECISION_SHARE)
    else:
        referrals = round(f["cps_dv_referrals"] * scale)
    referrals = min(crimes, referrals)
    legal = round(referrals * LEGAL_DECISION_SHARE)
    charged = _numerator(f["cps_ons_charging_rate"], legal, 100)
    return YearTargets(
        incidents, crimes, _numerator(f["dv_crime_arrests_per_100"], crimes, 100),
        referrals, legal, charged, prosecutions,
        _numerator(f["cps_conviction_rate"], prosecutions, 100))


@cache
def force_factors() -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(FACTOR_SEED)
    names = sorted(forces()["population"])
    draws = {k: np.exp(rng.normal(0, sd, len(names))) for k, sd in SPREAD.items()}
    return {n: {k: float(v[i]) for k, v in draws.items()} for i, n in enumerate(names)}


def _split(total: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    """Largest remainder of ``total`` by ``weights``, no force above its cap (the excess
    goes to the forces with room, by the same weights)."""
    out = largest_remainder(total, weights)
    while any(out[k] > caps[k] for k in out):
        over = sum(max(0, out[k] - caps[k]) for k in out)
        out = {k: min(v, caps[k]) for k, v in out.items()}
        room = {k: weights[k] for k in out if out[k] < caps[k]}
        for k, v in largest_remainder(over, room).items():
            out[k] += v
    return out


def force_targets(nat: YearTargets) -> dict[str, YearTargets]:
    """The nation's integers split across the 43 forces (sums exact)."""
    pop = forces()["population"]
    fac = force_factors()
    names = sorted(pop)
    big = {k: 1 << 60 for k in names}
    vol = {k: pop[k] * fac[k]["volume"] for k in names}
    # Every force is in the data, however small the scale: one incident each first.
    floor = 1 if nat.dv_incidents >= len(names) else 0
    incidents = {k: v + floor for k, v in largest_remainder(
        nat.dv_incidents - floor * len(names), vol).items()}
    crimes = _split(nat.dv_crimes, {k: vol[k] * fac[k]["crime_share"] for k in names},
                    incidents)
    arrests = _split(nat.arrests, {k: crimes[k] * fac[k]["arrests"] for k in names}, crimes)
    referrals = _split(nat.referrals, {k: crimes[k] * fac[k]["referrals"] for k in names},
                       crimes)
    legal = _split(nat.legal_decisions, {k: float(referrals[k]) for k in names}, referrals)
    charged = _split(nat.charged, {k: legal[k] * fac[k]["charging"] for k in names}, legal)
    # A year's prosecutions may exceed its charges (cases charged the year before).
    prosecutions = _split(nat.prosecutions, {k: float(charged[k]) for k in names}, big)
    convicted = _split(nat.convicted,
                       {k: prosecutions[k] * fac[k]["conviction"] for k in names},
                       prosecutions)
    return {k: YearTargets(incidents[k], crimes[k], arrests[k], referrals[k], legal[k],
                           charged[k], prosecutions[k], convicted[k]) for k in names}


def split_volume(t: YearTargets, n: int) -> list[tuple[int, int, int]]:
    """A force-year's (crimes, non-crimes, arrests) split into ``n`` near-equal builds."""
    parts = [str(i) for i in range(n)]
    even = dict.fromkeys(parts, 1.0)
    crimes = largest_remainder(t.dv_crimes, even)
    non = largest_remainder(t.dv_non_crimes, even)
    arrests = _split(t.arrests, {p: float(crimes[p]) for p in parts}, crimes)
    return [(crimes[p], non[p], arrests[p]) for p in parts]


CARRY_SHARE = 0.3  # of a year's prosecutions, the share charged in the year before


@cache
def carried(scale: float) -> dict[tuple[str, int], int]:
    """(force, year) -> prosecutions of the year whose case was referred and charged in
    the year before. Worked back from the last year (nothing carried beyond it) so that
    every year's own charged cases cover its prosecutions that are not carried and the
    cases carried into the next year: a function of the figures alone, the same whichever
    years are written."""
    by_year = {y: force_targets(national_targets(y, scale)) for y in
               range(FIRST_YEAR, LAST_YEAR + 1)}
    out: dict[tuple[str, int], int] = {}
    for force in by_year[FIRST_YEAR]:
        nxt = 0
        for y in range(LAST_YEAR, FIRST_YEAR - 1, -1):
            t = by_year[y][force]
            k = max(round(CARRY_SHARE * t.prosecutions), t.prosecutions - t.charged + nxt)
            cap = by_year[y - 1][force].charged if y > FIRST_YEAR else t.prosecutions
            k = min(k, t.prosecutions, cap)
            if t.prosecutions - k > t.charged - nxt:
                raise ValueError(f"{force} {year_label(y)}: too few charges for the "
                                 "prosecutions")
            out[force, y] = nxt = k
    return out
