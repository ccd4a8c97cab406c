"""Restricted record lists agree with the indicators they explain (the example)."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from dvpi.indicators import records
from engine_helpers import backend, compute

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))


@pytest.fixture
def con(example_warehouse, tmp_path):
    # A writable copy: person resolution stores its links in the warehouse.
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(example_warehouse, copy)
    c = duckdb.connect(str(copy))
    # The copy holds both built-in resolutions: the lists only read them.
    with backend(c, method=None) as opened:
        yield opened
    c.close()


def test_flag_audit_records(con):
    rows = records.flag_audit_records(con, *YEAR)
    assert [(r["report_id"], r["kind"]) for r in rows] == [
        ("R16", "overflagged"), ("R12", "unflagged")]
    assert rows[0]["borough"] == "Tower Hamlets" and rows[0]["reason"]
    da = records.flag_audit_records(con, *YEAR, definition="da2021")
    assert sorted(r["report_id"] for r in da if r["kind"] == "unflagged") == ["R11", "R12"]


def test_risk_assessment_gaps(con):
    rows = records.risk_assessment_gaps(con, *YEAR)
    assert sorted(r["report_id"] for r in rows) == ["R09", "R10", "R14", "R15", "R16"]
    assert records.risk_assessment_gaps(con, *YEAR, borough="waltham forest") == [
        r for r in rows if r["borough"] == "Waltham Forest"]


def test_dual_arrest_records(con):
    rows = records.dual_arrest_records(con, *YEAR)
    assert {r["report_id"]: r["methods"] for r in rows} == {
        "R14": ["surname"], "R13": ["cross_allegation", "surname"]}


def test_repeat_victim_records_match_the_indicator(con, example_warehouse):
    rows = records.repeat_victim_records(con, *YEAR)
    assert [r["report_ids"] for r in rows] == [["R01", "R02"], ["R04", "R05"]]
    assert all(r["count"] == 2 for r in rows)
    figure = compute(example_warehouse, *YEAR, ids=["adult_victims_incidents_repeat"],
                     people="exact")
    assert len(rows) == figure["indicators"]["adult_victims_incidents_repeat"]["value"]
