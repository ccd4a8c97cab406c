"""What the commands that compute share: checking choices, opening what the user named
(a warehouse file, or a data folder loaded into a temporary one), and resolving people
as the explicit step before computing."""

from __future__ import annotations

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
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(2)


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
def opened_data(data: Path) -> Iterator[Warehouse]:
    """The warehouse named by ``data``: the file itself, or a data folder loaded into a
    temporary warehouse that is removed afterwards. Anything else exits with code 2."""
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


def resolve_people(wh: Warehouse, method: str) -> str:
    """The explicit step before computing: the method's links, current (resolved now if
    the latest load has none; this can take a while for ``linked``)."""
    try:
        with err.status(f"resolving people ({method})"):
            return person_resolution.ready(wh.con, method)
    except ValueError as exc:
        raise fail(str(exc)) from exc


@contextmanager
def computing(data: Path, *, people: str, engine: str,
              tables: tuple[str, ...]) -> Iterator[tuple[Warehouse, Backend, str]]:
    """Open ``data``, resolve ``people``, and open ``engine`` on it with ``tables``:
    yields the warehouse, the backend and the person method in force."""
    check_choices(people=people, engine=engine)
    with opened_data(data) as wh:
        method = resolve_people(wh, people)
        with wh.backend(engine, tables) as backend:
            yield wh, backend, method
