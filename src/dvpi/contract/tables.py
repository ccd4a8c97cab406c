"""The tables of the interchange format as data.

The loader builds its validation SQL from these declarations, the warehouse its
schema, and ``docs/data-format.md`` its data dictionary: one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dvpi.contract import codes

ColumnType = Literal["text", "code", "date", "datetime", "bool", "integer", "number"]

# DuckDB storage type of each contract type, after validation.
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
    "integer": "BIGINT",
    "number": "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    meaning: str = ""
    # For type "code": the allowed canonical values; input matches case-insensitively.
    codes: tuple[str, ...] = ()
    # Value read into the warehouse when the cell is blank (optional columns only).
    default: str | bool | None = None
    # Input spellings read as another code, e.g. IC9 -> IC0.
    aliases: dict[str, str] = field(default_factory=dict)
    # Integer range, inclusive.
    min_value: int | None = None
    max_value: int | None = None
    # A blank value is allowed only in this case (a SQL condition on canonical values).
    required_when: str | None = None
    # Upper-case canonical codes (M/F/U, IC1, W1) rather than lower-case (crime, spouse).
    upper: bool = False
    # Other names forces give the column (``Date of Birth`` is matched without one), and
    # words for each code (its label, common words): read only by ``dvpi mapping draft``
    # to guess a first mapping, never by the loader.
    synonyms: tuple[str, ...] = ()
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The column may be left out of a file, but a file that has it must fill every row.
    required_if_given: bool = False

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Reference:
    """A column that must name an existing row of another table."""

    column: str
    table: str
    target_column: str
    optional: bool = False  # a blank value is allowed
    # Extra condition on the target row, e.g. the person is a victim in the same report.
    same_report: bool = False
    target_role: str | None = None


@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row: a row for which ``bad_when`` holds is bad.

    ``bad_when`` is SQL over the row's typed, canonical values (a NULL result is not a
    breach); the quarantine gives ``column: reason``, and the data dictionary lists it.
    """

    column: str
    bad_when: str
    reason: str


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    required: bool = False
    # Columns that identify a row; duplicates within a load are quarantined.
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    # The report a row hangs off: replaced with it when a later extract holds the report.
    hangs_off_report: bool = False
    # A column naming a people row: the row hangs off that person's report (replaced and
    # removed with it) and belongs to its borough.
    hangs_off_person: str | None = None
    # Rules over several columns of a row (each breach quarantines the row).
    rules: tuple[RowRule, ...] = ()
    # Words in the names forces give the table's files (``Nominals.csv``): read only
    # by ``dvpi mapping draft``.
    synonyms: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _code(name: str, values: tuple[str, ...] | dict, words: dict | None = None,
          **kw) -> Column:
    """A code column; its codes' labels (a dict's values) and ``words`` name them."""
    named: dict[str, tuple[str, ...]] = {str(c): () for c in values}
    if isinstance(values, dict):
        named = {str(c): (str(label),) for c, label in values.items()}
    for code, extra in (words or {}).items():
        named[code] = (*named.get(code, ()), *extra)
    return Column(name, "code", codes=tuple(values), words=named, **kw)


# Names forces give a report's reference, in every table that points at a report.
_REPORT_REF = ("crime ref", "crime reference", "crime number", "crime no", "urn",
               "occurrence number", "occurrence no", "occurrence ref", "occ ref", "occ no",
               "occ number", "cris number", "cris no", "report number", "report ref",
               "incident number")


def _before(later: str, earlier: str) -> RowRule:
    """``later`` may not be before ``earlier``."""
    return RowRule(later, f"{later} < {earlier}", f"is before {earlier}")


def _only_with(column: str, other: str) -> RowRule:
    """``column`` may be given only when ``other`` is."""
    return RowRule(column, f"{column} IS NOT NULL AND {other} IS NULL",
                   f"given while {other} is blank")


# Several forces in one data set: every table with a borough column may name its force.
FORCE = Column(
    "force", "text", False,
    "the force that owns the row (several forces in one data set; a borough is a force's "
    "borough); without the column the data set is one force; a file with it fills every row",
    required_if_given=True,
)
TARGETS_FORCE = Column(
    "force", "text", False,
    "a force of the data set, or * for every force; without the column the data set is one "
    "force; a file with it fills every row",
    required_if_given=True,
)

