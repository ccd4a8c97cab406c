"""Derivations a mapping file may declare, as SQL over a file's text columns.

A full name in one column (``SMITH, John``) read as ``surname`` and ``forenames``. The
readings are documented in docs/data-format.md ("Deriving columns"); ``split_name`` is
the same reading in Python, for the tests and for ``dvpi mapping draft``.

Two forms:

- ``SURNAME, Forenames``: the surname is what comes before the comma, the forenames
  what comes after it, each trimmed. No comma: one word is a surname alone; several
  words cannot be told apart (quarantined). Two commas or more, or nothing before the
  comma: quarantined. Nothing after the comma: a surname alone.
- ``Forenames SURNAME``: the surname is the last words written in capitals (no
  lower-case letter), the forenames the words before them. One word is a surname
  alone; several words with no capitals at the end, or all in capitals, cannot be told
  apart (quarantined).

A blank full name gives a blank surname and blank forenames.
"""

from __future__ import annotations

import re
import unicodedata

from dvpi.ingest.sources import sql_str

NAME_FORMS = ("SURNAME, Forenames", "Forenames SURNAME")

# A word with no lower-case letter and at least one letter (RE2 and Python alike).
_CAPS_WORD = r"[^\s\p{Ll}]*\p{Lu}[^\s\p{Ll}]*"
# The forenames (group 1), then the longest run of whole words in capitals (group 2).
_CAPS_TAIL = rf"^(?:(.*?)\s+)??({_CAPS_WORD}(?:\s+{_CAPS_WORD})*)$"
_SPACES = re.compile(r"[ \t\n\f\r]+")  # RE2's \s


def _capitals(word: str) -> bool:
    """No lower-case letter, and a capital one (as RE2's \\p{Ll} and \\p{Lu})."""
    kinds = {unicodedata.category(ch) for ch in word}
    return "Lu" in kinds and "Ll" not in kinds


_NO_CAPITALS = ("its surname (the last words, in capitals, of Forenames SURNAME) cannot "
                "be told from its forenames")
_NO_COMMA = ("it has several words and no comma: its surname cannot be told from its "
             "forenames (SURNAME, Forenames)")
_NO_SURNAME = "nothing comes before the comma (no surname)"


class NameProblem(ValueError):
    """Why a full name cannot be split (the reason's text)."""


def split_name(value: str | None, form: str) -> tuple[str | None, str | None]:
    """(surname, forenames) of a full name written in ``form``; blank parts are None.
    NameProblem when it cannot be split. Mirrors ``split_name_sql``."""
    text = (value or "").strip()
    if not text:
        return None, None
    if form == "SURNAME, Forenames":
        commas = text.count(",")
        if commas > 1:
            raise NameProblem(f"it has {commas} commas ({form} has one)")
        if commas == 0:
            if len(_SPACES.split(text)) > 1:
                raise NameProblem(_NO_COMMA)
            return text, None
        surname, forenames = (part.strip() for part in text.split(","))
        if not surname:
            raise NameProblem(_NO_SURNAME)
        return surname, forenames or None
    words = _SPACES.split(text)
    if len(words) == 1:
        return text, None
    tail: list[str] = []
    for word in reversed(words):
        if not _capitals(word):
            break
        tail.insert(0, word)
    if not tail or len(tail) == len(words):
        raise NameProblem(_NO_CAPITALS)
    return " ".join(tail), " ".join(words[: len(words) - len(tail)])


def split_name_sql(raw: str, form: str) -> tuple[str, str, str]:
    """(surname, forenames, problem): SQL expressions over ``raw`` (a cleaned cell:
    trimmed, NULL when blank). ``problem`` is NULL, or the reason's text after the
    value (as ``split_name``'s NameProblem)."""
    v = raw
    words = f"len(regexp_split_to_array({v}, '\\s+'))"
    if form == "SURNAME, Forenames":
        commas = f"(length({v}) - length(replace({v}, ',', '')))"
        before = f"trim(split_part({v}, ',', 1))"
        after = f"NULLIF(trim(split_part({v}, ',', 2)), '')"
        problem = (
            f"CASE WHEN {commas} > 1 THEN 'it has ' || {commas} || ' commas ({form} has one)' "
            f"WHEN {commas} = 0 AND {words} > 1 THEN "
            f"{sql_str(_NO_COMMA)} "
            f"WHEN {commas} = 1 AND {before} = '' THEN "
            f"{sql_str(_NO_SURNAME)} END"
        )
        surname = f"CASE WHEN {commas} = 0 AND {words} = 1 THEN {v} WHEN {commas} = 1 THEN " \
                  f"NULLIF({before}, '') END"
        forenames = f"CASE WHEN {commas} = 1 AND {before} <> '' THEN {after} END"
        return surname, forenames, f"CASE WHEN {v} IS NOT NULL THEN {problem} END"
    if form != "Forenames SURNAME":  # pragma: no cover - the mapping checks the form
        raise ValueError(form)
    tail = f"regexp_extract({v}, {sql_str(_CAPS_TAIL)}, 2)"
    head = f"regexp_extract({v}, {sql_str(_CAPS_TAIL)}, 1)"
    splits = f"({tail} <> '' AND {head} <> '')"
    problem = (f"CASE WHEN {v} IS NOT NULL AND {words} > 1 AND NOT {splits} THEN "
               f"{sql_str(_NO_CAPITALS)} END")
    surname = f"CASE WHEN {words} = 1 THEN {v} WHEN {splits} THEN {tail} END"
    forenames = f"CASE WHEN {words} > 1 AND {splits} THEN {head} END"
    return surname, forenames, problem
