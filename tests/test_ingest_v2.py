"""Loading version 2 of the format: the new tables and columns, their bad-row rules and
references, rows that hang off a report through a people row, and warehouses made by a
version-1 loader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dvpi.contract import TABLES
from dvpi.ingest import load_dataset
from indicator_data import report, suspect, victim, write_dataset
from warehouse_rows import counts, rows

HANGING = ("bail", "support_referrals", "victim_surveys", "programme_requirements")


def v2_tables() -> dict[str, list[dict]]:
    """Two reports, a victim and a suspect in each, and a row in every new table."""
    return {
        "reports": [report("R1"), report("R2", borough="South")],
        "people": [victim("V1", "R1", self_defined="W1"), suspect("S1", "R1"),
                   victim("V2", "R2"), suspect("S2", "R2")],
        "risk_assessments": [{"report_id": "R1", "assessed_date": "2007-06-01",
                              "tool": "dash", "risk_level": "high"}],
        "cps_cases": [{"cps_urn": "K1", "report_id": "R1", "borough": "North",
                       "dv_flagged": True, "referred_date": "2007-06-01",
                       "decision": "charge", "decision_date": "2007-06-20"}],
        "bail": [{"bail_id": "B1", "person_id": "S1", "kind": "pre_charge_bail",
                  "start_date": "2007-06-01", "end_date": "2007-07-01", "ended_by": "charge"},
                 {"bail_id": "B2", "person_id": "S2", "kind": "released_under_investigation",
                  "start_date": "2007-06-01"}],
        "protective_orders": [{"order_id": "O1", "borough": "North", "order_type": "DVPN",
                               "report_id": "R1", "person_id": "S1",
                               "applied_date": "2007-06-01", "outcome": "granted",
                               "first_breach_date": "2007-06-10"}],
        "disclosures": [{"request_id": "D1", "borough": "North", "route": "right_to_ask",
                         "received_date": "2007-06-01", "decision": "disclosed",
                         "decision_date": "2007-06-20"}],
        "marac_cases": [{"case_id": "M1", "borough": "North", "conference_date": "2007-07-01",
                         "victim_ref": "X1", "victim_person_id": "V1",
                         "victim_self_defined_ethnicity": "w1", "children_in_household": 2}],
        "support_referrals": [{"referral_id": "F1", "person_id": "V1", "service": "idva",
                               "referral_date": "2007-06-02", "engaged": "Y"},
                              {"referral_id": "F2", "person_id": "V2", "service": "refuge",
                               "referral_date": "2007-06-02"}],
        "victim_surveys": [{"survey_id": "Q1", "person_id": "V1",
                            "interview_date": "2007-09-01", "overall": "Very_Satisfied",
                            "treatment": "neither"}],
        "programme_requirements": [{"requirement_id": "P1", "person_id": "S1",
                                    "programme": "idap", "ordered_date": "2007-08-01",
                                    "expiry_date": "2009-08-01"}],
    }


def load(tmp_path: Path, name: str = "data", mode: str = "replace", wh: Path | None = None,
         **tables):
    folder = write_dataset(tmp_path / name, **tables)
    wh = wh or tmp_path / "w.duckdb"
    return wh, load_dataset(folder, wh, mode=mode, allow_removal=True)


def reasons(wh: Path, table: str) -> list[list[str]]:
    return [r[0] for r in rows(wh, f"SELECT reasons FROM quarantine WHERE table_name = "
                                   f"'{table}' ORDER BY line")]


def test_every_new_table_loads_with_its_defaults(tmp_path):
    wh, result = load(tmp_path, **v2_tables())
    assert result.quarantined == 0
    assert {c.table: c.loaded for c in result.counts if c.table in HANGING} == {
        "bail": 2, "support_referrals": 2, "victim_surveys": 1, "programme_requirements": 1}
    # Blank cells read as the column's default; codes are canonical.
    assert rows(wh, "SELECT stage, plan_recorded FROM risk_assessments") == [
        ("primary", False)]
    assert rows(wh, "SELECT referring_agency, victim_gender, victim_self_defined_ethnicity "
                    "FROM marac_cases") == [("other", "U", "W1")]
    assert rows(wh, "SELECT order_type FROM protective_orders") == [("dvpn",)]
    assert rows(wh, "SELECT overall, treatment FROM victim_surveys") == [
        ("very_satisfied", "neither")]


BAD_ROWS = [
    # (table, row changes on the good row, the reason expected)
    ("cps_cases", {"decision_date": "2007-05-31"}, "decision_date: is before referred_date"),
    ("cps_cases", {"decision": None}, "decision_date: given while decision is blank"),
    ("bail", {"end_date": "2007-05-31"}, "end_date: is before start_date"),
    ("bail", {"end_date": None}, "ended_by: given while end_date is blank"),
    ("bail", {"person_id": "V1"}, "person_id: no suspect 'V1'"),
    ("bail", {"kind": "remand"}, "kind: 'remand' is not in its code list"),
    ("protective_orders", {"outcome": "refused"},
     "first_breach_date: given on a row whose outcome is not granted"),
    ("protective_orders", {"outcome": None},
     "first_breach_date: given on a row whose outcome is not granted"),
    ("protective_orders", {"person_id": "V1"}, "person_id: no suspect 'V1'"),
    ("disclosures", {"decision_date": "2007-05-31"}, "decision_date: is before received_date"),
    ("disclosures", {"decision": None}, "decision_date: given while decision is blank"),
    ("marac_cases", {"victim_person_id": "S1"}, "victim_person_id: no victim 'S1'"),
    ("marac_cases", {"children_in_household": "-1"},
     "children_in_household: '-1' is outside 0..99"),
    ("support_referrals", {"person_id": "S1"}, "person_id: no victim 'S1'"),
    ("victim_surveys", {"overall": "delighted"}, "overall: 'delighted' is not in its code list"),
    ("victim_surveys", {"person_id": "V404"}, "person_id: no victim 'V404'"),
    ("programme_requirements", {"ended_date": "2008-01-01"},
     "ended_date: given while ended_reason is blank"),
    ("programme_requirements", {"ended_reason": "completed"},
     "ended_reason: given while ended_date is blank"),
    ("programme_requirements", {"started_date": "2007-09-01", "ended_date": "2009-08-01",
                                "ended_reason": "expired_before_start"},
     "started_date: given on a row that ended expired_before_start"),
]


@pytest.mark.parametrize(("table", "changes", "reason"), BAD_ROWS)
def test_a_bad_row_is_quarantined_with_its_reason(tmp_path, table, changes, reason):
    tables = v2_tables()
    tables[table] = [{**tables[table][0], **changes}]
    wh, result = load(tmp_path, **tables)
    assert {c.table: c.quarantined for c in result.counts if c.quarantined} == {table: 1}
    assert reason in reasons(wh, table)[0]


def test_a_report_sent_again_replaces_the_rows_hanging_off_its_people(tmp_path):
    wh, _ = load(tmp_path, **v2_tables())
    # R1 again with its people and a new bail row; no referrals, surveys or programmes.
    again = {"reports": [report("R1")], "people": [victim("V1", "R1"), suspect("S1", "R1")],
             "bail": [{"bail_id": "B9", "person_id": "S1", "kind": "pre_charge_bail",
                       "start_date": "2007-06-05"}]}
    _, result = load(tmp_path, "again", wh=wh, **again)
    c = {x.table: x for x in result.counts}
    assert (c["bail"].replaced, c["bail"].loaded) == (1, 1)
    # A table the extract does not hold loses the report's rows (the format's rule).
    assert (c["support_referrals"].removed, c["victim_surveys"].removed,
            c["programme_requirements"].removed) == (1, 1, 1)
    assert rows(wh, "SELECT bail_id FROM bail ORDER BY 1") == [("B2",), ("B9",)]
    assert rows(wh, "SELECT referral_id FROM support_referrals") == [("F2",)]  # R2's stays
    # Rows with their own borough are not the report's: they stay.
    assert counts(wh, ("protective_orders", "marac_cases", "cps_cases")) == {
        "protective_orders": 1, "marac_cases": 1, "cps_cases": 1}


def test_changes_mode_leaves_tables_the_extract_does_not_hold(tmp_path):
    wh, _ = load(tmp_path, **v2_tables())
    again = {"reports": [report("R1")], "people": [victim("V1", "R1"), suspect("S1", "R1")]}
    _, result = load(tmp_path, "again", mode="changes", wh=wh, **again)
    assert result.removed == 0
    assert counts(wh, HANGING) == {"bail": 2, "support_referrals": 2, "victim_surveys": 1,
                                   "programme_requirements": 1}
    # The suspect is no longer in R1's new version: rows naming him go, and are counted.
    again = {"reports": [report("R1")], "people": [victim("V1", "R1")]}
    _, result = load(tmp_path, "again2", mode="changes", wh=wh, **again)
    c = {x.table: x for x in result.counts}
    assert (c["bail"].removed, c["programme_requirements"].removed) == (1, 1)
    assert counts(wh, ("bail", "programme_requirements")) == {
        "bail": 1, "programme_requirements": 0}


def test_deleted_reports_take_the_rows_of_their_people(tmp_path):
    wh, _ = load(tmp_path, **v2_tables())
    folder = write_dataset(tmp_path / "del", reports=[report("R3")], people=[])
    (folder / "deleted_reports.csv").write_text("report_id\nR2\n")
    result = load_dataset(folder, wh, mode="changes", allow_removal=True)
    c = {x.table: x for x in result.counts}
    assert (c["bail"].removed, c["support_referrals"].removed, c["people"].removed) == (1, 1, 2)
    assert rows(wh, "SELECT bail_id FROM bail") == [("B1",)]


def test_full_mode_removes_new_tables_the_extract_lacks(tmp_path):
    wh, _ = load(tmp_path, **v2_tables())
    tables = {k: v for k, v in v2_tables().items() if k not in ("bail", "marac_cases")}
    _, result = load(tmp_path, "full", mode="full", wh=wh, **tables)
    c = {x.table: x for x in result.counts}
    assert (c["bail"].removed, c["marac_cases"].removed) == (2, 1)
    assert c["victim_surveys"].replaced == 1 and c["victim_surveys"].loaded == 1


def test_a_warehouse_made_before_version_2_gains_the_new_columns(tmp_path):
    """A warehouse whose tables lack the new columns (made by the version-1 loader):
    the next load adds them; its rows read them as blank or as the default."""
    wh, _ = load(tmp_path, reports=[report("R1")], people=[],
                 risk_assessments=[{"report_id": "R1", "assessed_date": "2007-06-01",
                                    "tool": "specss", "risk_level": "medium"}],
                 cps_cases=v2_tables()["cps_cases"])
    con = duckdb.connect(str(wh))
    for table, column in (("risk_assessments", "stage"), ("risk_assessments", "plan_recorded"),
                          ("cps_cases", "decision_date")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.close()
    tables = v2_tables()
    _, result = load(tmp_path, "v2", wh=wh, reports=[report("R9")], people=[],
                     risk_assessments=[{**tables["risk_assessments"][0], "report_id": "R9",
                                        "stage": "secondary", "plan_recorded": "true"}])
    assert result.quarantined == 0
    assert rows(wh, "SELECT report_id, stage, plan_recorded FROM risk_assessments "
                    "ORDER BY 1") == [("R1", "primary", False), ("R9", "secondary", True)]
    assert rows(wh, "SELECT count(*), count(decision_date) FROM cps_cases") == [(1, 0)]


def test_the_registry_declares_every_table_of_the_format():
    assert set(TABLES) >= {"bail", "protective_orders", "disclosures", "marac_cases",
                           "support_referrals", "victim_surveys", "programme_requirements"}
    for table in TABLES.values():
        for ref in table.references:
            # A table's references point only at tables loaded before it.
            assert list(TABLES).index(ref.table) < list(TABLES).index(table.name)
        if table.hangs_off_person:
            assert table.hangs_off_person in table.column_names
