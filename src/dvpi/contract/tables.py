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


def _code(name: str, values: tuple[str, ...] | dict, **kw) -> Column:
    return Column(name, "code", codes=tuple(values), **kw)


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
        Column("report_id", "text", True, "unique key of the report"),
        Column("borough", "text", True, "the command unit that owns the report"),
        FORCE,
        Column("recorded_date", "date", True, "the date the report was recorded"),
        Column("occurred_date", "date", False, "the date the incident happened"),
        _code("classification", codes.CLASSIFICATIONS, required=True,
              meaning="a notifiable crime, or a non-crime incident"),
        _code("offence", codes.OFFENCES, required_when="classification = 'crime'",
              meaning="the offence; blank for a non-crime"),
        Column("dv_flag", "bool", True, "carries the domestic-violence flag"),
        Column("fm_flag", "bool", False, "carries the forced-marriage flag", default=False),
        Column("hbv_flag", "bool", False, "carries the honour-based-violence flag",
               default=False),
        Column("cad_ref", "text", False, "the call for service that raised the report"),
    ),
    required=True,
    key=("report_id",),
)

PEOPLE = Table(
    "people",
    "One row per person per report.",
    (
        Column("person_id", "text", True, "unique key of this row"),
        Column("report_id", "text", True, "the report"),
        _code("role", codes.ROLES, required=True, meaning="victim or suspect"),
        Column("nominal_id", "text", False, "the recording system's person identifier"),
        Column("surname", "text"),
        Column("forenames", "text"),
        Column("date_of_birth", "date"),
        Column("age", "integer", False, "age in whole years, used only without a date of birth",
               min_value=0, max_value=130),
        _code("gender", codes.GENDERS, default=codes.GENDER_DEFAULT, upper=True),
        _code("ethnic_appearance", codes.ETHNIC_APPEARANCES,
              default=codes.ETHNIC_APPEARANCE_DEFAULT,
              aliases=codes.ETHNIC_APPEARANCE_ALIASES, upper=True),
        _code("self_defined_ethnicity", codes.SELF_DEFINED_ETHNICITIES, upper=True),
        Column("postcode", "text", False, "home postcode"),
        Column("arrest_date", "date", False, "arrested in connection with this report"),
    ),
    required=True,
    key=("person_id",),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
)

RELATIONSHIPS = Table(
    "relationships",
    "One row per victim/suspect pair in a report.",
    (
        Column("report_id", "text", True),
        Column("victim_person_id", "text", True),
        Column("suspect_person_id", "text", True),
        _code("relationship", codes.RELATIONSHIPS, required=True,
              meaning="what the suspect is to the victim"),
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
)

OUTCOMES = Table(
    "outcomes",
    "One row per outcome given to a crime.",
    (
        Column("report_id", "text", True, "the crime"),
        Column("person_id", "text", False, "the suspect's people row"),
        Column("outcome_type", "integer", True, "Home Office crime outcome type",
               min_value=1, max_value=22),
        Column("outcome_date", "date", True),
    ),
    references=(
        Reference("report_id", "reports", "report_id"),
        Reference("person_id", "people", "person_id", optional=True, same_report=True,
                  target_role="suspect"),
    ),
    hangs_off_report=True,
)

RISK_ASSESSMENTS = Table(
    "risk_assessments",
    "One row per risk assessment made on a report.",
    (
        Column("report_id", "text", True),
        Column("assessed_date", "date", True),
        _code("tool", codes.RISK_TOOLS, required=True),
        _code("risk_level", codes.RISK_LEVELS, required=True),
        Column("dash_answers", "text", False, "Y/N/? per DASH question (27 or 24)"),
        Column("quality_assured", "bool", False, "checked by a supervisor", default=False),
        _code("stage", codes.RISK_STAGES, default=codes.RISK_STAGE_DEFAULT,
              meaning="primary: the first officer's assessment; secondary: the specialist "
                      "unit's review (version 2)"),
        Column("plan_recorded", "bool", False,
               "a risk-management plan was recorded with it (version 2)", default=False),
    ),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
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
        Column("call_id", "text", True),
        Column("borough", "text", True),
        FORCE,
        Column("received_at", "datetime", True),
        Column("dv_related", "bool", True, "closed as domestic violence"),
        Column("report_id", "text", False, "the report raised from the call"),
    ),
    key=("call_id",),
    references=(Reference("report_id", "reports", "report_id", optional=True),),
)

CPS_CASES = Table(
    "cps_cases",
    "Cases referred to the Crown Prosecution Service.",
    (
        Column("cps_urn", "text", True, "the CPS case reference"),
        Column("report_id", "text", False, "the police report, where known"),
        Column("borough", "text", True),
        FORCE,
        Column("dv_flagged", "bool", True),
        Column("referred_date", "date", True),
        _code("decision", codes.CPS_DECISIONS, meaning="blank = not yet decided"),
        Column("prosecution_date", "date", False, "blank = not prosecuted"),
        _code("outcome", codes.CPS_OUTCOMES, meaning="blank = not finished"),
        Column("decision_date", "date", False,
               "the date the charging decision was made; blank where decision is blank or "
               "the date was not recorded (version 2)"),
    ),
    key=("cps_urn",),
    references=(Reference("report_id", "reports", "report_id", optional=True),),
    rules=(
        _before("decision_date", "referred_date"),
        _only_with("decision_date", "decision"),
    ),
)

HOMICIDE_REVIEWS = Table(
    "homicide_reviews",
    "Domestic homicide reviews.",
    (
        Column("review_id", "text", True),
        Column("report_id", "text", True, "the homicide"),
        Column("started_date", "date", True),
        Column("completed_date", "date", False),
    ),
    key=("review_id",),
    references=(Reference("report_id", "reports", "report_id"),),
    hangs_off_report=True,
)

POPULATION = Table(
    "population",
    "Resident population, for rates per 1,000 and disproportionality.",
    (
        Column("borough", "text", True),
        FORCE,
        _code("gender", codes.POPULATION_GENDERS, required=True, upper=True),
        _code("age_band", codes.POPULATION_AGE_BANDS, required=True),
        _code("ethnic_appearance", codes.POPULATION_ETHNIC_APPEARANCES, required=True,
              upper=True),
        Column("population", "integer", True, min_value=0),
    ),
    key=("force", "borough", "gender", "age_band", "ethnic_appearance"),
)

TARGETS = Table(
    "targets",
    "Performance targets.",
    (
        Column("indicator", "text", True, "an indicator id"),
        Column("borough", "text", True, "a borough, or * for the whole force"),
        TARGETS_FORCE,
        Column("period_start", "date", True),
        Column("period_end", "date", True),
        Column("target", "number", True),
        _code("direction", codes.TARGET_DIRECTIONS, default=codes.TARGET_DIRECTION_DEFAULT),
    ),
    key=("indicator", "force", "borough", "period_start", "period_end"),
    rules=(_before("period_end", "period_start"),),
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
