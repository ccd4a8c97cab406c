"""The linked (Splink) person-resolution method: clustering rules, overrides,
evaluation, and a small labelled data set end to end through the loader and CLI."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.ingest import load_dataset
from dvpi.people import resolve
from dvpi.people.cluster import Decision, cluster
from dvpi.people.evaluate import (
    cluster_scores,
    evaluate_warehouse,
    pairwise_scores,
    pairwise_scores_by_group,
    read_truth,
)
from dvpi.people.linked import MODEL_TABLE, PAIRS_TABLE
from dvpi.people.review import ReviewError, decide, explain, uncertain_pairs
from dvpi.people.splink_settings import TrainingPlan
from dvpi.synth.people_sample import write_dataset
from dvpi.warehouse import connect

FAST_PLAN = TrainingPlan(u_max_pairs=3e5, em_max_pairs=3e5)


# --- clustering rules ------------------------------------------------------------------

def test_two_rows_of_one_report_and_role_are_never_one_person():
    keys = cluster(
        ["x1", "x2", "x3"],
        [("x1", "x3", 5.0), ("x2", "x3", 4.0)],
        report_role={"x1": ("R1", "victim"), "x2": ("R1", "victim"), "x3": ("R2", "victim")},
    )
    assert keys["x1"] == keys["x3"] == "x1"
    assert keys["x2"] == "x2"


def test_cross_allegation_rows_may_be_one_person():
    keys = cluster(["y1", "y2"], [("y1", "y2", 9.0)],
                   report_role={"y1": ("R1", "victim"), "y2": ("R1", "suspect")})
    assert keys["y1"] == keys["y2"]


def test_strongest_pair_wins_a_conflict():
    # x2 matches x3 more strongly than x1 does: x2 joins, x1 is refused.
    keys = cluster(
        ["x1", "x2", "x3"],
        [("x1", "x3", 3.0), ("x2", "x3", 8.0)],
        report_role={"x1": ("R1", "victim"), "x2": ("R1", "victim"), "x3": ("R2", "victim")},
    )
    assert keys["x2"] == keys["x3"] != keys["x1"]


def test_not_same_decision_blocks_direct_and_indirect_joins():
    pairs = [("a", "b", 9.0), ("a", "c", 5.0), ("c", "b", 4.0)]
    keys = cluster(["a", "b", "c"], pairs, decisions=[Decision("a", "b", same=False)])
    assert keys["a"] != keys["b"]
    assert keys["a"] == keys["c"]


def test_same_decision_joins_without_any_pair():
    keys = cluster(["a", "b", "c"], [], decisions=[Decision("a", "c", same=True)])
    assert keys == {"a": "a", "b": "b", "c": "a"}


def test_one_weak_link_does_not_bridge_two_unalike_people():
    # a-b and c-d are two people; b-c just clears the threshold, but a and d score far
    # below it against the other person's rows: the mean across is under the threshold.
    scored = [("a", "b", 0.99), ("c", "d", 0.99), ("b", "c", 0.55),
              ("a", "c", 0.02), ("b", "d", 0.05)]
    above = [(a, b, p) for a, b, p in scored if p >= 0.5]
    keys = cluster(["a", "b", "c", "d"], above, scored=scored, threshold=0.5)
    assert keys == {"a": "a", "b": "a", "c": "c", "d": "c"}
    # Without the scored pairs (or with the cross pairs supporting it) the link joins.
    assert len(set(cluster(["a", "b", "c", "d"], above).values())) == 1
    supported = [*scored[:3], ("a", "c", 0.6), ("b", "d", 0.5)]
    keys = cluster(["a", "b", "c", "d"], above, scored=supported, threshold=0.5)
    assert len(set(keys.values())) == 1


def test_a_link_between_two_single_rows_always_joins():
    keys = cluster(["a", "b"], [("a", "b", 0.5)], scored=[("a", "b", 0.5)], threshold=0.5)
    assert keys["a"] == keys["b"]


def test_pairs_scored_below_the_review_floor_count_against_a_join():
    """A pair the blocking compared and the model scored below the review floor is
    evidence the rows differ; only pairs never compared are no evidence (the AHMED
    ABDULLAH case of the London set: two men, two ids, one link at 0.52 between an
    address-less row of one and a row of the other, the rest scored below 0.01)."""
    import pyarrow as pa

    from dvpi.people.linked import keys_from_pairs

    def table(rows):
        return pa.table({
            "unique_id_l": [r[0] for r in rows], "unique_id_r": [r[1] for r in rows],
            "match_weight": [0.0] * len(rows), "match_probability": [r[2] for r in rows],
        })

    people = pa.table({"unique_id": list("abcd"), "report_id": list("1234"),
                       "role": ["suspect"] * 4})
    kept = table([("a", "b", 0.999), ("c", "d", 0.999), ("b", "c", 0.52)])
    below_floor = table([("a", "c", 0.001), ("a", "d", 0.001), ("b", "d", 0.002)])
    # without them the one link is the only cross pair scored: its mean, 0.52, joins
    assert len(set(keys_from_pairs(people, kept, 0.5).values())) == 1
    keys = keys_from_pairs(people, kept, 0.5, compared=below_floor)
    assert keys == {"a": "a", "b": "a", "c": "c", "d": "c"}


def test_sorted_name_words_level_compares_word_by_word():
    """Similar sorted name words means the first words are similar and so are the
    last (a swapped name with a typing error), not that the sorted strings are: as one
    string, a shared first word alone gave Jaro-Winkler >= 0.92."""
    import duckdb

    from dvpi.people.splink_settings import _sorted_words_similar

    condition = _sorted_words_similar(0.92).get_comparison_level("duckdb").sql_condition

    def level(name_l, name_r):
        words_l, words_r = sorted(name_l.split()), sorted(name_r.split())
        row = {"full_name_l": name_l, "full_name_r": name_r,
               "name_first_l": words_l[0], "name_first_r": words_r[0],
               "name_last_l": words_l[-1], "name_last_r": words_r[-1]}
        select = ", ".join(f"'{v}' AS {k}" for k, v in row.items())
        return duckdb.sql(f"SELECT {condition} FROM (SELECT {select})").fetchall()[0][0]

    assert level("KOAWLSKI KAROLINA", "KAROLINA KOWALSKI")  # swapped, one typo
    assert level("POWELL CLIVVE", "CLIVE POWELL")
    assert not level("KRZYSZTOF WILSON", "KRZYSZTOF WOZNIAK")  # one shared word
    assert not level("DEAN BENNETT", "KEVIN BENNETT")
    assert not level("CHRISTOPHER TAYLOR", "CHRISTOPHER MOORE")


# --- evaluation on a hand-labelled set ------------------------------------------------

PREDICTED = {"a": "k1", "b": "k1", "c": "k3", "d": "k2", "e": "k2", "f": "k4"}
TRUTH = {"a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t3", "f": "t4"}
GROUPS = {"a": "IC4", "b": "IC4", "c": "IC4", "d": "IC1", "e": "IC1", "f": "IC3"}


def test_pairwise_scores_by_hand():
    s = pairwise_scores(PREDICTED, TRUTH)
    # predicted links ab, de; true links ab, ac, bc; right: ab
    assert (s.true_positives, s.predicted, s.actual) == (1, 2, 3)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(0.4)


def test_cluster_scores_by_hand():
    s = cluster_scores(PREDICTED, TRUTH)
    # only {f} is exactly a true person, of 4 predicted and 4 true
    assert (s.true_positives, s.predicted, s.actual) == (1, 4, 4)
    assert s.precision == s.recall == pytest.approx(0.25)


def test_group_scores_by_hand():
    by_group = pairwise_scores_by_group(PREDICTED, TRUTH, GROUPS)
    assert (by_group["IC4"].true_positives, by_group["IC4"].predicted,
            by_group["IC4"].actual) == (1, 1, 3)
    assert by_group["IC1"].precision == 0.0 and by_group["IC1"].recall is None
    assert by_group["IC3"].predicted == by_group["IC3"].actual == 0
    assert set(by_group) >= {"IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC0"}


# --- a labelled data set, end to end --------------------------------------------------

@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    base = tmp_path_factory.mktemp("linked")
    truth_path = write_dataset(base / "data", n_reports=300, seed=11)
    warehouse = base / "w.duckdb"
    load_dataset(base / "data", warehouse)
    con = connect(warehouse)
    resolve(con, "linked", plan=FAST_PLAN)
    resolve(con, "exact")
    con.close()
    return warehouse, truth_path


def test_every_row_gets_a_linked_key(resolved):
    warehouse, _ = resolved
    con = connect(warehouse)
    rows, linked_rows = con.execute(
        "SELECT (SELECT count(*) FROM people), "
        "(SELECT count(DISTINCT person_id) FROM person_links WHERE method = 'linked')"
    ).fetchall()[0]
    con.close()
    assert rows == linked_rows > 0


def test_linked_finds_the_people_exact_misses(resolved):
    warehouse, truth_path = resolved
    truth = read_truth(truth_path)
    con = connect(warehouse)
    linked_ev = evaluate_warehouse(con, truth, "linked")
    exact_ev = evaluate_warehouse(con, truth, "exact")
    con.close()
    assert linked_ev.pairwise.f1 > 0.97
    assert linked_ev.pairwise.f1 > exact_ev.pairwise.f1 + 0.1
    # repeat victims: the linked count is near the truth, the exact one far below
    r = linked_ev.repeat_victims
    assert abs(r["resolved"] - r["truth"]) <= 0.05 * r["truth"]
    assert exact_ev.repeat_victims["resolved"] < r["resolved"]


def test_model_is_saved_and_reused(resolved):
    warehouse, _ = resolved
    con = connect(warehouse)
    before = con.execute(f"SELECT trained_at, settings_json FROM {MODEL_TABLE}").fetchall()
    resolve(con, "linked", plan=FAST_PLAN)
    after = con.execute(f"SELECT trained_at FROM {MODEL_TABLE}").fetchall()
    con.close()
    assert len(before) == 1 and before[0][0] == after[0][0]
    model = json.loads(before[0][1])
    assert {c["output_column_name"] for c in model["comparisons"]} == {
        "name", "dob", "gender", "postcode", "nominal_id"}


def test_explain_adds_up(resolved):
    warehouse, _ = resolved
    con = connect(warehouse)
    a, b = con.execute(
        f"SELECT person_id_l, person_id_r FROM {PAIRS_TABLE} "
        "ORDER BY match_probability DESC, person_id_l LIMIT 1"
    ).fetchall()[0]
    e = explain(con, a, b)
    with pytest.raises(ReviewError):
        explain(con, a, "no-such-row")
    con.close()
    total = e.prior_weight + sum(c.match_weight for c in e.comparisons)
    assert total == pytest.approx(e.match_weight, abs=1e-6)
    assert e.same_person is True
    assert {c.comparison for c in e.comparisons} == {
        "name", "dob", "gender", "postcode", "nominal_id"}


def test_decisions_override_the_model_at_the_next_run(resolved, tmp_path):
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(resolved[0], warehouse)
    con = connect(warehouse)
    keys = dict(con.execute(
        "SELECT person_id, person_key FROM person_links WHERE method = 'linked'").fetchall())
    # a pair the model joined, and two rows the model keeps apart
    joined_a, joined_b = con.execute(
        f"SELECT person_id_l, person_id_r FROM {PAIRS_TABLE} "
        "ORDER BY match_probability DESC, person_id_l LIMIT 1").fetchall()[0]
    apart = sorted({k for k in keys.values()})[:2]
    apart_a, apart_b = apart
    assert keys[joined_a] == keys[joined_b] and keys[apart_a] != keys[apart_b]
    decide(con, joined_a, joined_b, "not-same", note="different people: checked CRIS")
    decide(con, apart_a, apart_b, "same")
    with pytest.raises(ReviewError):
        decide(con, apart_a, apart_b, "maybe")
    resolve(con, "linked")
    keys = dict(con.execute(
        "SELECT person_id, person_key FROM person_links WHERE method = 'linked'").fetchall())
    pending = uncertain_pairs(con, low=0.0, high=1.0, limit=10_000)
    con.close()
    assert keys[joined_a] != keys[joined_b]
    assert keys[apart_a] == keys[apart_b]
    assert all({p["person_id_l"], p["person_id_r"]} != {joined_a, joined_b} for p in pending)


def test_cli_explain_review_decide_evaluate(resolved, tmp_path):
    warehouse = tmp_path / "cli.duckdb"
    shutil.copy(resolved[0], warehouse)
    runner = CliRunner()
    w = ["--warehouse", str(warehouse)]
    why = ["--purpose", "clerical review of uncertain links"]
    review = runner.invoke(app, ["people", "review", *w, *why, "--low", "0", "--high", "1",
                                 "--json"])
    assert review.exit_code == 0, review.output
    pairs = json.loads(review.output)
    assert pairs and {"person_id_l", "person_id_r", "match_probability"} <= set(pairs[0])
    a, b = pairs[0]["person_id_l"], pairs[0]["person_id_r"]
    explained = runner.invoke(app, ["people", "explain", a, b, *w, *why])
    assert explained.exit_code == 0, explained.output
    assert "evidence" in explained.output and "total" in explained.output
    decided = runner.invoke(app, ["people", "decide", a, b, "not-same", *w])
    assert decided.exit_code == 0, decided.output
    bad = runner.invoke(app, ["people", "decide", a, "nobody", "same", *w])
    assert bad.exit_code == 2
    ev = runner.invoke(app, ["people", "evaluate", *w, "--truth",
                             str(resolved[1]), "--json"])
    assert ev.exit_code == 0, ev.output
    scores = json.loads(ev.output)
    assert scores["method"] == "linked" and 0.9 < scores["pairwise"]["f1"] <= 1.0


def _audit_entries(warehouse) -> list:
    from dvpi.web.audit import AuditLog
    from dvpi.web.state import StateStore, default_state_path

    state = default_state_path(warehouse)
    if not state.exists():
        return []
    return [e for e in reversed(AuditLog(StateStore(state, read_only=True)).entries())
            if e.event == "record_view"]


def test_people_review_is_audited_and_needs_an_actor_and_a_purpose(resolved, tmp_path,
                                                                  monkeypatch):
    """``dvpi people review`` and ``explain`` show victims' and suspects' names, dates of
    birth and postcodes: each view is audited in the store ``dvpi audit`` reads (actor,
    purpose, scope, which rows), before anything is shown; without a purpose or a named
    actor nothing is shown and nothing is read."""
    warehouse = tmp_path / "audited.duckdb"
    shutil.copy(resolved[0], warehouse)
    runner = CliRunner()
    w = ["--warehouse", str(warehouse)]
    con = connect(warehouse, read_only=True)
    names = {r[0] for r in con.execute(
        "SELECT surname FROM people WHERE surname IS NOT NULL").fetchall()}
    con.close()

    def leaked(output: str) -> bool:
        return any(n in output for n in names)

    for why in ([], ["--purpose", "   "]):  # no purpose
        got = runner.invoke(app, ["people", "review", *w, *why, "--low", "0", "--high", "1"])
        assert got.exit_code == 2 and not leaked(got.output), got.output
    monkeypatch.setattr("getpass.getuser", lambda: (_ for _ in ()).throw(OSError("none")))
    got = runner.invoke(app, ["people", "review", *w, "--purpose", "x", "--low", "0"])
    assert got.exit_code == 2 and "who is running" in got.output and not leaked(got.output)
    assert _audit_entries(warehouse) == []
    monkeypatch.setattr("getpass.getuser", lambda: "analyst1")

    got = runner.invoke(app, ["people", "review", *w, "--purpose",
                              "clerical review, ticket 42", "--low", "0", "--high", "1",
                              "--limit", "7"])
    assert got.exit_code == 0, got.output
    assert leaked(got.output)  # it does show names: that is what is audited
    pairs = json.loads(runner.invoke(app, ["people", "review", *w, "--purpose", "again",
                                           "--low", "0", "--high", "1", "--limit", "7",
                                           "--json"]).output)
    a, b = pairs[0]["person_id_l"], pairs[0]["person_id_r"]
    assert runner.invoke(app, ["people", "explain", a, b, *w, "--purpose",
                               "checking a pair"]).exit_code == 0
    first, second, third = _audit_entries(warehouse)
    assert first.actor == second.actor == third.actor == "os:analyst1"
    assert first.detail["what"] == "people review"
    assert first.detail["purpose"] == "clerical review, ticket 42"
    assert first.detail["scope"] == {"low": 0.0, "high": 1.0, "limit": 7}
    ids = sorted({p[k] for p in pairs for k in ("person_id_l", "person_id_r")})
    assert first.detail["person_ids"] == ids and first.detail["records"] == len(ids)
    assert second.detail["format"] == "json"
    assert third.detail["what"] == "people explain" and third.detail["person_ids"] == [a, b]
    # The entries are in the keyed chain `dvpi audit verify` checks.
    verified = runner.invoke(app, ["audit", "verify", *w])
    assert verified.exit_code == 0, verified.output
    shown = runner.invoke(app, ["audit", "show", *w, "--json"])
    assert "people review" in shown.output and "clerical review, ticket 42" in shown.output


def test_read_only_warehouse_resolves_into_temporary_tables(resolved, tmp_path):
    warehouse = tmp_path / "ro.duckdb"
    shutil.copy(resolved[0], warehouse)
    writer = connect(warehouse)
    writer.execute("DROP TABLE person_links")
    writer.execute(f"DROP TABLE {MODEL_TABLE}")
    writer.close()
    con = connect(warehouse, read_only=True)
    resolve(con, "linked", plan=FAST_PLAN)
    linked_rows = con.execute(
        "SELECT count(*) FROM temp.main.person_links WHERE method = 'linked'").fetchall()[0][0]
    people_rows = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    con.close()
    assert linked_rows == people_rows


# --- the prior and the threshold, chosen by the data ------------------------------------

def _pairs(probs):
    import math

    import pyarrow as pa

    return pa.table({
        "unique_id_l": [f"a{i}" for i in range(len(probs))],
        "unique_id_r": [f"b{i}" for i in range(len(probs))],
        "match_weight": [math.log2(p / (1 - p)) for p in probs],
        "match_probability": list(probs),
    })


def test_threshold_maximises_expected_f1():
    from dvpi.people.linked import choose_threshold

    # sure pairs and one doubtful pair at 0.3: including it costs more than it gains
    assert choose_threshold(_pairs([0.99] * 50 + [0.3])) > 0.3
    # a doubtful pair at 0.7 is worth including
    assert choose_threshold(_pairs([0.99] * 50 + [0.7])) <= 0.7


def test_threshold_on_a_tie_is_nearest_half_the_expected_f1():
    from dvpi.people.linked import choose_threshold

    # every pair is sure: each grid threshold decides them alike (a tie); the average-
    # linkage join still compares group means with it, so it is the optimal cut of one
    # calibrated decision, half the expected F1 (about 0.5), not the top of the grid
    assert choose_threshold(_pairs([0.99] * 50)) == 0.5
    assert choose_threshold(_pairs([0.99] * 50 + [0.02] * 5)) == 0.5


def test_prior_is_reestimated_from_the_scored_pairs():
    from dvpi.people.linked import calibrate_prior

    # 10 rows (45 pairs); three pairs scored; the prior assumed far too low
    pairs = _pairs([0.5, 0.5, 0.1])
    model = {"probability_two_random_records_match": 0.001}
    new_pairs, new_model = calibrate_prior(pairs, model, rows=10)
    prior = new_model["probability_two_random_records_match"]
    assert prior > 0.001
    assert prior == pytest.approx(sum(new_pairs.column("match_probability").to_pylist()) / 45,
                                  rel=1e-3)
    # order kept: weights shift by one constant
    w0, w1 = pairs.column("match_weight").to_pylist(), new_pairs.column("match_weight").to_pylist()
    assert len({round(b - a, 9) for a, b in zip(w0, w1, strict=True)}) == 1


def test_splinks_database_is_bounded_for_a_national_data_set(monkeypatch):
    """Above SPLINK_ON_DISK_ROWS people rows Splink's database is a file under a memory
    limit (it spills rather than grow); below, it is in memory, under the same limit."""
    from dvpi.warehouse import get_engine
    from dvpi.warehouse.duckdb import MEMORY_ENV, SPLINK_ON_DISK_ROWS

    monkeypatch.setenv(MEMORY_ENV, "512MB")
    engine = get_engine("duckdb")
    for rows, on_disk in ((10, False), (SPLINK_ON_DISK_ROWS, True)):
        with engine.splink_api(rows=rows) as api:
            con = api._con  # Splink's own connection (no public accessor)
            limit, = con.execute("SELECT current_setting('memory_limit')").fetchone()
            (path,), = con.execute(
                "SELECT path FROM duckdb_databases() WHERE database_name = "
                "current_database()").fetchall()
        assert limit.replace(" ", "") in ("488.2MiB", "512.0MB", "488.2MB"), limit
        assert bool(path) == on_disk, (rows, path)


def test_an_em_session_that_reaches_a_zero_probability_is_dropped_not_fatal(
        example_copy, tmp_path, caplog):
    """The example with far copies of its rows: one of the EM sessions finds a comparison
    level no blocked pair shows and reaches m = 0, which Splink refuses. Resolution still
    completes on the other sessions' estimates, every row gets a key, and it says so."""
    from indicator_data import add_far_copies

    add_far_copies(example_copy)
    path = tmp_path / "w.duckdb"
    load_dataset(example_copy, path)
    con = connect(path)
    try:
        with caplog.at_level("WARNING", logger="dvpi.people.linked"):
            resolve(con, "linked")
        unkeyed = con.execute(
            "SELECT count(*) FROM people p LEFT JOIN person_links l ON l.person_id = "
            "p.person_id AND l.method = 'linked' WHERE l.person_key IS NULL").fetchone()[0]
    finally:
        con.close()
    assert unkeyed == 0
    assert "gave a zero probability" in caplog.text
