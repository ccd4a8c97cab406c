"""Derivations in a mapping file: a full name split into surname and forenames, one
wide row read as a victim, a suspect and their relationship; and YAML mapping files,
read as their TOML twins."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvpi.ingest import load_dataset
from dvpi.ingest.derive import NAME_FORMS, NameProblem, split_name, split_name_sql
from dvpi.ingest.mapping import MappingError, parse_mapping, read_mapping
from dvpi.ingest.validate import cleaned

EXPORTS = Path(__file__).parent / "data" / "exports"
FIRST, LAST = NAME_FORMS

# --- splitting a full name --------------------------------------------------------------


@pytest.mark.parametrize(("value", "form", "expected"), [
    ("SMITH, John", FIRST, ("SMITH", "John")),
    ("  Smith ,  John Paul ", FIRST, ("Smith", "John Paul")),
    ("SMITH", FIRST, ("SMITH", None)),
    ("SMITH,", FIRST, ("SMITH", None)),
    ("", FIRST, (None, None)),
    (None, FIRST, (None, None)),
    ("VAN DER BERG, Anna", FIRST, ("VAN DER BERG", "Anna")),
    ("John SMITH", LAST, ("SMITH", "John")),
    ("Mary Jane VAN DER BERG", LAST, ("VAN DER BERG", "Mary Jane")),
    ("O'NEIL", LAST, ("O'NEIL", None)),
    ("Smith", LAST, ("Smith", None)),
    ("Anne-Marie O'NEIL-SMITH", LAST, ("O'NEIL-SMITH", "Anne-Marie")),
])
def test_a_full_name_splits(value, form, expected):
    assert split_name(value, form) == expected
    assert _sql(value, form) == expected


@pytest.mark.parametrize(("value", "form", "problem"), [
    ("SMITH, John, Paul", FIRST, "2 commas"),
    ("John Smith", FIRST, "no comma"),
    (", John", FIRST, "nothing comes before the comma"),
    ("john smith", LAST, "cannot be told"),
    ("JOHN SMITH", LAST, "cannot be told"),
    ("John McDONALD", LAST, "cannot be told"),
])
def test_a_full_name_that_cannot_be_split_says_why(value, form, problem):
    with pytest.raises(NameProblem, match=problem):
        split_name(value, form)
    assert problem in _sql_problem(value, form)


_CON = duckdb.connect()


def _sql(value: str | None, form: str) -> tuple[str | None, str | None]:
    surname, forenames, problem = split_name_sql(cleaned("v"), form)
    row = _CON.execute(f"SELECT {surname}, {forenames}, {problem} FROM (SELECT ? AS v)",
                       [value]).fetchone()
    assert row[2] is None, row
    return row[0], row[1]


def _sql_problem(value: str, form: str) -> str:
    _, _, problem = split_name_sql(cleaned("v"), form)
    return _CON.execute(f"SELECT {problem} FROM (SELECT ? AS v)", [value]).fetchone()[0] or ""


# Names: letters of several scripts and cases, apostrophes, hyphens, spaces, commas.
_name_text = st.text(alphabet=st.sampled_from(list("abcXYZ éÉßŁł'-, ")), max_size=24)


def _sql_many(values: list[str], form: str) -> list[tuple]:
    """(surname, forenames, problem) of each value, in one query."""
    surname, forenames, problem = split_name_sql(cleaned("v"), form)
    return _CON.execute(f"SELECT {surname}, {forenames}, {problem} FROM "
                        "(SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?, 1) AS i) "
                        "ORDER BY i", [values, values]).fetchall()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_name_text, min_size=1, max_size=40),
       form=st.sampled_from(NAME_FORMS))
def test_the_loader_splits_any_name_as_the_reading_says(values, form):
    # The SQL the loader runs and the documented reading agree on every value: the
    # same parts, or a problem for both.
    for value, (surname, forenames, problem) in zip(values, _sql_many(values, form),
                                                    strict=True):
        try:
            expected = split_name(value, form)
        except NameProblem:
            assert problem, value
        else:
            assert (surname, forenames, problem) == (*expected, None), value


_part = st.text(alphabet=st.sampled_from(list("abcXYZéÉ'- ")), max_size=12)


@settings(max_examples=200, deadline=None)
@given(surname=_part.filter(lambda s: s.strip()), forenames=_part)
def test_surname_comma_forenames_gives_back_its_parts(surname, forenames):
    parts = split_name(f"{surname}, {forenames}", FIRST)
    assert parts == (surname.strip(), forenames.strip() or None)


_caps = st.text(alphabet=st.sampled_from(list("XYZÉ'-")), min_size=1, max_size=8) \
    .filter(lambda w: any(c.isalpha() for c in w))
_lower_word = st.text(alphabet=st.sampled_from(list("abcé'-")), min_size=1, max_size=8) \
    .filter(lambda w: any(c.isalpha() for c in w))


@settings(max_examples=200, deadline=None)
@given(forenames=st.lists(st.builds(lambda a, b: a + b, _caps, _lower_word), min_size=1,
                          max_size=3),
       surname=st.lists(_caps, min_size=1, max_size=3))
def test_forenames_surname_gives_back_its_parts(forenames, surname):
    # Forenames with a lower-case letter, a surname in capitals (the SQL is checked
    # against this reading above).
    value = " ".join([*forenames, *surname])
    assert split_name(value, LAST) == (" ".join(surname), " ".join(forenames))


# --- one wide row: a victim, a suspect and their relationship ------------------------

WIDE_MAPPING = """\
[export]
date_format = "DD/MM/YYYY"

