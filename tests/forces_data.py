"""A small national data set for tests: several forces, several years, one folder.

Each force is built from copies of a worked example (``tests/data/example_v2`` by
default): every copy gets its own id prefix (so keys stay unique and no person is in two
copies) and may be moved a whole number of years later (every date and timestamp of the
copy moves; 29 February becomes 28 February). Forces differ by how many copies of which
year they hold, so their volumes and rates differ and a year differs from the year
before. Population rows are written once per force, scaled, so rates per 1,000 differ.

``FORCES`` (the default) gives four forces over 2007-08 and 2008-09 (the example's
earlier rows make 2005-06 and 2006-07 partial years). Targets are left out: the
bulletin does not show them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

EXAMPLE_V2 = Path(__file__).parent / "data" / "example_v2"

# Force name -> the year shift of each copy of the example it holds.
FORCES: dict[str, tuple[int, ...]] = {
    "Northshire": (0, 1),
    "Southmoor": (0, 1, 1),
    "Eastvale": (0, 0, 1),
    "Westfield Police": (1,),
}
# Population of a force: the example's, times this.
POPULATION_SCALE: dict[str, int] = {"Northshire": 1, "Southmoor": 2, "Eastvale": 1,
                                    "Westfield Police": 3}

# Columns holding an id, prefixed per copy; surnames too (exact resolution would merge
# namesakes of two copies).
ID_COLUMNS = {"cps_urn", "cad_ref", "nominal_id", "surname", "victim_ref"}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
SKIPPED = {"targets"}


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


def shift_years(value: str, years: int) -> str:
    """An ISO date or timestamp ``years`` later (29 February: 28 February)."""
    match = _DATE.match(value)
    if not years or not match:
        return value
    year, month, day = int(match[1]) + years, match[2], match[3]
    if (month, day) == ("02", "29") and not (year % 4 == 0 and (year % 100 or year % 400 == 0)):
        day = "28"
    return f"{year:04d}-{month}-{day}{value[10:]}"


def _is_id(column: str) -> bool:
    return column in ID_COLUMNS or column.endswith("_id")


def copy_rows(example: Path, prefix: str, years: int,
              force: str) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """One copy of the example: ids prefixed, dates moved, the force column added."""
    out = {}
    for file in sorted(example.glob("*.csv")):
        table = file.stem
        if table in SKIPPED or table == "population":
            continue
        header, rows = read_rows(file)
        for row in rows:
            for col in header:
                if not row[col]:
                    continue
                if _is_id(col):
                    row[col] = f"{prefix}-{row[col]}"
                else:
                    row[col] = shift_years(row[col], years)
        if "borough" in header:
            header = [*header, "force"]
            for row in rows:
                row["force"] = force
        out[table] = (header, rows)
    return out


def write_national(folder: Path, forces: Mapping[str, Sequence[int]] = FORCES, *,
                   example: Path = EXAMPLE_V2,
                   population_scale: Mapping[str, int] = POPULATION_SCALE) -> Path:
    """Write the data set of ``forces`` into ``folder`` (created) and return it."""
    folder.mkdir(parents=True)
    tables: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    for f, (name, shifts) in enumerate(forces.items()):
        for c, years in enumerate(shifts):
            for table, (header, rows) in copy_rows(example, f"F{f}C{c}", years, name).items():
                tables.setdefault(table, (header, []))[1].extend(rows)
    if (example / "population.csv").exists():
        header, rows = read_rows(example / "population.csv")
        population = []
        for name in forces:
            scale = population_scale.get(name, 1)
            population += [{**r, "population": str(int(r["population"]) * scale),
                            "force": name} for r in rows]
        tables["population"] = ([*header, "force"], population)
    for table, (header, rows) in tables.items():
        write_rows(folder / f"{table}.csv", header, rows)
    return folder
