"""The synthetic data's version-2 tables and columns (issue 15): valid under the spec's
rules, pointing at real rows, where they belong in time, in plausible volumes; and the
version-1 tables untouched, to the byte."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dvpi.synth import generate
from dvpi.synth import national as national_module
from dvpi.synth.pipeline import STEPS, run
from dvpi.synth.profile import load_profile
from dvpi.synth.state import SynthState
from dvpi.synth.tables import TABLE_ORDER
from dvpi.synth.v2_inputs import V2_TABLE_ORDER
from synth_v2_spec import NEW_COLUMNS, declared, problems, read, undeclared

# The London profile's extract day (the year's end + parameters.EXTRACT_DAYS_AFTER).
EXTRACT_END = dt.date(2008, 6, 30)

SCALE, SEED = 0.02, 7
FIRST_V2 = next(i for i, s in enumerate(STEPS) if s.__name__ == "start_version_2")
V1_STEPS, V2_STEPS = STEPS[:FIRST_V2], STEPS[FIRST_V2:]
CHANGED = ("cps_cases", "risk_assessments")  # the version-1 tables that gain columns
# The version-1 indicators that read them (indicators.md: "Risk and service", "Crown
# Prosecution Service").
READ_CHANGED = ["risk_assessment_compliance", "risk_level_distribution",
                "risk_assessment_quality_assured_rate", "dash_visible_high_risk",
                "cps_dv_referrals", "cps_charging_rate", "cps_dv_prosecutions",
                "cps_conviction_rate", "charge_prosecution_gap"]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path]:
    """The same data set written twice: under a version-1 contract (no version-2 tables or
    columns) and under today's, which declares them."""
    base = tmp_path_factory.mktemp("synth-v2")
    with undeclared():
        generate(base / "v1", seed=SEED, scale=SCALE)
    generate(base / "v2", seed=SEED, scale=SCALE)
    return base / "v1", base / "v2"


@pytest.fixture(scope="module")
def v1_state() -> SynthState:
    return run(load_profile(scale=SCALE), SEED, steps=V1_STEPS)


def landed(v1_state: SynthState, weeks: int = 0, force: str | None = None) -> SynthState:
    """The version-2 steps over a copy of the version-1 state, as if the build were moved
    on by ``weeks`` and given to ``force`` (what the national scale does)."""
    state = copy.deepcopy(v1_state)
    state.date_shift_days, state.force = 7 * weeks, force
    for step in V2_STEPS:
        step(state)
    return state


def calendar(state: SynthState, table: str, column: str) -> pd.Series:
    """A date column as it is written after the shift."""
    return pd.to_datetime(state.tables[table][column]) + pd.Timedelta(days=state.date_shift_days)


def test_version_1_files_are_byte_identical(written):
    v1, v2 = written
    for name in TABLE_ORDER:
        if name not in CHANGED:
            assert (v1 / f"{name}.csv").read_bytes() == (v2 / f"{name}.csv").read_bytes(), name
    for name in CHANGED:
        old, new = read(v1, name), read(v2, name)
        added = [c.name for c in NEW_COLUMNS[name]]
        assert list(new.columns) == [*old.columns, *added]
        pd.testing.assert_frame_equal(new.drop(columns=added), old)


def test_version_2_steps_leave_the_version_1_stream_and_tables_alone(v1_state):
    state = landed(v1_state)
    assert state.rng.bit_generator.state == v1_state.rng.bit_generator.state
    for name in TABLE_ORDER:
        before, after = v1_state.tables[name], state.tables[name]
        pd.testing.assert_frame_equal(after[list(before.columns)], before)
    assert tuple(state.tables) == (*TABLE_ORDER, *V2_TABLE_ORDER)


def test_written_version_2_data_follows_the_spec(written):
    _, v2 = written
    assert problems(v2, EXTRACT_END) == []
    for name in V2_TABLE_ORDER:
        assert (v2 / f"{name}.csv").exists()
    # Blank optional flags stay blank (not "false"), as the spec's MARAC shares need.
    marac = read(v2, "marac_cases")
    assert (marac.victim_lgbt == "").any() and (marac.victim_lgbt == "false").any()


def test_the_checker_finds_broken_rows(written, tmp_path):
    _, v2 = written
    broken = tmp_path / "broken"
    shutil.copytree(v2, broken)
    bail = read(broken, "bail")
    bail.loc[0, "end_date"] = "2000-01-01"
    bail.loc[1, "person_id"] = read(broken, "support_referrals").person_id[0]  # a victim
    bail.to_csv(broken / "bail.csv", index=False)
    prog = read(broken, "programme_requirements")
    prog.loc[0, ["ended_date", "ended_reason"]] = ["", "completed"]
    prog.to_csv(broken / "programme_requirements.csv", index=False)
    found = problems(broken, EXTRACT_END)
    assert "bail: end before start" in found
    assert "bail.person_id: not a suspect row" in found
    assert "programme_requirements: ended_date and ended_reason not both" in found


