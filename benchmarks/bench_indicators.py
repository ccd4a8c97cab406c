"""Time the full indicator catalogue for a year, the force and all 32 boroughs.

By default it times the demo warehouse (`bash scripts/demo.sh` makes it: the calibrated
London data set, loaded and resolved) with the default person method (linked). Without
it, or with `--copies N`, it builds a scaled-up warehouse itself: the specification's
worked example replicated N times with new ids spread over 32 boroughs (exact method).
Prints where the time goes, cold (first computation of its shape in the process: Ibis
builds and compiles the plan) and warm (the compiled plan reused).

    python benchmarks/bench_indicators.py [--warehouse PATH | --copies 10000]
        [--people linked|exact] [--spark] [--with-v2-tables]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
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


# Version-2 rows made from a warehouse's own reports and people, for timing only (not
# calibrated: ``dvpi synth`` makes the real ones); h and g are two stable hashes of
# the row's id (g chooses the rows, h their values).
V2_ROWS: dict[str, str] = {
    "bail": """SELECT 'B' || person_id, person_id,
        CASE WHEN h % 3 = 0 THEN 'released_under_investigation' ELSE 'pre_charge_bail' END,
        arrest_date,
        CASE WHEN h % 10 <> 0 THEN arrest_date + CAST(h % 150 AS INTEGER) END,
        CASE WHEN h % 10 <> 0 THEN 'charge' END
        FROM hashed_people
        WHERE role = 'suspect' AND arrest_date IS NOT NULL""",
    "protective_orders": """SELECT 'O' || report_id, borough,
        ['dvpn', 'dvpo', 'non_molestation', 'restraining'][(h % 4) + 1], report_id, NULL,
        recorded_date, ['granted', 'refused', NULL][(h % 3) + 1],
        CASE WHEN h % 3 = 0 AND h % 5 = 0 THEN recorded_date + 20 END
        FROM hashed_reports WHERE dv_flag AND g % 40 = 0""",
    "disclosures": """SELECT 'D' || report_id, borough,
        CASE WHEN h % 2 = 0 THEN 'right_to_ask' ELSE 'right_to_know' END, recorded_date,
        ['disclosed', 'not_disclosed', NULL][(h % 3) + 1],
        CASE WHEN h % 3 <> 2 THEN recorded_date + CAST(h % 60 AS INTEGER) END
        FROM hashed_reports WHERE dv_flag AND g % 50 = 0""",
    "marac_cases": """SELECT 'M' || p.person_id, r.borough, r.recorded_date + 14,
        'V' || (p.h % 15000), p.person_id, r.recorded_date,
        ['police', 'idva', 'health', 'other'][(p.h % 4) + 1], 'visible_high_risk',
        coalesce(p.gender, 'U'), p.age, p.self_defined_ethnicity,
        CASE WHEN p.h % 7 = 0 THEN true END, CASE WHEN p.h % 5 = 0 THEN false END,
        CAST(p.h % 3 AS BIGINT)
        FROM hashed_people AS p JOIN reports r USING (report_id)
        WHERE p.role = 'victim' AND r.dv_flag AND p.g % 12 = 0""",
    "support_referrals": """SELECT 'F' || p.person_id, p.person_id,
        ['idva', 'isva', 'victim_support', 'refuge', 'other'][(p.h % 5) + 1],
        r.recorded_date + CAST(p.h % 30 AS INTEGER), CASE WHEN p.h % 4 <> 0 THEN p.h % 3 <> 0 END
        FROM hashed_people AS p JOIN reports r USING (report_id)
        WHERE p.role = 'victim' AND p.g % 5 = 0""",
    "victim_surveys": """SELECT 'Q' || p.person_id, p.person_id, r.recorded_date + 60,
        s[(p.h % 7) + 1], s[(p.h % 5) + 1], s[(p.h % 3) + 1], NULL, s[(p.h % 6) + 1]
        FROM hashed_people AS p JOIN reports r USING (report_id),
        (SELECT ['completely_satisfied', 'very_satisfied', 'fairly_satisfied', 'neither',
                 'fairly_dissatisfied', 'very_dissatisfied', 'completely_dissatisfied'] AS s)
        WHERE p.role = 'victim' AND p.g % 20 = 0""",
    "programme_requirements": """SELECT 'P' || person_id, person_id,
        ['idap', 'bbr', 'other'][(h % 3) + 1], arrest_date + 90, arrest_date + 450,
        CASE WHEN h % 4 <> 0 THEN arrest_date + CAST(90 + h % 200 AS INTEGER) END,
        CASE WHEN h % 4 = 1 THEN arrest_date + 400 END,
        CASE WHEN h % 4 = 1 THEN 'completed' END
        FROM hashed_people
        WHERE role = 'suspect' AND arrest_date IS NOT NULL AND g % 20 = 0""",
}


def add_v2_tables(path: Path) -> dict[str, int]:
    """Add the version-2 tables (``V2_ROWS``) to a warehouse that lacks them."""
    from dvpi.contract import LINEAGE_COLUMNS
    from dvpi.ingest.load import _table_ddl, create_schema

    con = duckdb.connect(str(path))
    try:
        create_schema(con)  # a version-1 warehouse gains the new columns first
        for table, key in (("people", "person_id"), ("reports", "report_id")):
            con.execute(f"CREATE TEMP VIEW hashed_{table} AS SELECT *, "
                        f"CAST(hash({key}) % 1000003 AS BIGINT) AS h, "
                        f"CAST(hash({key} || '#') % 1000003 AS BIGINT) AS g FROM {table}")
        added = {}
        for name, select in V2_ROWS.items():
            table = TABLES[name]
            con.execute(_table_ddl(table))
            columns = ", ".join([*table.column_names, *(c for c, _ in LINEAGE_COLUMNS)])
            con.execute(f"INSERT INTO {name} ({columns}) SELECT *, 1, 'bench', "
                        f"row_number() OVER () + 1, NULL FROM ({select})")
            added[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.execute("CHECKPOINT")
        return added
    finally:
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
    parser.add_argument("--with-v2-tables", action="store_true",
                        help="time a copy of the warehouse with version-2 tables added "
                             "(made from its own reports and people; timing only)")
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
        if args.with_v2_tables:
            copy = Path(tmp) / "with-v2.duckdb"
            shutil.copyfile(path, copy)
            path = copy
            print("added " + ", ".join(f"{t} {n:,}" for t, n in add_v2_tables(path).items()))
        run(path, "duckdb", people)
        if args.spark:
            run(path, "spark", people)


if __name__ == "__main__":
    main()
