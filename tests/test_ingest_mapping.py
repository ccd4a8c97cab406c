"""Mapping files: a force's own export, described once, loads to the warehouse that the
same data in the interchange format gives; what the mapping does not cover is listed
and quarantined; a bad mapping stops with its file, line and key."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.contract.tables import VERSION_1_TABLES
from dvpi.ingest import LoadError, list_loads, load_dataset
from dvpi.ingest.check import check_export
from dvpi.ingest.check_page import render_check_page
from dvpi.ingest.draft import draft_mapping
from dvpi.ingest.mapping import MappingError, parse_mapping, read_mapping
from engine_helpers import compute, compute_by_borough

EXPORTS = Path(__file__).parent / "data" / "exports"
INTERCHANGE = EXPORTS / "interchange"
NICHE, CRIS = EXPORTS / "niche", EXPORTS / "cris"
NICHE_MAP, CRIS_MAP = EXPORTS / "niche.toml", EXPORTS / "cris.toml"
WIDE = "DV_Occurrences_Export.csv"  # the Niche-like export's reports, people, relationships
MAIN_TABLES = ("reports", "people", "relationships", "outcomes", "risk_assessments")
YEARS = [(dt.date(2006, 4, 1), dt.date(2007, 3, 31)), (dt.date(2007, 4, 1), dt.date(2008, 3, 31))]


def said(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> dict[str, Path]:
    """The same force loaded three ways: the format, the Niche-like and the CRIS-like
    exports through their mappings."""
    folder = tmp_path_factory.mktemp("mapped")
    out = {}
    for name, export, mapping in (("interchange", INTERCHANGE, None), ("niche", NICHE, NICHE_MAP),
                                  ("cris", CRIS, CRIS_MAP)):
        out[name] = folder / f"{name}.duckdb"
        result = load_dataset(export, out[name], mapping=mapping)
        assert result.quarantined == 0 and not result.unmapped, (name, result.counts)
    return out


def table_rows(warehouse: Path, table: str) -> list[tuple]:
    """A table's rows without the lineage columns (load, file, line, extra columns),
    sorted: what the figures are computed from."""
    columns = ", ".join(f'"{c.name}"' for c in TABLES[table].columns)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(),
                      key=lambda r: tuple("" if v is None else str(v) for v in r))
    finally:
        con.close()


@pytest.mark.parametrize("export", ["niche", "cris"])
def test_a_mapped_export_loads_every_row_as_the_format_does(warehouses, export):
    # The example exports are of the version-1 tables (the optional version-2 ones are
    # mapped the same way, by the same code).
    for table in (t for t in TABLES if t in VERSION_1_TABLES or t == "deleted_reports"):
        expected = table_rows(warehouses["interchange"], table)
        assert expected or table in ("deleted_reports",), table
        assert table_rows(warehouses[export], table) == expected, table
    assert len(table_rows(warehouses[export], "people")) == 287


@pytest.mark.parametrize("export", ["niche", "cris"])
def test_a_mapped_export_gives_every_indicator_the_format_gives(warehouses, export):
    for start, end in YEARS:
        expected = compute(warehouses["interchange"], start, end, people="exact")
        assert compute(warehouses[export], start, end, people="exact") == expected
        assert any(v.get("value") for v in expected["indicators"].values())
    by_borough = compute_by_borough(warehouses["interchange"], *YEARS[1], people="exact")
    assert compute_by_borough(warehouses[export], *YEARS[1], people="exact") == by_borough


def test_the_cris_export_is_read_file_by_file_with_lines(warehouses):
    loads = list_loads(warehouses["cris"])[-1]
    files = [c["file"] for c in loads["counts"] if c["table"] == "reports"]
    assert files == sorted(p.name for p in CRIS.glob("CRIS_Crimes_*.txt")) and len(files) == 4
    con = duckdb.connect(str(warehouses["cris"]), read_only=True)
    try:
        per_file = con.execute("SELECT _file, min(_line), count(*) FROM reports GROUP BY 1 "
                               "ORDER BY 1").fetchall()
    finally:
        con.close()
    assert [f for f, _, _ in per_file] == files
    assert all(first == 2 for _, first, _ in per_file)  # each file's own lines
    assert sum(n for _, _, n in per_file) == 145


def test_the_ledger_records_the_mapping_and_a_new_mapping_is_a_new_load(tmp_path):
    wh = tmp_path / "w.duckdb"
    first = load_dataset(NICHE, wh, mapping=NICHE_MAP)
    again = load_dataset(NICHE, wh, mapping=NICHE_MAP)
    assert first.load_id == 1 and again.unchanged
    edited = tmp_path / "niche.toml"
    edited.write_text(NICHE_MAP.read_text() + "\n# reviewed\n")
    assert not load_dataset(NICHE, wh, mapping=edited).unchanged
    con = duckdb.connect(str(wh), read_only=True)
    try:
        recorded = [json.loads(r[0]) for r in con.execute(
            "SELECT mapping FROM loads ORDER BY load_id").fetchall()]
    finally:
        con.close()
    assert recorded[0]["sha256"] == read_mapping(NICHE_MAP).sha256
    assert recorded[1]["sha256"] == read_mapping(edited).sha256 != recorded[0]["sha256"]
    ledger = list_loads(wh)
    assert [e["mapping"]["sha256"] for e in ledger] == [r["sha256"] for r in recorded]
    listed = said(CliRunner().invoke(app, ["loads", "--warehouse", str(wh)],
                                     env={"COLUMNS": "300"}).output)
    assert f"niche.toml {recorded[0]['sha256'][:12]}" in listed
    assert f"niche.toml {recorded[1]['sha256'][:12]}" in listed


def test_the_script_writes_the_committed_exports(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_example_exports", Path(__file__).parents[1] / "scripts" / "make_example_exports.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.niche(INTERCHANGE, tmp_path / "niche")
    script.cris(INTERCHANGE, tmp_path / "cris")
    for export in (NICHE, CRIS):
        made = sorted(p.name for p in (tmp_path / export.name).iterdir())
        assert made == sorted(p.name for p in export.iterdir())
        for name in made:
            assert (tmp_path / export.name / name).read_bytes() == (export / name).read_bytes()
    wide = (NICHE / WIDE).read_bytes()
    assert wide.count(b"\r\n") == 149  # the header, and a row per pair or lone person
    assert "–".encode("cp1252") in wide and b'"Wood, Craig"' in wide


# --- what the mapping does not cover ----------------------------------------------------

@pytest.fixture
def niche_copy(tmp_path: Path) -> Path:
    target = tmp_path / "niche"
    shutil.copytree(NICHE, target)
    return target


def _edit(path: Path, old: str, new: str, count: int = -1, encoding: str = "cp1252") -> None:
    text = path.read_bytes().decode(encoding)
    assert old in text
    path.write_bytes(text.replace(old, new, count).encode(encoding))


def test_unmapped_values_are_listed_with_counts_and_their_rows_quarantined(niche_copy, tmp_path):
    _edit(niche_copy / WIDE, "Common Assault and Battery", "Common Assault", 3)
    _edit(niche_copy / WIDE, ",Husband,", ",Hubby,", 2)
    report = check_export(niche_copy, mapping=NICHE_MAP)
    assert not report.clean
    unmapped = {(u.file, u.header, u.column, u.value): u.rows for u in report.load.unmapped}
    assert unmapped == {
        (WIDE, "Offence", "offence", "Common Assault"): 3,
        (WIDE, "Relationship (Suspect is Victim's)", "relationship", "Hubby"): 2}
    reasons = [r for r in report.reasons if r[0] == "reports"]
    assert any("add it to [tables.reports.values.offence] in niche.toml" in r[3]
               for r in reasons)
    out = CliRunner().invoke(app, ["check", str(niche_copy), "--mapping", str(NICHE_MAP)])
    text = said(out.output)
    assert out.exit_code == 1
    assert "values the mapping does not cover" in text and "Common Assault" in text
    assert "[tables.TABLE.values.COLUMN]" in text  # shown as text, not read as markup
    wh = tmp_path / "w.duckdb"
    load = CliRunner().invoke(app, ["load", str(niche_copy), "-m", str(NICHE_MAP), "-w", str(wh),
                                    "--no-resolve"])
    assert load.exit_code == 0, load.output
    assert "Common Assault" in said(load.output)
    counts = {c.table: c for c in check_export(niche_copy, mapping=NICHE_MAP).load.counts}
    assert counts["reports"].quarantined == 3


def test_a_value_mapped_to_blank_is_no_unmapped_value(tmp_path):
    # "Not Recorded" = "" in niche.toml: blank, so the column's default (IC0).
    result = load_dataset(NICHE, tmp_path / "w.duckdb", mapping=NICHE_MAP)
    assert not result.unmapped
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM people WHERE ethnic_appearance = 'IC0'").fetchone()
    finally:
        con.close()
    assert n[0] == 4


def test_a_key_in_two_files_of_a_split_is_quarantined_in_both(tmp_path):
    export = tmp_path / "cris"
    shutil.copytree(CRIS, export)
    first = export / "CRIS_Crimes_2006W14.txt"
    duplicate = first.read_text().splitlines()[1]
    with (export / "CRIS_Crimes_2007W37.txt").open("a") as handle:
        handle.write(duplicate + "\n")
    report = check_export(export, mapping=CRIS_MAP)
    groups = [g for g in report.by_file if g.kind.startswith("duplicate key")]
    assert {g.file for g in groups} == {"CRIS_Crimes_2006W14.txt", "CRIS_Crimes_2007W37.txt"}
    example = groups[0].examples[0].reason
    assert "CRIS_Crimes_2006W14.txt line 2" in example and "CRIS_Crimes_2007W37.txt line" in example
    counts = {c.file: c for c in report.load.counts}
    assert counts["CRIS_Crimes_2006W14.txt"].quarantined == 1
    assert counts["CRIS_Crimes_2007W37.txt"].quarantined == 1


def test_constants_drops_and_missing_columns(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "Crimes.csv").write_text(
        "Ref,Area,Recorded,Kind,Offence,DV,Officer,Note\n"
        "R1,Hackney,2007-05-01,crime,abh,Y,PC 1,x\n")
    (export / "People.csv").write_text("Person,Ref,Role\nP1,R1,victim\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[tables.reports]\nfiles = "Crimes.csv"\ndrop = ["Officer", "N*"]\n'
        '[tables.reports.columns]\nRef = "report_id"\nArea = "borough"\n'
        'Recorded = "recorded_date"\nKind = "classification"\nDV = "dv_flag"\n'
        '[tables.reports.constants]\nhbv_flag = true\ncad_ref = "none"\n'
        '[tables.people]\nfiles = "People.csv"\n'
        '[tables.people.columns]\nPerson = "person_id"\nRef = "report_id"\n')
    wh = tmp_path / "w.duckdb"
    result = load_dataset(export, wh, mapping=mapping)
    assert result.loaded == 2 and not result.warnings
    con = duckdb.connect(str(wh), read_only=True)
    try:
        row = con.execute("SELECT hbv_flag, cad_ref, offence, _extra FROM reports").fetchone()
    finally:
        con.close()
    assert row == (True, "none", "abh", None)  # dropped columns are not kept
    # A constant for a column the file has too: which one is meant?
    mapping.write_text(mapping.read_text().replace('cad_ref = "none"', 'offence = "abh"'))
    with pytest.raises(LoadError, match=r"Crimes.csv, line 1: column 'Offence' is 'offence'.*"
                                        r"m.toml, line \d+: \[tables.reports.constants.offence\]"):
        load_dataset(export, tmp_path / "w2.duckdb", mapping=mapping)
    # A mapped column the file lacks.
    mapping.write_text(mapping.read_text().replace('offence = "abh"', 'fm_flag = false')
                       .replace('Ref = "report_id"\nArea', 'Reference = "report_id"\nArea'))
    with pytest.raises(LoadError, match=r"Crimes.csv, line 1: no column 'Reference', which "
                                        r"m.toml, line \d+: .* maps to 'report_id'"):
        load_dataset(export, tmp_path / "w3.duckdb", mapping=mapping)


def test_files_no_pattern_claims_stop_the_load(niche_copy, tmp_path):
    (niche_copy / "Officers.csv").write_text("a,b\n1,2\n")
    with pytest.raises(LoadError, match=r"Officers.csv: matches no files pattern of niche.toml"):
        load_dataset(niche_copy, tmp_path / "w.duckdb", mapping=NICHE_MAP)
    (niche_copy / WIDE).unlink()
    (niche_copy / "Officers.csv").unlink()
    with pytest.raises(LoadError, match=r"no file matches the files of niche.toml, line \d+: "
                                        r"\[tables.reports.files\] \(DV_Occurrences_Export.csv\)"):
        load_dataset(niche_copy, tmp_path / "w.duckdb", mapping=NICHE_MAP)


# --- bad mapping files --------------------------------------------------------------------

BAD = [
    ('[tables.reports.columns]\n"OCC Ref" = "report_idd"\n',
     r"line 2: \[tables.reports.columns\] \"OCC Ref\": 'report_idd' is not a column of "
     r"reports; did you mean 'report_id'\?"),
    ('[tables.reports.values.offence]\n\n"Assault" = "abhh"\n',
     r"line 3: \[tables.reports.values.offence\] Assault: 'abhh' is not a code of offence"),
    ('[tables.report]\nfiles = "x.csv"\n', r"line 1: \[tables\] report: unknown key; did you "
                                           r"mean 'reports'\?"),
    ('[tables.reports]\nfiles = 3\n', r"line 2: \[tables.reports\] files: must be a string or "
                                      r"a list of strings, not a number"),
    ('[tables.reports\n', r"line 1, column 16: not valid TOML"),
    ('[tables.reports]\nfiles = "../x/*.csv"\n', r"line 2: .*inside the export's folder"),
    ('[tables.reports]\nfils = "x.csv"\n', r"line 2: .* fils: unknown key; did you mean 'files'"),
    ('[tables.outcomes.values.outcome_type]\n"OC23" = 23\n', r"line 2: .*23 is outside 1..22"),
    ('[tables.reports.values.dv_flag]\nD = "maybe"\n', r"line 2: .*'maybe' is not true or false"),
    ('[tables.reports.values.offence]\n"x" = "=HYPERLINK(\\"http://e\\")"\n',
     r"line 2: .*is not a code of offence"),
    ('[tables.reports.values.offence]\nabh = "abh"\nABH = "gbh"\n',
     r"line 3: .*'abh' is mapped already, to 'abh'"),
    ('[tables.reports.columns]\nA = "report_id"\nB = "report_id"\n',
     r"line 3: .*'report_id' is mapped from 'A' already"),
    ('[export]\ndate_format = "DD/MM/YY"\n', r"line 2: \[export\] date_format: 'DD/MM/YY' is not "
                                             r"one of"),
    ('[export]\nencoding = "utf-16"\n', r"line 2: .*'utf-16' is not one of"),
    ('[tables.reports.values]\noffence = "abh"\n',
     r"line 2: .*offence: must be a table \(\[tables.reports.values.offence\]\), not a string"),
    ('[tables.reports.constants]\nreport_id = ""\n', r"line 2: .*report_id is required"),
    ('[export]\nname = "x"\n', r"line 1: no \[tables.NAME\] section"),
    ('[tables.reports.columns]\n"A" = "report_id"\n[tables.reports]\ndrop = ["a"]\n',
     r"line 4: .*'a' is mapped in \[tables.reports.columns\]"),
    ('[tables.people.values.gender]\n"M\\u0000" = "M"\n', r"line 2: .*control character"),
    (f'[tables.reports]\nfiles = "{"x" * 600}"\n', r"line 2: .*600 characters long"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_mapping_names_its_file_line_and_key(tmp_path, text, message):
    path = tmp_path / "force.toml"
    path.write_text(text)
    with pytest.raises(MappingError, match=f"^{tmp_path / 'force.toml'}, " + message):
        read_mapping(path)


def test_a_bad_mapping_stops_the_load_and_the_check_with_exit_code_2(tmp_path):
    path = tmp_path / "force.toml"
    path.write_text('[tables.reports.columns]\n"OCC Ref" = "report_idd"\n')
    for command in (["load", str(NICHE), "-m", str(path), "-w", str(tmp_path / "w.duckdb")],
                    ["check", str(NICHE), "-m", str(path)]):
        out = CliRunner().invoke(app, command)
        assert out.exit_code == 2
        assert "force.toml, line 2" in said(out.output)
    assert not (tmp_path / "w.duckdb").exists()


def test_a_mapping_that_is_not_utf8_or_too_big(tmp_path):
    path = tmp_path / "force.toml"
    path.write_bytes(b'[tables.reports.columns]\n"R\xe9f" = "report_id"\n')
    with pytest.raises(MappingError, match="line 2: not UTF-8 text"):
        read_mapping(path)
    path.write_bytes(b"#" * (5 << 20))
    with pytest.raises(MappingError, match="a mapping file is at most"):
        read_mapping(path)


# Hostile mappings: whatever the keys, types and values, reading a mapping either gives a
# mapping whose every target is a value of its column, or a MappingError naming the file
# and a line; never another exception.

_texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=SUM(A1)", "+1", "-1", "@cmd", "=HYPERLINK(\"x\")", "abh", "report_id",
                     "true", "victim", "IC1", "", " ", "DD/MM/YYYY", "cp1252", "*.csv",
                     "../x", "/etc/passwd", "'; DROP TABLE reports; --", "x" * 700]),
)
_scalars = st.one_of(_texts, st.integers(min_value=-(2**70), max_value=2**70), st.booleans(),
                     st.floats(allow_nan=True), st.lists(_texts, max_size=3))
_keys = st.one_of(st.sampled_from(["export", "tables", "reports", "people", "outcomes",
                                   "files", "columns", "values", "constants", "drop",
                                   "encoding", "date_format", "offence", "outcome_type",
                                   "role", "dv_flag", "age", "name", "delimiter"]), _texts)
_docs = st.recursive(_scalars, lambda inner: st.dictionaries(_keys, inner, max_size=4),
                     max_leaves=25)


def toml_text(value, path=()) -> str:
    """A TOML document for a nested dict (tables as [headers], values inline)."""
    def string(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)

    def inline(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(max(min(v, 2**63 - 1), -(2**63)))
        if isinstance(v, float):
            return "nan" if v != v else ("inf" if v > 0 else "-inf") if abs(v) == float("inf") \
                else repr(v)
        if isinstance(v, str):
            return string(v)
        if isinstance(v, list):
            return "[" + ", ".join(inline(x) for x in v) + "]"
        return "{" + ", ".join(f"{string(k)} = {inline(x)}" for k, x in v.items()) + "}"

    if not isinstance(value, dict):
        return f"x = {inline(value)}\n"
    lines = [f"{string(k)} = {inline(v)}" for k, v in value.items() if not isinstance(v, dict)]
    out = ([f"[{'.'.join(string(p) for p in path)}]"] if path and lines else []) + lines
    for k, v in value.items():
        if isinstance(v, dict):
            out.append(toml_text(v, (*path, k)))
    return "\n".join(out) + "\n"


def _targets_are_values(mapping) -> None:
    from dvpi.ingest.mapping import MAPPABLE, contract_value

    for name, table in mapping.tables.items():
        for column, entries in table.values.items():
            for target in entries.values():
                if target is not None:
                    assert contract_value(MAPPABLE[name].column(column), target) == target
        assert set(table.columns.values()) <= set(MAPPABLE[name].column_names)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs)
def test_hostile_mappings_are_read_or_refused_with_a_line(doc):
    path = Path("hostile.toml")
    text = toml_text({"tables": doc} if isinstance(doc, dict) else doc)
    try:
        mapping = parse_mapping(text, path)
    except MappingError as exc:
        assert str(exc).startswith("hostile.toml, line ") or \
            str(exc).startswith("hostile.toml: not valid TOML"), str(exc)
        return
    _targets_are_values(mapping)


@settings(max_examples=150, deadline=None)
@given(table=st.sampled_from(["reports", "people", "outcomes", "relationships"]),
       column=st.sampled_from(["offence", "role", "outcome_type", "relationship", "gender",
                               "dv_flag", "borough", "age", "nope"]),
       source=_texts, target=_scalars)
def test_hostile_value_maps(table, column, source, target):
    text = toml_text({"tables": {table: {"values": {column: {source: target}}}}})
    try:
        mapping = parse_mapping(text, Path("m.toml"))
    except MappingError as exc:
        assert str(exc).startswith("m.toml, line "), str(exc)
        return
    _targets_are_values(mapping)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_mapping_or_a_message(text):
    try:
        parse_mapping(text, Path("m.toml"))
    except MappingError as exc:
        assert str(exc).startswith("m.toml"), str(exc)


def test_quotes_and_formula_looking_values_are_matched_as_text(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    odd = "=HYPERLINK(\"x\") 'O''Brien'; DROP TABLE reports; --"
    (export / "reports.csv").write_text(
        'report_id,borough,recorded_date,classification,offence,dv_flag\n'
        f'R1,Hackney,2007-05-01,crime,"{odd.replace(chr(34), chr(34) * 2)}",true\n'
        'R2,Hackney,2007-05-01,crime,"=1+1",true\n')
    (export / "people.csv").write_text("person_id,report_id,role\nP1,R1,victim\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text("[tables.reports.values.offence]\n" + toml_text({odd: "abh"}))
    result = load_dataset(export, tmp_path / "w.duckdb", mapping=mapping)
    assert result.loaded == 2 and result.quarantined == 1
    assert [(u.value, u.rows) for u in result.unmapped] == [("=1+1", 1)]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT offence FROM reports").fetchall() == [("abh",)]
    finally:
        con.close()


# --- the draft ------------------------------------------------------------------------

def test_the_niche_draft_unreviewed_loads_the_same_rows(tmp_path, warehouses):
    # The wide file: reports, then a role per column prefix (Victim ..., Suspect ...),
    # full names from their values, and relationships from the same file.
    text = draft_mapping(NICHE, now=dt.datetime(2008, 4, 1))
    path = tmp_path / "draft.toml"
    path.write_text(text)
    mapping = read_mapping(path)
    assert mapping.tables["reports"].files == (WIDE,)
    assert '"OCC Ref" = "report_id"\n' in text  # a synonym of the contract's
    assert '"Husband" = "spouse"' in text and '"Non-Crime Incident" = "non_crime"' in text
    assert 'date_format = "DD/MM/YYYY"' in text
    assert 'drop = ["OIC", "Station", "Last Updated"]' in text
    assert '"Wounding with Intent – S18" = "gbh_with_intent"  # TODO' in text
    victim, suspect = mapping.tables["people"].roles
    assert (victim.role, suspect.role) == ("victim", "suspect")
    assert victim.full_name == ("Victim Name", "SURNAME, Forenames")
    assert suspect.columns["Suspect DOB"] == "date_of_birth"
    assert mapping.tables["relationships"].skip_rows_without == (
        "Relationship (Suspect is Victim's)",)
    wh = tmp_path / "w.duckdb"
    result = load_dataset(NICHE, wh, mapping=path)
    assert result.quarantined == 0 and not result.unmapped
    for table in MAIN_TABLES:
        assert table_rows(wh, table) == table_rows(warehouses["interchange"], table), table


def test_the_cris_draft_groups_the_weekly_files_and_marks_its_guesses(tmp_path):
    text = draft_mapping(CRIS)
    path = tmp_path / "draft.toml"
    path.write_text(text)
    mapping = read_mapping(path)
    assert mapping.tables["reports"].files == ("CRIS_Crimes_*W*.txt",)
    assert mapping.tables["people"].columns["PERSON_URN"] == "person_id"
    assert mapping.tables["reports"].columns["CRIME_TYPE"] == "classification"
    assert '"CRIME_TYPE" = "classification"  # TODO: check' in text
    assert 'date_format = "DD-MON-YYYY"' in text
    assert '"OC16" = 16' in text
    assert '# "ZD" = ""' in text  # borough codes listed, for the force to name
    assert "# TODO" in text.split("[tables.relationships.values.relationship]")[1]
    report = check_export(CRIS, mapping=path)  # loads, listing what is still to map
    assert report.stopped is None and report.load.unmapped


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.text(min_size=1, max_size=40).filter(lambda v: v.strip()),
                       min_size=1, max_size=6))
def test_the_draft_writes_any_value_as_a_key_that_reads_back(tmp_path, values):
    export = tmp_path / "export"
    shutil.rmtree(export, ignore_errors=True)
    export.mkdir()
    import csv

    with (export / "Offences.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Crime Ref", "Offence"])
        out.writerows([f"R{i}", v] for i, v in enumerate(values))
    text = draft_mapping(export)
    path = tmp_path / "draft.toml"
    path.write_text(text, encoding="utf-8")
    mapping = read_mapping(path)  # whatever the values, the draft is valid TOML
    written = mapping.tables["reports"].values.get("offence", {})
    for key in written:
        assert key in {v.strip().lower() for v in values}


# --- the HTML page --------------------------------------------------------------------

def test_the_check_page_lists_each_file_and_escapes_every_value(niche_copy, tmp_path):
    _edit(niche_copy / WIDE, "Harassment – PHA 1997", "<script>alert(1)</script>", 1)
    out = tmp_path / "check.html"
    run = CliRunner().invoke(app, ["check", str(niche_copy), "-m", str(NICHE_MAP),
                                   "--html", str(out)])
    assert run.exit_code == 1
    page = out.read_text()
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<html lang="en">' in page and "<caption>" in page and 'scope="col"' in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.count("Windows-1252") >= 10  # every Niche file's encoding
    assert WIDE in page and "line 2" in page
    assert "add it to [tables.reports.values.offence]" in page


def test_the_check_page_of_a_clean_export_and_of_one_that_would_stop(tmp_path):
    clean = render_check_page(check_export(CRIS, mapping=CRIS_MAP))
    assert "Clean: every row would load" in clean and "pipe" in clean and "CRIS_Risk" in clean
    broken = tmp_path / "broken"
    shutil.copytree(CRIS, broken)
    for p in broken.glob("CRIS_Crimes_*"):
        p.unlink()
    page = render_check_page(check_export(broken, mapping=CRIS_MAP))
    assert "The load would stop" in page and "reports is required" in page
