"""The linked method: probabilistic person resolution with Splink.

1. Build the linkage input from ``people`` (:mod:`dvpi.people.prepare`).
2. Train a Fellegi-Sunter model on it, unsupervised (u by random sampling, m by
   expectation maximisation), or reuse the model saved in the warehouse
   (table ``people_model``, Splink's settings JSON, one row per engine).
3. Score candidate pairs (blocking rules in :mod:`dvpi.people.splink_settings`).
4. Join pairs at or above the threshold into persons, strongest first, never putting
   two rows of one report and role, or two rows an analyst called "not the same", into
   one person, nor two groups of rows whose compared pairs score below the threshold
   on average (every compared pair counts, those below the review floor too); joining
   first what an analyst called "the same" (:mod:`dvpi.people.cluster`).
5. Store ``person_links`` (method ``linked``) and the scored pairs near and above the
   threshold (``people_link_pairs``) for review and explanation.

DuckDB runs Splink in memory by default; ``engine="spark"`` runs the same model on a
Spark session (local mode unless one is given).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker, SettingsCreator

from dvpi.people import splink_settings
from dvpi.people.cluster import Decision, cluster
from dvpi.people.prepare import linkage_input
from dvpi.people.store import _schema as writable_schema
from dvpi.people.store import current_load_id, store_links
from dvpi.warehouse import get_engine

METHOD = "linked"
MODEL_TABLE = "people_model"
PAIRS_TABLE = "people_link_pairs"
DECISIONS_TABLE = "people_decisions"
# Pairs at or above this match probability are the same person, when the data give no
# better choice (see choose_threshold).
DEFAULT_THRESHOLD = 0.8
# The candidate thresholds choose_threshold considers.
THRESHOLD_GRID = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))  # 0.05 .. 0.95
# Pairs scored at or above this are kept for review and explanation.
REVIEW_FLOOR = 0.01

Progress = Callable[[str], None]

logging.getLogger("splink").setLevel(logging.ERROR)
log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    """What one run produced: the model used and the scored candidate pairs."""

    model: dict[str, Any]
    pairs: pa.Table  # unique_id_l, unique_id_r, match_weight, match_probability
    trained: bool
    # Pairs the blocking rules compared and the model scored below the review floor,
    # between rows that each have a pair at or above it: evidence that two groups of
    # rows are different people, for the average-linkage join (cluster.py).
    compared: pa.Table | None = None


# --- engines -------------------------------------------------------------------------

def local_spark_session(app_name: str = "dvpi-people"):
    """The process's Spark session (shared with the indicator engine).

    It is built with Splink's similarity functions on the class path; ``app_name`` is
    kept for callers of the earlier signature.
    """
    from dvpi.warehouse.spark import session

    return session()


# --- training and scoring -----------------------------------------------------------

def train(linker: Linker, plan: splink_settings.TrainingPlan) -> None:
    """Fit the model to the data in the linker, without labels."""
    training = linker.training
    # Tiny data sets can break the recall bound; then the default prior stays.
    with contextlib.suppress(ValueError):
        training.estimate_probability_two_random_records_match(
            plan.deterministic_rules, recall=plan.deterministic_recall
        )
    training.estimate_u_using_random_sampling(max_pairs=plan.u_max_pairs, seed=plan.seed)
    for number, rule in enumerate(plan.em_rules, 1):
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=plan.em_max_pairs
            )
        except ValueError as exc:
            # EM reaches an m or u of exactly 0 when a comparison level is never seen
            # among the pairs a rule blocks (small or peculiar data), and Splink refuses
            # it. That session's estimates are dropped; the other sessions' stand.
            if "probability value" not in str(exc):
                raise
            log.warning("EM session %d of %d gave a zero probability; its estimates "
                        "are not used (%s)", number, len(plan.em_rules), exc)


def link(
    table: pa.Table,
    *,
    engine: str = "duckdb",
    model: dict[str, Any] | None = None,
    settings: SettingsCreator | None = None,
    plan: splink_settings.TrainingPlan | None = None,
    floor: float = REVIEW_FLOOR,
    spark=None,
    progress: Progress | None = None,
) -> LinkResult:
    """Train (unless ``model`` is given) and score the candidate pairs of ``table``."""
    note = progress or (lambda _msg: None)
    chosen = get_engine(engine)
    with chosen.splink_api(spark, rows=table.num_rows) as db_api:
        sdf = db_api.register(chosen.splink_input(table), table_name="dvpi_people_input")
        return _score(sdf, table, model, settings, plan, floor, note)


def _score(sdf, table: pa.Table, model: dict[str, Any] | None,
           settings: SettingsCreator | None, plan: splink_settings.TrainingPlan | None,
           floor: float, note: Progress) -> LinkResult:
    trained = model is None
    plan = plan or splink_settings.TrainingPlan()
    if model is None:
        settings = settings or splink_settings.settings_creator()
        settings.max_iterations = plan.em_max_iterations
    else:  # a model saved by an earlier version may retain every column
        model = {**model, **splink_settings.LEAN_PREDICTIONS}
    linker = Linker(sdf, model if model is not None else settings, log_level=None)
    if trained:
        note("training the model")
        train(linker, plan)
    note("scoring candidate pairs")
    # Every compared pair: those at or above the floor are kept; those below it count
    # in the join only between rows that have a kept pair (no other row can be joined).
    predictions = linker.inference.predict(warning_mode="never")
    scored = predictions.physical_name
    columns = (
        "CAST(unique_id_l AS VARCHAR) AS unique_id_l, "
        "CAST(unique_id_r AS VARCHAR) AS unique_id_r, "
        "CAST(match_weight AS DOUBLE) AS match_weight, "
        "CAST(match_probability AS DOUBLE) AS match_probability"
    )
    pairs = linker.misc.query_sql(
        f"SELECT {columns} FROM {scored} WHERE match_probability >= {floor!r}"
    ).as_pyarrow_table()
    compared = linker.misc.query_sql(
        f"""WITH kept AS (
                SELECT unique_id_l AS uid FROM {scored} WHERE match_probability >= {floor!r}
                UNION SELECT unique_id_r AS uid FROM {scored}
                      WHERE match_probability >= {floor!r})
            SELECT {columns} FROM {scored}
            WHERE match_probability < {floor!r}
              AND unique_id_l IN (SELECT uid FROM kept)
              AND unique_id_r IN (SELECT uid FROM kept)"""
    ).as_pyarrow_table()
    model_dict = linker.misc.save_model_to_json()
    if trained:
        prior = model_dict.get("probability_two_random_records_match")
        pairs, model_dict = calibrate_prior(pairs, model_dict, table.num_rows)
        compared = rescore(compared, prior,
                           model_dict.get("probability_two_random_records_match"))
    return LinkResult(model=model_dict, pairs=pairs, trained=trained, compared=compared)


def choose_threshold(pairs: pa.Table) -> float:
    """The threshold that maximises the F1 the model itself expects.

    Read each scored pair's match probability p as the chance it is a true link:
    above a threshold t the expected true links are the sum of p and the expected
    false ones the sum of 1 - p; below it, the sum of p is the expected missed links.
    The chosen t maximises 2 TP / (2 TP + FP + FN) over a grid from 0.05 to 0.95.
    For well-calibrated probabilities the optimum is half the F1 attained (Lipton,
    Elkan and Naryanaswamy, 2014), so about 0.5 for a good model; it is lower when the
    model is sure of most pairs and higher when many pairs are doubtful.

    Where no pair lies between two grid points their expected F1 is the same (a tie):
    every pair is decided alike, but the average-linkage join (which compares the mean
    probability between two groups of rows with t) is not. Of the tied thresholds the
    one nearest half the best expected F1 is chosen, the optimal cut for one decision on
    a calibrated probability, as a join of two groups is. Without scored pairs:
    DEFAULT_THRESHOLD.
    """
    import numpy as np

    p = np.sort(pairs.column("match_probability").to_numpy(zero_copy_only=False))
    if p.size == 0:
        return DEFAULT_THRESHOLD
    total = p.sum()
    cum_p = np.concatenate([[0.0], np.cumsum(p)])  # sum of p below index i
    expected: list[tuple[float, float]] = []
    for t in THRESHOLD_GRID:
        i = int(np.searchsorted(p, t, side="left"))
        fn = cum_p[i]
        tp = total - fn
        fp = (p.size - i) - tp
        expected.append((t, 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0))
    best_f1 = max(f1 for _t, f1 in expected)
    tied = [t for t, f1 in expected if f1 >= best_f1 - 1e-12]
    return float(min(tied, key=lambda t: (abs(t - best_f1 / 2), -t)))


def calibrate_prior(pairs: pa.Table, model: dict[str, Any], rows: int,
                    iterations: int = 50) -> tuple[pa.Table, dict[str, Any]]:
    """Re-estimate the prior from the scored pairs, and rescore them with it.

    The prior was first set by deterministic rules at an *assumed* recall (0.7), which
    is right only for data whose exact name-and-date matches find 70% of true pairs:
    with no identifier and noisy names it is too low, with good identifiers too high.
    Here the data set it instead, as expectation maximisation sets a mixing weight:
    the prior is the expected number of true pairs (the sum of match probabilities of
    the scored pairs) over all pairs of rows, repeated to a fixed point. A new prior
    shifts every match weight by one constant (the log2 prior odds), so the pairs are
    rescored without running the model again, their order (and so the clustering)
    unchanged; the saved model carries the new prior, so `explain` agrees with it.
    Pairs below the review floor are not counted (their share is small), and true
    pairs no blocking rule compares cannot be: both bias the prior slightly low.
    """
    import numpy as np

    prior = float(model.get("probability_two_random_records_match") or 0.0)
    all_pairs = rows * (rows - 1) / 2
    if pairs.num_rows == 0 or not 0.0 < prior < 1.0 or all_pairs <= 0:
        return pairs, model
    weights = pairs.column("match_weight").to_numpy(zero_copy_only=False)
    evidence = weights - np.log2(prior / (1 - prior))
    new = prior
    for _ in range(iterations):
        probs = 1 / (1 + np.exp2(-(evidence + np.log2(new / (1 - new)))))
        estimate = min(max(float(probs.sum()) / all_pairs, 1e-12), 0.5)
        converged = abs(estimate - new) <= 1e-4 * new
        new = estimate
        if converged:
            break
    model = {**model, "probability_two_random_records_match": new}
    return rescore(pairs, prior, new), model


def rescore(pairs: pa.Table, prior: float | None, new: float | None) -> pa.Table:
    """Pairs scored under ``prior``, rescored under ``new``: every match weight moves
    by the difference of the log2 prior odds, and the probabilities follow."""
    import numpy as np

    if pairs.num_rows == 0 or not prior or not new or prior == new:
        return pairs
    shift = np.log2(new / (1 - new)) - np.log2(prior / (1 - prior))
    weights = pairs.column("match_weight").to_numpy(zero_copy_only=False) + shift
    probs = 1 / (1 + np.exp2(-weights))
    pairs = pairs.set_column(pairs.schema.get_field_index("match_weight"), "match_weight",
                             pa.array(weights, pa.float64()))
    return pairs.set_column(pairs.schema.get_field_index("match_probability"),
                            "match_probability", pa.array(probs, pa.float64()))


def keys_from_pairs(
    table: pa.Table,
    pairs: pa.Table,
    threshold: float,
    decisions: list[Decision] = (),
    compared: pa.Table | None = None,
) -> dict[str, str]:
    """Cluster the pairs at ``threshold`` into person keys for every row of ``table``.

    ``compared`` are the pairs scored below the review floor (``LinkResult.compared``):
    with ``pairs`` they are the evidence the average-linkage join weighs.
    """
    ids = table.column("unique_id").to_pylist()
    report_role = dict(zip(
        ids,
        zip(table.column("report_id").to_pylist(), table.column("role").to_pylist(),
            strict=True),
        strict=True,
    ))
    above = pairs.filter(pc.greater_equal(pairs.column("match_probability"), threshold))
    above = above.sort_by([("match_weight", "descending"), ("unique_id_l", "ascending"),
                           ("unique_id_r", "ascending")])
    edges = zip(
        above.column("unique_id_l").to_pylist(),
        above.column("unique_id_r").to_pylist(),
        above.column("match_weight").to_pylist(),
        strict=True,
    )
    evidence = pairs if compared is None or compared.num_rows == 0 else pa.concat_tables(
        [pairs, compared.select(pairs.column_names).cast(pairs.schema)])
    scored = zip(
        evidence.column("unique_id_l").to_pylist(),
        evidence.column("unique_id_r").to_pylist(),
        evidence.column("match_probability").to_pylist(),
        strict=True,
    )
    return cluster(ids, edges, report_role=report_role, decisions=decisions,
                   sorted_pairs=True, scored=scored, threshold=threshold)


# --- the warehouse ------------------------------------------------------------------

def _create(schema: str, or_replace: bool = False) -> str:
    """CREATE [OR REPLACE] [TEMP] TABLE: DuckDB wants TEMP spelt out for temp.main."""
    temp = "TEMP " if schema.startswith("temp") else ""
    return f"CREATE {'OR REPLACE ' if or_replace else ''}{temp}TABLE"


def _ensure_model_table(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(
        f"{_create(schema)} IF NOT EXISTS {schema}.{MODEL_TABLE} (engine VARCHAR, "
        "trained_at TIMESTAMP, load_id BIGINT, rows BIGINT, threshold DOUBLE, "
        "settings_json VARCHAR)"
    )


def _load_saved(con: duckdb.DuckDBPyConnection, engine: str | None
                ) -> tuple[dict[str, Any], float, str] | None:
    where, params = ("WHERE engine = ?", [engine]) if engine else ("", [])
    for schema in ("temp.main", "main"):
        try:
            rows = con.execute(
                f"SELECT settings_json, threshold, engine FROM {schema}.{MODEL_TABLE} "
                f"{where} ORDER BY trained_at DESC LIMIT 1",
                params,
            ).fetchall()
        except duckdb.CatalogException:
            continue
        if rows:
            return json.loads(rows[0][0]), float(rows[0][1]), rows[0][2]
    return None


def port_model(model: dict[str, Any], engine: str) -> dict[str, Any]:
    """A trained model rewritten for another engine's SQL dialect.

    The trained parameters (prior, m and u of every level) are copied onto the same
    comparisons rendered for ``engine``; levels correspond one to one because both
    come from :func:`splink_settings.settings_creator`.
    """
    target = splink_settings.settings_creator().create_settings_dict(engine)
    target["sql_dialect"] = engine
    target["probability_two_random_records_match"] = model[
        "probability_two_random_records_match"]
    for t_comp, s_comp in zip(target["comparisons"], model["comparisons"], strict=True):
        for t_level, s_level in zip(t_comp["comparison_levels"],
                                    s_comp["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in s_level:
                    t_level[key] = s_level[key]
    return target


def load_model(con: duckdb.DuckDBPyConnection, engine: str = "duckdb"
               ) -> tuple[dict[str, Any], float] | None:
    """The saved model for ``engine`` and its threshold, or None."""
    saved = _load_saved(con, engine)
    return (saved[0], saved[1]) if saved else None


def usable_model(con: duckdb.DuckDBPyConnection, engine: str
                 ) -> tuple[dict[str, Any], float] | None:
    """The model to reuse on ``engine``: its own, else another engine's, ported."""
    saved = _load_saved(con, engine) or _load_saved(con, None)
    if saved is None:
        return None
    model, threshold, trained_on = saved
    return (model if trained_on == engine else port_model(model, engine)), threshold


