"""What the commands that compute share: checking choices, opening what the user named
(a warehouse file, or a data folder loaded into a temporary one), and resolving people
as the explicit step before computing."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from dvpi import people as person_resolution
from dvpi.warehouse import ENGINES, Backend, Warehouse, WarehouseError, open_warehouse

err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print an error (data in it is shown as text, never as markup); exit code 2."""
    err.print(f"[bold red]error:[/] {shown(message)}")
    return typer.Exit(2)


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates (which can make
# a terminal show text in another order than it is written).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> str:
    """Data as terminal-safe text: control characters shown as escapes (``\\x1b``),
    never sent to the terminal. For plain ``print``."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


def shown(value: object) -> str:
    """Data for a Rich ``print`` or table cell: control characters escaped and Rich
    markup (``[red]``) shown as the text it is, never interpreted."""
    return escape(plain(value))


def check_choices(*, people: str | None = None, engine: str | None = None) -> None:
    """Refuse an unknown method or engine before any work (loading a folder included)."""
    if people is not None:
        try:
            person_resolution.get_method(people)
        except ValueError as exc:
            raise fail(str(exc)) from None
    if engine is not None and engine not in ENGINES:
        raise fail(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")


@contextmanager
def opened_data(data: Path, as_at: dt.date | None = None) -> Iterator[Warehouse]:
    """The warehouse named by ``data``: the file itself, or a data folder loaded into a
    temporary warehouse that is removed afterwards; with ``as_at``, the warehouse file
    as it stood after its last load on or before that date, rebuilt in a temporary
    file. Anything else exits with code 2."""
    if as_at is not None:
        with _as_it_stood(data, as_at) as wh:
            yield wh
        return
    if data.is_dir():
        from dvpi.ingest import LoadError, load_dataset

        with tempfile.TemporaryDirectory(prefix="dvpi-") as tmp:
            path = Path(tmp) / "warehouse.duckdb"
            try:
                with err.status(f"loading {data} into a temporary warehouse"):
                    load_dataset(data, path)
                wh = open_warehouse(path, "write")
            except (LoadError, WarehouseError) as exc:
                raise fail(f"cannot load {data}: {exc}") from exc
            with wh:
                yield wh
        return
    if not data.exists():
        raise fail(f"no data folder or warehouse at {data}")
    try:
        wh = open_warehouse(data, "shared")
    except WarehouseError as exc:
        raise fail(str(exc)) from exc
    with wh:
        yield wh


@contextmanager
def _as_it_stood(data: Path, when: dt.date) -> Iterator[Warehouse]:
    from dvpi.ingest import LoadError
    from dvpi.ingest.history import snapshot

    if not data.is_file():
        raise fail(f"--as-at reads a warehouse's history: {data} is not a warehouse file")
    with tempfile.TemporaryDirectory(prefix="dvpi-as-at-") as tmp:
        path = Path(tmp) / "as-at.duckdb"
        try:
            with err.status(f"rebuilding {data} as it stood on {when:%Y-%m-%d}"):
                load = snapshot(data, when, path)
            wh = open_warehouse(path, "write")
        except (LoadError, WarehouseError) as exc:
            raise fail(f"{data} --as-at {when:%Y-%m-%d}: {exc}") from exc
        err.print(f"as at {when:%Y-%m-%d}: the warehouse as it stood after load "
                  f"{load.load_id} (finished {load.finished_at:%Y-%m-%d %H:%M})")
        with wh:
            yield wh


def resolve_people(wh: Warehouse, method: str) -> str:
    """The explicit step before computing: the method's links, current (resolved now if
    the latest load has none; this can take a while for ``linked``)."""
    try:
        with err.status(f"resolving people ({method})"):
            return person_resolution.ready(wh.con, method)
    except ValueError as exc:
        raise fail(str(exc)) from exc


@contextmanager
def computing(data: Path, *, people: str, engine: str, tables: tuple[str, ...],
              as_at: dt.date | None = None) -> Iterator[tuple[Warehouse, Backend, str]]:
    """Open ``data`` (as it stood ``as_at``, if given), resolve ``people``, and open
    ``engine`` on it with ``tables``: yields the warehouse, the backend and the person
    method in force."""
    check_choices(people=people, engine=engine)
    with opened_data(data, as_at) as wh:
        method = resolve_people(wh, people)
        with wh.backend(engine, tables) as backend:
            yield wh, backend, method


def login_name() -> str | None:
    """The OS login of whoever runs this command, or None when it cannot be told (a
    container without a passwd entry or LOGNAME/USER)."""
    import getpass

    try:
        name = getpass.getuser().strip()
    except Exception:  # no login name
        return None
    return name or None


def os_user() -> str:
    """Who runs this command, as the audit log names them (``os:<login>``: no dashboard
    username contains a colon)."""
    import os

    name = login_name()
    return f"os:{name}" if name else f"os:uid-{os.getuid()}"


def record_viewer() -> str:
    """The actor of a view of people's records from the command line: their OS login.
    Refused (exit 2, nothing shown) when it cannot be told: records of people are shown
    to a named person only, as on the dashboard."""
    name = login_name()
    if not name:
        raise fail("cannot tell who is running this command (no login name: set LOGNAME "
                   "or USER): people's records are shown to a named user only; nothing "
                   "shown")
    return f"os:{name}"


def export_audit(state: Path):
    """The audit log that records a command's export of record-level data.

    Opened *before* anything is written, so an export that could not be audited (no
    access to the state store or the key file) writes nothing. ``state`` is the
    dashboard's state store: ``<warehouse>.web.sqlite`` beside a warehouse, and for a
    data folder ``<folder>.web.sqlite`` beside the folder (docs/security.md).
    """
    from dvpi.web.audit import AuditLog
    from dvpi.web.state import StateStore

    try:
        return AuditLog(StateStore(state))
    except Exception as exc:  # a permission error, a broken key file ...
        raise fail(f"cannot open the audit log {state}: {exc}; nothing exported") from exc


def export_state_path(data: Path) -> Path:
    """Where the export of ``data`` (a warehouse or a data folder) is audited."""
    from dvpi.web.state import default_state_path

    return default_state_path(Path(str(data).rstrip("/")))

