"""Steps 5-14: every report of the two years, their victim rows and suspect rows.

Reports are laid out around the planned victims: the year's DV crimes and non-crimes, the
year before's, the reason each has or lacks a qualifying pair, and the unflagged reports
(qualifying crimes without the DV flag, FM reports, non-domestic ones). A report's frame
columns: year ("P" the calibrated year, "L" the one before), cls, dv, rec (recorded
date), reason ("q": a qualifying pair), kind, v1, v2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.calendar import draw_days
from dvpi.synth.draws import apportion, shuffled
from dvpi.synth.parameters import NONQ_REASONS, NONQ_REASONS_NON_CRIMES, PLAN
from dvpi.synth.state import SynthState


def _draw_reports(state: SynthState, n: int, year: str, cls: str, dv: bool,
                  **columns: object) -> pd.DataFrame:
    """``n`` reports recorded on days drawn over the year ("P") or the year before ("L")."""
    start, end = state.period if year == "P" else state.previous_period
    reports = pd.DataFrame({"year": year, "cls": cls, "dv": dv,
                            "rec": draw_days(state.rng, n, start, end)})
    for name, value in columns.items():
        reports[name] = value
    return reports


def _rows_of(persons: pd.DataFrame, column: str, excluded: np.ndarray) -> pd.DataFrame:
    """One row per victim row of ``column`` (a count per person), without ``excluded``."""
    rows = persons.loc[persons[column] > 0, ["pid", column]]
    rows = rows.loc[rows.index.repeat(rows[column])]
    return rows[~rows.pid.isin(excluded)]


def plan_dv_crimes(state: SynthState) -> None:
    """The year's DV crimes: the planned adults' crime rows, children, unknown ages, the
    homicides, crimes with a second (child) victim and the dual-arrest crimes."""
    rng, units = state.rng, state.victim_units
    adult_rows = _rows_of(state.victim_persons, "crimes", state.dual_arrest_crime_parties)
    child = units.pid[units.group == "0-17"].to_numpy()
    unknown = units.pid[units.group == codes.UNRECORDED].to_numpy()
    second_child = child[:state.two_victim_crimes]
    own_child = child[state.two_victim_crimes:]
    first = np.concatenate([adult_rows.pid.to_numpy(), own_child, unknown])
    crimes = _draw_reports(state, len(first), "P", "crime", True, reason="q")
    crimes["kind"] = np.concatenate([np.full(len(adult_rows), "adult"),
                                     np.full(len(own_child), "child"),
                                     np.full(len(unknown), "unknown")])
    crimes.loc[np.isin(first, state.homicide_victims), "kind"] = "homicide"
    crimes["v1"] = first
    crimes["v2"] = -1
    candidates = np.flatnonzero(crimes.kind.to_numpy() == "adult")
    two = rng.choice(candidates, state.two_victim_crimes, replace=False)
    crimes.loc[two, "v2"] = second_child
    crimes.loc[two, "kind"] = "two_victim"
    pairs = state.dual_arrest_crime_parties.reshape(-1, 2)
    cross = _draw_reports(state, state.dual_arrest_crimes, "P", "crime", True, reason="q",
                          kind="cross", v1=pairs[:, 0], v2=pairs[:, 1])
    state.dv_crimes = pd.concat([crimes, cross], ignore_index=True)
    assert len(state.dv_crimes) == state.profile.counts["dv_crimes"]


def plan_dv_non_crimes(state: SynthState) -> None:
    """The year's DV non-crimes: adults' rows, children, unknown ages, DV FM reports and
    the dual-arrest non-crimes."""
    counts = state.profile.counts
    adult_rows = _rows_of(state.victim_persons, "non_crimes",
                          state.dual_arrest_non_crime_parties)
    fm_dv = state.fm_victims.iloc[:counts["fm_records_dv"]]
    fm_dv_children = fm_dv[fm_dv.age < codes.ADULT_AGE]
    non_adult = counts["dv_non_crimes"] - len(adult_rows) - state.dual_arrest_non_crimes
    other_non_adult = non_adult - len(fm_dv_children)
    if other_non_adult < 0:
        raise RuntimeError("too many adult non-crime rows planned")
    n_children = round(0.65 * other_non_adult)
    children = state.person_ids.take(n_children)
    unknown = state.person_ids.take(other_non_adult - n_children)
    state.fm_child_dv_victims = state.person_ids.take(len(fm_dv_children))
    non_crimes = _draw_reports(state, len(adult_rows) + other_non_adult + len(fm_dv_children),
                               "P", "non_crime", True, reason="q")
    non_crimes["v1"] = np.concatenate([adult_rows.pid.to_numpy(), children, unknown,
                                       state.fm_child_dv_victims])
    non_crimes["v2"] = -1
    non_crimes["kind"] = np.concatenate([
        np.full(len(adult_rows), "adult"), np.full(n_children, "child"),
        np.full(len(unknown), "unknown"), np.full(len(state.fm_child_dv_victims), "fm_child")])
    non_crimes.loc[np.isin(non_crimes.v1.to_numpy(), state.fm_adult_dv_victims),
                   "kind"] = "fm_adult"
    pairs = state.dual_arrest_non_crime_parties.reshape(-1, 2)
    cross = _draw_reports(state, state.dual_arrest_non_crimes, "P", "non_crime", True,
                          reason="q", kind="cross", v1=pairs[:, 0], v2=pairs[:, 1])
    state.dv_non_crimes = pd.concat([non_crimes, cross], ignore_index=True)
    assert len(state.dv_non_crimes) == counts["dv_non_crimes"]


def _previous_only(state: SynthState, n: int) -> np.ndarray:
    """n victim rows for persons of the year before only; a fifth are repeat victims."""
    k = n // 5 // 2
    pairs = state.person_ids.take(k)
    singles = state.person_ids.take(n - 2 * k)
    rows = np.concatenate([pairs, pairs, singles])
    state.rng.shuffle(rows)
    return rows


def plan_previous_year(state: SynthState) -> None:
    """The year before's DV crimes and non-crimes: planned persons' rows plus persons of
    that year only."""
    counts, persons = state.profile.counts, state.victim_persons
    volume = PLAN["previous_year_volume"]
    crime_rows = np.repeat(persons.pid.to_numpy(), persons.crimes_before.to_numpy())
    non_crime_rows = np.repeat(persons.pid.to_numpy(), persons.non_crimes_before.to_numpy())
    n_crimes = max(round(volume * counts["dv_crimes"]), len(crime_rows) + 100)
    n_non_crimes = max(round(volume * counts["dv_non_crimes"]), len(non_crime_rows) + 100)
    only_crimes = _previous_only(state, n_crimes - len(crime_rows))
    only_non_crimes = _previous_only(state, n_non_crimes - len(non_crime_rows))
    state.previous_crimes = _draw_reports(
        state, n_crimes, "L", "crime", True, reason="q", kind="adult",
        v1=np.concatenate([crime_rows, only_crimes]), v2=-1)
    state.previous_non_crimes = _draw_reports(
        state, n_non_crimes, "L", "non_crime", True, reason="q", kind="adult",
        v1=np.concatenate([non_crime_rows, only_non_crimes]), v2=-1)


def _qualifying_split(state: SynthState) -> tuple[int, int, int, int]:
    """SPI8a offences and non-crime incidents: (DV-flagged crimes, unflagged crimes,
    DV-flagged non-crimes, unflagged non-crimes)."""
    counts = state.profile.counts
    crimes = counts["spi8a_offences"]
    non_crimes = counts["spi8a_incidents"] - crimes
    unflagged_crimes = round(PLAN["unflagged_q_crimes"] * crimes)
    flagged_non_crimes = round(PLAN["dv_q_noncrimes"] * non_crimes)
    return (crimes - unflagged_crimes, unflagged_crimes, flagged_non_crimes,
            non_crimes - flagged_non_crimes)


def choose_crime_reasons(state: SynthState) -> None:
    """Which of the year's DV crimes have no qualifying pair, and why (enough juvenile
    suspects for the accused juveniles)."""
    crimes = state.dv_crimes
    flagged_qualifying = _qualifying_split(state)[0]
    kind = crimes.kind.to_numpy()
    reason = np.full(len(crimes), "q", dtype=object)
    reason[np.isin(kind, ("child",))] = "child_victim"
    reason[kind == "unknown"] = "unknown_victim_age"
    adult_free = np.flatnonzero(kind == "adult")
    n_not_qualifying = (np.isin(kind, ("adult", "two_victim", "cross", "homicide"))).sum() \
        - flagged_qualifying
    juveniles_needed = state.profile.breakdowns["accused_by_age_group"]["0-17"]
    reasons = apportion(n_not_qualifying, NONQ_REASONS)
    if reasons["juvenile_suspect"] < 2 * juveniles_needed:
        shift = 2 * juveniles_needed - reasons["juvenile_suspect"]
        reasons["juvenile_suspect"] += shift
        reasons["extended_family"] -= shift
    if n_not_qualifying < 0 or n_not_qualifying > len(adult_free) \
            or min(reasons.values()) < 0:
        raise RuntimeError("qualifying plan infeasible")
    chosen = state.rng.choice(adult_free, n_not_qualifying, replace=False)
    reason[chosen] = shuffled(state.rng, reasons)
    crimes["reason"] = reason


def choose_non_crime_reasons(state: SynthState) -> None:
    """Which of the year's DV non-crimes have no qualifying pair; the year before's
    reports by plausible rates."""
    rng, non_crimes = state.rng, state.dv_non_crimes
    flagged_qualifying = _qualifying_split(state)[2]
    kind = non_crimes.kind.to_numpy()
    reason = np.full(len(non_crimes), "q", dtype=object)
    reason[np.isin(kind, ("child", "fm_child"))] = "child_victim"
    reason[kind == "unknown"] = "unknown_victim_age"
    free = np.flatnonzero(kind == "adult")
    forced = np.isin(kind, ("cross", "fm_adult")).sum()
    n_not_qualifying = len(free) + forced - flagged_qualifying
    if not 0 <= n_not_qualifying <= len(free):
        raise RuntimeError("non-crime qualifying plan infeasible")
    reasons = apportion(n_not_qualifying, NONQ_REASONS_NON_CRIMES)
    chosen = rng.choice(free, n_not_qualifying, replace=False)
    reason[chosen] = shuffled(rng, reasons)
    non_crimes["reason"] = reason
    for previous in (state.previous_crimes, state.previous_non_crimes):
        u = rng.random(len(previous))
        previous["reason"] = np.select([u < 0.05, u < 0.08, u < 0.11, u < 0.16],
                                       ["no_suspect", "extended_family", "non_domestic",
                                        "relationship_unrecorded"], "q")


def _fm_report_split(fm_not_dv: pd.DataFrame, n_reports: int) -> np.ndarray:
    """Which non-DV FM reports have an adult victim (and so qualify)."""
    adults = int((fm_not_dv.age >= codes.ADULT_AGE).sum())
    children = len(fm_not_dv) - adults
    # Reports of children only: up to a third of the reports, as the children allow.
    n_child_reports = min(children, n_reports // 3) if adults >= n_reports - n_reports // 3 \
        else max(0, n_reports - adults)
    adult = np.ones(n_reports, bool)
    adult[:n_child_reports] = False
    return adult


def plan_unflagged_reports(state: SynthState) -> None:
    """Reports without the DV flag (fresh persons): qualifying crimes and non-crimes, FM
    reports, and non-domestic or extended-family ones (exported because a relationship
    was recorded), in both years."""
    rng, counts = state.rng, state.profile.counts
    _, unflagged_crimes, _, unflagged_non_crimes = _qualifying_split(state)
    fm_dv = counts["fm_records_dv"]
    n_fm = counts["fm_records"] - fm_dv
    state.fm_reports_not_dv_adult = _fm_report_split(state.fm_victims.iloc[fm_dv:], n_fm)
    n_fm_qualifying = int(state.fm_reports_not_dv_adult.sum())
    extra = round(PLAN["unflagged_extra"] * counts["dv_incidents"])
    crimes = _draw_reports(state, unflagged_crimes, "P", "crime", False, reason="q",
                           kind="unflagged")
    non_crimes = _draw_reports(state, unflagged_non_crimes - n_fm_qualifying, "P",
                               "non_crime", False, reason="q", kind="unflagged")
    other = _draw_reports(state, extra, "P", "crime", False, kind="unflagged",
                          reason=rng.choice(["extended_family", "non_domestic"], extra))
    other.loc[rng.random(extra) < 0.5, "cls"] = "non_crime"
    fm = _draw_reports(state, n_fm, "P", "non_crime", False, kind="fm_ndv",
                       reason=np.where(state.fm_reports_not_dv_adult, "q", "child_victim"))
    fm.loc[rng.random(n_fm) < 0.35, "cls"] = "crime"
    fm.loc[fm.reason == "q", "cls"] = "non_crime"  # keep the crime SPI8a count exact
    n_previous = round(PLAN["previous_year_volume"]
                       * (unflagged_crimes + unflagged_non_crimes + extra))
    previous = _draw_reports(state, n_previous, "L", "crime", False, kind="unflagged",
                             reason=rng.choice(["q", "q", "non_domestic"], n_previous))
    previous.loc[rng.random(len(previous)) < 0.4, "cls"] = "non_crime"
    for reports in (crimes, non_crimes, other, previous):
        reports["v1"] = state.person_ids.take(len(reports))
        reports["v2"] = -1
    fm["v1"] = -1  # FM victims are spread over their reports with the victim rows
    fm["v2"] = -1
    state.unflagged_crimes, state.unflagged_non_crimes = crimes, non_crimes
    state.unflagged_other, state.fm_reports_not_dv, state.previous_unflagged = \
        other, fm, previous


def assemble_reports(state: SynthState) -> None:
    """All reports in one frame (rid: the row), FM and HBV flags, occurred dates."""
    rng = state.rng
    reports = pd.concat([
        state.dv_crimes, state.dv_non_crimes, state.previous_crimes, state.previous_non_crimes,
        state.unflagged_crimes, state.unflagged_non_crimes, state.unflagged_other,
        state.fm_reports_not_dv, state.previous_unflagged], ignore_index=True)
    reports["fm"] = False
    reports["hbv"] = False
    fm_dv = state.dv_non_crimes.index[
        state.dv_non_crimes.kind.isin(["fm_adult", "fm_child"])].to_numpy()
    fm_rows = np.concatenate([len(state.dv_crimes) + fm_dv,
                              reports.index[reports.kind == "fm_ndv"].to_numpy()])
    reports.loc[fm_rows, "fm"] = True
    hbv = rng.choice(fm_rows, max(1, len(fm_rows) // 10), replace=False)
    reports.loc[hbv, "hbv"] = True
    n = len(reports)
    reports["rid"] = np.arange(n)
    # Occurred dates: same day mostly, some days or weeks before; some blank.
    lag = np.where(rng.random(n) < 0.7, 0, rng.geometric(0.25, n))
    late = rng.random(n) < 0.03
    lag[late] += rng.integers(14, 120, late.sum())
    reports["occ"] = reports.rec.to_numpy() - lag.astype("timedelta64[D]")
    reports["occ_blank"] = rng.random(n) < 0.04
    reports["ref"] = reports.occ.where(~reports.occ_blank, reports.rec)
    state.reports = reports


def _fm_report_of_victims(rng: np.random.Generator, rids: np.ndarray,
                          fm_not_dv: pd.DataFrame, adult_report: np.ndarray) -> np.ndarray:
    """Spread the non-DV FM victims over their reports: every report gets one; a report
    planned with an adult victim gets one first, a child-only report only children."""
    is_adult = (fm_not_dv.age >= codes.ADULT_AGE).to_numpy()
    adults = list(np.flatnonzero(is_adult))
    children = list(np.flatnonzero(~is_adult))
    report_of = np.full(len(fm_not_dv), -1)
    for rid, adult in zip(rids, adult_report, strict=True):
        source = adults if adult else children
        report_of[source.pop()] = rid
    adult_rids = rids[adult_report]
    for i in adults + children:
        report_of[i] = rng.choice(adult_rids)
    return report_of


def lay_out_victim_rows(state: SynthState) -> None:
    """Victim rows (rid, pid, vno, and the report's year, cls, dv, ref, reason, kind); the
    FM victims' attributes by person."""
    reports, counts = state.reports, state.profile.counts
    rows = pd.concat([
        pd.DataFrame({"rid": reports.rid, "pid": reports.v1, "vno": 1}),
        pd.DataFrame({"rid": reports.rid[reports.v2 >= 0], "pid": reports.v2[reports.v2 >= 0],
                      "vno": 2}),
    ], ignore_index=True)
    rows = rows[rows.pid >= 0]
    # FM victims: DV FM reports (one victim each, planned persons), non-DV FM reports.
    fm_dv = state.fm_victims.iloc[:counts["fm_records_dv"]]
    fm_not_dv = state.fm_victims.iloc[counts["fm_records_dv"]:]
    fm_dv_pids = np.concatenate([state.fm_adult_dv_victims, state.fm_child_dv_victims])
    fm_dv_ordered = pd.concat([fm_dv[fm_dv.age >= codes.ADULT_AGE],
                               fm_dv[fm_dv.age < codes.ADULT_AGE]])
    fm_not_dv_pids = state.person_ids.take(len(fm_not_dv))
    fm_not_dv_rids = _fm_report_of_victims(
        state.rng, reports.rid[reports.kind == "fm_ndv"].to_numpy(), fm_not_dv,
        state.fm_reports_not_dv_adult)
    rows = pd.concat([rows, pd.DataFrame({"rid": fm_not_dv_rids, "pid": fm_not_dv_pids,
                                          "vno": 1})], ignore_index=True)
    state.fm_victims_by_person = pd.concat([fm_dv_ordered.assign(pid=fm_dv_pids),
                                            fm_not_dv.assign(pid=fm_not_dv_pids)]) \
        .set_index("pid")
    state.victim_rows = rows.merge(
        reports[["rid", "year", "cls", "dv", "ref", "reason", "kind"]], on="rid")


def lay_out_suspect_rows(state: SynthState) -> None:
    """Suspect rows: the victim's partner or relative (one person per victim), a fresh
    person for other reasons, the two parties of a dual-arrest incident, a second
    suspect on a few reports."""
    rng, reports, victim_rows = state.rng, state.reports, state.victim_rows
    first = victim_rows[victim_rows.vno == 1].drop_duplicates("rid")
    suspects = reports[["rid", "reason", "kind", "year", "cls", "dv"]].merge(
        first[["rid", "pid"]].rename(columns={"pid": "victim"}), on="rid", how="left")
    suspects = suspects[(suspects.reason != "no_suspect") & (suspects.kind != "cross")]
    couple = suspects.reason.isin(["q", "relationship_unrecorded"]) & suspects.kind.isin(
        ["adult", "two_victim", "unflagged"])
    # One partner per victim person.
    victims = suspects.victim[couple].unique()
    partner = dict(zip(victims, state.person_ids.take(len(victims)), strict=True))
    pid = np.where(couple, suspects.victim.map(partner).fillna(-1), -1).astype(int)
    fresh = pid < 0
    pid[fresh] = state.person_ids.take(int(fresh.sum()))
    suspects = suspects.assign(pid=pid, sno=1,
                               juvenile=(suspects.reason == "juvenile_suspect").to_numpy(),
                               couple=couple.to_numpy())
    # Dual-arrest parties: each is a suspect too.
    cross = reports[reports.kind == "cross"]
    parties = pd.concat([
        pd.DataFrame({"rid": cross.rid, "pid": cross.v2, "victim": cross.v1, "sno": 1}),
        pd.DataFrame({"rid": cross.rid, "pid": cross.v1, "victim": cross.v2, "sno": 2}),
    ])
    parties = parties.merge(reports[["rid", "reason", "kind", "year", "cls", "dv"]], on="rid")
    parties["juvenile"] = False
    parties["couple"] = False
    # A second suspect (a friend or relative of the first) on a few qualifying reports.
    candidates = suspects[(suspects.reason == "q")
                          & (suspects.kind.isin(["adult", "unflagged"]))]
    second = candidates.sample(frac=PLAN["second_suspect"],
                               random_state=int(rng.integers(1 << 30)))
    second = second.assign(pid=state.person_ids.take(len(second)), sno=2, couple=False)
    state.suspect_rows = pd.concat([suspects, parties, second], ignore_index=True)


def index_reports_by_id(state: SynthState) -> None:
    """From here on reports are looked up by rid (kept as a column too)."""
    state.reports = state.reports.set_index("rid", drop=False)
