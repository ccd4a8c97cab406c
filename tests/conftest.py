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


# --- backends ---------------------------------------------------------------------------

SPARK_ON = os.environ.get("DVPI_SPARK_TESTS") == "1"


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
