"""Coverage: a figure whose inputs are incomplete for its period says why
(dvpi.indicators.coverage), in the engine's results and in `dvpi indicators --json`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.indicators import coverage, registry
from dvpi.warehouse import open_warehouse
from engine_helpers import backend, compute
from indicator_data import rel, report, suspect, victim, warehouse

Y0708 = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
Y0607 = (dt.date(2006, 4, 1), dt.date(2007, 3, 31))


def _data():
    reports = [
        report("A0", "2006-04-01"), report("A1", "2007-05-01"),
        report("B0", "2006-09-01"), report("B1", "2007-06-01", fm=True, hbv=True),
        report("X1", "2007-07-01"), report("Z9", "2008-03-31"),
    ]
    people = [
        victim("a0", "A0", nominal="A", age=30), victim("a1", "A1", nominal="A", age=30),
        victim("b0", "B0", nominal="B", age=30), victim("b1", "B1", nominal="B", age=30),
        # A cross allegation recorded only in 2007-08: P and Q each victim and suspect.
        victim("xp", "X1", nominal="P", age=30), suspect("xps", "X1", nominal="P",
                                                         age=30, arrest="2007-07-01"),
        victim("xq", "X1", nominal="Q", age=30), suspect("xqs", "X1", nominal="Q",
                                                         age=30, arrest="2007-07-01"),
    ]
    return {"reports": reports, "people": people, "relationships": [rel("X1", "xp", "xqs")]}


@pytest.fixture(scope="module")
def data_path(tmp_path_factory):
    return warehouse(tmp_path_factory.mktemp("coverage"), **_data())


def _checked(path, period, definition="acpo2004", people="exact"):
    with backend(path, method=people) as b:
        return coverage.check(b.con, b.tables, *period, definition=definition, people=people)


def test_a_year_whose_inputs_are_all_there(data_path):
    assert _checked(data_path, Y0708) == {}


def test_the_look_back_before_the_first_date(data_path):
    found = _checked(data_path, Y0607)
    assert found["adult_victims_incidents_repeat"] == {
        "complete": False,
        "reason": "look-back starts 2005-04-01, before the data's first date 2006-04-01"}
    # Figures built on it inherit the reason, naming where it comes from.
    assert found["repeat_victimisation_rate"]["reason"].startswith(
        "from `adult_victims_incidents_repeat`: look-back starts 2005-04-01")
    assert found["dv_gbh_with_intent_change"]["reason"].startswith(
        "from `dv_gbh_with_intent_previous`: look-back starts 2005-04-01")
    # The period's own figures are whole.
    assert "dv_incidents" not in found and "adult_victims_incidents" not in found


def test_practices_not_recorded_then(data_path):
    found = _checked(data_path, Y0607)
    assert found["fm_records"]["reason"] == (
        "no report dated 2006-04-01 to 2007-03-31 carries the forced-marriage flag: not "
        "recorded then, so a zero cannot be told from a gap")
    assert "honour-based-violence flag" in found["hbv_records"]["reason"]
    assert "both victim and suspect" in found["dual_arrest_incidents"]["reason"]
    # The surname method does not rest on the practice.
    assert "dual_arrest_incidents_surname_method" not in found


def test_periods_outside_the_data(data_path):
    before = _checked(data_path, (dt.date(2005, 4, 1), dt.date(2006, 3, 31)))
    assert before["dv_incidents"]["reason"] == (
        "period starts 2005-04-01, before the data's first date 2006-04-01")
    after = _checked(data_path, (dt.date(2008, 4, 1), dt.date(2009, 3, 31)))
    assert after["dv_incidents"]["reason"] == (
        "period ends 2009-03-31, after the data's last date 2008-03-31")


def test_a_table_with_no_rows_before_its_first(tmp_path):
    data = _data()
    data["cad_calls"] = [{"call_id": "K1", "borough": "North",
                          "received_at": "2007-06-01T10:00:00", "dv_related": True}]
    path = warehouse(tmp_path, **data)
    found = _checked(path, Y0607)
    assert found["cad_dv_calls"]["reason"] == (
        "cad_calls has no rows dated 2006-04-01 to 2007-03-31; its rows run from "
        "2007-06-01 to 2007-06-01")
    assert "cad_dv_calls" not in _checked(path, Y0708)


def test_a_sparse_table_gap_inside_its_dates_is_a_real_zero(tmp_path):
    data = _data()
    data["cad_calls"] = [
        {"call_id": "K0", "borough": "North", "received_at": "2006-04-02T10:00:00",
         "dv_related": True},
        {"call_id": "K2", "borough": "North", "received_at": "2008-06-01T10:00:00",
         "dv_related": True}]
    path = warehouse(tmp_path, **data)
    assert "cad_dv_calls" not in _checked(path, Y0708)


def test_a_definition_not_in_force(data_path):
    found = _checked(data_path, Y0708, definition="da2021")
    assert found == {"flag_audit_unflagged": {
        "complete": False,
        "reason": "the DA Act 2021 definition came into force on 2021-10-01: the DV flags "
                  "of the period were applied under another definition"}}


def test_annotate_adds_the_field_to_incomplete_entries_only(data_path):
    result = compute(data_path, *Y0607, people="exact")
    with backend(data_path, method="exact") as b:
        coverage.annotate_backend(b, result, people="exact")
    f = result["indicators"]
    assert f["adult_victims_incidents_repeat"]["coverage"]["complete"] is False
    assert "coverage" not in f["dv_incidents"]
    assert coverage.incomplete(f["repeat_victimisation_rate"]).startswith("from `")
    assert coverage.incomplete(f["dv_incidents"]) is None


def test_cli_json_carries_coverage(data_path):
    res = CliRunner().invoke(app, ["indicators", str(data_path), "--year", "2006-07",
                                   "--people", "exact", "--json"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["indicators"]
    assert f["adult_victims_incidents_repeat"]["coverage"] == {
        "complete": False,
        "reason": "look-back starts 2005-04-01, before the data's first date 2006-04-01"}
    # Additive: the value is still there, in the spec's shape.
    assert "value" in f["adult_victims_incidents_repeat"]


def test_declarations_name_real_indicators_and_tables():
    known = set(registry.IDS)
    for practice in coverage.PRACTICES:
        assert set(practice.indicators) <= known, practice.name
    assert set(coverage.DEFINITION_JUDGED) <= known
    # Version-2 ids may be declared before their family lands; v1 ones must exist.
    v1 = {"adult_victims_incidents_repeat", "adult_victims_offences_repeat",
          "dv_gbh_with_intent_previous"}
    assert v1 <= known & set(coverage.LOOKBACKS)
    assert coverage.TABLE_DATES["reports"] == "recorded_date"
    assert coverage.TABLE_DATES["cad_calls"] == "received_at"


def test_the_example_year_is_complete(example_warehouse):
    with open_warehouse(example_warehouse, "shared") as wh:
        tables = [r[0] for r in wh.con.execute("SHOW TABLES").fetchall()]
        assert coverage.check(wh.con, tables, *Y0708, definition="acpo2004",
                              people="exact") == {}