def test_new_columns_change_no_version_1_figure(written, tmp_path):
    """The version-1 figures that read cps_cases and risk_assessments, computed by the
    project's engine, are the same with the new columns as without them."""
    from engine_helpers import compute

    v1, v2 = written
    mixed = tmp_path / "mixed"
    shutil.copytree(v1, mixed)
    for name in CHANGED:
        shutil.copy(v2 / f"{name}.csv", mixed / f"{name}.csv")
    prof = load_profile(scale=SCALE)
    before = compute(v1, prof.start, prof.end, people="exact", ids=READ_CHANGED)
    after = compute(mixed, prof.start, prof.end, people="exact", ids=READ_CHANGED)
    assert after == before
    assert set(after["indicators"]) == set(READ_CHANGED)


def test_secondary_assessments_change_no_report_level_figure(v1_state):
    """Precise rule 26: compliance and the level distribution count reports by their
    highest level over every assessment. A secondary assessment sits on a report with a
    primary one, at the same level, so dropping the secondary rows changes neither (the
    row-counted quality-assured rate does count them, as it did before version 2)."""
    risk = landed(v1_state).tables["risk_assessments"]
    rank = risk.risk_level.map({"standard": 1, "medium": 2, "high": 3})
    primary = risk.stage == "primary"
    assert set(risk.stage) == {"primary", "secondary"}
    highest_all = rank.groupby(risk.report_id).max()
    highest_primary = rank[primary].groupby(risk.report_id[primary]).max()
    pd.testing.assert_series_equal(highest_all, highest_primary.reindex(highest_all.index))
    secondary = risk[~primary]
    assert (secondary.risk_level != "standard").all() and (secondary.tool != "dash").all()
    assert risk.plan_recorded.dtype == bool


def test_decision_dates_follow_the_charges(v1_state):
    state = landed(v1_state)
    cps, outcomes = state.tables["cps_cases"], state.tables["outcomes"]
    charged = cps[(cps.decision == "charge") & cps.report_id.notna() & cps.decision_date.notna()]
    charge_days = outcomes[outcomes.outcome_type == 1].groupby("report_id").outcome_date.min()
    same = (charged.decision_date.to_numpy("datetime64[D]")
            == charge_days.reindex(charged.report_id).to_numpy("datetime64[D]"))
    assert same.mean() > 0.9
    others = cps[cps.decision != "charge"].dropna(subset=["decision_date"])
    waited = (others.decision_date - others.referred_date).dt.days
    assert waited.median() > 7 and (waited > 56).any()  # para 89: some over 8 weeks


def test_2007_08_has_only_what_existed_then(v1_state):
    state = landed(v1_state)
    t = state.tables
    assert set(t["protective_orders"].order_type) == {"non_molestation", "restraining"}
    restraining = t["protective_orders"][t["protective_orders"].order_type == "restraining"]
    offences = t["reports"].set_index("report_id").offence.reindex(restraining.report_id)
    assert offences.isin(["harassment", "stalking"]).all()  # before September 2009
    assert t["disclosures"].empty
    assert set(t["bail"].kind) == {"pre_charge_bail"}
    programmes = t["programme_requirements"]
    gender = t["people"].set_index("person_id").gender.reindex(programmes.person_id)
    assert set(programmes.programme[gender.to_numpy() == "M"]) == {"idap"}
    assert set(programmes.programme[gender.to_numpy() != "M"]) <= {"other"}  # IDAP: men
    for name in ("marac_cases", "support_referrals", "victim_surveys"):
        assert len(t[name]) > 0, name


@pytest.mark.parametrize(("weeks", "law", "table", "column", "codes"), [
    (7 * 52, "2014-03-08", "protective_orders", "applied_date", {"dvpn", "dvpo"}),
    (7 * 52, "2014-03-08", "disclosures", "received_date", None),
    (11 * 52, "2017-04-03", "bail", "start_date", {"released_under_investigation"}),
    (13 * 52, "2020-01-20", "protective_orders", "applied_date", {"stalking_protection"}),
])
def test_new_law_appears_on_its_day(v1_state, weeks, law, table, column, codes):
    """Moved on into the years the law changed: none before the day, some after."""
    state = landed(v1_state, weeks)
    rows = state.tables[table]
    when = calendar(state, table, column)
    if codes is not None:
        key = "order_type" if table == "protective_orders" else "kind"
        when = when[rows[key].isin(codes)]
    assert (when >= pd.Timestamp(law)).all()
    assert (when >= pd.Timestamp(law)).sum() > 0


