"""`dvpi worklists list` and `dvpi worklists export`: the restricted record lists.

Every list is declared once (``dvpi.indicators.worklists``: id, title, definition, roles,
query). The dashboard shows a list to the roles it names, for their borough; on the
command line, whoever can read the warehouse file can export a list, and every export is
recorded in the dashboard's audit log (who, which list, which records) before the file is
written, as the weekly pack's RESTRICTED workbooks are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from dvpi.cli.application import app
from dvpi.cli.common import computing, export_audit, export_state_path, fail, os_user, shown
from dvpi.cli.indicators import resolve_period
from dvpi.files import write_private
from dvpi.indicators import TABLES_READ, boroughs_in, scopes_for, worklists
from dvpi.indicators.context import name_key
from dvpi.indicators.definitions import DEFAULT_DEFINITION, DEFINITIONS
from dvpi.indicators.engine import FORCE_SCOPE, NATIONAL_SCOPE, Scope, force_scope
from dvpi.people import DEFAULT_METHOD, method_names

if TYPE_CHECKING:
    import duckdb

console = Console()
err = Console(stderr=True)
# Record ids kept in one audit entry (the dashboard's limit); the count is always kept.
AUDIT_ID_LIMIT = 2000

worklists_app = typer.Typer(help="Restricted worklists: what each one lists, and an "
                                 "audited CSV export.", no_args_is_help=True)
app.add_typer(worklists_app, name="worklists")


@worklists_app.command("list")
def list_worklists() -> None:
    """Every worklist: id, title, what a row is, who may see it on the dashboard."""
    console.print("[bold]Worklists[/] (restricted: they name records)")
    for w in worklists.WORKLISTS:
        taken = "as at the period's last day" if w.as_at else "over the period"
        console.print(f"\n[bold]{shown(w.id)}[/]: {shown(w.title)}\n"
                      f"  one row: {shown(w.unit)}; {taken}; dashboard roles: "
                      f"{shown(', '.join(w.roles))}; needs {shown(', '.join(w.needs))}\n"
                      f"  {shown(w.definition)}", highlight=False)


@worklists_app.command("export")
def export(
    list_id: str = typer.Argument(..., help="the worklist's id (`dvpi worklists list`)"),
    data: Path = typer.Argument(..., help="a warehouse file, or a data folder"),
    out: Path = typer.Option(..., "--out", help="the CSV file to write (mode 0600)"),
    year: str | None = typer.Option(None, "--year", help="financial year, e.g. 2007-08"),
    start: str | None = typer.Option(None, "--start", help="first day, YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--end", help="last day, YYYY-MM-DD (inclusive)"),
    borough: str | None = typer.Option(None, "--borough", help="one borough (case ignored)"),
    force: str | None = typer.Option(None, "--force", help="one force of a warehouse of "
                                                           "several (case ignored)"),
    definition: str = typer.Option(DEFAULT_DEFINITION, "--definition",
                                   help=" | ".join(DEFINITIONS)),
    people: str = typer.Option(DEFAULT_METHOD, "--people",
                               help=f"person resolution method: {' | '.join(method_names())}"),
) -> None:
    """Export one worklist for a period (an "as at" list: on its last day, or the data's
    latest date if earlier) as CSV; the export is audited before the file is written."""
    try:
        worklist = worklists.get(list_id)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    first, last = resolve_period(start, end, year)
    if definition not in DEFINITIONS:
        raise fail(f"unknown definition {definition!r} (known: {', '.join(DEFINITIONS)})")
    log = export_audit(export_state_path(data))  # no audit, no export
    with computing(data, people=people, engine="duckdb", tables=TABLES_READ) as (
            wh, backend, method):
        why = worklists.unavailable(worklist, backend.tables)
        if why:
            raise fail(f"the worklist {list_id} is not available: {why}")
        try:
            scope = export_scope(wh.con, borough, force)
            if worklist.as_at:
                last = worklists.as_at_day(first, last, worklists.latest_recorded(backend))
            # A borough goes by its resolved name ("FORCE / BOROUGH" in a warehouse of
            # several forces), which names its force; a whole force by the force.
            rows = worklists.fetch(
                worklist, backend, first, last, definition=definition, people=method,
                borough=scope.name if borough is not None else None,
                force=force if borough is None else None)
        except ValueError as exc:  # an unknown or ambiguous scope
            raise fail(str(exc)) from None
        # The force as the data spells it (the audit names what was exported).
        named = {"force": force_scope(wh.con, force).name} if force is not None else {}
    ids, reports = worklists.record_ids(worklist, rows), worklists.report_ids(rows)
    log.append("export", os_user(), what=f"worklist {list_id}",
               borough=scope.name if borough is not None else None, **named,
               start=first.isoformat(), end=last.isoformat(), rows=len(rows),
               records=len(reports), report_ids=reports[:AUDIT_ID_LIMIT],
               record_ids=ids[:AUDIT_ID_LIMIT], data=str(data), file=str(out))
    write_private(out, worklists.csv_text(rows))
    taken = f"as at {last}" if worklist.as_at else f"{first} to {last}"
    place = {FORCE_SCOPE: "the force", NATIONAL_SCOPE: "every force"}.get(scope, scope.name)
    console.print(f"{len(rows)} row(s) of {shown(worklist.title)} ({taken}, "
                  f"{shown(place)}) written to {shown(out)}")


def export_scope(con: duckdb.DuckDBPyConnection, borough: str | None, force: str | None) -> Scope:
    """What an export covers, checked against the data as `dvpi indicators` checks it (the
    engine's scopes): the whole data set, one force of several, or one borough (a name
    two forces share needs the force; a borough of none is an error, not an empty list).
    ``--force`` on a one-force warehouse is an error too."""
    scope = scopes_for(con, borough=borough, force=force)[0]
    if borough is None:
        return scope
    known = boroughs_in(con, force)
    for s in known:  # its key, or its name as the data gives it ("FORCE / BOROUGH")
        if s.key == scope.key or name_key(s.name) == name_key(borough):
            return s
    where = f" of {force_scope(con, force).name}" if force is not None else ""
    raise ValueError(f"no borough {borough!r} in the data{where} (known: "
                     f"{', '.join(sorted(s.name for s in known))})")
