"""Steps 15-22: offences, arrests, outcomes and the accused persons, with exact counts.

Outcomes are collected as events (report row, outcome type, date) in the order they are
planned, then named: who the outcome is against. The accused persons are then merged
into serial perpetrators until their distinct count is the profile's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.draws import ONE_DAY, apportion, pick, shuffled
from dvpi.synth.parameters import EXTRACT_END, NON_SANCTION, OFFENCE_MIX, OTHER_SANCTIONS, PLAN
from dvpi.synth.state import SynthState, report_masks


def choose_offences(state: SynthState) -> None:
    """An offence for every crime; the year's s18 GBH and the year before's homicides and
    s18 GBH exactly."""
    rng, counts, reports = state.rng, state.profile.counts, state.reports
    in_period, dv, crime, _ = report_masks(reports)
    kind = reports.kind.to_numpy().copy()
    offence = np.full(len(reports), None, dtype=object)
    names = np.array(list(OFFENCE_MIX))
    weights = np.array(list(OFFENCE_MIX.values()))
    offence[crime] = rng.choice(names, crime.sum(), p=weights / weights.sum())
    # The homicides planned in the year (the year before's are chosen below).
    homicide = kind == "homicide"
    state.period_homicides = homicide
    offence[homicide] = rng.choice(["murder", "murder", "murder", "manslaughter"],
                                   homicide.sum())
    gbh = pick(rng, np.flatnonzero(in_period & dv & crime & ~homicide & (kind != "cross")),
               counts["dv_gbh_with_intent"])
    offence[gbh] = "gbh_with_intent"
    # Year before: its homicides on victims seen only once; its s18 GBH count.
    rows_per_victim = state.victim_rows.pid.value_counts()
    lone = reports.v1.map(rows_per_victim).fillna(0).to_numpy() == 1
    previous = (~in_period) & dv & crime
    previous_homicides = pick(
        rng, np.flatnonzero(previous & lone & (reports.reason == "q").to_numpy()),
        counts["dv_homicides"])
    offence[previous_homicides] = "murder"
    kind[previous_homicides] = "homicide"
    rest = np.flatnonzero(previous & (kind != "homicide"))
    offence[rest[offence[rest] == "gbh_with_intent"]] = "gbh"
    offence[pick(rng, rest, counts["dv_gbh_with_intent_previous"])] = "gbh_with_intent"
    offence[(~dv) & crime & (offence == "gbh_with_intent")] = "gbh"
    reports["offence"] = offence
    reports["kind"] = kind


def choose_arrests(state: SynthState) -> None:
    """Exact SPI8a arrest counts (offences and incidents, flagged or not); other reports
    with a suspect by plausible rates; which suspects of an arrested report were."""
    rng, counts, reports = state.rng, state.profile.counts, state.reports
    in_period, dv, crime, qualifying = report_masks(reports)
    kind = reports.kind.to_numpy()
    arrested = np.zeros(len(reports), bool)
    unflagged_crimes = (in_period & ~dv & crime & qualifying).sum()
    unflagged_non_crimes = (in_period & ~dv & ~crime & qualifying).sum()
    unflagged_crime_arrests = round(PLAN["unflagged_q_crime_arrest"] * unflagged_crimes)
    unflagged_nc_arrests = round(PLAN["unflagged_q_nc_arrest"] * unflagged_non_crimes)
    crime_arrests = counts["spi8a_offence_arrests"] - unflagged_crime_arrests
    nc_arrests = counts["spi8a_incident_arrests"] - counts["spi8a_offence_arrests"] \
        - unflagged_nc_arrests
    forced = (kind == "cross") | (kind == "homicide")
    arrested[forced & in_period] = True
    for mask, n in ((in_period & dv & crime & qualifying, crime_arrests),
                    (in_period & ~dv & crime & qualifying, unflagged_crime_arrests),
                    (in_period & dv & ~crime & qualifying, nc_arrests),
                    (in_period & ~dv & ~crime & qualifying, unflagged_nc_arrests)):
        have = (arrested & mask).sum()
        arrested[pick(rng, np.flatnonzero(mask & ~arrested), n - have)] = True
    has_suspect = _has_suspect(state)
    other = ~(in_period & qualifying)
    u = rng.random(len(reports))
    rate = np.where(crime, 0.55, 0.04)
    arrested[other & has_suspect & (u < rate)] = True
    arrested[~has_suspect] = False
    reports["arrested"] = arrested
    suspects = state.suspect_rows.reset_index(drop=True)
    report_arrested = reports.arrested.reindex(suspects.rid).to_numpy()
    suspects["arrested"] = report_arrested & (
        (suspects.sno == 1) | (suspects.kind == "cross") | (rng.random(len(suspects)) < 0.5))
    state.suspect_rows = suspects


def _has_suspect(state: SynthState) -> np.ndarray:
    return state.reports.rid.isin(state.suspect_rows.rid).to_numpy()


def _dates_in_period(state: SynthState, rows: np.ndarray) -> np.ndarray:
    """Outcome dates some days after recording (exponential, mean 30), within the year."""
    recorded = state.reports.rec.to_numpy("datetime64[D]")[rows]
    last = state.period_days[1]
    lag = np.minimum(state.rng.exponential(30, len(rows)).astype(int),
                     (last - recorded).astype(int))
    return recorded + lag.astype("timedelta64[D]")


def _add_outcomes(state: SynthState, rows: np.ndarray, types: object,
                  dates: np.ndarray) -> None:
    for row, outcome_type, date in zip(rows, np.broadcast_to(types, len(rows)), dates,
                                       strict=True):
        state.outcome_events.append((int(row), int(outcome_type), date))


def plan_fixed_outcomes(state: SynthState) -> None:
    """Outcomes the profile fixes: the dual-arrest crimes' cautions and charges, the
    homicides' charges, the juvenile accused's reprimands and charges."""
    rng, counts, reports = state.rng, state.profile.counts, state.reports
    breakdowns = state.profile.breakdowns
    in_period, dv, crime, _ = report_masks(reports)
    kind = reports.kind.to_numpy()
    n_caution = breakdowns["dual_arrest_outcomes_surname_method"]["caution"]
    n_charge = breakdowns["dual_arrest_outcomes_surname_method"]["charge"]
    detected = np.zeros(len(reports), bool)
    cross = np.flatnonzero((kind == "cross") & crime)
    cautioned, charged = cross[:n_caution], cross[n_caution:n_caution + n_charge]
    _add_outcomes(state, cautioned, 3, _dates_in_period(state, cautioned))
    _add_outcomes(state, charged, 1, _dates_in_period(state, charged))
    _add_outcomes(state, cross[n_caution + n_charge:], 16,
                  _dates_in_period(state, cross[n_caution + n_charge:]))
    detected[cross] = True
    homicides = np.flatnonzero(state.period_homicides & in_period)
    n_homicide_charges = max(1, round(0.6 * len(homicides)))
    charged = homicides[:n_homicide_charges]
    _add_outcomes(state, charged, 1, _dates_in_period(state, charged))
    _add_outcomes(state, homicides[n_homicide_charges:], 1, state.period_days[1]
                  + rng.integers(10, 80, len(homicides) - n_homicide_charges) * ONE_DAY)
    detected[homicides] = True
    juveniles = breakdowns["accused_by_age_group"]["0-17"]
    n_other = counts["other_sanctions"]
    reprimands = min(n_other, round(0.75 * n_other), juveniles)
    juvenile_reports = in_period & dv & crime & (reports.reason == "juvenile_suspect")
    chosen = pick(rng, np.flatnonzero(juvenile_reports), juveniles)
    _add_outcomes(state, chosen[:reprimands], 2, _dates_in_period(state, chosen[:reprimands]))
    _add_outcomes(state, chosen[reprimands:], 1, _dates_in_period(state, chosen[reprimands:]))
    detected[np.flatnonzero(juvenile_reports)] = True
    state.detected = detected
    state.sanctions_left = {
        "charges": counts["charges"] - n_charge - n_homicide_charges
        - (juveniles - reprimands),
        "cautions": counts["caution_adult"] - n_caution,
        "others": n_other - reprimands,
        "detections": counts["sanction_detections"] - n_caution - n_charge
        - n_homicide_charges - juveniles}
    if min(state.sanctions_left.values()) < 0:
        raise RuntimeError("sanction plan infeasible")


def plan_sanction_detections(state: SynthState) -> None:
    """The rest of the year's sanction detections: crimes of the year (arrested ones
    likelier) and crimes of the year before detected in the year."""
    rng, reports, left = state.rng, state.reports, state.sanctions_left
    in_period, dv, crime, _ = report_masks(reports)
    kind, detected = reports.kind.to_numpy(), state.detected
    recorded = reports.rec.to_numpy("datetime64[D]")
    first, last = state.period_days
    has_suspect = _has_suspect(state)
    from_previous = min(round(PLAN["previous_detected_in_period"]
                              * state.profile.counts["sanction_detections"]),
                        left["detections"])
    from_period = left["detections"] - from_previous
    types = shuffled(rng, {"1": left["charges"], "3": left["cautions"],
                           **{str(k): v for k, v in
                              apportion(left["others"], OTHER_SANCTIONS).items()}})
    types = types.astype(int)
    weight = np.where(reports.arrested.to_numpy(), 4.0, 1.0)
    candidates = np.flatnonzero(in_period & dv & crime & has_suspect & ~detected)
    chosen = pick(rng, candidates, from_period, weight[candidates])
    _add_outcomes(state, chosen, types[:from_period], _dates_in_period(state, chosen))
    detected[chosen] = True
    candidates = np.flatnonzero((~in_period) & dv & crime & has_suspect & (kind != "homicide"))
    late = np.exp((recorded[candidates] - (first - ONE_DAY)).astype(int) / 75.0) \
        * weight[candidates]
    chosen = pick(rng, candidates, from_previous, late)
    low = np.maximum(recorded[chosen] + 7 * ONE_DAY, first)
    high = np.maximum(np.minimum(recorded[chosen] + 240 * ONE_DAY, last), low)
    _add_outcomes(state, chosen, types[from_period:], low + (
        rng.random(len(chosen)) * (high - low).astype(int)).astype(int) * ONE_DAY)
    detected[chosen] = True


def plan_later_detections(state: SynthState) -> None:
    """Detections after the year (not counted in it) and the year before's own."""
    rng, reports, detected = state.rng, state.reports, state.detected
    in_period, dv, crime, _ = report_masks(reports)
    recorded = reports.rec.to_numpy("datetime64[D]")
    first, last = state.period_days
    previous_end = first - ONE_DAY
    has_suspect = _has_suspect(state)
    weight = np.where(reports.arrested.to_numpy(), 4.0, 1.0)
    candidates = np.flatnonzero(in_period & dv & crime & has_suspect & ~detected)
    late = np.exp((recorded[candidates] - last).astype(int) / 60.0)
    after = pick(rng, candidates, min(round(PLAN["detected_after_period"]
                                            * state.profile.counts["sanction_detections"]),
                                      len(candidates)), late)
    extract_end = np.datetime64(EXTRACT_END, "D")
    _add_outcomes(state, after, rng.choice([1, 3], len(after)),
                  last + rng.integers(1, (extract_end - last).astype(int), len(after))
                  * ONE_DAY)
    detected[after] = True
    candidates = np.flatnonzero((~in_period) & dv & crime & has_suspect & ~detected)
    span = (previous_end - recorded[candidates]).astype(int)
    eligible = candidates[span > 3]
    chosen = pick(rng, eligible, round(0.4 * len(eligible)), weight[eligible])
    lag = np.minimum(rng.exponential(25, len(chosen)).astype(int),
                     (previous_end - recorded[chosen]).astype(int))
    _add_outcomes(state, chosen, rng.choice([1, 3, 3], len(chosen)),
                  recorded[chosen] + lag * ONE_DAY)
    detected[chosen] = True


