"""What a computation reaches: the all-years base tables keep only the reports recorded
within the cells' dates (period, look-back, previous period) or with an outcome dated
within them (``Context.reachable_report_ids``). Rows beyond that change no figure; an old
crime given an outcome in the period is still reached."""

from __future__ import annotations

import datetime as dt

from engine_helpers import compute
from indicator_data import YEAR, add_far_copies, outcome, report, suspect, warehouse


def test_rows_beyond_every_span_change_no_figure(example_dir, example_copy, engine):
    far = example_copy
    add_far_copies(far)
    before = compute(example_dir, *YEAR, engine=engine, people="exact")["indicators"]
    after = compute(far, *YEAR, engine=engine, people="exact")["indicators"]
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
