"""Benchmark: linked person resolution of ~1,000,000 people rows.

    python benchmarks/bench_people.py [--rows 1000000] [--data DIR] [--work DIR]

Without --data it writes a labelled sample (dvpi.synth.people_sample) of about --rows
people rows, loads it, then times `resolve(con, "linked")` twice: training a new
model, then reusing the saved one. Peak memory is the process's maximum resident
set size (DuckDB and Splink run in this process). Prints one JSON line per run; the
figures go to docs/benchmarks.md under "Person resolution".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from dvpi.ingest import load_dataset
from dvpi.people import resolve
from dvpi.people.evaluate import evaluate_warehouse, read_truth
from dvpi.synth.people_sample import write_dataset
from dvpi.warehouse import connect

ROWS_PER_REPORT = 2.06  # the sample's people rows per report (victim, suspect, cross)


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="an existing data set folder")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dvpi-bench")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    data = args.data
    truth_path = None
    if data is None:
        data = args.work / f"people-{args.rows}"
        truth_path = data.parent / f"{data.name}.truth" / "people.csv"
        if not (data / "people.csv").exists():
            t = time.perf_counter()
            write_dataset(data, int(args.rows / ROWS_PER_REPORT), seed=args.seed)
            print(f"# wrote sample in {time.perf_counter() - t:.0f}s", flush=True)
    else:
        for name in ("people.csv", "people.parquet"):
            if (data.parent / f"{data.name}.truth" / name).exists():
                truth_path = data.parent / f"{data.name}.truth" / name
    warehouse = args.work / f"{data.name}.duckdb"
    if not warehouse.exists():
        t = time.perf_counter()
        load_dataset(data, warehouse)
        print(f"# loaded in {time.perf_counter() - t:.0f}s", flush=True)

    con = connect(warehouse)
    rows = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    machine = {
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    for label, retrain in (("train + resolve", True), ("reuse model + resolve", False)):
        t, cpu = time.perf_counter(), time.process_time()
        resolve(con, "linked", retrain=retrain,
                progress=lambda step, t0=t: print(
                    f"#   {time.perf_counter() - t0:6.1f}s {step}", flush=True))
        seconds = time.perf_counter() - t
        # CPU time of every thread of this process: less moved by other jobs on a
        # shared machine than the wall clock (DuckDB's threads can make it exceed it).
        cpu_seconds = time.process_time() - cpu
        persons = con.execute(
            "SELECT count(DISTINCT person_key) FROM person_links WHERE method = 'linked'"
        ).fetchall()[0][0]
        result = {
            "run": label, "rows": rows, "persons": persons, "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu_seconds, 1), "load_average": os.getloadavg()[0],
            "peak_rss_gb": round(peak_rss_gb(), 2),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), **machine,
        }
        if truth_path is not None and label.startswith("train"):
            ev = evaluate_warehouse(con, read_truth(truth_path), "linked")
            result["pairwise_f1"] = round(ev.pairwise.f1, 4)
            result["repeat_victims"] = ev.repeat_victims
        print(json.dumps(result), flush=True)
    con.close()


if __name__ == "__main__":
    main()
