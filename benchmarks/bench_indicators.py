"""Time the full indicator catalogue for a year, the force and all 32 boroughs.

By default it times the demo warehouse (`bash scripts/demo.sh` makes it: the calibrated
London data set, loaded and resolved) with the default person method (linked). Without
it, or with `--copies N`, it builds a scaled-up warehouse itself: the specification's
worked example replicated N times with new ids spread over 32 boroughs (exact method).
Prints where the time goes, cold (first computation of its shape in the process: Ibis
builds and compiles the plan) and warm (the compiled plan reused).

    python benchmarks/bench_indicators.py [--warehouse PATH | --copies 10000]
        [--people linked|exact] [--spark]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dvpi import people as resolution
from dvpi.contract import TABLES
from dvpi.indicators import TABLES_READ, plans
from dvpi.indicators.engine import Timings, run_cells
from dvpi.indicators.periods import Period
from dvpi.warehouse import Backend, open_warehouse

EXAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "example"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "dvpi.duckdb"
ID_COLUMNS = {"report_id", "person_id", "victim_person_id", "suspect_person_id", "call_id",
              "cps_urn", "review_id", "nominal_id", "cad_ref"}
BOROUGHS = 32
YEAR = Period(dt.date(2007, 4, 1), dt.date(2008, 3, 31))


def build_warehouse(path: Path, copies: int) -> None:
    from dvpi import people
    from dvpi.ingest import load_dataset

    load_dataset(EXAMPLE, path)
    con = duckdb.connect(str(path))
    names = ", ".join(f"'Borough {i:02d}'" for i in range(BOROUGHS))
    loaded = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    for table in TABLES.values():
        if table.name == "targets" or table.name not in loaded:
            continue  # (the example holds none of version 2's tables)
        cols = [r[0] for r in con.execute(f"DESCRIBE {table.name}").fetchall()]
        select = []
        for c in cols:
            if c in ID_COLUMNS:
                select.append(f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} || '_' || r END AS {c}")
            elif c == "borough":
                select.append(f"[{names}][(r % {BOROUGHS}) + 1] AS borough")
            else:
                select.append(c)
        n = BOROUGHS if table.name == "population" else copies
        con.execute(f"CREATE TABLE {table.name}_big AS SELECT {', '.join(select)} "
                    f"FROM {table.name}, range({n}) t(r)")
        con.execute(f"DROP TABLE {table.name}")
        con.execute(f"ALTER TABLE {table.name}_big RENAME TO {table.name}")
    people.resolve(con, "exact")  # the rows changed under the same load: recompute
    con.execute("CHECKPOINT")
    con.close()


@contextmanager
def opened(path: Path, engine: str, people: str) -> Iterator[tuple[Backend, str]]:
    """The warehouse on ``engine``, with ``people``'s links ready (as the CLI opens it)."""
    with open_warehouse(path, "shared") as wh:
        method = resolution.ready(wh.con, people)
        with wh.backend(engine, TABLES_READ) as backend:
            yield backend, method


def run(path: Path, engine: str, people: str) -> None:
    con = duckdb.connect(str(path), read_only=True)
    sizes = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("reports", "people", "relationships", "outcomes")}
    con.close()
    print(f"warehouse {path}: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    runs = (("cold: no compiled plan yet", False),
            ("warm: plan from the disk cache (a new process)", True),
            ("warm: plan in memory", False))
    for label, from_disk in runs:
        if from_disk:
            plans.clear_memory()
        timings = Timings()
        t0 = time.perf_counter()
        with opened(path, engine, people) as (backend, method):
            timings.add(f"open the {engine} backend, person links ready",
                        time.perf_counter() - t0)
            out = run_cells(backend, [YEAR], None, people=method, timings=timings)
        total = time.perf_counter() - t0
        print(f"\n{label}: {total:.2f} s for {len(out)} scopes x "
              f"{len(out[0]['indicators'])} indicators ({engine})")
        for step, secs in timings.steps.items():
            print(f"  {secs:7.2f} s  {step}")
        print(f"  force dv_incidents = {out[0]['indicators']['dv_incidents']['value']:,}")
    weeks = [Period(YEAR.end - dt.timedelta(days=7 * (13 - i) - 1),
                    YEAR.end - dt.timedelta(days=7 * (12 - i))) for i in range(13)]
    for label in ("cold", "warm"):
        t0 = time.perf_counter()
        with opened(path, engine, people) as (backend, method):
            out = run_cells(backend, weeks, None, people=method)
        print(f"\n13-week series, {label}: {time.perf_counter() - t0:.2f} s for {len(out)} "
              "period x scope objects")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, help="build an N-copy example warehouse")
    parser.add_argument("--warehouse", type=Path, default=DEMO if DEMO.exists() else None,
                        help="an existing warehouse to time (default: the demo's)")
    parser.add_argument("--people", help="person method (default: linked on a given "
                                         "warehouse, exact on a built one)")
    parser.add_argument("--spark", action="store_true", help="time the Spark engine too")
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · "
          f"Python {platform.python_version()} · {dt.datetime.now():%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DVPI_PLAN_CACHE"] = str(Path(tmp) / "plans")  # a true cold start
        path = None if args.copies else args.warehouse
        people = args.people or "linked"
        if path is None:
            copies = args.copies or 10000
            path = Path(tmp) / "bench.duckdb"
            t0 = time.perf_counter()
            build_warehouse(path, copies)
            print(f"built a {copies:,}-copy warehouse in {time.perf_counter() - t0:.1f} s")
            people = args.people or "exact"
        run(path, "duckdb", people)
        if args.spark:
            run(path, "spark", people)


if __name__ == "__main__":
    main()
