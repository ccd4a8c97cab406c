"""What a computation reaches: the all-years base tables keep only the reports recorded
within the cells' dates (period, look-back, previous period) or with an outcome dated
within them (``Context.reachable_report_ids``); dated tables are cut to the cells' dates
before they are scoped (``Context.dated``), and a table that hangs off a person to the
rows whose dates meet them (``Context.reachable_rows``). Rows beyond that change no
figure; an old crime given an outcome in the period, a bail period begun years before
and still running, are still reached."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from dvpi.indicators import registry
from engine_helpers import compute
from indicator_data import (
    YEAR,
    add_far_copies,
    far_copied_tables,
    outcome,
    report,
    suspect,
    warehouse,
)

EXAMPLE_V2 = Path(__file__).parent / "data" / "example_v2"


# The families that read reports, people and outcomes of any year (on Spark, where the
# whole catalogue three times over would cost minutes of CI; the parity suite holds the
# rest equal across engines).
REPORT_FAMILIES = ("volume", "arrest", "victims", "outcomes", "accused", "repeat")


def test_rows_beyond_every_span_change_no_figure(example_dir, example_copy, engine):
    far = example_copy
    add_far_copies(far)
    ids = None if engine == "duckdb" else [
        i.id for i in registry.INDICATORS if i.family in REPORT_FAMILIES]
    before = compute(example_dir, *YEAR, engine=engine, people="exact", ids=ids)["indicators"]
    after = compute(far, *YEAR, engine=engine, people="exact", ids=ids)["indicators"]
    assert after == before
    # The copies are real data: a computation of their own year finds them.
    old = compute(far, dt.date(1999, 4, 1), dt.date(2000, 3, 31), engine=engine,
                  ids=["dv_incidents"], people="exact")["indicators"]
    assert old["dv_incidents"]["value"] == before["dv_incidents"]["value"]


def test_an_old_crime_given_an_outcome_in_the_period_is_reached(tmp_path, engine):
    """A crime recorded five years before the look-back, charged in the period, is a
    detection and its suspect is accused; its earliest sanction decides (rule 13)."""
    path = warehouse(
        tmp_path,
        reports=[report("OLD", "2001-06-01"), report("EARLIER", "2001-06-01")],
        people=[suspect("s1", "OLD", gender="M", age=40),
                suspect("s2", "EARLIER", gender="F", age=30)],
        outcomes=[outcome("OLD", 1, "2007-09-01", "s1"),
                  # EARLIER's earliest sanction is long before: not a detection of the
                  # period, though its suspect is accused by the later outcome.
                  outcome("EARLIER", 3, "2002-01-01", "s2"),
                  outcome("EARLIER", 1, "2007-10-01", "s2")],
    )
    f = compute(path, *YEAR, engine=engine, people="exact",
                ids=["sanction_detections", "accused_persons", "accused_by_gender"])
    f = f["indicators"]
    assert f["sanction_detections"]["value"] == 1
    assert f["accused_persons"]["value"] == 2
    assert f["accused_by_gender"]["values"]["M"] == 1
    assert f["accused_by_gender"]["values"]["F"] == 1


def test_every_dated_table_beyond_every_span_changes_no_figure(tmp_path, engine):
    """The version-2 example, every table with dates copied eight years back and on: no
    figure of its year moves, and the copies' own year finds their calls, CPS cases,
    MARAC cases, orders, requests, bail, referrals, surveys and programme orders."""
    far = tmp_path / "far"
    shutil.copytree(EXAMPLE_V2, far)
    tables = far_copied_tables(far)
    assert {"bail", "cad_calls", "support_referrals", "programme_requirements"} <= set(tables)
    add_far_copies(far, tables)
    ids = ["cad_dv_calls", "cps_dv_referrals", "marac_cases", "protective_orders_applied",
           "homicide_reviews_started", "dvds_applications", "bail_days", "support_referrals",
           "victim_satisfaction_rate", "programme_requirements_ordered"]
    # Every figure on DuckDB; the dated tables' on Spark (the parity suite holds the
    # rest equal across engines), which keeps the Spark half of CI short.
    whole = None if engine == "duckdb" else ids
    before = compute(EXAMPLE_V2, *YEAR, engine=engine, people="exact",
                     ids=whole)["indicators"]
    after = compute(far, *YEAR, engine=engine, people="exact", ids=whole)["indicators"]
    assert after == before
    moved = {}
    for years in (-8, 8):
        start, end = (d.replace(year=d.year + years) for d in YEAR)
        moved[years] = compute(far, start, end, engine=engine, ids=ids,
                               people="exact")["indicators"]
    for i in ids:
        assert moved[-8][i] == moved[8][i], i
        assert moved[8][i] not in ({"value": 0}, {"value": None}), i
        if i != "bail_days":  # the copies' open bail ended (add_far_copies)
            assert moved[8][i] == before[i], i


def test_a_bail_period_begun_years_before_and_still_running_is_reached(tmp_path, engine):
    """Bail begun in 2001 and not ended runs on the period's last day: its dates (only a
    start) end nowhere, so it meets every span; bail that ended in 2002 does not."""
    path = warehouse(
        tmp_path,
        reports=[report("OLD", "2001-03-01"), report("DONE", "2001-03-01")],
        people=[suspect("s1", "OLD"), suspect("s2", "DONE")],
        bail=[{"bail_id": "B1", "person_id": "s1", "kind": "pre_charge_bail",
               "start_date": "2001-03-02"},
              {"bail_id": "B2", "person_id": "s2", "kind": "pre_charge_bail",
               "start_date": "2001-03-02", "end_date": "2002-01-01", "ended_by": "charge"}],
        programme_requirements=[
            # Ordered years before, never started, expiring 20 days after the period.
            {"requirement_id": "Q1", "person_id": "s1", "programme": "idap",
             "ordered_date": "2001-04-01", "expiry_date": "2008-04-20"}],
    )
    f = compute(path, *YEAR, engine=engine, people="exact",
                ids=["bail_open_over_8_weeks", "programme_at_risk_of_expiry"])["indicators"]
    assert f["bail_open_over_8_weeks"]["values"]["pre_charge_bail"] == 1
    assert f["programme_at_risk_of_expiry"] == {"value": 1}
