"""The linkage input: one row per people row, with the columns the model compares.

Heavy lifting is SQL in the warehouse; the name work (transliteration, phonetic keys)
is Python, done once per *distinct* spelling rather than once per row.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from dvpi.people import names

# A postcode with its spaces removed and one put back before the inward code.
_POSTCODE_SQL = """
CASE
    WHEN length(pc) BETWEEN 5 AND 7 THEN left(pc, length(pc) - 3) || ' ' || right(pc, 3)
    ELSE nullif(pc, '')
END
"""


def _name_map(con: duckdb.DuckDBPyConnection, sql: str, part: str) -> pa.Table:
    """Derived columns for every distinct raw spelling of one name part."""
    raws = [r[0] for r in con.execute(sql).fetchall()]
    rows: dict[str, list] = {"raw": [], "canon": [], "first": [], "phon": [], "nick": []}
    for raw in raws:
        canon = names.canonical(raw)
        first = names.first_token(canon) if part == "forenames" else canon
        rows["raw"].append(raw)
        rows["canon"].append(canon)
        rows["first"].append(first)
        rows["phon"].append(names.phonetic(first))
        rows["nick"].append(names.nickname_root(first) if part == "forenames" else None)
    return pa.table(rows, schema=pa.schema([(k, pa.string()) for k in rows]))


def linkage_input_sql(people: str = "people", reports: str | None = "reports") -> str:
    """SQL for the linkage input, given the names-map views ``_dvpi_fore``/``_dvpi_sur``.

    ``reports`` supplies the date an ``age`` was taken at (occurred, else recorded);
    without it the age cannot be turned into a birth year.
    """
    ref_date = "coalesce(r.occurred_date, r.recorded_date)" if reports else "NULL::DATE"
    join_reports = f"LEFT JOIN {reports} r ON r.report_id = p.report_id" if reports else ""
    return f"""
    WITH base AS (
        SELECT
            p.person_id AS unique_id,
            p.report_id,
            p.role,
            nullif(trim(p.nominal_id), '') AS nominal_id,
            f.canon AS forenames_c,
            f.first AS forename1,
            f.phon AS forename1_ph,
            f.nick AS forename1_nick,
            s.canon AS surname_c,
            s.phon AS surname_ph,
            p.date_of_birth,
            coalesce(year(p.date_of_birth), year({ref_date}) - p.age) AS birth_year,
            nullif(upper(p.gender), 'U') AS gender,
            regexp_replace(upper(coalesce(p.postcode, '')), '[^A-Z0-9]', '', 'g') AS pc,
            p.ethnic_appearance
        FROM {people} p
        {join_reports}
        LEFT JOIN _dvpi_fore f ON f.raw = p.forenames
        LEFT JOIN _dvpi_sur s ON s.raw = p.surname
    )
    SELECT
        unique_id, report_id, role, nominal_id,
        forenames_c, forename1, forename1_nick, surname_c,
        split_part(surname_c, ' ', 1) AS surname1,
        nullif(string_split(surname_c, ' ')[-1], '') AS surname_last,
        CASE WHEN forenames_c IS NOT NULL AND surname_c IS NOT NULL
             THEN forenames_c || ' ' || surname_c END AS full_name,
        forename1_ph, surname_ph,
        nullif(array_to_string(name_words, ' '), '') AS name_sorted,
        nullif(name_words[1], '') AS name_first,
        nullif(name_words[-1], '') AS name_last,
        strftime(date_of_birth, '%Y-%m-%d') AS dob,
        CASE WHEN day(date_of_birth) <= 12 AND day(date_of_birth) <> month(date_of_birth)
             THEN strftime(make_date(year(date_of_birth), day(date_of_birth),
                                     month(date_of_birth)), '%Y-%m-%d') END AS dob_swap,
        birth_year::BIGINT AS birth_year,
        gender,
        {_POSTCODE_SQL} AS postcode,
        CASE WHEN length(pc) >= 4 THEN left(({_POSTCODE_SQL}), length(({_POSTCODE_SQL})) - 2)
             END AS postcode_part,
        nullif(array_to_string(list_sort(string_split(pc, '')), ''), '') AS postcode_chars,
        ethnic_appearance
    FROM (SELECT *, list_sort(list_filter(
              string_split(coalesce(forenames_c, '') || ' ' || coalesce(surname_c, ''), ' '),
              lambda w: w <> '')) AS name_words
          FROM base)
    """


def linkage_input(
    con: duckdb.DuckDBPyConnection, people: str = "people", reports: str | None = "reports"
) -> pa.Table:
    """Build the linkage input from a warehouse (or any tables shaped like it)."""
    fore = _name_map(con, f"SELECT DISTINCT forenames FROM {people} "
                          "WHERE forenames IS NOT NULL", "forenames")
    sur = _name_map(con, f"SELECT DISTINCT surname FROM {people} "
                         "WHERE surname IS NOT NULL", "surname")
    con.register("_dvpi_fore", fore)
    con.register("_dvpi_sur", sur)
    try:
        return con.sql(linkage_input_sql(people, reports)).to_arrow_table()
    finally:
        con.unregister("_dvpi_fore")
        con.unregister("_dvpi_sur")
