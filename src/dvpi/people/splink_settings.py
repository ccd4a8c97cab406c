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
from splink import ColumnExpression, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

# Column names of the linkage input, shared with the preparation step.
UNIQUE_ID = "unique_id"
MODEL_COLUMNS: tuple[str, ...] = (
    UNIQUE_ID, "report_id", "role", "nominal_id", "forenames_c", "forename1",
    "forename1_nick", "surname_c", "surname1", "surname_last", "full_name",
    "forename1_ph", "surname_ph", "name_sorted", "name_first", "name_last", "dob", "dob_swap",
    "birth_year", "gender", "postcode", "postcode_part", "postcode_chars",
)

# Surnames share a word: a double-barrelled or hyphenated surname against one of its
# halves (SMITH JONES / JONES), or its halves in the other order.
_SURNAME_WORD = (
    "(surname1_l = surname1_r OR surname_last_l = surname_last_r "
    "OR surname1_l = surname_last_r OR surname_last_l = surname1_r)"
)
# Both rows have a forename and a surname: only then do sorted name words say more
# than one name part does (a lone SARAH against a lone SARAH is one forename).
_BOTH_NAMES = (
    "(full_name_l IS NOT NULL AND full_name_r IS NOT NULL)"
)
# One first forename is an initial, and it is the other's first letter.
_INITIAL = (
    "((length(forename1_l) = 1 OR length(forename1_r) = 1) "
    "AND substr(forename1_l, 1, 1) = substr(forename1_r, 1, 1))"
)


def _sorted_words_similar(threshold: float) -> cll.ComparisonLevelCreator:
    """Both rows' name words, sorted (so a swapped order does not matter), agree word
    by word: the first sorted words are similar and so are the last. Not a similarity
    of the whole sorted string: that rewards one shared word, because Jaro-Winkler
    weighs a common prefix (KRZYSZTOF WILSON against KRZYSZTOF WOZNIAK, or BENNETT DEAN
    against BENNETT KEVIN, scored >= 0.92 as one string)."""
    return cll.And(
        cll.CustomLevel(_BOTH_NAMES),
        cll.JaroWinklerLevel("name_first", threshold),
        cll.JaroWinklerLevel("name_last", threshold),
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
                f"name_sorted_l = name_sorted_r AND {_BOTH_NAMES}",
                label_for_charts="same words, order swapped",
            ),
            cll.CustomLevel(
                "forename1_l = forename1_r AND surname_c_l = surname_c_r",
                label_for_charts="same first forename and surname (other forenames differ)",
            ),
            cll.CustomLevel(
                f"forename1_l = forename1_r AND {_SURNAME_WORD}",
                label_for_charts="same first forename, surnames share a word "
                                 "(double-barrelled, hyphenated)",
            ),
            cll.And(
                cll.JaroWinklerLevel("forename1", 0.92),
                cll.JaroWinklerLevel("surname_c", 0.92),
            ).configure(label_for_charts="both names similar (Jaro-Winkler >= 0.92)"),
            _sorted_words_similar(0.92).configure(
                label_for_charts="first and last of the sorted name words each similar "
                                 "(JW >= 0.92): typing errors in a swapped name"
            ),
            cll.CustomLevel(
                f"forename1_nick_l = forename1_nick_r AND {_SURNAME_WORD}",
                label_for_charts="nickname or short form of the same forename, same surname",
            ),
            cll.CustomLevel(
                f"{_INITIAL} AND {_SURNAME_WORD}",
                label_for_charts="an initial for the forename, same surname",
            ),
            cll.Or(
                cll.And(
                    cll.ExactMatchLevel("forename1_ph"), cll.ExactMatchLevel("surname_ph")
                ),
                cll.And(
                    cll.JaroWinklerLevel("forename1", 0.85),
                    cll.JaroWinklerLevel("surname_c", 0.85),
                ),
            ).configure(label_for_charts="both names sound alike (NYSIIS) or JW >= 0.85"),
            _sorted_words_similar(0.85).configure(
                label_for_charts="first and last of the sorted name words each roughly "
                                 "similar (JW >= 0.85)"
            ),
            cll.ExactMatchLevel("surname_c").configure(
                tf_adjustment_column="surname_c",
                label_for_charts="same surname, different forename",
            ),
            cll.JaroWinklerLevel("surname_c", 0.88).configure(
                label_for_charts="similar surname (JW >= 0.88), different forename"),
            cll.CustomLevel(
                "forename1_l = forename1_r",
                label_for_charts="same forename, different surname",
            ).configure(tf_adjustment_column="forename1"),
            cll.JaroWinklerLevel("forename1", 0.88).configure(
                label_for_charts="similar forename (JW >= 0.88), different surname"),
            cll.ElseLevel(),
        ],
    )


