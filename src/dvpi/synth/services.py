"""Version-2 steps, part 3: MARAC cases, support referrals (IDVA, ISVA, Victim Support,
refuge), victim satisfaction surveys (paras 45, 81, 92, 93); then the tables in order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.synth.state import SynthState
from dvpi.synth.v2_inputs import (
    V2_TABLE_ORDER,
    between_years,
    by_year,
    calendar_dates,
    calendar_years,
    choose,
    date_column,
    extract_day,
    ids,
    nullable_bool,
)
from dvpi.synth.v2_parameters import (
    DISSATISFIED_SPLIT,
    ELEMENT_ANSWERED,
    ENGAGED,
    ENGAGEMENT_UNRECORDED,
    IDVA_AFTER_MARAC,
    IDVA_HIGH_RISK_NO_MARAC,
    ISVA_SEXUAL_OFFENCE_VICTIMS,
    MARAC_CHILDREN,
    MARAC_DISABLED,
    MARAC_ESCALATION,
    MARAC_LGBT,
    MARAC_MALE_FACTOR,
    MARAC_MEETING_EVERY_DAYS,
    MARAC_PARTNER_AGENCIES,
    MARAC_PARTNER_CRITERIA,
    MARAC_PARTNER_SHARE,
    MARAC_POLICE_REFERRAL,
    MARAC_RECORDED,
    MARAC_REPEAT_SHARE,
    OTHER_SERVICE,
    REFUGE,
    SATISFACTION_BME_GAP,
    SATISFIED,
    SATISFIED_SPLIT,
    SURVEY_SAMPLE,
    VICTIM_SUPPORT_CRIME_VICTIMS,
)
from dvpi.synth.v2_timing import ONE_DAY, draw_dates, draw_days, in_force, next_meeting

NAT = np.datetime64("NaT")
WHITE = ("W1", "W2", "W9")
ELEMENTS = ("ease_of_contact", "actions_taken", "kept_informed", "treatment")
# MARACs' first meetings: a weekday in January 2006, different per borough.
_FIRST_MONDAY = np.datetime64("2006-01-02")


def _conference(state: SynthState, boroughs: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The borough's next MARAC on or after ``after`` (monthly, fortnightly from 2011)."""
    names = sorted(set(state.tables["reports"].borough))
    index = pd.Series(range(len(names)), index=names).reindex(boroughs).to_numpy()
    first = _FIRST_MONDAY + (7 * (index % 4) + index % 5) * ONE_DAY
    every = by_year(MARAC_MEETING_EVERY_DAYS, calendar_years(state, after)).astype(np.int64)
    return next_meeting(after, first, every)


def _escalating(victims: pd.DataFrame) -> np.ndarray:
    """Victim rows with at least three DV reports (this one included) of the same person
    in the 12 months to this one."""
    left = victims[["pid", "recorded"]].reset_index().rename(columns={"index": "row"})
    pairs = left.merge(victims[["pid", "recorded"]], on="pid", suffixes=("", "_other"))
    days = (pairs.recorded - pairs.recorded_other).dt.days
    counts = pairs[(days >= 0) & (days <= 365)].groupby("row").size()
    return counts.reindex(left.row).fillna(0).to_numpy() >= 3


def _police_cases(state: SynthState) -> pd.DataFrame:
    """High-risk DV victims (16 or over) police referred to the MARAC, fewer men, more
    as MARACs spread; medium-risk victims of escalating abuse."""
    rng, people = state.v2_rng, state.v2_people
    victims = people[(people.role == "victim") & people.dv & (people.level != "")
                     & ~(people.age < 16)].drop_duplicates("report_id").reset_index(drop=True)
    assessed = victims.assessed.to_numpy("datetime64[D]")
    male = np.where(victims.gender.to_numpy() == "M", MARAC_MALE_FACTOR, 1.0)
    p = by_year(MARAC_POLICE_REFERRAL, calendar_years(state, assessed)) * male
    high = victims.level.to_numpy() == "high"
    escalation = (victims.level.to_numpy() == "medium") & _escalating(victims) \
        & (rng.random(len(victims)) < MARAC_ESCALATION * male)
    referred = (high & (rng.random(len(victims)) < p)) | escalation
    cases = victims[referred].copy()
    cases["referral_date"] = draw_dates(rng, assessed[referred], "marac_referral")
    cases["criterion"] = np.where(escalation[referred], "potential_escalation",
                                  np.where(cases.dash_high, "visible_high_risk",
                                           "professional_judgement"))
    cases["referring_agency"] = "police"
    cases["victim_person_id"] = cases.person_id
    return cases


