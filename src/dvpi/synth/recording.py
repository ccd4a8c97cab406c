"""Steps 31-40: where people live, their names, what was recorded on each row, the
recording noise, arrests and ids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.boroughs import BOROUGHS, UNIT_LETTERS
from dvpi.synth.calendar import draw_after
from dvpi.synth.draws import age_at
from dvpi.synth.names import ORIGINS
from dvpi.synth.noise import NOISE, apply_name_noise
from dvpi.synth.state import SynthState


def make_suspects_adult(state: SynthState) -> None:
    """Suspects other than juveniles must be adults at every row (couples get older)."""
    persons, suspects = state.persons, state.suspect_rows
    rows = state.people_rows.copy()
    rows["dob"] = persons.dob.reindex(rows.pid).to_numpy("datetime64[D]")
    reference = rows.ref.to_numpy("datetime64[D]")
    juveniles = set(suspects.pid[suspects.juvenile])
    fixed = set(state.accused.index) | state.homicide_suspects | set(state.homicide_victims) \
        | set(state.calibrated_victims.index) | set(state.fm_victims_by_person.index)
    for _ in range(3):
        ages = age_at(rows.dob.to_numpy("datetime64[D]"), reference)
        young = rows[(ages < 18) & rows.dob.notna() & (rows.role == "suspect")
                     & ~rows.pid.isin(juveniles | fixed)]
        if young.empty:
            break
        lift = young.groupby("pid").apply(lambda g: 18 - age_at(
            g.dob.to_numpy("datetime64[D]"), g.ref.to_numpy("datetime64[D]")).min())
        persons.loc[lift.index, "dob"] = persons.loc[lift.index, "dob"] - (lift * 366).astype(
            "timedelta64[D]").to_numpy()
        rows["dob"] = persons.dob.reindex(rows.pid).to_numpy("datetime64[D]")
    state.people_rows = rows


def _first_victims(suspects: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """Each suspect person's first victim (a person index)."""
    first = suspects[suspects.victim.notna() & (suspects.victim >= 0)] \
        .groupby("pid").victim.first()
    return first[first.index.isin(persons.index)]


def choose_boroughs(state: SynthState) -> None:
    """Most suspects share their victim's background (the accused keep the profile's);
    people live where people of their appearance live; suspects with their victim."""
    rng, persons, suspects = state.rng, state.persons, state.suspect_rows
    first_victim = _first_victims(suspects, persons)
    follows = first_victim[~first_victim.index.isin(state.accused.index)
                           & ~first_victim.index.isin(list(state.homicide_suspects))]
    follows = follows[rng.random(len(follows)) < 0.85]
    persons.loc[follows.index, "ic"] = persons.ic.reindex(follows.astype(np.int64)).to_numpy()
    ic = persons.ic.to_numpy()
    weights = np.array([[b.population * b.ic[i] for b in BOROUGHS] for i in range(6)])
    weights = weights / weights.sum(axis=1, keepdims=True)
    borough = np.empty(len(persons), int)
    for i, k in enumerate(codes.POPULATION_ETHNIC_APPEARANCES):
        mask = ic == k
        borough[mask] = rng.choice(len(BOROUGHS), mask.sum(), p=weights[i])
    persons["borough"] = borough
    persons.loc[first_victim.index, "borough"] = persons.borough.reindex(
        first_victim.astype(np.int64)).to_numpy()


