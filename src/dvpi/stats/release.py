"""What a protected audience is given: one protected table set per financial year.

The rule a statistician defending official statistics applies (ONS/GSS disclosure
guidance: one protected table set per release; consistent suppression across linked
tables): every figure published outside the force for a year comes from a single
disclosure control of that year, computed once from the union of everything any output
publishes for it, and every output (the public board report, the partners' dashboard
and API) reads that one result. Two outputs of the same year can then never be set
against each other: a cell suppressed in one is suppressed in all, and the protection
already took every identity between them into account.

The published grid:

* **Financial years only.** They do not overlap, so no published period can be
  subtracted from another. Quarters, months and weeks are not on it: each lies inside a
  year, and the year less its parts gives the rest (docs/security.md).
* **One definition** (the default): the wider ``da2021`` contains every ``acpo2004``
  pair, so publishing both would publish their difference, which nobody protected.
* **No figure of another period** (``dv_gbh_with_intent_previous`` and what is made from
  it): it would tie a year to the year before, which has its own protected set.

The weekly packs are not on the grid at all: they go to the force and the borough's own
officers only (``publish.audience``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from dvpi.indicators.context import FORCE as WHOLE
from dvpi.indicators.context import is_force_key
from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.indicators.periods import financial_year
from dvpi.stats import disclosure

# The report's arrest stage (publish.inputs.arrests_by): arrested suspects by group, a
# split of the numerator of dv_crime_arrests_per_100. Published beside the engine's
# figures, so part of the year's table set.
ARRESTS_PREFIX = "arrested_suspects_by_"
ARRESTS_OF = ("dv_crime_arrests_per_100", "numerator")

PUBLISHED_DEFINITION = DEFAULT_DEFINITION
PUBLISHED_PERIODS = (
    "Figures for this audience are published for whole financial years only "
    "(year=2007-08, or start=2007-04-01&end=2008-03-31), under the "
    f"{PUBLISHED_DEFINITION} definition only: other periods or definitions would overlap "
    "them, and the difference would give away figures that are suppressed."
)


def is_published(start: dt.date, end: dt.date, definition: str = DEFAULT_DEFINITION) -> bool:
    """Whether ``start``-``end`` under ``definition`` is on the published grid: a
    financial year, under the published definition."""
    first = start.year if start.month >= 4 else start.year - 1
    return (definition == PUBLISHED_DEFINITION
            and (start, end) == financial_year(f"{first}-{(first + 1) % 100:02d}"))


def year_tables(results: Sequence[dict],
                arrests: Mapping[str, Mapping[str, int]] | None = None) -> list[dict]:
    """The table set of one year as published: the force (with the arrest stage, by
    dimension) then every borough, over every indicator, without the figures of another
    period."""
    tables = [disclosure.withhold_other_periods(r) for r in results]
    if tables and arrests:
        force = tables[0]
        for dimension, values in arrests.items():
            force["indicators"][ARRESTS_PREFIX + dimension] = {
                "values": dict(values), "total": sum(values.values())}
    return tables


def protect_year(results: Sequence[dict],
                 arrests: Mapping[str, Mapping[str, int]] | None = None,
                 threshold: int = disclosure.DEFAULT_THRESHOLD, *,
                 sums: Sequence[tuple[int, Sequence[int]]] | None = None,
                 ) -> disclosure.Protection:
    """The one disclosure control of a year: ``results`` are the engine's figures of the
    year, the force first and then every borough, over every indicator (the union of
    what any output publishes); ``arrests`` the report's arrest stage of the force.
    ``sums`` (by position) replaces "the first is the sum of the others" where the
    results nest: the nation, its forces and their boroughs (the national bulletin).

    Deterministic: the same figures give the same protected set, so the report and the
    dashboard, each computing it, publish the same cells and suppress the same ones."""
    tables = year_tables(results, arrests)
    links = [((0, ARRESTS_PREFIX + d, "total"), (0, *ARRESTS_OF)) for d in arrests or ()]
    if sums is None:
        sums = [(0, range(1, len(tables)))] if len(tables) > 1 else []
    return disclosure.protect(tables, threshold, sums=sums, links=links)


def scope_sums(keys: Sequence[str]) -> list[tuple[int, list[int]]]:
    """The identities between a year's scopes (the engine's scope keys, whole data set
    first, as ``scopes_for(by="every")`` gives them), by position: the whole is the sum
    of its forces and each force of its boroughs; one force: the whole of its boroughs.
    Every output of a year protects with these, so the set is one set."""
    forces = [i for i, k in enumerate(keys) if i and is_force_key(k)]
    boroughs = [i for i, k in enumerate(keys) if i and not is_force_key(k)]
    if not forces:
        return [(0, boroughs)] if boroughs else []
    sums = [(0, forces)]
    for f in forces:
        prefix = keys[f][: -len(WHOLE)]  # "force<SEP>"
        members = [b for b in boroughs if keys[b].startswith(prefix)]
        if members:
            sums.append((f, members))
    return sums


def engine_figures(result: dict) -> dict:
    """A protected result with only the engine's figures (the arrest stage is the
    report's: the dashboard and API serve exactly the engine's objects)."""
    return {**result, "indicators": {k: v for k, v in result["indicators"].items()
                                     if not k.startswith(ARRESTS_PREFIX)}}
