"""Steps 23-30: every true person's attributes (gender, appearance, age, date of birth).

Recorded values that calibrated figures read come first (the crime victims' units, FM
victims, homicide victims and suspects, the accused at their latest involvement); every
other person's attributes are drawn by plausible rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.draws import (
    age_in_band,
    assign_marginal,
    dob_for_age,
    group_bounds,
    group_of_band,
    shuffled,
)
from dvpi.synth.state import SynthState, report_masks


def lay_out_people_rows(state: SynthState) -> None:
    """One people row per victim row and suspect row, with its report's dates."""
    reports, suspects = state.reports, state.suspect_rows
    columns = ["rid", "pid", "role", "vno", "srow"]
    victims = state.victim_rows.assign(role="victim", srow=-1)[columns]
    suspect_rows = suspects.assign(role="suspect", vno=0, srow=suspects.index)[columns]
    rows = pd.concat([victims, suspect_rows], ignore_index=True)
    rows["ref"] = reports.ref.reindex(rows.rid).to_numpy("datetime64[D]")
    rows["rec"] = reports.rec.reindex(rows.rid).to_numpy("datetime64[D]")
    state.people_rows = rows


def draw_true_attributes(state: SynthState) -> None:
    """Each person's first and last involvement, gender and appearance (suspects mostly
    men; the crime victims' recorded values where recorded)."""
    rng, breakdowns = state.rng, state.profile.breakdowns
    span = state.people_rows.groupby("pid").ref.agg(["min", "max"])
    n = len(span)
    persons = pd.DataFrame(index=span.index.to_numpy())
    persons["first"] = span["min"]
    persons["last"] = span["max"]
    gender = np.where(rng.random(n) < 0.8, "F", "M").astype(object)
    ic_weights = breakdowns["dv_crime_victims_by_ethnic_appearance"]
    ic_keys = list(codes.POPULATION_ETHNIC_APPEARANCES)
    ic_p = np.array([ic_weights.get(k, 0) for k in ic_keys], float)
    persons["gender"] = gender
    persons["ic"] = rng.choice(ic_keys, n, p=ic_p / ic_p.sum()).astype(object)
    persons["age_t"] = np.nan  # true age at age_ref
    persons["age_ref"] = persons["first"]
    persons["no_dob"] = False
    is_suspect = persons.index.isin(state.suspect_rows.pid)
    persons.loc[is_suspect, "gender"] = np.where(rng.random(is_suspect.sum()) < 0.85, "M", "F")
    units = state.victim_units.set_index("pid")
    units = units[units.index.isin(persons.index)]
    recorded_gender = units.rec_gender.where(units.rec_gender.isin(["M", "F"])).dropna()
    persons.loc[recorded_gender.index, "gender"] = recorded_gender
    recorded_ic = units.rec_ic.where(units.rec_ic != codes.ETHNIC_APPEARANCE_DEFAULT).dropna()
    persons.loc[recorded_ic.index, "ic"] = recorded_ic
    # The year before's dual-arrest parties: a woman and a man, as the year's.
    cross = state.reports[(state.reports.kind == "cross") & (state.reports.year != "P")]
    persons.loc[cross.v1.to_numpy(), "gender"] = "F"
    persons.loc[cross.v2.to_numpy(), "gender"] = "M"
    state.persons, state.calibrated_victims = persons, units


def _match_bands(bands: np.ndarray, groups: np.ndarray) -> list[str]:
    """Homicide age bands ordered to fall in the recorded age groups."""
    left = list(bands)
    matched = []
    for group in groups:
        for band in left:
            if group_of_band(band) == group:
                matched.append(band)
                left.remove(band)
                break
        else:
            raise RuntimeError("homicide band/group mismatch")
    return matched


