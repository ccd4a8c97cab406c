"""The last step: recorded values, names, places, relationships, noise and every table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dvpi.contract import codes
from dvpi.synth import noise as noise_mod
from dvpi.synth.boroughs import AGE_SHARE, BOROUGHS, GENDER_SHARE, UNIT_LETTERS
from dvpi.synth.build import INTIMATE_W, NON_DOMESTIC_W, Built, _apportion, age_at
from dvpi.synth.names import ORIGINS

D = np.timedelta64(1, "D")
RISK_LEVEL_SHARE = {"standard": 0.70, "medium": 0.22, "high": 0.08}
DASH_YES_RANGE = {"standard": (0, 6), "medium": (6, 13), "high": (14, 22)}


def _w(rng, d: dict, n: int) -> np.ndarray:
    p = np.array(list(d.values()), float)
    return rng.choice(np.array(list(d), dtype=object), n, p=p / p.sum())


def finish(rng, prof, seed, rep, ppl, sr, vr, per, out, acc, latest, inv, cross_pids,
           hom_s_pids, hom_pids, fa, un) -> Built:
    c = prof.counts
    ppl = ppl.copy()
    ppl["dob"] = per.dob.reindex(ppl.pid).to_numpy("datetime64[D]")
    ref = ppl.ref.to_numpy("datetime64[D]")
    # Suspects other than juveniles must be adults at every row (couples get older).
    juv = set(sr.pid[sr.juvenile])
    fixed = set(acc.index) | hom_s_pids | set(hom_pids) | set(un.index) | set(fa.index)
    for _ in range(3):
        ages = age_at(ppl.dob.to_numpy("datetime64[D]"), ref)
        low = ppl[(ages < 18) & ppl.dob.notna() & (ppl.role == "suspect")
                  & ~ppl.pid.isin(juv | fixed)]
        if low.empty:
            break
        lift = low.groupby("pid").apply(lambda g: 18 - age_at(
            g.dob.to_numpy("datetime64[D]"), g.ref.to_numpy("datetime64[D]")).min())
        per.loc[lift.index, "dob"] = per.loc[lift.index, "dob"] - (lift * 366).astype(
            "timedelta64[D]").to_numpy()
        ppl["dob"] = per.dob.reindex(ppl.pid).to_numpy("datetime64[D]")

    # ------------------------------------------------------------ places and names
    # Most suspects share their victim's background (accused keep the profile's values).
    fv0 = sr[sr.victim.notna() & (sr.victim >= 0)].groupby("pid").victim.first()
    fv0 = fv0[fv0.index.isin(per.index) & ~fv0.index.isin(acc.index)
              & ~fv0.index.isin(list(hom_s_pids))]
    fv0 = fv0[rng.random(len(fv0)) < 0.85]
    per.loc[fv0.index, "ic"] = per.ic.reindex(fv0.astype(np.int64)).to_numpy()
    ic_arr = per.ic.to_numpy()
    pops = np.array([b.population for b in BOROUGHS], float)
    ic_idx = {k: i for i, k in enumerate(codes.POPULATION_ETHNIC_APPEARANCES)}
    weights = np.array([[b.population * b.ic[i] for b in BOROUGHS] for i in range(6)])
    weights = weights / weights.sum(axis=1, keepdims=True)
    boro = np.empty(len(per), int)
    for k, i in ic_idx.items():
        m = ic_arr == k
        boro[m] = rng.choice(len(BOROUGHS), m.sum(), p=weights[i])
    per["borough"] = boro
    del pops
    # Suspects live where their (first) victim lives.
    first_victim = sr[sr.victim.notna() & (sr.victim >= 0)].groupby("pid").victim.first()
    fv = first_victim[first_victim.index.isin(per.index)]
    per.loc[fv.index, "borough"] = per.borough.reindex(fv.astype(np.int64)).to_numpy()
    # Origin, names, self-defined ethnicity.
    origin = np.empty(len(per), int)
    for k in codes.POPULATION_ETHNIC_APPEARANCES:
        cand = [i for i, o in enumerate(ORIGINS) if o.ic == k]
        w = np.array([ORIGINS[i].weight for i in cand])
        m = ic_arr == k
        origin[m] = rng.choice(cand, m.sum(), p=w / w.sum())
    per["origin"] = origin
    u = rng.random((len(per), 3))
    fore = np.empty(len(per), dtype=object)
    sur = np.empty(len(per), dtype=object)
    sde = np.empty(len(per), dtype=object)
    gtrue = per.gender.to_numpy()
    for i, o in enumerate(ORIGINS):
        m = origin == i
        fem = m & (gtrue == "F")
        mal = m & ~fem
        fore[fem] = np.array(o.female, dtype=object)[(u[fem, 0] * len(o.female)).astype(int)]
        fore[mal] = np.array(o.male, dtype=object)[(u[mal, 0] * len(o.male)).astype(int)]
        sur[m] = np.array(o.surnames, dtype=object)[(u[m, 1] * len(o.surnames)).astype(int)]
        sde[m] = np.where(u[m, 2] < 0.8, o.sde[0], o.sde[-1])
    per["forenames"] = fore
    per["surname"] = sur
    per["sde"] = sde
    # Couples and families share surnames; dual-arrest parties always do.
    share = sr[(sr.couple | sr.juvenile | (sr.kind == "cross")) & (sr.victim >= 0)]
    share = share[share.victim.isin(per.index)]
    same_ic = per.ic.reindex(share.pid).to_numpy() == per.ic.reindex(
        share.victim.astype(np.int64)).to_numpy()
    share = share[same_ic | (share.kind == "cross").to_numpy()]
    p_share = np.where(share.kind == "cross", 1.0, np.where(share.juvenile, 0.85, 0.5))
    share = share[rng.random(len(share)) < p_share].drop_duplicates("pid")
    share = share[~share.pid.isin(share.victim)]
    per.loc[share.pid, "surname"] = per.surname.reindex(share.victim.astype(np.int64)).to_numpy()
    per.loc[share.pid, "origin"] = per.origin.reindex(share.victim.astype(np.int64)).to_numpy()
    # Postcodes: a district of the borough, a sector digit, a unit.
    flat = np.array([d for b in BOROUGHS for d in b.districts], dtype=object)
    n_d = np.array([len(b.districts) for b in BOROUGHS])
    offset = np.concatenate([[0], np.cumsum(n_d)[:-1]])
    bi = per.borough.to_numpy(int)
    dist = flat[offset[bi] + (rng.random(len(per)) * n_d[bi]).astype(int)]
    letters = np.array(list(UNIT_LETTERS))
    pc = [f"{d} {s}{a}{b}" for d, s, a, b in zip(
        dist, rng.integers(1, 10, len(per)), rng.choice(letters, len(per)),
        rng.choice(letters, len(per)), strict=True)]
    per["postcode"] = pc

    # ------------------------------------------------------------ report boroughs
    v1 = vr[vr.vno == 1].drop_duplicates("rid").set_index("rid").pid
    rep["borough_i"] = per.borough.reindex(v1.reindex(rep.rid).to_numpy()).to_numpy()
    rep["borough"] = [BOROUGHS[int(b)].name for b in rep.borough_i]

    # ------------------------------------------------------------ recorded values
    n = len(ppl)
    g_rec = per.gender.reindex(ppl.pid).to_numpy().astype(object)
    ic_rec = per.ic.reindex(ppl.pid).to_numpy().astype(object)
    dob_rec = ppl.dob.to_numpy("datetime64[D]").copy()
    sde_rec = np.where(rng.random(n) < 0.5, per.sde.reindex(ppl.pid).to_numpy(), None)
    calibrated = np.zeros(n, bool)
    inP = rep.year.reindex(ppl.rid).to_numpy() == "P"
    rdv = rep.dv.reindex(ppl.rid).to_numpy(bool)
    rcrime = (rep.cls.reindex(ppl.rid) == "crime").to_numpy()
    vict = (ppl.role == "victim").to_numpy()
    pc_rows = vict & inP & rdv & rcrime
    unit = un.reindex(ppl.pid[pc_rows])
    g_rec[pc_rows] = unit.rec_gender.to_numpy()
    ic_rec[pc_rows] = unit.rec_ic.to_numpy()
    calibrated |= pc_rows
    unk = pc_rows.copy()
    unk[pc_rows] = (unit.group == codes.UNRECORDED).to_numpy()
    dob_rec[unk] = np.datetime64("NaT")
    fm_rows = vict & ppl.pid.isin(fa.index).to_numpy()
    fav = fa.reindex(ppl.pid[fm_rows])
    g_rec[fm_rows] = fav.gender.to_numpy()
    ic_rec[fm_rows] = fav.ic.to_numpy()
    sde_rec[fm_rows] = fav.sde.where(fav.sde != codes.UNRECORDED, None).to_numpy()
    calibrated |= fm_rows
    # Accused: every involvement row at the latest outcome date records the profile values.
    last_date = inv.groupby("pid").date.max()
    top = inv[inv.date.to_numpy() == last_date.reindex(inv.pid).to_numpy()]
    srow_pos = pd.Series(np.flatnonzero(ppl.srow.to_numpy() >= 0),
                         index=ppl.srow[ppl.srow >= 0].to_numpy())
    rows = srow_pos.reindex(top.srow).to_numpy()
    a = acc.reindex(top.pid)
    g_rec[rows] = a.g.to_numpy()
    ic_rec[rows] = a.ic.to_numpy()
    dob_rec[rows[(a.grp == codes.UNRECORDED).to_numpy()]] = np.datetime64("NaT")
    calibrated[rows] = True
    hs_rows = (~vict) & ppl.pid.isin(hom_s_pids).to_numpy()
    calibrated |= hs_rows
    free = ~calibrated
    g_rec[free & (rng.random(n) < 0.01)] = codes.GENDER_DEFAULT
    ic_rec[free & (rng.random(n) < 0.02)] = codes.ETHNIC_APPEARANCE_DEFAULT
    # Date-of-birth noise that keeps the age at the report.
    applied = np.full(n, "", dtype=object)
    ages = age_at(dob_rec, ref)
    has_dob = ~np.isnat(dob_rec)
    ur = rng.random((n, 2))
    swap_cand = has_dob & (ur[:, 0] < noise_mod.NOISE["dob_day_month_swap"])
    y = dob_rec.astype("datetime64[Y]").astype(int) + 1970
    mo = dob_rec.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (dob_rec - dob_rec.astype("datetime64[M]")).astype(int) + 1
    for i in np.flatnonzero(swap_cand & (dd <= 12) & (dd != mo)):
        new = np.datetime64(dt.date(int(y[i]), int(dd[i]), int(mo[i])))
        if age_at(np.array([new]), ref[i:i + 1])[0] == ages[i]:
            dob_rec[i] = new
            applied[i] += "dob_day_month_swap;"
    age_only = has_dob & (ur[:, 1] < noise_mod.NOISE["dob_missing_age_only"])
    age_col = np.full(n, None, dtype=object)
    age_col[age_only] = ages[age_only]
    dob_rec[age_only] = np.datetime64("NaT")
    applied[age_only] += "dob_missing_age_only;"
    ppl["gender"] = g_rec
    ppl["ethnic_appearance"] = ic_rec
    ppl["self_defined_ethnicity"] = sde_rec
    ppl["date_of_birth"] = dob_rec
    ppl["age"] = age_col
    ppl["surname"] = per.surname.reindex(ppl.pid).to_numpy()
    ppl["forenames"] = per.forenames.reindex(ppl.pid).to_numpy()
    # Postcode: most rows give the home postcode; some are blank.
    pcs = per.postcode.reindex(ppl.pid).to_numpy().astype(object)
    pcs[rng.random(n) < 0.06] = None
    ppl["postcode"] = pcs
    cross_rows = (rep.kind.reindex(ppl.rid) == "cross").to_numpy()
    applied += noise_mod.apply_name_noise(ppl, rng, protected=cross_rows).to_numpy()
    # Arrest dates.
    arr = np.zeros(n, bool)
    arr[ppl.srow.to_numpy() >= 0] = sr.arrested.to_numpy()[ppl.srow[ppl.srow >= 0]]
    occ = rep.occ.reindex(ppl.rid).to_numpy("datetime64[D]")
    lag = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 21, n))
    ppl["arrest_date"] = np.where(arr, occ + lag * D, np.datetime64("NaT"))
    ppl["arrested"] = arr
    ppl["noise_applied"] = applied
    _repair_surname_method(ppl, rep, prof, c)

    # ------------------------------------------------------------ ids
    year_tag = np.where(rep.year == "P", f"{prof.start.year % 100:02d}",
                        f"{(prof.start.year - 1) % 100:02d}")
    rid_str = pd.Series([f"{5000000 + r:07d}/{t}" for r, t in zip(rep.rid, year_tag,
                                                                   strict=True)],
                        index=rep.rid)
    ppl = ppl.sort_values(["rid", "role", "vno"], ascending=[True, False, True],
                          kind="stable").reset_index(drop=True)
    ppl["person_id"] = [f"P{i + 1:07d}" for i in range(len(ppl))]
    perm = rng.permutation(len(per))
    nominal = pd.Series([f"N{30000000 + i * 7 + 3:09d}" for i in perm], index=per.index)
    nom = nominal.reindex(ppl.pid).to_numpy().astype(object)
    nu = rng.random(len(ppl))
    nom[nu < noise_mod.NOISE["nominal_missing"]] = None
    applied_s = pd.Series(applied, index=range(n))
    ppl["noise"] = ""  # re-aligned below (rows were re-sorted)
    # Shared nominal ids: a few persons carry another person's id on all their rows.
    k_sh = max(1, round(noise_mod.NOISE["nominal_shared"] * len(per)))
    a_, b_ = rng.choice(per.index.to_numpy(), (2, k_sh), replace=False)
    share_map = dict(zip(b_.tolist(), nominal.reindex(a_).tolist(), strict=True))
    sh = ppl.pid.isin(share_map).to_numpy() & (nom != None)  # noqa: E711
    nom[sh] = ppl.pid[sh].map(share_map).to_numpy()
    k_2 = max(1, round(noise_mod.NOISE["nominal_second"] * len(per)))
    two = rng.choice(per.index.to_numpy(), k_2, replace=False)
    first_rows = ppl[ppl.pid.isin(two)].drop_duplicates("pid").index.to_numpy()
    nom[first_rows] = [f"N{90000000 + i:09d}" for i in range(len(first_rows))]
    ppl["nominal_id"] = nom
    del applied_s

    people = pd.DataFrame({
        "person_id": ppl.person_id, "report_id": rid_str.reindex(ppl.rid).to_numpy(),
        "role": ppl.role, "nominal_id": ppl.nominal_id, "surname": ppl.surname,
        "forenames": ppl.forenames, "date_of_birth": ppl.date_of_birth, "age": ppl.age,
        "gender": ppl.gender, "ethnic_appearance": ppl.ethnic_appearance,
        "self_defined_ethnicity": ppl.self_defined_ethnicity, "postcode": ppl.postcode,
        "arrest_date": ppl.arrest_date,
    })
    truth = pd.DataFrame({"person_id": ppl.person_id,
                          "true_person_id": [f"T{p:08d}" for p in ppl.pid],
                          "noise": _noise_labels(ppl, sh, first_rows, nu)})
    pid_of_srow = pd.Series(ppl.person_id.to_numpy()[ppl.srow >= 0],
                            index=ppl.srow[ppl.srow >= 0].to_numpy())

    # ------------------------------------------------------------ relationships
    rel = _relationships(rng, rep, ppl, per)
    relationships = pd.DataFrame({
        "report_id": rid_str.reindex(rel.rid).to_numpy(),
        "victim_person_id": rel.victim_person_id, "suspect_person_id": rel.suspect_person_id,
        "relationship": rel.relationship})

    # ------------------------------------------------------------ reports
    cad = _cad(rng, rep, rid_str)
    reports = pd.DataFrame({
        "report_id": rid_str.to_numpy(), "borough": rep.borough.to_numpy(),
        "recorded_date": rep.rec.to_numpy(),
        "occurred_date": np.where(rep.occ_blank, np.datetime64("NaT"), rep.occ),
        "classification": rep.cls.to_numpy(), "offence": rep.offence.to_numpy(),
        "dv_flag": rep.dv.to_numpy(), "fm_flag": rep.fm.to_numpy(),
        "hbv_flag": rep.hbv.to_numpy(), "cad_ref": rep.cad_ref.to_numpy(),
    })
    outcomes = pd.DataFrame({
        "report_id": rid_str.reindex(out.rid).to_numpy(),
        "person_id": np.where(out.named, pid_of_srow.reindex(out.srow).to_numpy(), None),
        "outcome_type": out.type.to_numpy(), "outcome_date": out.date.to_numpy(),
    }).sort_values(["report_id", "outcome_date"], kind="stable")
    tables = {
        "reports": reports, "people": people, "relationships": relationships,
        "outcomes": outcomes,
        "risk_assessments": _risk(rng, prof, rep, rid_str),
        "cad_calls": cad,
        "cps_cases": _cps(rng, prof, rep, out, rid_str),
        "homicide_reviews": _reviews(rng, prof, rep, rid_str),
        "population": population_table(),
        "targets": targets_table(prof),
    }
    return Built(tables, truth)


def _noise_labels(ppl, shared, second_rows, nu) -> list[str]:
    lab = ppl.get("noise_applied")
    base = np.full(len(ppl), "", dtype=object) if lab is None else lab.to_numpy()
    base = base.copy()
    base[nu < noise_mod.NOISE["nominal_missing"]] += "nominal_missing;"
    base[shared] += "nominal_shared;"
    base[second_rows] += "nominal_second;"
    return [s.rstrip(";") for s in base]


def _repair_surname_method(ppl, rep, prof, c) -> None:
    """Only the planned dual-arrest incidents may meet the 2008 surname method: on any other
    DV report of the year with two arrested suspects and a shared surname, the second
    suspect was not arrested after all (the report stays arrested)."""
    inP = rep.year.reindex(ppl.rid).to_numpy() == "P"
    rdv = rep.dv.reindex(ppl.rid).to_numpy(bool)
    norm = ppl.surname.fillna("").str.lower().str.replace(r"\s+", "", regex=True)
    frame = pd.DataFrame({"rid": ppl.rid, "norm": norm, "role": ppl.role})
    sus_m = (ppl.role == "suspect") & ppl.arrested & inP & rdv
    cnt = ppl.rid[sus_m].value_counts()
    multi = set(cnt.index[cnt >= 2]) - set(rep.rid[rep.kind == "cross"])
    f = frame[frame.rid.isin(multi) & (frame.norm != "")]
    hit = f[f.role == "victim"].merge(f[f.role == "suspect"], on=["rid", "norm"])
    bad = set(hit.rid)
    rows = ppl[sus_m & ppl.rid.isin(bad)].sort_values(["rid", "srow"])
    drop = rows.index[rows.groupby("rid").cumcount() > 0]
    ppl.loc[drop, "arrested"] = False
    ppl.loc[drop, "arrest_date"] = np.datetime64("NaT")


def _relationships(rng, rep, ppl, per) -> pd.DataFrame:
    v = ppl[ppl.role == "victim"][["rid", "pid", "person_id", "vno", "dob", "ref"]]
    s = ppl[ppl.role == "suspect"][["rid", "pid", "person_id", "srow", "dob"]]
    pairs = v.merge(s, on="rid", suffixes=("_v", "_s"))
    pairs = pairs[pairs.pid_v != pairs.pid_s]
    reason = rep.reason.reindex(pairs.rid).to_numpy()
    kind = rep.kind.reindex(pairs.rid).to_numpy()
    pairs = pairs[~np.isin(reason, ["relationship_unrecorded", "no_suspect"])]
    reason = rep.reason.reindex(pairs.rid).to_numpy()
    kind = rep.kind.reindex(pairs.rid).to_numpy()
    ref = pairs.ref.to_numpy("datetime64[D]")
    av = age_at(pairs.dob_v.to_numpy("datetime64[D]"), ref)
    as_ = age_at(pairs.dob_s.to_numpy("datetime64[D]"), ref)
    diff = np.where(np.isnat(pairs.dob_v.to_numpy("datetime64[D]"))
                    | np.isnat(pairs.dob_s.to_numpy("datetime64[D]")), 0, as_ - av)
    # One draw per couple so the same couple keeps its relationship.
    key = (pairs.pid_v.to_numpy() * 7919 + pairs.pid_s.to_numpy()) % 1000003
    r = (key * 2654435761 % 2**32) / 2**32
    intimate = np.array(list(INTIMATE_W))
    ip = np.cumsum(list(INTIMATE_W.values()))
    ip = ip / ip[-1]
    code = intimate[np.searchsorted(ip, r)].astype(object)
    code[(np.abs(diff) < 16) & (r < 0.06)] = "sibling"
    code[diff >= 16] = np.where(r[diff >= 16] < 0.8, "parent", "parent_in_law")
    code[diff <= -16] = np.where(r[diff <= -16] < 0.8, "child", "child_in_law")
    code[reason == "juvenile_suspect"] = "child"
    code[reason == "extended_family"] = "extended_family"
    nd = reason == "non_domestic"
    code[nd] = _w(rng, NON_DOMESTIC_W, nd.sum())
    fmk = np.isin(kind, ["fm_adult", "fm_child", "fm_ndv"])
    code[fmk] = np.where(r[fmk] < 0.8, "parent", "sibling")
    second = pairs.srow.map(lambda x: x).to_numpy()
    del second
    vno2 = pairs.vno.to_numpy() == 2
    code[vno2 & (kind == "two_victim")] = "parent"
    cross = kind == "cross"
    code[cross] = np.where(r[cross] < 0.5, "spouse", "partner")
    # Second suspects: a friend of the main suspect.
    main_srow = ppl[ppl.role == "suspect"].groupby("rid").srow.min()
    is_second = pairs.srow.to_numpy() != main_srow.reindex(pairs.rid).to_numpy()
    code[is_second & ~cross] = "acquaintance"
    out = pd.DataFrame({"rid": pairs.rid, "victim_person_id": pairs.person_id_v,
                        "suspect_person_id": pairs.person_id_s, "relationship": code})
    # Second victims are related to the main suspect only.
    return out[~(is_second & vno2)]


def _cad(rng, rep, rid_str) -> pd.DataFrame:
    n = len(rep)
    has = rng.random(n) < 0.85
    hours = rng.choice(24, n, p=_hour_p())
    minutes = rng.integers(0, 60, n)
    at = rep.occ.to_numpy("datetime64[D]").astype("datetime64[m]") + (hours * 60 + minutes) \
        .astype("timedelta64[m]")
    at = np.maximum(at, rep.occ.to_numpy("datetime64[D]").astype("datetime64[m]"))
    ids = np.array([f"CAD{i:08d}" for i in range(n)], dtype=object)
    rep["cad_ref"] = np.where(has, ids, None)
    dv_rel = np.where(rep.dv, rng.random(n) < 0.97, rng.random(n) < 0.3)
    calls = pd.DataFrame({"call_id": ids[has], "borough": rep.borough.to_numpy()[has],
                          "received_at": at[has], "dv_related": dv_rel[has],
                          "report_id": rid_str.to_numpy()[has]})
    # Calls closed as DV that raised no report.
    k = round(0.45 * rep.dv.sum())
    src = rng.choice(n, k)
    extra = pd.DataFrame({
        "call_id": [f"CAD{n + i:08d}" for i in range(k)],
        "borough": rep.borough.to_numpy()[src],
        "received_at": rep.rec.to_numpy("datetime64[D]")[src].astype("datetime64[m]")
        + rng.integers(0, 1440, k).astype("timedelta64[m]"),
        "dv_related": True, "report_id": None})
    return pd.concat([calls, extra], ignore_index=True).sort_values("received_at",
                                                                   kind="stable")


def _hour_p() -> np.ndarray:
    h = np.arange(24)
    w = 1 + 1.6 * np.exp(-((h - 22) % 24) ** 2 / 18) + 0.8 * np.exp(-((h - 2) % 24) ** 2 / 6)
    return w / w.sum()


def _risk(rng, prof, rep, rid_str) -> pd.DataFrame:
    """Book 124D compliance: exact force-wide and in the best borough; others spread."""
    dvp = rep[(rep.year == "P") & rep.dv]
    rate_force = prof.rates.get("risk_assessment_compliance")
    want = round(rate_force * len(dvp))
    best, best_rate = prof.compliance_best
    per_b = dvp.groupby("borough").size()
    take = {}
    if best in per_b.index:
        take[best] = round(best_rate * per_b[best])
    others = [b for b in per_b.index if b != best]
    f = rng.uniform(0.55, 0.92, len(others))
    rest = want - sum(take.values())
    caps = per_b[others].to_numpy()
    alloc = _apportion(rest, dict(zip(others, caps * f, strict=True)))
    for b, cap in zip(others, caps, strict=True):
        alloc[b] = min(alloc[b], int(cap))
    short = rest - sum(alloc.values())
    for b, cap in zip(others, caps, strict=True):
        add = min(short, int(cap) - alloc[b])
        alloc[b] += add
        short -= add
    take.update(alloc)
    chosen = []
    for b, k in take.items():
        idx = dvp.index[dvp.borough == b].to_numpy()
        chosen.append(rng.choice(idx, k, replace=False))
    lp = rep[(rep.year != "P") & rep.dv]
    chosen.append(lp.index.to_numpy()[rng.random(len(lp)) < 0.65])
    ri = np.concatenate(chosen)
    n = len(ri)
    level = _w(rng, RISK_LEVEL_SHARE, n)
    rec = rep.rec.to_numpy("datetime64[D]")[ri]
    date = rec + rng.integers(0, 3, n) * D
    dash = (rec >= np.datetime64("2008-01-01")) & (rng.random(n) < 0.3)
    tool = np.where(dash, "dash", np.where(rng.random(n) < 0.03, "other", "specss"))
    answers = np.full(n, None, dtype=object)
    for i in np.flatnonzero(dash):
        lo, hi = DASH_YES_RANGE[level[i]]
        y = int(rng.integers(lo, hi + 1))
        rest_q = 27 - y
        unk = int(rng.integers(0, min(4, rest_q) + 1))
        chars = np.array(["Y"] * y + ["?"] * unk + ["N"] * (rest_q - unk))
        rng.shuffle(chars)
        answers[i] = "".join(chars)
    ra = pd.DataFrame({"report_id": rid_str.to_numpy()[ri], "assessed_date": date,
                       "tool": tool, "risk_level": level, "dash_answers": answers,
                       "quality_assured": rng.random(n) < 0.6})
    # Secondary assessments for medium and high risk (SOP: CSU reviews them).
    sec = ra[(ra.risk_level != "standard") & (rng.random(n) < 0.4)].copy()
    sec["assessed_date"] = sec.assessed_date + rng.integers(1, 15, len(sec)) * D
    sec["tool"] = "specss"
    sec["dash_answers"] = None
    sec["quality_assured"] = True
    return pd.concat([ra, sec], ignore_index=True)


def _cps(rng, prof, rep, out, rid_str) -> pd.DataFrame:
    P0, P1 = np.datetime64(prof.start), np.datetime64(prof.end)
    dvr = rep.dv.reindex(out.rid).to_numpy(bool)
    ch = out[(out.type == 1) & dvr].drop_duplicates("rid")
    n = len(ch)
    charge_date = ch.date.to_numpy("datetime64[D]")
    referred = charge_date - rng.integers(0, 4, n) * D
    pros = charge_date + rng.integers(1, 40, n) * D
    in_p = (pros >= P0) & (pros <= P1)
    target = prof.counts["cps_dv_prosecutions"]
    idx = np.flatnonzero(in_p)
    if len(idx) < target:
        raise RuntimeError("too few charges for the CPS prosecutions")
    keep = np.zeros(n, bool)
    keep[rng.choice(idx, target, replace=False)] = True
    flagged = np.where(in_p, keep, rng.random(n) < 0.9)
    prosecuted = np.where(in_p, keep | (rng.random(n) < 0.5), rng.random(n) < 0.7)
    # Cases prosecuted in the year but not flagged: the CPS's own flag was missed.
    flagged = np.where(in_p & ~keep & prosecuted, False, flagged)
    outcome = np.where(prosecuted, _w(rng, {"convicted": 70, "acquitted": 12,
                                            "discontinued": 15, "": 3}, n), "")
    cases = pd.DataFrame({
        "report_id": rid_str.reindex(ch.rid).to_numpy(),
        "borough": rep.borough.reindex(ch.rid).to_numpy(),
        "dv_flagged": flagged, "referred_date": referred, "decision": "charge",
        "prosecution_date": np.where(prosecuted, pros, np.datetime64("NaT")),
        "outcome": np.where(outcome == "", None, outcome)})
    # Referrals without a charge: no further action, or a caution advised.
    arr = rep[rep.dv & (rep.cls == "crime") & rep.arrested & ~rep.rid.isin(ch.rid)]
    nfa = arr.sample(frac=0.12, random_state=int(rng.integers(1 << 30)))
    k = len(nfa)
    more = pd.DataFrame({
        "report_id": rid_str.reindex(nfa.rid).to_numpy(), "borough": nfa.borough.to_numpy(),
        "dv_flagged": rng.random(k) < 0.9,
        "referred_date": nfa.rec.to_numpy("datetime64[D]") + rng.integers(1, 30, k) * D,
        "decision": _w(rng, {"no_further_action": 75, "caution_advised": 20, "other": 5}, k),
        "prosecution_date": np.datetime64("NaT"), "outcome": None})
    allc = pd.concat([cases, more.astype({"prosecution_date": "datetime64[s]",
                                          "outcome": object})], ignore_index=True)
    allc.loc[rng.random(len(allc)) < 0.05, "report_id"] = None
    allc.insert(0, "cps_urn", [f"01MP{700000 + i:07d}" for i in range(len(allc))])
    return allc


def _reviews(rng, prof, rep, rid_str) -> pd.DataFrame:
    P0, P1 = np.datetime64(prof.start), np.datetime64(prof.end)
    hom = rep[rep.kind == "homicide"].sort_values("rec")
    k = prof.counts["homicide_reviews_started"]
    rec = hom.rec.to_numpy("datetime64[D]")
    cand = np.flatnonzero(rec <= P1 - 7 * D)
    pick = np.sort(rng.choice(cand[-(k + 6):] if len(cand) > k + 6 else cand, k,
                              replace=False))
    lo = np.maximum(rec[pick] + 7 * D, P0)
    span = np.maximum((np.minimum(rec[pick] + 120 * D, P1) - lo).astype(int), 0)
    start = lo + (rng.random(k) * (span + 1)).astype(int) * D
    done = np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")
    fin = rng.choice(k, min(k, max(1, round(k * 6 / 19))), replace=False)
    done[fin] = start[fin] + rng.integers(60, 200, len(fin)) * D
    rv = pd.DataFrame({"review_id": [f"DHR-{i + 1:03d}" for i in range(k)],
                       "report_id": rid_str.reindex(hom.rid.to_numpy()[pick]).to_numpy(),
                       "started_date": start, "completed_date": done})
    # Reviews of the other homicides, started outside the year.
    other = np.setdiff1d(np.arange(len(hom)), pick)
    o_start = rec[other] + rng.integers(20, 90, len(other)) * D
    o_ok = (o_start < P0) | (o_start > P1)
    extra = pd.DataFrame({
        "review_id": [f"DHR-{k + i + 1:03d}" for i in range(o_ok.sum())],
        "report_id": rid_str.reindex(hom.rid.to_numpy()[other][o_ok]).to_numpy(),
        "started_date": o_start[o_ok],
        "completed_date": np.full(o_ok.sum(), np.datetime64("NaT"), dtype="datetime64[D]")})
    return pd.concat([rv, extra], ignore_index=True)


def population_table() -> pd.DataFrame:
    rows = []
    for b in BOROUGHS:
        total = b.population * 1000
        ic = dict(zip(codes.POPULATION_ETHNIC_APPEARANCES, b.ic, strict=True))
        for g, gs in GENDER_SHARE.items():
            for a, s in AGE_SHARE.items():
                cell = _apportion(round(total * gs * s), ic)
                for k, v in cell.items():
                    rows.append((b.name, g, a, k, v))
    return pd.DataFrame(rows, columns=["borough", "gender", "age_band", "ethnic_appearance",
                                       "population"])


def targets_table(prof) -> pd.DataFrame:
    rows = []
    for ind, by_year in prof.targets.items():
        for label, value in by_year.items():
            y = int(label[:4])
            rows.append((ind, codes.FORCE_WIDE_BOROUGH, dt.date(y, 4, 1), dt.date(y + 1, 3, 31),
                         value, codes.TARGET_DIRECTION_DEFAULT))
    return pd.DataFrame(rows, columns=["indicator", "borough", "period_start", "period_end",
                                       "target", "direction"])
