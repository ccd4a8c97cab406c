"""The England and Wales profile (issue 16): 43 forces, years ending March 2016 to 2025,
the published national figures exact through the engine (at a small --scale here; the
full-scale check is benchmarks/bench_ew_profile.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.contract import TABLES
from dvpi.ingest import load_dataset
from dvpi.synth import ew, ew_figures, forces
from engine_helpers import compute

SCALE = 0.002
IDS = ["dv_incidents", "dv_crimes", "dv_crime_arrests_per_100", "cps_dv_referrals",
       "cps_ons_charging_rate", "cps_dv_prosecutions", "cps_conviction_rate"]


@pytest.fixture(scope="module")
def ew_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("ew")
    res = CliRunner().invoke(app, ["synth", "--profile", "ew-2024-25", "--out",
                                   str(root / "data"), "--from-year", "2023-24",
                                   "--scale", str(SCALE), "--seed", "5"])
    assert res.exit_code == 0, res.output
    load = load_dataset(root / "data", root / "w.duckdb")
    assert load.quarantined == 0
    return root


def _figures(result: dict) -> dict[str, tuple]:
    out = {}
    for key, f in result["indicators"].items():
        out[key] = f["value"] if f.get("numerator") is None else (f["numerator"],
                                                                   f["denominator"])
    return out


@pytest.mark.parametrize("year", [2023, 2024])
def test_national_figures_are_the_scaled_integers(ew_set, year):
    t = ew_figures.national_targets(year, SCALE)
    got = _figures(compute(ew_set / "w.duckdb", dt.date(year, 4, 1), dt.date(year + 1, 3, 31),
                           people="exact", ids=IDS))
    assert got == {
        "dv_incidents": t.dv_incidents, "dv_crimes": t.dv_crimes,
        "dv_crime_arrests_per_100": (t.arrests, t.dv_crimes),
        "cps_dv_referrals": t.referrals,
        "cps_ons_charging_rate": (t.charged, t.legal_decisions),
        "cps_dv_prosecutions": t.prosecutions,
        "cps_conviction_rate": (t.convicted, t.prosecutions)}


def test_full_scale_integers_round_to_the_published_rates():
    published = {2023: (41.7, 79.0, 75.8), 2024: (44.6, 79.9, 74.7)}
    for year, (arrests, charging, conviction) in published.items():
        t = ew_figures.national_targets(year)
        assert ew_figures.rounds_to(t.arrests, t.dv_crimes, arrests, 100)
        assert ew_figures.rounds_to(t.charged, t.legal_decisions, charging, 100)
        assert ew_figures.rounds_to(t.convicted, t.prosecutions, conviction, 100)
    t = ew_figures.national_targets(2024)
    assert (t.dv_incidents, t.dv_crimes, t.referrals, t.prosecutions) == \
        (1_350_460, 816_493, 76_393, 54_987)


def test_forces_sum_exactly_to_the_nation_every_year():
    for year in range(ew_figures.FIRST_YEAR, ew_figures.LAST_YEAR + 1):
        for scale in (1.0, SCALE):
            nat = ew_figures.national_targets(year, scale)
            split = ew_figures.force_targets(nat)
            assert len(split) == 43
            for field in dataclasses.fields(nat):
                assert sum(getattr(t, field.name) for t in split.values()) == \
                    getattr(nat, field.name), (year, field.name)
            assert all(t.dv_crimes <= t.dv_incidents and t.legal_decisions <= t.referrals
                       for t in split.values())


def test_43_forces_with_their_bcus_and_a_force_on_every_borough_row(ew_set):
    with duckdb.connect(str(ew_set / "w.duckdb"), read_only=True) as con:
        present = {f for (f,) in con.sql("SELECT DISTINCT force FROM reports").fetchall()}
        assert present == set(forces.force_names())
        for name in ("reports", "cps_cases", "population", "marac_cases"):
            blank = con.sql(f"SELECT count(*) FROM {name} WHERE force IS NULL").fetchall()
            assert blank == [(0,)], name
        met = {b for (b,) in con.sql("SELECT DISTINCT borough FROM population "
                                     "WHERE force = 'Metropolitan'").fetchall()}
        assert met == set(forces.bcus("Metropolitan"))
        pop = dict(con.sql("SELECT force, sum(population) FROM population GROUP BY 1")
                   .fetchall())
    assert pop["Greater Manchester"] > pop["Cumbria"] > pop["City of London"]
    for name in TABLES:
        path = ew_set / "data" / f"{name}.parquet"
        if path.exists() and "borough" in pq.read_schema(path).names:
            assert "force" in pq.read_schema(path).names, name


def test_streamed_a_build_at_a_time(ew_set):
    # One row group per build (at least one per force-year): never the whole set at once.
    meta = pq.ParquetFile(ew_set / "data" / "reports.parquet").metadata
    assert meta.num_row_groups >= 2 * 43


def test_truth_has_people_in_more_than_one_force(ew_set):
    truth = pq.read_table(ew_set / "data.truth" / "people.parquet").to_pandas()
    n_forces = truth.person_id.str[:3].groupby(truth.true_person_id).nunique()
    assert (n_forces > 1).sum() >= 40  # movers: about one per force and year
    people = pq.read_table(ew_set / "data" / "people.parquet",
                           columns=["person_id", "surname", "date_of_birth"]).to_pandas()
    moved = n_forces[n_forces > 1].index[0]
    rows = people[people.person_id.isin(truth.person_id[truth.true_person_id == moved])]
    assert rows.surname.nunique() == 1 and rows.date_of_birth.nunique() == 1


def _force_year(seed: int, monkeypatch=None) -> dict[str, pd.DataFrame]:
    force = "Cumbria"
    t = ew_figures.force_targets(ew_figures.national_targets(2024, 0.01))[force]
    unit = ew._ForceYear(force, forces.force_names().index(force), 2024, t, 0.01, seed)
    out: dict[str, list] = {}
    for name, df in unit.build(None):
        out.setdefault(name, []).append(df)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    a, b, c = _force_year(1), _force_year(1), _force_year(2)
    for name in ("reports", "people", "cps_cases"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["people"].surname.equals(c["people"].surname)


def test_a_big_force_year_is_built_in_several_parts_still_exact(monkeypatch):
    monkeypatch.setattr(ew, "BUILD_MAX_SCALE", 0.0005)  # Cumbria: 3-4 builds
    t = ew_figures.force_targets(ew_figures.national_targets(2024, 0.01))["Cumbria"]
    tables = _force_year(3)
    assert tables["reports"].report_id.str.contains("U1-").any()  # a second build
    r = tables["reports"]
    assert (r.dv_flag & (r.classification == "crime")).sum() == t.dv_crimes
    assert r.dv_flag.sum() == t.dv_incidents
    cps = tables["cps_cases"]
    assert len(cps) == t.referrals + ew_figures.carried(0.01)["Cumbria", 2024]
    assert np.all(cps.cps_urn.is_unique)
    assert r.report_id.is_unique and tables["people"].person_id.is_unique


def test_a_year_outside_the_profile_is_refused(tmp_path):
    res = CliRunner().invoke(app, ["synth", "--profile", "ew-2024-25", "--out",
                                   str(tmp_path / "d"), "--from-year", "2025-26"])
    assert res.exit_code != 0
    assert "2024-25" in res.output


def test_several_processes_write_the_same_files_as_one(tmp_path, monkeypatch):
    # Three forces (a mover between each), two builds each: --jobs 2 writes the same rows.
    monkeypatch.setattr(ew, "force_names", lambda: ["Cumbria", "Dorset", "Gwent"])
    monkeypatch.setattr(ew, "BUILD_MAX_SCALE", 0.0002)
    for jobs in (1, 2):
        ew.generate_ew(tmp_path / f"j{jobs}", seed=4, from_year="2024-25", scale=0.002,
                       jobs=jobs)
    names = sorted(p.name for p in (tmp_path / "j1").glob("*.parquet"))
    assert "cps_cases.parquet" in names
    assert pq.ParquetFile(tmp_path / "j1" / "reports.parquet").metadata.num_row_groups > 3
    for folder in ("j{}", "j{}.truth"):
        for name in (p.name for p in (tmp_path / folder.format(1)).glob("*.parquet")):
            one = pq.read_table(tmp_path / folder.format(1) / name)
            two = pq.read_table(tmp_path / folder.format(2) / name)
            assert one.equals(two), name


def test_a_small_force_year_whose_fm_reports_are_all_child_only_still_builds():
    """At a small scale a force-year may plan every non-DV FM report with a child victim
    only; the FM victims left over then join any report (before, the build failed on an
    empty choice: `--scale 0.075` of the ten-year profile)."""
    from dvpi.synth.reports import _fm_report_of_victims

    victims = pd.DataFrame({"age": [30, 12, 40, 9]})
    rids = np.array([7, 8])
    report_of = _fm_report_of_victims(np.random.default_rng(1), rids, victims,
                                      np.array([False, False]))
    assert set(report_of) <= {7, 8}
    assert set(report_of[[1, 3]]) == {7, 8}  # each child-only report has its child
