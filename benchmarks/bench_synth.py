"""Throughput and peak memory of the synthetic data generator.

    python benchmarks/bench_synth.py --reports 1000000      # national mode, Parquet chunks
    python benchmarks/bench_synth.py --london               # the calibrated London profile

Prints reports per second and the process's peak resident memory. Record the figures in
docs/benchmarks.md under 'Synthetic data' with the date and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1_000_000)
    ap.add_argument("--london", action="store_true", help="time the London profile instead")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="write here and keep the output")
    args = ap.parse_args()

    from dvpi.synth import generate
    from dvpi.synth.national import generate_national

    work = args.keep or Path(tempfile.mkdtemp(prefix="dvpi-bench-"))
    out = work / "data"
    t0 = time.perf_counter()
    if args.london:
        rows = generate(out, seed=args.seed).rows
    else:
        rows = generate_national(out, seed=args.seed, reports=args.reports)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in out.glob("*")) / 2**20
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}")
    print(f"mode: {'london' if args.london else 'national'}; reports {rows['reports']:,}; "
          f"people {rows['people']:,}; all rows {sum(rows.values()):,}")
    print(f"time: {seconds:.1f} s; {rows['reports'] / seconds:,.0f} reports/s; "
          f"{sum(rows.values()) / seconds:,.0f} rows/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB; output {size:,.0f} MB")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