def _partner_and_repeat_cases(state: SynthState, police: pd.DataFrame,
                              next_ref: int) -> pd.DataFrame:
    """Cases referred by other agencies (victims like the police's, new to the data,
    their refs from ``next_ref`` on) and repeat referrals of earlier victims, in the
    shares of their years."""
    rng = state.v2_rng
    years = calendar_years(state, police.conference_date.to_numpy("datetime64[D]"))
    share = float(np.mean(between_years(MARAC_PARTNER_SHARE, years))) if len(years) else 0
    repeat = float(np.mean(between_years(MARAC_REPEAT_SHARE, years))) if len(years) else 0
    heard = police.conference_date.to_numpy("datetime64[D]") <= extract_day(state)
    total = heard.sum() / (1 - share)
    natural = int(police.duplicated("victim_ref").sum())
    n_repeat = max(0, round(repeat * total - natural))
    n_partner = max(0, round(share * total) - n_repeat)
    like = police.iloc[rng.integers(0, len(police), n_partner)] if len(police) else police
    partner = like.assign(victim_ref=ids("MV", n_partner, next_ref), victim_person_id=None,
                          referring_agency=choose(rng, MARAC_PARTNER_AGENCIES, n_partner),
                          criterion=choose(rng, MARAC_PARTNER_CRITERIA, n_partner))
    partner["referral_date"] = partner.conference_date.to_numpy("datetime64[D]") \
        - draw_days(rng, "marac_referral", n_partner) - 3 * ONE_DAY
    earlier = pd.concat([police, partner], ignore_index=True)
    # A repeat of a case near the extract comes sooner (else it would not be in the data).
    last = extract_day(state) - 35 * ONE_DAY  # the last referral heard by the extract
    earlier = earlier[earlier.conference_date.to_numpy("datetime64[D]") + 14 * ONE_DAY <= last]
    base = earlier.iloc[rng.integers(0, len(earlier), n_repeat)] if len(earlier) else earlier
    held = base.conference_date.to_numpy("datetime64[D]")
    referral = draw_dates(rng, held, "marac_repeat")
    room = (last - held).astype(np.int64)
    sooner = held + (14 + (rng.random(len(base)) * (room - 13)).astype(np.int64)) * ONE_DAY
    referral = np.where(referral > last, sooner, referral)
    repeats = base.assign(victim_person_id=None, referral_date=referral,
                          referring_agency=choose(rng, MARAC_PARTNER_AGENCIES, n_repeat),
                          criterion=choose(rng, MARAC_PARTNER_CRITERIA, n_repeat))
    repeats["conference_date"] = _conference(state, repeats.borough.to_numpy(),
                                             referral + 3 * ONE_DAY)
    return pd.concat([partner, repeats], ignore_index=True)