def choose_names(state: SynthState) -> None:
    """Origin (by appearance), names and self-defined ethnicity; couples and families
    share surnames, dual-arrest parties always do."""
    rng, persons, suspects = state.rng, state.persons, state.suspect_rows
    ic = persons.ic.to_numpy()
    origin = np.empty(len(persons), int)
    for k in codes.POPULATION_ETHNIC_APPEARANCES:
        candidates = [i for i, o in enumerate(ORIGINS) if o.ic == k]
        weights = np.array([ORIGINS[i].weight for i in candidates])
        mask = ic == k
        origin[mask] = rng.choice(candidates, mask.sum(), p=weights / weights.sum())
    persons["origin"] = origin
    u = rng.random((len(persons), 3))
    forenames = np.empty(len(persons), dtype=object)
    surname = np.empty(len(persons), dtype=object)
    sde = np.empty(len(persons), dtype=object)
    gender = persons.gender.to_numpy()
    for i, o in enumerate(ORIGINS):
        mask = origin == i
        female = mask & (gender == "F")
        male = mask & ~female
        forenames[female] = np.array(o.female, dtype=object)[
            (u[female, 0] * len(o.female)).astype(int)]
        forenames[male] = np.array(o.male, dtype=object)[(u[male, 0] * len(o.male)).astype(int)]
        surname[mask] = np.array(o.surnames, dtype=object)[
            (u[mask, 1] * len(o.surnames)).astype(int)]
        sde[mask] = np.where(u[mask, 2] < 0.8, o.sde[0], o.sde[-1])
    persons["forenames"] = forenames
    persons["surname"] = surname
    persons["sde"] = sde
    share = suspects[(suspects.couple | suspects.juvenile | (suspects.kind == "cross"))
                     & (suspects.victim >= 0)]
    share = share[share.victim.isin(persons.index)]
    same_ic = persons.ic.reindex(share.pid).to_numpy() == persons.ic.reindex(
        share.victim.astype(np.int64)).to_numpy()
    share = share[same_ic | (share.kind == "cross").to_numpy()]
    p_share = np.where(share.kind == "cross", 1.0, np.where(share.juvenile, 0.85, 0.5))
    share = share[rng.random(len(share)) < p_share].drop_duplicates("pid")
    share = share[~share.pid.isin(share.victim)]
    victims = share.victim.astype(np.int64)
    persons.loc[share.pid, "surname"] = persons.surname.reindex(victims).to_numpy()
    persons.loc[share.pid, "origin"] = persons.origin.reindex(victims).to_numpy()


def choose_postcodes(state: SynthState) -> None:
    """A district of the person's borough, a sector digit, a unit; a report belongs to its
    first victim's borough."""
    rng, persons, reports = state.rng, state.persons, state.reports
    districts = np.array([d for b in BOROUGHS for d in b.districts], dtype=object)
    n_districts = np.array([len(b.districts) for b in BOROUGHS])
    offset = np.concatenate([[0], np.cumsum(n_districts)[:-1]])
    borough = persons.borough.to_numpy(int)
    district = districts[offset[borough]
                         + (rng.random(len(persons)) * n_districts[borough]).astype(int)]
    letters = np.array(list(UNIT_LETTERS))
    persons["postcode"] = [f"{d} {s}{a}{b}" for d, s, a, b in zip(
        district, rng.integers(1, 10, len(persons)), rng.choice(letters, len(persons)),
        rng.choice(letters, len(persons)), strict=True)]
    victim_rows = state.victim_rows
    first = victim_rows[victim_rows.vno == 1].drop_duplicates("rid").set_index("rid").pid
    reports["borough_i"] = persons.borough.reindex(first.reindex(reports.rid).to_numpy()) \
        .to_numpy()
    reports["borough"] = [BOROUGHS[int(b)].name for b in reports.borough_i]


