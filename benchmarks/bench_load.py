"""Loader benchmark: 1,000,000 people rows with their reports, from CSV.

Prints rows per second (all rows read, reports + people) and peak memory (the
process's maximum resident set: DuckDB runs in-process). Goal: >= 500,000 rows/s,
peak < 2 GB on a 2-core machine.

Usage: python benchmarks/bench_load.py [PEOPLE_ROWS] [--repeat N] [--bad-every N] [--floor]
                                       [--data DIR] [--mapping]

Each load runs in a new process, as `dvpi load` would, into a new warehouse; with
--repeat the data are written once and loaded N times, and the median and best are
printed too (this machine is shared, and single runs vary by 20%).

With --floor, each load is followed by the engine's floor, in the same minutes: DuckDB
reading the same files through the loader's own typing query straight into tables of
a new database file, with nothing else (no line numbers, no checks, no quarantine, no
ledger). The loader cannot be faster than that; the ratio shows what its guarantees
cost, whatever the machine's speed at the time.

With --data DIR, a data set already written (the London demo set: ``dvpi synth``) is
loaded instead of the generated one. With --mapping, the generated rows are also
written as a force's own export (Niche-like headers, DD/MM/YYYY dates, the system's
words for codes, Y/N flags, columns to drop) with its mapping file, and each load of
the format's files is followed by a load of that export through the mapping, in the
same minutes: the ratio of the two is the mapping's cost. Goals (issue 13): the
loader at most 1.3x the floor; a mapped load at most 1.2x the same rows in the format.
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


# The mapped export of the generated rows: the force's headers and words.
MAPPING = """
[export]
date_format = "DD/MM/YYYY"

[tables.reports]
files = "Occurrences.csv"
drop = ["OIC", "Station"]
[tables.reports.columns]
"OCC Ref" = "report_id"
"BCU" = "borough"
"Reported Date" = "recorded_date"
"Crime/Incident" = "classification"
"Offence" = "offence"
"Domestic Y/N" = "dv_flag"
[tables.reports.values.classification]
"Crime" = "crime"
"Non-Crime Incident" = "non_crime"
[tables.reports.values.offence]
"Common Assault and Battery" = "common_assault"
"Assault Occ ABH - S47" = "abh"

