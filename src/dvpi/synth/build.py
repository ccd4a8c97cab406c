"""The London planner and renderer: exact counts first, then names, dates and noise.

The plan is built person-first. The adult victims of the calibrated year are persons of
six kinds (see :func:`_victim_persons`) whose numbers of victim rows in the year's DV crimes
and non-crimes and in the year before make every distinct-person figure exact; every other
report, row and outcome is then laid out around them with exact counts where the profile
names a figure, and plausible rates where it does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.calendar import draw_days
from dvpi.synth.profile import Profile, largest_remainder

# Plan parameters: shares the report does not give (documented in docs/synthetic-data.md).
PLAN = {
    "cross_crime_share": 0.7,        # dual-arrest incidents that are crimes
    "t1_three_share": 0.05,          # of victims with several crimes in the year, three
    "offence_single_incident_repeat": 0.55,
    "adult_nc_share": 0.93,          # victim rows of DV non-crimes that are adults
    "unflagged_q_crimes": 0.125,     # of SPI8a offences, reports without the DV flag
    "dv_q_noncrimes": 0.93,          # of SPI8a non-crime incidents, DV-flagged
    "unflagged_extra": 0.04,         # unflagged non-domestic / extended-family reports
    "previous_year_volume": 0.97,
    "previous_detected_in_period": 0.11,  # of detections: crimes of the year before
    "detected_after_period": 0.08,
    "second_suspect": 0.03,
    "unflagged_q_crime_arrest": 0.45,
    "unflagged_q_nc_arrest": 0.04,
}
NONQ_REASONS = {"juvenile_suspect": 0.2, "extended_family": 0.25, "non_domestic": 0.2,
                "relationship_unrecorded": 0.15, "no_suspect": 0.2}
EXTRACT_END = dt.date(2008, 6, 30)
INTIMATE_W = {"partner": 30, "spouse": 20, "ex_partner": 25, "cohabitee": 10,
              "ex_spouse": 7, "ex_cohabitee": 5, "civil_partner": 1}
NON_DOMESTIC_W = {"acquaintance": 40, "neighbour": 20, "other": 20, "unknown": 15,
                  "stranger": 5}


def age_at(dob: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Whole years (precise rule 7: a year older on the birthday; 29 Feb -> 1 March)."""
    dy = dob.astype("datetime64[Y]").astype(int)
    ry = ref.astype("datetime64[Y]").astype(int)
    dmd = _month_day(dob)
    rmd = _month_day(ref)
    return ry - dy - (rmd < dmd)


def _month_day(d: np.ndarray) -> np.ndarray:
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return m * 100 + day


