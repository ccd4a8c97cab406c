"""`dvpi load`, `dvpi loads`, `dvpi quarantine`: the loader's command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import shown
from dvpi.ingest import LoadError, export_quarantine, list_loads, load_dataset
from dvpi.warehouse import DEFAULT_WAREHOUSE, WarehouseError

console = Console()
err = Console(stderr=True)

WarehouseOption = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", "-w", help="DuckDB warehouse file")


@app.command()
def load(
    data: Path = typer.Argument(..., help="a data set folder in the interchange format"),
    warehouse: Path = WarehouseOption,
) -> None:
    """Load a data set into the warehouse: every row loaded or quarantined."""
    try:
        with Progress(
            TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn(),
            console=err, transient=True,
        ) as bar:
            task = bar.add_task("starting", total=1)

            def report(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            result = load_dataset(data, warehouse, progress=report)
    except (LoadError, WarehouseError) as exc:
        err.print(f"[bold red]load stopped, warehouse unchanged:[/] {shown(exc)}")
        raise typer.Exit(2) from exc
    if result.unchanged:
        console.print(f"{shown(data)}: the same files as the last load; nothing changed.")
        return
    table = Table(title=f"load {result.load_id} into {shown(warehouse)}")
    for name in ("table", "file", "read", "loaded", "quarantined", "replaced"):
        table.add_column(name, justify="right" if name not in ("table", "file") else "left")
    for c in result.counts:
        table.add_row(shown(c.table), shown(c.file), f"{c.read:,}", f"{c.loaded:,}",
                      f"{c.quarantined:,}", f"{c.replaced:,}")
    table.add_row("total", "", f"{result.read:,}", f"{result.loaded:,}",
                  f"{result.quarantined:,}", "", style="bold")
    console.print(table)
    if result.quarantined:
        console.print(
            f"{result.quarantined:,} rows quarantined: "
            f"`dvpi quarantine --warehouse {shown(warehouse)} --load {result.load_id}` lists "
            f"them."
        )


@app.command()
def loads(warehouse: Path = WarehouseOption) -> None:
    """List the loads recorded in the warehouse: when, which files, the counts."""
    try:
        entries = list_loads(warehouse)
    except WarehouseError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    table = Table(title=f"loads of {shown(warehouse)}")
    for name in ("load", "finished", "source", "files (sha256)", "read", "loaded", "quarantined"):
        table.add_column(name)
    for e in entries:
        files = "\n".join(f"{shown(f['file'])} {f['sha256'][:12]}" for f in e["files"])
        table.add_row(
            str(e["load_id"]), f"{e['finished_at']:%Y-%m-%d %H:%M:%S}", shown(e["source"]), files,
            f"{sum(c['read'] for c in e['counts']):,}",
            f"{sum(c['loaded'] for c in e['counts']):,}",
            f"{sum(c['quarantined'] for c in e['counts']):,}",
        )
    console.print(table)


@app.command()
def quarantine(
    warehouse: Path = WarehouseOption,
    out: Path = typer.Option(Path("quarantine.csv"), "--out", "-o", help="CSV file to write"),
    load_id: int | None = typer.Option(None, "--load", help="one load's rows (default: all)"),
) -> None:
    """Export quarantined rows (file, line, every reason, original values) as CSV.

    The rows are personal data: the file is made 0600 and the export is audited
    (OS user, rows, file) in ``<warehouse>.web.sqlite``; see docs/security.md."""
    from dvpi.cli.common import export_audit, export_state_path, os_user
    from dvpi.files import private_umask, restrict

    if not warehouse.is_file():
        err.print(f"[bold red]no warehouse at {shown(warehouse)}[/]")
        raise typer.Exit(2)
    log = export_audit(export_state_path(warehouse))  # before anything is written
    try:
        with private_umask():
            n = export_quarantine(warehouse, out, load_id)
        if out.exists():
            restrict(out)
    except WarehouseError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    log.append("export", os_user(), what="quarantine", rows=n, load=load_id, file=str(out),
               warehouse=str(warehouse))
    console.print(f"{n:,} quarantined rows written to {shown(out)}")
