"""The ``dvpi`` command: a thin layer over the library.

Each feature registers its commands from its own module on :data:`dvpi.cli.application.app`,
so the CLI grows one file per feature and never knows how anything is computed.
"""

from __future__ import annotations

from dvpi.cli import indicators, load, mapping, people, publish, synth, web, worklists
from dvpi.cli.application import app

__all__ = ["app", "indicators", "load", "mapping", "people", "publish", "synth", "web",
           "worklists"]
