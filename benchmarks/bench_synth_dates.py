"""How realistic a generated data set is in time: spikes and end-of-period jumps.

    python benchmarks/bench_synth_dates.py DATA_DIR [--period-end 2008-03-31 ...]

For every dated column of every table (dates of birth and targets apart): its rows, the
worst day (its count over the median daily count of its month, for the months wholly
between the extract's first recorded day and the extract date with a median of at least
10 rows), the count of the 7 days ending on each period end over the mean of the
12 weeks before, and the rows dated on each period end. The checks are those of
``dvpi.synth.calendar`` (``worst_day``, ``end_jump``) that tests/test_synth_time.py
asserts. Record the figures in docs/benchmarks.md ('Synthetic data: time').
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dvpi.contract import TABLES
from dvpi.synth.calendar import end_jump, worst_day

SKIP = {("people", "date_of_birth"), ("targets", "period_start"), ("targets", "period_end")}
MIN_MEDIAN = 10


def dated_columns() -> list[tuple[str, str]]:
    return [(t.name, c.name) for t in TABLES.values() for c in t.columns
            if c.type in ("date", "datetime") and (t.name, c.name) not in SKIP]


def read_dates(data: Path, table: str, column: str) -> np.ndarray | None:
    csv, parquet = data / f"{table}.csv", data / f"{table}.parquet"
    if parquet.exists():
        values = pq.read_table(parquet, columns=[column])[column]
    elif csv.exists():
        values = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(
            include_columns=[column]))[column]
    else:
        return None
    days = values.to_numpy(zero_copy_only=False)
    return np.asarray(days, dtype="datetime64[D]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("--period-end", action="append", type=dt.date.fromisoformat,
                    default=None, help="default: 2007-03-31 and 2008-03-31")
    ap.add_argument("--first", type=dt.date.fromisoformat, default=dt.date(2006, 4, 1),
                    help="the extract's first recorded day (months before it are skipped)")
    ap.add_argument("--last", type=dt.date.fromisoformat, default=dt.date(2008, 6, 30),
                    help="the extract date (months after it are skipped)")
    args = ap.parse_args()
    ends = args.period_end or [dt.date(2007, 3, 31), dt.date(2008, 3, 31)]
    head = " ".join(f"{'jump ' + str(e):>16} {'on ' + str(e):>13}" for e in ends)
    print(f"{'table.column':32} {'rows':>9} {'worst day':>10} {'max/median':>10} {head}")
    for table, column in dated_columns():
        days = read_dates(args.data, table, column)
        if days is None:
            continue
        ratio, day = worst_day(days, MIN_MEDIAN, (args.first, args.last))
        cells = " ".join(f"{end_jump(days, e):>16.2f} {int((days == np.datetime64(e)).sum()):>13,}"
                         for e in ends)
        print(f"{table + '.' + column:32} {len(days):>9,} {day!s:>10} {ratio:>10.2f} {cells}")


if __name__ == "__main__":
    main()
