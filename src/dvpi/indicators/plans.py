"""Compiled plans, kept in memory and on disk.

Building and compiling the Ibis expressions of the whole catalogue takes seconds; the
SQL it yields depends only on the plan's shape (engine, tables and their columns,
definition, person method, whether the force and whether boroughs are asked for,
indicators) and on the code. So plans are kept per
process and in a disk cache keyed by all of that plus a hash of the indicator and
contract code and the Ibis/sqlglot versions: a change to any declaration gives new
keys, never a stale plan. ``DVPI_PLAN_CACHE`` names the folder (``off`` disables it;
default ``~/.cache/dvpi/plans``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ibis
import sqlglot


@dataclass(frozen=True)
class Plan:
    steps: tuple[tuple[str, str], ...]  # base tables to materialise: (name, SQL)
    final: str | None  # the counting query


_memory: dict[str, Plan] = {}


@cache
def code_hash() -> str:
    """The source of the indicator package, the contract (its code lists are in
    the SQL) and the engines' runners, and the versions of the SQL compilers."""
    h = hashlib.sha256(f"{ibis.__version__}|{sqlglot.__version__}".encode())
    package = Path(__file__).resolve().parents[1]
    for folder in ("indicators", "contract", "warehouse"):
        for path in sorted((package / folder).rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _folder() -> Path | None:
    setting = os.environ.get("DVPI_PLAN_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "dvpi" / "plans"


def digest(key: tuple) -> str:
    return hashlib.sha256(f"{code_hash()}|{key!r}".encode()).hexdigest()


def get(key: tuple) -> Plan | None:
    name = digest(key)
    if name in _memory:
        return _memory[name]
    folder = _folder()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    plan = Plan(tuple((s[0], s[1]) for s in data["steps"]), data["final"])
    _memory[name] = plan
    return plan


def put(key: tuple, plan: Plan) -> None:
    name = digest(key)
    _memory[name] = plan
    folder = _folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"steps": plan.steps, "final": plan.final}, f)
        os.replace(tmp, folder / f"{name}.json")
    except OSError:
        pass  # a read-only home only costs the next process a rebuild


def clear_memory() -> None:
    _memory.clear()