def write_marac_cases(state: SynthState) -> None:
    """MARAC cases: police referrals of high-risk victims, partner-agency referrals and
    repeat cases, heard at the borough's next conference; victims described as the
    SafeLives dataset does (gender, age, ethnicity, LGBT+, disability, children)."""
    rng = state.v2_rng
    police = _police_cases(state)
    refs = pd.Series(rng.permutation(len(set(police.pid))), index=sorted(set(police.pid)))
    police["victim_ref"] = [f"MV{r + 1:07d}" for r in refs.reindex(police.pid)]
    police["conference_date"] = _conference(
        state, police.borough.to_numpy(), police.referral_date.to_numpy("datetime64[D]")
        + 3 * ONE_DAY)
    others = _partner_and_repeat_cases(state, police, len(refs) + 1)
    cases = pd.concat([police, others], ignore_index=True)
    cases = cases[cases.conference_date.to_numpy("datetime64[D]") <= extract_day(state)]
    cases = cases.sort_values("conference_date", kind="stable").reset_index(drop=True)
    n = len(cases)
    # A victim is LGBT+ or disabled (or not) at every case; what is recorded varies.
    victims = pd.Index(sorted(set(cases.victim_ref)))
    lgbt = pd.Series(rng.random(len(victims)) < MARAC_LGBT, index=victims)
    disabled = pd.Series(rng.random(len(victims)) < MARAC_DISABLED, index=victims)
    recorded = rng.random((3, n)) < MARAC_RECORDED
    children = choose(rng, MARAC_CHILDREN, n).astype(float)
    age = cases.age.to_numpy(float)
    state.tables["marac_cases"] = pd.DataFrame({
        "case_id": ids("MC", n), "borough": cases.borough.to_numpy(),
        "conference_date": date_column(cases.conference_date.to_numpy()),
        "victim_ref": cases.victim_ref.to_numpy(),
        "victim_person_id": cases.victim_person_id.to_numpy(),
        "referral_date": date_column(cases.referral_date.to_numpy()),
        "referring_agency": cases.referring_agency.to_numpy(),
        "criterion": cases.criterion.to_numpy(), "victim_gender": cases.gender.to_numpy(),
        "victim_age": pd.array(np.where(np.isnan(age), None, age), dtype="Int64"),
        "victim_self_defined_ethnicity": cases.sde.to_numpy(),
        "victim_lgbt": nullable_bool(lgbt.reindex(cases.victim_ref).to_numpy(), recorded[0]),
        "victim_disabled": nullable_bool(disabled.reindex(cases.victim_ref).to_numpy(),
                                         recorded[1]),
        "children_in_household": pd.array(np.where(recorded[2], children, None),
                                          dtype="Int64")})


def _referrals(state: SynthState, rows: pd.DataFrame, service: str, p: np.ndarray,
               after: np.ndarray) -> pd.DataFrame:
    rng = state.v2_rng
    take = rng.random(len(rows)) < p
    n = int(take.sum())
    engaged = rng.random(n) < ENGAGED[service]
    return pd.DataFrame({
        "person_id": rows.person_id.to_numpy()[take], "service": service,
        "referral_date": draw_dates(rng, after[take], "support_referral"),
        "engaged": nullable_bool(engaged, rng.random(n) >= ENGAGEMENT_UNRECORDED)})