def plan_non_sanction_outcomes(state: SynthState) -> None:
    """Every other crime: a non-sanction outcome, or none yet (unflagged crimes sometimes
    a sanction); the year before's homicides are charged."""
    rng, reports = state.rng, state.reports
    _, dv, crime, _ = report_masks(reports)
    kind = reports.kind.to_numpy()
    recorded = reports.rec.to_numpy("datetime64[D]")
    has_suspect = _has_suspect(state)
    rest = np.flatnonzero(crime & ~state.detected & (kind != "homicide"))
    types = rng.choice(list(NON_SANCTION), len(rest),
                       p=np.array(list(NON_SANCTION.values())) / sum(NON_SANCTION.values()))
    rest, types = rest[types > 0], types[types > 0]
    types = np.where(~dv[rest] & has_suspect[rest] & (rng.random(len(rest)) < 0.3),
                     rng.choice([1, 3], len(rest)), types)
    _add_outcomes(state, rest, types, recorded[rest] + rng.integers(5, 200, len(rest)) * ONE_DAY)
    # The planned homicides are all of the year, so this adds none (the draw is kept: it
    # is part of the seed's sequence).
    previous_homicides = np.flatnonzero(state.period_homicides & ~report_masks(reports)[0])
    _add_outcomes(state, previous_homicides, 1, recorded[previous_homicides]
                  + rng.integers(20, 200, len(previous_homicides)) * ONE_DAY)


