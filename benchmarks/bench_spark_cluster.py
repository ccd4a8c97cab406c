"""Benchmark: dvpi on a real Spark standalone cluster (a master and workers, not local mode).

    python benchmarks/bench_spark_cluster.py [--reports 200000] [--warehouse PATH]
        [--workers 2] [--cores 1] [--memory 4g] [--year 2024-25] [--no-people]

Without --warehouse it writes a national synthetic data set (`dvpi synth --scale
national --reports N`, Parquet) and loads it with exact person links. Then it starts the
cluster and times, each as the user would run it (`dvpi --spark-master URL ...` in its
own process):

1. the catalogue for one year, nationally and for every borough, on DuckDB (the
   reference) and on the cluster, and checks that every figure is equal;
2. linked person resolution with Splink's Spark backend on the cluster, against the same
   on DuckDB (pairwise agreement of the two link sets).

Prints one line per step and a JSON summary; the figures go to docs/benchmarks.md under
"Spark cluster". Each step's time includes its process's start (the JVM, the driver
registering with the master, executors starting on the workers): what a user pays.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dvpi.warehouse.spark.standalone import StandaloneCluster

DVPI = [sys.executable, "-m", "dvpi"]


def run(*args: str) -> tuple[float, str]:
    """Run one dvpi command in its own process; (seconds, stdout)."""
    start = time.perf_counter()
    done = subprocess.run([*DVPI, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"dvpi {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return seconds, done.stdout


def build(work: Path, reports: int) -> Path:
    data = work / f"national-{reports}"
    warehouse = work / f"national-{reports}.duckdb"
    if not warehouse.exists():
        if not data.exists():
            seconds, _ = run("synth", "--out", str(data), "--scale", "national",
                             "--reports", str(reports))
            print(f"synth {reports:,} reports: {seconds:.0f} s", flush=True)
        seconds, _ = run("load", str(data), "--warehouse", str(warehouse), "--people", "exact")
        print(f"load: {seconds:.0f} s", flush=True)
    return warehouse


def pair_agreement(a: Path, b: Path) -> dict[str, float]:
    """How far two warehouses' linked person keys agree, pairwise (Rand-style)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY); ATTACH '{b}' AS b (READ_ONLY)")
    pairs = """SELECT x.person_id p, y.person_id q FROM {db}.person_links x
               JOIN {db}.person_links y ON x.person_key = y.person_key
               AND x.person_id < y.person_id
               WHERE x.method = 'linked' AND y.method = 'linked'"""
    both, only_a, only_b = con.execute(f"""
        WITH pa AS ({pairs.format(db='a')}), pb AS ({pairs.format(db='b')})
        SELECT (SELECT count(*) FROM pa JOIN pb USING (p, q)),
               (SELECT count(*) FROM pa ANTI JOIN pb USING (p, q)),
               (SELECT count(*) FROM pb ANTI JOIN pa USING (p, q))""").fetchone()
    return {"pairs_both": both, "pairs_duckdb_only": only_a, "pairs_spark_only": only_b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--warehouse", type=Path, help="an existing loaded warehouse")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "dvpi-bench-cluster")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1)
    parser.add_argument("--memory", default="4g", help="memory of each worker")
    parser.add_argument("--year", default="2024-25")
    parser.add_argument("--no-people", action="store_true", help="skip person resolution")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    warehouse = args.warehouse or build(args.work, args.reports)
    reports = duckdb.connect(str(warehouse), read_only=True).execute(
        "SELECT count(*) FROM reports").fetchone()[0]
    catalogue = ["indicators", str(warehouse), "--year", args.year, "--by", "borough",
                 "--people", "exact", "--json"]
    summary: dict[str, object] = {
        "date": dt.date.today().isoformat(), "machine": platform.node(),
        "cpus": os.cpu_count(), "reports": reports, "workers": args.workers,
        "cores_per_worker": args.cores, "worker_memory": args.memory}

    seconds, reference = run(*catalogue, "--engine", "duckdb")
    summary["catalogue_duckdb_s"] = round(seconds, 1)
    print(f"catalogue, DuckDB: {seconds:.1f} s", flush=True)

    start = time.perf_counter()
    with StandaloneCluster(workers=args.workers, cores=args.cores,
                           memory=args.memory) as cluster:
        summary["cluster_start_s"] = round(time.perf_counter() - start, 1)
        print(f"cluster up ({cluster.master_url}): {summary['cluster_start_s']} s", flush=True)
        master = ["--spark-master", cluster.master_url]
        seconds, on_cluster = run(*master, *catalogue, "--engine", "spark")
        summary["catalogue_cluster_s"] = round(seconds, 1)
        same = json.loads(on_cluster) == json.loads(reference)
        summary["catalogue_equal"] = same
        print(f"catalogue, cluster: {seconds:.1f} s; every figure equal to DuckDB's: {same}",
              flush=True)

        if not args.no_people:
            copies = {}
            for engine in ("duckdb", "spark"):
                copies[engine] = args.work / f"people-{engine}.duckdb"
                shutil.copyfile(warehouse, copies[engine])
            seconds, _ = run("people", "resolve", "--warehouse", str(copies["duckdb"]),
                             "--people", "linked", "--engine", "duckdb", "--retrain")
            summary["people_duckdb_s"] = round(seconds, 1)
            print(f"linked resolution, DuckDB: {seconds:.0f} s", flush=True)
            seconds, _ = run(*master, "people", "resolve", "--warehouse",
                             str(copies["spark"]), "--people", "linked", "--engine",
                             "spark", "--retrain")
            summary["people_cluster_s"] = round(seconds, 1)
            print(f"linked resolution, cluster: {seconds:.0f} s", flush=True)
            summary.update(pair_agreement(copies["duckdb"], copies["spark"]))
        apps = cluster.state()["completedapps"]
        summary["cluster_apps"] = len(apps)
    print(json.dumps(summary))
    if not summary["catalogue_equal"]:
        sys.exit("the cluster's figures differ from DuckDB's")


if __name__ == "__main__":
    main()
