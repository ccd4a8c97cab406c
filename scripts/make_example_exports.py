"""Write the two example force exports of ``tests/data/exports/`` from its data set in
the interchange format, so that the tests can load each through its mapping and find
the same warehouse.

    python scripts/make_example_exports.py           # niche/ and cris/ from interchange/
    python scripts/make_example_exports.py --source  # first remake interchange/ too

- ``interchange/``: a small synthetic force (``dvpi synth --reports 300 --seed 7``, cut
  to eight boroughs), in the format.
- ``niche/``: a Niche-like export: one wide file for reports, people and relationships
  (a row per victim-suspect pair, the victim's and the suspect's columns side by side,
  each person's name in one column, ``Wood, Craig``), the other tables in files of
  their own as Niche extracts them; Windows-1252, CRLF line endings, DD/MM/YYYY dates,
  the system's own words ("Injured Party", "Husband", "Assault Occ ABH – S47",
  "Outcome 16") and columns nobody needs (officer, station). Targets are in the
  format's own file.
- ``cris/``: a CRIS-like export: pipe-delimited UTF-8, DD-MON-YYYY dates, upper-case
  headers, coded values (borough codes, relationship codes, clear-up codes OC1..OC22),
  and the main tables split in several files (one per extract week).

Each export's mapping (``niche.toml``, ``cris.toml``) is written by hand and committed
beside it; this script writes only the data. Running it again gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from dvpi.contract import codes

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "data" / "exports"
SOURCE = EXPORTS / "interchange"
BOROUGHS = ("Barnet", "Croydon", "Enfield", "Hackney", "Hillingdon", "Lewisham",
            "Tower Hamlets", "Wandsworth")
TABLE_FILES = ("reports", "people", "relationships", "outcomes", "risk_assessments",
               "cad_calls", "cps_cases", "homicide_reviews", "population", "targets")

Row = dict[str, str]


def reader(source: Path) -> Callable[[str], list[Row]]:
    """The rows of a table of the data set in ``source``, as text."""
    def read(name: str) -> list[Row]:
        with (source / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return read


def write(path: Path, header: list[str], rows: Iterable[list[str]], *, encoding: str,
          delimiter: str = ",", newline: str = "\n") -> None:
    text = io.StringIO()
    out = csv.writer(text, delimiter=delimiter, lineterminator=newline)
    out.writerow(header)
    out.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))


def make_source() -> None:
    """interchange/: ``dvpi synth`` cut to eight boroughs, every reference kept whole."""
    from dvpi.synth import generate
    from dvpi.synth.national import FULL_BUILD_REPORTS

    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full"  # as `dvpi synth --reports 300 --seed 7` writes it
        generate(full, seed=7, scale=300 / FULL_BUILD_REPORTS, truth_dir=Path(tmp) / "truth")
        tables = {}
        for name in TABLE_FILES:
            with (full / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                tables[name] = (reader.fieldnames, list(reader))
    kept_reports = {r["report_id"] for r in tables["reports"][1] if r["borough"] in BOROUGHS}

    def keep(name: str, row: Row) -> bool:
        if "borough" in row and name != "targets" and row["borough"] not in BOROUGHS:
            return False
        return not row.get("report_id") or row["report_id"] in kept_reports

    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    SOURCE.mkdir(parents=True)
    for name, (header, rows) in tables.items():
        write(SOURCE / f"{name}.csv", header, ([r[h] for h in header] for r in rows
                                               if keep(name, r)), encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Niche-like

NICHE_OFFENCES = {
    "murder": "Murder", "manslaughter": "Manslaughter", "infanticide": "Infanticide",
    "attempted_murder": "Attempted Murder", "gbh_with_intent": "Wounding with Intent – S18",
    "gbh": "Inflicting GBH – S20", "abh": "Assault Occ ABH – S47",
    "common_assault": "Common Assault and Battery", "threats_to_kill": "Threats to Kill",
    "harassment": "Harassment – PHA 1997", "stalking": "Stalking",
    "coercive_control": "Controlling/Coercive Behaviour", "rape": "Rape",
    "other_sexual_offence": "Sexual Assault", "criminal_damage": "Criminal Damage under £5,000",
    "breach_of_order": "Breach of Non-Molestation Order", "other": "Other Notifiable Offence",
}
# What the suspect is to the victim, by the suspect's sex (male form, female form).
NICHE_RELATIONSHIPS = {
    "spouse": ("Husband", "Wife"), "civil_partner": ("Civil Partner", "Civil Partner"),
    "cohabitee": ("Cohabitee", "Cohabitee"), "partner": ("Boyfriend", "Girlfriend"),
    "ex_spouse": ("Ex-Husband", "Ex-Wife"), "ex_cohabitee": ("Cohabitee (ex)", "Cohabitee (ex)"),
    "ex_partner": ("Partner (ex)", "Partner (ex)"), "parent": ("Father", "Mother"),
    "child": ("Son", "Daughter"), "sibling": ("Brother", "Sister"),
    "grandparent": ("Grandfather", "Grandmother"), "grandchild": ("Grandson", "Granddaughter"),
    "parent_in_law": ("Father-in-law", "Mother-in-law"),
    "child_in_law": ("Son-in-law", "Daughter-in-law"),
    "sibling_in_law": ("Brother-in-law", "Sister-in-law"),
    "step_parent": ("Stepfather", "Stepmother"), "step_child": ("Stepson", "Stepdaughter"),
    "step_sibling": ("Stepbrother", "Stepsister"),
    "extended_family": ("Other Family Member", "Other Family Member"),
    "acquaintance": ("Acquaintance", "Acquaintance"), "neighbour": ("Neighbour", "Neighbour"),
    "stranger": ("Stranger", "Stranger"), "other": ("Other", "Other"),
    "unknown": ("Not Known", "Not Known"),
}
NICHE_SEX = {"M": "Male", "F": "Female", "U": "Unknown"}
NICHE_ROLE = {"victim": "Injured Party", "suspect": "Suspect"}
NICHE_CLASSIFICATION = {"crime": "Crime", "non_crime": "Non-Crime Incident"}
NICHE_TOOL = {"dash": "DASH 2009", "specss": "SPECSS+", "other": "Other"}
NICHE_DECISION = {"charge": "Charge", "no_further_action": "NFA",
                  "caution_advised": "Caution", "other": "Other"}
NICHE_RESULT = {"convicted": "Guilty", "acquitted": "Not Guilty",
                "discontinued": "Discontinued"}


def dmy(value: str) -> str:
    """2007-04-03 -> 03/04/2007; a date-time keeps its time."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    return day.strftime("%d/%m/%Y") + value[10:].replace("T", " ")


