"""Version-2 steps, part 2: protective notices and orders, Clare's Law, perpetrator
programmes (paras 76-78). Each exists only where and when the law had it (v2_timing.ERAS).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvpi.synth.state import SynthState
from dvpi.synth.v2_inputs import (
    between_years,
    calendar_dates,
    calendar_years,
    choose,
    date_column,
    extract_day,
    ids,
)
from dvpi.synth.v2_parameters import (
    BREACHED_OTHER,
    DAPN_PER_ARRESTED_REPORT,
    DAPO_APPLIED_AFTER_DAPN,
    DAPO_BREACHED,
    DAPO_OUTCOME,
    DVDS_DISCLOSED,
    DVDS_PER_DV_CRIME,
    DVDS_WITHDRAWN,
    DVPN_BREACHED,
    DVPN_PER_ARRESTED_REPORT,
    DVPO_APPLIED_AFTER_DVPN,
    DVPO_BREACHED,
    DVPO_OUTCOME,
    NON_MOLESTATION_OUTCOME,
    NON_MOLESTATION_PER_DV_REPORT,
    PROGRAMME_ENDINGS,
    PROGRAMME_ORDER_MONTHS,
    PROGRAMME_OTHER_BEFORE_BBR,
    PROGRAMME_PER_CONVICTION,
    PROGRAMME_WOMEN,
    RESTRAINING_ACQUITTALS,
    RESTRAINING_CONVICTIONS,
    RESTRAINING_HARASSMENT_CONVICTIONS,
    RESTRAINING_OUTCOME,
    STALKING_PROTECTION_OUTCOME,
    STALKING_PROTECTION_PER_HARASSMENT_REPORT,
)
from dvpi.synth.v2_timing import ONE_DAY, court_days, draw_dates, draw_days, in_force

NAT = np.datetime64("NaT")
_ORDER_COLUMNS = ("borough", "order_type", "report_id", "person_id", "applied_date",
                  "outcome", "first_breach_date")


def _main_suspects(state: SynthState) -> pd.DataFrame:
    """The first suspect row of every DV-flagged report, when an adult (or of unknown
    age): notices, orders and programmes here are for adults."""
    people = state.v2_people
    return people[people.main_suspect & people.dv & ~(people.age < 18)].reset_index(drop=True)


def _orders(state: SynthState, order_type: str, rows: pd.DataFrame, applied: np.ndarray,
            outcomes: dict[str, float] | None, breached: float, breach_delay: str,
            decided: np.ndarray | None = None) -> pd.DataFrame:
    """Order rows against ``rows`` (suspect rows) applied on ``applied``: decided on
    ``decided`` (default: some days after applying; a notice is granted when issued),
    blank when that is after the extract; a first breach for a share of the granted."""
    rng, extract, n = state.v2_rng, extract_day(state), len(rows)
    if outcomes is None:
        outcome, decided = np.full(n, "granted", dtype=object), applied
    else:
        outcome = choose(rng, outcomes, n)
        if decided is None:
            decided = draw_dates(rng, applied, "order_decision")
    outcome = np.where(decided > extract, None, outcome)
    breach = draw_dates(rng, decided, breach_delay)
    broken = (outcome == "granted") & (rng.random(n) < breached) & (breach <= extract)
    return pd.DataFrame({
        "borough": rows.borough.to_numpy(), "order_type": order_type,
        "report_id": rows.report_id.to_numpy(), "person_id": rows.person_id.to_numpy(),
        "applied_date": applied, "outcome": outcome,
        "first_breach_date": np.where(broken, breach, NAT)})


def _notices(state: SynthState, suspects: pd.DataFrame, calendar: np.ndarray,
             notice: str, order: str) -> list[pd.DataFrame]:
    """Police notices (DVPN or DAPN) on arrest where the law has them, and the court
    orders (DVPO or DAPO) applied for within 48 hours of most of them."""
    rng = state.v2_rng
    if notice == "dvpn":
        rate, after, outcomes, breached = (DVPN_PER_ARRESTED_REPORT, DVPO_APPLIED_AFTER_DVPN,
                                           DVPO_OUTCOME, DVPO_BREACHED)
        allowed = in_force("dvpn", calendar, state.force, suspects.borough) \
            & ~in_force("dapn", calendar, state.force, suspects.borough)
    else:
        rate, after, outcomes, breached = (DAPN_PER_ARRESTED_REPORT, DAPO_APPLIED_AFTER_DAPN,
                                           DAPO_OUTCOME, DAPO_BREACHED)
        allowed = in_force("dapn", calendar, state.force, suspects.borough)
    issued = suspects.arrested.to_numpy("datetime64[D]")
    take = allowed & (rng.random(len(suspects)) < rate) & (issued <= extract_day(state))
    rows, issued = suspects[take], issued[take]
    notices = _orders(state, notice, rows, issued, None, DVPN_BREACHED, "notice_breach")
    applied = court_days(draw_dates(rng, issued, "notice_to_order"))
    go = (rng.random(len(rows)) < after) & (applied <= extract_day(state))
    delay = "dvpo_breach" if order == "dvpo" else "first_breach"
    orders = _orders(state, order, rows[go], applied[go], outcomes, breached, delay,
                     decided=applied[go])
    return [notices, orders]


def write_protective_orders(state: SynthState) -> None:
    """Non-molestation orders (any year), restraining orders on conviction (any offence
    and on acquittal only from 30 September 2009), DVPNs/DVPOs (from March 2014),
    DAPNs/DAPOs (pilot areas from November 2024), stalking protection orders (from
    January 2020)."""
    rng, extract = state.v2_rng, extract_day(state)
    suspects = _main_suspects(state)
    recorded = suspects.recorded.to_numpy("datetime64[D]")
    calendar = calendar_dates(state, recorded)
    n_dv = state.tables["reports"].dv_flag.sum()
    applied = court_days(draw_dates(rng, recorded, "civil_order_after_report"))
    take = (rng.random(len(suspects)) < NON_MOLESTATION_PER_DV_REPORT * n_dv
            / max(1, len(suspects))) & (applied <= extract)
    parts = [_orders(state, "non_molestation", suspects[take], applied[take],
                     NON_MOLESTATION_OUTCOME, BREACHED_OTHER, "first_breach")]
    parts.append(_restraining_orders(state))
    arrested = suspects[~np.isnat(suspects.arrested.to_numpy("datetime64[D]"))]
    arrest_calendar = calendar_dates(state, arrested.arrested.to_numpy("datetime64[D]"))
    for notice, order in (("dvpn", "dvpo"), ("dapn", "dapo")):
        parts += _notices(state, arrested, arrest_calendar, notice, order)
    harassment = suspects.offence.isin(["harassment", "stalking"]).to_numpy()
    applied = court_days(draw_dates(rng, recorded, "civil_order_after_report"))
    take = harassment & in_force("stalking_protection", calendar) & (applied <= extract) \
        & (rng.random(len(suspects)) < STALKING_PROTECTION_PER_HARASSMENT_REPORT)
    parts.append(_orders(state, "stalking_protection", suspects[take], applied[take],
                         STALKING_PROTECTION_OUTCOME, BREACHED_OTHER, "first_breach"))
    orders = pd.concat(parts, ignore_index=True).sort_values("applied_date", kind="stable")
    orders.insert(0, "order_id", ids("PO", len(orders)))
    orders["applied_date"] = date_column(orders.applied_date.to_numpy())
    orders["first_breach_date"] = date_column(orders.first_breach_date.to_numpy())
    state.tables["protective_orders"] = orders.reset_index(drop=True)


def date_court_outcomes(state: SynthState) -> None:
    """Finished CPS cases pointing at a DV report, with that report's main suspect and the
    day the court finished (sentence or acquittal), some weeks after the prosecution
    began: the day of a restraining order and of a programme requirement."""
    cps = state.tables["cps_cases"]
    cases = cps[cps.outcome.isin(["convicted", "acquitted"]) & cps.report_id.notna()
                & cps.prosecution_date.notna()]
    cases = cases.merge(_main_suspects(state), on="report_id", suffixes=("_cps", ""))
    sentenced = court_days(draw_dates(state.v2_rng,
                                      cases.prosecution_date.to_numpy("datetime64[D]"),
                                      "sentence_after_first_hearing"))
    state.v2_court_cases = cases.assign(sentenced=sentenced).reset_index(drop=True)


def _restraining_orders(state: SynthState) -> pd.DataFrame:
    rng, cases = state.v2_rng, state.v2_court_cases
    sentenced = cases.sentenced.to_numpy("datetime64[D]")
    any_offence = in_force("restraining_any_offence", calendar_dates(state, sentenced))
    convicted = cases.outcome.to_numpy() == "convicted"
    harassment = cases.offence.isin(["harassment", "stalking"]).to_numpy()
    p = np.where(any_offence, np.where(convicted, RESTRAINING_CONVICTIONS,
                                       RESTRAINING_ACQUITTALS),
                 np.where(convicted & harassment, RESTRAINING_HARASSMENT_CONVICTIONS, 0.0))
    take = (rng.random(len(cases)) < p) & (sentenced <= extract_day(state))
    return _orders(state, "restraining", cases[take], sentenced[take], RESTRAINING_OUTCOME,
                   BREACHED_OTHER, "first_breach", decided=sentenced[take])


def write_disclosures(state: SynthState) -> None:
    """Clare's Law applications (right to ask) and police-initiated cases (right to know)
    from March 2014, at rates per DV crime, in the boroughs and seasons of the DV crimes;
    decided within weeks (the guidance's limit: 28 days), a few withdrawn."""
    rng, extract = state.v2_rng, extract_day(state)
    reports = state.tables["reports"]
    crimes = reports[reports.dv_flag & (reports.classification == "crime")]
    parts = []
    for route, rate in DVDS_PER_DV_CRIME.items():
        anchor = crimes[rng.random(len(crimes)) < rate]
        received = draw_dates(rng, anchor.recorded_date.to_numpy("datetime64[D]"),
                              "dvds_after_report")
        ok = in_force("dvds", calendar_dates(state, received), state.force,
                      anchor.borough.to_numpy()) & (received <= extract)
        n = int(ok.sum())
        withdrawn = rng.random(n) < DVDS_WITHDRAWN
        disclosed = rng.random(n) < DVDS_DISCLOSED[route]
        decision = np.where(withdrawn, "withdrawn",
                            np.where(disclosed, "disclosed", "not_disclosed")).astype(object)
        decided = draw_dates(rng, received[ok], f"dvds_{route}")
        pending = decided > extract
        parts.append(pd.DataFrame({
            "borough": anchor.borough.to_numpy()[ok], "route": route,
            "received_date": received[ok], "decision": np.where(pending, None, decision),
            "decision_date": np.where(pending, NAT, decided)}))
    table = pd.concat(parts, ignore_index=True).sort_values("received_date", kind="stable")
    table.insert(0, "request_id", ids("DVDS", len(table)))
    table["received_date"] = date_column(table.received_date.to_numpy())
    table["decision_date"] = date_column(table.decision_date.to_numpy())
    state.tables["disclosures"] = table.reset_index(drop=True)


def _programmes(state: SynthState, ordered: np.ndarray) -> np.ndarray:
    """IDAP (or, outside London, CDVP as `other`) until BBR took over between 2011 and
    2015; BBR to mid-2023; then Building Choices, written `other`."""
    rng, n = state.v2_rng, len(ordered)
    calendar = calendar_dates(state, ordered)
    years = calendar_years(state, ordered)
    u = rng.random(n)
    bbr_share = between_years({2011: 0.0, 2015: 1.0}, years)
    london = state.force in (None, "Metropolitan")
    before = np.where(london | (u >= PROGRAMME_OTHER_BEFORE_BBR), "idap", "other")
    both = in_force("idap", calendar) & in_force("bbr", calendar)
    programme = np.where(in_force("bbr", calendar) & (~both | (u < bbr_share)), "bbr", before)
    return np.where(in_force("building_choices", calendar), "other", programme)


def write_programme_requirements(state: SynthState) -> None:
    """Programme requirements on 12% of men's DV convictions, ordered at sentence; the order
    runs 12-36 months; the wait for a place (27 weeks on average in 2008-09) sometimes
    outlasts it (para 78: `expired_before_start`); of those who start, most complete."""
    rng, extract = state.v2_rng, extract_day(state)
    cases = state.v2_court_cases
    cases = cases[cases.outcome.to_numpy() == "convicted"]
    ordered = cases.sentenced.to_numpy("datetime64[D]")
    # IDAP and BBR are for men; women are ordered to fewer, other programmes.
    men = cases.gender.to_numpy() == "M"
    p = np.where(men, PROGRAMME_PER_CONVICTION, PROGRAMME_PER_CONVICTION * PROGRAMME_WOMEN)
    take = (rng.random(len(cases)) < p) & (ordered <= extract)
    cases, ordered, men = cases[take], ordered[take], men[take]
    n = len(cases)
    months = choose(rng, PROGRAMME_ORDER_MONTHS, n).astype(int)
    expiry = ordered + np.round(months * 30.44).astype(int) * ONE_DAY
    early = calendar_years(state, ordered) < 2011
    wait = np.where(early, draw_days(rng, "programme_wait_2008", n),
                    draw_days(rng, "programme_wait_later", n))
    started = ordered + wait
    ending = choose(rng, PROGRAMME_ENDINGS, n)
    length = {k: draw_days(rng, f"programme_{k}" if k != "other" else "programme_other_end",
                           n) for k in PROGRAMME_ENDINGS}
    which = pd.Series(ending).map({k: i for i, k in enumerate(PROGRAMME_ENDINGS)})
    ended = started + np.stack([length[k] for k in PROGRAMME_ENDINGS])[
        which.to_numpy(int), np.arange(n)]
    lapsed = started > expiry
    ending = np.where(lapsed, "expired_before_start", ending)
    ended = np.where(lapsed, expiry, ended)
    started = np.where(lapsed | (started > extract), NAT, started)
    running = ended > extract
    table = pd.DataFrame({
        "requirement_id": ids("PR", n), "person_id": cases.person_id.to_numpy(),
        "programme": np.where(men, _programmes(state, ordered), "other"),
        "ordered_date": date_column(ordered),
        "expiry_date": date_column(expiry), "started_date": date_column(started),
        "ended_date": date_column(np.where(running, NAT, ended)),
        "ended_reason": np.where(running, None, ending)})
    state.tables["programme_requirements"] = table
