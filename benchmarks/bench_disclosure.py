"""Time the disclosure control of a financial year's protected table set.

What the public board report and the partners' dashboard each compute once per year
(``stats.release.protect_year``): the force and every borough over every indicator, plus
the report's arrest stage. By default the demo warehouse (``bash scripts/demo.sh``: the
calibrated London data set, 32 boroughs), with the ``exact`` person method so that no
linkage runs first.

    python benchmarks/bench_disclosure.py [--warehouse PATH] [--year 2007-08 ...]
        [--people exact|linked]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from dvpi import people as resolution
from dvpi.indicators import TABLES_READ, compute_series, financial_year
from dvpi.publish.inputs import arrest_stage
from dvpi.stats import release
from dvpi.warehouse import open_warehouse

DEMO = Path(__file__).resolve().parents[1] / "demo" / "dvpi.duckdb"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=DEMO)
    parser.add_argument("--year", action="append", default=None)
    parser.add_argument("--people", default="exact")
    args = parser.parse_args()
    years = args.year or ["2006-07", "2007-08"]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {args.warehouse}")
    with open_warehouse(args.warehouse, "shared") as wh:
        method = resolution.ready(wh.con, args.people)
        with wh.backend("duckdb", TABLES_READ) as backend:
            for year in years:
                start, end = financial_year(year)
                t0 = time.perf_counter()
                results = compute_series(backend, [(start, end)], by_borough=True,
                                         people=method)
                arrests = arrest_stage(backend.con, start, end)
                t1, cpu = time.perf_counter(), time.process_time()
                protection = release.protect_year(results, arrests)
                t2, cpu = time.perf_counter(), time.process_time() - cpu
                print(f"{year}: {len(results)} scopes, {len(protection.cells):,} cells, "
                      f"{len(protection.primary):,} counts below the threshold, "
                      f"{len(protection.secondary):,} secondary; engine {t1 - t0:.1f} s, "
                      f"disclosure control {t2 - t1:.1f} s ({cpu:.1f} s of CPU)")


if __name__ == "__main__":
    main()
