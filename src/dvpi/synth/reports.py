"""Steps 5-15: every report of the two years, their victim rows and suspect rows.

Reports are laid out around the planned victims: the year's DV crimes and non-crimes, the
reason each has or lacks a qualifying pair, and the unflagged reports (qualifying crimes
without the DV flag, FM reports, non-domestic ones). The year before is laid out the same
way at about ``state.previous_year_volume`` (``PLAN["previous_year_volume"]`` unless the
build says otherwise) times the year's number of each kind of
report (children, unknown ages, dual arrests, FM ...) and the year's shares of reasons;
its adult victims are the planned persons' rows of that year and persons of that year
only. Recorded days come from the time model (``calendar``). A report's frame columns:
year ("P" the calibrated year, "L" the one before), cls, dv, rec (recorded date), reason
("q": a qualifying pair), kind, v1, v2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.calendar import draw_before, draw_days
from dvpi.synth.draws import apportion, fm_victims, shuffled
from dvpi.synth.parameters import NONQ_REASONS, NONQ_REASONS_NON_CRIMES, PLAN
from dvpi.synth.profile import scale_profile
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


def _scaled(state: SynthState, n: int) -> int:
    """The year before's number of a kind of report the year has ``n`` of."""
    return round(state.previous_year_volume * n)


def _previous_only_persons(state: SynthState) -> pd.DataFrame:
    """Adult victims of the year before only (pid, crimes, non_crimes): their numbers of
    rows drawn from the year's ordinary victims' (those with a crime, then those with
    none), as many as bring the year before's adult crime and non-crime rows to the
    volume of the year's (with the planned persons' rows of that year)."""
    rng, persons = state.rng, state.victim_persons
    special = np.concatenate([state.homicide_victims, state.dual_arrest_crime_parties,
                              state.dual_arrest_non_crime_parties, state.fm_adult_dv_victims])
    ordinary = persons[~persons.pid.isin(special)]

    def draw(frame: pd.DataFrame, rows: int, column: str) -> pd.DataFrame:
        """Persons of ``frame`` (with replacement) holding about ``rows`` rows of ``column``."""
        if frame.empty or rows <= 0:
            return frame.iloc[:0]
        return frame.iloc[rng.integers(0, len(frame), round(rows / frame[column].mean()))]

    crimes = _scaled(state, int(ordinary.crimes.sum())) - int(persons.crimes_before.sum())
    sample = draw(ordinary[ordinary.crimes > 0], crimes, "crimes")
    non_crimes = _scaled(state, int(ordinary.non_crimes.sum())) \
        - int(persons.non_crimes_before.sum()) \
        - int(sample.non_crimes.sum())
    sample = pd.concat([sample, draw(ordinary[ordinary.crimes == 0], non_crimes, "non_crimes")])
    return pd.DataFrame({"pid": state.person_ids.take(len(sample)),
                         "crimes": sample.crimes.to_numpy(),
                         "non_crimes": sample.non_crimes.to_numpy()})


def _victim_rows(pids: pd.Series, counts: pd.Series) -> np.ndarray:
    return np.repeat(pids.to_numpy(), counts.to_numpy())


def _cross_reports(state: SynthState, n: int, cls: str) -> pd.DataFrame:
    """``n`` dual-arrest incidents of the year before: two new persons each."""
    pairs = state.person_ids.take(2 * n).reshape(-1, 2)
    return _draw_reports(state, n, "L", cls, True, reason="q", kind="cross", v1=pairs[:, 0],
                         v2=pairs[:, 1])


def _previous_fm_victims(state: SynthState) -> tuple[np.ndarray, np.ndarray]:
    """The year before's FM victims (the year's breakdowns at its volume): the pids of
    its DV FM reports' adult and child victims; the non-DV reports' split."""
    profile = scale_profile(state.profile, state.previous_year_volume)
    victims = fm_victims(state.rng, profile)
    n_dv = profile.counts["fm_records_dv"]
    dv = victims.iloc[:n_dv]
    adults = state.person_ids.take(int((dv.age >= codes.ADULT_AGE).sum()))
    children = state.person_ids.take(int((dv.age < codes.ADULT_AGE).sum()))
    state.previous_fm_victims = victims
    state.previous_fm_dv_victims = np.concatenate([adults, children])
    state.previous_fm_reports_not_dv_adult = _fm_report_split(
        victims.iloc[n_dv:], profile.counts["fm_records"] - n_dv)
    return adults, children


