"""Tiny hand-made data sets for the indicator tests.

Each test writes only the rows it reasons about, as CSV in the interchange format,
loads them with the real loader and computes with the real engine. The `engine`
fixture (in conftest.py) runs a test on DuckDB, and on Spark too when
DVPI_SPARK_TESTS=1 (the full parity run; tests/test_indicators_parity.py always
compares the engines on the example and on an edge-case set).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from dvpi.contract import TABLES
from engine_helpers import compute

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))


def report(report_id: str, recorded: str = "2007-06-01", *, borough: str = "North",
           occurred: str | None = None, classification: str = "crime",
           offence: str | None = "common_assault", dv: bool = True, fm: bool = False,
           hbv: bool = False) -> dict[str, Any]:
    if classification == "non_crime":
        offence = None
    return {"report_id": report_id, "borough": borough, "recorded_date": recorded,
            "occurred_date": occurred, "classification": classification, "offence": offence,
            "dv_flag": dv, "fm_flag": fm, "hbv_flag": hbv}


def person(person_id: str, report_id: str, role: str = "victim", *, nominal: str | None = None,
           surname: str | None = None, forenames: str | None = None, dob: str | None = None,
           age: int | None = None, gender: str | None = None, ethnic: str | None = None,
           self_defined: str | None = None, arrest: str | None = None) -> dict[str, Any]:
    return {"person_id": person_id, "report_id": report_id, "role": role, "nominal_id": nominal,
            "surname": surname, "forenames": forenames, "date_of_birth": dob, "age": age,
            "gender": gender, "ethnic_appearance": ethnic,
            "self_defined_ethnicity": self_defined, "arrest_date": arrest}


def victim(person_id: str, report_id: str, **kw) -> dict[str, Any]:
    return person(person_id, report_id, "victim", **kw)


def suspect(person_id: str, report_id: str, **kw) -> dict[str, Any]:
    return person(person_id, report_id, "suspect", **kw)


def rel(report_id: str, victim_id: str, suspect_id: str, relationship: str = "spouse"):
    return {"report_id": report_id, "victim_person_id": victim_id,
            "suspect_person_id": suspect_id, "relationship": relationship}


def outcome(report_id: str, outcome_type: int, date: str, person_id: str | None = None):
    return {"report_id": report_id, "person_id": person_id, "outcome_type": outcome_type,
            "outcome_date": date}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_dataset(folder: Path, **tables: list[dict[str, Any]]) -> Path:
    """Write the given tables as CSV (columns from the contract, blanks for None)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c for c in TABLES[name].column_names
                   if any(c in r for r in rows) or TABLES[name].column(c).required]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                w.writerow([_cell(r.get(c)) for c in columns])
    return folder


def warehouse(tmp_path: Path, **tables: list[dict[str, Any]]) -> Path:
    """Load the tables into a fresh warehouse and return its path."""
    from dvpi.ingest import load_dataset

    tables.setdefault("people", [])  # a required table, even when a test needs no rows
    data = write_dataset(tmp_path / "data", **tables)
    path = tmp_path / "w.duckdb"
    result = load_dataset(data, path)
    assert result.quarantined == 0, [c for c in result.counts if c.quarantined]
    return path


def figures(tmp_path: Path, engine: str, ids: list[str], *, start: dt.date = YEAR[0],
            end: dt.date = YEAR[1], **tables) -> dict[str, Any]:
    """The indicators `ids` for the force (or `borough=`, `definition=`, `method=`: the
    person-resolution method)."""
    options = {k: tables.pop(k) for k in ("borough", "definition") if k in tables}
    # The hand-computed expectations follow precise rule 16 (the exact method) unless a
    # test names another; the product's default is the linked method.
    options["people"] = tables.pop("method", "exact")
    path = warehouse(tmp_path, **tables)
    return compute(path, start, end, engine=engine, ids=ids, **options)["indicators"]


def value(figs: dict[str, Any], indicator_id: str) -> Any:
    return figs[indicator_id]["value"]


FAR_COPIED = ("reports", "people", "relationships", "outcomes")
# Columns naming a row (given the copy's prefix, so references stay within the copy).
FAR_ID_COLUMNS = ("report_id", "person_id", "nominal_id", "victim_person_id",
                  "suspect_person_id", "call_id", "cad_ref", "cps_urn", "review_id",
                  "bail_id", "order_id", "request_id", "case_id", "victim_ref",
                  "referral_id", "survey_id", "requirement_id")
# Tables with no dates of their own: copied as they are would double them.
FAR_NOT_COPIED = ("population", "targets")


def _years_on(value: str, years: int) -> str:
    if not value:
        return value
    if "T" in value:  # a timestamp (cad_calls.received_at)
        day, time = value.split("T", 1)
        return f"{_years_on(day, years)}T{time}"
    day = dt.date.fromisoformat(value)
    return day.replace(year=day.year + years, day=min(day.day, 28)).isoformat()


def add_far_copies(folder: Path, tables: tuple[str, ...] = FAR_COPIED) -> None:
    """Append to each copied table its rows moved eight years back and eight years on,
    under new ids: rows no computation of the example's year can reach. Every date and
    timestamp of the contract moves. A bail period left open would still be running in
    the example's year eight years on: its copies end on the day they start."""
    for name in tables:
        path = folder / f"{name}.csv"
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            continue
        columns = list(rows[0])
        dated = [c.name for c in TABLES[name].columns if c.type in ("date", "datetime")]
        extra = []
        for years, prefix in ((-8, "OLD"), (8, "NEW")):
            for row in rows:
                row = dict(row)
                for c in FAR_ID_COLUMNS:
                    if row.get(c):
                        row[c] = f"{prefix}-{row[c]}"
                for c in dated:
                    if c in row:
                        row[c] = _years_on(row[c], years)
                if name == "bail" and not row.get("end_date"):
                    row["end_date"], row["ended_by"] = row["start_date"], "charge"
                extra.append(row)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, columns)
            writer.writeheader()
            writer.writerows(rows + extra)


def far_copied_tables(folder: Path) -> tuple[str, ...]:
    """Every table of a data set folder that has dates of its own."""
    return tuple(sorted(p.stem for p in folder.glob("*.csv")
                        if p.stem in TABLES and p.stem not in FAR_NOT_COPIED))