def record_values(state: SynthState) -> None:
    """Recorded gender, appearance, self-defined ethnicity and date of birth per row: the
    calibrated rows as planned, others from the person, a few unrecorded."""
    rng, persons, rows, reports = state.rng, state.persons, state.people_rows, state.reports
    n = len(rows)
    gender = persons.gender.reindex(rows.pid).to_numpy().astype(object)
    ic = persons.ic.reindex(rows.pid).to_numpy().astype(object)
    dob = rows.dob.to_numpy("datetime64[D]").copy()
    sde = np.where(rng.random(n) < 0.5, persons.sde.reindex(rows.pid).to_numpy(), None)
    in_period = reports.year.reindex(rows.rid).to_numpy() == "P"
    dv = reports.dv.reindex(rows.rid).to_numpy(bool)
    crime = (reports.cls.reindex(rows.rid) == "crime").to_numpy()
    victim = (rows.role == "victim").to_numpy()
    crime_victims = victim & in_period & dv & crime
    units = state.calibrated_victims.reindex(rows.pid[crime_victims])
    gender[crime_victims] = units.rec_gender.to_numpy()
    ic[crime_victims] = units.rec_ic.to_numpy()
    unknown_age = crime_victims.copy()
    unknown_age[crime_victims] = (units.group == codes.UNRECORDED).to_numpy()
    dob[unknown_age] = np.datetime64("NaT")
    fm_rows = victim & rows.pid.isin(state.fm_victims_by_person.index).to_numpy()
    fm = state.fm_victims_by_person.reindex(rows.pid[fm_rows])
    gender[fm_rows] = fm.gender.to_numpy()
    ic[fm_rows] = fm.ic.to_numpy()
    sde[fm_rows] = fm.sde.where(fm.sde != codes.UNRECORDED, None).to_numpy()
    calibrated = crime_victims | fm_rows
    # Accused: every involvement row at the latest outcome date records the profile values.
    involvements = state.involvements
    last_date = involvements.groupby("pid").date.max()
    top = involvements[involvements.date.to_numpy()
                       == last_date.reindex(involvements.pid).to_numpy()]
    position = pd.Series(np.flatnonzero(rows.srow.to_numpy() >= 0),
                         index=rows.srow[rows.srow >= 0].to_numpy())
    accused_rows = position.reindex(top.srow).to_numpy()
    accused = state.accused.reindex(top.pid)
    gender[accused_rows] = accused.gender.to_numpy()
    ic[accused_rows] = accused.ic.to_numpy()
    dob[accused_rows[(accused.group == codes.UNRECORDED).to_numpy()]] = np.datetime64("NaT")
    calibrated[accused_rows] = True
    calibrated |= (~victim) & rows.pid.isin(state.homicide_suspects).to_numpy()
    free = ~calibrated
    gender[free & (rng.random(n) < 0.01)] = codes.GENDER_DEFAULT
    ic[free & (rng.random(n) < 0.02)] = codes.ETHNIC_APPEARANCE_DEFAULT
    rows["gender"] = gender
    rows["ethnic_appearance"] = ic
    rows["self_defined_ethnicity"] = sde
    rows["date_of_birth"] = dob


def apply_date_of_birth_noise(state: SynthState) -> None:
    """Day and month swapped, or the date of birth missing with the age given: only where
    the age at the report stays the same."""
    rows = state.people_rows
    n = len(rows)
    reference = rows.ref.to_numpy("datetime64[D]")
    dob = rows.date_of_birth.to_numpy("datetime64[D]").copy()
    applied = np.full(n, "", dtype=object)
    ages = age_at(dob, reference)
    has_dob = ~np.isnat(dob)
    u = state.rng.random((n, 2))
    swap = has_dob & (u[:, 0] < NOISE["dob_day_month_swap"])
    year = dob.astype("datetime64[Y]").astype(int) + 1970
    month = dob.astype("datetime64[M]").astype(int) % 12 + 1
    day = (dob - dob.astype("datetime64[M]")).astype(int) + 1
    for i in np.flatnonzero(swap & (day <= 12) & (day != month)):
        swapped = np.datetime64(dt.date(int(year[i]), int(day[i]), int(month[i])))
        if age_at(np.array([swapped]), reference[i:i + 1])[0] == ages[i]:
            dob[i] = swapped
            applied[i] += "dob_day_month_swap;"
    age_only = has_dob & (u[:, 1] < NOISE["dob_missing_age_only"])
    age = np.full(n, None, dtype=object)
    age[age_only] = ages[age_only]
    dob[age_only] = np.datetime64("NaT")
    applied[age_only] += "dob_missing_age_only;"
    rows["date_of_birth"] = dob
    rows["age"] = age
    rows["noise_applied"] = applied


def record_names_and_postcodes(state: SynthState) -> None:
    """Names as the person's, with name noise (never on the dual-arrest parties' rows);
    the home postcode on most rows."""
    rng, persons, rows = state.rng, state.persons, state.people_rows
    rows["surname"] = persons.surname.reindex(rows.pid).to_numpy()
    rows["forenames"] = persons.forenames.reindex(rows.pid).to_numpy()
    postcodes = persons.postcode.reindex(rows.pid).to_numpy().astype(object)
    postcodes[rng.random(len(rows)) < 0.06] = None
    rows["postcode"] = postcodes
    cross = (state.reports.kind.reindex(rows.rid) == "cross").to_numpy()
    rows["noise_applied"] = rows.noise_applied.to_numpy() \
        + apply_name_noise(rows, rng, protected=cross).to_numpy()


