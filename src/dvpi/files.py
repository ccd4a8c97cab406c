"""Files that hold personal data or secrets: readable by their owner only.

The warehouse, the dashboard's state store, key files, the audit head, RESTRICTED
workbooks and the quarantine export all name or describe victims, or hold a secret.
Every one is created ``0600`` and every folder made for them ``0700``. This module
imports nothing of dvpi, so any layer may use it.

A folder that already exists (the current directory, ``/tmp``) is never changed: only
the folders these helpers create are made private.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | Path) -> Path:
    """Make ``path`` (and missing parents) with mode 0700; an existing folder is left."""
    path = Path(path)
    if path.exists():
        return path
    private_dir(path.parent)
    path.mkdir(mode=DIR_MODE, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: str | Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing, else restrict it to 0600."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


def restrict(path: str | Path) -> Path:
    """An existing file (written by a library that chose its own mode) to 0600."""
    path = Path(path)
    os.chmod(path, FILE_MODE)
    return path


def write_private(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (a 0600 temporary file renamed over it)."""
    path = Path(path)
    private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def append_private(path: str | Path, line: str) -> Path:
    """Append one line to ``path``, creating it 0600."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(line.rstrip("\n") + "\n")
        f.flush()
        os.fsync(f.fileno())
    return path


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside (by any library) are owner-only.

    The umask is per process: use it in the command line, not in a server thread.
    """
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def is_private(path: str | Path) -> bool:
    """True when neither group nor others have any permission on ``path``."""
    return (Path(path).stat().st_mode & 0o077) == 0