def yes_no(value: str) -> str:
    return {"true": "Y", "false": "N"}.get(value.lower(), value)


def niche(source: Path = SOURCE, out: Path = EXPORTS / "niche") -> None:
    read = reader(source)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.csv"):
        old.unlink()

    def save(name: str, header: list[str], rows: Iterable[list[str]]) -> None:
        write(out / name, header, rows, encoding="cp1252", newline="\r\n")

    # One wide file for reports, people and relationships, as Niche's DV extract gives
    # them: a row per victim-suspect pair of a report (the report's columns repeated
    # on each), and a row for people in no pair (the other block blank).
    reports = read("reports")
    people = read("people")
    sex = {p["person_id"]: p["gender"] for p in people}
    person = {p["person_id"]: p for p in people}
    ethnic = codes.ETHNIC_APPEARANCES
    sde = codes.SELF_DEFINED_ETHNICITIES

    def block(p: Row | None) -> list[str]:
        if p is None:
            return [""] * 10
        return [p["person_id"], p["nominal_id"], f"{p['surname']}, {p['forenames']}",
                dmy(p["date_of_birth"]), p["age"], NICHE_SEX.get(p["gender"], ""),
                "Not Recorded" if p["ethnic_appearance"] in ("", "IC0")
                else f"{p['ethnic_appearance']} - {ethnic[p['ethnic_appearance']]}",
                f"{p['self_defined_ethnicity']} - {sde[p['self_defined_ethnicity']]}"
                if p["self_defined_ethnicity"] else "",
                p["postcode"], dmy(p["arrest_date"])]

    pairs: dict[str, list[tuple[Row | None, Row | None, str]]] = {}
    paired: set[str] = set()
    for r in read("relationships"):
        pairs.setdefault(r["report_id"], []).append(
            (person[r["victim_person_id"]], person[r["suspect_person_id"]],
             NICHE_RELATIONSHIPS[r["relationship"]][sex.get(r["suspect_person_id"]) == "F"]))
        paired |= {r["victim_person_id"], r["suspect_person_id"]}
    for report_id in sorted({p["report_id"] for p in people}):
        alone = [p for p in people if p["report_id"] == report_id
                 and p["person_id"] not in paired]
        victims = [p for p in alone if p["role"] == "victim"]
        suspects = [p for p in alone if p["role"] == "suspect"]
        for i in range(max(len(victims), len(suspects))):
            pairs.setdefault(report_id, []).append(
                (victims[i] if i < len(victims) else None,
                 suspects[i] if i < len(suspects) else None, ""))
    block_header = ["Involvement Ref", "Nominal No", "Name", "DOB", "Age", "Sex",
                    "Ethnic Appearance", "Self Defined Ethnicity", "Home Postcode",
                    "Date Arrested"]

    def wide_rows() -> Iterable[list[str]]:
        for i, r in enumerate(reports):
            occurrence = [
                r["report_id"], r["borough"], dmy(r["recorded_date"]), dmy(r["occurred_date"]),
                NICHE_CLASSIFICATION[r["classification"]], NICHE_OFFENCES.get(r["offence"], ""),
                yes_no(r["dv_flag"]), yes_no(r["fm_flag"]), yes_no(r["hbv_flag"]), r["cad_ref"],
                f"PC {1000 + i}", f"{r['borough']} Police Station"]
            for victim, suspect, relationship in pairs.get(r["report_id"], [(None, None, "")]):
                yield [*occurrence, *block(victim), *block(suspect), relationship,
                       "01/04/2009 09:00"]

    save("DV_Occurrences_Export.csv",
         ["OCC Ref", "BCU", "Reported Date", "Committed From", "Crime/Incident", "Offence",
          "Domestic Y/N", "Forced Marriage", "HBV", "CAD Ref", "OIC", "Station",
          *(f"Victim {h}" for h in block_header), *(f"Suspect {h}" for h in block_header),
          "Relationship (Suspect is Victim's)", "Last Updated"],
         wide_rows())
    save("Disposals.csv", ["OCC Ref", "Suspect Involvement Ref", "Outcome", "Outcome Date"],
         ([r["report_id"], r["person_id"], f"Outcome {r['outcome_type']}",
           dmy(r["outcome_date"])] for r in read("outcomes")))
    save("Risk_Assessments.csv",
         ["OCC Ref", "Date Assessed", "Risk Model", "Risk Level", "DASH Responses",
          "Supervisor QA"],
         ([r["report_id"], dmy(r["assessed_date"]), NICHE_TOOL[r["tool"]],
           r["risk_level"].title(), r["dash_answers"],
           {"true": "Yes", "false": "No"}.get(r["quality_assured"], "")]
          for r in read("risk_assessments")))
    save("CAD_Incidents.csv", ["CAD Number", "BCU", "Call Received", "Closing Code", "OCC Ref"],
         ([r["call_id"], r["borough"], dmy(r["received_at"]),
           "DV - Domestic" if r["dv_related"] == "true" else "Other", r["report_id"]]
          for r in read("cad_calls")))
    save("CPS_Files.csv",
         ["CPS URN", "OCC Ref", "BCU", "DV Flag", "Date Referred", "Charging Decision",
          "First Hearing", "Case Result"],
         ([r["cps_urn"], r["report_id"], r["borough"], yes_no(r["dv_flagged"]),
           dmy(r["referred_date"]), NICHE_DECISION.get(r["decision"], ""),
           dmy(r["prosecution_date"]), NICHE_RESULT.get(r["outcome"], "")]
          for r in read("cps_cases")))
    save("DHR_Register.csv", ["DHR Ref", "OCC Ref", "Commissioned", "Completed"],
         ([r["review_id"], r["report_id"], dmy(r["started_date"]), dmy(r["completed_date"])]
          for r in read("homicide_reviews")))
    save("Population_Estimates.csv", ["Borough Name", "Sex", "Age Group", "IC", "Count"],
         ([r["borough"], NICHE_SEX[r["gender"]], r["age_band"].replace("-", " to ")
           .replace("+", " and over"), r["ethnic_appearance"], r["population"]]
          for r in read("population")))
    shutil.copyfile(source / "targets.csv", out / "targets.csv")


