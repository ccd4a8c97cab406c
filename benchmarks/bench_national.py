"""Time the indicator catalogue for one year on national synthetic data sets of growing size.

For each size (millions of reports) it generates a national set once with the product's
generator (``dvpi synth --scale national --reports N``), loads it into a warehouse once
with the product's loader and resolves people with ``--people`` (default ``exact``; the
catalogue is timed, not resolution), all cached under ``--data`` (outside the repository)
and reused by later runs. Then, each in a new process (so peak memory is that
computation's), it times one year's catalogue through the library API (``run_cells``,
as ``dvpi indicators`` runs it) for the scopes:

* ``national``: every row;
* ``force``: the nation and every force (``--by force``; the nation alone when the data
  set has no ``force`` column);
* ``borough``: the nation and every borough;
* ``all``: the nation, every force and every borough in one computation (the goal).

Each process records wall time, CPU time (user + system, all DuckDB threads), peak
resident memory (``ru_maxrss``) and its resident memory before computing. A first,
untimed-for-the-table computation of each shape fills the plan cache, so the figures are
warm (plan from disk, as a new ``dvpi`` process reads it). ``--profile`` also writes
DuckDB's JSON profile of every query of the ``all`` run (each base table and the counting
query: time, CPU, peak buffer memory, rows) and prints the largest. Results are printed,
written as JSON beside the data, and plotted (seconds per million reports against size).

    nice -n 10 python benchmarks/bench_national.py --sizes 1,2,4 --data /work/bench-data \
        [--year 2007-08] [--people exact] [--profile] [--plot docs/img/national-scaling.svg]

A size may also be given as the path of an existing data set folder (Parquet or CSV in
the interchange format) or of a loaded warehouse (``.duckdb``), e.g. the ten-year national
profile: ``--sizes /work/bench-data/ew-2024-25``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCOPE_SETS = ("national", "force", "borough", "all")


# -- data ------------------------------------------------------------------------------
def data_dir(base: Path, size: str) -> Path:
    if "/" in size or size.endswith(".duckdb"):
        return Path(size)
    millions = float(size)
    return base / f"national-{millions:g}m"


def ensure_data(base: Path, size: str) -> Path:
    """The Parquet folder of ``size`` (generated when missing) or the given path."""
    folder = data_dir(base, size)
    if folder.suffix == ".duckdb" or (folder / "reports.parquet").exists() \
            or (folder / "reports.csv").exists():
        return folder
    reports = int(float(size) * 1_000_000)
    print(f"generating {reports:,} reports into {folder} ...", flush=True)
    t0 = time.perf_counter()
    # Written beside, renamed when whole: a cut-short run never passes for a data set.
    partial = folder.with_name(folder.name + ".partial")
    subprocess.run([sys.executable, "-m", "dvpi", "synth", "--scale", "national",
                    "--reports", str(reports), "--out", str(partial),
                    "--truth", str(folder.with_name(folder.name + ".truth"))], check=True)
    partial.rename(folder)
    print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def ensure_warehouse(folder: Path, people: str) -> Path:
    """A loaded, resolved warehouse of the data set (made once)."""
    if folder.suffix == ".duckdb":
        return folder
    path = folder.parent / f"{folder.name}.{people}.duckdb"
    if path.exists():
        return path
    import duckdb

    from dvpi import people as resolution
    from dvpi.ingest import load_dataset

    tmp = path.with_suffix(".tmp.duckdb")
    tmp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    load_dataset(folder, tmp)
    loaded = time.perf_counter() - t0
    con = duckdb.connect(str(tmp))
    t1 = time.perf_counter()
    resolution.resolve(con, people)
    con.execute("CHECKPOINT")
    con.close()
    print(f"  loaded {folder.name} in {loaded:.0f} s, resolved ({people}) in "
          f"{time.perf_counter() - t1:.0f} s", flush=True)
    tmp.rename(path)
    return path


def sizes_of(warehouse: Path, year) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        out = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
               if not t.startswith("_")}
        out["reports_in_year"] = con.execute(
            "SELECT count(*) FROM reports WHERE recorded_date BETWEEN ? AND ?",
            [year.start, year.end]).fetchone()[0]
        return out
    finally:
        con.close()


# -- one measurement (a process of its own) ---------------------------------------------
def _rss_now_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _profiled(runner, folder: Path) -> None:
    """Write DuckDB's JSON profile of each query the runner sends, one file per query."""
    con = runner.con
    counter = iter(range(1_000_000))

    def wrap(method):
        def run(name_or_sql, *rest):
            label = name_or_sql if rest else "counting_query"
            out = folder / f"{next(counter):03d}-{label.strip(chr(34))}.json"
            con.execute("PRAGMA enable_profiling='json'")
            con.execute(f"PRAGMA profiling_output='{out}'")
            try:
                return method(name_or_sql, *rest)
            finally:
                con.execute("PRAGMA disable_profiling")
        return run

    runner.materialise = wrap(runner.materialise)
    runner.fetch = wrap(runner.fetch)


