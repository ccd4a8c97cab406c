"""The Spark engine: the warehouse's tables mirrored into a Spark session.

Indicator expressions are Ibis, so they run on Spark unchanged; this package only gets
the data there. The DuckDB warehouse stays the system of record: each computation
exports the tables it reads to Parquet in a temporary folder and registers them as
temporary views. Local mode by default (``local[2]``); ``dvpi --spark-master URL`` (or a
configuration file, see ``session``) uses a cluster, whose executors must then see the
Parquet folder (``tmp``).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dvpi.warehouse.base import Backend
from dvpi.warehouse.spark.runner import SparkRunner
from dvpi.warehouse.spark.session import configure, master_url, mirror_dir, session, stop

VIEW_PREFIX = "dvpi_"
# One computation at a time: view names are fixed so that compiled plans can be reused.
_mirror_lock = threading.RLock()


class SparkEngine:
    name = "spark"

    @contextmanager
    def open(self, con: duckdb.DuckDBPyConnection,
             tables: dict[str, str]) -> Iterator[Backend]:
        """Export ``tables`` from the warehouse to Parquet and register them in Spark."""
        spark = session()
        with _mirror_lock:
            tmp = Path(tempfile.mkdtemp(prefix="dvpi-spark-",
                                        dir=mirror_dir()))
            names: dict[str, str] = {}
            try:
                for logical, source in tables.items():
                    path = tmp / f"{logical}.parquet"
                    con.execute(f"COPY (SELECT * FROM \"{source}\") TO '{path}' "
                                "(FORMAT parquet)")
                    view = f"{VIEW_PREFIX}{logical}"
                    spark.read.parquet(str(path)).createOrReplaceTempView(view)
                    names[logical] = view
                yield Backend(self.name, con, SparkRunner(spark), names)
            finally:
                for view in names.values():
                    spark.catalog.dropTempView(view)
                shutil.rmtree(tmp, ignore_errors=True)

    @contextmanager
    def splink_api(self, spark: Any = None, rows: int = 0) -> Iterator[Any]:
        from splink import SparkAPI

        yield SparkAPI(spark_session=spark or session(), break_lineage_method="persist")

    def splink_input(self, table: pa.Table) -> Any:
        return table.to_pandas()  # Splink's Spark API registers pandas frames


__all__ = ["SparkEngine", "SparkRunner", "configure", "master_url", "mirror_dir", "session", "stop"]
