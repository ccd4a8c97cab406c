"""Accountability: why two rows were joined or kept apart, the pairs worth a clerk's
eye, and the decisions an analyst records (which outrank the model at the next run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from dvpi.people import linked
from dvpi.people.prepare import linkage_input
from dvpi.people.store import _schema as writable_schema
from dvpi.warehouse import get_engine

DECISIONS = ("same", "not-same")

_RECORD_COLUMNS = ("person_id", "report_id", "role", "nominal_id", "forenames", "surname",
                   "date_of_birth", "age", "gender", "postcode")


class ReviewError(ValueError):
    """A question about person rows that cannot be answered as asked."""


@dataclass(frozen=True)
class ComparisonWeight:
    comparison: str
    level: str
    match_weight: float  # log2 Bayes factor, term-frequency adjustment included


@dataclass
class Explanation:
    person_id_a: str
    person_id_b: str
    records: list[dict[str, Any]]
    prior_weight: float
    comparisons: list[ComparisonWeight]
    match_weight: float
    match_probability: float
    threshold: float
    same_person: bool | None  # per the stored linked links; None if not resolved yet
    decision: str | None
    notes: list[str] = field(default_factory=list)


def _records(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[dict[str, Any]]:
    cols = ", ".join(_RECORD_COLUMNS)
    rows = con.execute(
        f"SELECT {cols} FROM people WHERE person_id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    found = {r[0]: dict(zip(_RECORD_COLUMNS, r, strict=True)) for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ReviewError(f"no people row with person_id {', '.join(missing)}")
    return [found[i] for i in ids]


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison output name -> gamma value -> level label."""
    out: dict[str, dict[int, str]] = {}
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: "missing on one side"}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv.get("label_for_charts") or lv["sql_condition"]
        out[name] = labels
    return out


def _key_of(con: duckdb.DuckDBPyConnection, pid: str) -> str | None:
    try:
        rows = con.execute(
            "SELECT person_key FROM person_links WHERE method = ? AND person_id = ?",
            [linked.METHOD, pid],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def decision_for(con: duckdb.DuckDBPyConnection, a: str, b: str) -> str | None:
    lo, hi = sorted((a, b))
    for d in reversed(linked.load_decisions(con)):
        if (d.a, d.b) == (lo, hi):
            return "same" if d.same else "not-same"
    return None


def explain(con: duckdb.DuckDBPyConnection, a: str, b: str) -> Explanation:
    """The match weight of each comparison for rows ``a`` and ``b``, from the saved model."""
    records = _records(con, [a, b])
    saved = linked.load_model(con, "duckdb")
    if saved is None:
        raise ReviewError("no linked model in this warehouse: run `dvpi people resolve` first")
    model, threshold = saved
    model = dict(model, retain_intermediate_calculation_columns=True)
    table = linkage_input(con)
    engine = get_engine("duckdb")  # the saved DuckDB model scores one pair in memory
    with engine.splink_api() as db_api:
        sdf = db_api.register(engine.splink_input(table), table_name="dvpi_people_input")
        linker = Linker(sdf, model, log_level=None)
        pair = table.filter(pc.is_in(table.column("unique_id"), value_set=pa.array([a, b])))
        rows = {r["unique_id"]: r for r in pair.to_pylist()}
        scored = linker.inference.score_pair(rows[a], rows[b]).as_record_list()[0]

    labels = _level_labels(model)
    weights = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        gamma = int(scored[f"gamma_{name}"])
        # Splink 5 reports each comparison's weight (mw_) and its term-frequency
        # adjustment (mw_tf_adj_) as log2 Bayes factors.
        weight = float(scored.get(f"mw_{name}") or 0.0)
        weight += float(scored.get(f"mw_tf_adj_{name}") or 0.0)
        weights.append(ComparisonWeight(name, labels[name].get(gamma, str(gamma)), weight))
    prior = model["probability_two_random_records_match"]
    key_a, key_b = _key_of(con, a), _key_of(con, b)
    notes = []
    ra, rb = records
    if ra["report_id"] == rb["report_id"] and ra["role"] == rb["role"]:
        notes.append("same report and same role: never joined (a report names a person "
                     "once per role)")
    decision = decision_for(con, a, b)
    if decision:
        notes.append(f"an analyst decided: {decision} (outranks the model)")
    if key_a is not None and key_a == key_b and scored["match_probability"] < threshold:
        notes.append("joined through other rows of the same person, not directly")
    if (key_a is not None and key_b is not None and key_a != key_b
            and scored["match_probability"] >= threshold and not notes):
        notes.append("above the threshold but kept apart: the pairs between the two "
                     "persons' rows score below it on average (one link does not join "
                     "two otherwise unalike people)")
    return Explanation(
        person_id_a=a,
        person_id_b=b,
        records=records,
        prior_weight=math.log2(prior / (1 - prior)),
        comparisons=weights,
        match_weight=float(scored["match_weight"]),
        match_probability=float(scored["match_probability"]),
        threshold=threshold,
        same_person=None if key_a is None or key_b is None else key_a == key_b,
        decision=decision,
        notes=notes,
    )


def uncertain_pairs(
    con: duckdb.DuckDBPyConnection, *, low: float = 0.2, high: float = 0.98, limit: int = 50
) -> list[dict[str, Any]]:
    """Scored pairs with a match probability in [low, high], undecided, nearest the
    threshold first, with both rows side by side."""
    saved = linked.load_model(con, "duckdb")
    threshold = saved[1] if saved else linked.DEFAULT_THRESHOLD
    linked.ensure_decisions_table(con, writable_schema(con))
    try:
        rows = con.execute(
            f"""
            SELECT p.person_id_l, p.person_id_r, p.match_probability, p.match_weight,
                   concat_ws(' ', a.forenames, a.surname) AS name_l,
                   concat_ws(' ', b.forenames, b.surname) AS name_r,
                   a.date_of_birth AS dob_l, b.date_of_birth AS dob_r,
                   a.postcode AS postcode_l, b.postcode AS postcode_r,
                   a.report_id AS report_l, b.report_id AS report_r
            FROM {linked.PAIRS_TABLE} p
            JOIN people a ON a.person_id = p.person_id_l
            JOIN people b ON b.person_id = p.person_id_r
            WHERE p.match_probability BETWEEN ? AND ?
              AND NOT EXISTS (SELECT 1 FROM {linked.DECISIONS_TABLE} d
                              WHERE d.person_id_a = p.person_id_l
                                AND d.person_id_b = p.person_id_r)
            ORDER BY abs(p.match_probability - ?), p.person_id_l, p.person_id_r
            LIMIT ?""",
            [low, high, threshold, limit],
        )
        cols = [c[0] for c in rows.description]
        return [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]
    except duckdb.CatalogException as exc:
        raise ReviewError("no scored pairs: run `dvpi people resolve` first") from exc


def decide(con: duckdb.DuckDBPyConnection, a: str, b: str, decision: str,
           note: str | None = None) -> None:
    """Record that rows ``a`` and ``b`` are (``same``) or are not (``not-same``) one
    person. It takes effect at the next linked resolution."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}")
    if a == b:
        raise ReviewError("a row is always the same person as itself")
    _records(con, [a, b])
    lo, hi = sorted((a, b))
    schema = writable_schema(con)
    linked.ensure_decisions_table(con, schema)
    con.execute(
        f"INSERT INTO {schema}.{linked.DECISIONS_TABLE} VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
        [lo, hi, decision, note],
    )