# ---------------------------------------------------------------------------------------
# CRIS-like

CRIS_BOROUGHS = {"Barnet": "SX", "Croydon": "ZD", "Enfield": "YE", "Hackney": "GD",
                 "Hillingdon": "XH", "Lewisham": "PL", "Tower Hamlets": "HT",
                 "Wandsworth": "WW"}
CRIS_OFFENCES = {
    "murder": "001/01", "manslaughter": "004/01", "infanticide": "004/10",
    "attempted_murder": "002/00", "gbh_with_intent": "005/01", "gbh": "008/06",
    "abh": "008/01", "common_assault": "105/01", "threats_to_kill": "003/01",
    "harassment": "008/31", "stalking": "008/71", "coercive_control": "008/67",
    "rape": "019/07", "other_sexual_offence": "020/01", "criminal_damage": "058/01",
    "breach_of_order": "195/12", "other": "999/99",
}
CRIS_RELATIONSHIPS = {
    "spouse": "SPO", "civil_partner": "CVP", "cohabitee": "COH", "partner": "PAR",
    "ex_spouse": "XSP", "ex_cohabitee": "XCO", "ex_partner": "XPA", "parent": "PNT",
    "child": "CHD", "sibling": "SIB", "grandparent": "GPT", "grandchild": "GCH",
    "parent_in_law": "PIL", "child_in_law": "CIL", "sibling_in_law": "SIL",
    "step_parent": "STP", "step_child": "STC", "step_sibling": "STS",
    "extended_family": "EXF", "acquaintance": "ACQ", "neighbour": "NBR",
    "stranger": "STR", "other": "OTH", "unknown": "UNK",
}
CRIS_RISK = {"standard": "S", "medium": "M", "high": "H"}
CRIS_DECISION = {"charge": "CHG", "no_further_action": "NFA", "caution_advised": "CAU",
                 "other": "OTH"}
