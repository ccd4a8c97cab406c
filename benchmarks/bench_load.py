"""Loader benchmark: 1,000,000 people rows with their reports, from CSV.

Prints rows per second (all rows read, reports + people) and peak memory (the
process's maximum resident set: DuckDB runs in-process). Goal: >= 500,000 rows/s,
peak < 2 GB on a 2-core machine.

Usage: python benchmarks/bench_load.py [PEOPLE_ROWS] [--repeat N] [--bad-every N] [--floor]

Each load runs in a new process, as `dvpi load` would, into a new warehouse; with
--repeat the data are written once and loaded N times, and the median and best are
printed too (this machine is shared, and single runs vary by 20%).

With --floor, each load is followed by the engine's floor, in the same minutes: DuckDB
reading the same files through the loader's own typing query straight into tables of
a new database file, with nothing else (no line numbers, no checks, no quarantine, no
ledger). The loader cannot be faster than that; the ratio shows what its guarantees
cost, whatever the machine's speed at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dvpi.ingest import load_dataset


def make_data(folder: Path, people_rows: int, bad_every: int = 0) -> int:
    """Write reports.csv and people.csv (two people per report); returns report rows.
    With ``bad_every`` N, every N-th people row has an impossible date of birth (it is
    quarantined, and the loader reads the file a second time for original values)."""
    reports = people_rows // 2
    bad = f"i % {bad_every} = 0" if bad_every else "false"
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT 'R' || i AS report_id, 'Borough ' || (i % 32) AS borough,
               DATE '2006-04-01' + CAST(i % 730 AS INTEGER) AS recorded_date,
               CASE WHEN i % 2 = 0 THEN 'crime' ELSE 'non_crime' END AS classification,
               CASE WHEN i % 2 = 0 THEN 'common_assault' END AS offence,
               CASE WHEN i % 5 = 0 THEN 'false' ELSE 'true' END AS dv_flag
        FROM range({reports}) t(i)) TO '{folder / 'reports.csv'}' (HEADER)""")
    con.execute(f"""COPY (
        SELECT 'P' || i AS person_id, 'R' || (i // 2) AS report_id,
               CASE WHEN i % 2 = 0 THEN 'victim' ELSE 'suspect' END AS role,
               'N' || (i % 400000) AS nominal_id, 'Surname' || (i % 9973) AS surname,
               'Name' || (i % 997) AS forenames,
               CASE WHEN {bad} THEN '1977-02-30' ELSE CAST(
                   DATE '1950-01-01' + CAST(i % 18000 AS INTEGER) AS VARCHAR)
               END AS date_of_birth,
               CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS gender,
               'IC' || (1 + i % 6) AS ethnic_appearance, 'E1 6AN' AS postcode,
               CASE WHEN i % 4 = 1 THEN DATE '2007-06-01' END AS arrest_date
        FROM range({people_rows}) t(i)) TO '{folder / 'people.csv'}' (HEADER)""")
    return reports


def load_once(folder: Path, warehouse: Path) -> dict:
    """Load in this process; the figures as a dict."""
    start = time.perf_counter()
    result = load_dataset(folder, warehouse)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "read": result.read, "quarantined": result.quarantined,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def floor_once(folder: Path, warehouse: Path) -> dict:
    """The engine's floor (see the module's doc), in this process."""
    from dvpi.ingest.sources import find_sources, reader
    from dvpi.ingest.validate import typed_select

    start = time.perf_counter()
    con = duckdb.connect(str(warehouse))
    con.execute("SET preserve_insertion_order = false")
    for source in find_sources(folder):
        rows = reader(con, source, f"rejects_{source.table.name}")
        con.execute(f"CREATE TABLE {source.table.name} AS {typed_select(source, rows)}")
    con.execute("CHECKPOINT")
    con.close()
    return {"seconds": time.perf_counter() - start}


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("people_rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--bad-every", type=int, default=0,
                        help="quarantine every N-th people row (impossible date of birth)")
    parser.add_argument("--floor", action="store_true",
                        help="after each load, time the engine's floor on the same files")
    parser.add_argument("--_load", nargs=2, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--_floor", nargs=2, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args._load:
        print(json.dumps(load_once(Path(args._load[0]), Path(args._load[1]))))
        return
    if args._floor:
        print(json.dumps(floor_once(Path(args._floor[0]), Path(args._floor[1]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        reports = make_data(folder, args.people_rows, args.bad_every)
        bad = len(range(0, args.people_rows, args.bad_every)) if args.bad_every else 0
        rows = reports + args.people_rows
        print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"rows: {rows:,} ({reports:,} reports + {args.people_rows:,} people, "
              f"{bad:,} of them to quarantine)")
        runs, floors = [], []
        for i in range(args.repeat):
            run = _child("--_load", str(folder), f"{tmp}/bench{i}.duckdb")
            assert run["read"] == rows and run["quarantined"] == bad, run
            runs.append(run)
            floor = ""
            if args.floor:
                floors.append(_child("--_floor", str(folder), f"{tmp}/floor{i}.duckdb")["seconds"])
                floor = f"   engine floor: {floors[-1]:.2f} s ({rows / floors[-1]:,.0f} rows/s)"
            print(f"time: {run['seconds']:.2f} s  ->  {rows / run['seconds']:,.0f} rows/s"
                  f"   peak memory (max RSS): {run['peak_mb']:,.0f} MB{floor}")
        times = [r["seconds"] for r in runs]
        if len(runs) > 1:
            print(f"median: {statistics.median(times):.2f} s  ->  "
                  f"{rows / statistics.median(times):,.0f} rows/s;  best: {min(times):.2f} s  ->  "
                  f"{rows / min(times):,.0f} rows/s;  peak memory at most "
                  f"{max(r['peak_mb'] for r in runs):,.0f} MB")
        if len(floors) > 1:
            ratio = statistics.median(times) / statistics.median(floors)
            print(f"engine floor median: {statistics.median(floors):.2f} s  ->  "
                  f"{rows / statistics.median(floors):,.0f} rows/s;  the loader takes "
                  f"{ratio:.2f}x the floor")


if __name__ == "__main__":
    main()