def draw_crime_victim_ages(state: SynthState) -> None:
    """Victims of the year's DV crimes: an age in their group at their first such crime
    (repeat victims not at a group's edge); homicide victims in their band."""
    rng, persons, units = state.rng, state.persons, state.calibrated_victims
    rows, reports = state.people_rows, state.reports
    in_period, dv, crime, _ = report_masks(reports)
    first_crime = rows[(rows.role == "victim") & rows.rid.isin(
        reports.rid[in_period & dv & crime])].groupby("pid").ref.min()
    group = units.group
    adults = group.index[~group.isin(["0-17", codes.UNRECORDED])]
    victim_persons = state.victim_persons
    repeat = set(victim_persons.pid[(victim_persons.crimes + victim_persons.non_crimes) > 1])
    bounds = np.array([group_bounds(g) for g in group[adults]])
    low, high = bounds[:, 0], bounds[:, 1]
    is_repeat = np.array([p in repeat for p in adults])
    low = np.where(is_repeat, np.maximum(low, 20), low)
    high = np.where(is_repeat, np.minimum(high - 2, 88), np.minimum(high, 90))
    high = np.maximum(high, low)
    persons.loc[adults, "age_t"] = rng.integers(low, high + 1)
    persons.loc[adults, "age_ref"] = first_crime.reindex(adults).to_numpy()
    children = group.index[group == "0-17"]
    persons.loc[children, "age_t"] = rng.integers(8, 18, len(children))
    persons.loc[children, "age_ref"] = first_crime.reindex(children).to_numpy()
    persons.loc[group.index[group == codes.UNRECORDED], "no_dob"] = True
    homicide_victims = list(state.homicide_victims)
    bands = shuffled(rng, state.profile.breakdowns["dv_homicide_victims_by_age_band"])
    bands = _match_bands(bands, units.loc[homicide_victims, "group"].to_numpy())
    persons.loc[homicide_victims, "age_t"] = [age_in_band(rng, b) for b in bands]


def draw_other_ages(state: SynthState) -> None:
    """FM victims as recorded; other adult victims aged as the year's crime victims;
    children, everyone else by plausible ages; juvenile suspects 13-17 at their last
    involvement."""
    rng, persons, fm = state.rng, state.persons, state.fm_victims_by_person
    victim_rows = state.victim_rows
    persons.loc[fm.index, "age_t"] = fm.age
    persons.loc[fm.index, "gender"] = fm.gender.where(fm.gender != "U", "F")
    persons.loc[fm.index, "ic"] = fm.ic.where(fm.ic != "IC0", "IC4")
    # Adult victims without a crime of the year: non-crime-only victims of the year and
    # victims of the year before only, aged as the year's crime victims.
    units = state.calibrated_victims.index
    adult_rows = victim_rows[victim_rows.kind.isin(["adult", "cross"])
                             & ~victim_rows.pid.isin(units)]
    adults = np.setdiff1d(adult_rows.pid.unique(), fm.index)
    by_age = state.profile.breakdowns["dv_crime_victims_by_age_group"]
    adult_weights = {g: by_age[g] for g in ("18-29", "30-39", "40-49", "50-59", "60+")}
    groups = rng.choice(list(adult_weights), len(adults),
                        p=np.array(list(adult_weights.values())) / sum(adult_weights.values()))
    bounds = np.array([group_bounds(g) for g in groups]).reshape(-1, 2)
    persons.loc[adults, "age_t"] = rng.integers(np.maximum(bounds[:, 0], 19),
                                                np.minimum(bounds[:, 1], 85) + 1)
    # Children and unknown ages other than the year's crime victims; FM children.
    child = victim_rows.kind.isin(["child", "fm_child"]) | (
        (victim_rows.kind == "two_victim") & (victim_rows.vno == 2))
    children = victim_rows[child & ~victim_rows.pid.isin(units) & ~victim_rows.pid.isin(fm.index)]
    persons.loc[children.pid, "age_t"] = rng.integers(8, 18, len(children))
    unknown = victim_rows.pid[(victim_rows.kind == "unknown") & ~victim_rows.pid.isin(units)]
    persons.loc[unknown, "no_dob"] = True
    # Everyone else without an age yet: adults (victims of other reports, suspects).
    rest = persons.index[persons.age_t.isna() & ~persons.no_dob]
    persons.loc[rest, "age_t"] = np.clip(rng.normal(34, 10, len(rest)).round(), 19, 80)
    juveniles = _juvenile_suspects(state)
    persons.loc[juveniles, "age_t"] = rng.integers(13, 18, len(juveniles))
    persons.loc[juveniles, "age_ref"] = persons.loc[juveniles, "last"]


def _juvenile_suspects(state: SynthState) -> np.ndarray:
    suspects = state.suspect_rows
    return suspects.pid[suspects.juvenile].unique()


