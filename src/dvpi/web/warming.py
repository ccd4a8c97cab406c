"""Warming the result cache: the default pages computed before anyone asks for them.

Kept apart from :mod:`dvpi.web.dashboard` because it needs the views, and the views
need the dashboard: a method on the dashboard would make that an import cycle.
"""

from __future__ import annotations

import logging
import threading

from dvpi.web import views
from dvpi.web.dashboard import Dashboard
from dvpi.web.params import choose
from dvpi.web.users import FORCE_ANALYST, PARTNER, User

log = logging.getLogger("dvpi.web")


def warm(dash: Dashboard) -> None:
    """Compute the default pages of the current warehouse version for both audiences,
    so the first person to open them does not wait."""
    snap = dash.snapshot()
    choice = choose(snap, None, None, None, None)
    for role in (FORCE_ANALYST, PARTNER):
        user = User("warm-up", role)
        for view in (views.scorecard, views.league, views.equality):
            dash.view(view, user, snap, choice, None)
    # Every borough's page: one borough's computes them all.
    boroughs = snap.boroughs()
    if boroughs:
        dash.view(views.scorecard, User("warm-up", FORCE_ANALYST), snap, choice, boroughs[0])


def start_warming(dash: Dashboard) -> threading.Thread:
    """:func:`warm` in a background thread; a failure is logged, never raised."""

    def run() -> None:
        try:
            warm(dash)
        except Exception as exc:  # a page will show the error; keep serving
            log.warning("warming the cache failed: %s", exc)

    thread = threading.Thread(target=run, name="dvpi-warm", daemon=True)
    thread.start()
    return thread
