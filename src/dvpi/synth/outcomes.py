"""Steps 16-22: offences, arrests, outcomes and the accused persons, with exact counts.

Outcome dates are drawn from the time model's delays (``calendar.DELAYS``: in custody the
same or next day, else after an investigation, most within weeks and a long tail over
months), never placed to meet a total. Which crimes get a sanction is then chosen at one
rate for all of them (arrested ones likelier) so that exactly the year's count falls in
the year: crimes whose date falls before it are the year before's detections, those
after it up to the extract date are in the data, those after the extract date are not
there yet. Outcomes are collected as events (report row, outcome type, date), then named:
who the outcome is against. The accused persons are then merged into serial
perpetrators until their distinct count is the profile's (the year before's at the same
rate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.calendar import draw_after
from dvpi.synth.draws import apportion, pick, shuffled
from dvpi.synth.parameters import (
    DETECTION_WEIGHT_ARRESTED,
    NON_SANCTION,
    OFFENCE_MIX,
    OTHER_SANCTIONS,
    PLAN,
)
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
    previous = (~in_period) & dv & crime & (kind != "cross")
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
    """Exact SPI8a arrest counts of the year (offences and incidents, flagged or not); the
    year before's qualifying reports at the year's rates; other reports with a suspect by
    plausible rates; which suspects of an arrested report were."""
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
    arrested[(kind == "cross") | (kind == "homicide")] = True
    groups = ((dv & crime, crime_arrests), (~dv & crime, unflagged_crime_arrests),
              (dv & ~crime, nc_arrests), (~dv & ~crime, unflagged_nc_arrests))
    u = rng.random(len(reports))
    for group, n in groups:
        mask = in_period & qualifying & group
        have = (arrested & mask).sum()
        arrested[pick(rng, np.flatnonzero(mask & ~arrested), n - have)] = True
        # The year before's reports of the group, at the year's rate.
        arrested[~in_period & qualifying & group & (u < arrested[mask].mean())] = True
    has_suspect = _has_suspect(state)
    rate = np.where(crime, 0.55, 0.04)
    arrested[~qualifying & has_suspect & (rng.random(len(reports)) < rate)] = True
    arrested[~has_suspect] = False
    reports["arrested"] = arrested
    suspects = state.suspect_rows.reset_index(drop=True)
    report_arrested = reports.arrested.reindex(suspects.rid).to_numpy()
    suspects["arrested"] = report_arrested & (
        (suspects.sno == 1) | (suspects.kind == "cross") | (rng.random(len(suspects)) < 0.5))
    state.suspect_rows = suspects


def _has_suspect(state: SynthState) -> np.ndarray:
    return state.reports.rid.isin(state.suspect_rows.rid).to_numpy()


def _sanction_dates(state: SynthState, rows: np.ndarray,
                    latest: np.datetime64 | None = None) -> np.ndarray:
    """When each report of ``rows`` would get its sanction: in custody when arrested,
    else after an investigation (on or before ``latest`` when given)."""
    recorded = state.reports.rec.to_numpy("datetime64[D]")[rows]
    arrested = state.reports.arrested.to_numpy()[rows]
    dates = np.empty(len(rows), dtype="datetime64[D]")
    dates[arrested] = draw_after(state.rng, recorded[arrested], "custody_outcome", latest)
    dates[~arrested] = draw_after(state.rng, recorded[~arrested], "investigation_outcome",
                                  latest)
    return dates


def _in_year(state: SynthState, dates: np.ndarray) -> np.ndarray:
    first, last = state.period_days
    return (dates >= first) & (dates <= last)


def _add_outcomes(state: SynthState, rows: np.ndarray, types: object,
                  dates: np.ndarray) -> None:
    for row, outcome_type, date in zip(rows, np.broadcast_to(types, len(rows)), dates,
                                       strict=True):
        state.outcome_events.append((int(row), int(outcome_type), date))


def _plan_dual_arrest_outcomes(state: SynthState, detected: np.ndarray) -> None:
    """The year's dual-arrest crimes: the profile's cautions and charges, the rest no
    further action; the year before's at the same shares. All before the extract date."""
    in_period, _, crime, _ = report_masks(state.reports)
    cross = (state.reports.kind.to_numpy() == "cross") & crime
    dual = state.profile.breakdowns["dual_arrest_outcomes_surname_method"]
    n_year = max(1, int((cross & in_period).sum()))
    for rows, year in ((np.flatnonzero(cross & in_period), True),
                       (np.flatnonzero(cross & ~in_period), False)):
        n_caution, n_charge = (dual["caution"], dual["charge"]) if year else (
            round(dual["caution"] * len(rows) / n_year), round(dual["charge"] * len(rows) / n_year))
        types = np.concatenate([np.full(n_caution, 3), np.full(n_charge, 1),
                                np.full(len(rows) - n_caution - n_charge, 16)])
        _add_outcomes(state, rows, types, _sanction_dates(state, rows, state.extract_end))
        detected[rows] = True


