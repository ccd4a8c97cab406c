"""The 43 territorial forces of England and Wales: names, population, BCUs.

Read from ``data/ew-forces.json`` (its population source and the assumptions in it are
stated there and in docs/synthetic-data.md). A build of the London plan has London's 32
boroughs; given to a force, they are dealt to the force's BCUs in turn (``bcu_of``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from dvpi.synth.boroughs import BOROUGHS
from dvpi.synth.profile import largest_remainder
from dvpi.synth.tables import population_table as london_population_table

DATA = Path(__file__).parent / "data" / "ew-forces.json"


@cache
def force_data() -> dict:
    return json.loads(DATA.read_text())


def force_names() -> list[str]:
    return sorted(force_data()["population"])


def bcus(force: str) -> list[str]:
    """The force's BCUs: one per ``people_per_bcu`` residents (at least one), the Met's
    by their names."""
    data = force_data()
    if force in data["bcu_names"]:
        return list(data["bcu_names"][force])
    n = max(1, min(len(data["generic_bcu_names"]),
                   round(data["population"][force] / data["people_per_bcu"])))
    return list(data["generic_bcu_names"][:n])


def bcu_population(force: str, scale: float = 1.0) -> dict[str, int]:
    total = round(force_data()["population"][force] * scale)
    return largest_remainder(total, dict.fromkeys(bcus(force), 1.0))


@cache
def _london_index() -> dict[str, int]:
    return {b.name: i for i, b in enumerate(sorted(BOROUGHS, key=lambda b: b.name))}


def bcu_of(force: str, borough: str) -> str:
    """The force's BCU a London borough of a build becomes (``*`` stays ``*``)."""
    if borough == "*":
        return borough
    names = bcus(force)
    return names[_london_index().get(borough, 0) % len(names)]


def bcus_of(force: str, boroughs: pd.Series) -> np.ndarray:
    """``bcu_of`` of a whole column: each distinct borough looked up once (a blank one
    becomes the force's first BCU, as ``bcu_of`` makes it)."""
    codes, uniques = pd.factorize(boroughs)
    names = np.array([bcu_of(force, b) for b in uniques] + [bcu_of(force, "")], dtype=object)
    return names[codes]


@cache
def _population_shares() -> pd.DataFrame:
    """London 2007's population by gender, age band and ethnic appearance: the stated
    ratio every BCU's population is split by."""
    pop = london_population_table()
    return pop.groupby(["gender", "age_band", "ethnic_appearance"], as_index=False)[
        "population"].sum()


def population_table(scale: float = 1.0, names: list[str] | None = None) -> pd.DataFrame:
    """The ``population`` table of the forces ``names`` (all 43): every BCU, with its
    ``force`` column."""
    shares = _population_shares()
    keys = [str(i) for i in range(len(shares))]
    weights = dict(zip(keys, shares.population.astype(float), strict=True))
    parts = []
    for force in names or force_names():
        for bcu, n in bcu_population(force, scale).items():
            split = largest_remainder(n, weights)
            parts.append(shares.assign(force=force, borough=bcu,
                                       population=[split[k] for k in keys]))
    return pd.concat(parts, ignore_index=True)
