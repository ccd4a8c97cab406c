"""Code lists of the DV record interchange format, version 2.

Every code, label and band in dvpi is read from here: the loader validates against
these lists, the indicator engine groups by them, the reports and dashboard label
with them. A literal copy of a code elsewhere is a bug waiting to happen.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSIFICATIONS: tuple[str, ...] = ("crime", "non_crime")
ROLES: tuple[str, ...] = ("victim", "suspect")

OFFENCES: dict[str, str] = {
    "murder": "Murder",
    "manslaughter": "Manslaughter",
    "infanticide": "Infanticide",
    "attempted_murder": "Attempted murder",
    "gbh_with_intent": "GBH with intent (s18 OAPA 1861)",
    "gbh": "GBH (s20 OAPA 1861)",
    "abh": "ABH (s47 OAPA 1861)",
    "common_assault": "Common assault",
    "threats_to_kill": "Threats to kill",
    "harassment": "Harassment",
    "stalking": "Stalking",
    "coercive_control": "Controlling or coercive behaviour",
    "rape": "Rape",
    "other_sexual_offence": "Other sexual offence",
    "criminal_damage": "Criminal damage",
    "breach_of_order": "Breach of order",
    "other": "Other offence",
}
HOMICIDE_OFFENCES: tuple[str, ...] = ("murder", "manslaughter", "infanticide")

# Relationship codes by category. The category decides whether a pair is domestic
# under each definition (see indicators.md, "Qualifying pair").
INTIMATE: tuple[str, ...] = (
    "spouse", "civil_partner", "cohabitee", "partner",
    "ex_spouse", "ex_cohabitee", "ex_partner",
)
ACPO_FAMILY: tuple[str, ...] = (
    "parent", "child", "sibling", "grandparent", "grandchild", "parent_in_law",
    "child_in_law", "sibling_in_law", "step_parent", "step_child", "step_sibling",
)
EXTENDED_FAMILY: tuple[str, ...] = ("extended_family",)
NOT_DOMESTIC: tuple[str, ...] = ("acquaintance", "neighbour", "stranger", "other", "unknown")
RELATIONSHIPS: tuple[str, ...] = INTIMATE + ACPO_FAMILY + EXTENDED_FAMILY + NOT_DOMESTIC

GENDERS: dict[str, str] = {"M": "Male", "F": "Female", "U": "Unrecorded"}
GENDER_DEFAULT = "U"

ETHNIC_APPEARANCES: dict[str, str] = {
    "IC1": "White European",
    "IC2": "Dark European",
    "IC3": "African/Caribbean",
    "IC4": "Asian",
    "IC5": "Oriental",
    "IC6": "Arabian/Egyptian",
    "IC0": "Unrecorded",
}
ETHNIC_APPEARANCE_DEFAULT = "IC0"
# Codes read as another code on load (the format: "IC9 is read as IC0").
ETHNIC_APPEARANCE_ALIASES: dict[str, str] = {"IC9": "IC0"}
# The population table carries only the recorded groups.
POPULATION_ETHNIC_APPEARANCES: tuple[str, ...] = ("IC1", "IC2", "IC3", "IC4", "IC5", "IC6")
POPULATION_GENDERS: tuple[str, ...] = ("M", "F")

SELF_DEFINED_ETHNICITIES: dict[str, str] = {
    "W1": "White British",
    "W2": "White Irish",
    "W9": "Any other White background",
    "M1": "White and Black Caribbean",
    "M2": "White and Black African",
    "M3": "White and Asian",
    "M9": "Any other Mixed background",
    "A1": "Indian",
    "A2": "Pakistani",
    "A3": "Bangladeshi",
    "A9": "Any other Asian background",
    "B1": "Caribbean",
    "B2": "African",
    "B9": "Any other Black background",
    "O1": "Chinese",
    "O9": "Any other ethnic group",
    "NS": "Person declines to define",
    "NU": "Person does not understand",
}
UNRECORDED = "unrecorded"

OUTCOME_TYPES: dict[int, str] = {
    1: "Charge/summons",
    2: "Youth caution",
    3: "Adult caution (incl. conditional)",
    4: "Taken into consideration",
    5: "Offender died",
    6: "Penalty notice for disorder",
    7: "Cannabis/khat warning",
    8: "Community resolution",
    9: "Prosecution not in the public interest (CPS)",
    10: "Not in the public interest (police)",
    11: "Prosecution prevented: suspect under age",
    12: "Prosecution prevented: suspect too ill",
    13: "Prosecution prevented: victim/witness too ill",
    14: "Evidential difficulties, victim declines, suspect not identified",
    15: "Evidential difficulties, suspect identified, victim supports",
    16: "Evidential difficulties, victim does not support",
    17: "Prosecution time limit expired",
    18: "Investigation complete, no suspect identified",
    19: "National Fraud Intelligence Bureau case",
    20: "Further action by another body",
    21: "Not in the public interest, suspect identified",
    22: "Diversionary or intervention activity",
}


@dataclass(frozen=True)
class SanctionClass:
    key: str
    outcome_type: int
    label: str


# Ordered highest first: a crime with several sanction outcomes takes the first here.
SANCTION_CLASSES: tuple[SanctionClass, ...] = (
    SanctionClass("charge_summons", 1, "Charge/summons"),
    SanctionClass("caution_adult", 3, "Adult caution"),
    SanctionClass("caution_youth", 2, "Youth caution"),
    SanctionClass("tic", 4, "Taken into consideration"),
    SanctionClass("pnd", 6, "Penalty notice for disorder"),
    SanctionClass("cannabis_warning", 7, "Cannabis/khat warning"),
)
SANCTION_OUTCOME_TYPES: tuple[int, ...] = tuple(sorted(c.outcome_type for c in SANCTION_CLASSES))

RISK_TOOLS: tuple[str, ...] = ("specss", "dash", "other")
# Ordered lowest first.
RISK_LEVELS: tuple[str, ...] = ("standard", "medium", "high")
DASH_ANSWER_CHARS: str = "YN?"
DASH_LENGTHS: tuple[int, ...] = (27, 24)
DASH_VISIBLE_HIGH_RISK_YES = 14

CPS_DECISIONS: tuple[str, ...] = ("charge", "no_further_action", "caution_advised", "other")
# The legal decisions of ONS's charging rate: charge, no further action, out-of-court
# disposal (a caution advised); ``other`` is not one.
CPS_LEGAL_DECISIONS: tuple[str, ...] = ("charge", "no_further_action", "caution_advised")
CPS_OUTCOMES: tuple[str, ...] = ("convicted", "acquitted", "discontinued")
CPS_FINISHED_OUTCOMES: tuple[str, ...] = CPS_OUTCOMES

# Version 2 (interchange-format.md, "Version 2 additions").
RISK_STAGES: tuple[str, ...] = ("primary", "secondary")
RISK_STAGE_DEFAULT = "primary"

BAIL_KINDS: tuple[str, ...] = ("pre_charge_bail", "released_under_investigation")
BAIL_ENDED_BY: tuple[str, ...] = ("charge", "no_further_action", "out_of_court_disposal",
                                  "other")

PROTECTIVE_ORDER_TYPES: dict[str, str] = {
    "dvpn": "Domestic violence protection notice",
    "dvpo": "Domestic violence protection order",
    "dapn": "Domestic abuse protection notice",
    "dapo": "Domestic abuse protection order",
    "non_molestation": "Non-molestation order",
    "restraining": "Restraining order",
    "stalking_protection": "Stalking protection order",
    "other": "Other order",
}
PROTECTIVE_ORDER_OUTCOMES: tuple[str, ...] = ("granted", "refused", "withdrawn")
GRANTED = "granted"
# The outcomes that are decisions (withdrawn and blank are not).
PROTECTIVE_ORDER_DECISIONS: tuple[str, ...] = ("granted", "refused")

DVDS_ROUTES: dict[str, str] = {"right_to_ask": "Right to ask", "right_to_know": "Right to know"}
DVDS_DECISIONS: tuple[str, ...] = ("disclosed", "not_disclosed", "withdrawn")
DISCLOSED = "disclosed"
DVDS_WITHDRAWN = "withdrawn"
# The statutory guidance's limit for a decision, in days.
DVDS_DECISION_DAYS = 28

MARAC_AGENCIES: dict[str, str] = {
    "police": "Police",
    "idva": "IDVA",
    "health": "Health",
    "children_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "housing": "Housing",
    "probation": "Probation",
    "education": "Education",
    "voluntary_sector": "Voluntary sector",
    "other": "Other agency",
}
MARAC_AGENCY_DEFAULT = "other"
POLICE_AGENCY = "police"
MARAC_CRITERIA: tuple[str, ...] = ("visible_high_risk", "professional_judgement",
                                   "potential_escalation", "other")
# A repeat MARAC case: another case of the same victim in the 12 months before.
MARAC_REPEAT_MONTHS = 12
# Self-defined ethnicity codes read as White (the rest, but NS and NU, as Black, Asian or
# racially minoritised).
WHITE_SELF_DEFINED: tuple[str, ...] = ("W1", "W2", "W9")
NOT_DEFINED_SELF_DEFINED: tuple[str, ...] = ("NS", "NU")
MARAC_YOUNG_AGES: tuple[int, int] = (16, 17)

SUPPORT_SERVICES: dict[str, str] = {
    "idva": "Independent domestic violence adviser",
    "isva": "Independent sexual violence adviser",
    "victim_support": "Victim Support",
    "refuge": "Refuge",
    "other": "Other service",
}
IDVA = "idva"

# The user satisfaction survey's scale, best first; the first three are "satisfied".
SATISFACTION_SCALE: tuple[str, ...] = (
    "completely_satisfied", "very_satisfied", "fairly_satisfied", "neither",
    "fairly_dissatisfied", "very_dissatisfied", "completely_dissatisfied",
)
SATISFIED: tuple[str, ...] = SATISFACTION_SCALE[:3]
SURVEY_ELEMENTS: dict[str, str] = {
    "ease_of_contact": "Ease of contact",
    "actions_taken": "Actions taken",
    "kept_informed": "Kept informed",
    "treatment": "Treatment",
}

PROGRAMMES: dict[str, str] = {
    "idap": "Integrated Domestic Abuse Programme",
    "bbr": "Building Better Relationships",
    "other": "Other accredited programme",
}
PROGRAMME_ENDINGS: tuple[str, ...] = ("completed", "breached", "expired_before_start",
                                      "revoked", "other")
COMPLETED = "completed"
EXPIRED_BEFORE_START = "expired_before_start"

# Offences and outcome types of the version-2 justice measures.
MOST_SERIOUS_VIOLENCE: tuple[str, ...] = (
    "murder", "manslaughter", "infanticide", "attempted_murder", "gbh_with_intent", "gbh")
RAPE = "rape"
# Outcomes that bring an offence to justice without a court (a charge alone does not).
BROUGHT_TO_JUSTICE_OUTCOME_TYPES: tuple[int, ...] = (2, 3, 4, 6, 7)
CONVICTED = "convicted"
# Outcomes 15 and 16: evidential difficulties, the victim supporting action or not.
EVIDENTIAL_DIFFICULTY_TYPES: tuple[int, int] = (15, 16)
# "Over 8 weeks", and the look-ahead of a worklist, in days.
EIGHT_WEEKS_DAYS = 56

TARGET_DIRECTIONS: tuple[str, ...] = ("at_least", "at_most")
TARGET_DIRECTION_DEFAULT = "at_least"
FORCE_WIDE_BOROUGH = "*"


@dataclass(frozen=True)
class Band:
    """An age band: whole years from ``low`` to ``high`` inclusive (``high`` None = open)."""

    label: str
    low: int
    high: int | None

    def contains(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


def _bands(*spec: tuple[str, int, int | None]) -> tuple[Band, ...]:
    return tuple(Band(label, low, high) for label, low, high in spec)


# The catalogue's age groups (victims, accused) and the population table's bands.
AGE_GROUPS: tuple[Band, ...] = _bands(
    ("0-17", 0, 17), ("18-29", 18, 29), ("30-39", 30, 39),
    ("40-49", 40, 49), ("50-59", 50, 59), ("60+", 60, None),
)
POPULATION_AGE_BANDS: tuple[str, ...] = tuple(b.label for b in AGE_GROUPS)
HOMICIDE_AGE_BANDS: tuple[Band, ...] = _bands(
    ("0-19", 0, 19), ("20-29", 20, 29), ("30-39", 30, 39), ("40-49", 40, 49),
    ("50-59", 50, 59), ("60-69", 60, 69), ("70-79", 70, 79), ("80+", 80, None),
)
FM_AGE_BANDS: tuple[Band, ...] = _bands(
    ("0-17", 0, 17), ("18-25", 18, 25), ("26-32", 26, 32),
    ("33-40", 33, 40), ("41-50", 41, 50), ("51+", 51, None),
)

ADULT_AGE = 18

# Booleans: the spellings the format accepts, matched case-insensitively after trimming.
TRUE_WORDS: tuple[str, ...] = ("true", "1", "y", "yes")
FALSE_WORDS: tuple[str, ...] = ("false", "0", "n", "no")


def band_labels(bands: tuple[Band, ...]) -> tuple[str, ...]:
    return (*(b.label for b in bands), UNRECORDED)


# Words a force's own export may use for a code: the labels above, and common words.
# Read only by ``dvpi mapping draft`` to guess a mapping's value maps (every guess is
# marked for review); the loader reads only a mapping a person has checked.
RELATIONSHIP_WORDS: dict[str, tuple[str, ...]] = {
    "spouse": ("husband", "wife", "married", "spouse"),
    "civil_partner": ("civil partner",),
    "cohabitee": ("cohabitee", "cohabiting", "living together", "cohabiting partner"),
    "partner": ("partner", "boyfriend", "girlfriend", "current partner"),
    "ex_spouse": ("ex husband", "ex wife", "former spouse", "divorced", "spouse (ex)"),
    "ex_cohabitee": ("ex cohabitee", "former cohabitee", "cohabitee (ex)"),
    "ex_partner": ("ex partner", "ex boyfriend", "ex girlfriend", "former partner",
                   "partner (ex)"),
    "parent": ("mother", "father", "parent"),
    "child": ("son", "daughter", "child"),
    "sibling": ("brother", "sister", "sibling"),
    "grandparent": ("grandmother", "grandfather", "grandparent"),
    "grandchild": ("grandson", "granddaughter", "grandchild"),
    "parent_in_law": ("mother in law", "father in law", "parent in law"),
    "child_in_law": ("son in law", "daughter in law", "child in law"),
    "sibling_in_law": ("brother in law", "sister in law", "sibling in law"),
    "step_parent": ("stepmother", "stepfather", "step parent"),
    "step_child": ("stepson", "stepdaughter", "step child"),
    "step_sibling": ("stepbrother", "stepsister", "step sibling"),
    "extended_family": ("aunt", "uncle", "cousin", "niece", "nephew", "other family",
                        "extended family", "other relative"),
    "acquaintance": ("friend", "acquaintance", "known to victim", "colleague"),
    "neighbour": ("neighbour", "neighbor"),
    "stranger": ("stranger", "not known to victim"),
    "other": ("other",),
    "unknown": ("unknown", "not known", "not stated"),
}
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "M": ("male", "man"), "F": ("female", "woman"),
    "U": ("unknown", "not known", "not stated", "unrecorded"),
}
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "victim": ("victim", "injured party", "aggrieved", "complainant"),
    "suspect": ("suspect", "offender", "accused", "perpetrator"),
}
CLASSIFICATION_WORDS: dict[str, tuple[str, ...]] = {
    "crime": ("crime", "notifiable", "crime recorded"),
    "non_crime": ("non crime", "non-crime", "incident", "crime related incident"),
}
RISK_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "standard": ("standard", "low"), "medium": ("medium",), "high": ("high",),
}
RISK_TOOL_WORDS: dict[str, tuple[str, ...]] = {
    "specss": ("specss", "spec ss", "specss plus"), "dash": ("dash", "dash 2009"),
    "other": ("other",),
}
CPS_DECISION_WORDS: dict[str, tuple[str, ...]] = {
    "charge": ("charge", "charged"), "no_further_action": ("no further action", "nfa"),
    "caution_advised": ("caution advised", "caution"), "other": ("other",),
}
CPS_OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "convicted": ("convicted", "guilty", "conviction"),
    "acquitted": ("acquitted", "not guilty"),
    "discontinued": ("discontinued", "dropped", "withdrawn"),
}
