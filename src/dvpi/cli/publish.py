"""`dvpi report` and `dvpi pack`: the annual board report and the weekly borough packs."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from dvpi.cli.application import app
from dvpi.cli.common import computing, export_audit, export_state_path, fail, os_user
from dvpi.indicators import TABLES_READ
from dvpi.indicators.definitions import DEFAULT_DEFINITION, DEFINITIONS
from dvpi.people import DEFAULT_METHOD, method_names
from dvpi.stats import disclosure
from dvpi.warehouse import DEFAULT_ENGINE, ENGINES

console = Console()
err = Console(stderr=True)


def _choices(name: str, values) -> type[StrEnum]:
    """The command-line choices of a registry's list: never a second copy of it."""
    return StrEnum(name, {v: v for v in values})


AudienceChoice = _choices("AudienceChoice", disclosure.AUDIENCES)
PeopleChoice = _choices("PeopleChoice", method_names())
DefinitionChoice = _choices("DefinitionChoice", DEFINITIONS)
EngineChoice = _choices("EngineChoice", ENGINES)


DefinitionOption = typer.Option(DefinitionChoice(DEFAULT_DEFINITION), "--definition")
EngineOption = typer.Option(EngineChoice(DEFAULT_ENGINE), "--engine",
                            help="the engine that computes")


DataArgument = typer.Argument(..., help="a data folder in the interchange format, or a warehouse")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description:<40}"), TimeElapsedColumn(),
                    console=err, transient=True)


@app.command()
def report(
    data: Path = DataArgument,
    year: str = typer.Option(..., "--year", help="financial year, e.g. 2007-08"),
    out: Path = typer.Option(..., "--out", help="folder to write the HTML and PDF into"),
    audience: AudienceChoice = typer.Option(AudienceChoice("internal"), "--audience"),
    people: PeopleChoice = typer.Option(PeopleChoice(DEFAULT_METHOD), "--people",
                                        help="person-resolution method for distinct persons"),
    definition: DefinitionChoice = DefinitionOption,
    threshold: int = typer.Option(disclosure.DEFAULT_THRESHOLD, "--threshold", min=1,
                                  help="public audience: suppress counts below this"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="also write the PDF"),
    title: str = typer.Option(None, "--title", help="the report's title"),
    engine: EngineChoice = EngineOption,
    national: bool = typer.Option(False, "--national",
                                  help="the national bulletin of a data set of several forces"),
    force: str = typer.Option(None, "--force",
                              help="--national: add the pages of this force against the nation"),
    synthetic: bool = typer.Option(None, "--synthetic/--not-synthetic",
                                   help="--national: say the figures are synthetic (default: "
                                        "when the data folder has `dvpi synth`'s ground "
                                        "truth beside it)"),
) -> None:
    """Write the annual domestic-violence performance report (HTML and PDF); with
    --national, the national bulletin of a data set of several forces."""
    from dvpi.publish import audience as audiences
    from dvpi.publish import report as board

    if force is not None and not national:
        raise fail("--force is for the national bulletin: give --national too")
    if audience == "public":
        try:  # the published grid: refused before anything is computed
            audiences.check_public_release(definition.value)
        except audiences.AudienceError as exc:
            raise fail(str(exc)) from exc
        if threshold != disclosure.DEFAULT_THRESHOLD:
            err.print(f"[yellow]warning:[/] the partners' dashboard publishes this year at "
                      f"threshold {disclosure.DEFAULT_THRESHOLD}: a public report at "
                      f"{threshold} is a second protected table set for the same year, and "
                      "the two can be set against each other (docs/security.md).")
    if national:
        _bulletin(data, year, out, audience.value, people.value, definition.value, threshold,
                  pdf, title, engine.value, force,
                  _is_synthetic(data) if synthetic is None else synthetic)
        return
    with computing(data, people=people.value, engine=engine.value,
                   tables=TABLES_READ) as (_, backend, method), _progress() as bar:
        task = bar.add_task("computing the year and the year before", total=None)
        try:
            inputs = board.gather(backend, year, people=method, definition=definition.value)
        except (ValueError, FileNotFoundError) as exc:
            err.print(f"[bold red]cannot compute the report:[/] {escape(str(exc))}")
            raise typer.Exit(2) from exc
        bar.update(task, description="writing HTML" + (" and PDF" if pdf else ""))
        written = board.write_report(inputs, out, audience=audience.value, threshold=threshold,
                                     pdf=pdf, title=title)
    console.print(f"report: {escape(str(written.html))}")
    if written.pdf:
        console.print(f"pdf:    {escape(str(written.pdf))}")
    if audience == "public":
        console.print(f"{written.context['suppressed_cells']} figures suppressed "
                      f"(threshold {threshold}).")


