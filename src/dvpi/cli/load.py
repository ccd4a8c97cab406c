"""`dvpi load`, `dvpi loads`, `dvpi quarantine`: the loader's command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import check_choices, shown
from dvpi.ingest import LoadError, export_quarantine, list_loads, load_dataset
from dvpi.ingest.sources import ReadOptions
from dvpi.people import DEFAULT_METHOD, LINKS_TABLE, method_names, ready
from dvpi.warehouse import DEFAULT_WAREHOUSE, WarehouseError, open_warehouse

console = Console()
err = Console(stderr=True)

WarehouseOption = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", "-w", help="DuckDB warehouse file")


MappingOption = typer.Option(
    None, "--mapping", "-m", help="a mapping file (TOML or YAML) that describes the force's own "
    "export: its files, columns, codes and date format (docs/data-format.md)")
DATE_FORMAT_HELP = ("dates written DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY, DD.MM.YYYY, "
                    "YYYY/MM/DD or DD-MON-YYYY (YYYY-MM-DD is always read)")


def print_unmapped(result, out: Console) -> None:
    """The values a mapped export holds that its mapping does not cover."""
    if not result.unmapped:
        return
    table = Table(title="values the mapping does not cover (their rows are quarantined)",
                  title_justify="left")
    for name in ("file", "column", "maps to", "value", "rows"):
        table.add_column(name, justify="right" if name == "rows" else "left")
    for u in result.unmapped:
        table.add_row(shown(u.file), shown(u.header), shown(f"{u.table}.{u.column}"),
                      shown(u.value), f"{u.rows:,}")
    out.print(table)
    mapping = result.mapping.name if result.mapping else "the mapping"
    out.print(shown(f"map them in [tables.TABLE.values.COLUMN] of {mapping}, "
                    "or correct them in the force's system"))


@app.command()
def load(
    data: Path = typer.Argument(..., help="a data set folder in the interchange format, "
                                "or a force's export with --mapping"),
    warehouse: Path = WarehouseOption,
    mapping: Path | None = MappingOption,
    encoding: str | None = typer.Option(
        None, "--encoding", help="the CSV files' encoding: utf-8, cp1252 (Windows-1252) "
        "or latin-1 (default: detected, and the summary says what was chosen)"),
    delimiter: str | None = typer.Option(
        None, "--delimiter", help="the CSV files' delimiter: , ; tab or | "
        "(default: detected from each header)"),
    date_format: str | None = typer.Option(None, "--date-format", help=DATE_FORMAT_HELP),
    mode: str = typer.Option(
        "replace", "--mode", help="replace (default: a report in the extract replaces "
        "its rows in every table), changes (only in the tables the extract holds; "
        "others are left alone) or full (the extract is the whole truth: what it lacks "
        "is removed)"),
    allow_removal: bool = typer.Option(
        False, "--allow-removal", help="load although it removes more than "
        "--max-removal of the warehouse's rows"),
    max_removal: float = typer.Option(
        0.05, "--max-removal", help="the share of the warehouse's rows a load may remove "
        "without --allow-removal"),
    allow_unknown_files: bool = typer.Option(
        False, "--allow-unknown-files", help="load although the folder holds data files "
        "not named after a table (they are left out, with a warning)"),
    people: str = typer.Option(
        DEFAULT_METHOD, "--people", help="resolve people after the load with this method "
        f"({' | '.join(method_names())}), so the first figures need not wait for it"),
    resolve: bool = typer.Option(True, "--resolve/--no-resolve",
                                 help="resolve people as the last step of the load"),
) -> None:
    """Load a data set into the warehouse: every row loaded or quarantined; then resolve
    the people in it (``--no-resolve`` leaves that to ``dvpi people resolve``)."""
    check_choices(people=people)
    options = ReadOptions(encoding, delimiter, date_format, allow_unknown_files)
    try:
        with Progress(
            TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn(),
            console=err, transient=True,
        ) as bar:
            task = bar.add_task("starting", total=1)

            def report(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            result = load_dataset(data, warehouse, options=options, mapping=mapping,
                                  mode=mode, allow_removal=allow_removal,
                                  max_removal=max_removal, progress=report)
    except (LoadError, WarehouseError) as exc:
        err.print(f"[bold red]load stopped, warehouse unchanged:[/] {shown(exc)}")
        raise typer.Exit(2) from exc
    for note in result.notes:
        err.print(f"[cyan]read:[/] {shown(note)}")
    for warning in result.warnings:
        err.print(f"[bold yellow]warning:[/] {shown(warning)}")
    print_unmapped(result, err)
    if result.unchanged:
        console.print(f"{shown(data)}: the same files as the last load; nothing changed.")
        if resolve:
            _resolve_after_load(warehouse, people)  # links of this load may be missing
        return
    table = Table(title=f"load {result.load_id} into {shown(warehouse)} ({result.mode})")
    for name in ("table", "file", "read", "loaded", "quarantined", "replaced", "removed"):
        table.add_column(name, justify="right" if name not in ("table", "file") else "left")
    for c in result.counts:
        table.add_row(shown(c.label), shown(c.file) if c.file else "(not in the extract)",
                      f"{c.read:,}", f"{c.loaded:,}", f"{c.quarantined:,}",
                      f"{c.replaced:,}", f"{c.removed:,}")
    table.add_row("total", "", f"{result.read:,}", f"{result.loaded:,}",
                  f"{result.quarantined:,}", f"{result.replaced:,}",
                  f"{result.removed:,}", style="bold")
    console.print(table)
    print_left_out(result, console)
    for c in result.counts:
        if c.removed:
            console.print(f"[bold yellow]removed:[/] {c.removed:,} {c.table} rows "
                          "(nothing in the extract takes their place)")
    if result.quarantined:
        console.print(
            f"{result.quarantined:,} rows quarantined: "
            f"`dvpi quarantine --warehouse {shown(warehouse)} --load {result.load_id}` lists "
            f"them."
        )
    if resolve:
        _resolve_after_load(warehouse, people)


def _resolve_after_load(warehouse: Path, method: str) -> None:
    """Person resolution as the load's last step (links current for the new load), with
    progress. A failure here leaves the load in place and says how to finish."""
    try:
        with open_warehouse(warehouse, "write") as wh, err.status("resolving people") as bar:
            used = ready(wh.con, method,
                         progress=lambda step: bar.update(f"resolving people ({method}): "
                                                          f"{step}"))
            persons = wh.con.execute(
                f"SELECT count(*), count(DISTINCT person_key) FROM {LINKS_TABLE} "
                "WHERE method = ?", [used]).fetchone()
    except (WarehouseError, ValueError) as exc:
        err.print(f"[bold yellow]loaded, but people are not resolved:[/] {shown(exc)}; "
                  f"run `dvpi people resolve --warehouse {shown(warehouse)}`")
        return
    if persons is not None:
        err.print(f"people resolved ({used}): {persons[0]:,} people rows -> "
                  f"{persons[1]:,} persons")


def print_left_out(result, out) -> None:
    """Rows of a wide file that give no row of a table: read = loaded + quarantined +
    these."""
    for c in result.counts:
        if c.left_out:
            out.print(f"{shown(c.file)}: {c.left_out:,} rows give no {shown(c.label)} row "
                      "(its columns blank, or the same values as an earlier row)")


@app.command()
def loads(warehouse: Path = WarehouseOption) -> None:
    """List the loads recorded in the warehouse: when, which files, the counts."""
    try:
        entries = list_loads(warehouse)
    except WarehouseError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    table = Table(title=f"loads of {shown(warehouse)}")
    for name in ("load", "finished", "source (mapping, sha256)", "files (sha256)", "read",
                 "loaded", "quarantined"):
        table.add_column(name)
    for e in entries:
        files = "\n".join(f"{shown(f['file'])} {f['sha256'][:12]}"
                          for f in {f["file"]: f for f in e["files"]}.values())
        mapping = e.get("mapping")
        source = shown(e["source"]) + (
            f"\n{shown(Path(mapping['file']).name)} {mapping['sha256'][:12]}" if mapping else "")
        table.add_row(
            str(e["load_id"]), f"{e['finished_at']:%Y-%m-%d %H:%M:%S}", source, files,
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


@app.command()
def check(
    data: Path = typer.Argument(..., help="an export: a folder of table files"),
    warehouse: Path | None = typer.Option(
        None, "--warehouse", "-w", help="say what loading into this warehouse would add, "
        "replace and remove (it is not changed)"),
    mapping: Path | None = MappingOption,
    mode: str = typer.Option("replace", "--mode", help="as for dvpi load"),
    encoding: str | None = typer.Option(None, "--encoding", help="as for dvpi load"),
    delimiter: str | None = typer.Option(None, "--delimiter", help="as for dvpi load"),
    date_format: str | None = typer.Option(None, "--date-format", help="as for dvpi load"),
    html: Path | None = typer.Option(
        None, "--html", help="also write the check as an HTML page to this file"),
) -> None:
    """Check an export before loading it: profile its files and say what a load would
    do, changing no warehouse. Exit code 1 when rows would be quarantined or removed,
    values are not mapped or files left out, 2 when the load would stop."""
    from dvpi.ingest.check import check_export

    report = check_export(data, warehouse, mode=mode, mapping=mapping,
                          options=ReadOptions(encoding, delimiter, date_format))
    if html is not None:
        _write_check_page(report, html)
    if report.stopped:
        err.print(f"[bold red]the load would stop:[/] {shown(report.stopped)}")
        raise typer.Exit(2)
    result = report.load
    for note in result.notes:
        console.print(f"read: {shown(note)}")
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {shown(warning)}")
    print_unmapped(result, console)
    if result.unchanged:
        console.print(f"{shown(data)}: the same files as the last load into {shown(warehouse)}: "
                      "loading them changes nothing.")
        return
    for name, profiles in report.columns.items():
        table = Table(title=shown(name), title_justify="left")
        for col in ("column", "type", "filled", "values / range"):
            table.add_column(col)
        for p in profiles:
            # Values come from the export: shown as text, never as markup.
            if p.values:
                listed = ", ".join(f"{v} ({n:,})" for v, n in p.values)
            elif p.low is not None:
                listed = f"{p.low} .. {p.high}"
            else:
                listed = ""
            table.add_row(shown(p.name), p.type, f"{p.fill_rate:.0%}", shown(listed))
        console.print(table)
    into = f"into {shown(warehouse)}" if warehouse else "into an empty warehouse"
    summary = Table(title=f"a {result.mode} load {into} would", title_justify="left")
    for name in ("table", "file", "read", "add", "quarantine", "replace", "remove"):
        summary.add_column(name, justify="left" if name in ("table", "file") else "right")
    for c in result.counts:
        summary.add_row(shown(c.label), shown(c.file) if c.file else "(not in the export)",
                        f"{c.read:,}", f"{c.loaded:,}", f"{c.quarantined:,}",
                        f"{c.replaced:,}", f"{c.removed:,}")
    console.print(summary)
    print_left_out(result, console)
    for c in result.counts:
        if c.removed:
            console.print(f"[bold yellow]would remove:[/] {c.removed:,} {c.table} rows "
                          "(nothing in the export takes their place)")
    for name, n in report.duplicate_keys.items():
        console.print(f"duplicate keys: {n:,} {name} rows")
    for name, n in report.dangling.items():
        console.print(f"dangling references: {n:,} {name} rows point at nothing")
    if report.reasons:
        console.print("[bold]rows that would be quarantined, and why[/]")
        for name, kind, n, example in report.reasons:
            console.print(f"  {shown(name)}: {n:,} × {shown(kind)}   (e.g. {shown(example)})")
    if not report.clean:
        raise typer.Exit(1)
    console.print("clean: nothing would be quarantined or removed.")


def _write_check_page(report, out: Path) -> None:
    """``dvpi check --html``: the page holds personal data (quarantined values), so it
    is written owner-only, as the quarantine export is."""
    from dvpi.files import write_private
    from dvpi.ingest.check_page import render_check_page

    write_private(out, render_check_page(report))
    err.print(f"check page written to {shown(out)}")
