"""The Spark backend: the warehouse's tables mirrored into a Spark session.

Indicator expressions are Ibis, so they run on Spark unchanged; this module only gets
the data there. The DuckDB warehouse stays the system of record: each computation
exports the tables it reads to Parquet in a temporary folder and registers them as
temporary views. Local mode by default (``local[2]``); set ``DVPI_SPARK_MASTER`` to
use a cluster (the Parquet folder must then be on storage the cluster sees:
``DVPI_SPARK_TMP``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

DEFAULT_MASTER = "local[2]"
VIEW_PREFIX = "dvpi_"
_session_lock = threading.Lock()
# One computation at a time: view names are fixed so that compiled plans can be reused.
_mirror_lock = threading.RLock()
_session: Any = None


def _splink_similarity_jar() -> str:
    from splink.backends.spark import similarity_jar_location

    return similarity_jar_location()


def session():
    """The process's SparkSession, created on first use (UI off, few partitions)."""
    global _session
    with _session_lock:
        if _session is None:
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            from pyspark.sql import SparkSession

            builder = (
                SparkSession.builder.appName("dvpi")
                .master(os.environ.get("DVPI_SPARK_MASTER", DEFAULT_MASTER))
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions",
                        os.environ.get("DVPI_SPARK_SHUFFLE_PARTITIONS", "2"))
                .config("spark.default.parallelism", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.adaptive.enabled", "true")
                .config("spark.driver.memory", os.environ.get("DVPI_SPARK_DRIVER_MEMORY", "2g"))
                # Splink's string-similarity UDFs (jaro_winkler, ...): person resolution
                # shares this session, and a jar cannot be added to a running one.
                .config("spark.jars", _splink_similarity_jar())
            )
            _session = builder.getOrCreate()
            _session.sparkContext.setLogLevel("ERROR")
        return _session


def stop() -> None:
    """Stop the session (tests call this at the end of the session)."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.stop()
            _session = None


class SparkRunner:
    engine = "spark"

    def __init__(self, spark) -> None:
        self.spark = spark
        self._backend = None

    @property
    def backend(self):
        # Made on first use: a computation whose plan is cached never needs Ibis.
        if self._backend is None:
            import ibis

            self._backend = ibis.pyspark.connect(self.spark)
        return self._backend

    def compile(self, expr) -> str:
        return self.backend.compile(expr)

    def put_arrow(self, name: str, table: pa.Table) -> None:
        df = self.spark.createDataFrame(table.to_pandas(date_as_object=True),
                                        schema=_spark_schema(table.schema))
        df.createOrReplaceTempView(name)

    def materialise(self, name: str, sql: str) -> None:
        self.drop(name)
        self.spark.sql(f"CACHE TABLE `{name}` AS {sql}")

    def fetch(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def drop(self, name: str) -> None:
        self.spark.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
        self.spark.catalog.dropTempView(name)


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    kinds = {pa.int64(): T.LongType(), pa.string(): T.StringType(), pa.date32(): T.DateType(),
             pa.bool_(): T.BooleanType(), pa.float64(): T.DoubleType()}
    return T.StructType([T.StructField(f.name, kinds[f.type], True) for f in schema])


@contextmanager
def mirror(con: duckdb.DuckDBPyConnection,
           tables: Sequence[str]) -> Iterator[tuple[SparkRunner, dict[str, str]]]:
    """Export ``tables`` from the warehouse to Parquet and register them in Spark.

    Yields the runner and the name of each table in Spark.
    """
    spark = session()
    with _mirror_lock:
        tmp = Path(tempfile.mkdtemp(prefix="dvpi-spark-", dir=os.environ.get("DVPI_SPARK_TMP")))
        names: dict[str, str] = {}
        try:
            for table in tables:
                path = tmp / f"{table}.parquet"
                con.execute(f"COPY (SELECT * FROM \"{table}\") TO '{path}' (FORMAT parquet)")
                view = f"{VIEW_PREFIX}{table}"
                spark.read.parquet(str(path)).createOrReplaceTempView(view)
                names[table] = view
            yield SparkRunner(spark), names
        finally:
            for view in names.values():
                spark.catalog.dropTempView(view)
            shutil.rmtree(tmp, ignore_errors=True)
