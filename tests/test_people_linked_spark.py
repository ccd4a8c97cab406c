"""The linked method on the Spark backend (local mode): same model, same answers."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

from dvpi.ingest import load_dataset
from dvpi.people import resolve
from dvpi.people.evaluate import evaluate_warehouse, read_truth
from dvpi.people.linked import load_model, local_spark_session, port_model
from dvpi.people.splink_settings import TrainingPlan
from dvpi.synth.people_sample import write_dataset
from dvpi.warehouse import connect

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    session = local_spark_session("dvpi-test-people")
    yield session
    session.stop()


def test_spark_engine_resolves_like_duckdb(spark, tmp_path):
    truth_path = write_dataset(tmp_path / "data", n_reports=150, seed=21)
    warehouse = tmp_path / "w.duckdb"
    load_dataset(tmp_path / "data", warehouse)
    con = connect(warehouse)
    truth = read_truth(truth_path)
    resolve(con, "linked", engine="duckdb", plan=TrainingPlan(u_max_pairs=1e5,
                                                             em_max_pairs=1e5))
    duck_ev = evaluate_warehouse(con, truth, "linked")
    # Spark reuses the DuckDB-trained model, rewritten in Spark SQL, and scores,
    # blocks and clusters on Spark (training on Spark in local mode takes minutes).
    resolve(con, "linked", engine="spark", spark=spark)
    spark_ev = evaluate_warehouse(con, truth, "linked")
    assert load_model(con, "spark") is None  # nothing trained on Spark
    model = port_model(load_model(con, "duckdb")[0], "spark")
    con.close()
    assert model["sql_dialect"] == "spark"
    assert spark_ev.rows == duck_ev.rows > 0
    assert spark_ev.pairwise.f1 > 0.95
    assert abs(spark_ev.pairwise.f1 - duck_ev.pairwise.f1) < 0.01