REPORTS = Table(
    "reports",
    "One row per report (a crime, or a non-crime incident).",
    (
        Column("report_id", "text", True, "unique key of the report", synonyms=_REPORT_REF),
        Column("borough", "text", True, "the command unit that owns the report",
               synonyms=("bcu", "ocu", "command unit", "division", "borough name")),
        FORCE,
        Column("recorded_date", "date", True, "the date the report was recorded",
               synonyms=("date recorded", "reported date", "date reported", "created date",
                         "crime recorded date", "recorded")),
        Column("occurred_date", "date", False, "the date the incident happened",
               synonyms=("offence date", "date of offence", "incident date",
                         "committed date", "occurrence date", "committed from", "occurred")),
        _code("classification", codes.CLASSIFICATIONS, codes.CLASSIFICATION_WORDS,
              required=True, meaning="a notifiable crime, or a non-crime incident",
              synonyms=("crime or incident", "crime non crime", "record type",
                        "crime incident")),
        _code("offence", codes.OFFENCES, required_when="classification = 'crime'",
              meaning="the offence; blank for a non-crime",
              synonyms=("offence code", "offence description", "crime type", "ho code",
                        "offence type", "home office code", "crime classification")),
        Column("dv_flag", "bool", True, "carries the domestic-violence flag",
               synonyms=("domestic", "domestic flag", "dv", "domestic y n",
                         "domestic abuse flag", "domestic violence", "dv marker")),
        Column("fm_flag", "bool", False, "carries the forced-marriage flag", default=False,
               synonyms=("forced marriage", "fm", "fm marker", "forced marriage flag")),
        Column("hbv_flag", "bool", False, "carries the honour-based-violence flag",
               default=False, synonyms=("honour based violence", "hbv", "hbv marker",
                                        "honour based violence flag")),
        Column("cad_ref", "text", False, "the call for service that raised the report",
               synonyms=("cad number", "cad no", "cad reference", "call reference", "cad")),
    ),
    required=True,
    key=("report_id",),
    synonyms=("crimes", "crime", "occurrences", "occurrence", "offences", "incidents"),
)

PEOPLE = Table(
    "people",
    "One row per person per report.",
    (
        Column("person_id", "text", True, "unique key of this row",
               synonyms=("person ref", "involvement id", "involvement ref",
                         "person row id", "person reference", "person urn")),
        Column("report_id", "text", True, "the report", synonyms=_REPORT_REF),
        _code("role", codes.ROLES, codes.ROLE_WORDS, required=True,
              meaning="victim or suspect",
              synonyms=("involvement", "involvement type", "person role", "victim suspect",
                        "person type")),
        Column("nominal_id", "text", False, "the recording system's person identifier",
               synonyms=("nominal", "nominal number", "nominal no", "nominal ref",
                         "person number", "pnc id", "nominal reference")),
        Column("surname", "text", synonyms=("family name", "last name", "surname name")),
        Column("forenames", "text", synonyms=("forename", "first name", "first names",
                                              "given name", "given names")),
        Column("date_of_birth", "date", synonyms=("dob", "birth date", "date born", "born")),
        Column("age", "integer", False, "age in whole years, used only without a date of birth",
               min_value=0, max_value=130, synonyms=("age at offence", "age at time")),
        _code("gender", codes.GENDERS, codes.GENDER_WORDS, default=codes.GENDER_DEFAULT,
              upper=True, synonyms=("sex",)),
        _code("ethnic_appearance", codes.ETHNIC_APPEARANCES,
              default=codes.ETHNIC_APPEARANCE_DEFAULT,
              aliases=codes.ETHNIC_APPEARANCE_ALIASES, upper=True,
              synonyms=("ic code", "ic", "identity code", "ethnic appearance code",
                        "officer defined ethnicity", "appearance")),
        _code("self_defined_ethnicity", codes.SELF_DEFINED_ETHNICITIES, upper=True,
              synonyms=("sde", "ethnicity", "ethnic origin", "self defined ethnic code",
                        "16 1 code", "self defined")),
        Column("postcode", "text", False, "home postcode",
               synonyms=("post code", "home postcode", "address postcode")),
        Column("arrest_date", "date", False, "arrested in connection with this report",
               synonyms=("date arrested", "arrested on", "arrest")),
    ),
    required=True,
    key=("person_id",),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
    synonyms=("nominals", "nominal", "persons", "person", "involvements", "victims", "suspects"),
)