def measure(warehouse: Path, scope_set: str, year_text: str, people: str,
            profile_dir: Path | None, settings: list[str] = ()) -> dict[str, Any]:
    from dvpi.indicators import TABLES_READ
    from dvpi.indicators.engine import (
        Timings,
        boroughs_in,
        forces_in,
        run_cells,
        whole_scope,
    )
    from dvpi.indicators.periods import Period
    from dvpi.warehouse import open_warehouse

    year = parse_year(year_text)
    rss_before = _rss_now_mb()
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with open_warehouse(warehouse, "shared") as wh:
        con = wh.con
        for setting in settings:  # e.g. memory_limit=3GB: how the engine behaves capped
            name, value = setting.split("=", 1)
            con.execute(f"SET {name} = '{value}'")
        scopes = [whole_scope(con)]
        if scope_set in ("force", "all"):
            scopes += forces_in(con)
        if scope_set in ("borough", "all"):
            scopes += boroughs_in(con)
        with wh.backend("duckdb", TABLES_READ) as backend:
            if profile_dir is not None:
                profile_dir.mkdir(parents=True, exist_ok=True)
                _profiled(backend.runner, profile_dir)
            timings = Timings()
            out = run_cells(backend, [Period(year.start, year.end)], scopes, people=people,
                            timings=timings)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime - usage0.ru_utime) + (usage.ru_stime - usage0.ru_stime)
    return {
        "scopes": scope_set, "n_scopes": len(scopes), "wall_s": wall, "cpu_s": cpu,
        "peak_rss_mb": usage.ru_maxrss / 1024, "rss_before_mb": rss_before,
        "steps": timings.steps,
        "dv_incidents": out[0]["indicators"]["dv_incidents"]["value"],
        "catalogue": out if os.environ.get("BENCH_NATIONAL_KEEP") else None,
    }


def run_child(warehouse: Path, scope_set: str, year: str, people: str, plan_cache: Path,
              profile_dir: Path | None = None, keep: Path | None = None,
              settings: list[str] = ()) -> dict[str, Any]:
    env = dict(os.environ, DVPI_PLAN_CACHE=str(plan_cache))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, __file__, "--child", str(warehouse), "--scopes", scope_set,
           "--year", year, "--people", people]
    if profile_dir is not None:
        cmd += ["--profile-dir", str(profile_dir)]
    if keep is not None:
        cmd += ["--keep", str(keep)]
    for setting in settings:
        cmd += ["--duckdb", setting]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- profile summary ---------------------------------------------------------------------
