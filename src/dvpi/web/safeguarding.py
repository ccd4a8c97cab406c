"""The dashboard's "Justice and safeguarding" pages: the sections of catalogue version 2
(``dvpi.stats.sections``: one per registry family), for the force and for each borough.

Every figure is the one the user may see (``Dashboard.result_for``: a partner gets the
published, disclosure-controlled figures, the same as every other page), with its
detail, the year before, the force beside a borough, and its target. A family whose
tables are not loaded says so, never 0. The rates compare across boroughs on the
Boroughs page (a funnel plot and league table per rate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dvpi.stats import sections
from dvpi.web import views
from dvpi.web.access import Rule, audience
from dvpi.web.pages import _aggregate_page, _name
from dvpi.web.params import Choice
from dvpi.web.users import User

if TYPE_CHECKING:
    from dvpi.web.dashboard import Dashboard
    from dvpi.web.data import Snapshot

router = APIRouter(include_in_schema=False)
TITLE = "Justice and safeguarding"


def safeguarding(dash: Dashboard, user: User, snap: Snapshot, choice: Choice,
                 borough: str | None) -> dict[str, Any]:
    """Every version-2 family of the scope: its rows, or why it is not available."""
    current = dash.result_for(user, snap, choice.start, choice.end, borough,
                              choice.definition)
    before = dash.result_for(user, snap, *choice.year_before, borough, choice.definition)
    # A borough is set beside its own force (several forces: not beside the nation).
    home = snap.force_of(borough) if borough else None
    force = (dash.result_for(user, snap, choice.start, choice.end, home, choice.definition)
             if borough else None)
    blocks = []
    for fam in sections.families():
        why = sections.unavailable(fam.id, current.get("indicators", {}))
        blocks.append({
            "id": fam.id, "title": fam.title, "description": fam.description,
            "unavailable": why,
            "rows": [] if why else sections.figure_rows(fam.id, current, before, force),
        })
    return {"sections": blocks, "title": TITLE, "year_before": choice.year_before,
            "public": audience(user) == "public",
            "compared_with": views.compared_with(force)}


@router.get("/safeguarding")
def force_page(request: Request) -> Response:
    return _aggregate_page(request, Rule.FORCE_AGGREGATES, safeguarding, "safeguarding.html")


@router.get("/boroughs/{borough}/safeguarding")
def borough_page(request: Request, borough: str) -> Response:
    return _aggregate_page(request, Rule.BOROUGH_AGGREGATES, safeguarding,
                           "safeguarding.html", _name(borough))
