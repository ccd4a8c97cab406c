"""Scoring a resolution against the truth.

Pairwise: every pair of rows put in one person is a predicted link; every pair of
rows of one true person is a true link. Precision, recall and F1 of those links.
Cluster: a predicted person is right when it holds exactly the rows of one true
person; precision = right / predicted persons, recall = right / true persons.

By ethnic-appearance group: a pair counts in a group when either of its rows was
recorded with that appearance (so a wrong link between groups counts against
both); a cluster counts in the group of its rows' most frequent appearance.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from dvpi.contract import codes


@dataclass(frozen=True)
class Scores:
    precision: float | None
    recall: float | None
    f1: float | None
    true_positives: int
    predicted: int
    actual: int

    @classmethod
    def from_counts(cls, tp: int, predicted: int, actual: int) -> Scores:
        p = tp / predicted if predicted else None
        r = tp / actual if actual else None
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None
        return cls(p, r, f1, tp, predicted, actual)


@dataclass(frozen=True)
class Evaluation:
    method: str
    rows: int
    true_persons: int
    predicted_persons: int
    pairwise: Scores
    cluster: Scores
    pairwise_by_group: dict[str, Scores]
    repeat_victims: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _invert(keys: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for row, key in keys.items():
        out[key].append(row)
    return out


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> Scores:
    """Counts by contingency table, without listing pairs (fast on millions of rows)."""
    rows = predicted.keys() & truth.keys()
    joint = Counter((predicted[r], truth[r]) for r in rows)
    pred_sizes = Counter(predicted[r] for r in rows)
    true_sizes = Counter(truth[r] for r in rows)

    def c2(n: int) -> int:
        return n * (n - 1) // 2

    return Scores.from_counts(
        sum(c2(n) for n in joint.values()),
        sum(c2(n) for n in pred_sizes.values()),
        sum(c2(n) for n in true_sizes.values()),
    )


def cluster_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> Scores:
    rows = predicted.keys() & truth.keys()
    pred = {k: frozenset(v) for k, v in _invert({r: predicted[r] for r in rows}).items()}
    true = {frozenset(v) for v in _invert({r: truth[r] for r in rows}).values()}
    right = sum(1 for members in pred.values() if members in true)
    return Scores.from_counts(right, len(pred), len(true))


def pairwise_scores_by_group(
    predicted: Mapping[str, str], truth: Mapping[str, str], group: Mapping[str, str]
) -> dict[str, Scores]:
    """Pairwise scores per group; a pair belongs to the groups of both its rows.

    Pairs touching group g = all pairs - pairs among the rows outside g, so each
    group costs one contingency count, never a list of pairs.
    """
    rows = predicted.keys() & truth.keys()
    overall = pairwise_scores(predicted, truth)
    out: dict[str, Scores] = {}
    present = {group.get(r) for r in rows} - {None}
    for g in [*codes.ETHNIC_APPEARANCES, *sorted(present - set(codes.ETHNIC_APPEARANCES))]:
        outside = [r for r in rows if group.get(r) != g]
        rest = pairwise_scores({r: predicted[r] for r in outside},
                               {r: truth[r] for r in outside})
        out[g] = Scores.from_counts(
            overall.true_positives - rest.true_positives,
            overall.predicted - rest.predicted,
            overall.actual - rest.actual,
        )
    return out


def repeat_victims(con: duckdb.DuckDBPyConnection, keys: Mapping[str, str]) -> int:
    """Persons who are victims in two or more distinct DV-flagged reports (whole span).

    A plain check of what the repeat-victim indicators depend on; the indicator
    engine adds periods, look-backs and ages on top.
    """
    import pyarrow as pa

    con.register("_dvpi_eval_keys", pa.table(
        {"person_id": list(keys), "person_key": list(keys.values())}))
    try:
        row = con.execute(
            """SELECT count(*) FROM (
                   SELECT k.person_key FROM people p
                   JOIN reports r ON r.report_id = p.report_id AND r.dv_flag
                   JOIN _dvpi_eval_keys k ON k.person_id = p.person_id
                   WHERE p.role = 'victim'
                   GROUP BY k.person_key HAVING count(DISTINCT p.report_id) >= 2)"""
        ).fetchall()
    finally:
        con.unregister("_dvpi_eval_keys")
    return int(row[0][0])


def read_truth(path: str | Path) -> dict[str, str]:
    """``person_id,true_person_id`` (CSV or Parquet) -> mapping."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(path, columns=["person_id", "true_person_id"])
        return dict(zip(t.column("person_id").to_pylist(),
                        t.column("true_person_id").to_pylist(), strict=True))
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["person_id"]: r["true_person_id"] for r in csv.DictReader(f)}


def method_keys(con: duckdb.DuckDBPyConnection, method: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT person_id, person_key FROM person_links WHERE method = ?", [method]
    ).fetchall()
    return dict(rows)


def evaluate(
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    *,
    method: str,
    groups: Mapping[str, str] | None = None,
    repeat: dict[str, int] | None = None,
) -> Evaluation:
    rows = predicted.keys() & truth.keys()
    return Evaluation(
        method=method,
        rows=len(rows),
        true_persons=len({truth[r] for r in rows}),
        predicted_persons=len({predicted[r] for r in rows}),
        pairwise=pairwise_scores(predicted, truth),
        cluster=cluster_scores(predicted, truth),
        pairwise_by_group=(
            pairwise_scores_by_group(predicted, truth, groups) if groups else {}
        ),
        repeat_victims=repeat,
    )


def evaluate_warehouse(
    con: duckdb.DuckDBPyConnection, truth: Mapping[str, str], method: str
) -> Evaluation:
    """Score the stored links of ``method`` in a warehouse against ``truth``."""
    predicted = method_keys(con, method)
    groups = dict(con.execute("SELECT person_id, ethnic_appearance FROM people").fetchall())
    repeat = {
        "resolved": repeat_victims(con, predicted),
        "truth": repeat_victims(con, {r: truth[r] for r in predicted if r in truth}),
    }
    return evaluate(predicted, truth, method=method, groups=groups, repeat=repeat)
