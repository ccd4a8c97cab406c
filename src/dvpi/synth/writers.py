"""Writing a data set: CSV for the London profile, Parquet for the national scale."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dvpi.contract import TABLES

_ARROW = {"text": pa.string(), "code": pa.string(), "date": pa.date32(),
          "datetime": pa.timestamp("s"), "bool": pa.bool_(), "integer": pa.int64(),
          "number": pa.float64()}


def to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """A table with exactly the contract's columns and types."""
    table = TABLES[name]
    # A column a file must fill once it has it (``force``) is left out when not built.
    columns = [c for c in table.columns if c.name in df or not c.required_if_given]
    arrays = []
    for col in columns:
        s = df[col.name] if col.name in df else pd.Series([None] * len(df))
        typ = _ARROW[col.type]
        if col.type == "date":  # whole days, without a Python date per row
            v = pd.to_datetime(s).to_numpy().astype("datetime64[D]")
            arr = pa.array(v, type=typ, mask=pd.isna(s).to_numpy())
        elif col.type == "datetime":
            arr = pa.array(pd.to_datetime(s).dt.floor("s"), type=typ, from_pandas=True)
        elif col.type == "integer":
            arr = pa.array(pd.array(s, dtype="Int64"), type=typ, from_pandas=True)
        elif col.type == "number":
            arr = pa.array(s.astype(float), type=typ, from_pandas=True)
        elif col.type == "bool" and s.isna().any():  # an optional flag left blank
            arr = pa.array(s.astype("boolean"), type=typ, from_pandas=True)
        elif col.type == "bool":
            arr = pa.array(s.astype(bool), type=typ)
        else:
            arr = pa.array(s.astype(object).where(s.notna(), None).to_numpy(), type=typ,
                           from_pandas=True)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def declared(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables the interchange contract declares, the only ones written: a table (or
    column) the synthetic data builds before the contract knows it is written from the
    day the contract declares it, with the contract's types (the loader stops on a file
    it does not know)."""
    return {name: df for name, df in tables.items() if name in TABLES}


def write_csv(out_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    opts = pacsv.WriteOptions(quoting_style="needed")
    for name, df in declared(tables).items():
        pacsv.write_csv(to_arrow(name, df), out_dir / f"{name}.csv", write_options=opts)


def default_truth_dir(out_dir: str | Path) -> Path:
    """Where the ground truth goes by default: beside the data set, never inside it."""
    out = Path(out_dir)
    return out.parent / f"{out.name}.truth"


def write_truth(truth_dir: Path, truth: pd.DataFrame) -> Path:
    truth_dir.mkdir(parents=True, exist_ok=True)
    path = truth_dir / "people.csv"
    pacsv.write_csv(pa.Table.from_pandas(truth, preserve_index=False), path)
    return path


class ParquetSink:
    """One Parquet file per table, written a chunk (row group) at a time."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet",
                                                  table.schema, compression="zstd")
        self.writers[name].write_table(table)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()