[tables.people]
files = "Nominals.csv"
drop = ["Last Updated"]
[tables.people.columns]
"Involvement Ref" = "person_id"
"OCC Ref" = "report_id"
"Involvement" = "role"
"Nominal No" = "nominal_id"
"Surname" = "surname"
"Forename(s)" = "forenames"
"Date of Birth" = "date_of_birth"
"Sex" = "gender"
"Ethnic Appearance" = "ethnic_appearance"
"Home Postcode" = "postcode"
"Date Arrested" = "arrest_date"
[tables.people.values.role]
"Injured Party" = "victim"
"Suspect" = "suspect"
[tables.people.values.gender]
"Female" = "F"
"Male" = "M"
[tables.people.values.ethnic_appearance]
"IC1 - White European" = "IC1"
"IC2 - Dark European" = "IC2"
"IC3 - African/Caribbean" = "IC3"
"IC4 - Asian" = "IC4"
"IC5 - Oriental" = "IC5"
"IC6 - Arabian/Egyptian" = "IC6"
"""


def make_mapped(folder: Path, out: Path) -> Path:
    """The rows of ``folder`` (``make_data``) as a force's own export in ``out``, and
    its mapping file (returned)."""
    out.mkdir()
    con = duckdb.connect()
    dmy = "strftime(CAST({} AS DATE), '%d/%m/%Y')"
    con.execute(f"""COPY (SELECT report_id AS "OCC Ref", borough AS "BCU",
            {dmy.format('recorded_date')} AS "Reported Date",
            CASE classification WHEN 'crime' THEN 'Crime' ELSE 'Non-Crime Incident' END
                AS "Crime/Incident",
            CASE offence WHEN 'common_assault' THEN 'Common Assault and Battery' END
                AS "Offence",
            CASE dv_flag WHEN 'true' THEN 'Y' ELSE 'N' END AS "Domestic Y/N",
            'PC ' || report_id AS "OIC", borough || ' Police Station' AS "Station"
        FROM read_csv('{folder / 'reports.csv'}', all_varchar = true))
        TO '{out / 'Occurrences.csv'}' (HEADER)""")
    con.execute(f"""COPY (SELECT person_id AS "Involvement Ref", report_id AS "OCC Ref",
            CASE role WHEN 'victim' THEN 'Injured Party' ELSE 'Suspect' END AS "Involvement",
            nominal_id AS "Nominal No", surname AS "Surname", forenames AS "Forename(s)",
            CASE WHEN date_of_birth LIKE '____-__-__' AND TRY_CAST(date_of_birth AS DATE)
                 IS NOT NULL THEN {dmy.format('date_of_birth')} ELSE date_of_birth END
                AS "Date of Birth",
            CASE gender WHEN 'F' THEN 'Female' ELSE 'Male' END AS "Sex",
            CASE ethnic_appearance WHEN 'IC1' THEN 'IC1 - White European'
                WHEN 'IC2' THEN 'IC2 - Dark European' WHEN 'IC3' THEN 'IC3 - African/Caribbean'
                WHEN 'IC4' THEN 'IC4 - Asian' WHEN 'IC5' THEN 'IC5 - Oriental'
                ELSE 'IC6 - Arabian/Egyptian' END AS "Ethnic Appearance",
            postcode AS "Home Postcode",
            CASE WHEN arrest_date IS NOT NULL THEN {dmy.format('arrest_date')} END
                AS "Date Arrested",
            '01/04/2009 09:00' AS "Last Updated"
        FROM read_csv('{folder / 'people.csv'}', all_varchar = true))
        TO '{out / 'Nominals.csv'}' (HEADER)""")
    mapping = out.parent / "force.toml"
    mapping.write_text(MAPPING)
    return mapping


def load_once(folder: Path, warehouse: Path, mapping: Path | None = None) -> dict:
    """Load in this process; the figures as a dict."""
    start = time.perf_counter()
    result = load_dataset(folder, warehouse, mapping=mapping)
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
    parser.add_argument("--data", type=Path,
                        help="load this data set (in the format) instead of generated rows")
    parser.add_argument("--mapping", action="store_true",
                        help="after each load, load the same rows as a mapped export")
    parser.add_argument("--_load", nargs="+", help=argparse.SUPPRESS)  # child process
    parser.add_argument("--_floor", nargs=2, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args._load:
        mapping = Path(args._load[2]) if len(args._load) > 2 else None
        print(json.dumps(load_once(Path(args._load[0]), Path(args._load[1]), mapping)))
        return
    if args._floor:
        print(json.dumps(floor_once(Path(args._floor[0]), Path(args._floor[1]))))
        return
    if args.mapping and args.data:
        parser.error("--mapping writes its export from generated rows: not with --data")
    with tempfile.TemporaryDirectory() as tmp:
        if args.data:
            folder, rows, bad = args.data, None, None
        else:
            folder = Path(tmp) / "data"
            folder.mkdir()
            reports = make_data(folder, args.people_rows, args.bad_every)
            bad = len(range(0, args.people_rows, args.bad_every)) if args.bad_every else 0
            rows = reports + args.people_rows
        mapping = make_mapped(folder, Path(tmp) / "export") if args.mapping else None
        print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        if rows is not None:
            print(f"rows: {rows:,} ({reports:,} reports + {args.people_rows:,} people, "
                  f"{bad:,} of them to quarantine)")
        runs, floors, mapped = [], [], []
        for i in range(args.repeat):
            run = _child("--_load", str(folder), f"{tmp}/bench{i}.duckdb")
            if rows is None:
                rows, bad = run["read"], run["quarantined"]
                print(f"rows: {rows:,} read from {folder}, {bad:,} of them quarantined")
            assert run["read"] == rows and run["quarantined"] == bad, run
            runs.append(run)
            floor = ""
            if args.floor:
                floors.append(_child("--_floor", str(folder), f"{tmp}/floor{i}.duckdb")["seconds"])
                floor = f"   engine floor: {floors[-1]:.2f} s ({rows / floors[-1]:,.0f} rows/s)"
            if mapping is not None:
                m = _child("--_load", str(Path(tmp) / "export"), f"{tmp}/mapped{i}.duckdb",
                           str(mapping))
                assert m["read"] == rows and m["quarantined"] == bad, m
                mapped.append(m["seconds"])
                floor += f"   mapped export: {m['seconds']:.2f} s"
            print(f"time: {run['seconds']:.2f} s  ->  {rows / run['seconds']:,.0f} rows/s"
                  f"   peak memory (max RSS): {run['peak_mb']:,.0f} MB{floor}")
        times = [r["seconds"] for r in runs]
        if len(runs) > 1:
            print(f"median: {statistics.median(times):.2f} s  ->  "
                  f"{rows / statistics.median(times):,.0f} rows/s;  best: {min(times):.2f} s  ->  "
                  f"{rows / min(times):,.0f} rows/s;  peak memory at most "
                  f"{max(r['peak_mb'] for r in runs):,.0f} MB")
        if floors:
            ratio = statistics.median(times) / statistics.median(floors)
            print(f"engine floor median: {statistics.median(floors):.2f} s  ->  "
                  f"{rows / statistics.median(floors):,.0f} rows/s;  the loader takes "
                  f"{ratio:.2f}x the floor (goal: at most 1.3x)")
        if mapped:
            ratio = statistics.median(mapped) / statistics.median(times)
            print(f"mapped export median: {statistics.median(mapped):.2f} s;  it takes "
                  f"{ratio:.2f}x the same rows in the format (goal: at most 1.2x)")


if __name__ == "__main__":
    main()
