"""The England and Wales profile at full scale: generate, load, compute nationally, and
compare with the published figures (issue 16).

    nice python benchmarks/bench_ew_profile.py                     # 2024-25 only
    nice python benchmarks/bench_ew_profile.py --from-year 2023-24 # and 2023-24
    nice python benchmarks/bench_ew_profile.py --keep /tmp/ew      # keep data + warehouse
    nice python benchmarks/bench_ew_profile.py --jobs 2            # build in 2 processes

Prints each figure the engine computes for England and Wales beside the published one
(ONS, November 2025), the times of the three steps (generation: wall and CPU, the build
processes' included) and the generator's peak memory.
Record the result in docs/benchmarks.md under 'Synthetic data: England and Wales' with
the date, the machine and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

# The published figures (rates as published, per 100 or per cent).
PUBLISHED = {
    2024: {"dv_incidents": 1_350_460, "dv_crimes": 816_493, "dv_crime_arrests_per_100": 44.6,
           "cps_dv_referrals": 76_393, "cps_ons_charging_rate": 79.9,
           "cps_dv_prosecutions": 54_987, "cps_conviction_rate": 74.7},
    2023: {"dv_crimes": 851_062, "dv_crime_arrests_per_100": 41.7,
           "cps_dv_referrals": 72_641, "cps_ons_charging_rate": 79.0,
           "cps_dv_prosecutions": 51_183, "cps_conviction_rate": 75.8},
}
PER_CENT = {"cps_ons_charging_rate", "cps_conviction_rate"}  # the engine gives a share


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished children (the builds)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-year", default="2024-25")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep it all")
    ap.add_argument("--jobs", type=int, default=1, help="build in this many processes")
    args = ap.parse_args()

    from dvpi.indicators.engine import compute
    from dvpi.ingest import load_dataset
    from dvpi.synth.ew import generate_ew
    from dvpi.synth.ew_figures import parse_year
    from dvpi.warehouse import open_backend, open_warehouse

    work = args.keep or Path(tempfile.mkdtemp(prefix="dvpi-ew-"))
    out = work / "data"
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}; load average {os.getloadavg()}")
    t0, cpu0 = time.perf_counter(), _cpu()
    rows = generate_ew(out, seed=args.seed, from_year=args.from_year, scale=args.scale,
                       jobs=args.jobs)
    t1, cpu1 = time.perf_counter(), _cpu()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"generate: {t1 - t0:,.0f} s wall, {cpu1 - cpu0:,.0f} s CPU (jobs {args.jobs}); "
          f"reports {rows['reports']:,} ({rows['reports'] / (cpu1 - cpu0):,.0f} per CPU "
          f"second); all rows {sum(rows.values()):,}; peak memory {peak_mb:,.0f} MB "
          f"(largest build process {workers_mb:,.0f} MB); load average {os.getloadavg()}")
    warehouse = work / "ew.duckdb"
    result = load_dataset(out, warehouse)
    t2 = time.perf_counter()
    print(f"load: {t2 - t1:,.0f} s; quarantined {result.quarantined}")
    ok = True
    from dvpi import indicators, people

    with open_warehouse(warehouse, "write") as wh:
        people.ready(wh.con, "exact")
        with open_backend(wh.con, "duckdb", indicators.TABLES_READ) as backend:
            for year in range(parse_year(args.from_year), 2025):
                t3 = time.perf_counter()
                res = compute(backend, dt.date(year, 4, 1), dt.date(year + 1, 3, 31),
                              people="exact", ids=list(PUBLISHED[2024]))
                print(f"{year}-{(year + 1) % 100:02d} national, computed in "
                      f"{time.perf_counter() - t3:,.1f} s:")
                for key, published in PUBLISHED.get(year, {}).items():
                    value = res["indicators"][key]["value"]
                    shown = round(value * 100, 1) if key in PER_CENT else (
                        round(value, 1) if isinstance(value, float) else value)
                    same = shown == published if args.scale == 1 else None
                    ok &= same is not False
                    print(f"  {key:<26} {shown!s:>12}  published {published!s:>12}  "
                          f"{'' if same is None else ('exact' if same else 'DIFFERENT')}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