def dob_for_age(rng: np.random.Generator, ages: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """A date of birth giving exactly ``ages`` at ``ref``."""
    dob = ref - (np.round(ages * 365.25).astype(int) + rng.integers(1, 365, len(ages)))
    dob = dob.astype("datetime64[D]")
    for _ in range(4):
        diff = age_at(dob, ref) - ages
        if not diff.any():
            break
        dob = dob + (diff * 200).astype("timedelta64[D]")
    bad = age_at(dob, ref) != ages
    while bad.any():
        dob[bad] = dob[bad] + np.where(age_at(dob[bad], ref[bad]) > ages[bad], 1, -1)
        bad = age_at(dob, ref) != ages
    return dob


@dataclass
class Built:
    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    return largest_remainder(int(total), weights)


def _shuffled(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    arr = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    rng.shuffle(arr)
    return arr


def _assign_marginal(rng, weights: np.ndarray, fixed: np.ndarray, counts: dict[str, int]):
    """Give each unit a value; a unit of weight w takes w rows of the marginal. Units with
    a fixed value keep it. The marginal (rows) is met exactly."""
    out = fixed.copy()
    rem = dict(counts)
    for v, w in zip(fixed, weights, strict=True):
        if v is not None:
            rem[v] -= int(w)
    free = np.array([v is None for v in fixed])
    for w in sorted(set(weights[free & (weights > 1)].tolist()), reverse=True):
        idx = np.flatnonzero(free & (weights == w))
        avail = {k: max(0, r) // w for k, r in rem.items()}
        share = _apportion(len(idx), {k: rem[k] * 1.0 for k in rem if avail[k] > 0})
        # Cap by availability; move overflow elsewhere.
        over = 0
        for k in share:
            if share[k] > avail[k]:
                over += share[k] - avail[k]
                share[k] = avail[k]
        for k in sorted(share, key=lambda k: avail[k] - share[k], reverse=True):
            take = min(over, avail[k] - share[k])
            share[k] += take
            over -= take
        vals = _shuffled(rng, share)
        out[idx] = vals
        for k, c in share.items():
            rem[k] -= c * w
        free[idx] = False
    idx = np.flatnonzero(free)
    if any(r < 0 for r in rem.values()) or sum(rem.values()) != len(idx):
        raise RuntimeError(f"marginal cannot be met: {rem} for {len(idx)} units")
    out[idx] = _shuffled(rng, rem)
    return out


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def take(self, k: int) -> np.ndarray:
        out = np.arange(self.n, self.n + k)
        self.n += k
        return out


def build_london(prof: Profile, seed: int) -> Built:
    rng = np.random.default_rng(seed)
    c, br = prof.counts, prof.breakdowns
    P0, P1 = prof.start, prof.end
    L0 = dt.date(P0.year - 1, 4, 1)
    L1 = P0 - dt.timedelta(days=1)
    persons = _Ids()

    # ---------------------------------------------------------------- victim persons
    age_b = br["dv_crime_victims_by_age_group"]
    adult_groups = [b.label for b in codes.AGE_GROUPS if b.low >= codes.ADULT_AGE]
    adult_rows = sum(age_b[g] for g in adult_groups)
    A_o, R_o = c["adult_victims_offences"], c["adult_victims_offences_repeat"]
    A_i, R_i = c["adult_victims_incidents"], c["adult_victims_incidents_repeat"]
    dual = c["dual_arrest_incidents_surname_method"]
    n_cross_c = round(dual * PLAN["cross_crime_share"])
    # Crimes with two victim rows: the dual-arrest crimes and the others (a child too).
    two_rows = sum(age_b.values()) - c["dv_crimes"]
    n_cross_c = min(n_cross_c, two_rows)
    n_cross_n = dual - n_cross_c
    n2v = two_rows - n_cross_c
    H = c["dv_homicides"]
    fm_dv = c["fm_records_dv"]
    excess = adult_rows - A_o
    m3 = round(PLAN["t1_three_share"] * excess / 2)
    m2 = excess - 2 * m3
    t2 = R_o - (m2 + m3)
    x = round(PLAN["offence_single_incident_repeat"] * (R_i - R_o))
    y = R_i - R_o - x
    t4 = A_o - R_o - x
    t6 = A_i - A_o - y
    if min(m2, t2, x, y, t4, t6) < 0:
        raise RuntimeError("profile figures are inconsistent with the person plan")
    kinds = np.concatenate([
        np.full(m2 + m3, 1), np.full(t2, 2), np.full(x, 3), np.full(t4, 4),
        np.full(y, 5), np.full(t6, 6)])
    nv = len(kinds)
    cP = np.zeros(nv, int)
    nP = np.zeros(nv, int)
    cL = np.zeros(nv, int)
    nL = np.zeros(nv, int)
    cP[:m2] = 2
    cP[m2:m2 + m3] = 3
    cP[(kinds >= 2) & (kinds <= 4)] = 1
    u = rng.random(nv)
    k2 = kinds == 2
    cL[k2] = np.where(u[k2] < 0.85, 1, 2)
    nL[k2 & (rng.random(nv) < 0.2)] = 1
    k1 = kinds == 1
    cL[k1 & (u < 0.25)] = 1
    k3 = kinds == 3
    nP[k3 & (u < 0.75)] = 1
    nL[k3 & (u >= 0.75)] = 1
    k5 = kinds == 5
    nP[k5] = np.select([u[k5] < 0.55, u[k5] < 0.65], [2, 3], 1)
    one = k5 & (nP == 1)
    cL[one & (rng.random(nv) < 0.5)] = 1
    nL[one & (cL == 0)] = 1
    nP[kinds == 6] = 1
    # Fixed singles: homicide victims, dual-arrest parties, FM victims (DV) -> kinds 4 / 6.
    idx4 = np.flatnonzero(kinds == 4)
    idx6 = np.flatnonzero(kinds == 6)
    hom_v = idx4[:H]
    cross_c_v = idx4[H:H + 2 * n_cross_c]
    cross_n_v = idx6[:2 * n_cross_n]
    # FM victims, assigned below: adult FM victims in DV reports take kind-6 persons.
    fm = _fm_victims(rng, prof)
    fm_dv_rows = fm.iloc[:fm_dv]
    fm_dv_adult = fm_dv_rows[fm_dv_rows.age >= codes.ADULT_AGE]
    fm_v = idx6[2 * n_cross_n:2 * n_cross_n + len(fm_dv_adult)]
    special = np.zeros(nv, bool)
    special[np.concatenate([hom_v, cross_c_v, cross_n_v, fm_v])] = True
    # Filler: adult rows of DV non-crimes up to the planned share, on repeat victims.
    nc_rows_total = c["dv_non_crimes"] + n_cross_n
    target_nP = round(PLAN["adult_nc_share"] * nc_rows_total)
    filler = target_nP - nP.sum()
    rep = np.flatnonzero(np.isin(kinds, (1, 2, 5)) | (k3 & (nP > 0)))
    if filler > 0:
        np.add.at(nP, rng.choice(rep, filler), 1)
    vp = pd.DataFrame({"kind": kinds, "cP": cP, "nP": nP, "cL": cL, "nL": nL})
    vp["pid"] = persons.take(nv)

    # --------------------------------------------------- victim rows of the DV crimes
    child_rows = age_b["0-17"]
    unk_rows = age_b[codes.UNRECORDED]
    if n2v > child_rows:
        raise RuntimeError("more two-victim crimes than child victims")
    # Units for the victim marginals: adult persons (weight cP), children, unknown ages.
    w = np.concatenate([cP[cP > 0], np.ones(child_rows + unk_rows, int)])
    unit_pid = np.concatenate([vp.pid.to_numpy()[cP > 0], persons.take(child_rows + unk_rows)])
    unit_is_child = np.concatenate([np.zeros((cP > 0).sum(), bool), np.ones(child_rows, bool),
                                    np.zeros(unk_rows, bool)])
    unit_is_unk = np.concatenate([np.zeros((cP > 0).sum() + child_rows, bool),
                                  np.ones(unk_rows, bool)])
    pos = {p: i for i, p in enumerate(unit_pid)}
    fixed_g = np.full(len(w), None, dtype=object)
    fixed_ic = np.full(len(w), None, dtype=object)
    fixed_age = np.full(len(w), None, dtype=object)
    fixed_age[unit_is_child] = "0-17"
    fixed_age[unit_is_unk] = codes.UNRECORDED
    # Homicide victims: gender and band from the profile.
    hom_g = _shuffled(rng, br["dv_homicide_victims_by_gender"])
    hom_band = _shuffled(rng, br["dv_homicide_victims_by_age_band"])
    hom_units = np.array([pos[p] for p in vp.pid.to_numpy()[hom_v]], dtype=int)
    fixed_g[hom_units] = hom_g
    fixed_age[hom_units] = [_group_of_band(b) for b in hom_band]
    # Dual-arrest parties: recorded gender and appearance (couples of one M, one F).
    cross_units = np.array([pos[p] for p in vp.pid.to_numpy()[cross_c_v]], dtype=int)
    fixed_g[cross_units] = np.tile(["F", "M"], n_cross_c)
    fixed_ic[cross_units] = np.repeat(rng.choice(["IC1", "IC1", "IC3", "IC4", "IC2"],
                                                 n_cross_c), 2)
    fixed_age[cross_units] = np.repeat(rng.choice(["18-29", "30-39", "40-49"], n_cross_c), 2)
    g_val = _assign_marginal(rng, w, fixed_g, br["dv_crime_victims_by_gender"])
    ic_val = _assign_marginal(rng, w, fixed_ic, br["dv_crime_victims_by_ethnic_appearance"])
    age_val = _assign_marginal(rng, w, fixed_age, age_b)
    units = pd.DataFrame({"pid": unit_pid, "rec_gender": g_val, "rec_ic": ic_val,
                          "group": age_val, "w": w})

    # True person attributes (recorded values where recorded; else drawn).

    # ------------------------------------------------------------------ reports

    def reports(n, year, cls, dv, **kw) -> pd.DataFrame:
        start, end = (P0, P1) if year == "P" else (L0, L1)
        d = pd.DataFrame({"year": year, "cls": cls, "dv": dv,
                          "rec": draw_days(rng, n, start, end)})
        for k, v in kw.items():
            d[k] = v
        return d

    # P DV crimes: adult persons' crime rows (not the dual-arrest parties), children,
    # unknown ages, and the dual-arrest crimes.
    crow = vp.loc[vp.cP > 0, ["pid", "cP"]]
    crow = crow.loc[crow.index.repeat(crow.cP)]
    crow = crow[~crow.pid.isin(vp.pid.to_numpy()[cross_c_v])]
    child_p = units.pid[units.group == "0-17"].to_numpy()
    unk_p = units.pid[units.group == codes.UNRECORDED].to_numpy()
    second_child = child_p[:n2v]
    own_child = child_p[n2v:]
    first_pids = np.concatenate([crow.pid.to_numpy(), own_child, unk_p])
    rc = reports(len(first_pids), "P", "crime", True, reason="q")
    rc["kind"] = np.concatenate([np.full(len(crow), "adult"), np.full(len(own_child), "child"),
                                 np.full(len(unk_p), "unknown")])
    hom_pids = vp.pid.to_numpy()[hom_v]
    rc.loc[np.isin(first_pids, hom_pids), "kind"] = "homicide"
    rc["v1"] = first_pids
    rc["v2"] = -1
    cand2 = np.flatnonzero(rc.kind.to_numpy() == "adult")
    two = rng.choice(cand2, n2v, replace=False)
    rc.loc[two, "v2"] = second_child
    rc.loc[two, "kind"] = "two_victim"
    cross_pairs = vp.pid.to_numpy()[cross_c_v].reshape(-1, 2)
    rcx = reports(n_cross_c, "P", "crime", True, reason="q", kind="cross",
                  v1=cross_pairs[:, 0], v2=cross_pairs[:, 1])
    rc = pd.concat([rc, rcx], ignore_index=True)
    assert len(rc) == c["dv_crimes"], (len(rc), c["dv_crimes"])

    # P DV non-crimes.
    nrow = vp.loc[vp.nP > 0, ["pid", "nP"]]
    nrow = nrow.loc[nrow.index.repeat(nrow.nP)]
    nrow = nrow[~nrow.pid.isin(vp.pid.to_numpy()[cross_n_v])]
    nonadult = c["dv_non_crimes"] - len(nrow) - n_cross_n
    fm_dv_child = fm_dv_rows[fm_dv_rows.age < codes.ADULT_AGE]
    n_nonadult_other = nonadult - len(fm_dv_child)
    if n_nonadult_other < 0:
        raise RuntimeError("too many adult non-crime rows planned")
    n_nc_child = round(0.65 * n_nonadult_other)
    nc_child = persons.take(n_nc_child)
    nc_unk = persons.take(n_nonadult_other - n_nc_child)
    fm_child_p = persons.take(len(fm_dv_child))
    rn = reports(len(nrow) + n_nonadult_other + len(fm_dv_child), "P", "non_crime", True,
                 reason="q")
    rn["v1"] = np.concatenate([nrow.pid.to_numpy(), nc_child, nc_unk, fm_child_p])
    rn["v2"] = -1
    rn["kind"] = np.concatenate([np.full(len(nrow), "adult"), np.full(n_nc_child, "child"),
                                 np.full(len(nc_unk), "unknown"),
                                 np.full(len(fm_child_p), "fm_child")])
    fm_pids = vp.pid.to_numpy()[fm_v]
    rn.loc[np.isin(rn.v1.to_numpy(), fm_pids), "kind"] = "fm_adult"
    cross_n_pairs = vp.pid.to_numpy()[cross_n_v].reshape(-1, 2)
    rnx = reports(n_cross_n, "P", "non_crime", True, reason="q", kind="cross",
                  v1=cross_n_pairs[:, 0], v2=cross_n_pairs[:, 1])
    rn = pd.concat([rn, rnx], ignore_index=True)
    assert len(rn) == c["dv_non_crimes"]

    # Year before: DV crimes and non-crimes; planned persons' rows plus persons of that
    # year only (a fifth of them with two reports).
    vol = PLAN["previous_year_volume"]
    lc_need = np.repeat(vp.pid.to_numpy(), vp.cL.to_numpy())
    ln_need = np.repeat(vp.pid.to_numpy(), vp.nL.to_numpy())
    lc_n = max(round(vol * c["dv_crimes"]), len(lc_need) + 100)
    ln_n = max(round(vol * c["dv_non_crimes"]), len(ln_need) + 100)
    l_only_c = _l_only(rng, persons, lc_n - len(lc_need))
    l_only_n = _l_only(rng, persons, ln_n - len(ln_need))
    rlc = reports(lc_n, "L", "crime", True, reason="q", kind="adult",
                  v1=np.concatenate([lc_need, l_only_c]), v2=-1)
    rln = reports(ln_n, "L", "non_crime", True, reason="q", kind="adult",
                  v1=np.concatenate([ln_need, l_only_n]), v2=-1)

    # ------------------------------------------------------------ qualifying plan
    q_c = c["spi8a_offences"]
    q_n = c["spi8a_incidents"] - q_c
    uq_c = round(PLAN["unflagged_q_crimes"] * q_c)
    a = q_c - uq_c
    kind = rc.kind.to_numpy()
    reason = np.full(len(rc), "q", dtype=object)
    reason[np.isin(kind, ("child",))] = "child_victim"
    reason[kind == "unknown"] = "unknown_victim_age"
    adult_free = np.flatnonzero(kind == "adult")
    n_nonq = (np.isin(kind, ("adult", "two_victim", "cross", "homicide"))).sum() - a
    juv_need = br["accused_by_age_group"]["0-17"]
    reasons = _apportion(n_nonq, NONQ_REASONS)
    if reasons["juvenile_suspect"] < 2 * juv_need:
        shift = 2 * juv_need - reasons["juvenile_suspect"]
        reasons["juvenile_suspect"] += shift
        reasons["extended_family"] -= shift
    if n_nonq < 0 or n_nonq > len(adult_free) or min(reasons.values()) < 0:
        raise RuntimeError("qualifying plan infeasible")
    pick = rng.choice(adult_free, n_nonq, replace=False)
    reason[pick] = _shuffled(rng, reasons)
    rc["reason"] = reason

    kind_n = rn.kind.to_numpy()
    reason_n = np.full(len(rn), "q", dtype=object)
    reason_n[np.isin(kind_n, ("child", "fm_child"))] = "child_victim"
    reason_n[kind_n == "unknown"] = "unknown_victim_age"
    b = round(PLAN["dv_q_noncrimes"] * q_n)
    uq_n = q_n - b
    free_n = np.flatnonzero(kind_n == "adult")
    forced_q_n = np.isin(kind_n, ("cross", "fm_adult")).sum()
    n_nonq_n = len(free_n) + forced_q_n - b
    if not 0 <= n_nonq_n <= len(free_n):
        raise RuntimeError("non-crime qualifying plan infeasible")
    nc_reasons = _apportion(n_nonq_n, {"extended_family": 0.15, "non_domestic": 0.25,
                                       "relationship_unrecorded": 0.25, "no_suspect": 0.35})
    pick = rng.choice(free_n, n_nonq_n, replace=False)
    reason_n[pick] = _shuffled(rng, nc_reasons)
    rn["reason"] = reason_n
    for d in (rlc, rln):
        u = rng.random(len(d))
        d["reason"] = np.select([u < 0.05, u < 0.08, u < 0.11, u < 0.16],
                                ["no_suspect", "extended_family", "non_domestic",
                                 "relationship_unrecorded"], "q")

    # Unflagged reports (fresh persons): qualifying crimes / non-crimes, FM without the DV
    # flag, and some non-domestic or extended-family reports (exported because a
    # relationship was recorded).
    fm_ndv = fm.iloc[fm_dv:]
    n_fm_ndv = c["fm_records"] - fm_dv
    fm_ndv_adult_reports = _fm_report_split(rng, fm_ndv, n_fm_ndv)
    n_fm_ndv_q = int(fm_ndv_adult_reports.sum())
    ext = round(PLAN["unflagged_extra"] * c["dv_incidents"])
    ruc = reports(uq_c, "P", "crime", False, reason="q", kind="unflagged")
    run_ = reports(uq_n - n_fm_ndv_q, "P", "non_crime", False, reason="q", kind="unflagged")
    rux = reports(ext, "P", "crime", False, kind="unflagged",
                  reason=rng.choice(["extended_family", "non_domestic"], ext))
    rux.loc[rng.random(ext) < 0.5, "cls"] = "non_crime"
    rfm = reports(n_fm_ndv, "P", "non_crime", False, kind="fm_ndv",
                  reason=np.where(fm_ndv_adult_reports, "q", "child_victim"))
    rfm.loc[rng.random(n_fm_ndv) < 0.35, "cls"] = "crime"
    rfm.loc[rfm.reason == "q", "cls"] = "non_crime"  # keep the crime SPI8a count exact
    lu = reports(round(vol * (uq_c + uq_n + ext)), "L", "crime", False, kind="unflagged",
                 reason=rng.choice(["q", "q", "non_domestic"], round(vol * (uq_c + uq_n + ext))))
    lu.loc[rng.random(len(lu)) < 0.4, "cls"] = "non_crime"
    for d in (ruc, run_, rux, lu):
        d["v1"] = persons.take(len(d))
        d["v2"] = -1
    rfm["v1"] = -1
    rfm["v2"] = -1
    rn_fm = rn.index[rn.kind.isin(["fm_adult", "fm_child"])].to_numpy()

    rep = pd.concat([rc, rn, rlc, rln, ruc, run_, rux, rfm, lu], ignore_index=True)
    rep["fm"] = False
    rep["hbv"] = False
    nrc = len(rc)
    fm_rep_idx = np.concatenate([nrc + rn_fm, rep.index[rep.kind == "fm_ndv"].to_numpy()])
    rep.loc[fm_rep_idx, "fm"] = True
    hbv = rng.choice(fm_rep_idx, max(1, len(fm_rep_idx) // 10), replace=False)
    rep.loc[hbv, "hbv"] = True
    nrep = len(rep)
    rep["rid"] = np.arange(nrep)
    # Occurred dates: same day mostly, some days or weeks before; some blank.
    lag = np.where(rng.random(nrep) < 0.7, 0, rng.geometric(0.25, nrep))
    late = rng.random(nrep) < 0.03
    lag[late] += rng.integers(14, 120, late.sum())
    rep["occ"] = rep.rec.to_numpy() - lag.astype("timedelta64[D]")
    rep["occ_blank"] = rng.random(nrep) < 0.04
    rep["ref"] = rep.occ.where(~rep.occ_blank, rep.rec)

    # ------------------------------------------------------------------ victim rows
    vr = pd.concat([
        pd.DataFrame({"rid": rep.rid, "pid": rep.v1, "vno": 1}),
        pd.DataFrame({"rid": rep.rid[rep.v2 >= 0], "pid": rep.v2[rep.v2 >= 0], "vno": 2}),
    ], ignore_index=True)
    vr = vr[vr.pid >= 0]
    # FM victims: DV FM reports (one victim each, planned persons), non-DV FM reports.
    fm_dv_pids = np.concatenate([fm_pids, fm_child_p])
    fm_dv_ord = pd.concat([fm_dv_adult, fm_dv_child])
    fm_ndv_pids = persons.take(len(fm_ndv))
    fm_ndv_rid = _fm_rids(rng, rep.rid[rep.kind == "fm_ndv"].to_numpy(), fm_ndv,
                          fm_ndv_adult_reports)
    vr = pd.concat([vr, pd.DataFrame({"rid": fm_ndv_rid, "pid": fm_ndv_pids, "vno": 1})],
                   ignore_index=True)
    fm_attr = pd.concat([fm_dv_ord.assign(pid=fm_dv_pids), fm_ndv.assign(pid=fm_ndv_pids)])
    vr = vr.merge(rep[["rid", "year", "cls", "dv", "ref", "reason", "kind"]], on="rid")

    # ------------------------------------------------------------------ suspects
    srows = _suspects(rng, rep, vr, persons, n_cross=(rcx, rnx), vp_kind=vp)
    return _render(rng, prof, seed, rep, vr, srows, vp, units, fm_attr, persons,
                   hom_pids)


def _group_of_band(band: str) -> str:
    low = int(band.split("-")[0].rstrip("+"))
    for b in codes.AGE_GROUPS:
        if b.contains(low):
            return b.label
    return codes.UNRECORDED


def _l_only(rng, persons: _Ids, n: int) -> np.ndarray:
    """n victim rows for persons of the year before only; a fifth are repeat victims."""
    k = n // 5 // 2
    pairs = persons.take(k)
    singles = persons.take(n - 2 * k)
    out = np.concatenate([pairs, pairs, singles])
    rng.shuffle(out)
    return out


def _fm_victims(rng, prof: Profile) -> pd.DataFrame:
    """FM victim rows with exact breakdowns; DV FM reports (one victim each) first."""
    br = prof.breakdowns
    n = sum(br["fm_victims_by_gender"].values())
    g = _shuffled(rng, br["fm_victims_by_gender"])
    band = _shuffled(rng, br["fm_victims_by_age_band"])
    ic_counts = {k: br["fm_victims_by_ethnic_appearance"].get(k, 0)
                 for k in codes.ETHNIC_APPEARANCES}
    sde = _shuffled(rng, br["fm_victims_by_self_defined_ethnicity"])
    # Appearance that fits the self-defined ethnicity where the counts allow.
    fit = {"A1": "IC4", "A2": "IC4", "A3": "IC4", "A9": "IC4", "B2": "IC3", "B9": "IC3",
           "W1": "IC1", "W9": "IC2", "O9": "IC6", "M9": "IC3"}
    ic = np.full(n, None, dtype=object)
    rem = dict(ic_counts)
    for i, s in enumerate(sde):
        want = fit.get(s)
        if want and rem.get(want, 0) > 0:
            ic[i] = want
            rem[want] -= 1
    left = np.flatnonzero(ic == None)  # noqa: E711
    ic[left] = _shuffled(rng, rem)
    bands = {b.label: b for b in codes.FM_AGE_BANDS}
    ages = np.array([rng.integers(bands[b].low, (bands[b].high or 60) + 1) if b in bands
                     else 30 for b in band])
    ages = np.where(np.array([b == "0-17" for b in band]), rng.integers(14, 18, n), ages)
    df = pd.DataFrame({"gender": g, "ic": ic, "sde": sde, "age": ages})
    # DV FM reports hold one victim each: put them first.
    return df.sample(frac=1, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)


def _fm_report_split(rng, fm_ndv: pd.DataFrame, n_reports: int) -> np.ndarray:
    """Which non-DV FM reports have an adult victim (and so qualify)."""
    adults = int((fm_ndv.age >= codes.ADULT_AGE).sum())
    children = len(fm_ndv) - adults
    # Reports of children only: up to a third of the reports, as the children allow.
    n_child_reports = min(children, n_reports // 3) if adults >= n_reports - n_reports // 3 \
        else max(0, n_reports - adults)
    out = np.ones(n_reports, bool)
    out[:n_child_reports] = False
    return out


def _fm_rids(rng, rids: np.ndarray, fm_ndv: pd.DataFrame, adult_rep: np.ndarray) -> np.ndarray:
    """Spread the non-DV FM victims over their reports: every report gets one; a report
    planned with an adult victim gets one first, a child-only report only children."""
    is_adult = (fm_ndv.age >= codes.ADULT_AGE).to_numpy()
    a_idx = list(np.flatnonzero(is_adult))
    c_idx = list(np.flatnonzero(~is_adult))
    out = np.full(len(fm_ndv), -1)
    for rid, adult in zip(rids, adult_rep, strict=True):
        src = a_idx if adult else c_idx
        out[src.pop()] = rid
    adult_rids = rids[adult_rep]
    for i in a_idx + c_idx:
        out[i] = rng.choice(adult_rids)
    return out


def _suspects(rng, rep, vr, persons: _Ids, n_cross, vp_kind) -> pd.DataFrame:
    """Suspect rows: the victim's partner or relative (one person per victim), a fresh
    person for other reasons, the two parties of a dual-arrest incident, a second
    suspect on a few reports."""
    first = vr[vr.vno == 1].drop_duplicates("rid")
    s = rep[["rid", "reason", "kind", "year", "cls", "dv"]].merge(
        first[["rid", "pid"]].rename(columns={"pid": "victim"}), on="rid", how="left")
    s = s[(s.reason != "no_suspect") & (s.kind != "cross")]
    couple = s.reason.isin(["q", "relationship_unrecorded"]) & s.kind.isin(
        ["adult", "two_victim", "unflagged"])
    # One partner per victim person.
    victims = s.victim[couple].unique()
    partner = dict(zip(victims, persons.take(len(victims)), strict=True))
    spid = np.where(couple, s.victim.map(partner).fillna(-1), -1).astype(int)
    fresh = spid < 0
    spid[fresh] = persons.take(int(fresh.sum()))
    s = s.assign(pid=spid, sno=1, juvenile=(s.reason == "juvenile_suspect").to_numpy(),
                 couple=couple.to_numpy())
    # Dual-arrest parties: each is a suspect too.
    cross = rep[rep.kind == "cross"]
    xs = pd.concat([
        pd.DataFrame({"rid": cross.rid, "pid": cross.v2, "victim": cross.v1, "sno": 1}),
        pd.DataFrame({"rid": cross.rid, "pid": cross.v1, "victim": cross.v2, "sno": 2}),
    ])
    xs = xs.merge(rep[["rid", "reason", "kind", "year", "cls", "dv"]], on="rid")
    xs["juvenile"] = False
    xs["couple"] = False
    # A second suspect (a friend or relative of the first) on a few qualifying reports.
    cand = s[(s.reason == "q") & (s.kind.isin(["adult", "unflagged"]))]
    sec = cand.sample(frac=PLAN["second_suspect"], random_state=int(rng.integers(1 << 30)))
    sec = sec.assign(pid=persons.take(len(sec)), sno=2, couple=False)
    out = pd.concat([s, xs, sec], ignore_index=True)
    return out


def _render(rng, prof, seed, rep, vr, sr, vp, units, fm_attr, persons, hom_pids,
            ):
    from dvpi.synth.render import render

    return render(rng, prof, seed, rep, vr, sr, vp, units, fm_attr, persons, hom_pids)
