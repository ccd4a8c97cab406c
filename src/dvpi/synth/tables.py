"""Steps 41-48: every table of the interchange format, and the truth beside it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.boroughs import AGE_SHARE, BOROUGHS, GENDER_SHARE
from dvpi.synth.calendar import draw_after, draw_before
from dvpi.synth.draws import age_at, apportion, weighted_choice
from dvpi.synth.parameters import (
    DASH_FROM,
    DASH_SHARE,
    DASH_YES_RANGE,
    INTIMATE_W,
    NON_DOMESTIC_W,
    RISK_LEVEL_SHARE,
)
from dvpi.synth.profile import Profile
from dvpi.synth.state import SynthState

# The order tables are returned (and written) in.
TABLE_ORDER = ("reports", "people", "relationships", "outcomes", "risk_assessments",
               "cad_calls", "cps_cases", "homicide_reviews", "population", "targets")


def write_people_and_truth(state: SynthState) -> None:
    """The people table and, beside it, who each row truly is and the noise applied."""
    rows = state.people_rows
    state.tables["people"] = pd.DataFrame({
        "person_id": rows.person_id, "report_id": state.report_ids.reindex(rows.rid).to_numpy(),
        "role": rows.role, "nominal_id": rows.nominal_id, "surname": rows.surname,
        "forenames": rows.forenames, "date_of_birth": rows.date_of_birth, "age": rows.age,
        "gender": rows.gender, "ethnic_appearance": rows.ethnic_appearance,
        "self_defined_ethnicity": rows.self_defined_ethnicity, "postcode": rows.postcode,
        "arrest_date": rows.arrest_date,
    })
    labels = rows.noise_applied.to_numpy().copy()
    labels[state.nominal_missing_rows] += "nominal_missing;"
    labels[state.nominal_shared_rows] += "nominal_shared;"
    labels[state.nominal_second_rows] += "nominal_second;"
    state.truth = pd.DataFrame({"person_id": rows.person_id,
                                "true_person_id": [f"T{p:08d}" for p in rows.pid],
                                "noise": [s.rstrip(";") for s in labels]})


def write_relationships(state: SynthState) -> None:
    """A relationship for each victim-suspect pair of a report, chosen from the ages
    (intimate, parent, child ...) and the reason the report has or lacks a pair."""
    rng, reports, rows = state.rng, state.reports, state.people_rows
    victims = rows[rows.role == "victim"][["rid", "pid", "person_id", "vno", "dob", "ref"]]
    suspects = rows[rows.role == "suspect"][["rid", "pid", "person_id", "srow", "dob"]]
    pairs = victims.merge(suspects, on="rid", suffixes=("_v", "_s"))
    pairs = pairs[pairs.pid_v != pairs.pid_s]
    reason = reports.reason.reindex(pairs.rid).to_numpy()
    pairs = pairs[~np.isin(reason, ["relationship_unrecorded", "no_suspect"])]
    reason = reports.reason.reindex(pairs.rid).to_numpy()
    kind = reports.kind.reindex(pairs.rid).to_numpy()
    reference = pairs.ref.to_numpy("datetime64[D]")
    victim_dob = pairs.dob_v.to_numpy("datetime64[D]")
    suspect_dob = pairs.dob_s.to_numpy("datetime64[D]")
    diff = np.where(np.isnat(victim_dob) | np.isnat(suspect_dob), 0,
                    age_at(suspect_dob, reference) - age_at(victim_dob, reference))
    # One draw per couple so the same couple keeps its relationship.
    key = (pairs.pid_v.to_numpy() * 7919 + pairs.pid_s.to_numpy()) % 1000003
    r = (key * 2654435761 % 2**32) / 2**32
    cumulative = np.cumsum(list(INTIMATE_W.values()))
    code = np.array(list(INTIMATE_W))[np.searchsorted(cumulative / cumulative[-1], r)] \
        .astype(object)
    code[(np.abs(diff) < 16) & (r < 0.06)] = "sibling"
    code[diff >= 16] = np.where(r[diff >= 16] < 0.8, "parent", "parent_in_law")
    code[diff <= -16] = np.where(r[diff <= -16] < 0.8, "child", "child_in_law")
    code[reason == "juvenile_suspect"] = "child"
    code[reason == "extended_family"] = "extended_family"
    non_domestic = reason == "non_domestic"
    code[non_domestic] = weighted_choice(rng, NON_DOMESTIC_W, non_domestic.sum())
    fm = np.isin(kind, ["fm_adult", "fm_child", "fm_ndv"])
    code[fm] = np.where(r[fm] < 0.8, "parent", "sibling")
    second_victim = pairs.vno.to_numpy() == 2
    code[second_victim & (kind == "two_victim")] = "parent"
    cross = kind == "cross"
    code[cross] = np.where(r[cross] < 0.5, "spouse", "partner")
    # Second suspects: a friend of the main suspect.
    main_row = rows[rows.role == "suspect"].groupby("rid").srow.min()
    second_suspect = pairs.srow.to_numpy() != main_row.reindex(pairs.rid).to_numpy()
    code[second_suspect & ~cross] = "acquaintance"
    # Second victims are related to the main suspect only.
    keep = ~(second_suspect & second_victim)
    state.tables["relationships"] = pd.DataFrame({
        "report_id": state.report_ids.reindex(pairs.rid[keep]).to_numpy(),
        "victim_person_id": pairs.person_id_v[keep],
        "suspect_person_id": pairs.person_id_s[keep], "relationship": code[keep]})


def _hour_weights() -> np.ndarray:
    hour = np.arange(24)
    w = 1 + 1.6 * np.exp(-((hour - 22) % 24) ** 2 / 18) \
        + 0.8 * np.exp(-((hour - 2) % 24) ** 2 / 6)
    return w / w.sum()


def write_calls_and_reports(state: SynthState) -> None:
    """CAD calls (85% of reports raised from one, with an evening peak; more DV calls
    that raise no report) and the reports table with their call references."""
    rng, reports, report_ids = state.rng, state.reports, state.report_ids
    n = len(reports)
    has = rng.random(n) < 0.85
    hours = rng.choice(24, n, p=_hour_weights())
    minutes = rng.integers(0, 60, n)
    occurred = reports.occ.to_numpy("datetime64[D]").astype("datetime64[m]")
    at = np.maximum(occurred + (hours * 60 + minutes).astype("timedelta64[m]"), occurred)
    ids = np.array([f"CAD{i:08d}" for i in range(n)], dtype=object)
    reports["cad_ref"] = np.where(has, ids, None)
    dv_related = np.where(reports.dv, rng.random(n) < 0.97, rng.random(n) < 0.3)
    calls = pd.DataFrame({"call_id": ids[has], "borough": reports.borough.to_numpy()[has],
                          "received_at": at[has], "dv_related": dv_related[has],
                          "report_id": report_ids.to_numpy()[has]})
    # Calls closed as DV that raised no report.
    k = round(0.45 * reports.dv.sum())
    source = rng.choice(n, k)
    extra = pd.DataFrame({
        "call_id": [f"CAD{n + i:08d}" for i in range(k)],
        "borough": reports.borough.to_numpy()[source],
        "received_at": reports.rec.to_numpy("datetime64[D]")[source].astype("datetime64[m]")
        + rng.integers(0, 1440, k).astype("timedelta64[m]"),
        "dv_related": True, "report_id": None})
    state.tables["cad_calls"] = pd.concat([calls, extra], ignore_index=True) \
        .sort_values("received_at", kind="stable")
    state.tables["reports"] = pd.DataFrame({
        "report_id": report_ids.to_numpy(), "borough": reports.borough.to_numpy(),
        "recorded_date": reports.rec.to_numpy(),
        "occurred_date": np.where(reports.occ_blank, np.datetime64("NaT"), reports.occ),
        "classification": reports.cls.to_numpy(), "offence": reports.offence.to_numpy(),
        "dv_flag": reports.dv.to_numpy(), "fm_flag": reports.fm.to_numpy(),
        "hbv_flag": reports.hbv.to_numpy(), "cad_ref": reports.cad_ref.to_numpy(),
    })


def write_outcomes(state: SynthState) -> None:
    outcomes, rows = state.outcomes, state.people_rows
    suspect = rows.srow >= 0
    person_of_suspect_row = pd.Series(rows.person_id.to_numpy()[suspect],
                                      index=rows.srow[suspect].to_numpy())
    state.tables["outcomes"] = pd.DataFrame({
        "report_id": state.report_ids.reindex(outcomes.rid).to_numpy(),
        "person_id": np.where(outcomes.named,
                              person_of_suspect_row.reindex(outcomes.srow).to_numpy(), None),
        "outcome_type": outcomes.type.to_numpy(), "outcome_date": outcomes.date.to_numpy(),
    }).sort_values(["report_id", "outcome_date"], kind="stable")


def _assessed_reports(state: SynthState) -> np.ndarray:
    """Book 124D compliance: exact force-wide and in the best borough; others spread."""
    rng, reports, profile = state.rng, state.reports, state.profile
    in_period = reports[(reports.year == "P") & reports.dv]
    want = round(profile.rates.get("risk_assessment_compliance") * len(in_period))
    best, best_rate = profile.compliance_best
    per_borough = in_period.groupby("borough").size()
    take = {}
    if best in per_borough.index:
        take[best] = round(best_rate * per_borough[best])
    others = [b for b in per_borough.index if b != best]
    factor = rng.uniform(0.55, 0.92, len(others))
    rest = want - sum(take.values())
    caps = per_borough[others].to_numpy()
    allocated = apportion(rest, dict(zip(others, caps * factor, strict=True)))
    for b, cap in zip(others, caps, strict=True):
        allocated[b] = min(allocated[b], int(cap))
    short = rest - sum(allocated.values())
    for b, cap in zip(others, caps, strict=True):
        add = min(short, int(cap) - allocated[b])
        allocated[b] += add
        short -= add
    take.update(allocated)
    chosen = [rng.choice(in_period.index[in_period.borough == b].to_numpy(), k, replace=False)
              for b, k in take.items()]
    # The year before at the year's force-wide rate.
    previous = reports[(reports.year != "P") & reports.dv]
    chosen.append(previous.index.to_numpy()[rng.random(len(previous)) < want / len(in_period)])
    return np.concatenate(chosen)


def write_risk_assessments(state: SynthState) -> None:
    """SPECSS+ mostly; DASH on 30% from January 2008 (Y answers consistent with the level);
    secondary assessments on 40% of medium and high (the CSU's review, on office days)."""
    rng, reports = state.rng, state.reports
    assessed = _assessed_reports(state)
    n = len(assessed)
    level = weighted_choice(rng, RISK_LEVEL_SHARE, n)
    recorded = reports.rec.to_numpy("datetime64[D]")[assessed]
    date = draw_after(rng, recorded, "risk_assessment")
    dash = (recorded >= np.datetime64(DASH_FROM, "D")) & (rng.random(n) < DASH_SHARE)
    tool = np.where(dash, "dash", np.where(rng.random(n) < 0.03, "other", "specss"))
    answers = np.full(n, None, dtype=object)
    for i in np.flatnonzero(dash):
        low, high = DASH_YES_RANGE[level[i]]
        yes = int(rng.integers(low, high + 1))
        unknown = int(rng.integers(0, min(4, 27 - yes) + 1))
        chars = np.array(["Y"] * yes + ["?"] * unknown + ["N"] * (27 - yes - unknown))
        rng.shuffle(chars)
        answers[i] = "".join(chars)
    first = pd.DataFrame({"report_id": state.report_ids.to_numpy()[assessed],
                          "assessed_date": date, "tool": tool, "risk_level": level,
                          "dash_answers": answers, "quality_assured": rng.random(n) < 0.6})
    # Secondary assessments for medium and high risk (SOP: CSU reviews them).
    second = first[(first.risk_level != "standard") & (rng.random(n) < 0.4)].copy()
    second["assessed_date"] = draw_after(rng, second.assessed_date.to_numpy("datetime64[D]"),
                                         "risk_review", state.extract_end)
    second["tool"] = "specss"
    second["dash_answers"] = None
    second["quality_assured"] = True
    state.tables["risk_assessments"] = pd.concat([first, second], ignore_index=True)


def write_cps_cases(state: SynthState) -> None:
    """A referral for every charge (a day or two before it) and its first hearing (the
    next day in custody, else weeks later, on court days): exactly the profile's
    DV-flagged prosecutions begin in the year, chosen among the charges whose hearing
    falls in it, other years' at the same rate; the rest prosecuted without the CPS's DV
    flag or not (yet). NFA and caution-advised referrals on arrested, uncharged crimes."""
    rng, reports, outcomes, report_ids = state.rng, state.reports, state.outcomes, \
        state.report_ids
    first, last = state.period_days
    charged = outcomes[(outcomes.type == 1) & reports.dv.reindex(outcomes.rid).to_numpy(bool)] \
        .drop_duplicates("rid")
    n = len(charged)
    charge_date = charged.date.to_numpy("datetime64[D]")
    referred = draw_before(rng, charge_date, "cps_referral")
    hearing = draw_after(rng, charge_date, "first_hearing")
    in_period = (hearing >= first) & (hearing <= last)
    target = state.profile.counts["cps_dv_prosecutions"]
    if in_period.sum() < target:
        raise RuntimeError("too few charges for the CPS prosecutions")
    keep = np.zeros(n, bool)
    keep[rng.choice(np.flatnonzero(in_period), target, replace=False)] = True
    keep |= ~in_period & (rng.random(n) < target / in_period.sum())
    prosecuted = (keep | (rng.random(n) < 0.5)) & (hearing <= state.extract_end)
    outcome = np.where(prosecuted, weighted_choice(
        rng, {"convicted": 70, "acquitted": 12, "discontinued": 15, "": 3}, n), "")
    cases = pd.DataFrame({
        "report_id": report_ids.reindex(charged.rid).to_numpy(),
        "borough": reports.borough.reindex(charged.rid).to_numpy(),
        "dv_flagged": keep | (~prosecuted & (rng.random(n) < 0.9)), "referred_date": referred,
        "decision": "charge",
        "prosecution_date": np.where(prosecuted, hearing, np.datetime64("NaT")),
        "outcome": np.where(outcome == "", None, outcome)})
    # Referrals without a charge: no further action, or a caution advised.
    arrested = reports[reports.dv & (reports.cls == "crime") & reports.arrested
                       & ~reports.rid.isin(charged.rid)]
    referrals = arrested.sample(frac=0.12, random_state=int(rng.integers(1 << 30)))
    k = len(referrals)
    more = pd.DataFrame({
        "report_id": report_ids.reindex(referrals.rid).to_numpy(),
        "borough": referrals.borough.to_numpy(), "dv_flagged": rng.random(k) < 0.9,
        "referred_date": draw_after(rng, referrals.rec.to_numpy("datetime64[D]"), "cps_advice",
                                    state.extract_end),
        "decision": weighted_choice(
            rng, {"no_further_action": 75, "caution_advised": 20, "other": 5}, k),
        "prosecution_date": np.datetime64("NaT"), "outcome": None})
    cps = pd.concat([cases, more.astype({"prosecution_date": "datetime64[s]",
                                         "outcome": object})], ignore_index=True)
    cps.loc[rng.random(len(cps)) < 0.05, "report_id"] = None
    cps.insert(0, "cps_urn", [f"01MP{700000 + i:07d}" for i in range(len(cps))])
    state.tables["cps_cases"] = cps


def write_homicide_reviews(state: SynthState) -> None:
    """Domestic homicide reviews, started weeks after the homicide and completed months
    later (not yet, after the extract date): exactly the profile's started in the year
    (the year's homicides' reviews, started by its end), the year before's homicides'
    started in that year."""
    rng, report_ids, reports = state.rng, state.report_ids, state.reports
    first, last = state.period_days
    homicides = reports[reports.kind == "homicide"]
    recorded = homicides.rec.to_numpy("datetime64[D]")
    year = (homicides.year == "P").to_numpy()
    start = np.empty(len(homicides), dtype="datetime64[D]")
    start[year] = draw_after(rng, recorded[year], "review_start", last)
    start[~year] = draw_after(rng, recorded[~year], "review_start", first - 1)
    done = draw_after(rng, start, "review_completion")
    state.tables["homicide_reviews"] = pd.DataFrame({
        "review_id": [f"DHR-{i + 1:03d}" for i in range(len(homicides))],
        "report_id": report_ids.reindex(homicides.rid).to_numpy(),
        "started_date": start,
        "completed_date": np.where(done <= state.extract_end, done, np.datetime64("NaT"))})


def write_reference_tables(state: SynthState) -> None:
    """Population and targets; then every table in the contract's order."""
    state.tables["population"] = population_table()
    state.tables["targets"] = targets_table(state.profile)
    state.tables = {name: state.tables[name] for name in TABLE_ORDER}


def population_table() -> pd.DataFrame:
    rows = []
    for b in BOROUGHS:
        total = b.population * 1000
        ic = dict(zip(codes.POPULATION_ETHNIC_APPEARANCES, b.ic, strict=True))
        for gender, gender_share in GENDER_SHARE.items():
            for age, age_share in AGE_SHARE.items():
                cell = apportion(round(total * gender_share * age_share), ic)
                for k, v in cell.items():
                    rows.append((b.name, gender, age, k, v))
    return pd.DataFrame(rows, columns=["borough", "gender", "age_band", "ethnic_appearance",
                                       "population"])


def targets_table(profile: Profile) -> pd.DataFrame:
    rows = []
    for indicator, by_year in profile.targets.items():
        for label, value in by_year.items():
            year = int(label[:4])
            rows.append((indicator, codes.FORCE_WIDE_BOROUGH, dt.date(year, 4, 1),
                         dt.date(year + 1, 3, 31), value, codes.TARGET_DIRECTION_DEFAULT))
    return pd.DataFrame(rows, columns=["indicator", "borough", "period_start", "period_end",
                                       "target", "direction"])
