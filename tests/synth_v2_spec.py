"""The version-2 additions of ``shared/spec/interchange-format.md``, copied here as test
data, and a structural check of a data folder against them.

The project's contract (``dvpi.contract``) is the other half of issue 15; until it
declares these tables the synthetic data does not write them. :func:`declared` adds the
spec's declarations to the contract for the length of a test (a table or column the
contract already declares is left as the contract has it), and :func:`problems` checks
what was written against the spec's own rules, without the project's loader.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dvpi.contract import TABLES, Column, Table

SCALE_CODES = ("completely_satisfied", "very_satisfied", "fairly_satisfied", "neither",
               "fairly_dissatisfied", "very_dissatisfied", "completely_dissatisfied")
SDE = ("W1", "W2", "W9", "M1", "M2", "M3", "M9", "A1", "A2", "A3", "A9", "B1", "B2", "B9",
       "O1", "O9", "NS", "NU")


def _c(name: str, kind: str, required: bool = False, codes: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, required, codes=codes)


NEW_COLUMNS: dict[str, tuple[Column, ...]] = {
    "cps_cases": (_c("decision_date", "date"),),
    "risk_assessments": (_c("stage", "code", codes=("primary", "secondary")),
                         _c("plan_recorded", "bool")),
}
NEW_TABLES: dict[str, tuple[Column, ...]] = {
    "bail": (
        _c("bail_id", "text", True), _c("person_id", "text", True),
        _c("kind", "code", True, ("pre_charge_bail", "released_under_investigation")),
        _c("start_date", "date", True), _c("end_date", "date"),
        _c("ended_by", "code", codes=("charge", "no_further_action",
                                      "out_of_court_disposal", "other"))),
    "protective_orders": (
        _c("order_id", "text", True), _c("borough", "text", True),
        _c("order_type", "code", True, ("dvpn", "dvpo", "dapn", "dapo", "non_molestation",
                                        "restraining", "stalking_protection", "other")),
        _c("report_id", "text"), _c("person_id", "text"), _c("applied_date", "date", True),
        _c("outcome", "code", codes=("granted", "refused", "withdrawn")),
        _c("first_breach_date", "date")),
    "disclosures": (
        _c("request_id", "text", True), _c("borough", "text", True),
        _c("route", "code", True, ("right_to_ask", "right_to_know")),
        _c("received_date", "date", True),
        _c("decision", "code", codes=("disclosed", "not_disclosed", "withdrawn")),
        _c("decision_date", "date")),
    "marac_cases": (
        _c("case_id", "text", True), _c("borough", "text", True),
        _c("conference_date", "date", True), _c("victim_ref", "text", True),
        _c("victim_person_id", "text"), _c("referral_date", "date"),
        _c("referring_agency", "code", codes=(
            "police", "idva", "health", "children_social_care", "adult_social_care",
            "housing", "probation", "education", "voluntary_sector", "other")),
        _c("criterion", "code", codes=("visible_high_risk", "professional_judgement",
                                       "potential_escalation", "other")),
        _c("victim_gender", "code", codes=("M", "F", "U")), _c("victim_age", "integer"),
        _c("victim_self_defined_ethnicity", "code", codes=SDE), _c("victim_lgbt", "bool"),
        _c("victim_disabled", "bool"), _c("children_in_household", "integer")),
    "support_referrals": (
        _c("referral_id", "text", True), _c("person_id", "text", True),
        _c("service", "code", True, ("idva", "isva", "victim_support", "refuge", "other")),
        _c("referral_date", "date", True), _c("engaged", "bool")),
    "victim_surveys": (
        _c("survey_id", "text", True), _c("person_id", "text", True),
        _c("interview_date", "date", True), _c("overall", "code", True, SCALE_CODES),
        *(_c(e, "code", codes=SCALE_CODES) for e in
          ("ease_of_contact", "actions_taken", "kept_informed", "treatment"))),
    "programme_requirements": (
        _c("requirement_id", "text", True), _c("person_id", "text", True),
        _c("programme", "code", True, ("idap", "bbr", "other")),
        _c("ordered_date", "date", True), _c("expiry_date", "date"),
        _c("started_date", "date"), _c("ended_date", "date"),
        _c("ended_reason", "code", codes=("completed", "breached", "expired_before_start",
                                          "revoked", "other"))),
}
KEYS = {"bail": "bail_id", "protective_orders": "order_id", "disclosures": "request_id",
        "marac_cases": "case_id", "support_referrals": "referral_id",
        "victim_surveys": "survey_id", "programme_requirements": "requirement_id"}
# person_id-like columns: (table, column) -> the role the people row must have.
PERSON_ROLES = {("bail", "person_id"): "suspect", ("protective_orders", "person_id"): "suspect",
                ("marac_cases", "victim_person_id"): "victim",
                ("support_referrals", "person_id"): "victim",
                ("victim_surveys", "person_id"): "victim",
                ("programme_requirements", "person_id"): "suspect"}


@contextlib.contextmanager
def declared() -> Iterator[None]:
    """The spec's version-2 tables and columns in the contract, for a test's length."""
    with pytest.MonkeyPatch.context() as mp:
        for name, columns in NEW_COLUMNS.items():
            table = TABLES[name]
            extra = tuple(c for c in columns if c.name not in table.column_names)
            mp.setitem(TABLES, name, dataclasses.replace(table, columns=table.columns + extra))
        for name, columns in NEW_TABLES.items():
            if name not in TABLES:
                mp.setitem(TABLES, name, Table(name, "version 2 (spec)", columns))
        yield


@contextlib.contextmanager
def undeclared() -> Iterator[None]:
    """The contract as version 1 had it (no version-2 tables or columns), for a test's
    length: what the synthesiser wrote before version 2."""
    with pytest.MonkeyPatch.context() as mp:
        for name, columns in NEW_COLUMNS.items():
            table = TABLES[name]
            new = {c.name for c in columns}
            mp.setitem(TABLES, name, dataclasses.replace(
                table, columns=tuple(c for c in table.columns if c.name not in new)))
        for name in NEW_TABLES:
            mp.delitem(TABLES, name, raising=False)
        yield


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.where(s != ""), format="%Y-%m-%d", errors="coerce")


# A date that may lie after the extract: when an order will run out.
PLANNED_DATES = {("programme_requirements", "expiry_date")}


def problems(folder: Path, last: dt.date) -> list[str]:
    """Every breach of the spec's version-2 rules in a written data folder (CSV), and
    dates before the earliest report's or (but for planned dates) after ``last`` (the
    extract)."""
    out: list[str] = []
    people = read(folder, "people").set_index("person_id")
    reports = read(folder, "reports")
    report_ids, boroughs = set(reports.report_id), set(reports.borough)
    first = min(_dates(reports.recorded_date).min(), _dates(reports.occurred_date).min())
    for name, columns in {**NEW_TABLES, **NEW_COLUMNS}.items():
        df = read(folder, name)
        for col in columns:
            if col.name not in df:
                out.append(f"{name}: no column {col.name}")
                continue
            s, blank = df[col.name], df[col.name] == ""
            if col.required and blank.any():
                out.append(f"{name}.{col.name}: {blank.sum()} blank")
            if col.codes and (bad := set(s[~blank]) - set(col.codes)):
                out.append(f"{name}.{col.name}: codes {sorted(bad)}")
            if col.type == "bool" and (bad := set(s[~blank]) - {"true", "false"}):
                out.append(f"{name}.{col.name}: booleans {sorted(bad)}")
            if col.type == "integer" and not s[~blank].str.fullmatch(r"\d+").all():
                out.append(f"{name}.{col.name}: not integers")
            if col.type == "date":
                d = _dates(s)
                if (d.isna() & ~blank).any():
                    out.append(f"{name}.{col.name}: unreadable dates")
                late = d > pd.Timestamp(last) if (name, col.name) not in PLANNED_DATES \
                    else d.isna() & False
                if ((d < first) | late).any():
                    out.append(f"{name}.{col.name}: dates outside {first.date()}..{last}")
        if name in KEYS and df[KEYS[name]].duplicated().any():
            out.append(f"{name}: duplicate {KEYS[name]}")
        if "borough" in df and not set(df.borough) <= boroughs:
            out.append(f"{name}: unknown boroughs")
        if "report_id" in df and name in NEW_TABLES and \
                not set(df.report_id[df.report_id != ""]) <= report_ids:
            out.append(f"{name}: report_id of no report")
    for (name, col), role in PERSON_ROLES.items():
        s = read(folder, name)[col]
        s = s[s != ""]
        roles = people.role.reindex(s)
        if roles.isna().any() or (roles != role).any():
            out.append(f"{name}.{col}: not a {role} row")
    return out + _row_rules(folder, people)


def _row_rules(folder: Path, people: pd.DataFrame) -> list[str]:
    """The bad-row rules of the version-2 additions."""
    out = []
    cps = read(folder, "cps_cases")
    if (_dates(cps.decision_date) < _dates(cps.referred_date)).any():
        out.append("cps_cases: decision_date before referred_date")
    if ((cps.decision_date != "") & (cps.decision == "")).any():
        out.append("cps_cases: decision_date without a decision")
    bail = read(folder, "bail")
    if (_dates(bail.end_date) < _dates(bail.start_date)).any():
        out.append("bail: end before start")
    if ((bail.ended_by != "") & (bail.end_date == "")).any():
        out.append("bail: ended_by while running")
    orders = read(folder, "protective_orders")
    if ((orders.first_breach_date != "") & (orders.outcome != "granted")).any():
        out.append("protective_orders: a breach of an order not granted")
    own = orders[orders.person_id != ""]
    if (people.report_id.reindex(own.person_id).to_numpy() != own.report_id.to_numpy()).any():
        out.append("protective_orders: person_id of another report")
    dvds = read(folder, "disclosures")
    if (_dates(dvds.decision_date) < _dates(dvds.received_date)).any():
        out.append("disclosures: decision before receipt")
    if ((dvds.decision_date != "") & (dvds.decision == "")).any():
        out.append("disclosures: decision_date without a decision")
    prog = read(folder, "programme_requirements")
    if ((prog.ended_date == "") != (prog.ended_reason == "")).any():
        out.append("programme_requirements: ended_date and ended_reason not both")
    if ((prog.ended_reason == "expired_before_start") & (prog.started_date != "")).any():
        out.append("programme_requirements: expired_before_start with a start")
    return out
