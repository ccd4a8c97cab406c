"""The demo data's two years side by side: is 2006-07 a plausible neighbour of 2007-08?

Usage: python scripts/year_on_year.py WAREHOUSE TRUTH_CSV [--method truth ...]

Copies the warehouse, stores the synthetic ground truth as the person method ``truth``,
computes the catalogue for 2006-07 and 2007-08 (force) with each method asked for
(default: truth) and prints the figures that tell the years apart (volumes, victims,
accused, outcomes, dual arrests, forced marriage), the change, and the outcomes dated on
each year's last day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from dvpi import people
from dvpi.indicators import TABLES_READ, compute
from dvpi.synth import store_truth_links
from dvpi.warehouse import open_warehouse

YEARS = ((dt.date(2006, 4, 1), dt.date(2007, 3, 31)), (dt.date(2007, 4, 1), dt.date(2008, 3, 31)))
FIGURES = (
    "dv_incidents", "dv_crimes", "spi8a_incidents", "spi8a_offences", "spi8a_offence_arrests",
    "spi8a_offence_arrest_rate", "adult_victims_incidents", "adult_victims_incidents_repeat",
    "adult_victims_offences", "adult_victims_offences_repeat", "repeat_victimisation_rate",
    "sanction_detections", "charges", "adult_caution_share", "accused_persons",
    "cps_dv_prosecutions", "dv_homicides", "dv_gbh_with_intent",
    "dual_arrest_incidents", "dual_arrest_incidents_surname_method", "fm_records",
    "fm_records_dv", "hbv_records", "risk_assessment_compliance",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("truth", type=Path)
    ap.add_argument("--method", action="append", default=None)
    args = ap.parse_args()
    methods = args.method or ["truth"]
    got: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "w.duckdb"
        shutil.copyfile(args.warehouse, copy)
        with open_warehouse(copy, "write") as wh:
            store_truth_links(wh.con, args.truth)
            for m in methods:
                people.ready(wh.con, m)
                with wh.backend("duckdb", TABLES_READ) as backend:
                    for i, (start, end) in enumerate(YEARS):
                        got[m, i] = compute(backend, start, end, people=m)["indicators"]
            last_days = [wh.con.execute(
                "SELECT count(*) FROM outcomes WHERE outcome_date = ?", [end]).fetchone()[0]
                for _, end in YEARS]
    for m in methods:
        print(f"method: {m}")
        print(f"{'figure':40} {'2006-07':>10} {'2007-08':>10} {'change':>8}")
        for key in FIGURES:
            before, now = (got[m, i].get(key, {}).get("value") for i in range(2))
            if before is None or now is None:
                continue
            change = f"{(now - before) / before:+.1%}" if before else "n/a"
            fmt = "{:>10.3f}" if isinstance(now, float) else "{:>10,}"
            print(f"{key:40} {fmt.format(before)} {fmt.format(now)} {change:>8}")
    print(f"{'outcomes dated on the last day':40} {last_days[0]:>10,} {last_days[1]:>10,}")


if __name__ == "__main__":
    main()
