"""Loader benchmark: 1,000,000 people rows with their reports, from CSV.

Prints rows per second (all rows read, reports + people) and peak memory (the
process's maximum resident set: DuckDB runs in-process). Goal: >= 500,000 rows/s,
peak < 2 GB on a 2-core machine. Usage: python benchmarks/bench_load.py [PEOPLE_ROWS]
"""

from __future__ import annotations

import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dvpi.ingest import load_dataset


def make_data(folder: Path, people_rows: int) -> int:
    """Write reports.csv and people.csv (two people per report); returns report rows."""
    reports = people_rows // 2
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
               DATE '1950-01-01' + CAST(i % 18000 AS INTEGER) AS date_of_birth,
               CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS gender,
               'IC' || (1 + i % 6) AS ethnic_appearance, 'E1 6AN' AS postcode,
               CASE WHEN i % 4 = 1 THEN DATE '2007-06-01' END AS arrest_date
        FROM range({people_rows}) t(i)) TO '{folder / 'people.csv'}' (HEADER)""")
    return reports


def main() -> None:
    people_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        reports = make_data(folder, people_rows)
        start = time.perf_counter()
        result = load_dataset(folder, Path(tmp) / "bench.duckdb")
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = reports + people_rows
    assert result.read == rows and result.quarantined == 0
    print(f"machine: {platform.machine()}, {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    print(f"rows: {rows:,} ({reports:,} reports + {people_rows:,} people)")
    print(f"time: {seconds:.2f} s  ->  {rows / seconds:,.0f} rows/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
