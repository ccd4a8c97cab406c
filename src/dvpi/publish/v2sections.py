"""The board report's sections of catalogue version 2, generated from the registry's
families (``dvpi.stats.sections``): justice outcomes, charging time and bail, risk
management, protective orders and disclosures, MARAC, victim satisfaction, perpetrator
programmes.

Each family is a section of the report like the 2008 report's own (its figures and
breakdowns go through the report's tables, after the same disclosure control); this
module adds what those tables do not show:

* a section whose every figure is unavailable says so once ("not available: marac_cases
  not loaded"), never a zero;
* the detail behind a figure: a median's n, a rate's 95% Wilson interval, a gap's two
  groups, a rate per key with each key's n;
* a funnel plot for each rate of a proportion across the boroughs, with the boroughs
  outside the 95% limits listed (a table of every borough for some twenty rates would
  bury the few that differ; the chart shows them all).
"""

from __future__ import annotations

from typing import Any

from dvpi.indicators import registry
from dvpi.publish import charts
from dvpi.stats import display as fmt
from dvpi.stats import funnel, sections

# Where the 2008 report covered each family ("In the 2008 report: ..."); a family added
# to the registry later reads "not covered" until it is given one.
SOURCES: dict[str, str] = {
    "justice": "paragraphs 28, 45 and 46 (then not measurable)",
    "charging_bail": "paragraph 89 (then not measurable)",
    "risk_management": "paragraphs 67 to 70 and 92",
    "protective": "not covered (the notices, orders and the disclosure scheme came later)",
    "marac": "paragraphs 81 and 93",
    "satisfaction": "paragraphs 45 and 46",
    "programmes": "paragraphs 76 to 78",
}
NOT_COVERED = "not covered"
OUTSIDE = ("above_95", "above_998", "below_95", "below_998")


def report_sections() -> list[dict[str, Any]]:
    """The fields of one report ``Section`` per version-2 family, in catalogue order."""
    return [{"key": f.id, "title": f.title, "source": SOURCES.get(f.id, NOT_COVERED),
             "families": (f.id,)} for f in sections.families()]


# The borough figures the report asks the engine for (and, for the public, protects).
BOROUGH_FIGURES: tuple[str, ...] = sections.all_funnel_ids()


def _funnel_block(ind_id: str, current: list[dict], year: str) -> dict[str, Any] | None:
    """One rate across the boroughs, or None when the force figure is not available or
    no borough can be compared."""
    ind = registry.get(ind_id)
    force = current[0]["indicators"].get(ind_id)
    if len(current) < 2 or not force or force.get("unavailable"):
        return None
    f = funnel.funnel(current, ind_id)
    if not f.points:  # no borough to compare (no cases, or every one suppressed)
        return None
    league = funnel.league_table(f)
    outside = [row | {"rate_text": fmt.percent(row["rate"]),
                      "fraction": f"{fmt.count(row['numerator'])} / "
                                  f"{fmt.count(row['denominator'])}"}
               for row in league if row["band"] in OUTSIDE]
    return {
        "id": ind_id, "title": ind.title, "force_rate": fmt.figure(ind, force),
        "chart": charts.funnel_chart(f, title=f"{ind.title}, {year}"),
        "outside": outside, "within": len(league) - len(outside), "omitted": f.omitted,
    }


def extras(this: dict, last: dict, current: list[dict], year: str) -> dict[str, dict]:
    """Per version-2 section (by key): its description, why it is not available (when
    none of its figures is), the details of its figures, and its funnel plots."""
    out = {}
    for fam in sections.families():
        why = sections.unavailable(fam.id, this["indicators"])
        rows = [] if why else sections.figure_rows(fam.id, this, last)
        # What the figures table does not show already (it gives a rate's fraction).
        details = [r for r in rows if not r["unavailable"] and (
            r["unit"] in ("median", "rates", "gap") or registry.get(r["id"]).interval)]
        funnels = [] if why else [b for b in (_funnel_block(i, current, year)
                                              for i in sections.funnel_ids(fam.id)) if b]
        out[fam.id] = {"description": fam.description, "unavailable": why,
                       "details": details, "funnels": funnels}
    return out
