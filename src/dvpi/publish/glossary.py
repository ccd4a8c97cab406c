"""The reader's glossary: every term a publication uses, from the one place that defines it.

Generated, never written by hand: the indicator families and their descriptions from the
registry, the domestic-violence definitions from ``indicators.definitions``, and the
statistical terms from the :mod:`dvpi.stats` modules that implement them.
"""

from __future__ import annotations

from dvpi.indicators import coverage, registry
from dvpi.indicators.definitions import DEFINITIONS
from dvpi.stats import disclosure, funnel, significance
from dvpi.stats.display import percent_label
from dvpi.stats.equality import CI_LEVEL
from dvpi.stats.findings import TESTS_NOTE


def _statistical_terms() -> list[tuple[str, str]]:
    levels = " and ".join(percent_label(lv) for lv in funnel.LEVELS)
    return [
        ("Statistically significant",
         f"A change unlikely to be chance alone at the {percent_label(significance.LEVEL)} "
         "level. "
         + TESTS_NOTE),
        ("No significant change",
         "The test does not rule out chance: the two figures may differ only by the "
         "year-to-year wobble of small numbers."),
        ("Funnel plot",
         f"Each borough's rate against its number of cases, with control limits at {levels} "
         "around the force rate; they narrow as the number of cases grows. A borough "
         "outside the limits differs from the force by more than chance."),
        ("Relative rate index (RRI)",
         "A group's rate per 1,000 residents over the reference group's; 1 means the same "
         f"rate. Shown with its {percent_label(CI_LEVEL)} interval."),
        ("[c]", disclosure.NOTE.format(threshold=disclosure.DEFAULT_THRESHOLD)),
        ("Not available",
         "A figure that is not shown as a number: its source table was not supplied, or its "
         "inputs are incomplete for the period (the note beside it says why)."),
        ("Look-back",
         "Rows dated before the period that a rule reads: "
         + "; ".join(sorted({f"{lb.rule}" for lb in coverage.LOOKBACKS.values()})) + "."),
    ]


def entries() -> list[dict[str, str]]:
    """Every term, alphabetically: ``{"term", "meaning"}``."""
    terms = [(fam.title, fam.description) for fam in registry.FAMILIES if fam.description]
    terms += [(f"Domestic violence definition: {d.label}", f"{d.title}: {d.description}.")
              for d in DEFINITIONS.values()]
    terms += _statistical_terms()
    return [{"term": t, "meaning": m} for t, m in sorted(terms, key=lambda x: x[0].lower())]
