"""The JSON API: exactly the objects of ``dvpi indicators --json``, under the same rules.

Authenticate with ``Authorization: Bearer <token>`` (``dvpi users token USER``); a
logged-in browser session works too. A partner receives the disclosure-controlled
object (suppressed cells ``null`` and listed under ``"suppressed"``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from dvpi.indicators.definitions import DEFINITIONS
from dvpi.web import audit as events
from dvpi.web.access import Rule, allowed, audience, force_filter, protected
from dvpi.web.dashboard import dashboard_of
from dvpi.web.params import choose, published_only

router = APIRouter(prefix="/api", tags=["indicators"])

Number = int | float | None


class Period(BaseModel):
    start: str
    end: str


class Coverage(BaseModel):
    """Present only when the figure's inputs are incomplete for its period (a look-back
    before the data, a table with no rows then, a practice not recorded then, a
    definition not in force): ``complete`` is false and ``reason`` says why."""

    model_config = ConfigDict(extra="forbid")
    complete: bool
    reason: str


class Indicator(BaseModel):
    """A count has ``value``; a rate adds ``numerator`` and ``denominator`` (and, for some,
    ``ci95``, the 95% Wilson interval); a breakdown has ``values`` and ``total``; a median
    ``value`` and ``n``; a rate per key ``values`` and ``n`` by key; a gap ``value`` and
    each group's rate and n (``white_rate``, ``bme_rate``, ``white_n``, ``bme_n``);
    ``method`` names the person-resolution method of a distinct-person count;
    ``unavailable`` gives the reason a figure could not be made; ``suppressed`` lists the
    fields withheld by disclosure control (partners);
    ``coverage`` says why a figure's inputs are incomplete for its period."""

    model_config = ConfigDict(extra="forbid")
    value: Number = None
    numerator: Number = None
    denominator: Number = None
    ci95: list[Number] | None = None
    values: dict[str, Number] | None = None
    total: Number = None
    n: Number | dict[str, Number] = None
    white_rate: Number = None
    bme_rate: Number = None
    white_n: Number = None
    bme_n: Number = None
    method: str | None = None
    unavailable: str | None = None
    suppressed: list[str] | None = None
    coverage: Coverage | None = None


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: float
    actual: Number = None
    met: bool | None = None
    suppressed: bool | None = None


class IndicatorResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: str
    period: Period
    scope: str
    indicators: dict[str, Indicator]
    targets: dict[str, Target]


class Problem(BaseModel):
    detail: str


ERRORS = {400: {"model": Problem}, 401: {"model": Problem}, 403: {"model": Problem},
          404: {"model": Problem}, 429: {"model": Problem}, 503: {"model": Problem}}
Definition = Literal[tuple(DEFINITIONS)]  # the ids, from the one list


def _params(request: Request, user, year: str | None, start: dt.date | None,
            end: dt.date | None, definition: str | None):
    dash = dashboard_of(request)
    snap = dash.snapshot()
    choice = choose(snap, year, start and str(start), end and str(end), definition)
    if protected(user):  # the published period grid only (docs/security.md)
        published_only(choice)
    return dash, snap, choice


@router.get("/indicators", response_model=IndicatorResult, responses=ERRORS,
            summary="The indicators of one period for the force or one borough")
def indicators(
    request: Request,
    year: str | None = Query(None, description="financial year, e.g. 2007-08",
                             pattern=r"^\d{4}-\d{2}$"),
    start: dt.date | None = Query(None, description="first day, e.g. 2007-04-01"),
    end: dt.date | None = Query(None, description="last day, e.g. 2008-03-31"),
    borough: str | None = Query(None, description="a borough; the force when absent",
                                max_length=100),
    definition: Definition | None = Query(None),
) -> JSONResponse:
    dash = dashboard_of(request)
    user = dash.api_user(request)
    rule = Rule.BOROUGH_AGGREGATES if borough else Rule.FORCE_AGGREGATES
    dash.require(request, user, rule, borough)
    dash, snap, choice = _params(request, user, year, start, end, definition)
    scope = snap.borough_named(borough) or borough if borough else None
    result = dash.result_for(user, snap, choice.start, choice.end, scope, choice.definition)
    dash.audit.append(events.EXPORT, user.username, what="api indicators",
                      scope=scope or "force", start=choice.start, end=choice.end,
                      definition=choice.definition)
    return JSONResponse(result)


@router.get("/indicators/boroughs", response_model=list[IndicatorResult], responses=ERRORS,
            summary="The force, then every borough, for one period (a force user: "
                    "their force, then its boroughs)")
def indicators_by_borough(
    request: Request,
    year: str | None = Query(None, pattern=r"^\d{4}-\d{2}$"),
    start: dt.date | None = Query(None, description="first day, e.g. 2007-04-01"),
    end: dt.date | None = Query(None, description="last day, e.g. 2008-03-31"),
    definition: Definition | None = Query(None),
) -> JSONResponse:
    dash = dashboard_of(request)
    user = dash.api_user(request)
    dash.require(request, user, Rule.BOROUGH_COMPARISONS)
    dash, snap, choice = _params(request, user, year, start, end, definition)
    if audience(user) == "public":
        results = dash.published(snap, choice.start, choice.end, choice.definition)
    else:
        results = dash.all_scopes(snap, choice.start, choice.end, choice.definition)
    own = force_filter(user, snap)
    if own is not None:  # a force user: their force, then its boroughs only
        results = [dash.result(snap, choice.start, choice.end, own, choice.definition),
                   *(r for r in results[1:]
                     if allowed(user, Rule.BOROUGH_AGGREGATES, r.get("scope"), snap))]
    dash.audit.append(events.EXPORT, user.username, what="api indicators by borough",
                      start=choice.start, end=choice.end, definition=choice.definition)
    return JSONResponse(results)


@router.get("/boroughs", response_model=list[str], responses=ERRORS,
            summary="The boroughs the user may ask for")
def boroughs(request: Request) -> JSONResponse:
    dash = dashboard_of(request)
    user = dash.api_user(request)
    dash.require(request, user, Rule.ANY_USER)
    snap = dash.snapshot()
    names = [b for b in snap.boroughs() if allowed(user, Rule.BOROUGH_AGGREGATES, b, snap)]
    return JSONResponse(names)
