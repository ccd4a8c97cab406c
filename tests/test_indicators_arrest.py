"""SPI 8a: qualifying pairs, ages at the incident date, arrests (rules 7, 10, 11)."""

from __future__ import annotations

from indicator_data import (
    figures,
    rel,
    report,
    suspect,
    value,
    victim,
)

IDS = ["spi8a_incidents", "spi8a_incident_arrests", "spi8a_incident_arrest_rate",
       "spi8a_offences", "spi8a_offence_arrests", "spi8a_offence_arrest_rate",
       "dv_crime_arrests_per_100"]


def pair(rid, v_kw, s_kw, relationship="spouse", **report_kw):
    return ([report(rid, **report_kw)],
            [victim(f"{rid}v", rid, **v_kw), suspect(f"{rid}s", rid, **s_kw)],
            [rel(rid, f"{rid}v", f"{rid}s", relationship)])


def build(*pairs):
    reports, people, rels = [], [], []
    for r, p, x in pairs:
        reports += r
        people += p
        rels += x
    return {"reports": reports, "people": people, "relationships": rels}


def test_ages_at_the_incident_date(tmp_path, engine):
    data = build(
        # 18 on the incident date itself: qualifies.
        pair("BDAY", {"dob": "1989-06-01"}, {"age": 30}, occurred="2007-06-01"),
        # 18 the day after the incident (recorded later): does not.
        pair("EVE", {"dob": "1989-06-02"}, {"age": 30}, recorded="2007-06-05",
             occurred="2007-06-01"),
        # Born 28 February 1989: 18 on 28 February 2007.
        pair("LEAP1", {"dob": "1989-02-28"}, {"age": 30}, recorded="2007-04-02",
             occurred="2007-02-28"),
        # Born 29 February 1988: 17 on 28 February 2006 (not a leap year), 18 on 1 March.
        pair("LEAP2", {"dob": "1988-02-29"}, {"age": 30},
             occurred="2006-02-28"),  # still 17 on 28 Feb of a non-leap year
        pair("LEAP3", {"dob": "1988-02-29"}, {"age": 30}, occurred="2006-03-01"),  # 18
        # DOB wins over the age column even when they disagree.
        pair("DOBWINS", {"dob": "1995-01-01", "age": 40}, {"age": 30}),
        # No occurred date: age at the recorded date.
        pair("REC", {"dob": "1989-07-01"}, {"age": 30}, recorded="2007-07-01"),
        # Unknown victim age: no. Unknown suspect age: yes.
        pair("VUNK", {}, {"age": 30}),
        pair("SUNK", {"age": 30}, {}),
        # A 17-year-old suspect: no.
        pair("S17", {"age": 30}, {"age": 17}),
    )
    f = figures(tmp_path, engine, IDS, **data)
    # BDAY, LEAP1, LEAP3, REC, SUNK
    assert value(f, "spi8a_incidents") == 5


def test_relationship_kinds_direction_flags_and_definitions(tmp_path, engine):
    data = build(
        pair("CHILD", {"age": 70}, {"age": 40}, "child"),              # ACPO family
        pair("EXT", {"age": 30}, {"age": 30}, "extended_family"),      # da2021 only
        pair("NEIGH", {"age": 30}, {"age": 30}, "neighbour"),          # never
        pair("NODV", {"age": 30}, {"age": 30}, "ex_partner", dv=False),  # flag irrelevant
        pair("NC", {"age": 30}, {"age": 30}, classification="non_crime"),
        pair("Y16", {"age": 16}, {"age": 16}, "sibling"),              # da2021 only (16+)
    )
    f = figures(tmp_path / "a", engine, IDS, **data)
    assert (value(f, "spi8a_incidents"), value(f, "spi8a_offences")) == (3, 2)
    g = figures(tmp_path / "b", engine, IDS, definition="da2021", **data)
    assert (value(g, "spi8a_incidents"), value(g, "spi8a_offences")) == (5, 4)


def test_any_pair_qualifies_and_any_suspect_arrest_counts(tmp_path, engine):
    reports = [report("R1"), report("R2", classification="non_crime"), report("R3")]
    people = [
        # R1: the qualifying pair's suspect is not arrested, another suspect is (rule 11).
        victim("v1", "R1", age=30), suspect("s1", "R1", age=30),
        suspect("s1b", "R1", age=30, arrest="2009-01-01"),  # any date
        # R2: two pairs, only the second qualifies; arrested.
        victim("v2", "R2", age=15), victim("v2b", "R2", age=40),
        suspect("s2", "R2", age=40, arrest="2007-06-01"),
        # R3: qualifying, no arrest.
        victim("v3", "R3", age=30), suspect("s3", "R3", age=30),
    ]
    rels = [rel("R1", "v1", "s1"), rel("R1", "v1", "s1b", "acquaintance"),
            rel("R2", "v2", "s2", "parent"), rel("R2", "v2b", "s2", "spouse"),
            rel("R3", "v3", "s3", "spouse")]
    f = figures(tmp_path, engine, IDS, reports=reports, people=people, relationships=rels)
    assert f["spi8a_incident_arrest_rate"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}
    assert f["spi8a_offence_arrest_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # Arrested suspect rows on DV crimes: s1b (R1); R2 is a non-crime. 1 per 2 crimes.
    assert f["dv_crime_arrests_per_100"] == {"value": 50.0, "numerator": 1, "denominator": 2}


def test_rates_are_null_when_nothing_qualifies(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("R1")], relationships=[])
    assert f["spi8a_incident_arrest_rate"] == {"value": None, "numerator": 0, "denominator": 0}


def test_unavailable_without_relationships(tmp_path, engine):
    f = figures(tmp_path, engine, IDS, reports=[report("R1")],
                people=[victim("v", "R1", age=30)])
    assert f["spi8a_incidents"] == {"value": None, "unavailable": "relationships not loaded"}
    assert f["dv_crime_arrests_per_100"]["denominator"] == 1  # needs no relationships
