"""The process's Spark session: local mode by default, a cluster with DVPI_SPARK_MASTER."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

DEFAULT_MASTER = "local[2]"
_session_lock = threading.Lock()
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
