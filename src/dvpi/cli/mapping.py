"""`dvpi mapping draft`: a first mapping file for a force's export."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from dvpi.cli.application import app
from dvpi.cli.common import shown
from dvpi.ingest import LoadError

err = Console(stderr=True)
mapping_app = typer.Typer(help="Mapping files: how a force's own export maps to the format.",
                          no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")


@mapping_app.command("draft")
def draft(
    export: Path = typer.Argument(..., help="the force's export: a folder of files"),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="write the draft to this file (default: print it)"),
) -> None:
    """Write a first mapping for an export, from its file and column names and values:
    every guess is marked TODO for review (`dvpi mapping draft EXPORT > force.toml`)."""
    from dvpi.ingest.draft import draft_mapping

    try:
        text = draft_mapping(export)
    except LoadError as exc:
        err.print(f"[bold red]no draft:[/] {shown(exc)}")
        raise typer.Exit(2) from exc
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    todo = sum(1 for line in text.splitlines() if "TODO" in line)
    err.print(f"draft written to {shown(out)}: {todo} lines marked TODO to review; then "
              f"`dvpi check {shown(export)} --mapping {shown(out)}`")