[tables.reports]
files = "wide.csv"
drop = ["Officer"]

[tables.reports.columns]
"Ref" = "report_id"
"BCU" = "borough"
"Reported" = "recorded_date"
"Class" = "classification"
"Offence" = "offence"
"DV" = "dv_flag"

[tables.people]
files = "wide.csv"

[tables.people.columns]
"Ref" = "report_id"

[tables.people.roles.victim]
full_name = { column = "V Name", form = "SURNAME, Forenames" }

[tables.people.roles.victim.columns]
"V Id" = "person_id"
"V DOB" = "date_of_birth"

[tables.people.roles.suspect]
full_name = { column = "S Name", form = "Forenames SURNAME" }

[tables.people.roles.suspect.columns]
"S Id" = "person_id"
"S DOB" = "date_of_birth"

[tables.relationships]
files = "wide.csv"
skip_rows_without = "Rel"

[tables.relationships.columns]
"Ref" = "report_id"
"V Id" = "victim_person_id"
"S Id" = "suspect_person_id"
"Rel" = "relationship"
"""
HEADER = ["Ref", "BCU", "Reported", "Class", "Offence", "DV", "Officer", "V Id", "V Name",
          "V DOB", "S Id", "S Name", "S DOB", "Rel"]
REPORT = ["Hackney", "01/05/2007", "crime", "abh", "Y", "PC 1"]


def _wide(folder: Path, rows: list[list[str]]) -> tuple[Path, Path]:
    export = folder / "export"
    export.mkdir(exist_ok=True)
    with (export / "wide.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows)
    mapping = folder / "wide.toml"
    mapping.write_text(WIDE_MAPPING, encoding="utf-8")
    return export, mapping


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=str)
    finally:
        con.close()


def test_a_wide_row_gives_a_victim_a_suspect_and_their_relationship(tmp_path):
    export, mapping = _wide(tmp_path, [
        ["R1", *REPORT, "P1", "Wood, Craig", "01/01/1980", "P2", "Ryan WOOD", "", "partner"],
        # the same report and victim, a second suspect: the repeats give one row each
        ["R1", *REPORT, "P1", "Wood, Craig", "01/01/1980", "P3", "Amy Jo SMITH", "",
         "ex_partner"],
        # a victim alone: an empty suspect block gives no suspect, no relationship
        ["R2", *REPORT, "P4", "LONE", "", "", "", "", ""],
    ])
    wh = tmp_path / "w.duckdb"
    result = load_dataset(export, wh, mapping=mapping)
    assert result.quarantined == 0 and not result.warnings
    assert _rows(wh, "SELECT person_id, role, surname, forenames, date_of_birth, _line "
                     "FROM people") == sorted([
        ("P1", "victim", "Wood", "Craig", __import__("datetime").date(1980, 1, 1), 2),
        ("P2", "suspect", "WOOD", "Ryan", None, 2),
        ("P3", "suspect", "SMITH", "Amy Jo", None, 3),
        ("P4", "victim", "LONE", None, None, 4)], key=str)
    assert _rows(wh, "SELECT report_id, victim_person_id, suspect_person_id, relationship "
                     "FROM relationships") == [("R1", "P1", "P2", "partner"),
                                               ("R1", "P1", "P3", "ex_partner")]
    assert _rows(wh, "SELECT report_id, _line, _extra FROM reports") == [
        ("R1", 2, None), ("R2", 4, None)]
    # Every row of the file is accounted for, per table and role.
    counts = [(c.table, c.read, c.loaded, c.quarantined, c.left_out) for c in result.counts]
    assert counts == [("reports", 3, 2, 0, 1), ("people", 3, 2, 0, 1),
                      ("people", 3, 2, 0, 1), ("relationships", 3, 2, 0, 1)]
    assert all(c.read == c.loaded + c.quarantined + c.left_out for c in result.counts)


def test_a_name_that_cannot_be_split_quarantines_its_role_naming_the_entry(tmp_path):
    export, mapping = _wide(tmp_path, [
        ["R1", *REPORT, "P1", "Wood, Craig, Jr", "", "P2", "ryan wood", "", "partner"],
    ])
    wh = tmp_path / "w.duckdb"
    result = load_dataset(export, wh, mapping=mapping)
    assert result.read == result.loaded + result.quarantined + sum(
        c.left_out for c in result.counts)
    reasons = _rows(wh, "SELECT table_name, file, line, reasons FROM quarantine "
                        "WHERE table_name = 'people'")
    assert len(reasons) == 2
    victim, suspect = sorted(reasons, key=lambda r: r[3][0])[::-1]
    assert victim[:3] == ("people", "wide.csv", 2)
    assert victim[3][0].startswith("victim surname, forenames: 'Wood, Craig, Jr' (column "
                                   "'V Name') cannot be split: it has 2 commas")
    assert "wide.toml, line 23: [tables.people.roles.victim.full_name]" in victim[3][0]
    assert suspect[3][0].startswith("suspect surname, forenames: 'ryan wood' (column "
                                    "'S Name') cannot be split")
    assert "[tables.people.roles.suspect.full_name] reads it as Forenames SURNAME" \
        in suspect[3][0]


def test_a_repeated_block_with_other_values_is_a_duplicate(tmp_path):
    export, mapping = _wide(tmp_path, [
        ["R1", *REPORT, "P1", "Wood, Craig", "01/01/1980", "P2", "Ryan WOOD", "", "partner"],
        ["R1", *REPORT, "P1", "Wood, Craig", "02/01/1980", "P3", "Amy SMITH", "", "partner"],
    ])
    result = load_dataset(export, tmp_path / "w.duckdb", mapping=mapping)
    victims = result.counts[1]
    assert (victims.loaded, victims.quarantined, victims.left_out) == (0, 2, 0)


def test_an_id_in_two_roles_is_a_duplicate_naming_each_role(tmp_path):
    export, mapping = _wide(tmp_path, [
        ["R1", *REPORT, "P1", "Wood, Craig", "", "P1", "Ryan WOOD", "", "partner"],
    ])
    wh = tmp_path / "w.duckdb"
    result = load_dataset(export, wh, mapping=mapping)
    assert [c.quarantined for c in result.counts[1:3]] == [1, 1]
    reasons = [r[0][0] for r in _rows(wh, "SELECT reasons FROM quarantine "
                                          "WHERE table_name = 'people'")]
    assert all("within the load, in wide.csv (suspect) line 2, wide.csv (victim) line 2"
               in r for r in reasons), reasons


def test_ids_composed_from_the_report_and_the_role(tmp_path):
    # An export without person ids: each role's id is the report's and a letter.
    text = (WIDE_MAPPING
            .replace('"V Id" = "person_id"\n', '')
            .replace('"S Id" = "person_id"\n', '')
            .replace('"V Id" = "victim_person_id"\n"S Id" = "suspect_person_id"\n', '')
            .replace("[tables.people.roles.victim.columns]",
                     '[tables.people.roles.victim.compose]\nperson_id = "{Ref}/V"\n'
                     "[tables.people.roles.victim.columns]")
            .replace("[tables.people.roles.suspect.columns]",
                     '[tables.people.roles.suspect.compose]\nperson_id = "{Ref}/S"\n'
                     "[tables.people.roles.suspect.columns]")
            .replace('skip_rows_without = "Rel"\n',
                     'skip_rows_without = "Rel"\n[tables.relationships.compose]\n'
                     'victim_person_id = "{Ref}/V"\nsuspect_person_id = "{Ref}/S"\n'))
    export, mapping = _wide(tmp_path, [
        ["R1", *REPORT, "", "Wood, Craig", "", "", "Ryan WOOD", "", "partner"],
        ["R2", *REPORT, "", "Lone, Ann", "", "", "", "", ""],
    ])
    mapping.write_text(text)
    wh = tmp_path / "w.duckdb"
    result = load_dataset(export, wh, mapping=mapping)
    assert result.quarantined == 0, result.counts
    assert _rows(wh, "SELECT person_id, role, surname FROM people") == [
        ("R1/S", "suspect", "WOOD"), ("R1/V", "victim", "Wood"), ("R2/V", "victim", "Lone")]
    assert _rows(wh, "SELECT victim_person_id, suspect_person_id FROM relationships") == [
        ("R1/V", "R1/S")]


def test_a_wide_file_missing_a_column_a_role_reads_stops_with_the_entry(tmp_path):
    export, mapping = _wide(tmp_path, [["R1", *REPORT, "P1", "A, B", "", "", "", "", ""]])
    mapping.write_text(WIDE_MAPPING.replace('column = "S Name"', 'column = "Suspect Name"'))
    with pytest.raises(Exception, match=r"wide.csv, line 1: no column 'Suspect Name', which "
                                        r"wide.toml, line \d+: \[tables.people.roles."
                                        r"suspect.full_name.column\] reads"):
        load_dataset(export, tmp_path / "w.duckdb", mapping=mapping)


_block = st.one_of(
    st.just(("", "", "")),  # an empty block
    st.tuples(st.sampled_from(["P1", "P2", "P3"]),
              st.sampled_from(["Wood, Craig", "SMITH, Ann", "A, B, C", ""]),
              st.sampled_from(["", "01/01/1980", "31/02/1980"])),
)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["R1", "R2"]), _block, _block,
                               st.sampled_from(["", "partner", "spouse", "nonsense"])),
                     min_size=1, max_size=8))
def test_every_row_of_a_wide_file_is_loaded_quarantined_or_left_out(tmp_path, rows):
    folder = tmp_path / str(abs(hash(tuple(rows))))
    folder.mkdir()
    # Suspects' ids apart from victims' (an id in both roles is another test's matter).
    wide = [[report, *REPORT, v[0], v[1], v[2], s[0].replace("P", "S"),
             s[1].replace(", ", " ").replace("Wood Craig", "Craig WOOD")
             .replace("SMITH Ann", "Ann SMITH"), s[2], rel]
            for report, v, s, rel in rows]
    export, mapping = _wide(folder, wide)
    result = load_dataset(export, folder / "w.duckdb", mapping=mapping)
    assert [c.read for c in result.counts] == [len(rows)] * 4
    for c in result.counts:
        assert c.read == c.loaded + c.quarantined + c.left_out, c
    reports, victims, suspects, _ = result.counts
    assert reports.loaded + reports.quarantined == len({r[0] for r in rows})
    for counts, blocks in ((victims, {(r[0], r[1]) for r in rows if any(r[1])}),
                           (suspects, {(r[0], r[2]) for r in rows if any(r[2])})):
        assert counts.loaded + counts.quarantined == len(blocks)
    people = _rows(folder / "w.duckdb", "SELECT count(*) FROM people")[0][0]
    assert people == victims.loaded + suspects.loaded


BAD_DERIVATIONS = [
    ('[tables.reports.roles.victim.columns]\nX = "report_id"\n',
     r"line 1: \[tables.reports\] roles: reports has no role column"),
    ('[tables.people.roles.witness.columns]\nX = "person_id"\n',
     r"line 1: \[tables.people.roles\] witness: 'witness' is not a code of role"),
    ('[tables.people]\nfull_name = { column = "Name", form = "Surname Forenames" }\n',
     r"line 2: \[tables.people.full_name\] form: 'Surname Forenames' is not one of"),
    ('[tables.people]\nfull_name = { column = "Name" }\n',
     r"line 2: \[tables.people\] full_name: says no form"),
    ('[tables.people]\nfull_name = { column = "Name", form = "SURNAME, Forenames" }\n'
     '[tables.people.columns]\nSurname = "surname"\n',
     r"line 2: \[tables.people\] full_name: 'surname' is mapped in \[tables.people\] already"),
    ('[tables.people.columns]\nRef = "report_id"\n[tables.people.roles.victim.columns]\n'
     'Ref2 = "report_id"\n',
     r"line 4: \[tables.people.roles.victim.columns\] Ref2: 'report_id' is mapped for every "
     r"role"),
    ('[tables.people.roles.victim]\nskip_rows_without = []\n',
     r"line 2: \[tables.people.roles.victim\] skip_rows_without: must be a string or a list"),
    ('[tables.people.columns]\nRole = "role"\n[tables.people.roles.victim.columns]\n'
     'V = "person_id"\n',
     r"\[tables.people\] roles: the role is given by each role's name"),
    ('[tables.people.compose]\nperson_id = "P1"\n',
     r"line 2: \[tables.people.compose\] person_id: 'P1' names no column of the export"),
    ('[tables.people.compose]\nage = "{Age}"\n',
     r"line 2: \[tables.people.compose\] age: age is not a text column"),
    ('[tables.people.compose]\nperson_id = "{Ref}/{ }"\n',
     r"line 2: \[tables.people.compose\] person_id: \{\} names no column"),
    ('[tables.people.compose]\nperson_id = "{Ref}}"\n',
     r"a brace that closes no column name"),
    ('[tables.people.columns]\nId = "person_id"\n[tables.people.compose]\nperson_id = "{R}"\n',
     r"line 4: \[tables.people.compose\] person_id: 'person_id' is given a value already"),
    ('[tables.people.roles.victim]\nfiles = "x.csv"\n',
     r"line 2: \[tables.people.roles.victim\] files: unknown key"),
]


@pytest.mark.parametrize(("text", "message"), BAD_DERIVATIONS)
def test_a_bad_derivation_names_its_line_and_key(text, message):
    with pytest.raises(MappingError, match=message):
        parse_mapping(text, Path("force.toml"))


# --- YAML ---------------------------------------------------------------------------


def _same(a, b) -> None:
    assert a.name == b.name and a.unlisted == b.unlisted
    assert a.tables == b.tables


@pytest.mark.parametrize("name", ["niche", "cris"])
def test_a_yaml_mapping_reads_as_its_toml_twin(tmp_path, name):
    toml_path = EXPORTS / f"{name}.toml"
    twin = tmp_path / f"{name}.yaml"
    twin.write_text(yaml.safe_dump(tomllib.loads(toml_path.read_text()), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    _same(read_mapping(twin), read_mapping(toml_path))


def test_the_wide_example_as_handwritten_yaml_reads_as_toml(tmp_path):
    text = """\
