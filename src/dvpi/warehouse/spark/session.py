"""The process's Spark session: local mode by default, or a cluster named by URL.

Where the session runs is settled once, before it starts, from (first wins): the
command line (``dvpi --spark-master URL --spark-conf FILE``), ``configure()`` in code,
then the environment (``DVPI_SPARK_MASTER``, ``DVPI_SPARK_CONF``). A configuration file
is TOML::

    master = "spark://spark-master.force.example:7077"
    tmp = "/mnt/shared/dvpi"        # where the Parquet mirror goes: storage every
                                    # executor can read (local disk will not do on a
                                    # cluster of several machines)
    [conf]                          # any Spark property
    "spark.executor.memory" = "8g"
    "spark.cores.max" = "32"
"""

from __future__ import annotations

import os
import sys
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dvpi.warehouse.base import WarehouseError

DEFAULT_MASTER = "local[2]"
_session_lock = threading.Lock()
_session: Any = None


@dataclass
class SparkSettings:
    master: str | None = None
    tmp: str | None = None
    conf: dict[str, str] = field(default_factory=dict)


_settings = SparkSettings()


class SparkConfigError(WarehouseError):
    """A Spark configuration file that cannot be used (named, with the reason)."""


def read_config(path: str | Path) -> SparkSettings:
    """A TOML configuration file's settings; unknown keys are refused, not ignored."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SparkConfigError(f"{path}: cannot read the Spark configuration: "
                               f"{error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SparkConfigError(f"{path}: not a valid TOML file: {error}") from error
    unknown = sorted(set(data) - {"master", "tmp", "conf"})
    if unknown:
        raise SparkConfigError(f"{path}: unknown key {unknown[0]!r} "
                               "(expected master, tmp and a [conf] table)")
    for key in ("master", "tmp"):
        if key in data and not isinstance(data[key], str):
            raise SparkConfigError(f"{path}: {key} must be a string")
    conf = data.get("conf", {})
    if not isinstance(conf, dict) or not all(
            isinstance(k, str) and k.startswith("spark.") and isinstance(v, str | int | bool)
            for k, v in conf.items()):
        raise SparkConfigError(f"{path}: [conf] holds Spark properties "
                               "(\"spark.name\" = value)")
    return SparkSettings(data.get("master"), data.get("tmp"),
                         {k: str(v).lower() if isinstance(v, bool) else str(v)
                          for k, v in conf.items()})


def configure(master: str | None = None, conf_file: str | Path | None = None,
              conf: dict[str, str] | None = None) -> None:
    """Say where the session will run; refused once it has started elsewhere."""
    settings = read_config(conf_file) if conf_file else SparkSettings()
    if master:
        settings.master = master
    settings.conf.update(conf or {})
    with _session_lock:
        global _settings
        if _session is not None and settings.master and settings.master != master_url():
            raise SparkConfigError(f"the Spark session already runs on {master_url()}; "
                                   f"stop it before moving to {settings.master}")
        _settings = settings


def _effective() -> SparkSettings:
    settings = _settings
    env_file = os.environ.get("DVPI_SPARK_CONF")
    base = read_config(env_file) if env_file else SparkSettings()
    return SparkSettings(
        settings.master or os.environ.get("DVPI_SPARK_MASTER") or base.master
        or DEFAULT_MASTER,
        settings.tmp or os.environ.get("DVPI_SPARK_TMP") or base.tmp,
        {**base.conf, **settings.conf},
    )


def master_url() -> str:
    """Where the session runs (or will run)."""
    if _session is not None:
        return str(_session.sparkContext.master)
    return str(_effective().master)


def mirror_dir() -> str | None:
    """The folder for the Parquet mirror (None: the system's temporary folder)."""
    return _effective().tmp


def _splink_similarity_jar() -> str:
    from splink.backends.spark import similarity_jar_location

    return similarity_jar_location()


def session():
    """The process's SparkSession, created on first use (UI off, few partitions)."""
    global _session
    with _session_lock:
        if _session is None:
            settings = _effective()
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            from pyspark.sql import SparkSession

            builder = (
                SparkSession.builder.appName("dvpi")
                .master(str(settings.master))
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
            for key, value in settings.conf.items():
                builder = builder.config(key, value)
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
