"""The ``dvpi`` Typer application that every feature module registers its commands on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dvpi",
    help="Domestic-violence performance information: load, resolve, compute, publish.",
    no_args_is_help=True,
    add_completion=False,
)
