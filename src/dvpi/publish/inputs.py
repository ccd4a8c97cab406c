"""What the board report reads from the warehouse beside the indicator engine: the
resident population and arrested suspects, by the equality dimensions of
:mod:`dvpi.stats.equality` (which only does the arithmetic)."""

from __future__ import annotations

import json
from pathlib import PurePath

from dvpi.contract import codes
from dvpi.stats.equality import DIMENSIONS
from dvpi.warehouse import has_table


def population_by(con, dimension: str, borough: str | None = None) -> dict[str, int]:
    """Residents by one dimension of the population table (empty if it is not loaded)."""
    if not has_table(con, "population"):
        return {}
    column = DIMENSIONS[dimension]["column"]
    where, params = "", []
    if borough is not None:
        where, params = "WHERE lower(trim(borough)) = lower(trim(?))", [borough]
    rows = con.execute(
        f"SELECT {column}, sum(population) FROM population {where} GROUP BY 1", params
    ).fetchall()
    return {k: int(v) for k, v in rows}


# The dimensions the arrest stage is split by (the suspect row records both).
ARREST_DIMENSIONS: tuple[str, ...] = ("ethnic_appearance", "gender")


def arrest_stage(con, start, end) -> dict[str, dict[str, int]]:
    """The force's arrested suspects of the period by each of ``ARREST_DIMENSIONS``: what
    the report publishes beside the engine, and so part of the year's protected table
    set wherever that set is made (``stats.release``)."""
    return {d: arrests_by(con, start, end, d) for d in ARREST_DIMENSIONS}


def arrests_by(con, start, end, dimension: str, borough: str | None = None) -> dict[str, int]:
    """Arrested suspect rows on DV-flagged crimes recorded in the period, by group.

    These are the rows the engine counts as the numerator of ``dv_crime_arrests_per_100``,
    split by the suspect's recorded gender or ethnic appearance (the test checks the total
    matches the engine's numerator).
    """
    if dimension not in ARREST_DIMENSIONS:
        raise ValueError("arrests are split by ethnic_appearance or gender only")
    spec = DIMENSIONS[dimension]
    keys = list(codes.ETHNIC_APPEARANCES if dimension == "ethnic_appearance" else codes.GENDERS)
    params: list = [start, end]
    scope = ""
    if borough is not None:
        scope = "AND lower(trim(r.borough)) = lower(trim(?))"
        params.append(borough)
    rows = con.execute(
        f"""
        SELECT p.{spec['column']}, count(*)
        FROM reports r JOIN people p ON p.report_id = r.report_id
        WHERE r.dv_flag AND r.classification = 'crime'
          AND r.recorded_date BETWEEN ? AND ? {scope}
          AND p.role = 'suspect' AND p.arrest_date IS NOT NULL
        GROUP BY 1
        """,
        params,
    ).fetchall()
    found = {k: int(v) for k, v in rows}
    return {k: found.get(k, 0) for k in keys}


def loads(con) -> list[dict]:
    """The ingest ledger's committed loads, oldest first: id, when it finished, its mode,
    the source folder's name (not its path) and the tables it changed."""
    if not has_table(con, "loads"):
        return []
    rows = con.execute(
        "SELECT load_id, finished_at, mode, source, counts FROM loads "
        "WHERE status = 'committed' ORDER BY load_id").fetchall()
    out = []
    for load_id, finished, mode, source, counts in rows:
        tables = sorted({c["table"] for c in json.loads(counts or "[]")
                         if c.get("loaded") or c.get("replaced") or c.get("removed")})
        out.append({"load_id": int(load_id),
                    "finished": finished.strftime("%Y-%m-%d %H:%M") if finished else "",
                    "mode": mode or "", "source": PurePath(source or "").name,
                    "tables": tables})
    return out


def population_by_force(con) -> dict[str, int]:
    """Residents of each force (keyed by its name, trimmed and lower-cased, as scope keys
    match names), from the population table's ``force`` column; empty when the table or
    the column is not loaded. The table has no year: every year is read against it."""
    if not has_table(con, "population") or not con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'population' AND column_name = 'force'").fetchone()[0]:
        return {}
    rows = con.execute(
        "SELECT lower(trim(force)), sum(population) FROM population "
        "WHERE force IS NOT NULL GROUP BY 1").fetchall()
    return {k: int(v) for k, v in rows}


def first_recorded(con):
    """The earliest ``recorded_date`` of the reports (None when there are none)."""
    if not has_table(con, "reports"):
        return None
    return con.execute("SELECT min(recorded_date) FROM reports").fetchone()[0]