export:
  date_format: DD/MM/YYYY
tables:
  reports:
    files: wide.csv
    drop: [Officer]
    columns:
      Ref: report_id
      BCU: borough
      Reported: recorded_date
      Class: classification
      Offence: offence
      DV: dv_flag
  people:
    files: wide.csv
    columns:
      Ref: report_id
    roles:
      victim:
        full_name: {column: V Name, form: "SURNAME, Forenames"}
        columns:
          V Id: person_id
          V DOB: date_of_birth
      suspect:
        full_name: {column: S Name, form: Forenames SURNAME}
        columns:
          S Id: person_id
          S DOB: date_of_birth
  relationships:
    files: wide.csv
    skip_rows_without: Rel
    columns:
      Ref: report_id
      V Id: victim_person_id
      S Id: suspect_person_id
      Rel: relationship
"""
    _same(parse_mapping(text, Path("wide.yaml")), parse_mapping(WIDE_MAPPING, Path("w.toml")))
    # and it loads the same rows
    export, _ = _wide(tmp_path, [["R1", *REPORT, "P1", "A, B", "", "P2", "Cee DEE", "", "partner"]])
    (tmp_path / "wide.yml").write_text(text)
    result = load_dataset(export, tmp_path / "w.duckdb", mapping=tmp_path / "wide.yml")
    assert (result.loaded, result.quarantined) == (4, 0)


def test_yaml_keys_are_the_forces_text_and_values_are_typed():
    text = ('tables:\n  reports:\n    values:\n      dv_flag:\n        Y: true\n'
            '        N: false\n        yes: true\n        no: false\n'
            '  outcomes:\n    values:\n      outcome_type:\n        16: 16\n')
    mapping = parse_mapping(text, Path("force.yaml"))
    assert mapping.tables["reports"].values["dv_flag"] == {
        "y": "true", "n": "false", "yes": "true", "no": "false"}
    assert mapping.tables["outcomes"].values["outcome_type"] == {"16": "16"}


YAML_BAD = [
    ("tables:\n  reports:\n    columns:\n      OCC Ref: report_idd\n",
     r"force.yaml, line 4: \[tables.reports.columns\] \"OCC Ref\": 'report_idd' is not a "
     r"column of reports; did you mean 'report_id'\?"),
    ("tables:\n  reports:\n    colums:\n      a: b\n",
     r"force.yaml, line 3: \[tables.reports\] colums: unknown key; did you mean 'columns'\?"),
    ("tables:\n  reports:\n    columns: [a, b\n", r"force.yaml, line \d+, column \d+: not "
     r"valid YAML"),
    ("tables:\n  reports:\n    files: a.csv\n    files: b.csv\n",
     r"force.yaml, line 4: tables.reports.files is given twice"),
    ("- a\n- b\n", r"force.yaml, line 1: a mapping is a table of keys"),
    ("tables:\n  outcomes:\n    values:\n      outcome_type:\n        OC16:\n",
     r"line 5: .*OC16: must be a string, not nothing \(null\)"),
    ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n",
     r"aliases repeat too much"),
]


@pytest.mark.parametrize(("text", "message"), YAML_BAD)
def test_a_bad_yaml_mapping_names_its_line(text, message):
    with pytest.raises(MappingError, match=message):
        parse_mapping(text, Path("force.yaml"))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_yaml_mapping_or_a_message(text):
    try:
        parse_mapping(text, Path("force.yaml"))
    except MappingError as exc:
        assert str(exc).startswith("force.yaml")


def test_the_documented_examples_are_mappings():
    doc = (Path(__file__).parents[1] / "docs" / "data-format.md").read_text()
    section = doc.split("## Mapping files")[1].split("## Checking an export")[0]
    toml_text = section.split("```toml\n")[1].split("```")[0]
    yaml_text = section.split("```yaml\n")[1].split("```")[0]
    mapping = parse_mapping(toml_text, Path("force.toml"))
    assert [r.role for r in mapping.tables["people"].roles] == ["victim", "suspect"]
    assert mapping.tables["people"].roles[0].full_name == ("Victim Name", "SURNAME, Forenames")
    assert mapping.tables["relationships"].skip_rows_without == (
        "Relationship (Suspect is Victim's)",)
    victim = parse_mapping(yaml_text, Path("force.yaml")).tables["people"].roles[0]
    assert victim.constants == {"role": "victim"} and victim.columns["OCC Ref"] == "report_id"


def test_the_draft_reads_role_prefixes_and_name_forms(tmp_path):
    from dvpi.ingest.draft import draft_mapping

    export = tmp_path / "export"
    export.mkdir()
    with (export / "DV_Crimes.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Crime Ref", "Borough", "Recorded Date", "Classification", "Offence",
                      "DV Flag", "Injured Party URN", "Injured Party Name", "Injured Party DOB",
                      "Offender URN", "Offender Name", "Offender DOB", "Relationship Type"])
        for i in range(12):
            out.writerow([f"R{i}", "Hackney", "2007-05-01", "crime", "abh", "true",
                          f"V{i}", "Ann SMITH", "1980-01-01", f"S{i}" if i % 3 else "",
                          "John JONES" if i % 3 else "", "", "partner" if i % 3 else ""])
    path = tmp_path / "draft.toml"
    path.write_text(draft_mapping(export))
    mapping = read_mapping(path)
    victim, suspect = mapping.tables["people"].roles
    assert victim.full_name == ("Injured Party Name", "Forenames SURNAME")
    assert victim.columns["Injured Party URN"] == "person_id"
    assert suspect.columns["Offender URN"] == "person_id"
    assert mapping.tables["relationships"].columns["Relationship Type"] == "relationship"
    result = load_dataset(export, tmp_path / "w.duckdb", mapping=path)
    loaded = {c.label: (c.loaded, c.quarantined, c.left_out) for c in result.counts}
    assert loaded == {"reports": (12, 0, 0), "people (victim)": (12, 0, 0),
                      "people (suspect)": (8, 0, 4), "relationships": (8, 0, 4)}