def summarise_profile(folder: Path, top: int = 12) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("*.json")):
        d = json.loads(path.read_text())
        q, s = d.get("query", {}), d.get("system", {})
        ops: list[tuple] = []

        def walk(node, ops=ops):
            for child in node.get("children", []):
                ops.append((child.get("timing", 0.0), child.get("name"),
                            child.get("intermediate_rows", 0),
                            child.get("extra_info", {}).get("Table", "")))
                walk(child, ops)
        for op in d.get("operator", []):
            walk(op)
        ops.sort(reverse=True)
        rows.append({"query": path.stem, "time_s": q.get("total_time", 0.0),
                     "cpu_s": q.get("cpu_time", 0.0),
                     "peak_buffer_mb": s.get("peak_buffer_memory", 0) / 2**20,
                     "rows_scanned": q.get("total_rows_scanned", 0),
                     "top_operators": [{"time_s": t, "op": n, "rows": r, "table": tb}
                                       for t, n, r, tb in ops[:3]]})
    rows.sort(key=lambda r: -r["cpu_s"])
    return rows[:top] if top else rows


# -- plot --------------------------------------------------------------------------------
def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    labels = list(dict.fromkeys(r.get("label", "") for r in results))
    series = 0
    for label in labels:
        for scope_set in SCOPE_SETS:
            mine = [r for r in results if r["scopes"] == scope_set and r.get("label", "") == label]
            if not mine:
                continue
            name = f"{label}: {scope_set}" if label else scope_set
            color = f"C{series % 10}"
            series += 1
            # CPU time (solid) is what a busy shared machine does not distort much; wall
            # time (faint, dotted) is given too.
            for what, style, alpha in (("cpu_s", "-", 1.0), ("wall_s", ":", 0.35)):
                pts = [(m, t / m) for m, t in _medians(mine, what)]
                ax.plot(*zip(*pts, strict=True), marker="o", linestyle=style, color=color,
                        alpha=alpha, label=f"{name} ({what[:-2]})")
    ax.set_xlabel("reports in the warehouse (millions)")
    ax.set_ylabel("seconds per million reports")
    ax.set_title("One year's catalogue, national synthetic data (DuckDB, 2 cores)",
                 fontsize=10)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if series <= 2:  # one data shape: the legend fits under the lines
        ax.legend(fontsize=7, loc="lower left")
    else:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


def _medians(runs: list[dict[str, Any]], what: str) -> list[tuple[float, float]]:
    """(millions of reports, median ``what``) per data set, smallest first."""
    by_size: dict[float, list[float]] = {}
    for r in runs:
        by_size.setdefault(r["reports"] / 1e6, []).append(r[what])
    return sorted((m, statistics.median(ts)) for m, ts in by_size.items())


def flatness(results: list[dict[str, Any]], label: str, scope_set: str = "all") -> None:
    """Print time per million reports at each size, against the largest, and a straight
    line fitted through the medians (time = fixed + marginal x millions): "flat" is a
    marginal cost that does not grow with the data."""
    mine = [r for r in results if r.get("label", "") == label and r["scopes"] == scope_set]
    if len(mine) < 2:
        return
    for what in ("wall_s", "cpu_s"):
        pts = _medians(mine, what)
        big = pts[-1][1] / pts[-1][0]
        n = len(pts)
        mx = sum(m for m, _ in pts) / n
        my = sum(t for _, t in pts) / n
        slope = (sum((m - mx) * (t - my) for m, t in pts)
                 / sum((m - mx) ** 2 for m, _ in pts))
        fixed = my - slope * mx
        print(f"\n{what[:-2]}: median seconds per million reports (ratio to the largest set); "
              f"fitted: {fixed:.1f} s fixed + {slope:.2f} s per million")
        for m, t in pts:
            net = (t - fixed) / m
            print(f"  {m:6.2f} M  {t:7.1f} s  {t / m:6.2f} s/M ({t / m / big:4.2f})  "
                  f"net of the fixed part {net:6.2f} s/M ({net / slope:4.2f} of the slope)")


