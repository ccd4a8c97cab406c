"""docs/methodology.md, written from the registry.

Every indicator's definition comes from its declaration; the hand-written "Readings"
section (between the markers below) is kept as it stands in the file. Regenerate with
``python -m dvpi.indicators.methodology`` (``--check`` exits 1 when the file is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dvpi import generated
from dvpi.contract import codes
from dvpi.indicators import coverage, registry, worklists
from dvpi.indicators.definitions import DEFINITIONS
from dvpi.indicators.model import SCALES, Indicator, describe
from dvpi.indicators.periods import LOOKBACK_MONTHS
from dvpi.indicators.summaries import Z95

DOC = Path(__file__).resolve().parents[3] / "docs" / "methodology.md"
READINGS_START = "<!-- readings: hand-written, kept by the generator -->"
READINGS_END = "<!-- end of readings -->"
DEFAULT_READINGS = """## Readings

Where the catalogue leaves a choice, these are the readings dvpi implements.

(Write them here: the generator keeps this section as it is.)
"""

UNIT_WORDS = {
    "count": "count",
    "rate": "rate (a fraction, `numerator / denominator`, null when the denominator is 0)",
    "per_100": "per 100 (`100 × numerator / denominator`)",
    "per_1000": "per 1,000 (`1000 × numerator / denominator`)",
    "per_10000": "per 10,000 (`10000 × numerator / denominator`)",
    "breakdown": "breakdown (`values` by key, zeros kept, and `total`)",
    "median": "median of whole days (`value`, exact: the mean of the two middle values "
              "when their number is even, null when there is none; and `n`, the number "
              "of values)",
    "rates": "a rate per key (`values`: each key's `numerator / denominator`, null when "
             "its denominator is 0; `n`: each key's denominator)",
    "gap": "gap (`value`: the first group's rate minus the second's, null when either "
           "group is empty; and each group's rate and n)",
}


def _formula(ind: Indicator) -> list[str]:
    lines = []
    for name, part in ind.parts().items():
        if not callable(part):
            lines.append(f"  - {name}: {describe(part)}")
    return lines


def _indicator(ind: Indicator) -> list[str]:
    lines = [f"#### `{ind.id}` — {ind.title}", "", ind.definition, ""]
    lines.append(f"- unit: {UNIT_WORDS[ind.unit]}")
    if ind.keys:
        lines.append(f"- keys: {', '.join(f'`{k}`' for k in ind.keys)}")
    lines.append(f"- needs: {', '.join(f'`{t}`' for t in ind.needs)} "
                 "(reported as unavailable, never 0, when one is not loaded)")
    if ind.interval:
        lines.append("- adds `ci95`: the 95% Wilson score interval of the rate (see the "
                     "common rules)")
    if ind.version > 1:
        lines.append(f"- catalogue version {ind.version}")
    if ind.person_based:
        lines.append("- distinct persons: counted by `person_key` of the person-resolution "
                     "method asked for (`--people`); the output names it in `method`")
    formula = _formula(ind)
    if formula:
        lines.append("- computed from other indicators:")
        lines.extend(formula)
    if ind.rules:
        lines.append(f"- precise rules: {', '.join(ind.rules)}")
    return [*lines, ""]


def _readings(existing: str | None) -> str:
    if existing and READINGS_START in existing and READINGS_END in existing:
        return existing.split(READINGS_START, 1)[1].split(READINGS_END, 1)[0].strip("\n")
    return DEFAULT_READINGS.strip("\n")


def render(existing: str | None = None) -> str:
    out = [
        "# Methodology: the indicator catalogue",
        "",
        "<!-- Generated from src/dvpi/indicators (registry and families) by "
        "`python -m dvpi.indicators.methodology`; edit the declarations, not this file "
        "(except the Readings section). -->",
        "",
        f"{len(registry.INDICATORS)} indicators in {len(registry.FAMILIES)} families, in "
        "catalogue order (the order of the JSON output). The normative text is "
        "indicators.md and its precise rules; this document is what dvpi implements.",
        "",
        "## Common rules",
        "",
        "- A report belongs to a period by `recorded_date` (start and end inclusive); "
        "outcomes, referrals, prosecutions, reviews and calls by their own dates.",
        "- Scope: the force, or one borough (matched case-insensitively after trimming); "
        "CPS cases and calls by their own borough, reviews by the reviewed report's. In a "
        "data set of several forces (a `force` column): the nation (every row, scope "
        "`national`), one force (its name), or one borough of one force (`FORCE / BOROUGH`: "
        "a borough is identified by force and borough); a row without a borough takes the "
        "force of the report it points at. Populations, targets and disclosure control are "
        "the scope's; every indicator is defined in each scope as for a force.",
        "- Age: whole years from the date of birth to the occurred date (else the recorded "
        "date), rising on the birthday itself; without a date of birth the `age` column.",
        f"- Repeat-victim look-back: from {LOOKBACK_MONTHS} calendar months before the period "
        "start to its end.",
        f"- Scales: {', '.join(f'{u} × {s}' for u, s in SCALES.items())}.",
        "",
        "### Version 2",
        "",
        "- Days are whole days between two dates (`end - start`); a row whose needed "
        "dates are blank is left out of both numerator and denominator (precise rule 31).",
        "- A median is taken exactly, in Python, from how many rows took each whole number "
        "of days (counted in the engine): the same on every engine.",
        f"- A share over N days counts durations strictly greater than N; 8 weeks is "
        f"{codes.EIGHT_WEEKS_DAYS} days.",
        f"- The Wilson score interval at 95% (z = {Z95:.6f}): with p = x / n, centre "
        "`(p + z²/2n) / (1 + z²/n)`, half-width `z √(p(1-p)/n + z²/4n²) / (1 + z²/n)`, "
        "clipped to [0, 1]; null when n is 0.",
        "- Rows scoped through a `people` row (bail, support referrals, surveys, programme "
        "requirements) take that row's report's borough and count only when the report is "
        "DV-flagged, whatever its recorded date (precise rule 33); protective orders, "
        "disclosures, MARAC and CPS cases are scoped by their own borough.",
        "- A version-2 indicator whose table is missing is unavailable naming the first "
        "missing table in the order its definition names them (precise rule 32); a column "
        "added in version 2 that a loaded table lacks reads as blank (`stage` primary, "
        "`plan_recorded` false).",
        "",
        "### Definitions of a qualifying pair",
        "",
    ]
    for d in DEFINITIONS.values():
        dates = (f" In force for DV flags from {d.in_force_from}." if d.in_force_from else "")
        dates += (f" In force for DV flags until {d.in_force_until}." if d.in_force_until
                  else "")
        out.append(f"- `{d.id}` ({d.title}): {d.description}.{dates}")
    out.append("")
    out += coverage.describe()
    for fam in registry.FAMILIES:
        out += [f"## {fam.title}", "", fam.description, ""]
        for ind in registry.in_family(fam.id):
            out += _indicator(ind)
    out += worklists.methodology_lines()
    out += [READINGS_START, _readings(existing), READINGS_END, ""]
    return "\n".join(out)


def write(path: Path = DOC) -> bool:
    """Regenerate the file; True when it changed."""
    return generated.write(path, render)


def is_current(path: Path = DOC) -> bool:
    return generated.is_current(path, render)


if __name__ == "__main__":
    raise SystemExit(generated.main(sys.argv[1:], DOC, render, "dvpi.indicators.methodology"))
