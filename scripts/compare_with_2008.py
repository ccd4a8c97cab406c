"""Compare the demo warehouse's 2007-08 figures with the 2008 report's, per method.

Usage: python scripts/compare_with_2008.py WAREHOUSE TRUTH_CSV

Copies the warehouse, stores the synthetic ground truth as the person method ``truth``
beside ``exact`` and ``linked``, computes the catalogue for 2007-08 (force) with each,
and prints every figure of ``shared/spec/mps-fy2007-08.json`` that differs under any
method: how far person resolution moves the distinct-person figures.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

from dvpi import people
from dvpi.indicators import TABLES_READ, compute
from dvpi.synth import store_truth_links
from dvpi.warehouse import open_warehouse

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "mps-fy2007-08.json"
METHODS = ("truth", "exact", "linked")


def flatten(indicators: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, figure in indicators.items():
        if isinstance(figure, dict) and "values" in figure:
            for k, v in figure["values"].items():
                out[f"{key}[{k}]"] = v
        elif isinstance(figure, dict) and ("value" in figure or "unavailable" in figure):
            out[key] = figure.get("value")
        elif isinstance(figure, dict):  # the report's breakdowns: plain mappings
            for k, v in figure.items():
                out[f"{key}[{k}]"] = v
        else:
            out[key] = figure
    return out


def main() -> None:
    warehouse, truth = Path(sys.argv[1]), Path(sys.argv[2])
    want = flatten(json.loads(SPEC.read_text())["indicators"])
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "w.duckdb"
        shutil.copyfile(warehouse, copy)
        got = {}
        with open_warehouse(copy, "write") as wh:
            store_truth_links(wh.con, truth)
            for m in METHODS:
                people.ready(wh.con, m)
                with wh.backend("duckdb", TABLES_READ) as backend:
                    got[m] = flatten(compute(backend, dt.date(2007, 4, 1),
                                             dt.date(2008, 3, 31), people=m)["indicators"])
    print(f"{'figure':48} {'2008 report':>12} " + " ".join(f"{m:>18}" for m in METHODS))
    same = 0
    outside = [k for k in want if all(k not in got[m] for m in METHODS)]
    for key, target in want.items():
        if key in outside:
            continue
        values = [got[m].get(key) for m in METHODS]
        if isinstance(target, float):  # a rate: to the report's rounding
            digits = len(repr(target).split(".")[1])
            matches = [v is not None and round(v, digits) == target for v in values]
        else:
            matches = [v == target for v in values]
        if all(matches):
            same += 1
            continue
        cells = []
        for v, ok in zip(values, matches, strict=True):
            if isinstance(v, (int, float)) and isinstance(target, int) and target:
                cells.append(f"{v:>9} ({(v - target) / target:+.2%})")
            else:
                cells.append(f"{v!s:>18}" if not ok else f"{'=':>18}")
        print(f"{key:48} {target!s:>12} " + " ".join(f"{c:>18}" for c in cells))
    print(f"\n{same} of {len(want) - len(outside)} figures equal under every method; "
          f"not catalogue figures (checked elsewhere): {', '.join(outside) or 'none'}")


if __name__ == "__main__":
    main()
