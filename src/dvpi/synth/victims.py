"""Steps 1-4: the year's adult DV victims, planned person-first.

The adult victims of the calibrated year are persons of six kinds whose numbers of victim
rows in the year's DV crimes and non-crimes and in the year before make every
distinct-person figure exact:

1. 2-3 DV crimes in the year (offence repeat)
2. 1 DV crime in the year, 1-2 in the year before (offence repeat)
3. 1 DV crime, plus a non-crime this year or before (offence single, incident repeat)
4. 1 DV crime only (single)
5. non-crimes only: 2-3 this year, or 1 and one the year before (incident repeat)
6. 1 non-crime only (incident single)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.draws import assign_marginal, fm_victims, group_of_band, shuffled
from dvpi.synth.parameters import PLAN
from dvpi.synth.state import SynthState


def count_victim_kinds(state: SynthState) -> None:
    """How many persons of each kind; kind 1 split into two- and three-crime victims."""
    counts, breakdowns = state.profile.counts, state.profile.breakdowns
    by_age = breakdowns["dv_crime_victims_by_age_group"]
    adult_groups = [b.label for b in codes.AGE_GROUPS if b.low >= codes.ADULT_AGE]
    adult_rows = sum(by_age[g] for g in adult_groups)
    adults_o, repeats_o = counts["adult_victims_offences"], counts["adult_victims_offences_repeat"]
    adults_i, repeats_i = (counts["adult_victims_incidents"],
                           counts["adult_victims_incidents_repeat"])
    dual = counts["dual_arrest_incidents_surname_method"]
    # Crimes with two victim rows: the dual-arrest crimes and the others (a child too).
    two_rows = sum(by_age.values()) - counts["dv_crimes"]
    state.dual_arrest_crimes = min(round(dual * PLAN["cross_crime_share"]), two_rows)
    state.dual_arrest_non_crimes = dual - state.dual_arrest_crimes
    state.two_victim_crimes = two_rows - state.dual_arrest_crimes
    excess = adult_rows - adults_o
    three_crimes = round(PLAN["t1_three_share"] * excess / 2)
    two_crimes = excess - 2 * three_crimes
    kind2 = repeats_o - (two_crimes + three_crimes)
    kind3 = round(PLAN["offence_single_incident_repeat"] * (repeats_i - repeats_o))
    kind5 = repeats_i - repeats_o - kind3
    kind4 = adults_o - repeats_o - kind3
    kind6 = adults_i - adults_o - kind5
    if min(two_crimes, kind2, kind3, kind5, kind4, kind6) < 0:
        raise RuntimeError("profile figures are inconsistent with the person plan")
    kinds = np.concatenate([np.full(two_crimes + three_crimes, 1), np.full(kind2, 2),
                            np.full(kind3, 3), np.full(kind4, 4), np.full(kind5, 5),
                            np.full(kind6, 6)])
    crimes = np.zeros(len(kinds), int)
    crimes[:two_crimes] = 2
    crimes[two_crimes:two_crimes + three_crimes] = 3
    state.victim_persons = pd.DataFrame({"kind": kinds, "crimes": crimes})


def draw_victim_rows(state: SynthState) -> None:
    """Each person's rows by kind: crimes in the year, non-crimes, rows the year before."""
    rng, persons = state.rng, state.victim_persons
    kinds = persons.kind.to_numpy()
    n = len(kinds)
    crimes = persons.crimes.to_numpy().copy()
    non_crimes = np.zeros(n, int)
    crimes_before = np.zeros(n, int)
    non_crimes_before = np.zeros(n, int)
    crimes[(kinds >= 2) & (kinds <= 4)] = 1
    u = rng.random(n)
    k2 = kinds == 2
    crimes_before[k2] = np.where(u[k2] < 0.85, 1, 2)
    non_crimes_before[k2 & (rng.random(n) < 0.2)] = 1
    k1 = kinds == 1
    crimes_before[k1 & (u < 0.25)] = 1
    k3 = kinds == 3
    non_crimes[k3 & (u < 0.75)] = 1
    non_crimes_before[k3 & (u >= 0.75)] = 1
    k5 = kinds == 5
    non_crimes[k5] = np.select([u[k5] < 0.55, u[k5] < 0.65], [2, 3], 1)
    one = k5 & (non_crimes == 1)
    crimes_before[one & (rng.random(n) < 0.5)] = 1
    non_crimes_before[one & (crimes_before == 0)] = 1
    non_crimes[kinds == 6] = 1
    state.victim_persons = persons.assign(crimes=crimes, non_crimes=non_crimes,
                                          crimes_before=crimes_before,
                                          non_crimes_before=non_crimes_before)


