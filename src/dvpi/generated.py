"""Docs written by code: regenerate a file from a ``render`` function, or check it.

``docs/methodology.md`` (from the indicator registry) and the data dictionary of
``docs/data-format.md`` (from the contract) are both made this way; a test fails when
either is stale. This module imports nothing of dvpi, so any layer may use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

# render(existing text, or None when the file is missing) -> the file's new text
Render = Callable[[str | None], str]


def _existing(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def is_current(path: Path, render: Render) -> bool:
    """Whether ``path`` is what ``render`` would write."""
    existing = _existing(path)
    return existing is not None and render(existing) == existing


def write(path: Path, render: Render) -> bool:
    """Regenerate ``path``; True when it changed."""
    existing = _existing(path)
    text = render(existing)
    if text == existing:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str], path: Path, render: Render, module: str) -> int:
    """``python -m MODULE``: write the file; with ``--check``, exit 1 when stale."""
    if "--check" in argv:
        if is_current(path, render):
            return 0
        print(f"{path} is stale: run python -m {module}", file=sys.stderr)
        return 1
    print(f"{path}: {'written' if write(path, render) else 'already up to date'}")
    return 0