def save_model(con: duckdb.DuckDBPyConnection, engine: str, model: dict[str, Any],
               threshold: float, rows: int) -> None:
    schema = writable_schema(con)
    _ensure_model_table(con, schema)
    con.execute(f"DELETE FROM {schema}.{MODEL_TABLE} WHERE engine = ?", [engine])
    con.execute(
        f"INSERT INTO {schema}.{MODEL_TABLE} VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?)",
        [engine, current_load_id(con), rows, threshold, json.dumps(model)],
    )


def ensure_decisions_table(con: duckdb.DuckDBPyConnection, schema: str = "main") -> None:
    con.execute(
        f"{_create(schema)} IF NOT EXISTS {schema}.{DECISIONS_TABLE} (person_id_a VARCHAR, "
        "person_id_b VARCHAR, decision VARCHAR, decided_at TIMESTAMP, note VARCHAR)"
    )


def load_decisions(con: duckdb.DuckDBPyConnection) -> list[Decision]:
    """Every pair's latest decision (a later decision replaces an earlier one)."""
    try:
        rows = con.execute(
            f"""SELECT person_id_a, person_id_b, decision FROM {DECISIONS_TABLE}
                QUALIFY row_number() OVER (PARTITION BY person_id_a, person_id_b
                                           ORDER BY decided_at DESC) = 1
                ORDER BY decided_at"""
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [Decision(a, b, decision == "same") for a, b, decision in rows]


def _store_pairs(con: duckdb.DuckDBPyConnection, pairs: pa.Table) -> None:
    schema = writable_schema(con)
    con.register("_dvpi_pairs", pairs)
    try:
        con.execute(
            f"{_create(schema, or_replace=True)} {schema}.{PAIRS_TABLE} AS SELECT "
            "least(unique_id_l, unique_id_r) AS person_id_l, "
            "greatest(unique_id_l, unique_id_r) AS person_id_r, "
            "match_weight, match_probability FROM _dvpi_pairs"
        )
    finally:
        con.unregister("_dvpi_pairs")


def resolve_linked(
    con: duckdb.DuckDBPyConnection,
    *,
    engine: str = "duckdb",
    retrain: bool = False,
    threshold: float | None = None,
    spark=None,
    plan: splink_settings.TrainingPlan | None = None,
    progress: Progress | None = None,
) -> None:
    """(Re)compute the ``linked`` person links of the warehouse on ``con``.

    The model saved for ``engine`` is reused unless ``retrain`` (or there is none);
    a newly trained one is saved. ``threshold`` overrides the saved threshold.
    """
    note = progress or (lambda _msg: None)
    note("preparing names and dates")
    table = linkage_input(con)
    saved = None if retrain else usable_model(con, engine)
    model = saved[0] if saved else None
    chosen = threshold if threshold is not None else (saved[1] if saved else DEFAULT_THRESHOLD)
    if table.num_rows < 2:
        result = LinkResult(model=model or {}, pairs=_empty_pairs(), trained=False)
    else:
        result = link(table, engine=engine, model=model, spark=spark, plan=plan,
                      progress=progress)
    if result.trained:
        if threshold is None:
            chosen = choose_threshold(result.pairs)
        save_model(con, engine, result.model, chosen, table.num_rows)
    note("joining pairs into persons")
    keys = keys_from_pairs(table, result.pairs, chosen, load_decisions(con),
                           compared=result.compared)
    links = pa.table({"person_id": list(keys), "person_key": list(keys.values())})
    note("storing person links")
    _store_pairs(con, result.pairs)
    con.register("_dvpi_linked_keys", links)
    try:
        store_links(
            con, METHOD, "SELECT person_id, person_key FROM _dvpi_linked_keys",
            detail=f"splink {engine}, threshold {chosen}",
        )
    finally:
        con.unregister("_dvpi_linked_keys")


def _empty_pairs() -> pa.Table:
    return pa.table({
        "unique_id_l": pa.array([], pa.string()),
        "unique_id_r": pa.array([], pa.string()),
        "match_weight": pa.array([], pa.float64()),
        "match_probability": pa.array([], pa.float64()),
    })
