"""A Spark standalone cluster on this machine: a master and workers, as a cluster runs.

Not local mode: the master and each worker are their own JVM processes, the driver
(dvpi) connects to the master by URL and the work runs in executors the workers start,
exactly as on a force's or the Home Office's cluster. The benchmark and the cluster test
use it to prove dvpi runs on a real distributed engine; on a real cluster an operator
starts the daemons and gives dvpi the master's URL (``--spark-master``).

    with StandaloneCluster(workers=2) as cluster:
        configure(master=cluster.master_url)
        ...
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


class ClusterError(RuntimeError):
    """The cluster did not start (the daemons' log is named in the message)."""


def spark_home() -> Path:
    """The Spark distribution pip installs with pyspark (bin/spark-class, jars/)."""
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class StandaloneCluster:
    """Start a master and ``workers`` workers (``cores`` and ``memory`` each); stop on exit."""

    workers: int = 2
    cores: int = 1
    memory: str = "3g"
    host: str = "127.0.0.1"
    start_timeout: float = 120.0
    port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    _dir: Path | None = None
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def master_url(self) -> str:
        return f"spark://{self.host}:{self.port}"

    @property
    def log_dir(self) -> Path:
        assert self._dir is not None, "cluster not started"
        return self._dir / "logs"

    def __enter__(self) -> StandaloneCluster:
        self._dir = Path(tempfile.mkdtemp(prefix="dvpi-spark-cluster-"))
        self.log_dir.mkdir()
        try:
            self._spawn("master", MASTER_CLASS, "--host", self.host, "--port", str(self.port),
                        "--webui-port", str(self.ui_port))
            for i in range(self.workers):
                work = self._dir / f"worker-{i}"
                work.mkdir()
                self._spawn(f"worker-{i}", WORKER_CLASS, "--host", self.host,
                            "--cores", str(self.cores), "--memory", self.memory,
                            "--webui-port", str(free_port()), "--work-dir", str(work),
                            self.master_url)
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, name: str, main_class: str, *args: str) -> None:
        home = spark_home()
        env = dict(os.environ, SPARK_HOME=str(home), PYSPARK_PYTHON=sys.executable,
                   SPARK_NO_DAEMONIZE="1", SPARK_LOG_DIR=str(self.log_dir))
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([str(home / "bin" / "spark-class"), main_class, *args],
                                stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        log.close()
        self._procs.append(proc)

    def state(self) -> dict:
        """The master's own view of the cluster (its web UI's JSON)."""
        with urllib.request.urlopen(f"http://{self.host}:{self.ui_port}/json/",
                                    timeout=5) as reply:
            return json.load(reply)

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            for proc in self._procs:
                if proc.poll() is not None:
                    raise ClusterError(f"a Spark daemon exited with {proc.returncode}:\n"
                                   + self._log_tail())
            try:
                if self.state().get("aliveworkers", 0) >= self.workers:
                    return
            except OSError:
                pass  # the master's UI is not up yet
            time.sleep(0.5)
        raise ClusterError(f"{self.workers} workers did not register with {self.master_url} "
                           f"within {self.start_timeout:.0f} s:\n" + self._log_tail())

    def _log_tail(self, lines: int = 15) -> str:
        """The end of each daemon's log (the folder is removed when the cluster stops)."""
        parts = []
        for log in sorted(self.log_dir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