def plan_fixed_outcomes(state: SynthState) -> None:
    """Outcomes the profile fixes, dated by the time model: dual-arrest crimes, homicides
    (charged unless after the extract date), and exactly the year's juvenile accused
    (reprimands, charges) chosen among juvenile suspects' crimes whose date falls in the
    year (those dated outside it at the same rate). What falls in the year is taken from
    the year's sanction counts."""
    rng, counts, reports = state.rng, state.profile.counts, state.reports
    _, dv, crime, _ = report_masks(reports)
    detected = np.zeros(len(reports), bool)
    _plan_dual_arrest_outcomes(state, detected)
    homicides = np.flatnonzero(reports.kind.to_numpy() == "homicide")
    dates = draw_after(rng, reports.rec.to_numpy("datetime64[D]")[homicides], "custody_outcome")
    _add_outcomes(state, homicides[dates <= state.extract_end], 1,
                  dates[dates <= state.extract_end])
    detected[homicides] = True
    juveniles = state.profile.breakdowns["accused_by_age_group"]["0-17"]
    reprimands = min(counts["other_sanctions"], round(0.75 * counts["other_sanctions"]),
                     juveniles)
    rows = np.flatnonzero(dv & crime & (reports.reason == "juvenile_suspect").to_numpy())
    dates = _sanction_dates(state, rows)
    in_year = _in_year(state, dates)
    chosen = pick(rng, np.flatnonzero(in_year), juveniles)
    _add_outcomes(state, rows[chosen], np.repeat([2, 1], [reprimands, juveniles - reprimands]),
                  dates[chosen])
    outside = np.flatnonzero(~in_year & (dates <= state.extract_end)
                             & (rng.random(len(rows)) < juveniles / max(1, in_year.sum())))
    _add_outcomes(state, rows[outside], np.where(
        rng.random(len(outside)) < reprimands / max(1, juveniles), 2, 1), dates[outside])
    state.sanction_settled = detected.copy()
    state.sanction_settled[rows] = True
    detected[rows[chosen]] = True
    detected[rows[outside]] = True
    state.detected = detected
    _count_sanctions_left(state)


def _count_sanctions_left(state: SynthState) -> None:
    """The year's sanction counts less the fixed outcomes dated in it."""
    counts = state.profile.counts
    events = pd.DataFrame(state.outcome_events, columns=["row", "type", "date"])
    fixed = events[_in_year(state, events.date.to_numpy("datetime64[D]"))
                   & events.type.isin(codes.SANCTION_OUTCOME_TYPES)].type
    state.sanctions_left = {
        "charges": counts["charges"] - int((fixed == 1).sum()),
        "cautions": counts["caution_adult"] - int((fixed == 3).sum()),
        "others": counts["other_sanctions"] - int((~fixed.isin([1, 3])).sum()),
        "detections": counts["sanction_detections"] - len(fixed)}
    if min(state.sanctions_left.values()) < 0:
        raise RuntimeError(f"sanction plan infeasible: {state.sanctions_left}")


def _choose_at_one_rate(rng: np.random.Generator, weight: np.ndarray, in_year: np.ndarray,
                        n: int) -> np.ndarray:
    """Each unit chosen with probability min(1, q * weight), q such that ``n`` of those
    in the year are expected; then exactly ``n`` of them (a few dropped or added)."""
    if n > in_year.sum():
        raise RuntimeError(f"{n} sanction detections needed in the year, "
                           f"only {in_year.sum()} crimes could have one")
    w = weight[in_year]
    low, high = 0.0, 1.0 / w.min()
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if np.minimum(1.0, mid * w).sum() < n else (low, mid)
    chosen = rng.random(len(weight)) < np.minimum(1.0, high * weight)
    inside = np.flatnonzero(chosen & in_year)
    if len(inside) > n:
        chosen[rng.choice(inside, len(inside) - n, replace=False)] = False
    elif len(inside) < n:
        free = np.flatnonzero(~chosen & in_year)
        chosen[pick(rng, free, n - len(inside), weight[free])] = True
    return chosen


def plan_sanction_detections(state: SynthState) -> None:
    """The other sanction detections, of both years' DV crimes with a suspect: dates
    drawn, crimes chosen at one rate so that exactly the year's remaining detections fall
    in it (with its exact charges, cautions and others; the same shares outside it)."""
    rng, reports, left = state.rng, state.reports, state.sanctions_left
    _, dv, crime, _ = report_masks(reports)
    candidates = np.flatnonzero(dv & crime & _has_suspect(state) & ~state.sanction_settled)
    dates = _sanction_dates(state, candidates)
    weight = np.where(reports.arrested.to_numpy()[candidates], DETECTION_WEIGHT_ARRESTED, 1.0)
    in_year = _in_year(state, dates)
    chosen = _choose_at_one_rate(rng, weight, in_year, left["detections"])
    counts = {1: left["charges"], 3: left["cautions"],
              **apportion(left["others"], {str(k): v for k, v in OTHER_SANCTIONS.items()})}
    counts = {int(k): v for k, v in counts.items()}
    year = chosen & in_year
    _add_outcomes(state, candidates[year], shuffled(rng, counts).astype(int), dates[year])
    outside = chosen & ~in_year & (dates <= state.extract_end)
    shares = np.array([counts[1], counts[3], *(left["others"] * np.array(
        list(OTHER_SANCTIONS.values())))], float)
    _add_outcomes(state, candidates[outside], rng.choice(
        [1, 3, *OTHER_SANCTIONS], outside.sum(), p=shares / shares.sum()), dates[outside])
    state.detected[candidates[chosen]] = True
    state.sanction_settled[candidates] = True