def name_outcome_persons(state: SynthState) -> None:
    """Who each outcome is against: the main suspect (a few sanctions leave it blank); a
    second suspect sometimes gets the same outcome."""
    rng, suspects = state.rng, state.suspect_rows
    outcomes = pd.DataFrame(state.outcome_events, columns=["report_row", "type", "date"])
    outcomes["rid"] = state.reports.rid.to_numpy()[outcomes.report_row]
    main_row = pd.Series(suspects.index[suspects.sno == 1],
                         index=suspects.rid[suspects.sno == 1])
    main_row = main_row[~main_row.index.duplicated()]
    outcomes["srow"] = outcomes.rid.map(main_row).fillna(-1).astype(int)
    sanction = outcomes.type.isin(codes.SANCTION_OUTCOME_TYPES)
    suspects_per_report = suspects.groupby("rid").size()
    single = outcomes.rid.map(suspects_per_report).fillna(0).to_numpy() == 1
    blank = sanction.to_numpy() & single & (rng.random(len(outcomes)) < 0.04)
    outcomes["named"] = ~blank & (outcomes.srow >= 0)
    second = suspects[suspects.sno == 2]
    second = second[second.kind != "cross"]
    second_outcomes = outcomes[sanction & outcomes.rid.isin(second.rid)].merge(
        pd.DataFrame({"rid": second.rid, "second_row": second.index}), on="rid")
    second_outcomes = second_outcomes[rng.random(len(second_outcomes)) < 0.3]
    second_outcomes = second_outcomes.assign(srow=second_outcomes.second_row, named=True) \
        .drop(columns="second_row")
    state.outcomes = pd.concat([outcomes, second_outcomes], ignore_index=True)