def parse_year(text: str):
    from dvpi.indicators.periods import Period

    first = int(text[:4])
    return Period(dt.date(first, 4, 1), dt.date(first + 1, 3, 31))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2",
                        help="millions of reports, comma-separated (or data set paths)")
    parser.add_argument("--data", type=Path, default=Path("/work/bench-data"),
                        help="where data sets and warehouses are cached (not the repo)")
    parser.add_argument("--year", default="2007-08", help="financial year, e.g. 2007-08")
    parser.add_argument("--people", default="exact", help="person method (default exact)")
    parser.add_argument("--scopes", default=",".join(SCOPE_SETS),
                        help=f"which scope sets to time ({', '.join(SCOPE_SETS)})")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each")
    parser.add_argument("--plot-only", action="store_true",
                        help="only redraw the plot from the results file")
    parser.add_argument("--profile", action="store_true",
                        help="also profile every query of the 'all' run")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" /
                        "national-scaling.svg")
    parser.add_argument("--results", type=Path, help="JSON results file (default in --data)")
    parser.add_argument("--label", default="", help="a name for this code in the results")
    parser.add_argument("--duckdb", action="append", default=[], metavar="NAME=VALUE",
                        help="a DuckDB setting for the computation, e.g. memory_limit=3GB")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.keep:
            os.environ["BENCH_NATIONAL_KEEP"] = "1"
        result = measure(args.child, args.scopes, args.year, args.people, args.profile_dir,
                         args.duckdb)
        if args.keep:
            args.keep.write_text(json.dumps(result.pop("catalogue"), indent=1, sort_keys=True))
        result.pop("catalogue", None)
        print(json.dumps(result))
        return

    year = parse_year(args.year)
    print(f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    results_path = args.results or args.data / "bench_national.json"
    results: list[dict[str, Any]] = []
    if results_path.exists():
        results = json.loads(results_path.read_text())
    if args.plot_only:
        plot(results, args.plot)
        for label in dict.fromkeys(r.get("label", "") for r in results):
            print(f"\n== {label or '(no label)'}")
            flatness(results, label)
        return
    args.data.mkdir(parents=True, exist_ok=True)
    warmed: set[tuple[str, str]] = set()
    for size in args.sizes.split(","):
        folder = ensure_data(args.data, size.strip())
        warehouse = ensure_warehouse(folder, args.people)
        counts = sizes_of(warehouse, year)
        reports = counts["reports"]
        print(f"\n{warehouse.name}: reports {reports:,} ({counts['reports_in_year']:,} in "
              f"{args.year}), people {counts.get('people', 0):,}, all rows "
              f"{sum(v for k, v in counts.items() if k != 'reports_in_year'):,}", flush=True)
        cache = args.data / "plans"
        for scope_set in args.scopes.split(","):
            if (scope_set, args.people) not in warmed:  # plans do not depend on the size
                run_child(warehouse, scope_set, args.year, args.people, cache)
                warmed.add((scope_set, args.people))
            for _ in range(args.repeat):
                load = os.getloadavg()[0]
                r = run_child(warehouse, scope_set, args.year, args.people, cache,
                              settings=args.duckdb)
                r.update(label=args.label, duckdb=args.duckdb, size=size, reports=reports,
                         rows=counts, year=args.year, load_avg=load, people=args.people,
                         date=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}")
                results.append(r)
                per_m = r["wall_s"] / (reports / 1e6)
                print(f"  {scope_set:9} {r['n_scopes']:4} scopes  wall {r['wall_s']:6.1f} s  "
                      f"cpu {r['cpu_s']:6.1f} s  peak RSS {r['peak_rss_mb']:7.0f} MB  "
                      f"{per_m:5.2f} s per M reports  (load {load:.1f})", flush=True)
        if args.profile:
            pdir = args.data / "profiles" / f"{warehouse.stem}"
            for old in pdir.glob("*.json"):
                old.unlink()
            run_child(warehouse, "all", args.year, args.people, cache, profile_dir=pdir)
            print(f"  profile of 'all' ({pdir}): the queries with the most CPU")
            for q in summarise_profile(pdir):
                print(f"    {q['cpu_s']:6.2f} s cpu {q['time_s']:6.2f} s wall "
                      f"{q['peak_buffer_mb']:7.0f} MB  {q['query']}")
        results_path.write_text(json.dumps(results, indent=1))
    plot(results, args.plot)
    flatness(results, args.label)
    print(f"\nresults: {results_path}; plot: {args.plot}")


if __name__ == "__main__":
    main()
