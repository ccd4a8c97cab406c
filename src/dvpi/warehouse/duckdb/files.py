"""The warehouse file: opening it, and telling when a load has replaced it.

DuckDB allows one writing process or many reading ones. The loader never writes to
the live file: it builds the next version in a copy and renames it into place, so a
reader (the dashboard) opening the file read-only always sees a whole load.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from dvpi.warehouse.base import WarehouseError

DEFAULT_WAREHOUSE = Path("dvpi.duckdb")
# How much memory DuckDB may use (a size, e.g. "8GB"): past it, it spills to disk. Unset,
# the warehouse has DuckDB's default (80% of the machine) and person resolution a share
# of its own (``dvpi.warehouse.duckdb.splink_memory_limit``).
MEMORY_ENV = "DVPI_MEMORY_LIMIT"
_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)
# Every DuckDB database file carries this at byte 8 (its storage header).
_MAGIC = b"DUCK"


def memory_limit() -> str | None:
    """The memory limit given in DVPI_MEMORY_LIMIT, if any (checked: a size)."""
    given = os.environ.get(MEMORY_ENV, "").strip()
    if not given:
        return None
    if not _SIZE.fullmatch(given):
        raise WarehouseError(f"{MEMORY_ENV}={given!r} is not a size such as 8GB or 512MB")
    return given


def check_file(path: Path) -> None:
    """Refuse, in plain words, what cannot be a warehouse (before DuckDB tries)."""
    if path.is_dir():
        raise WarehouseError(f"{path} is a folder, not a warehouse file")
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `dvpi load DATA --warehouse {path}`")
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError as exc:
        raise WarehouseError(f"cannot read warehouse {path}: {exc.strerror}") from exc
    if head[8:12] != _MAGIC:
        raise WarehouseError(f"{path} is not a dvpi warehouse (not a DuckDB database file)")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file (created when missing, unless ``read_only``)."""
    path = Path(path)
    if read_only or (path.exists() and path.stat().st_size > 0):
        check_file(path)
    try:
        limit = memory_limit()
        return duckdb.connect(str(path), read_only=read_only,
                              config={"memory_limit": limit} if limit else {})
    except duckdb.Error as exc:  # e.g. locked by a writer, or a newer storage version
        raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc


def connect_shared(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open for writing if possible, else read only (another process, e.g. the dashboard,
    holds the write lock): derived tables then go to the connection's temporary schema."""
    check_file(Path(path))
    try:
        return connect(path)
    except WarehouseError:
        return connect(path, read_only=True)


def warehouse_version(path: str | Path) -> tuple[int, int, int]:
    """Changes whenever a load replaces the file: (inode, size, mtime in ns)."""
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)