def test_dapo_pilot_is_where_and_when_it_was(v1_state):
    pilot = {"Croydon", "Bromley", "Sutton"}
    london = landed(v1_state, 18 * 52)
    orders = london.tables["protective_orders"]
    when = calendar(london, "protective_orders", "applied_date")
    new = orders.order_type.isin(["dapn", "dapo"])
    assert new.any() and set(orders.borough[new]) <= pilot
    assert (when[new] >= pd.Timestamp("2024-11-27")).all()
    old = orders.order_type.isin(["dvpn", "dvpo"])
    assert not (old & orders.borough.isin(pilot) & (when >= pd.Timestamp("2024-11-28"))).any()
    assert (old & (when >= pd.Timestamp("2024-11-28"))).any()  # elsewhere, DVPNs go on
    manchester = landed(v1_state, 18 * 52, force="Greater Manchester")
    orders = manchester.tables["protective_orders"]
    assert len(set(orders.borough[orders.order_type == "dapn"])) > len(pilot)
    assert set(london.tables["programme_requirements"].programme) == {"other"}  # from 2023


def test_volumes_and_shares_are_plausible(v1_state):
    """The shares the sources give, within what a small data set's chance allows."""
    t = landed(v1_state).tables
    marac = t["marac_cases"]
    sexed = marac[marac.victim_gender.isin(["M", "F"])]
    assert (sexed.victim_gender == "M").mean() < 0.15
    assert 0.12 < (marac.referring_agency != "police").mean() < 0.4
    assert marac.victim_ref.duplicated().mean() > 0.05
    assert marac.children_in_household.mean() == pytest.approx(1.3, abs=0.4)
    cps = t["cps_cases"]
    convictions = (cps.outcome == "convicted").sum()
    assert 0.03 < len(t["programme_requirements"]) / convictions < 0.25
    surveys = t["victim_surveys"]
    satisfied = surveys.overall.isin(["completely_satisfied", "very_satisfied",
                                      "fairly_satisfied"]).mean()
    assert satisfied == pytest.approx(0.78, abs=0.2)
    idva = t["support_referrals"][t["support_referrals"].service == "idva"]
    assert set(marac.victim_person_id.dropna()) & set(idva.person_id)
    later = landed(v1_state, 10 * 52).tables["disclosures"]
    for route, rate in (("right_to_ask", 0.38), ("right_to_know", 0.53)):
        decided = later[(later.route == route) & later.decision.isin(["disclosed",
                                                                      "not_disclosed"])]
        assert (decided.decision == "disclosed").mean() == pytest.approx(rate, abs=0.2)


def test_national_scale_writes_the_new_tables(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr(national_module, "CHUNK_REPORTS", 2_000)
    with declared():
        rows = national_module.generate_national(tmp_path / "n", seed=1, reports=4_000)
    assert rows["disclosures"] == 0  # the chunks are 2006-08: no Clare's Law yet
    for name in V2_TABLE_ORDER:
        assert rows[name] > 0 or name == "disclosures", name
        table = pq.read_table(tmp_path / "n" / f"{name}.parquet").to_pandas()
        key = table.columns[0]
        assert table[key].is_unique and table[key].str.startswith("F").all()
    people = pq.read_table(tmp_path / "n" / "people.parquet", columns=["person_id"])
    bail = pq.read_table(tmp_path / "n" / "bail.parquet").to_pandas()
    assert set(bail.person_id) <= set(people.column("person_id").to_pylist())
    marac = pq.read_table(tmp_path / "n" / "marac_cases.parquet").to_pandas()
    assert marac.force.isin(national_module.FORCES).all()
    assert not marac.borough.str.contains(": ").any()
    assert np.all(marac.victim_ref.str.startswith("F"))


def test_courts_and_conferences_sit_on_weekdays(v1_state):
    t = landed(v1_state, 8 * 52).tables
    orders = t["protective_orders"]
    court = orders[orders.order_type.isin(["dvpo", "non_molestation", "restraining"])]
    assert len(court) and (pd.to_datetime(court.applied_date).dt.weekday < 5).all()
    # Moved on by whole weeks, the weekday is the same in the written calendar.
    assert (pd.to_datetime(t["marac_cases"].conference_date).dt.weekday < 5).all()
    notices = orders[orders.order_type == "dvpn"]
    assert (pd.to_datetime(notices.applied_date).dt.weekday >= 5).any()  # police: any day
