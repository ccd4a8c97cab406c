"""How a value from the data goes into a spreadsheet: as text, never as a formula.

A borough, a report id, a note or a quarantined line is whatever the force's export held,
and a spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` for a formula
(``=HYPERLINK("http://evil.example", "B")``, ``=cmd|' /C calc'!A0``): formula (CSV)
injection. Every writer of a workbook or a CSV file uses this module:

- **Workbooks** (xlsxwriter) are opened with ``XLSX_OPTIONS`` (no string is turned into a
  formula, a link or a number) and write every data value with ``write_string``, which
  stores text that Excel never evaluates: the cell holds the exact text.
- **CSV files** have no cell types, so a text field a spreadsheet would take for a
  formula gets a leading ``'`` (``csv_cell``; the OWASP CSV-injection guidance). Numbers
  written as numbers (``-5``) are not text and pass unchanged.
- **Sheet names** have rules of their own (``sheet_name``).

It lives in ``contract`` (the bottom layer) because ``ingest`` writes the quarantine CSV
and may import nothing above ``warehouse``; the outputs above (``publish``, ``web``) use
the same rule from here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Excel, LibreOffice and Google Sheets start a formula at one of these.
TRIGGERS = frozenset("=+-@")
# A field that starts with one of these is taken for a formula too (OWASP, ASVS 1.2.10).
LEADING_CONTROLS = frozenset("\t\r\n\0")
QUOTE = "'"
# xlsxwriter: every string is text; write_string is used for data values besides.
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _blank(ch: str) -> bool:
    """A character a spreadsheet (or a CSV import that trims) may skip before a formula:
    white space (the ideographic space too) and invisible format characters (BOM, ZWSP)."""
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def is_formula_like(text: str) -> bool:
    """Could a spreadsheet read this text as a formula? True when it starts with a tab,
    CR, LF or NUL, or when its first character that is not blank is ``= + - @`` in any
    compatibility form (full-width ``＝``, small ``﹦``, ...: NFKC folds them)."""
    if not text:
        return False
    if text[0] in LEADING_CONTROLS:
        return True
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        folded = folded.lstrip("".join(c for c in folded if _blank(c)))
        if not folded or _blank(ch):
            continue
        return folded[0] in TRIGGERS
    return False


def csv_cell(value: Any) -> Any:
    """A value as a CSV field: text a spreadsheet would evaluate gets a leading ``'``
    (shown as text, the value visible after it); anything else, numbers included, is
    returned as it is."""
    if isinstance(value, str) and is_formula_like(value):
        return QUOTE + value
    return value


# --- sheet names ---------------------------------------------------------------------------

SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
RESERVED_SHEET_NAMES = frozenset({"history"})  # Excel keeps "History" for itself


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel sheet name for ``text``: without ``[ ] : * ? / \\`` or control
    characters, not starting or ending with ``'``, not blank, not "History", at most 31
    characters, and unique among ``taken`` (compared case-insensitively, as Excel does;
    the name returned is added to it)."""
    name = _NOT_IN_SHEET_NAMES.sub("_", text).strip().strip("'").strip() or "Sheet"
    if name.casefold() in RESERVED_SHEET_NAMES:
        name = f"{name} (data)"
    name = name[:SHEET_NAME_MAX].rstrip("'")
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        tail = f" ({n})"
        candidate = name[:SHEET_NAME_MAX - len(tail)].rstrip("'") + tail
    taken.add(candidate.casefold())
    return candidate