RELATIONSHIPS = Table(
    "relationships",
    "One row per victim/suspect pair in a report.",
    (
        Column("report_id", "text", True, synonyms=_REPORT_REF),
        Column("victim_person_id", "text", True,
               synonyms=("victim id", "victim ref", "victim", "victim person ref",
                         "victim urn")),
        Column("suspect_person_id", "text", True,
               synonyms=("suspect id", "suspect ref", "suspect", "offender id",
                         "suspect person ref", "suspect urn")),
        _code("relationship", codes.RELATIONSHIPS, codes.RELATIONSHIP_WORDS, required=True,
              meaning="what the suspect is to the victim",
              synonyms=("relationship to victim", "relationship type",
                        "victim suspect relationship", "suspect is victim s",
                        "relationship code", "rel code")),
    ),
    key=("report_id", "victim_person_id", "suspect_person_id"),
    references=(
        Reference("report_id", "reports", "report_id"),
        Reference("victim_person_id", "people", "person_id", same_report=True,
                  target_role="victim"),
        Reference("suspect_person_id", "people", "person_id", same_report=True,
                  target_role="suspect"),
    ),
    hangs_off_report=True,
    synonyms=("associations", "links", "relationship", "victim suspect"),
)

OUTCOMES = Table(
    "outcomes",
    "One row per outcome given to a crime.",
    (
        Column("report_id", "text", True, "the crime", synonyms=_REPORT_REF),
        Column("person_id", "text", False, "the suspect's people row",
               synonyms=("suspect id", "suspect ref", "person ref", "offender id",
                         "suspect urn", "person urn")),
        Column("outcome_type", "integer", True, "Home Office crime outcome type",
               min_value=1, max_value=22,
               words={str(n): (label,) for n, label in codes.OUTCOME_TYPES.items()},
               synonyms=("outcome", "outcome code", "disposal", "clear up code",
                         "detection type", "outcome description", "ho outcome")),
        Column("outcome_date", "date", True,
               synonyms=("date of outcome", "disposal date", "outcome recorded date",
                         "cleared up date")),
    ),
    references=(
        Reference("report_id", "reports", "report_id"),
        Reference("person_id", "people", "person_id", optional=True, same_report=True,
                  target_role="suspect"),
    ),
    hangs_off_report=True,
    synonyms=("disposals", "outcome", "clearups", "clear ups", "detections"),
)

RISK_ASSESSMENTS = Table(
    "risk_assessments",
    "One row per risk assessment made on a report.",
    (
        Column("report_id", "text", True, synonyms=_REPORT_REF),
        Column("assessed_date", "date", True,
               synonyms=("assessment date", "date assessed", "risk date", "completed")),
        _code("tool", codes.RISK_TOOLS, codes.RISK_TOOL_WORDS, required=True,
              synonyms=("risk tool", "assessment tool", "form", "risk model")),
        _code("risk_level", codes.RISK_LEVELS, codes.RISK_LEVEL_WORDS, required=True,
              synonyms=("risk", "risk grading", "risk assessment level", "grade",
                        "risk grade")),
        Column("dash_answers", "text", False, "Y/N/? per DASH question (27 or 24)",
               synonyms=("answers", "dash responses", "question answers", "dash answers")),
        Column("quality_assured", "bool", False, "checked by a supervisor", default=False,
               synonyms=("qa", "supervised", "qa complete", "supervisor checked")),
        _code("stage", codes.RISK_STAGES, default=codes.RISK_STAGE_DEFAULT,
              meaning="primary: the first officer's assessment; secondary: the specialist "
                      "unit's review (version 2)"),
        Column("plan_recorded", "bool", False,
               "a risk-management plan was recorded with it (version 2)", default=False),
    ),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
    synonyms=("risk", "dash", "risk assessment", "risks"),
    rules=(
        RowRule(
            "dash_answers",
            f"tool = 'dash' AND dash_answers IS NOT NULL AND NOT ("
            f"length(dash_answers) IN ({', '.join(str(n) for n in codes.DASH_LENGTHS)}) AND "
            f"regexp_matches(upper(dash_answers), '^[{codes.DASH_ANSWER_CHARS}]*$'))",
            f"for the dash tool must be {' or '.join(str(n) for n in codes.DASH_LENGTHS)} "
            "characters, each Y, N or ?",
        ),
    ),
)

