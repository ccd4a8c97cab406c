"""`dvpi indicators`: the indicator catalogue for a period, as JSON or a table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import computing, fail, shown
from dvpi.indicators import TABLES_READ, compute, coverage, registry, scopes_for
from dvpi.indicators.definitions import DEFAULT_DEFINITION, DEFINITIONS
from dvpi.indicators.engine import run_cells
from dvpi.indicators.model import DEFAULT_DISPLAY, Indicator
from dvpi.indicators.periods import Period, PeriodError, financial_year
from dvpi.people import DEFAULT_METHOD, method_names
from dvpi.stats import display
from dvpi.warehouse import DEFAULT_ENGINE, ENGINES

console = Console()
err = Console(stderr=True)
BY_CHOICES = ("borough", "force")
PERCENT = DEFAULT_DISPLAY["rate"]




def _date(text: str | None, name: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"{name} is not a date (YYYY-MM-DD): {text!r}") from None


def resolve_period(start: str | None, end: str | None, year: str | None) -> tuple[dt.date, dt.date]:
    """--year, or --start and --end; start after end is an error."""
    if year is not None:
        if start is not None or end is not None:
            raise fail("give either --year or --start/--end, not both")
        try:
            return financial_year(year)
        except PeriodError as exc:
            raise fail(str(exc)) from None
    s, e = _date(start, "--start"), _date(end, "--end")
    if s is None or e is None:
        raise fail("give --start and --end (or --year, e.g. 2007-08)")
    if s > e:
        raise fail(f"the period starts ({s}) after it ends ({e})")
    return s, e


def _figure_text(ind: Indicator, fig: dict[str, Any]) -> str:
    """A figure as the report and the dashboard show it (``stats.display``), with its parts."""
    if "unavailable" in fig:
        return f"unavailable: {fig['unavailable']}"
    if coverage.incomplete(fig):
        return f"not available: {coverage.incomplete(fig)}"
    text = display.figure(ind, fig)
    if ind.unit == "breakdown":
        parts = ", ".join(f"{k}: {display.count(v)}" for k, v in fig["values"].items() if v)
        return f"{text} ({parts})" if parts else text
    if ind.unit == "median":
        return f"{text}  (n {display.part(fig, 'n')})"
    if ind.unit == "gap":
        groups = ", ".join(
            f"{display.key_label(ind.id, k)} {display.number(fig.get(f'{k}_rate'), PERCENT)}"
            f" of {display.part(fig, f'{k}_n')}" for k in ind.keys)
        return f"{text}  ({groups})"
    if "numerator" in fig:
        interval = fig.get("ci95")
        ci = (f", 95% CI {display.percent(interval[0])} to {display.percent(interval[1])}"
              if interval else "")
        return f"{text}  ({display.fraction(fig)}{ci})"
    return text


def render(result: dict[str, Any]) -> Table:
    period = result["period"]
    table = Table(
        title=f"{shown(result['scope'])} · {period['start']} to {period['end']} · "
              f"{shown(result['definition'])}",
        title_justify="left",
    )
    table.add_column("indicator")
    table.add_column("figure", overflow="fold")
    table.add_column("target", justify="right")
    family = None
    for ind_id, fig in result["indicators"].items():
        ind = registry.get(ind_id)
        if ind.family != family:
            family = ind.family
            table.add_row(f"[bold]{registry.families_by_id[family].title}[/]", "", "")
        target = result["targets"].get(ind_id)
        mark = ""
        if target:
            met = {True: "[green]met[/]", False: "[red]not met[/]", None: "–"}[target["met"]]
            mark = f"{display.number(target['target'], ind.display)} {met}"
        method = f" [dim]({fig['method']})[/]" if "method" in fig else ""
        table.add_row(f"  {ind.title} [dim]{ind_id}[/]", _figure_text(ind, fig) + method, mark)
    return table


@app.command()
def indicators(
    data: Path = typer.Argument(..., help="a data folder in the interchange format, or a "
                                          "warehouse file"),
    start: str | None = typer.Option(None, "--start", help="first day, YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--end", help="last day, YYYY-MM-DD (inclusive)"),
    year: str | None = typer.Option(None, "--year", help="financial year, e.g. 2007-08"),
    borough: str | None = typer.Option(None, "--borough", help="one borough (case ignored)"),
    force: str | None = typer.Option(None, "--force", help="one force of a data set of "
                                                           "several (case ignored)"),
    by: str | None = typer.Option(None, "--by", help="`borough`: the force (or the nation), "
                                                     "then each borough; `force`: the nation, "
                                                     "then each force"),
    definition: str = typer.Option(DEFAULT_DEFINITION, "--definition",
                                   help=f"{' | '.join(DEFINITIONS)}"),
    people: str = typer.Option(DEFAULT_METHOD, "--people",
                               help=f"person resolution method: {' | '.join(method_names())}"),
    engine: str = typer.Option(DEFAULT_ENGINE, "--engine", help=" | ".join(ENGINES)),
    as_json: bool = typer.Option(False, "--json", help="print the JSON object(s)"),
    as_at: str | None = typer.Option(
        None, "--as-at", help="YYYY-MM-DD: the figures the warehouse gave on that day (as "
        "it stood after its last load on or before it; rows later loads replaced or "
        "removed are restored)"),
) -> None:
    """Compute the indicator catalogue for a period (the force or the nation, one force, a
    borough, or every borough or force)."""
    s, e = resolve_period(start, end, year)
    when = _date(as_at, "--as-at")
    if by is not None and by not in BY_CHOICES:
        raise fail(f"--by must be one of: {', '.join(BY_CHOICES)}")
    if by and borough:
        raise fail(f"give either --borough or --by {by}, not both")
    if by == "force" and force:
        raise fail("give either --force or --by force, not both")
    if definition not in DEFINITIONS:
        raise fail(f"unknown definition {definition!r} (known: {', '.join(DEFINITIONS)})")
    kwargs = {"definition": definition}
    with computing(data, people=people, engine=engine, tables=TABLES_READ,
                   as_at=when) as (_, backend, method):
        try:
            with err.status("computing indicators…"):
                if by:
                    scopes = scopes_for(backend.con, force=force, by=by)
                    result: Any = run_cells(backend, [Period(s, e)], scopes, people=method,
                                            **kwargs)
                else:
                    result = compute(backend, s, e, borough=borough, force=force,
                                     people=method, **kwargs)
                # Entries whose inputs are incomplete for the period say why (additive).
                coverage.annotate_backend(backend, result, people=method)
        except (ValueError, OSError) as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for one in result if isinstance(result, list) else [result]:
        console.print(render(one))