def record_arrests(state: SynthState) -> None:
    """Arrest dates on the arrested suspects' rows; only the planned dual-arrest incidents
    meet the 2008 surname method."""
    rng, rows, reports = state.rng, state.people_rows, state.reports
    n = len(rows)
    arrested = np.zeros(n, bool)
    arrested[rows.srow.to_numpy() >= 0] = \
        state.suspect_rows.arrested.to_numpy()[rows.srow[rows.srow >= 0]]
    occurred = reports.occ.reindex(rows.rid).to_numpy("datetime64[D]")
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    dates[arrested] = draw_after(rng, occurred[arrested], "arrest", state.extract_end)
    rows["arrest_date"] = dates
    rows["arrested"] = arrested
    _repair_surname_method(rows, reports)


def _repair_surname_method(rows: pd.DataFrame, reports: pd.DataFrame) -> None:
    """On any DV report other than the planned dual-arrest incidents (of either year)
    with two arrested suspects and a shared surname, the second suspect was not arrested
    after all (the report stays arrested)."""
    dv = reports.dv.reindex(rows.rid).to_numpy(bool)
    normalised = rows.surname.fillna("").str.lower().str.replace(r"\s+", "", regex=True)
    frame = pd.DataFrame({"rid": rows.rid, "norm": normalised, "role": rows.role})
    arrested_suspect = (rows.role == "suspect") & rows.arrested & dv
    per_report = rows.rid[arrested_suspect].value_counts()
    several = set(per_report.index[per_report >= 2]) - set(reports.rid[reports.kind == "cross"])
    named = frame[frame.rid.isin(several) & (frame.norm != "")]
    hit = named[named.role == "victim"].merge(named[named.role == "suspect"], on=["rid", "norm"])
    repaired = rows[arrested_suspect & rows.rid.isin(set(hit.rid))].sort_values(["rid", "srow"])
    drop = repaired.index[repaired.groupby("rid").cumcount() > 0]
    rows.loc[drop, "arrested"] = False
    rows.loc[drop, "arrest_date"] = np.datetime64("NaT")


def assign_report_and_person_ids(state: SynthState) -> None:
    """Report ids (number/year), people rows in report order with their person ids."""
    reports, start_year = state.reports, state.profile.start.year
    year_tag = np.where(reports.year == "P", f"{start_year % 100:02d}",
                        f"{(start_year - 1) % 100:02d}")
    state.report_ids = pd.Series([f"{5000000 + r:07d}/{t}" for r, t in zip(
        reports.rid, year_tag, strict=True)], index=reports.rid)
    rows = state.people_rows.sort_values(["rid", "role", "vno"], ascending=[True, False, True],
                                         kind="stable").reset_index(drop=True)
    rows["person_id"] = [f"P{i + 1:07d}" for i in range(len(rows))]
    state.people_rows = rows


def assign_nominal_ids(state: SynthState) -> None:
    """One nominal id per person, with its noise: missing on some rows, another person's
    on a few persons' rows, a second id on one row of a few persons."""
    rng, persons, rows = state.rng, state.persons, state.people_rows
    order = rng.permutation(len(persons))
    nominal = pd.Series([f"N{30000000 + i * 7 + 3:09d}" for i in order], index=persons.index)
    ids = nominal.reindex(rows.pid).to_numpy().astype(object)
    state.nominal_missing_rows = rng.random(len(rows)) < NOISE["nominal_missing"]
    ids[state.nominal_missing_rows] = None
    k_shared = max(1, round(NOISE["nominal_shared"] * len(persons)))
    owners, borrowers = rng.choice(persons.index.to_numpy(), (2, k_shared), replace=False)
    shared_id = dict(zip(borrowers.tolist(), nominal.reindex(owners).tolist(), strict=True))
    shared = rows.pid.isin(shared_id).to_numpy() & (ids != None)  # noqa: E711
    ids[shared] = rows.pid[shared].map(shared_id).to_numpy()
    state.nominal_shared_rows = shared
    k_second = max(1, round(NOISE["nominal_second"] * len(persons)))
    second = rng.choice(persons.index.to_numpy(), k_second, replace=False)
    first_rows = rows[rows.pid.isin(second)].drop_duplicates("pid").index.to_numpy()
    ids[first_rows] = [f"N{90000000 + i:09d}" for i in range(len(first_rows))]
    state.nominal_second_rows = first_rows
    rows["nominal_id"] = ids
