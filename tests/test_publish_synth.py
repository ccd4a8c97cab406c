"""The report and the packs on the synthetic London data set (32 boroughs), scaled down."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dvpi.publish import pack, report
from dvpi.stats import disclosure, funnel
from engine_helpers import gather_pack, gather_report

SCALE = 0.02


@pytest.fixture(scope="module")
def london(tmp_path_factory) -> Path:
    synth = pytest.importorskip("dvpi.synth")
    out = tmp_path_factory.mktemp("synth") / "london"
    synth.generate(str(out), profile="mps-2007-08", seed=1, scale=SCALE)
    from dvpi.ingest import load_dataset

    warehouse = out.parent / "london.duckdb"
    load_dataset(out, warehouse)
    return warehouse


@pytest.fixture(scope="module")
def inputs(london) -> report.ReportInputs:
    # Rule 16's exact method: these tests are about 32 boroughs in the report and the
    # packs, not about person resolution; training the linked model on this set would
    # cost more than the rest of the module (the linked method's report is
    # test_publish_report's).
    return gather_report(london, "2007-08", people="exact")


def test_every_borough_in_every_funnel(inputs):
    assert len(inputs.current) == 33  # the force and 32 boroughs
    for ind_id in report.BOROUGH_FIGURES:
        f = funnel.funnel(inputs.current, ind_id)
        assert len(f.points) + len(f.omitted) == 32
        for p in f.points:
            # the band agrees with the z-score against the normal limits
            z95, z998 = funnel.z_for(0.95), funnel.z_for(0.998)
            expected = ("above_998" if p.z > z998 else "above_95" if p.z > z95 else
                        "below_998" if p.z < -z998 else "below_95" if p.z < -z95 else "within")
            assert p.band == expected, (ind_id, p.scope)


def test_public_report_on_london(inputs, tmp_path, monkeypatch):
    protected = []  # the report's own disclosure control, kept for the checks below
    real = report.protect_inputs
    monkeypatch.setattr(report, "protect_inputs",
                        lambda *a: protected.append(real(*a)) or protected[-1])
    written = report.write_report(inputs, tmp_path, audience="public", pdf=False)
    ctx = written.context
    assert ctx["boroughs"] == 32
    (current, _, protection), = protected
    # no borough figure is the only one hidden among the boroughs that add up to the force
    for ind_id in report.BOROUGH_FIGURES:
        for fld in ("numerator", "denominator"):
            force = current[0]["indicators"][ind_id][fld]
            parts = [r["indicators"][ind_id][fld] for r in current[1:]]
            if force is not None and sum(p is None for p in parts) == 1:
                pytest.fail(f"{ind_id}.{fld}: one borough hidden, recoverable from the force")
    for ind_id, entry in current[0]["indicators"].items():
        # (a breakdown: a rate per key has values and n, no total)
        if "total" in entry and ind_id not in disclosure.NON_ADDITIVE_BREAKDOWNS:
            assert disclosure.recoverable_cells(entry["values"], entry["total"]) == []
    assert protection.primary <= protection.suppressed


def test_weekly_packs_for_london(london, tmp_path):
    got = gather_pack(london, dt.date(2008, 3, 30), restricted=False, people="exact")
    written = pack.write_packs(got, tmp_path)
    assert len(written.workbooks) == 33 and not written.restricted
