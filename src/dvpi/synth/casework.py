"""Version-2 steps, part 1: the stream and inputs, charging decision dates, risk-management
plans and bail (paras 69, 70, 89).

Every step here draws from ``state.v2_rng`` and only adds columns or tables, so the
version-1 tables keep every value (and, written as version 1, every byte).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.synth.state import SynthState
from dvpi.synth.v2_inputs import (
    calendar_dates,
    date_column,
    extract_day,
    ids,
    people_frame,
)
from dvpi.synth.v2_parameters import (
    BAIL_ENDED_BY,
    BAILED_SHARE,
    CPS_DECISION_DATE_UNRECORDED,
    PLAN_RECORDED,
    RUI_SHARE_2017,
    RUI_SHARE_2022,
    V2_STREAM,
)
from dvpi.synth.v2_timing import ONE_DAY, draw_dates, in_force


def start_version_2(state: SynthState) -> None:
    """The version-2 random stream (from the seed, apart from the state's generator) and
    the people rows joined to their reports' facts."""
    state.v2_rng = np.random.default_rng(np.random.SeedSequence([state.seed, V2_STREAM]))
    state.v2_people = people_frame(state)


def record_decision_dates(state: SynthState) -> None:
    """``cps_cases.decision_date``: a charge is decided the day the crime was charged
    (its first charge outcome on or after the referral); other decisions some days or
    weeks after the referral (para 89: some over 8 weeks); a few dates unrecorded."""
    rng, cps = state.v2_rng, state.tables["cps_cases"]
    n = len(cps)
    referred = cps.referred_date.to_numpy("datetime64[D]")
    charges = state.tables["outcomes"]
    charges = charges[charges.outcome_type == 1]
    pairs = pd.DataFrame({"row": np.arange(n), "report_id": cps.report_id.to_numpy(),
                          "referred": referred}).merge(
        pd.DataFrame({"report_id": charges.report_id.to_numpy(),
                      "charged": charges.outcome_date.to_numpy("datetime64[D]")}),
        on="report_id")
    first_charge = pairs[pairs.charged >= pairs.referred].groupby("row").charged.min()
    charge_day = pd.Series(np.full(n, np.datetime64("NaT"), "datetime64[D]"))
    charge_day[first_charge.index] = first_charge.to_numpy("datetime64[D]")
    charge_day = charge_day.to_numpy("datetime64[D]")
    guessed_charge = draw_dates(rng, referred, "cps_decision_charged")
    not_charged = draw_dates(rng, referred, "cps_decision_not_charged")
    unrecorded = rng.random(n) < CPS_DECISION_DATE_UNRECORDED
    is_charge = cps.decision.to_numpy() == "charge"
    decided = np.where(is_charge, np.where(np.isnat(charge_day), guessed_charge, charge_day),
                       not_charged)
    prosecuted = cps.prosecution_date.to_numpy("datetime64[D]")
    decided = np.where(~np.isnat(prosecuted) & (decided > prosecuted), prosecuted, decided)
    decided = np.maximum(np.minimum(decided, extract_day(state)), referred)
    blank = unrecorded | cps.decision.isna().to_numpy()
    decided = np.where(blank, np.datetime64("NaT"), decided)
    state.tables["cps_cases"] = cps.assign(decision_date=date_column(decided))


def record_risk_plans(state: SynthState) -> None:
    """``risk_assessments.plan_recorded``: a RARA plan recorded with the assessment,
    likelier at higher levels and at the specialist's secondary review (para 70)."""
    rng, risk = state.v2_rng, state.tables["risk_assessments"]
    p = np.array([PLAN_RECORDED[(stage, level)] for stage, level
                  in zip(risk.stage, risk.risk_level, strict=True)])
    state.tables["risk_assessments"] = risk.assign(plan_recorded=rng.random(len(risk)) < p)


def _first_outcomes(state: SynthState, suspects: pd.DataFrame) -> pd.DataFrame:
    """Per arrested suspect row (index ``row``): the earliest outcome on or after the
    arrest that names it or names nobody (date, type)."""
    o = state.tables["outcomes"]
    pairs = pd.DataFrame({"row": np.arange(len(suspects)),
                          "report_id": suspects.report_id.to_numpy(),
                          "person_id": suspects.person_id.to_numpy(),
                          "arrested": suspects.arrested.to_numpy("datetime64[D]")}).merge(
        pd.DataFrame({"report_id": o.report_id.to_numpy(), "named": o.person_id.to_numpy(),
                      "type": o.outcome_type.to_numpy(),
                      "date": o.outcome_date.to_numpy("datetime64[D]")}), on="report_id")
    pairs = pairs[(pairs.named.isna() | (pairs.named == pairs.person_id))
                  & (pairs.date >= pairs.arrested)]
    return pairs.sort_values(["row", "date"], kind="stable").drop_duplicates("row") \
        .set_index("row")


def write_bail(state: SynthState) -> None:
    """Pre-charge bail (and, from April 2017, release under investigation) for arrested
    suspects whose case was not closed in custody: from the arrest to the first outcome
    (charge, out-of-court disposal, NFA), or to NFA or cancellation some weeks on when
    there is none; running when that is after the extract."""
    rng, people = state.v2_rng, state.v2_people
    suspects = people[(people.role == "suspect") & ~np.isnat(people.arrested.to_numpy())] \
        .reset_index(drop=True)
    n = len(suspects)
    arrested = suspects.arrested.to_numpy("datetime64[D]")
    first = _first_outcomes(state, suspects).reindex(np.arange(n))
    end = first.date.to_numpy("datetime64[D]")
    in_custody = ~np.isnat(end) & (end <= arrested + ONE_DAY)
    bailed = ~in_custody & (rng.random(n) < BAILED_SHARE)
    no_outcome_end = draw_dates(rng, arrested, "bail_without_outcome")
    ended_by = np.array([BAIL_ENDED_BY.get(int(t), "other") if t == t else "" for t
                         in first.type.to_numpy(float)], dtype=object)
    ended_by = np.where(np.isnat(end), np.where(suspects.crime, "other", "no_further_action"),
                        ended_by)
    end = np.where(np.isnat(end), no_outcome_end, end)
    running = end > extract_day(state)
    calendar = calendar_dates(state, arrested)
    u = rng.random(n)
    rui = (in_force("released_under_investigation", calendar) & (u < RUI_SHARE_2017)
           & ~in_force("bail_reform_2022", calendar)) \
        | (in_force("bail_reform_2022", calendar) & (u < RUI_SHARE_2022))
    keep = np.flatnonzero(bailed)
    state.tables["bail"] = pd.DataFrame({
        "bail_id": ids("BL", len(keep)), "person_id": suspects.person_id.to_numpy()[keep],
        "kind": np.where(rui[keep], "released_under_investigation", "pre_charge_bail"),
        "start_date": date_column(arrested[keep]),
        "end_date": date_column(np.where(running[keep], np.datetime64("NaT"), end[keep])),
        "ended_by": np.where(running[keep], None, ended_by[keep])})
