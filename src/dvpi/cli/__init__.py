"""The ``dvpi`` command: a thin layer over the library.

Each feature registers its commands from its own module, so the CLI grows one file
per feature and never knows how anything is computed.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dvpi",
    help="Domestic-violence performance information: load, resolve, compute, publish.",
    no_args_is_help=True,
    add_completion=False,
)

# Feature modules register their commands on `app` when imported.
from dvpi.cli import indicators as _indicators  # noqa: E402,F401
from dvpi.cli import load as _load  # noqa: E402,F401
from dvpi.cli import people as _people  # noqa: E402,F401
from dvpi.cli import publish as _publish  # noqa: E402,F401
from dvpi.cli import synth as _synth  # noqa: E402,F401
from dvpi.cli import web as _web  # noqa: E402,F401

__all__ = ["app"]