def plan_previous_year(state: SynthState) -> None:
    """The year before's DV crimes and non-crimes, of the same kinds as the year's at its
    volume: the planned persons' rows and persons of that year only, children, unknown
    ages, crimes with a second (child) victim, dual-arrest incidents, DV FM reports."""
    rng, persons, take = state.rng, state.victim_persons, state.person_ids.take
    crimes, non_crimes = state.dv_crimes, state.dv_non_crimes
    only = _previous_only_persons(state)
    adult_crimes = np.concatenate([_victim_rows(persons.pid, persons.crimes_before),
                                   _victim_rows(only.pid, only.crimes)])
    adult_non_crimes = np.concatenate([_victim_rows(persons.pid, persons.non_crimes_before),
                                       _victim_rows(only.pid, only.non_crimes)])

    def count(frame: pd.DataFrame, kind: str) -> int:
        return _scaled(state, int((frame.kind == kind).sum()))

    kinds = {"adult": adult_crimes, "child": take(count(crimes, "child")),
             "unknown": take(count(crimes, "unknown"))}
    previous = _draw_reports(state, sum(map(len, kinds.values())), "L", "crime", True,
                             kind=np.repeat(list(kinds), [len(v) for v in kinds.values()]),
                             v1=np.concatenate(list(kinds.values())), v2=-1)
    n_two = min(count(crimes, "two_victim"), len(adult_crimes))
    two = rng.choice(len(adult_crimes), n_two, replace=False)
    previous.loc[two, "v2"] = take(n_two)
    previous.loc[two, "kind"] = "two_victim"
    state.previous_crimes = pd.concat(
        [previous, _cross_reports(state, count(crimes, "cross"), "crime")], ignore_index=True)
    fm_adults, fm_children = _previous_fm_victims(state)
    kinds = {"adult": adult_non_crimes, "child": take(count(non_crimes, "child")),
             "unknown": take(count(non_crimes, "unknown")), "fm_adult": fm_adults,
             "fm_child": fm_children}
    previous = _draw_reports(state, sum(map(len, kinds.values())), "L", "non_crime", True,
                             kind=np.repeat(list(kinds), [len(v) for v in kinds.values()]),
                             v1=np.concatenate(list(kinds.values())), v2=-1)
    state.previous_non_crimes = pd.concat(
        [previous, _cross_reports(state, count(non_crimes, "cross"), "non_crime")],
        ignore_index=True)


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


def choose_previous_reasons(state: SynthState) -> None:
    """The year before's reasons: children and unknown ages as in the year; each adult's
    report drawn from the year's adults' reports' reasons (qualifying or why not)."""
    rng = state.rng
    for previous, year in ((state.previous_crimes, state.dv_crimes),
                           (state.previous_non_crimes, state.dv_non_crimes)):
        kind = previous.kind.to_numpy()
        reason = np.full(len(previous), "q", dtype=object)
        reason[np.isin(kind, ("child", "fm_child"))] = "child_victim"
        reason[kind == "unknown"] = "unknown_victim_age"
        shares = year.reason[year.kind == "adult"].value_counts(normalize=True)
        adult = kind == "adult"
        reason[adult] = rng.choice(shares.index.to_numpy(), adult.sum(), p=shares.to_numpy())
        previous["reason"] = reason


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


def _unflagged_year(state: SynthState, year: str, n_crimes: int, n_non_crimes: int,
                    n_other: int, fm_adult: np.ndarray) -> list[pd.DataFrame]:
    """One year's reports without the DV flag: qualifying crimes and non-crimes (fresh
    victims), extended-family or non-domestic ones, and FM reports (victims spread later;
    ``fm_adult``: which have an adult victim)."""
    rng = state.rng
    crimes = _draw_reports(state, n_crimes, year, "crime", False, reason="q", kind="unflagged")
    non_crimes = _draw_reports(state, n_non_crimes, year, "non_crime", False, reason="q",
                               kind="unflagged")
    other = _draw_reports(state, n_other, year, "crime", False, kind="unflagged",
                          reason=rng.choice(["extended_family", "non_domestic"], n_other))
    other.loc[rng.random(n_other) < 0.5, "cls"] = "non_crime"
    for reports in (crimes, non_crimes, other):
        reports["v1"] = state.person_ids.take(len(reports))
        reports["v2"] = -1
    fm = _draw_reports(state, len(fm_adult), year, "non_crime", False, kind="fm_ndv",
                       reason=np.where(fm_adult, "q", "child_victim"), v1=-1, v2=-1)
    fm.loc[rng.random(len(fm)) < 0.35, "cls"] = "crime"
    fm.loc[fm.reason == "q", "cls"] = "non_crime"  # keep the crime SPI8a count exact
    return [crimes, non_crimes, other, fm]


