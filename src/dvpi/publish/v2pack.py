"""What the weekly pack takes from catalogue version 2, and its worklists.

A week is short: most version-2 figures are too few a week to read (a borough has a
handful of MARAC cases, surveys or programme orders a month) or only settle long after
(justice outcomes wait for the courts). The pack takes the figures a manager acts on
week by week (``WEEKLY``, each with its reason); the rest are in the board report and
the dashboard. The internal pack also counts the worklists that protect people, as at
the week's last day, on a sheet of its own; their rows go in the borough's RESTRICTED
workbook with the older record lists. Neither is in the public pack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dvpi.indicators import registry, worklists
from dvpi.warehouse import Backend

# The version-2 figures of the weekly pack, and why each is read weekly.
WEEKLY: tuple[tuple[str, str], ...] = (
    ("bail_open_over_8_weeks",
     "suspects on bail over 8 weeks as at the week's last day: the worklist's count"),
    ("bail_over_8_weeks_rate",
     "bail periods ended in the week (and the year to date) that lasted over 8 weeks"),
    ("programme_at_risk_of_expiry",
     "programme orders lapsing within 8 weeks as at the week's last day: the worklist's "
     "count"),
    ("protective_orders_applied",
     "notices and orders are issued and applied for week by week"),
    ("dvds_decided_within_28_days_rate",
     "disclosure decisions against the statutory 28 days, managed week by week"),
)
WEEKLY_IDS: tuple[str, ...] = tuple(i for i, _ in WEEKLY)
PROTECTIVE: tuple[worklists.Worklist, ...] = tuple(w for w in worklists.WORKLISTS
                                                   if w.protects)
SHEET = "Worklists"


def _check() -> None:
    for ind_id in WEEKLY_IDS:
        if registry.get(ind_id).version < 2:
            raise RuntimeError(f"{ind_id} is not a version-2 indicator")


_check()


def protective_lists(backend: Backend, start: dt.date, end: dt.date, borough: str | None,
                     definition: str, people: str) -> dict[str, list[dict[str, Any]]]:
    """The worklists that protect people, by title, for the RESTRICTED workbook: the
    "as at" lists on ``end``, the others over the period. A list whose tables are not
    loaded is left out (the Worklists sheet says why)."""
    return {w.title: worklists.fetch(w, backend, start, end, borough=borough,
                                     definition=definition, people=people)
            for w in PROTECTIVE if worklists.unavailable(w, backend.tables) is None}


def counts(backend: Backend, start: dt.date, end: dt.date,
           lists: dict[str, dict[str, list[dict]]], definition: str,
           people: str) -> dict[str, dict[str, int | str]]:
    """By scope (``force`` first, then the boroughs of ``lists``): each protective
    list's count, or why it is not available. The boroughs' are their lists' rows; the
    force's is asked for (a request scoped by its own borough may be in no borough of
    the reports)."""
    force = protective_lists(backend, start, end, None, definition, people)
    out: dict[str, dict[str, int | str]] = {}
    for scope, found in (("force", force), *((s, ls) for s, ls in lists.items())):
        out[scope] = {}
        for w in PROTECTIVE:
            why = worklists.unavailable(w, backend.tables)
            out[scope][w.title] = f"not available: {why}" if why else len(found[w.title])
    return out


def write_sheet(wb: Any, f: Any, scope: str, scope_counts: dict[str, dict[str, int | str]],
                week_ending: dt.date, year_start: dt.date) -> None:
    """The internal pack's Worklists sheet: each protective list's count in this scope
    (in the force's workbook, every borough's beside it). ``f`` is the pack's formats."""
    ws = wb.add_worksheet(SHEET)
    ws.write(0, 0, f"Worklists that protect people: {scope}", f.title)
    ws.write(1, 0, f"Counts as at {week_ending.isoformat()} (high-risk victims: reports "
                   f"recorded {year_start.isoformat()} to {week_ending.isoformat()}). The "
                   "records are in the borough's RESTRICTED workbook and on the dashboard's "
                   "worklists page; internal only.", f.note)
    shown = list(scope_counts) if scope == "force" else ["force", scope]
    shown = [s for s in dict.fromkeys([scope, *shown]) if s in scope_counts]
    ws.write(3, 0, "Worklist", f.head)
    ws.write(3, 1, "Definition", f.head)
    for c, s in enumerate(shown, start=2):
        ws.write_string(3, c, s, f.head)
    for r, w in enumerate(PROTECTIVE, start=4):
        ws.write_string(r, 0, w.title, f.text)
        ws.write_string(r, 1, w.definition, f.text)
        for c, s in enumerate(shown, start=2):
            value = scope_counts[s][w.title]
            if isinstance(value, int):
                ws.write_number(r, c, value, f.text)
            else:
                ws.write_string(r, c, value, f.text)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 1 + len(shown), 16)