def plan_non_sanction_outcomes(state: SynthState) -> None:
    """Every other crime: a non-sanction outcome, or none (still open); unflagged crimes
    sometimes a sanction. Outcomes after the extract date are not there yet."""
    rng, reports = state.rng, state.reports
    _, dv, crime, _ = report_masks(reports)
    kind = reports.kind.to_numpy()
    has_suspect = _has_suspect(state)
    rest = np.flatnonzero(crime & ~state.detected & (kind != "homicide"))
    types = rng.choice(list(NON_SANCTION), len(rest),
                       p=np.array(list(NON_SANCTION.values())) / sum(NON_SANCTION.values()))
    rest, types = rest[types > 0], types[types > 0]
    sanction = ~dv[rest] & has_suspect[rest] & (rng.random(len(rest)) < 0.3)
    types = np.where(sanction, rng.choice([1, 3], len(rest)), types)
    dates = draw_after(rng, reports.rec.to_numpy("datetime64[D]")[rest], "non_sanction_outcome")
    dates[sanction] = _sanction_dates(state, rest[sanction])
    present = dates <= state.extract_end
    _add_outcomes(state, rest[present], types[present], dates[present])


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


def _accused_outcomes(outcomes: pd.DataFrame, reports: pd.DataFrame, first: np.datetime64,
                      last: np.datetime64) -> pd.DataFrame:
    """Sanction outcomes dated from ``first`` to ``last`` on DV-flagged crimes."""
    return outcomes[outcomes.type.isin(codes.SANCTION_OUTCOME_TYPES)
                    & (outcomes.date >= first) & (outcomes.date <= last)
                    & outcomes.rid.map(reports.dv).to_numpy(bool)]


def _merge(rng: np.random.Generator, suspects: pd.DataFrame, accused: np.ndarray, k: int,
           keep: set[int], exact: bool = True) -> None:
    """Merge ``k`` of the ``accused`` (not those to keep) into others of them (as many as
    there are, unless ``exact``)."""
    candidates = np.array([p for p in accused if p not in keep], dtype=np.int64)
    rng.shuffle(candidates)
    if k > len(candidates) - 1:  # roots + merged must fit
        if exact:
            raise RuntimeError("cannot merge enough accused persons")
        k = max(0, len(candidates) - 1)
    if k <= 0:
        return
    roots, moved = candidates[:len(candidates) - k], candidates[len(candidates) - k:]
    remap = pd.Series(rng.choice(roots, len(moved)), index=moved)
    suspects["pid"] = suspects.pid.map(remap).fillna(suspects.pid).astype(np.int64)


def merge_accused_persons(state: SynthState) -> None:
    """Merge accused persons into serial perpetrators (several victims) until the distinct
    count is the profile's; a person's latest involvement is then one report. The year
    before's accused (those not accused in the year) are merged at the same rate."""
    rng, reports, outcomes = state.rng, state.reports, state.outcomes
    suspects = state.suspect_rows
    first, last = state.period_days
    suspects["pid"] = suspects.pid.astype(np.int64)
    year_outcomes = _accused_outcomes(outcomes, reports, first, last)
    cross = suspects.kind == "cross"
    state.dual_arrest_persons = set(suspects.pid[cross & (suspects.year == "P")])
    state.homicide_suspects = set(suspects.pid[(suspects.sno == 1) & suspects.rid.isin(
        reports.rid[state.period_homicides])])
    per_report = suspects.groupby("rid").size()
    several = set(per_report.index[per_report > 1])
    homicide = suspects.rid.isin(reports.rid[reports.kind == "homicide"])
    keep = set(suspects.pid[suspects.juvenile | suspects.rid.isin(several)
                            | (suspects.sno == 2) | cross | homicide])
    accused = _involvements(year_outcomes, suspects).pid.unique()
    k = len(accused) - state.profile.counts["accused_persons"]
    if k < 0:
        raise RuntimeError(f"too few accused persons ({len(accused)})")
    _merge(rng, suspects, accused, k, keep)
    involvements = _involvements(year_outcomes, suspects)
    assert involvements.pid.nunique() == state.profile.counts["accused_persons"]
    previous = _involvements(_accused_outcomes(outcomes, reports, *state.previous_period_days),
                             suspects).pid.unique()
    _merge(rng, suspects, np.setdiff1d(previous, involvements.pid.unique()),
           round(k / len(accused) * len(previous)), keep, exact=False)
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
