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
    cps,
    dual_arrest,
    fm_hbv,
    homicide,
    outcomes,
    repeat,
    risk,
    victims,
    volume,
)
from dvpi.indicators.model import Family, Indicator

_MODULES = (volume, arrest, victims, outcomes, accused, repeat, cps, homicide, dual_arrest,
            fm_hbv, risk, audit)

FAMILIES: tuple[Family, ...] = tuple(m.FAMILY for m in _MODULES)
INDICATORS: tuple[Indicator, ...] = tuple(i for m in _MODULES for i in m.INDICATORS)
by_id: MappingProxyType[str, Indicator] = MappingProxyType({i.id: i for i in INDICATORS})
families_by_id: MappingProxyType[str, Family] = MappingProxyType({f.id: f for f in FAMILIES})
IDS: tuple[str, ...] = tuple(by_id)


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
