"""``python -m dvpi``: the same command as ``dvpi`` (for a venv whose scripts are not on PATH)."""

from dvpi.cli import app

app(prog_name="dvpi")
