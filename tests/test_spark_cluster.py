"""dvpi on a real Spark cluster: a standalone master and two workers, not local mode.

The cluster test runs the catalogue through the command line in a child process (a
process has one Spark session, and the Spark run's own is in local mode), then checks
every figure against DuckDB's and that the work really ran in the cluster's executors.
The configuration tests are quick and run everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SPARK_ON
from dvpi.warehouse.spark.session import SparkConfigError, read_config

EXAMPLE = Path(__file__).parent / "data" / "example"
DVPI = [sys.executable, "-m", "dvpi"]


def _dvpi(*args: str) -> dict:
    done = subprocess.run([*DVPI, *args], capture_output=True, text=True, timeout=900,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.spark
@pytest.mark.skipif(not SPARK_ON, reason="set DVPI_SPARK_TESTS=1 for the Spark run")
def test_catalogue_on_a_standalone_cluster_equals_duckdb() -> None:
    from dvpi.warehouse.spark.standalone import StandaloneCluster

    common = ["indicators", str(EXAMPLE), "--year", "2007-08", "--by", "borough",
              "--people", "exact", "--json"]
    expected = _dvpi(*common, "--engine", "duckdb")
    with StandaloneCluster(workers=2, cores=1, memory="1g") as cluster:
        got = _dvpi("--spark-master", cluster.master_url, *common, "--engine", "spark")
        apps = cluster.state()["completedapps"] + cluster.state()["activeapps"]
    assert got == expected
    # The driver registered with the master and ran its work there, not in local mode.
    assert [app["name"] for app in apps] == ["dvpi"]
    assert apps[0]["cores"] >= 1


def test_a_configuration_file_names_master_mirror_and_properties(tmp_path: Path) -> None:
    conf = tmp_path / "spark.toml"
    conf.write_text('master = "spark://spark.force.example:7077"\ntmp = "/mnt/shared"\n'
                    '[conf]\n"spark.executor.memory" = "8g"\n"spark.cores.max" = 32\n'
                    '"spark.speculation" = true\n')
    settings = read_config(conf)
    assert settings.master == "spark://spark.force.example:7077"
    assert settings.tmp == "/mnt/shared"
    assert settings.conf == {"spark.executor.memory": "8g", "spark.cores.max": "32",
                             "spark.speculation": "true"}


@pytest.mark.parametrize(("text", "message"), [
    ('master = "x"\nmastre = "y"\n', "unknown key 'mastre'"),
    ("master = 7077\n", "master must be a string"),
    ('[conf]\n"executor.memory" = "8g"\n', "[conf] holds Spark properties"),
    ('[conf]\n"spark.x" = ["a"]\n', "[conf] holds Spark properties"),
    ("master = \n", "not a valid TOML file"),
    ("\udcff", "not a valid TOML file"),
])
def test_a_bad_configuration_file_is_named_with_the_reason(tmp_path: Path, text: str,
                                                           message: str) -> None:
    conf = tmp_path / "spark.toml"
    conf.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(SparkConfigError) as error:
        read_config(conf)
    assert str(conf) in str(error.value) and message in str(error.value)


def test_the_command_line_refuses_a_bad_configuration_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dvpi.cli import app

    conf = tmp_path / "spark.toml"
    conf.write_text("colour = 'blue'\n")
    result = CliRunner().invoke(app, ["--spark-conf", str(conf), "loads", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown key 'colour'" in result.output


def test_the_spark_page_shows_options_and_a_file_that_work(tmp_path: Path) -> None:
    import re

    from typer.testing import CliRunner

    from dvpi.cli import app

    page = (Path(__file__).resolve().parents[1] / "docs" / "spark.md").read_text()
    help_text = CliRunner().invoke(app, ["--help"]).output
    for option in set(re.findall(r"--spark-[a-z]+", page)):
        assert option in help_text, f"docs/spark.md names {option}, which dvpi lacks"
    example = re.search(r"```toml\n(.*?)```", page, re.S)
    assert example is not None
    conf = tmp_path / "spark.toml"
    conf.write_text(example.group(1))
    assert read_config(conf).master == "spark://spark.force.example:7077"