def _involvements(accused_outcomes: pd.DataFrame, suspects: pd.DataFrame) -> pd.DataFrame:
    """One row per accused suspect row and outcome (an unnamed outcome: every suspect)."""
    named = accused_outcomes[accused_outcomes.named]
    rows = pd.DataFrame({"rid": named.rid, "srow": named.srow, "date": named.date})
    unnamed = accused_outcomes[~accused_outcomes.named][["rid", "date"]].merge(
        pd.DataFrame({"rid": suspects.rid, "srow": suspects.index}), on="rid")
    rows = pd.concat([rows, unnamed], ignore_index=True)
    rows["pid"] = suspects.pid.to_numpy()[rows.srow.to_numpy()]
    rows["rec"] = rows.rid
    return rows


def merge_accused_persons(state: SynthState) -> None:
    """Merge accused persons into serial perpetrators (several victims) until the distinct
    count is the profile's; a person's latest involvement is then one report."""
    rng, reports, outcomes = state.rng, state.reports, state.outcomes
    suspects = state.suspect_rows
    first, last = state.period_days
    suspects["pid"] = suspects.pid.astype(np.int64)
    accused_outcomes = outcomes[outcomes.type.isin(codes.SANCTION_OUTCOME_TYPES)
                                & (outcomes.date >= first) & (outcomes.date <= last)
                                & outcomes.rid.map(reports.dv).to_numpy(bool)]
    involvements = _involvements(accused_outcomes, suspects)
    state.dual_arrest_persons = set(suspects.pid[suspects.kind == "cross"])
    state.homicide_suspects = set(suspects.pid[(suspects.sno == 1) & suspects.rid.isin(
        reports.rid[state.period_homicides])])
    per_report = suspects.groupby("rid").size()
    several = set(per_report.index[per_report > 1])
    keep = set(suspects.pid[suspects.juvenile | suspects.rid.isin(several)
                            | (suspects.sno == 2)]) \
        | state.dual_arrest_persons | state.homicide_suspects
    accused = involvements.pid.unique()
    k = len(accused) - state.profile.counts["accused_persons"]
    if k < 0:
        raise RuntimeError(f"too few accused persons ({len(accused)})")
    candidates = np.array([p for p in accused if p not in keep])
    rng.shuffle(candidates)
    if 2 * k > len(candidates) + k:  # roots + merged must fit
        raise RuntimeError("cannot merge enough accused persons")
    roots = candidates[: len(candidates) - k]
    moved = candidates[len(candidates) - k:]
    target = rng.choice(roots, len(moved))
    remap = dict(zip(moved.tolist(), target.tolist(), strict=True))
    suspects["pid"] = suspects.pid.map(lambda p: remap.get(p, p)).astype(np.int64)
    involvements = _involvements(accused_outcomes, suspects)
    assert involvements.pid.nunique() == state.profile.counts["accused_persons"]
    involvements["ref"] = reports.ref.reindex(involvements.rid).to_numpy("datetime64[D]")
    _untie_latest(involvements, outcomes, reports, first, last)
    state.involvements = involvements


