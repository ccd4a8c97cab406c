"""docs/architecture.md stays true: it names every package, and its "imports" column
lists every dvpi package each one really imports (so the layering it shows is the
layering the code has)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "dvpi"
DOC = ROOT / "docs" / "architecture.md"


def packages() -> list[str]:
    return sorted(p.name for p in SRC.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists())


def real_imports() -> dict[str, set[str]]:
    """For each top-level package, the other dvpi packages its modules import."""
    found: dict[str, set[str]] = {p: set() for p in packages()}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "dvpi" and len(bits) > 1 and bits[1] in found \
                        and bits[1] != parts[0]:
                    found[parts[0]].add(bits[1])
    return found


def documented() -> dict[str, set[str]]:
    """The package table: | `name/` | what | imports |."""
    rows = re.findall(r"^\| `(\w+)/` \| .* \| (.*) \|$", DOC.read_text(), flags=re.M)
    out: dict[str, set[str]] = {}
    for name, imports in rows:
        out[name] = set(re.findall(r"\b([a-z_]+)\b", imports)) & set(packages())
    return out


def test_every_package_is_on_the_page():
    assert set(packages()) <= set(documented()), (
        f"not in docs/architecture.md: {sorted(set(packages()) - set(documented()))}")
    for engine in ("duckdb", "spark"):
        assert f"`warehouse/{engine}/`" in DOC.read_text()


def test_the_page_lists_what_each_package_imports():
    doc = documented()
    for package, used in real_imports().items():
        missing = used - doc[package]
        assert not missing, (
            f"{package}/ imports {sorted(missing)}, which docs/architecture.md does not "
            "list: add it there if the layering allows it, or move the code")
