"""Name handling for the linked person-resolution method."""

from __future__ import annotations

import pytest

from dvpi.people import names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  o'Brien-SMITH ", "OBRIEN SMITH"),
        ("Zoë", "ZOE"),
        ("Łukasz", "LUKASZ"),
        ("José  María", "JOSE MARIA"),
        ("---", None),
        (None, None),
    ],
)
def test_normalise(raw, expected):
    assert names.normalise(raw) == expected


@pytest.mark.parametrize(
    "variants",
    [
        ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "MD"),
        ("Begum", "Bibi"),
        ("Ahmed", "Ahmad"),
        ("Hussain", "Hussein", "Husain", "Hossain"),
        ("Aleksander", "Alexander", "Oleksandr"),
        ("Chowdhury", "Choudhury", "Chaudhry"),
        ("Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "Abdel Rehman"),
        ("Oluwaseun", "Seun"),
        ("Uddin", "Ud-Din", "Udin"),
        ("Khatun", "Khatoon"),
        ("Ahmed", "Ahmet"),
    ],
)
def test_transliteration_variants_share_one_canonical_form(variants):
    forms = {names.canonical(v) for v in variants}
    assert len(forms) == 1, forms


def test_different_names_stay_different():
    assert names.canonical("John") != names.canonical("Jack")
    assert names.canonical("Hassan") != names.canonical("Hussain")
    assert names.canonical("Ali") != names.canonical("Alison")


def test_variant_groups_are_disjoint_and_upper_case():
    seen: dict[str, str] = {}
    for group in names.VARIANT_GROUPS:
        for spelling in group:
            assert spelling == spelling.upper() and spelling.isalpha(), spelling
            assert seen.setdefault(spelling, group[0]) == group[0], spelling


def test_swapped_order_gives_the_same_sorted_tokens():
    a = names.name_features("Imran", "Khan")
    b = names.name_features("Khan", "Imran")
    assert a["name_sorted"] == b["name_sorted"] == "IMRAN KHAN"
    assert a["forename1"] == b["surname_c"]


def test_phonetic_key_catches_unlisted_spellings():
    assert names.phonetic(names.canonical("Stephenson")) == names.phonetic(
        names.canonical("Stevenson"))
    assert names.phonetic(None) is None


def test_first_forename_of_a_multi_word_forename():
    features = names.name_features("mohammed abdul karim", "Miah")
    assert features["forenames_c"] == "MUHAMMAD ABDULKARIM"
    assert features["forename1"] == "MUHAMMAD"
    assert features["surname_c"] == "MIAH"


def test_nickname_groups_are_disjoint_and_give_one_root():
    seen: dict[str, str] = {}
    for group in names.NICKNAME_GROUPS:
        for spelling in group:
            assert spelling == spelling.upper() and spelling.isalpha(), spelling
            assert seen.setdefault(spelling, group[0]) == group[0], spelling
    assert names.nickname_root("BILL") == names.nickname_root("WILLIAM") == "WILLIAM"
    assert names.nickname_root("LIZ") == "ELIZABETH"
    assert names.nickname_root("ZED") == "ZED"
    # nicknames never change the canonical name
    assert names.canonical("Bill") == "BILL"