def _is_synthetic(data: Path) -> bool:
    """Whether ``data`` was written by ``dvpi synth``: its ground truth beside it."""
    from dvpi.synth.writers import default_truth_dir

    return data.is_dir() and default_truth_dir(data).is_dir()


def _bulletin(data: Path, year: str, out: Path, audience: str, people: str, definition: str,
              threshold: int, pdf: bool, title: str | None, engine: str, force: str | None,
              synthetic: bool) -> None:
    """`dvpi report --national`: the national bulletin (``publish.bulletin``)."""
    from dvpi.publish import bulletin

    with computing(data, people=people, engine=engine,
                   tables=TABLES_READ) as (_, backend, method), _progress() as bar:
        task = bar.add_task("computing every year, the nation and every force", total=None)
        try:
            inputs = bulletin.gather(backend, year, people=method, definition=definition,
                                     force=force, boroughs=audience == "public",
                                     synthetic=synthetic)
        except (ValueError, FileNotFoundError) as exc:
            err.print(f"[bold red]cannot compute the bulletin:[/] {escape(str(exc))}")
            raise typer.Exit(2) from exc
        bar.update(task, description="writing HTML" + (" and PDF" if pdf else ""))
        written = bulletin.write_bulletin(
            inputs, out, audience=audience, threshold=threshold, pdf=pdf, title=title,
            progress=lambda step: bar.update(task, description=step))
    console.print(f"bulletin: {escape(str(written.html))}")
    if written.pdf:
        console.print(f"pdf:      {escape(str(written.pdf))}")
    if audience == "public":
        console.print(f"{written.context['suppressed_cells']} figures suppressed "
                      f"(threshold {threshold}).")


@app.command()
def pack(
    data: Path = DataArgument,
    week_ending: str = typer.Option(..., "--week-ending",
                                    help="last day of the week, e.g. 2008-03-30"),
    out: Path = typer.Option(..., "--out", help="folder to write the workbooks into"),
    audience: AudienceChoice = typer.Option(
        AudienceChoice("internal"), "--audience",
        help="internal only: the packs are OFFICIAL-SENSITIVE, never published"),
    people: PeopleChoice = typer.Option(PeopleChoice(DEFAULT_METHOD), "--people"),
    definition: DefinitionChoice = DefinitionOption,
    engine: EngineChoice = EngineOption,
) -> None:
    """Write the weekly packs for the force and the borough's own officers: one workbook
    per borough and one for the force, and a RESTRICTED record-list workbook per borough.
    Never for the public or partners (they get financial years: `dvpi report`)."""
    from dvpi.publish import audience as audiences
    from dvpi.publish import pack as packs

    try:  # refused before anything is read or computed
        audiences.check_pack(audience.value)
    except audiences.AudienceError as exc:
        raise fail(str(exc)) from exc
    try:
        week = dt.date.fromisoformat(week_ending)
    except ValueError as exc:
        err.print(f"[bold red]not a date:[/] {escape(repr(week_ending))} (expected e.g. "
                  f"2008-03-30)")
        raise typer.Exit(2) from exc
    # RESTRICTED record lists are exported: audited (who, what, rows) in the state store
    # beside what was read, opened before anything is written.
    log = export_audit(export_state_path(data))
    with computing(data, people=people.value, engine=engine.value,
                   tables=TABLES_READ) as (_, backend, method), _progress() as bar:
        task = bar.add_task("computing 13 weeks and the year to date", total=None)
        inputs = packs.gather(backend, week, people=method, definition=definition.value)
        bar.update(task, description="writing workbooks")
        try:
            written = packs.write_packs(inputs, out, audience=audience.value)
        except packs.PackNameError as exc:  # two scopes would share a file: nothing written
            raise fail(str(exc)) from exc
    console.print(f"{len(written.workbooks)} pack workbooks in {escape(str(out))} "
                  "(OFFICIAL-SENSITIVE: the force and the borough's own officers only)")
    if inputs.restricted_unavailable:
        err.print(f"[yellow]no RESTRICTED workbooks:[/] "
                  f"{escape(str(inputs.restricted_unavailable))}")
    if written.restricted:
        rows = {scope: sum(len(r) for r in lists.values())
                for scope, lists in inputs.restricted.items() if scope in written.restricted}
        log.append("export", os_user(), what="restricted_pack", rows=sum(rows.values()),
                   rows_by_scope=rows, week_ending=week.isoformat(), data=str(data),
                   files=[str(p) for p in written.restricted.values()])
        console.print(f"{len(written.restricted)} RESTRICTED record workbooks "
                      f"(name reports: internal use only)")
