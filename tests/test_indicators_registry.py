"""The registry: one declaration per indicator, families, keys from the contract."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators import registry
from dvpi.indicators.model import UNITS


def test_ids_unique_and_families_ordered():
    ids = [i.id for i in registry.INDICATORS]
    assert len(ids) == len(set(ids)) == len(registry.by_id)
    fams = [f.id for f in registry.FAMILIES]
    assert fams == ["volume", "arrest", "victims", "outcomes", "accused", "repeat", "cps",
                    "homicide", "dual_arrest", "fm_hbv", "risk", "audit",
                    # version 2
                    "justice", "charging_bail", "risk_management", "protective", "marac",
                    "satisfaction", "programmes"]
    order = [fams.index(i.family) for i in registry.INDICATORS]
    assert order == sorted(order)


def test_fields():
    for ind in registry.INDICATORS:
        assert ind.unit in UNITS and ind.title and ind.definition and ind.needs
        assert bool(ind.keys) == (ind.unit in ("breakdown", "rates", "gap"))
        # Catalogue version 1 first, then version 2: a v1 id's place never moves.
    versions = [i.version for i in registry.INDICATORS]
    assert versions == sorted(versions) and set(versions) == {1, 2}
    assert registry.by_id["dv_crime_victims_by_age_group"].keys == codes.band_labels(
        codes.AGE_GROUPS)
    assert registry.by_id["accused_persons"].person_based
    assert not registry.by_id["dv_incidents"].person_based