def fix_special_victims(state: SynthState) -> None:
    """Homicide victims, dual-arrest parties and adult DV FM victims are fixed singles
    (kinds 4 and 6); filler non-crime rows go to repeat victims; persons get their ids."""
    rng, counts, persons = state.rng, state.profile.counts, state.victim_persons
    kinds = persons.kind.to_numpy()
    non_crimes = persons.non_crimes.to_numpy().copy()
    kind4 = np.flatnonzero(kinds == 4)
    kind6 = np.flatnonzero(kinds == 6)
    homicides = counts["dv_homicides"]
    n_cross_c, n_cross_n = state.dual_arrest_crimes, state.dual_arrest_non_crimes
    homicide_victims = kind4[:homicides]
    cross_crime_parties = kind4[homicides:homicides + 2 * n_cross_c]
    cross_non_crime_parties = kind6[:2 * n_cross_n]
    state.fm_victims = fm_victims(rng, state.profile)
    fm_dv = state.fm_victims.iloc[:counts["fm_records_dv"]]
    n_fm_dv_adults = int((fm_dv.age >= codes.ADULT_AGE).sum())
    fm_adults = kind6[2 * n_cross_n:2 * n_cross_n + n_fm_dv_adults]
    # Filler: adult rows of DV non-crimes up to the planned share, on repeat victims.
    target = round(PLAN["adult_nc_share"] * (counts["dv_non_crimes"] + n_cross_n))
    filler = target - non_crimes.sum()
    repeat = np.flatnonzero(np.isin(kinds, (1, 2, 5)) | ((kinds == 3) & (non_crimes > 0)))
    if filler > 0:
        np.add.at(non_crimes, rng.choice(repeat, filler), 1)
    persons = persons.assign(non_crimes=non_crimes)
    persons["pid"] = state.person_ids.take(len(persons))
    state.victim_persons = persons
    pids = persons.pid.to_numpy()
    state.homicide_victims = pids[homicide_victims]
    state.dual_arrest_crime_parties = pids[cross_crime_parties]
    state.dual_arrest_non_crime_parties = pids[cross_non_crime_parties]
    state.fm_adult_dv_victims = pids[fm_adults]


def plan_crime_victim_units(state: SynthState) -> None:
    """The victim breakdowns of the year's DV crimes as integer apportionments over units:
    adult persons (weight: their crime rows), children, unknown ages. Homicide victims and
    dual-arrest parties take fixed values first."""
    rng, breakdowns, persons = state.rng, state.profile.breakdowns, state.victim_persons
    by_age = breakdowns["dv_crime_victims_by_age_group"]
    child_rows, unknown_rows = by_age["0-17"], by_age[codes.UNRECORDED]
    if state.two_victim_crimes > child_rows:
        raise RuntimeError("more two-victim crimes than child victims")
    crimes = persons.crimes.to_numpy()
    n_adult = int((crimes > 0).sum())
    weights = np.concatenate([crimes[crimes > 0], np.ones(child_rows + unknown_rows, int)])
    unit_pid = np.concatenate([persons.pid.to_numpy()[crimes > 0],
                               state.person_ids.take(child_rows + unknown_rows)])
    position = {p: i for i, p in enumerate(unit_pid)}
    fixed_gender = np.full(len(weights), None, dtype=object)
    fixed_ic = np.full(len(weights), None, dtype=object)
    fixed_age = np.full(len(weights), None, dtype=object)
    fixed_age[n_adult:n_adult + child_rows] = "0-17"
    fixed_age[n_adult + child_rows:] = codes.UNRECORDED
    # Homicide victims: gender and band from the profile.
    homicide_gender = shuffled(rng, breakdowns["dv_homicide_victims_by_gender"])
    homicide_band = shuffled(rng, breakdowns["dv_homicide_victims_by_age_band"])
    homicide_units = np.array([position[p] for p in state.homicide_victims], dtype=int)
    fixed_gender[homicide_units] = homicide_gender
    fixed_age[homicide_units] = [group_of_band(b) for b in homicide_band]
    # Dual-arrest parties: recorded gender and appearance (couples of one M, one F).
    n_cross = state.dual_arrest_crimes
    cross_units = np.array([position[p] for p in state.dual_arrest_crime_parties], dtype=int)
    fixed_gender[cross_units] = np.tile(["F", "M"], n_cross)
    fixed_ic[cross_units] = np.repeat(rng.choice(["IC1", "IC1", "IC3", "IC4", "IC2"],
                                                 n_cross), 2)
    fixed_age[cross_units] = np.repeat(rng.choice(["18-29", "30-39", "40-49"], n_cross), 2)
    gender = assign_marginal(rng, weights, fixed_gender,
                             breakdowns["dv_crime_victims_by_gender"])
    ic = assign_marginal(rng, weights, fixed_ic,
                         breakdowns["dv_crime_victims_by_ethnic_appearance"])
    group = assign_marginal(rng, weights, fixed_age, by_age)
    state.victim_units = pd.DataFrame({"pid": unit_pid, "rec_gender": gender, "rec_ic": ic,
                                       "group": group, "w": weights})
