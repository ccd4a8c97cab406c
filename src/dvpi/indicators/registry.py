"""The indicator catalogue: every indicator declared once, in catalogue order.

The CLI, the reports, the dashboard and the methodology all read this. Adding an
indicator is adding one declaration to its family's module.
"""

from __future__ import annotations

from types import MappingProxyType

from dvpi.indicators.families import (
    accused,
    arrest,
    audit,
    charging_bail,
    cps,
    dual_arrest,
    fm_hbv,
    homicide,
    justice,
    marac,
    outcomes,
    programmes,
    protective,
    repeat,
    risk,
    risk_management,
    satisfaction,
    victims,
    volume,
)
from dvpi.indicators.model import Family, Indicator

# Version 1's families, then version 2's (indicators.md, "Version 2 indicators").
_MODULES = (volume, arrest, victims, outcomes, accused, repeat, cps, homicide, dual_arrest,
            fm_hbv, risk, audit,
            justice, charging_bail, risk_management, protective, marac, satisfaction,
            programmes)

FAMILIES: tuple[Family, ...] = tuple(m.FAMILY for m in _MODULES)
INDICATORS: tuple[Indicator, ...] = tuple(i for m in _MODULES for i in m.INDICATORS)
by_id: MappingProxyType[str, Indicator] = MappingProxyType({i.id: i for i in INDICATORS})
families_by_id: MappingProxyType[str, Family] = MappingProxyType({f.id: f for f in FAMILIES})
IDS: tuple[str, ...] = tuple(by_id)
# The ids of catalogue version 1: a version-1 data set gives the same figures for these.
VERSION_1_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.version == 1)


def _check() -> None:
    if len(by_id) != len(INDICATORS):
        seen: set[str] = set()
        dupes = [i.id for i in INDICATORS if i.id in seen or seen.add(i.id)]
        raise RuntimeError(f"duplicate indicator ids: {dupes}")
    for ind in INDICATORS:
        if ind.family not in families_by_id:
            raise RuntimeError(f"{ind.id}: unknown family {ind.family!r}")
        for ref in ind.refs:
            if ref not in by_id:
                raise RuntimeError(f"{ind.id} refers to unknown indicator {ref!r}")
            if by_id[ref].unit not in ("count", "breakdown", "median"):
                raise RuntimeError(f"{ind.id} refers to {ref}, a {by_id[ref].unit}: only a "
                                   "count, a breakdown or a median's n can be referred to")
            missing = set(by_id[ref].needs) - set(ind.needs)
            if missing:
                raise RuntimeError(f"{ind.id} needs {sorted(missing)} through {ref}")


_check()


def get(indicator_id: str) -> Indicator:
    try:
        return by_id[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator {indicator_id!r}") from None


def in_family(family_id: str) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if i.family == family_id)