def plan_unflagged_reports(state: SynthState) -> None:
    """Reports without the DV flag (fresh persons): qualifying crimes and non-crimes, FM
    reports, and non-domestic or extended-family ones (exported because a relationship
    was recorded); the year before's at its volume."""
    counts = state.profile.counts
    _, unflagged_crimes, _, unflagged_non_crimes = _qualifying_split(state)
    fm_dv = counts["fm_records_dv"]
    state.fm_reports_not_dv_adult = _fm_report_split(state.fm_victims.iloc[fm_dv:],
                                                     counts["fm_records"] - fm_dv)
    non_crimes = unflagged_non_crimes - int(state.fm_reports_not_dv_adult.sum())
    extra = round(PLAN["unflagged_extra"] * counts["dv_incidents"])
    state.unflagged_crimes, state.unflagged_non_crimes, state.unflagged_other, \
        state.fm_reports_not_dv = _unflagged_year(state, "P", unflagged_crimes, non_crimes,
                                                  extra, state.fm_reports_not_dv_adult)
    state.previous_unflagged = pd.concat(_unflagged_year(
        state, "L", _scaled(state, unflagged_crimes), _scaled(state, non_crimes),
        _scaled(state, extra),
        state.previous_fm_reports_not_dv_adult), ignore_index=True)


def assemble_reports(state: SynthState) -> None:
    """All reports in one frame (rid: the row), FM and HBV flags (a tenth of each year's
    FM reports), occurred dates (the time model's delay before the recorded day)."""
    rng = state.rng
    reports = pd.concat([
        state.dv_crimes, state.dv_non_crimes, state.previous_crimes, state.previous_non_crimes,
        state.unflagged_crimes, state.unflagged_non_crimes, state.unflagged_other,
        state.fm_reports_not_dv, state.previous_unflagged], ignore_index=True)
    reports["fm"] = reports.kind.isin(["fm_adult", "fm_child", "fm_ndv"])
    reports["hbv"] = False
    for year in ("P", "L"):
        fm_rows = reports.index[reports.fm & (reports.year == year)].to_numpy()
        hbv = rng.choice(fm_rows, min(len(fm_rows), max(1, len(fm_rows) // 10)), replace=False)
        reports.loc[hbv, "hbv"] = True
    n = len(reports)
    reports["rid"] = np.arange(n)
    reports["occ"] = draw_before(rng, reports.rec.to_numpy("datetime64[D]"), "occurrence")
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
    # The rest join a report with an adult victim; a small force-year may have none
    # (every non-DV FM report child-only), and then any report.
    adult_rids = rids[adult_report]
    pool = adult_rids if len(adult_rids) else rids
    for i in adults + children:
        report_of[i] = rng.choice(pool)
    return report_of


def _fm_victims_of_year(state: SynthState, victims: pd.DataFrame, dv_pids: np.ndarray,
                        year: str, adult_split: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's FM victims: rows (rid, pid, vno) of its non-DV FM reports' victims, and
    every FM victim's attributes by pid (the DV reports' victims are ``dv_pids``: adults,
    then children)."""
    reports = state.reports
    dv, not_dv = victims.iloc[:len(dv_pids)], victims.iloc[len(dv_pids):]
    dv_ordered = pd.concat([dv[dv.age >= codes.ADULT_AGE], dv[dv.age < codes.ADULT_AGE]])
    not_dv_pids = state.person_ids.take(len(not_dv))
    rids = _fm_report_of_victims(
        state.rng, reports.rid[(reports.kind == "fm_ndv") & (reports.year == year)].to_numpy(),
        not_dv, adult_split)
    rows = pd.DataFrame({"rid": rids, "pid": not_dv_pids, "vno": 1})
    return rows, pd.concat([dv_ordered.assign(pid=dv_pids), not_dv.assign(pid=not_dv_pids)])


def lay_out_victim_rows(state: SynthState) -> None:
    """Victim rows (rid, pid, vno, and the report's year, cls, dv, ref, reason, kind); the
    FM victims' attributes by person (both years)."""
    reports = state.reports
    rows = pd.concat([
        pd.DataFrame({"rid": reports.rid, "pid": reports.v1, "vno": 1}),
        pd.DataFrame({"rid": reports.rid[reports.v2 >= 0], "pid": reports.v2[reports.v2 >= 0],
                      "vno": 2}),
    ], ignore_index=True)
    rows = rows[rows.pid >= 0]
    fm_rows, fm_persons = _fm_victims_of_year(
        state, state.fm_victims,
        np.concatenate([state.fm_adult_dv_victims, state.fm_child_dv_victims]), "P",
        state.fm_reports_not_dv_adult)
    previous_rows, previous_persons = _fm_victims_of_year(
        state, state.previous_fm_victims, state.previous_fm_dv_victims, "L",
        state.previous_fm_reports_not_dv_adult)
    rows = pd.concat([rows, fm_rows, previous_rows], ignore_index=True)
    state.fm_victims_by_person = pd.concat([fm_persons, previous_persons]).set_index("pid")
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
