"""From the plan to tables: arrests, outcomes, accused persons, ages, names, places, noise,
and the optional tables (risk assessments, calls, CPS cases, reviews, population, targets).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth.build import (
    EXTRACT_END,
    PLAN,
    Built,
    _apportion,
    _assign_marginal,
    _group_of_band,
    _shuffled,
    dob_for_age,
)

D = np.timedelta64(1, "D")
OTHER_SANCTIONS = {6: 0.6, 4: 0.3, 7: 0.1}
NON_SANCTION = {16: 35, 15: 15, 14: 5, 10: 4, 21: 4, 9: 2, 18: 3, 20: 2, 0: 30}


def _d(x: dt.date) -> np.datetime64:
    return np.datetime64(x, "D")


def _pick(rng, idx: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    if n > len(idx):
        raise RuntimeError(f"need {n} of {len(idx)}")
    if n == 0:
        return idx[:0]
    p = None if weights is None else weights / weights.sum()
    return rng.choice(idx, n, replace=False, p=p)


def _group_bounds(group: str) -> tuple[int, int]:
    for b in codes.AGE_GROUPS:
        if b.label == group:
            return b.low, (b.high if b.high is not None else 90)
    raise KeyError(group)


def render(rng, prof, seed, rep, vr, sr, vp, units, fm_attr, persons, hom_pids) -> Built:
    c, br = prof.counts, prof.breakdowns
    P0, P1 = _d(prof.start), _d(prof.end)
    L1 = P0 - D
    rep = rep.set_index("rid", drop=False)
    inP = (rep.year == "P").to_numpy()
    dv = rep.dv.to_numpy(bool)
    crime = (rep.cls == "crime").to_numpy()
    q = (rep.reason == "q").to_numpy()
    kind = rep.kind.to_numpy()

    # ------------------------------------------------------------------ offences
    off = np.full(len(rep), None, dtype=object)
    mix = {"common_assault": 44, "abh": 30, "criminal_damage": 8, "harassment": 6,
           "breach_of_order": 3, "gbh": 2, "threats_to_kill": 1.5, "rape": 1.5,
           "other_sexual_offence": 0.6, "attempted_murder": 0.1, "other": 3}
    names = np.array(list(mix))
    p = np.array(list(mix.values()))
    off[crime] = rng.choice(names, crime.sum(), p=p / p.sum())
    hom = kind == "homicide"
    off[hom] = rng.choice(["murder", "murder", "murder", "manslaughter"], hom.sum())
    gbh_p = _pick(rng, np.flatnonzero(inP & dv & crime & ~hom & (kind != "cross")),
                  c["dv_gbh_with_intent"])
    off[gbh_p] = "gbh_with_intent"
    # Year before: its homicides on victims seen only once; its s18 GBH count.
    vcount = vr.pid.value_counts()
    lone = rep.v1.map(vcount).fillna(0).to_numpy() == 1
    lc = (~inP) & dv & crime
    hom_l = _pick(rng, np.flatnonzero(lc & lone & (rep.reason == "q").to_numpy()),
                  c["dv_homicides"])
    off[hom_l] = "murder"
    kind[hom_l] = "homicide"
    rest_l = np.flatnonzero(lc & (kind != "homicide"))
    off[rest_l[off[rest_l] == "gbh_with_intent"]] = "gbh"
    off[_pick(rng, rest_l, c["dv_gbh_with_intent_previous"])] = "gbh_with_intent"
    off[(~dv) & crime & (off == "gbh_with_intent")] = "gbh"
    rep["offence"] = off
    rep["kind"] = kind

    # ------------------------------------------------------------------ arrests
    arrested = np.zeros(len(rep), bool)
    n_uq_c = (inP & ~dv & crime & q).sum()
    n_uq_n = (inP & ~dv & ~crime & q).sum()
    a2 = round(PLAN["unflagged_q_crime_arrest"] * n_uq_c)
    a1 = c["spi8a_offence_arrests"] - a2
    b2 = round(PLAN["unflagged_q_nc_arrest"] * n_uq_n)
    b1 = c["spi8a_incident_arrests"] - c["spi8a_offence_arrests"] - b2
    forced = (kind == "cross") | (kind == "homicide")
    arrested[forced & inP] = True
    for mask, n in ((inP & dv & crime & q, a1), (inP & ~dv & crime & q, a2),
                    (inP & dv & ~crime & q, b1), (inP & ~dv & ~crime & q, b2)):
        have = (arrested & mask).sum()
        arrested[_pick(rng, np.flatnonzero(mask & ~arrested), n - have)] = True
    has_s = rep.rid.isin(sr.rid).to_numpy()
    other = ~(inP & q)
    u = rng.random(len(rep))
    rate = np.where(crime, 0.55, 0.04)
    arrested[other & has_s & (u < rate)] = True
    arrested[~has_s] = False
    rep["arrested"] = arrested
    sr = sr.reset_index(drop=True)
    s_rep_arr = rep.arrested.reindex(sr.rid).to_numpy()
    s_arr = s_rep_arr & ((sr.sno == 1) | (sr.kind == "cross") | (rng.random(len(sr)) < 0.5))
    sr["arrested"] = s_arr

    # ------------------------------------------------------------------ outcomes
    main = sr[sr.sno == 1].drop_duplicates("rid").set_index("rid")
    outs = []  # (rid, suspect row index or -1, type, date)
    sd = c["sanction_detections"]
    n_caution = br["dual_arrest_outcomes_surname_method"]["caution"]
    n_charge = br["dual_arrest_outcomes_surname_method"]["charge"]
    cross_c = np.flatnonzero((kind == "cross") & crime)
    rec = rep.rec.to_numpy("datetime64[D]")

    def in_p_date(idx):
        span = (P1 - rec[idx]).astype(int)
        lag = np.minimum(rng.exponential(30, len(idx)).astype(int), span)
        return rec[idx] + lag.astype("timedelta64[D]")

    def add(idx, types, dates):
        for i, t, d in zip(idx, np.broadcast_to(types, len(idx)), dates, strict=True):
            outs.append((int(i), int(t), d))

    used = np.zeros(len(rep), bool)
    add(cross_c[:n_caution], 3, in_p_date(cross_c[:n_caution]))
    add(cross_c[n_caution:n_caution + n_charge], 1,
        in_p_date(cross_c[n_caution:n_caution + n_charge]))
    add(cross_c[n_caution + n_charge:], 16, in_p_date(cross_c[n_caution + n_charge:]))
    used[cross_c] = True
    hom_p = np.flatnonzero(hom & inP)
    n_hom_charge = max(1, round(0.6 * len(hom_p)))
    add(hom_p[:n_hom_charge], 1, in_p_date(hom_p[:n_hom_charge]))
    add(hom_p[n_hom_charge:], 1, P1 + rng.integers(10, 80, len(hom_p) - n_hom_charge) * D)
    used[hom_p] = True
    J = br["accused_by_age_group"]["0-17"]
    n_other = c["other_sanctions"]
    yc = min(n_other, round(0.75 * n_other), J)
    juv = _pick(rng, np.flatnonzero(inP & dv & crime & (rep.reason == "juvenile_suspect")), J)
    add(juv[:yc], 2, in_p_date(juv[:yc]))
    add(juv[yc:], 1, in_p_date(juv[yc:]))
    used[np.flatnonzero(inP & dv & crime & (rep.reason == "juvenile_suspect"))] = True
    charges = c["charges"] - n_charge - n_hom_charge - (J - yc)
    cautions = c["caution_adult"] - n_caution
    others = n_other - yc
    remaining = sd - n_caution - n_charge - n_hom_charge - J
    if min(charges, cautions, others, remaining) < 0:
        raise RuntimeError("sanction plan infeasible")
    d_lp = min(round(PLAN["previous_detected_in_period"] * sd), remaining)
    d_pp = remaining - d_lp
    types = _shuffled(rng, {"1": charges, "3": cautions,
                            **{str(k): v for k, v in _apportion(others, OTHER_SANCTIONS).items()}})
    types = types.astype(int)
    w_arr = np.where(arrested, 4.0, 1.0)
    cand_p = np.flatnonzero(inP & dv & crime & has_s & ~used)
    pp = _pick(rng, cand_p, d_pp, w_arr[cand_p])
    add(pp, types[:d_pp], in_p_date(pp))
    used[pp] = True
    cand_l = np.flatnonzero((~inP) & dv & crime & has_s & (kind != "homicide"))
    late = np.exp((rec[cand_l] - L1).astype(int) / 75.0) * w_arr[cand_l]
    lp = _pick(rng, cand_l, d_lp, late)
    lo = np.maximum(rec[lp] + 7 * D, P0)
    hi = np.maximum(np.minimum(rec[lp] + 240 * D, P1), lo)
    add(lp, types[d_pp:], lo + (rng.random(len(lp)) * (hi - lo).astype(int)).astype(int) * D)
    used[lp] = True
    # Detected after the year (not counted in it), and the year before's own detections.
    cand_p = np.flatnonzero(inP & dv & crime & has_s & ~used)
    late_p = np.exp((rec[cand_p] - P1).astype(int) / 60.0)
    after = _pick(rng, cand_p, min(round(PLAN["detected_after_period"] * sd), len(cand_p)),
                  late_p)
    add(after, rng.choice([1, 3], len(after)),
        P1 + rng.integers(1, (_d(EXTRACT_END) - P1).astype(int), len(after)) * D)
    used[after] = True
    cand_l = np.flatnonzero((~inP) & dv & crime & has_s & ~used)
    span = (L1 - rec[cand_l]).astype(int)
    ok = cand_l[span > 3]
    ll = _pick(rng, ok, round(0.4 * len(ok)), w_arr[ok])
    lag = np.minimum(rng.exponential(25, len(ll)).astype(int), (L1 - rec[ll]).astype(int))
    add(ll, rng.choice([1, 3, 3], len(ll)), rec[ll] + lag * D)
    used[ll] = True
    # Everything else: a non-sanction outcome, or none yet. Unflagged crimes too.
    rest = np.flatnonzero(crime & ~used & (kind != "homicide"))
    t = rng.choice(list(NON_SANCTION), len(rest), p=np.array(list(NON_SANCTION.values()))
                   / sum(NON_SANCTION.values()))
    rest, t = rest[t > 0], t[t > 0]
    t = np.where(~dv[rest] & has_s[rest] & (rng.random(len(rest)) < 0.3),
                 rng.choice([1, 3], len(rest)), t)
    add(rest, t, rec[rest] + rng.integers(5, 200, len(rest)) * D)
    hom_l_idx = np.flatnonzero(hom & ~inP)
    add(hom_l_idx, 1, rec[hom_l_idx] + rng.integers(20, 200, len(hom_l_idx)) * D)
    out = pd.DataFrame(outs, columns=["ri", "type", "date"])
    out["rid"] = rep.rid.to_numpy()[out.ri]
    out["srow"] = out.rid.map(pd.Series(main.index.map(lambda r: -1), index=main.index))
    srow_of = pd.Series(sr.index[sr.sno == 1], index=sr.rid[sr.sno == 1])
    srow_of = srow_of[~srow_of.index.duplicated()]
    # Who the outcome names: the main suspect; the cautioned/charged party on dual arrests.
    out["srow"] = out.rid.map(srow_of).fillna(-1).astype(int)
    sanction = out.type.isin(codes.SANCTION_OUTCOME_TYPES)
    multi = sr.groupby("rid").size()
    single = out.rid.map(multi).fillna(0).to_numpy() == 1
    blank = sanction.to_numpy() & single & (rng.random(len(out)) < 0.04)
    out["named"] = ~blank & (out.srow >= 0)
    # A second suspect sometimes gets the same outcome.
    sec = sr[sr.sno == 2]
    sec = sec[sec.kind != "cross"]
    sec_out = out[sanction & out.rid.isin(sec.rid)].merge(
        pd.DataFrame({"rid": sec.rid, "srow2": sec.index}), on="rid")
    sec_out = sec_out[rng.random(len(sec_out)) < 0.3]
    sec_out = sec_out.assign(srow=sec_out.srow2, named=True).drop(columns="srow2")
    out = pd.concat([out, sec_out], ignore_index=True)

    # ------------------------------------------------------------------ accused
    sr["pid"] = sr.pid.astype(np.int64)
    acc_rows = out[out.type.isin(codes.SANCTION_OUTCOME_TYPES)
                   & (out.date >= P0) & (out.date <= P1)
                   & out.rid.map(rep.dv).to_numpy(bool)]
    inv = _involvements(acc_rows, sr)
    cross_pids = set(sr.pid[sr.kind == "cross"])
    hom_s_pids = set(sr.pid[(sr.sno == 1) & sr.rid.isin(rep.rid[hom])])
    multi_r = set(multi.index[multi > 1])
    bad = set(sr.pid[sr.juvenile | sr.rid.isin(multi_r) | (sr.sno == 2)]) | cross_pids \
        | hom_s_pids
    acc = inv.pid.unique()
    k = len(acc) - c["accused_persons"]
    if k < 0:
        raise RuntimeError(f"too few accused persons ({len(acc)})")
    cand = np.array([p for p in acc if p not in bad])
    rng.shuffle(cand)
    if 2 * k > len(cand) + k:  # roots + merged must fit
        raise RuntimeError("cannot merge enough accused persons")
    roots = cand[: len(cand) - k]
    moved = cand[len(cand) - k:]
    # Serial perpetrators: prefer merging into a root of the same borough later; any root.
    target = rng.choice(roots, len(moved))
    remap = dict(zip(moved.tolist(), target.tolist(), strict=True))
    sr["pid"] = sr.pid.map(lambda p: remap.get(p, p)).astype(np.int64)
    inv = _involvements(acc_rows, sr)
    assert inv.pid.nunique() == c["accused_persons"], inv.pid.nunique()
    inv["ref"] = rep.ref.reindex(inv.rid).to_numpy("datetime64[D]")
    _untie_latest(inv, out, rep, P0, P1)

    # ------------------------------------------------------------------ people frame
    vrows = vr.assign(role="victim", srow=-1)[["rid", "pid", "role", "vno", "srow"]]
    srows = sr.assign(role="suspect", vno=0, srow=sr.index)[["rid", "pid", "role", "vno",
                                                               "srow"]]
    ppl = pd.concat([vrows, srows], ignore_index=True)
    ppl["ref"] = rep.ref.reindex(ppl.rid).to_numpy("datetime64[D]")
    ppl["rec"] = rep.rec.reindex(ppl.rid).to_numpy("datetime64[D]")
    span = ppl.groupby("pid").ref.agg(["min", "max"])

    # True attributes per person.
    pids = span.index.to_numpy()
    npers = len(pids)
    per = pd.DataFrame(index=pids)
    per["first"] = span["min"]
    per["last"] = span["max"]
    g_true = np.where(rng.random(npers) < 0.8, "F", "M").astype(object)
    ic_w = br["dv_crime_victims_by_ethnic_appearance"]
    ic_keys = [k for k in codes.POPULATION_ETHNIC_APPEARANCES]
    ic_p = np.array([ic_w.get(k, 0) for k in ic_keys], float)
    ic_true = rng.choice(ic_keys, npers, p=ic_p / ic_p.sum()).astype(object)
    per["gender"] = g_true
    per["ic"] = ic_true
    per["age_t"] = np.nan
    per["age_ref"] = per["first"]
    per["no_dob"] = False
    # Suspects are mostly men.
    is_s = per.index.isin(sr.pid)
    per.loc[is_s, "gender"] = np.where(rng.random(is_s.sum()) < 0.85, "M", "F")
    # Victims of the calibrated crimes: recorded values where recorded.
    un = units.set_index("pid")
    un = un[un.index.isin(per.index)]
    rg = un.rec_gender.where(un.rec_gender.isin(["M", "F"]))
    per.loc[rg.dropna().index, "gender"] = rg.dropna()
    ri = un.rec_ic.where(un.rec_ic != codes.ETHNIC_APPEARANCE_DEFAULT)
    per.loc[ri.dropna().index, "ic"] = ri.dropna()
    # Ages. Victims of the year's DV crimes: their group at their first such crime.
    pc_first = ppl[(ppl.role == "victim") & ppl.rid.isin(rep.rid[inP & dv & crime])] \
        .groupby("pid").ref.min()
    grp = un.group
    adult_idx = grp.index[~grp.isin(["0-17", codes.UNRECORDED])]
    multi_p = set(vp.pid[(vp.cP + vp.nP) > 1])
    lohi = np.array([_group_bounds(g) for g in grp[adult_idx]])
    lo, hi = lohi[:, 0], lohi[:, 1]
    m = np.array([p in multi_p for p in adult_idx])
    lo = np.where(m, np.maximum(lo, 20), lo)
    hi = np.where(m, np.minimum(hi - 2, 88), np.minimum(hi, 90))
    hi = np.maximum(hi, lo)
    per.loc[adult_idx, "age_t"] = rng.integers(lo, hi + 1)
    per.loc[adult_idx, "age_ref"] = pc_first.reindex(adult_idx).to_numpy()
    ch = grp.index[grp == "0-17"]
    per.loc[ch, "age_t"] = rng.integers(8, 18, len(ch))
    per.loc[ch, "age_ref"] = pc_first.reindex(ch).to_numpy()
    per.loc[grp.index[grp == codes.UNRECORDED], "no_dob"] = True
    # Homicide victims: their band.
    hv = list(hom_pids)
    hb = _shuffled(rng, br["dv_homicide_victims_by_age_band"])
    hg = un.loc[hv, "group"].to_numpy()
    # Match bands to the recorded groups.
    bands = _match_bands(hb, hg)
    per.loc[hv, "age_t"] = [_age_in_band(rng, b) for b in bands]
    # FM victims.
    fa = fm_attr.set_index("pid")
    per.loc[fa.index, "age_t"] = fa.age
    per.loc[fa.index, "gender"] = fa.gender.where(fa.gender != "U", "F")
    per.loc[fa.index, "ic"] = fa.ic.where(fa.ic != "IC0", "IC4")
    # Non-crime-only adult victims of the year.
    nco = vp.pid[(vp.cP == 0)]
    nco = nco[~nco.isin(fa.index)]
    adult_w = {g: br["dv_crime_victims_by_age_group"][g] for g in
               ("18-29", "30-39", "40-49", "50-59", "60+")}
    gg = rng.choice(list(adult_w), len(nco), p=np.array(list(adult_w.values())) /
                    sum(adult_w.values()))
    lohi = np.array([_group_bounds(g) for g in gg])
    per.loc[nco, "age_t"] = rng.integers(np.maximum(lohi[:, 0], 19), np.minimum(lohi[:, 1],
                                                                                 85) + 1)
    # Non-crime children and unknown ages of the year; FM children.
    ncv = vr[vr.kind.isin(["child", "fm_child"]) & (vr.cls == "non_crime") & (vr.year == "P")]
    ncv = ncv[~ncv.pid.isin(fa.index)]
    per.loc[ncv.pid, "age_t"] = rng.integers(8, 18, len(ncv))
    unk = vr.pid[(vr.kind == "unknown") & (vr.cls == "non_crime")]
    per.loc[unk, "no_dob"] = True
    # Everyone else without an age yet: adults (victims of other reports, suspects).
    rest = per.index[per.age_t.isna() & ~per.no_dob]
    per.loc[rest, "age_t"] = np.clip(rng.normal(34, 10, len(rest)).round(), 19, 80)
    # Juvenile suspects.
    juv_p = sr.pid[sr.juvenile].unique()
    per.loc[juv_p, "age_t"] = rng.integers(13, 18, len(juv_p))
    per.loc[juv_p, "age_ref"] = per.loc[juv_p, "last"]

    # Accused persons: attributes from the profile, at their latest involvement.
    latest = inv.sort_values(["pid", "date", "rec"]).groupby("pid").tail(1).set_index("pid")
    ap = latest.index.to_numpy()
    ones = np.ones(len(ap), int)
    fg = np.full(len(ap), None, dtype=object)
    fi = np.full(len(ap), None, dtype=object)
    fa_ = np.full(len(ap), None, dtype=object)
    is_juv = np.isin(ap, juv_p)
    fa_[is_juv] = "0-17"
    for i, p_ in enumerate(ap):
        if p_ in cross_pids:
            fg[i], fi[i], fa_[i] = un.loc[p_, "rec_gender"], un.loc[p_, "rec_ic"], \
                un.loc[p_, "group"]
    # Homicide suspects of the year: gender and band from the profile, accused or not.
    hom_s_list = sorted(hom_s_pids)
    hsg = _shuffled(rng, br["dv_homicide_suspects_by_gender"])
    hsb = _shuffled(rng, br["dv_homicide_suspects_by_age_band"])
    hom_s_band = dict(zip(hom_s_list, hsb, strict=True))
    hom_s_g = dict(zip(hom_s_list, hsg, strict=True))
    for p_ in hom_s_list:
        per.at[p_, "gender"] = hom_s_g[p_]
        band = hom_s_band[p_]
        t_ = _age_in_band(rng, band)
        per.at[p_, "age_t"] = max(t_, 19) if band.startswith("0-") else t_
        per.at[p_, "age_ref"] = per.at[p_, "last"]
    for i, p_ in enumerate(ap):
        if p_ in hom_s_pids:
            fg[i] = hom_s_g[p_]
            fa_[i] = _group_of_band(hom_s_band[p_]) if not hom_s_band[p_].startswith("0-") \
                else "18-29"
    acc_g = _assign_marginal(rng, ones, fg, br["accused_by_gender"])
    acc_i = _assign_marginal(rng, ones, fi, br["accused_by_ethnic_appearance"])
    acc_a = _assign_marginal(rng, ones, fa_, br["accused_by_age_group"])
    acc = pd.DataFrame({"g": acc_g, "ic": acc_i, "grp": acc_a}, index=ap)
    per.loc[ap, "gender"] = np.where(np.isin(acc_g, ["M", "F"]), acc_g, "M")
    per.loc[ap, "ic"] = np.where(acc_i != "IC0", acc_i, per.loc[ap, "ic"])
    lat_ref = latest.ref.to_numpy("datetime64[D]")
    first_arr = per["first"].reindex(ap).to_numpy("datetime64[D]")
    for_age = [(i, p_) for i, p_ in enumerate(ap) if p_ not in cross_pids]
    for i, p_ in for_age:
        grp_ = acc_a[i]
        if grp_ == codes.UNRECORDED:
            continue
        if p_ in hom_s_pids:
            continue
        lo_, hi_ = _group_bounds(grp_)
        spanyrs = int(np.ceil((lat_ref[i] - first_arr[i]).astype(int) / 365.0)) + 1
        lo_ = lo_ if grp_ == "0-17" else max(lo_, 18 + spanyrs)
        t_ = int(rng.integers(lo_, max(lo_, hi_) + 1))
        per.at[p_, "age_t"] = t_
        per.at[p_, "age_ref"] = lat_ref[i]
    # Dates of birth.
    has = ~per.no_dob & per.age_t.notna()
    per["dob"] = np.datetime64("NaT")
    idx = per.index[has]
    per.loc[idx, "dob"] = dob_for_age(rng, per.loc[idx, "age_t"].to_numpy(int),
                                      per.loc[idx, "age_ref"].to_numpy("datetime64[D]"))
    # Adults must be 18 at every row (qualifying pairs): check and fix.
    return _finish(rng, prof, seed, rep, ppl, sr, vr, per, out, acc, latest, inv,
                   cross_pids, hom_s_pids, hom_s_band, hom_pids, fa, un)


def _untie_latest(inv: pd.DataFrame, out: pd.DataFrame, rep: pd.DataFrame,
                  P0: np.datetime64, P1: np.datetime64) -> None:
    """A person's latest involvement must be one report: where two reports' outcomes share
    the latest date, move the earlier report's outcome a day back (or the later's a day
    on), inside the year and not before the crime was recorded."""
    for _ in range(5):
        last = inv.groupby("pid").date.transform("max")
        top = inv[inv.date == last]
        n_rep = top.groupby("pid").rid.transform("nunique")
        tied = top[n_rep > 1]
        if tied.empty:
            return
        keep = tied.groupby("pid").rid.transform("max")
        move = tied[tied.rid != keep]
        for i, row in move.iterrows():
            d = np.datetime64(row.date, "D")
            rec = np.datetime64(rep.rec.at[row.rid], "D")
            m = (out.rid == row.rid) & (out.date == row.date)
            if d - 1 >= max(P0, rec):
                new = d - 1
            else:
                new = d
                later = tied[(tied.pid == row.pid) & (tied.rid == keep[i])]
                for j, lr in later.iterrows():
                    if np.datetime64(lr.date, "D") + 1 <= P1:
                        lm = (out.rid == lr.rid) & (out.date == lr.date)
                        out.loc[lm, "date"] = np.datetime64(lr.date, "D") + 1
                        inv.loc[(inv.rid == lr.rid) & (inv.date == lr.date), "date"] = \
                            np.datetime64(lr.date, "D") + 1
                        del j
                continue
            out.loc[m, "date"] = new
            inv.loc[(inv.rid == row.rid) & (inv.date == row.date), "date"] = new


def _match_bands(bands: np.ndarray, groups: np.ndarray) -> list[str]:
    left = list(bands)
    outb = []
    for g in groups:
        for b in left:
            if _group_of_band(b) == g:
                outb.append(b)
                left.remove(b)
                break
        else:
            raise RuntimeError("homicide band/group mismatch")
    return outb


def _age_in_band(rng, band: str) -> int:
    for b in codes.HOMICIDE_AGE_BANDS:
        if b.label == band:
            lo = max(b.low, 16)
            return int(rng.integers(lo, (b.high if b.high is not None else 88) + 1))
    raise KeyError(band)


def _involvements(acc_rows: pd.DataFrame, sr: pd.DataFrame) -> pd.DataFrame:
    named = acc_rows[acc_rows.named]
    a = pd.DataFrame({"rid": named.rid, "srow": named.srow, "date": named.date})
    unnamed = acc_rows[~acc_rows.named][["rid", "date"]].merge(
        pd.DataFrame({"rid": sr.rid, "srow": sr.index}), on="rid")
    a = pd.concat([a, unnamed], ignore_index=True)
    a["pid"] = sr.pid.to_numpy()[a.srow.to_numpy()]
    a["rec"] = a.rid
    return a


def _finish(rng, prof, seed, rep, ppl, sr, vr, per, out, acc, latest, inv, cross_pids,
            hom_s_pids, hom_s_band, hom_pids, fa, un) -> Built:
    from dvpi.synth.tables import finish

    return finish(rng, prof, seed, rep, ppl, sr, vr, per, out, acc, latest, inv, cross_pids,
                  hom_s_pids, hom_pids, fa, un)
