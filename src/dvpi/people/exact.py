"""The exact method (indicators.md, precise rule 16).

``nominal_id`` where present; else normalised surname + forenames + date of birth
when all three are present; else the row is a person of its own. The prefixes keep a
row without a nominal id from ever merging with one that has one.
"""

from __future__ import annotations

import duckdb

from dvpi.people.store import store_links


def normalise_name_sql(column: str) -> str:
    """Upper case, accents stripped, everything but letters removed."""
    return f"regexp_replace(upper(strip_accents(coalesce({column}, ''))), '[^A-Z]', '', 'g')"


EXACT_KEYS_SQL = f"""
SELECT
    person_id,
    CASE
        WHEN nominal_id IS NOT NULL THEN 'N:' || nominal_id
        WHEN {normalise_name_sql('surname')} <> ''
             AND {normalise_name_sql('forenames')} <> ''
             AND date_of_birth IS NOT NULL
        THEN 'S:' || {normalise_name_sql('surname')} || '|'
             || {normalise_name_sql('forenames')} || '|' || strftime(date_of_birth, '%Y-%m-%d')
        ELSE 'R:' || person_id
    END AS person_key
FROM people
"""


def resolve_exact(con: duckdb.DuckDBPyConnection, progress=None) -> None:
    if progress is not None:
        progress("matching nominal ids, names and dates of birth")
    store_links(con, "exact", EXACT_KEYS_SQL, detail="rule 16")