CAD_CALLS = Table(
    "cad_calls",
    "Calls for service.",
    (
        Column("call_id", "text", True,
               synonyms=("cad number", "cad no", "cad ref", "call number", "cad reference")),
        Column("borough", "text", True, synonyms=("bcu", "ocu", "command unit", "division")),
        FORCE,
        Column("received_at", "datetime", True,
               synonyms=("call time", "date time received", "received", "call received")),
        Column("dv_related", "bool", True, "closed as domestic violence",
               synonyms=("domestic", "dv", "closing code domestic", "domestic call")),
        Column("report_id", "text", False, "the report raised from the call",
               synonyms=_REPORT_REF),
    ),
    key=("call_id",),
    references=(Reference("report_id", "reports", "report_id", optional=True),),
    synonyms=("cad", "calls", "cad incidents", "command and control"),
)

CPS_CASES = Table(
    "cps_cases",
    "Cases referred to the Crown Prosecution Service.",
    (
        Column("cps_urn", "text", True, "the CPS case reference",
               synonyms=("urn", "case urn", "cps reference", "case reference")),
        Column("report_id", "text", False, "the police report, where known",
               synonyms=tuple(s for s in _REPORT_REF if s != "urn")),
        Column("borough", "text", True, synonyms=("bcu", "ocu", "command unit", "division")),
        FORCE,
        Column("dv_flagged", "bool", True, synonyms=("domestic", "dv", "dv flag")),
        Column("referred_date", "date", True,
               synonyms=("date referred", "referral date", "referred")),
        _code("decision", codes.CPS_DECISIONS, codes.CPS_DECISION_WORDS,
              meaning="blank = not yet decided",
              synonyms=("charging decision", "cps decision")),
        Column("prosecution_date", "date", False, "blank = not prosecuted",
               synonyms=("first hearing date", "date prosecuted", "hearing date")),
        _code("outcome", codes.CPS_OUTCOMES, codes.CPS_OUTCOME_WORDS,
              meaning="blank = not finished",
              synonyms=("case outcome", "court outcome", "result", "finalised outcome")),
        Column("decision_date", "date", False,
               "the date the charging decision was made; blank where decision is blank or "
               "the date was not recorded (version 2)"),
    ),
    key=("cps_urn",),
    references=(Reference("report_id", "reports", "report_id", optional=True),),
    synonyms=("cps", "cases", "prosecutions", "cps files"),
    rules=(
        _before("decision_date", "referred_date"),
        _only_with("decision_date", "decision"),
    ),
)

HOMICIDE_REVIEWS = Table(
    "homicide_reviews",
    "Domestic homicide reviews.",
    (
        Column("review_id", "text", True, synonyms=("dhr id", "dhr ref", "review ref", "dhr")),
        Column("report_id", "text", True, "the homicide", synonyms=_REPORT_REF),
        Column("started_date", "date", True,
               synonyms=("date started", "commissioned date", "start date")),
        Column("completed_date", "date", False, synonyms=("date completed", "end date")),
    ),
    key=("review_id",),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
    synonyms=("dhr", "homicide", "reviews", "dhr register"),
)

POPULATION = Table(
    "population",
    "Resident population, for rates per 1,000 and disproportionality.",
    (
        Column("borough", "text", True, synonyms=("area", "borough name", "local authority")),
        FORCE,
        _code("gender", codes.POPULATION_GENDERS, codes.GENDER_WORDS, required=True,
              upper=True, synonyms=("sex",)),
        _code("age_band", codes.POPULATION_AGE_BANDS, required=True,
              synonyms=("age group", "age range", "ages")),
        _code("ethnic_appearance", codes.POPULATION_ETHNIC_APPEARANCES, required=True,
              upper=True, synonyms=("ethnic group", "ic", "ic code")),
        Column("population", "integer", True, min_value=0,
               synonyms=("count", "residents", "persons", "estimate", "people")),
    ),
    key=("force", "borough", "gender", "age_band", "ethnic_appearance"),
    synonyms=("population estimates", "estimates", "census"),
)

TARGETS = Table(
    "targets",
    "Performance targets.",
    (
        Column("indicator", "text", True, "an indicator id",
               synonyms=("measure", "indicator id")),
        Column("borough", "text", True, "a borough, or * for the whole force",
               synonyms=("area", "bcu")),
        TARGETS_FORCE,
        Column("period_start", "date", True, synonyms=("from", "start", "start date")),
        Column("period_end", "date", True, synonyms=("to", "end", "end date")),
        Column("target", "number", True, synonyms=("value", "target value")),
        _code("direction", codes.TARGET_DIRECTIONS, default=codes.TARGET_DIRECTION_DEFAULT),
    ),
    key=("indicator", "force", "borough", "period_start", "period_end"),
    rules=(_before("period_end", "period_start"),),
    synonyms=("target",),
)