CRIS_RESULT = {"convicted": "CONV", "acquitted": "ACQ", "discontinued": "DISC"}
CRIS_FILES = 4  # the main tables are split into this many extracts, by recorded date


def oracle_date(value: str) -> str:
    """2007-04-03 -> 03-APR-2007; a date-time keeps its time."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    month = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
             "DEC")[day.month - 1]
    return f"{day.day:02d}-{month}-{day.year}" + value[10:].replace("T", " ")


def one_zero(value: str) -> str:
    return {"true": "1", "false": "0"}.get(value.lower(), value)


def cris(source: Path = SOURCE, out: Path = EXPORTS / "cris") -> None:
    read = reader(source)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.txt"), *out.glob("*.csv")]:
        old.unlink()

    def save(name: str, header: list[str], rows: Iterable[list[str]]) -> None:
        write(out / name, header, rows, encoding="utf-8", delimiter="|")

    reports = sorted(read("reports"), key=lambda r: (r["recorded_date"], r["report_id"]))
    size = -(-len(reports) // CRIS_FILES)
    chunks = [reports[i:i + size] for i in range(0, len(reports), size)]
    labels = []
    for chunk in chunks:
        year, week, _ = dt.date.fromisoformat(chunk[0]["recorded_date"]).isocalendar()
        labels.append(f"{year}W{week:02d}")
    extract = {r["report_id"]: label for label, chunk in zip(labels, chunks, strict=True)
               for r in chunk}

    def split(name: str, header: list[str], rows: list[Row],
              shape: Callable[[Row], list[str]]) -> None:
        for label in labels:
            save(f"CRIS_{name}_{label}.txt", header,
                 (shape(r) for r in rows if extract[r["report_id"]] == label))

    split("Crimes", ["CRIS_NO", "BOROUGH_CODE", "DATE_CREATED", "DATE_COMMITTED",
                     "CRIME_TYPE", "HO_CODE", "DV_FLAG", "FM_FLAG", "HBV_FLAG", "CAD_REF"],
          reports,
          lambda r: [r["report_id"], CRIS_BOROUGHS[r["borough"]], oracle_date(r["recorded_date"]),
                     oracle_date(r["occurred_date"]),
                     {"crime": "CRIME", "non_crime": "NCI"}[r["classification"]],
                     CRIS_OFFENCES.get(r["offence"], ""), one_zero(r["dv_flag"]),
                     one_zero(r["fm_flag"]), one_zero(r["hbv_flag"]), r["cad_ref"]])
    split("Persons", ["PERSON_URN", "CRIS_NO", "PERSON_TYPE", "NOMINAL_NO", "FAMILY_NAME",
                      "GIVEN_NAMES", "DOB", "AGE", "GENDER", "IC_CODE", "SDE", "POSTCODE",
                      "ARREST_DATE"],
          read("people"),
          lambda p: [p["person_id"], p["report_id"], p["role"][0].upper(), p["nominal_id"],
                     p["surname"], p["forenames"], oracle_date(p["date_of_birth"]),
                     p["age"], p["gender"], p["ethnic_appearance"].removeprefix("IC"),
                     p["self_defined_ethnicity"], p["postcode"], oracle_date(p["arrest_date"])])
    split("Links", ["CRIS_NO", "VICTIM_URN", "SUSPECT_URN", "REL_CODE"], read("relationships"),
          lambda r: [r["report_id"], r["victim_person_id"], r["suspect_person_id"],
                     CRIS_RELATIONSHIPS[r["relationship"]]])
    split("ClearUps", ["CRIS_NO", "SUSPECT_URN", "CLEAR_UP_CODE", "CLEAR_UP_DATE"],
          read("outcomes"),
          lambda r: [r["report_id"], r["person_id"], f"OC{r['outcome_type']}",
                     oracle_date(r["outcome_date"])])
    split("Risk", ["CRIS_NO", "RISK_DATE", "RISK_MODEL", "RISK_GRADE", "DASH_ANSWERS",
                   "QA_DONE"], read("risk_assessments"),
          lambda r: [r["report_id"], oracle_date(r["assessed_date"]), r["tool"].upper(),
                     CRIS_RISK[r["risk_level"]], r["dash_answers"],
                     one_zero(r["quality_assured"])])
    save("CAD_Calls_Export.txt", ["CAD_REF", "BOROUGH_CODE", "RECEIVED", "DV_CLOSE", "CRIS_NO"],
         ([r["call_id"], CRIS_BOROUGHS[r["borough"]], oracle_date(r["received_at"]),
           one_zero(r["dv_related"]), r["report_id"]] for r in read("cad_calls")))
    save("CPS_Cases.txt", ["URN", "CRIS_NO", "BOROUGH_CODE", "DV", "REFERRED", "DECISION",
                           "FIRST_HEARING", "RESULT"],
         ([r["cps_urn"], r["report_id"], CRIS_BOROUGHS[r["borough"]], one_zero(r["dv_flagged"]),
           oracle_date(r["referred_date"]), CRIS_DECISION.get(r["decision"], ""),
           oracle_date(r["prosecution_date"]), CRIS_RESULT.get(r["outcome"], "")]
          for r in read("cps_cases")))
    for name in ("homicide_reviews", "population", "targets"):  # in the format already
        shutil.copyfile(source / f"{name}.csv", out / f"{name}.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="store_true",
                        help="remake interchange/ with dvpi synth first")
    args = parser.parse_args()
    if args.source:
        make_source()
    niche()
    cris()


if __name__ == "__main__":
    main()
