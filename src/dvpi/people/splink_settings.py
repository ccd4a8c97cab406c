"""The Splink model of a person: comparisons, blocking rules, training rules.

Every comparison reads the derived columns made by :mod:`dvpi.people.prepare`
(canonical names, phonetic keys, ISO date of birth and its day-month swap, an
estimated birth year for age-only rows, a normalised postcode). The SQL here is
written to run on both DuckDB and Spark: plain comparisons, or Splink's own
dialect-aware levels (Jaro-Winkler, Damerau-Levenshtein, postcode parts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

# Column names of the linkage input, shared with the preparation step.
UNIQUE_ID = "unique_id"
MODEL_COLUMNS: tuple[str, ...] = (
    UNIQUE_ID, "report_id", "role", "nominal_id", "forenames_c", "forename1", "surname_c",
    "full_name", "forename1_ph", "surname_ph", "name_sorted", "dob", "dob_swap",
    "birth_year", "gender", "postcode",
)


def name_comparison() -> ComparisonCreator:
    """Forenames and surname together, so that a swapped order can be recognised."""
    both_missing = (
        "(forenames_c_l IS NULL AND surname_c_l IS NULL) "
        "OR (forenames_c_r IS NULL AND surname_c_r IS NULL)"
    )
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="forenames and surname (canonical transliteration)",
        comparison_levels=[
            cll.CustomLevel(both_missing, label_for_charts="a name missing").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("full_name").configure(
                tf_adjustment_column="full_name",
                label_for_charts="same full name",
            ),
            cll.CustomLevel(
                "name_sorted_l = name_sorted_r", label_for_charts="same words, order swapped"
            ),
            cll.CustomLevel(
                "forename1_l = forename1_r AND surname_c_l = surname_c_r",
                label_for_charts="same first forename and surname (other forenames differ)",
            ),
            cll.And(
                cll.JaroWinklerLevel("forename1", 0.92),
                cll.JaroWinklerLevel("surname_c", 0.92),
            ).configure(label_for_charts="both names similar (Jaro-Winkler >= 0.92)"),
            cll.Or(
                cll.And(
                    cll.ExactMatchLevel("forename1_ph"), cll.ExactMatchLevel("surname_ph")
                ),
                cll.And(
                    cll.JaroWinklerLevel("forename1", 0.85),
                    cll.JaroWinklerLevel("surname_c", 0.85),
                ),
            ).configure(label_for_charts="both names sound alike (NYSIIS) or JW >= 0.85"),
            cll.ExactMatchLevel("surname_c").configure(
                tf_adjustment_column="surname_c",
                label_for_charts="same surname, different forename",
            ),
            cll.CustomLevel(
                "forename1_l = forename1_r",
                label_for_charts="same forename, different surname",
            ),
            cll.ElseLevel(),
        ],
    )


def dob_comparison() -> ComparisonCreator:
    """Date of birth, tolerant of typing errors, day-month swaps and age-only rows."""
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth, or birth year estimated from age",
        comparison_levels=[
            cll.CustomLevel(
                "birth_year_l IS NULL OR birth_year_r IS NULL",
                label_for_charts="no date of birth or age",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("dob").configure(label_for_charts="same date of birth"),
            cll.CustomLevel(
                "dob_l = dob_swap_r", label_for_charts="day and month swapped"
            ),
            cll.DamerauLevenshteinLevel("dob", 1).configure(
                label_for_charts="one typing error in the date"
            ),
            cll.CustomLevel(
                "(dob_l IS NULL OR dob_r IS NULL) AND abs(birth_year_l - birth_year_r) <= 1",
                label_for_charts="age only: estimated birth year within 1",
            ),
            cll.ElseLevel(),
        ],
    )


def gender_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="gender",
        comparison_levels=[
            cll.NullLevel("gender"),
            cll.ExactMatchLevel("gender"),
            cll.ElseLevel(),
        ],
    )


def postcode_comparison() -> ComparisonCreator:
    return cl.PostcodeComparison("postcode")


def nominal_comparison() -> ComparisonCreator:
    """The recording system's id: strong evidence, but its m and u are learned, not
    assumed, because ids are sometimes shared by two people or split across one."""
    return cl.ExactMatch("nominal_id")


def comparisons() -> list[ComparisonCreator]:
    return [
        name_comparison(),
        dob_comparison(),
        gender_comparison(),
        postcode_comparison(),
        nominal_comparison(),
    ]


def prediction_blocking_rules() -> list[BlockingRuleCreator | str]:
    """Candidate pairs. Each true pair needs only one rule to find it; together the
    rules cover every single-field error the records show (a typo or variant in one
    name, a wrong date, a missing date, a swapped order, a new address)."""
    return [
        block_on("nominal_id"),
        block_on("surname_c", "dob"),
        block_on("forename1", "dob"),
        block_on("forename1", "surname_c", "birth_year"),
        block_on("name_sorted", "birth_year"),
        block_on("dob", "postcode"),
        block_on("forename1_ph", "surname_ph", "substr(dob, 1, 4)"),
        block_on("forename1_ph", "surname_ph", "postcode"),
        block_on("surname_ph", "birth_year", "postcode"),
        block_on("forename1", "postcode"),
        "l.forename1 = r.surname_c AND l.surname_c = r.forename1 "
        "AND l.birth_year = r.birth_year",
    ]


@dataclass(frozen=True)
class TrainingPlan:
    """How the model is trained on the loaded data (unsupervised)."""

    # Rules expected to admit almost no false matches, and their assumed recall.
    deterministic_rules: list = field(
        default_factory=lambda: [
            block_on("full_name", "dob"),
            block_on("nominal_id", "dob"),
        ]
    )
    deterministic_recall: float = 0.7
    u_max_pairs: float = 2e6
    # Each EM session blocks on some fields and estimates the others.
    em_rules: list = field(
        default_factory=lambda: [
            block_on("dob"),
            block_on("forename1", "surname_c"),
        ]
    )
    em_max_pairs: float = 2e6
    em_max_iterations: int = 30
    seed: int = 5


def settings_creator(extra_comparisons: list[ComparisonCreator] | None = None,
                     extra_blocking_rules: list | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=comparisons() + list(extra_comparisons or []),
        blocking_rules_to_generate_predictions=(
            prediction_blocking_rules() + list(extra_blocking_rules or [])
        ),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["report_id", "role"],
    )
