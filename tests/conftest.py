"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dvpi import people

# Tests store ground-truth links by hand (store_links) and count persons by them: a
# method like the built-in ones, registered the same way.
people.register(people.Method("truth", "ground truth stored by a test"))

DATA = Path(__file__).parent / "data"
# The specification's worked example (shared/spec/example), copied into the repository
# so the tests never depend on a path outside it.
EXAMPLE_DIR = DATA / "example"


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLE_DIR


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the example data set."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE_DIR, target)
    return target


@pytest.fixture(scope="session")
def example_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example loaded once into a warehouse (treat as read-only), both built-in
    resolutions stored up front."""
    from engine_helpers import load_resolved

    return load_resolved(EXAMPLE_DIR, tmp_path_factory.mktemp("example-warehouse")
                         / "example.duckdb")


@pytest.fixture(scope="session")
def example_loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example loaded once into a warehouse, no person resolved. Read-only: tests
    take a copy (`warehouse_rows.copy_warehouse`); a fresh load of the example costs a
    second or more, and the property tests start from it dozens of times."""
    from dvpi.ingest import load_dataset

    path = tmp_path_factory.mktemp("example-loaded") / "example.duckdb"
    load_dataset(EXAMPLE_DIR, path)
    return path


# --- backends ---------------------------------------------------------------------------

SPARK_ON = os.environ.get("DVPI_SPARK_TESTS") == "1"
if SPARK_ON:
    # JVM options for a short-lived driver running tiny queries (the file says why);
    # a configuration the caller set wins.
    os.environ.setdefault("DVPI_SPARK_CONF", str(DATA / "spark-tests.toml"))


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("spark", marks=[
            pytest.mark.spark,
            pytest.mark.skipif(not SPARK_ON, reason="set DVPI_SPARK_TESTS=1 for the Spark run"),
        ]),
    ],
)
def engine(request: pytest.FixtureRequest) -> str:
    """The backend a family test runs on: DuckDB always, Spark with DVPI_SPARK_TESTS=1."""
    if request.param == "spark":
        from dvpi.warehouse import spark

        spark.session()  # one per process, shared with the spark_session fixture
    return request.param


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One SparkSession for the whole test session, stopped at its end."""
    from dvpi.warehouse import spark

    yield spark.session()
    spark.stop()