# --- version 2 (interchange-format.md, "Version 2 additions"): all optional -----------

BAIL = Table(
    "bail",
    "Periods a suspect spent on pre-charge bail or released under investigation.",
    (
        Column("bail_id", "text", True, "unique key"),
        Column("person_id", "text", True, "the suspect's people row (role suspect)"),
        _code("kind", codes.BAIL_KINDS, required=True),
        Column("start_date", "date", True, "the day the period began"),
        Column("end_date", "date", False,
               "the day it ended; blank = still running when the data was extracted"),
        _code("ended_by", codes.BAIL_ENDED_BY, meaning="what ended it; blank while running"),
    ),
    key=("bail_id",),
    references=(Reference("person_id", "people", "person_id", target_role="suspect"),),
    hangs_off_person="person_id",
    rules=(_before("end_date", "start_date"), _only_with("ended_by", "end_date")),
)

PROTECTIVE_ORDERS = Table(
    "protective_orders",
    "Protective notices and orders.",
    (
        Column("order_id", "text", True, "unique key"),
        Column("borough", "text", True),
        FORCE,
        _code("order_type", codes.PROTECTIVE_ORDER_TYPES, required=True),
        Column("report_id", "text", False, "the report it arose from"),
        Column("person_id", "text", False,
               "the people row of the person it is against (role suspect)"),
        Column("applied_date", "date", True,
               "a notice: the day the police issued it; an order: the day it was applied for"),
        _code("outcome", codes.PROTECTIVE_ORDER_OUTCOMES,
              meaning="blank = not decided yet; a notice issued by the police is granted"),
        Column("first_breach_date", "date", False,
               "the first breach recorded while it was in force; blank = none"),
    ),
    key=("order_id",),
    references=(
        Reference("report_id", "reports", "report_id", optional=True),
        Reference("person_id", "people", "person_id", optional=True, target_role="suspect"),
    ),
    rules=(
        RowRule("first_breach_date",
                f"first_breach_date IS NOT NULL AND outcome IS DISTINCT FROM "
                f"'{codes.GRANTED}'",
                f"given on a row whose outcome is not {codes.GRANTED}"),
    ),
)

DISCLOSURES = Table(
    "disclosures",
    "The Domestic Violence Disclosure Scheme (Clare's Law).",
    (
        Column("request_id", "text", True, "unique key"),
        Column("borough", "text", True),
        FORCE,
        _code("route", codes.DVDS_ROUTES, required=True,
              meaning="an application by the public, or a disclosure the police initiate"),
        Column("received_date", "date", True,
               "the day the application was received or the police started the case"),
        _code("decision", codes.DVDS_DECISIONS, meaning="blank = not decided yet"),
        Column("decision_date", "date", False),
    ),
    key=("request_id",),
    rules=(_before("decision_date", "received_date"), _only_with("decision_date", "decision")),
)

MARAC_CASES = Table(
    "marac_cases",
    "Cases discussed at a Multi-Agency Risk Assessment Conference.",
    (
        Column("case_id", "text", True, "unique key"),
        Column("borough", "text", True, "the MARAC's area"),
        FORCE,
        Column("conference_date", "date", True,
               "the conference at which the case was discussed"),
        Column("victim_ref", "text", True,
               "the MARAC's own identifier of the victim (how repeat cases are found)"),
        Column("victim_person_id", "text", False,
               "the victim's people row, where the case came from a police report"),
        Column("referral_date", "date", False),
        _code("referring_agency", codes.MARAC_AGENCIES, default=codes.MARAC_AGENCY_DEFAULT),
        _code("criterion", codes.MARAC_CRITERIA),
        _code("victim_gender", codes.GENDERS, default=codes.GENDER_DEFAULT, upper=True),
        Column("victim_age", "integer", False, min_value=0, max_value=130),
        _code("victim_self_defined_ethnicity", codes.SELF_DEFINED_ETHNICITIES, upper=True,
              meaning="the 16+1 codes of people; blank = unrecorded"),
        Column("victim_lgbt", "bool", False, "blank = unrecorded"),
        Column("victim_disabled", "bool", False, "blank = unrecorded"),
        Column("children_in_household", "integer", False, "blank = unrecorded", min_value=0,
               max_value=99),
    ),
    key=("case_id",),
    references=(Reference("victim_person_id", "people", "person_id", optional=True,
                          target_role="victim"),),
)