def write_support_referrals(state: SynthState) -> None:
    """IDVA referrals for MARAC victims and some other high-risk victims; Victim Support
    for DV crime victims; ISVAs after sexual offences; refuges for some at high or medium
    risk; a few other services."""
    people = state.v2_people
    victims = people[(people.role == "victim") & people.dv].reset_index(drop=True)
    recorded = victims.recorded.to_numpy("datetime64[D]")
    assessed = victims.assessed.to_numpy("datetime64[D]")
    assessed = np.where(np.isnat(assessed), recorded, assessed)
    marac = state.tables["marac_cases"]
    referred = marac.dropna(subset=["victim_person_id"]).drop_duplicates("victim_person_id") \
        .set_index("victim_person_id").referral_date
    marac_day = referred.reindex(victims.person_id).to_numpy("datetime64[D]")
    at_marac = ~np.isnat(marac_day)
    level = victims.level.to_numpy()
    no_marac = by_year(IDVA_HIGH_RISK_NO_MARAC, calendar_years(state, assessed))
    idva = np.where(at_marac, IDVA_AFTER_MARAC, np.where(level == "high", no_marac, 0.0))
    adult_crime = victims.crime.to_numpy() & ~(victims.age.to_numpy(float) < 16)
    sexual = victims.offence.isin(["rape", "other_sexual_offence"]).to_numpy()
    parts = [
        _referrals(state, victims, "idva", idva, np.where(at_marac, marac_day, assessed)),
        _referrals(state, victims, "victim_support",
                   np.where(adult_crime, VICTIM_SUPPORT_CRIME_VICTIMS, 0.0), recorded),
        _referrals(state, victims, "isva",
                   np.where(sexual, ISVA_SEXUAL_OFFENCE_VICTIMS, 0.0), recorded),
        _referrals(state, victims, "refuge",
                   pd.Series(level).map(REFUGE).fillna(0.0).to_numpy(), assessed),
        _referrals(state, victims, "other", np.full(len(victims), OTHER_SERVICE), recorded)]
    table = pd.concat(parts, ignore_index=True)
    table = table[table.referral_date.to_numpy("datetime64[D]") <= extract_day(state)]
    table = table.sort_values("referral_date", kind="stable").reset_index(drop=True)
    table.insert(0, "referral_id", ids("SR", len(table)))
    table["referral_date"] = date_column(table.referral_date.to_numpy())
    state.tables["support_referrals"] = table


def _scale(rng: np.random.Generator, satisfied: np.ndarray) -> np.ndarray:
    good = choose(rng, SATISFIED_SPLIT, len(satisfied))
    bad = choose(rng, DISSATISFIED_SPLIT, len(satisfied))
    return np.where(satisfied, good, bad)


def write_victim_surveys(state: SynthState) -> None:
    """Satisfaction interviews with a sample of adult DV crime victims 6-12 weeks after
    the report (a larger sample once the Home Office made it mandatory, April 2017):
    overall and the four elements, correlated, white victims a little more satisfied."""
    rng, people = state.v2_rng, state.v2_people
    victims = people[(people.role == "victim") & people.dv & people.crime
                     & (people.age >= 18)].reset_index(drop=True)
    interview = draw_dates(rng, victims.recorded.to_numpy("datetime64[D]"), "survey_interview")
    mandatory = in_force("mandatory_dv_survey", calendar_dates(state, interview))
    p = np.where(mandatory, SURVEY_SAMPLE["from_2017"], SURVEY_SAMPLE["before_2017"])
    take = (rng.random(len(victims)) < p) & (interview <= extract_day(state))
    victims, interview = victims[take], interview[take]
    n = len(victims)
    sde = victims.sde.fillna("").to_numpy()
    known = (sde != "") & ~np.isin(sde, ["NS", "NU"])
    white = np.isin(sde, WHITE)
    shift = np.where(known, np.where(white, SATISFACTION_BME_GAP / 2,
                                     -SATISFACTION_BME_GAP / 2), 0.0)
    base = SATISFIED["overall"]
    overall = rng.random(n) < base + shift
    table = pd.DataFrame({"person_id": victims.person_id.to_numpy(),
                          "interview_date": date_column(interview),
                          "overall": _scale(rng, overall)})
    for element in ELEMENTS:
        # Correlated with overall, with the element's own average kept.
        level = SATISFIED[element]
        k = 0.9 * min(level, 1 - level) / max(base, 1 - base)
        p_element = np.where(overall, level + (1 - base) * k, level - base * k)
        answer = _scale(rng, rng.random(n) < p_element)
        table[element] = np.where(rng.random(n) < ELEMENT_ANSWERED, answer, None)
    table = table.sort_values("interview_date", kind="stable").reset_index(drop=True)
    table.insert(0, "survey_id", ids("VS", n))
    state.tables["victim_surveys"] = table


def order_version_2_tables(state: SynthState) -> None:
    """Every table in the order it is written: the version-1 tables (as they were), then
    the new ones."""
    first = {name: table for name, table in state.tables.items() if name not in V2_TABLE_ORDER}
    state.tables = {**first, **{name: state.tables[name] for name in V2_TABLE_ORDER}}