def _untie_latest(involvements: pd.DataFrame, outcomes: pd.DataFrame, reports: pd.DataFrame,
                  first: np.datetime64, last: np.datetime64) -> None:
    """A person's latest involvement must be one report: where two reports' outcomes share
    the latest date, move the earlier report's outcome a day back (or the later's a day
    on), inside the year and not before the crime was recorded."""
    for _ in range(5):
        latest = involvements.groupby("pid").date.transform("max")
        top = involvements[involvements.date == latest]
        n_reports = top.groupby("pid").rid.transform("nunique")
        tied = top[n_reports > 1]
        if tied.empty:
            return
        keep = tied.groupby("pid").rid.transform("max")
        for i, row in tied[tied.rid != keep].iterrows():
            date = np.datetime64(row.date, "D")
            recorded = np.datetime64(reports.rec.at[row.rid], "D")
            if date - 1 >= max(first, recorded):
                _move_outcome(involvements, outcomes, row.rid, row.date, date - 1)
                continue
            later = tied[(tied.pid == row.pid) & (tied.rid == keep[i])]
            for _, later_row in later.iterrows():
                if np.datetime64(later_row.date, "D") + 1 <= last:
                    _move_outcome(involvements, outcomes, later_row.rid, later_row.date,
                                  np.datetime64(later_row.date, "D") + 1)


def _move_outcome(involvements: pd.DataFrame, outcomes: pd.DataFrame, rid: int,
                  date: object, new: np.datetime64) -> None:
    outcomes.loc[(outcomes.rid == rid) & (outcomes.date == date), "date"] = new
    involvements.loc[(involvements.rid == rid) & (involvements.date == date), "date"] = new
