"""The synthetic-data generator's shape: a pipeline of small steps over one state object,
in modules without import cycles."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

import dvpi.synth
from dvpi.synth.pipeline import STEPS, run
from dvpi.synth.profile import load_profile
from dvpi.synth.state import SynthState
from dvpi.synth.tables import TABLE_ORDER
from dvpi.synth.v2_inputs import V2_TABLE_ORDER

PACKAGE = "dvpi.synth"
PACKAGE_DIR = Path(dvpi.synth.__file__).parent
MAX_STEP_LINES = 80


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that ``path`` imports, anywhere in it (function-level
    imports too: a lazy import is how a cycle hides). ``from pkg import name`` counts as
    importing pkg.name when that is a module, else pkg itself."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_synth_package_has_no_import_cycles():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert "dvpi.synth.pipeline" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_module_of_the_package_imports_the_package_itself():
    # The package's __init__ is the public face; modules below it import each other.
    modules = _modules()
    offenders = [name for name, path in modules.items()
                 if name != PACKAGE and PACKAGE in _imports(path, modules)]
    assert offenders == []


def test_step_modules_do_not_import_each_other():
    # They share data only through the state, so any order of modules stays acyclic.
    modules = _modules()
    step_modules = {step.__module__ for step in STEPS}
    for name in step_modules:
        assert not (_imports(modules[name], modules) & step_modules), name


def test_steps_are_small_named_functions_taking_the_state():
    names = [step.__name__ for step in STEPS]
    assert len(set(names)) == len(names)
    for step in STEPS:
        assert step.__module__.startswith(PACKAGE + "."), step
        params = list(inspect.signature(step).parameters)
        assert params == ["state"], (step.__name__, params)
        lines = len(inspect.getsource(step).splitlines())
        assert lines < MAX_STEP_LINES, (step.__name__, lines)


def test_state_fields_are_not_abbreviated():
    abbreviations = {"rep", "vr", "sr", "vp", "ppl", "acc", "inv", "per", "out", "un", "fa"}
    fields = {f.name for f in dataclasses.fields(SynthState)}
    assert not fields & abbreviations


@pytest.fixture(scope="module")
def observed():
    seen: list[tuple[str, int]] = []
    state = run(load_profile(scale=0.02), seed=7,
                after_step=lambda step, st: seen.append((step.__name__, id(st))))
    return state, seen


def test_steps_run_in_the_declared_order_with_one_state(observed):
    state, seen = observed
    assert [name for name, _ in seen] == [step.__name__ for step in STEPS]
    assert {ident for _, ident in seen} == {id(state)}
    assert isinstance(state, SynthState)
    assert tuple(state.tables) == (*TABLE_ORDER, *V2_TABLE_ORDER)
    assert len(state.truth) == len(state.tables["people"])


def test_a_prefix_of_the_steps_leaves_a_partial_state():
    # Each step builds on the ones before: the victims' steps alone plan the persons.
    first_reports_step = next(i for i, s in enumerate(STEPS) if s.__module__.endswith("reports"))
    state = run(load_profile(scale=0.02), seed=7, steps=STEPS[:first_reports_step])
    assert len(state.victim_persons) > 0 and len(state.victim_units) > 0
    assert state.reports.empty and state.tables == {}