SUPPORT_REFERRALS = Table(
    "support_referrals",
    "Referrals of victims to support services.",
    (
        Column("referral_id", "text", True, "unique key"),
        Column("person_id", "text", True, "the victim's people row (role victim)"),
        _code("service", codes.SUPPORT_SERVICES, required=True),
        Column("referral_date", "date", True),
        Column("engaged", "bool", False, "the victim took up the service; blank = not known"),
    ),
    key=("referral_id",),
    references=(Reference("person_id", "people", "person_id", target_role="victim"),),
    hangs_off_person="person_id",
)

VICTIM_SURVEYS = Table(
    "victim_surveys",
    "Victim satisfaction interviews (Home Office user satisfaction survey).",
    (
        Column("survey_id", "text", True, "unique key"),
        Column("person_id", "text", True,
               "the victim's people row (role victim): its report and borough"),
        Column("interview_date", "date", True),
        _code("overall", codes.SATISFACTION_SCALE, required=True,
              meaning="satisfaction with the whole experience"),
        *(_code(element, codes.SATISFACTION_SCALE, meaning=f"{label.lower()} (an element)")
          for element, label in codes.SURVEY_ELEMENTS.items()),
    ),
    key=("survey_id",),
    references=(Reference("person_id", "people", "person_id", target_role="victim"),),
    hangs_off_person="person_id",
)

PROGRAMME_REQUIREMENTS = Table(
    "programme_requirements",
    "Perpetrator programmes ordered by a court.",
    (
        Column("requirement_id", "text", True, "unique key"),
        Column("person_id", "text", True, "the offender's people row (role suspect)"),
        _code("programme", codes.PROGRAMMES, required=True),
        Column("ordered_date", "date", True, "the day the court made the order"),
        Column("expiry_date", "date", False,
               "the last day the requirement can be completed under the order"),
        Column("started_date", "date", False, "the first session attended; blank = not started"),
        Column("ended_date", "date", False),
        _code("ended_reason", codes.PROGRAMME_ENDINGS, meaning="blank while running"),
    ),
    key=("requirement_id",),
    references=(Reference("person_id", "people", "person_id", target_role="suspect"),),
    hangs_off_person="person_id",
    rules=(
        _only_with("ended_reason", "ended_date"),
        _only_with("ended_date", "ended_reason"),
        RowRule("started_date",
                f"ended_reason = '{codes.EXPIRED_BEFORE_START}' AND started_date IS NOT NULL",
                f"given on a row that ended {codes.EXPIRED_BEFORE_START}"),
    ),
)

# Load order: a table's references point only at tables before it.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REPORTS, PEOPLE, RELATIONSHIPS, OUTCOMES, RISK_ASSESSMENTS,
        CAD_CALLS, CPS_CASES, HOMICIDE_REVIEWS, POPULATION, TARGETS,
        BAIL, PROTECTIVE_ORDERS, DISCLOSURES, MARAC_CASES, SUPPORT_REFERRALS,
        VICTIM_SURVEYS, PROGRAMME_REQUIREMENTS,
    )
}
# The tables of version 1 of the format (the others are version 2's, all optional).
VERSION_1_TABLES: tuple[str, ...] = (
    "reports", "people", "relationships", "outcomes", "risk_assessments", "cad_calls",
    "cps_cases", "homicide_reviews", "population", "targets",
)

# Lineage columns the warehouse adds to every table.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "BIGINT"),   # the load that wrote the row
    ("_file", "VARCHAR"),     # the file it came from
    ("_line", "BIGINT"),      # its line in that file (header = line 1)
    ("_extra", "VARCHAR"),    # extra columns of the input, as a JSON object
)

# Not a table of the warehouse's data: a load instruction. An extract may hold
# ``deleted_reports.csv``: the reports (and every row hanging off them) to remove.
DELETED_REPORTS = Table(
    "deleted_reports",
    "reports deleted in the force's system since the last extract: removed with every "
    "row hanging off them",
    (Column("report_id", "text", True, "the report to remove"),),
    key=("report_id",),
)