def set_homicide_suspects(state: SynthState) -> None:
    """Suspects of the year's homicides: gender and age band from the profile, accused
    or not."""
    rng, persons, breakdowns = state.rng, state.persons, state.profile.breakdowns
    homicide_suspects = sorted(state.homicide_suspects)
    genders = shuffled(rng, breakdowns["dv_homicide_suspects_by_gender"])
    bands = shuffled(rng, breakdowns["dv_homicide_suspects_by_age_band"])
    state.homicide_suspect_bands = dict(zip(homicide_suspects, bands, strict=True))
    state.homicide_suspect_genders = dict(zip(homicide_suspects, genders, strict=True))
    for pid in homicide_suspects:
        persons.at[pid, "gender"] = state.homicide_suspect_genders[pid]
        band = state.homicide_suspect_bands[pid]
        age = age_in_band(rng, band)
        persons.at[pid, "age_t"] = max(age, 19) if band.startswith("0-") else age
        persons.at[pid, "age_ref"] = persons.at[pid, "last"]


def choose_accused_attributes(state: SynthState) -> None:
    """The accused's recorded gender, appearance and age group at their latest
    involvement: exactly the profile's breakdowns (dual-arrest parties, homicide suspects
    and juveniles fixed first)."""
    rng, persons, units = state.rng, state.persons, state.calibrated_victims
    breakdowns = state.profile.breakdowns
    latest = state.involvements.sort_values(["pid", "date", "rec"]).groupby("pid").tail(1) \
        .set_index("pid")
    accused = latest.index.to_numpy()
    fixed_gender = np.full(len(accused), None, dtype=object)
    fixed_ic = np.full(len(accused), None, dtype=object)
    fixed_group = np.full(len(accused), None, dtype=object)
    fixed_group[np.isin(accused, _juvenile_suspects(state))] = "0-17"
    for i, pid in enumerate(accused):
        if pid in state.dual_arrest_persons:
            fixed_gender[i], fixed_ic[i], fixed_group[i] = (
                units.loc[pid, "rec_gender"], units.loc[pid, "rec_ic"], units.loc[pid, "group"])
        if pid in state.homicide_suspects:
            band = state.homicide_suspect_bands[pid]
            fixed_gender[i] = state.homicide_suspect_genders[pid]
            fixed_group[i] = group_of_band(band) if not band.startswith("0-") else "18-29"
    ones = np.ones(len(accused), int)
    gender = assign_marginal(rng, ones, fixed_gender, breakdowns["accused_by_gender"])
    ic = assign_marginal(rng, ones, fixed_ic, breakdowns["accused_by_ethnic_appearance"])
    group = assign_marginal(rng, ones, fixed_group, breakdowns["accused_by_age_group"])
    state.accused = pd.DataFrame({"gender": gender, "ic": ic, "group": group,
                                  "latest_ref": latest.ref.to_numpy("datetime64[D]")},
                                 index=accused)
    persons.loc[accused, "gender"] = np.where(np.isin(gender, ["M", "F"]), gender, "M")
    persons.loc[accused, "ic"] = np.where(ic != "IC0", ic, persons.loc[accused, "ic"])


def draw_accused_ages(state: SynthState) -> None:
    """An age in the accused's group at the latest involvement, adult at the first."""
    rng, persons, accused = state.rng, state.persons, state.accused
    first = persons["first"].reindex(accused.index).to_numpy("datetime64[D]")
    latest_ref = accused.latest_ref.to_numpy("datetime64[D]")
    pids, groups = accused.index.to_numpy(), accused.group.to_numpy()
    fixed = state.dual_arrest_persons | state.homicide_suspects
    todo = (groups != codes.UNRECORDED) & ~np.isin(pids, np.fromiter(fixed, int, len(fixed)))
    bounds = {g: group_bounds(g) for g in np.unique(groups[todo])}
    low = np.array([bounds[g][0] for g in groups[todo]], int)
    high = np.array([bounds[g][1] for g in groups[todo]], int)
    years = np.ceil((latest_ref[todo] - first[todo]).astype(int) / 365.0).astype(int) + 1
    low = np.where(groups[todo] == "0-17", low, np.maximum(low, 18 + years))
    # One draw per accused in order, as a loop of scalar draws would make them.
    persons.loc[pids[todo], "age_t"] = rng.integers(low, np.maximum(low, high) + 1)
    persons.loc[pids[todo], "age_ref"] = latest_ref[todo]


def draw_dates_of_birth(state: SynthState) -> None:
    """A date of birth giving each person exactly their age at their reference date."""
    persons = state.persons
    has = ~persons.no_dob & persons.age_t.notna()
    persons["dob"] = np.datetime64("NaT")
    index = persons.index[has]
    persons.loc[index, "dob"] = dob_for_age(
        state.rng, persons.loc[index, "age_t"].to_numpy(int),
        persons.loc[index, "age_ref"].to_numpy("datetime64[D]"))
