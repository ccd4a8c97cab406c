"""The version-2 worked example (tests/data/example_v2), with a few rows added for the
worklists that protect people, loaded into a warehouse; and the version-1 example beside
it (no version-2 table).

Added to the example (so that every list has rows, and one value a spreadsheet would run
as a formula reaches a CSV export):

- R14 (Tower Hamlets, 2007-07-07, DV-flagged; victim P29: Victim Support, no IDVA, no
  MARAC case) and R10 (Tower Hamlets; victim P19) assessed high risk; P19 referred to an
  IDVA. So P29 is a high-risk victim with no MARAC case and no IDVA, P19 is not.
- D12 (Tower Hamlets, received 2007-06-01, no decision) whose request id starts with "@".
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine_helpers import load_resolved

DATA = Path(__file__).parent / "data"
EXAMPLE_V1 = DATA / "example"
EXAMPLE_V2 = DATA / "example_v2"
FORMULA_ID = "@SUM(1+1)"
ADDED = {
    "risk_assessments.csv": ["R14,2007-07-08,dash,high,,true,primary,true",
                             "R10,2007-08-09,dash,high,,true,primary,false"],
    "support_referrals.csv": ["S14,P19,idva,2007-08-10,true"],
    "disclosures.csv": [f"{FORMULA_ID},Tower Hamlets,right_to_ask,2007-06-01,,"],
}


def v2_folder(target: Path) -> Path:
    """A copy of the v2 example with the rows above added."""
    shutil.copytree(EXAMPLE_V2, target)
    for name, lines in ADDED.items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            text += "\n"
        path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return target


def warehouse(folder: Path, target: Path) -> Path:
    """``folder`` loaded at ``target``, both person resolutions stored (as `dvpi people
    resolve` would), so nothing writes to it afterwards."""
    return load_resolved(folder, target)


def v2_warehouse(tmp: Path) -> Path:
    return warehouse(v2_folder(tmp / "example_v2"), tmp / "example_v2.duckdb")