def _dob_parts() -> dict[str, ColumnExpression]:
    dob = ColumnExpression("dob")
    return {"year": dob.substr(1, 4), "month": dob.substr(6, 2), "day": dob.substr(9, 2)}


def dob_comparison() -> ComparisonCreator:
    """Date of birth, tolerant of typing errors, day-month swaps and age-only rows.

    The ISO date is compared part by part (year, month, day): a single-digit slip or
    two digits transposed change one part, so "two parts equal and the third within
    one edit" finds them without an edit distance over every pair's whole date (the
    costliest SQL in the model when it was written that way).
    """
    parts = _dob_parts()
    names = list(parts)

    def others_equal(odd: str) -> list[cll.ComparisonLevelCreator]:
        return [cll.ExactMatchLevel(parts[n]) for n in names if n != odd]

    one_slip = cll.Or(*[
        cll.And(*others_equal(odd), cll.DamerauLevenshteinLevel(parts[odd], 1))
        for odd in names
    ])
    two_parts = cll.Or(*[cll.And(*others_equal(odd)) for odd in names])
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
            one_slip.configure(
                label_for_charts="one typing error in the date (a slip or transposition "
                                 "in one of year, month, day)"),
            two_parts.configure(
                label_for_charts="two of year, month and day the same, the third not"),
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
    """Postcode: the same; the same characters transposed; one slip in the last two
    characters; the same but for the last two (the UK sector); then the same district
    or area (a move nearby, UK format). Exact matches on derived columns, and an edit
    distance only where the leading part already agrees, so cheap on every pair."""
    col = ColumnExpression("postcode")

    def part(regex: str) -> ColumnExpression:
        # No match (a postcode not in UK format) is no evidence, not a shared part.
        return col.regex_extract(regex).nullif("")

    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="postcode, tolerant of typing errors and nearby moves",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode").configure(
                tf_adjustment_column="postcode", label_for_charts="same postcode"),
            cll.ExactMatchLevel("postcode_chars").configure(
                label_for_charts="the same characters in another order (transposed)"),
            # The edit distance is computed only where the leading part agrees.
            cll.And(
                cll.ExactMatchLevel("postcode_part"),
                cll.DamerauLevenshteinLevel("postcode", 1),
            ).configure(label_for_charts="one slip in the last two characters"),
            cll.ExactMatchLevel("postcode_part").configure(
                label_for_charts="the same but for the last two characters "
                                 "(the UK sector: next door, or a nearby move)"),
            cll.ExactMatchLevel(part(cl.PostcodeComparison.DISTRICT_REGEX)).configure(
                label_for_charts="same district"),
            cll.ExactMatchLevel(part(cl.PostcodeComparison.AREA_REGEX)).configure(
                label_for_charts="same area"),
            cll.ElseLevel(),
        ],
    )


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
        # Errors in two fields at once: a postcode with a typing error (its sorted
        # characters survive a transposition; its sector/leading part survives a slip
        # in the last characters) with a name error, a swap or a wrong date of birth.
        block_on("substr(name_sorted, 1, 3)", "postcode_chars"),
        block_on("dob", "postcode_part"),
        block_on("name_last", "postcode_part"),
        block_on("surname_ph", "postcode_chars"),
        block_on("substr(name_sorted, 1, 2)", "dob"),
        block_on("substr(dob, 6, 5)", "postcode_chars"),
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
            block_on("postcode"),
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
        # Predictions hold every compared pair (the join weighs those below the review
        # floor too): only ids, weights and probabilities, not every column and
        # intermediate value of millions of pairs. `people explain` asks for the
        # intermediate values of its one pair.
        **LEAN_PREDICTIONS,
    )


# Splink settings that keep a prediction to ids, match weight and probability.
LEAN_PREDICTIONS = {
    "retain_intermediate_calculation_columns": False,
    "retain_matching_columns": False,
    "additional_columns_to_retain": [],
}
