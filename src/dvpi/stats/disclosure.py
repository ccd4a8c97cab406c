"""Statistical disclosure control for everything dvpi publishes to the public.

The rules (``--audience public``):

* **Primary suppression.** A count cell with ``0 < n < threshold`` is suppressed. Zero is
  published: "nobody" identifies no one, and hiding zeros would hide most of a small table.
* **Secondary suppression.** Published figures are tied together by identities: a
  breakdown's cells add up to its total, ``dv_incidents = dv_crimes + dv_non_crimes``, a
  rate's numerator is another indicator's count, the force is the sum of its boroughs.
  Whenever an identity has exactly one suppressed member, the smallest other member is
  suppressed too; then a linear-algebra audit checks that no primary cell is determined by
  the published figures through *all* identities together, and suppresses more until none is.
* **Rates.** A rate (or per-100 / per-1,000 / per-10,000 figure) is suppressed when its
  numerator or denominator is, because ``value x denominator`` gives the numerator back;
  its Wilson interval goes with it. A rate per key (satisfaction by element) and the two
  rates of a gap are treated the same way key by key: their numerators, which ``rate x n``
  gives back, are counts like any other.
* **Medians.** A median of whole days is suppressed with its ``n`` (fewer than the
  threshold values: one person's bail or wait could be read off it).
* **Anything else.** An entry whose fields are not exactly one of those shapes is withheld
  whole: a figure this module does not understand is never published unprotected.

Suppressed cells become ``None`` and are listed under the figure's ``"suppressed"`` key, so
every renderer can mark them (:data:`MARK`). The functions here take and return plain
engine result dicts (the JSON of ``dvpi indicators``); they never touch the warehouse.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import null_space

from dvpi.indicators.model import Diff, Ref, Sum
from dvpi.indicators.registry import INDICATORS

# Who a publication is for: "public" gets statistical disclosure control.
AUDIENCES: tuple[str, ...] = ("internal", "public")
DEFAULT_THRESHOLD = 5
MARK = "[c]"
# The rule in full, stated on every page of a publication that applies it.
RULE = (
    "Disclosure control: counts from 1 to {below} are suppressed and shown as [c]; where a "
    "suppressed figure could be worked out from a total, from another figure it equals or "
    "from the force's sum over boroughs, further figures are suppressed so that it cannot "
    "be; a rate is suppressed when its numerator or denominator is."
)
NOTE = (
    "[c] = suppressed: fewer than {threshold}, or withheld so that a suppressed figure "
    "cannot be worked out from the totals."
)

# A cell of one result dict: (indicator id, field) where field is "value", "numerator",
# "denominator", "total" or "values.<key>". Across several result dicts the scope index
# is prepended.
Cell = tuple[int, str, str]

# A breakdown whose total is not the sum of its values (precise rule 1), from the registry.
NON_ADDITIVE_BREAKDOWNS: frozenset[str] = frozenset(
    i.id for i in INDICATORS if i.unit == "breakdown" and not i.additive)


class DisclosureError(RuntimeError):
    """A figure cannot be protected: nothing is written rather than something unsafe."""


@dataclass
class Protection:
    """The outcome of disclosure control over a set of result dicts."""

    results: list[dict]
    threshold: int
    primary: set[Cell] = field(default_factory=set)
    secondary: set[Cell] = field(default_factory=set)
    # What a reader knows: every cell's true value and the identities between them (kept
    # so that tests can attack the published figures).
    cells: dict[Cell, float | None] = field(default_factory=dict, repr=False)
    identities: list = field(default_factory=list, repr=False)

    @property
    def suppressed(self) -> set[Cell]:
        return self.primary | self.secondary


def is_primary(value: float | None, threshold: int) -> bool:
    """A count below the threshold, other than zero, is disclosive."""
    return value is not None and 0 < value < threshold


# --- the core: cells, identities, suppression -------------------------------------------


def suppress_cells(
    cells: dict[object, float | None],
    identities: Iterable[tuple[object, Sequence[object]]],
    threshold: int = DEFAULT_THRESHOLD,
    signed: Iterable[object] = (),
) -> tuple[set, set]:
    """Primary and secondary suppression over any cells tied by sum identities.

    ``cells`` maps a cell to its count (None = not published at all); each identity
    ``(whole, parts)`` states ``cells[whole] == sum(cells[p] for p in parts)``. Returns
    ``(primary, secondary)``: after it, no identity has exactly one suppressed member and
    no primary cell is determined by the published cells through all identities together.
    """
    equations = [
        (whole, tuple(parts)) for whole, parts in identities
        if whole in cells and all(p in cells for p in parts)
        and cells[whole] is not None and all(cells[p] is not None for p in parts)
    ]
    primary = {c for c, v in cells.items() if is_primary(v, threshold)}
    signed = set(signed)  # differences: may be negative, so never pinned to zero
    suppressed = set(primary)
    hopeless: set = set()  # determined even with everything around them hidden
    touching: dict[object, list[int]] = {}  # cell -> the equations it is a member of
    for i, eq in enumerate(equations):
        for c in _members(eq):
            touching.setdefault(c, []).append(i)
    while True:
        _close_single_gaps(cells, equations, suppressed)
        exposed = [c for c in _determined(primary, suppressed, equations, cells, signed)
                   if c not in hopeless]
        if not exposed:
            break
        for cell in exposed:
            if not _widen(cell, cells, equations, suppressed, touching):
                hopeless.add(cell)
    if hopeless:
        raise DisclosureError(f"cannot protect {sorted(hopeless, key=str)[:5]}")
    return primary, suppressed - primary


def _members(eq: tuple[object, tuple]) -> tuple:
    return (eq[0], *eq[1])


def _smallest_unsuppressed(eq, cells, suppressed):
    whole, parts = eq
    # Prefer a part over the whole: hiding a total loses more information.
    for group in (parts, (whole,)):
        free = [c for c in group if c not in suppressed]
        if free:
            # A zero partner protects little (it may be pinned to 0 elsewhere): prefer
            # the smallest non-zero cell.
            return min(free, key=lambda c: (cells[c] == 0, cells[c], str(c)))
    return None


def _close_single_gaps(cells, equations, suppressed) -> None:
    changed = True
    while changed:
        changed = False
        for eq in equations:
            members = _members(eq)
            if len(members) < 2:
                continue
            hidden = [c for c in members if c in suppressed]
            if len(hidden) == 1:
                extra = _smallest_unsuppressed(eq, cells, suppressed)
                if extra is not None:
                    suppressed.add(extra)
                    changed = True


def _pinned_to_zero(cells, suppressed: set, equations, signed: set) -> set:
    """Hidden cells a reader knows are 0: counts are not negative, so when an identity's
    hidden members all sit on one side and the published ones leave nothing over, every
    one of them is 0. Repeated until nothing more follows."""
    known: set = set()
    changed = True
    while changed:
        changed = False
        for whole, parts in equations:
            hidden_parts = [p for p in parts if p in suppressed and p not in known]
            whole_hidden = whole in suppressed and whole not in known
            if whole_hidden or not hidden_parts or any(p in signed for p in hidden_parts):
                continue
            rest = cells[whole] - sum(cells[p] for p in parts if p not in hidden_parts)
            if abs(rest) < 1e-9:
                known.update(hidden_parts)
                changed = True
    return known


def _components(equations, hidden: set) -> list[list]:
    """Identities grouped so that two share a group when they share a hidden cell."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, eq in enumerate(equations):
        for c in _members(eq):
            if c in hidden:
                parent[find(("eq", i))] = find(c)
    groups: dict = {}
    for i, eq in enumerate(equations):
        if any(c in hidden for c in _members(eq)):
            groups.setdefault(find(("eq", i)), []).append(eq)
    return list(groups.values())


def _determined(primary: set, suppressed: set, equations, cells, signed: set) -> list:
    """Primary cells whose value follows from the published cells.

    First the cells pinned to zero by non-negativity; then linear algebra: with the
    identities restricted to the other hidden cells as a matrix A (the published cells move
    to the right-hand side), a cell is determined exactly when its unit vector lies in A's
    row space, i.e. when the null space of A is zero on that cell. Done per connected group
    of identities, which keeps the matrices small.
    """
    zeros = _pinned_to_zero(cells, suppressed, equations, signed)
    exposed = {c for c in primary if c in zeros}
    unknown_set = suppressed - zeros
    for group in _components(equations, unknown_set):
        unknowns = sorted({c for eq in group for c in _members(eq) if c in unknown_set},
                          key=str)
        if not primary.intersection(unknowns):
            continue
        index = {c: i for i, c in enumerate(unknowns)}
        matrix = np.zeros((len(group), len(unknowns)))
        for row, (whole, parts) in enumerate(group):
            if whole in index:
                matrix[row, index[whole]] += 1.0
            for p in parts:
                if p in index:
                    matrix[row, index[p]] -= 1.0
        null = null_space(matrix)
        free = np.linalg.norm(null, axis=1) if null.size else np.zeros(len(unknowns))
        exposed |= {c for c in primary if c in index and free[index[c]] < 1e-9}
    return sorted(exposed, key=str)


def _widen(cell, cells, equations, suppressed, touching: dict[object, list[int]]) -> bool:
    """Suppress one more cell so that ``cell`` is no longer pinned down.

    First in an identity that holds ``cell``; when all of those are hidden already, the
    cell is pinned through a chain of identities: follow the chain (breadth first) to the
    nearest identity with a published member.
    """
    seen_cells, frontier, seen_eqs = {cell}, [cell], set()
    while frontier:
        candidates, nxt = [], []
        # The equations holding a frontier cell, in equation order (as a full scan
        # would visit them: the choice of cell to hide must not depend on the index).
        for i in sorted({i for c in frontier for i in touching.get(c, ())}):
            if i in seen_eqs:
                continue
            eq = equations[i]
            seen_eqs.add(i)
            extra = _smallest_unsuppressed(eq, cells, suppressed)
            if extra is not None:
                candidates.append(extra)
            nxt += [c for c in _members(eq) if c not in seen_cells]
        if candidates:
            suppressed.add(min(candidates, key=lambda c: (cells[c] == 0, cells[c], str(c))))
            return True
        seen_cells.update(nxt)
        frontier = nxt
    return False


# --- engine result dicts ------------------------------------------------------------------

# Fields of an entry that are not figures.
META_FIELDS: frozenset[str] = frozenset({"method", "unavailable", "suppressed"})
_BY_ID = {i.id: i for i in INDICATORS}
# How each unit's entry is shaped (``indicators.model``: the units and their output).
_SHAPE_OF_UNIT = {"count": "count", "breakdown": "breakdown", "median": "median",
                  "rates": "rates", "gap": "gap", "rate": "rate", "per_100": "rate",
                  "per_1000": "rate", "per_10000": "rate"}


def _gap_keys(ind_id: str) -> tuple[str, str]:
    a, b = _BY_ID[ind_id].keys
    return a, b


def shape_of(ind_id: str, entry: dict) -> str | None:
    """The shape of an available entry (count, breakdown, rate, median, rates, gap), or
    None when its fields are not exactly those of a shape this module protects: such an
    entry is withheld whole, never published unprotected. An id outside the registry (a
    figure a report makes itself) is judged by its fields alone."""
    fields = set(entry) - META_FIELDS
    ind = _BY_ID.get(ind_id)
    if ind is not None:
        shape = _SHAPE_OF_UNIT.get(ind.unit)
    elif fields == {"values", "total"}:
        shape = "breakdown"
    elif fields in ({"value", "numerator", "denominator"},
                    {"value", "numerator", "denominator", "ci95"}):
        shape = "rate"
    elif fields == {"value"}:
        shape = "count"
    else:
        return None
    expected = {
        "count": ({"value"},),
        "breakdown": ({"values", "total"},),
        "rate": ({"value", "numerator", "denominator"},
                 {"value", "numerator", "denominator", "ci95"}),
        "median": ({"value", "n"},),
        "rates": ({"values", "n"},),
    }
    if shape == "gap":
        a, b = _gap_keys(ind_id)
        expected["gap"] = ({"value", f"{a}_rate", f"{b}_rate", f"{a}_n", f"{b}_n"},)
    if shape is None or fields not in expected[shape]:
        return None
    if shape in ("breakdown", "rates") and not all(
            isinstance(entry[f], dict) for f in fields if f in ("values", "n")):
        return None
    return shape


def _headline_field(ind_id: str, entry: dict) -> str:
    """The count an identity means by the bare id: a breakdown's total, a median's n (how
    many values it is the median of), else the value."""
    shape = shape_of(ind_id, entry)
    return {"breakdown": "total", "median": "n"}.get(shape or "", "value")


def _derived_numerator(rate: float | None, n: float | None) -> float | None:
    """A keyed rate's numerator, which ``rate × n`` gives back to any reader."""
    if rate is None or n is None:
        return None
    return float(round(rate * n))


def _entry_cells(ind_id: str, entry: dict, shape: str) -> dict[str, float | None]:
    """The counts an entry publishes, or that a reader can work out from it, by field."""
    if shape == "count":
        return {"value": entry.get("value")}
    if shape == "breakdown":
        cells = {f"values.{k}": v for k, v in entry["values"].items()}
        return {**cells, "total": entry.get("total")}
    if shape == "rate":
        return {"numerator": entry.get("numerator"), "denominator": entry.get("denominator")}
    if shape == "median":
        return {"n": entry.get("n")}
    if shape == "rates":
        cells: dict[str, float | None] = {}
        for k, n in entry["n"].items():
            cells[f"n.{k}"] = n
            cells[f"numerator.{k}"] = _derived_numerator(entry["values"].get(k), n)
        return cells
    a, b = _gap_keys(ind_id)  # a gap
    return {f"n.{k}": entry.get(f"{k}_n") for k in (a, b)} | {
        f"numerator.{k}": _derived_numerator(entry.get(f"{k}_rate"), entry.get(f"{k}_n"))
        for k in (a, b)}


def _result_cells(scope: int, result: dict) -> dict[Cell, float | None]:
    cells: dict[Cell, float | None] = {}
    for ind_id, entry in result.get("indicators", {}).items():
        if entry.get("unavailable"):
            continue
        shape = shape_of(ind_id, entry)
        if shape is None:
            continue  # withheld whole by _apply
        for fld, v in _entry_cells(ind_id, entry, shape).items():
            cells[(scope, ind_id, fld)] = v
    return cells


def _resolve(scope: int, ref: str, result: dict) -> Cell | None:
    ind_id, _, rest = ref.partition(".")
    entry = result.get("indicators", {}).get(ind_id)
    if entry is None or entry.get("unavailable") or shape_of(ind_id, entry) is None:
        return None
    return (scope, ind_id, rest or _headline_field(ind_id, entry))


def _scope_identities(scope: int, result: dict, declared) -> list[tuple[Cell, tuple[Cell, ...]]]:
    identities = []
    for ind_id, entry in result.get("indicators", {}).items():
        if (not entry.get("unavailable") and shape_of(ind_id, entry) == "breakdown"
                and ind_id not in NON_ADDITIVE_BREAKDOWNS):
            parts = tuple((scope, ind_id, f"values.{k}") for k in entry["values"])
            identities.append(((scope, ind_id, "total"), parts))
    for whole_ref, part_refs in declared:
        whole = _resolve(scope, whole_ref, result)
        parts = tuple(_resolve(scope, p, result) for p in part_refs)
        if whole is not None and None not in parts:
            identities.append((whole, parts))
    return identities


def _holds(cells: dict, whole, parts) -> bool:
    values = [cells.get(whole), *(cells.get(p) for p in parts)]
    if any(v is None for v in values):
        return False
    return abs(values[0] - sum(values[1:])) < 1e-9


def _sum_identities(results: Sequence[dict], cells: dict, whole: int, parts: Sequence[int]):
    """Scope ``whole`` is the sum of scopes ``parts`` (the force of its boroughs, a year of
    its weeks), for each cell where that holds in the data: distinct-person counts and
    anything not additive drop out by themselves."""
    identities = []
    for (scope, ind_id, fld) in [c for c in cells if c[0] == whole]:
        members = tuple((s, ind_id, fld) for s in parts)
        if all(p in cells for p in members) and _holds(cells, (scope, ind_id, fld), members):
            identities.append(((scope, ind_id, fld), members))
    return identities


def signed_fields() -> frozenset[str]:
    """``id.field`` of every figure declared as a difference (``Diff``): it may be negative."""
    return frozenset(f"{i.id}.{name}" for i in INDICATORS for name, part in i.parts().items()
                     if isinstance(part, Diff))


def _ref_text(r: Ref) -> str:
    return f"{r.id}.values.{r.key}" if r.key else r.id


def _own(indicator_id: str, field: str) -> str:
    """A ref to one of an indicator's own fields; the headline is the bare id."""
    return indicator_id if field in ("", "value", "total") else f"{indicator_id}.{field}"


def registry_identities() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every identity between the figures of one scope, as ``(whole, parts)`` refs
    ("id" = a headline, "id.numerator", "id.values.<key>"), in catalogue order.

    Two sources, both in the registry: what the declarations compute (a rate's numerator
    is another indicator's count; ``Sum`` and ``Diff`` parts) and what each indicator
    declares the data obeys besides (``Indicator.identities``, e.g. ``dv_incidents =
    dv_crimes + dv_non_crimes``). A breakdown's own total = sum of values is added per result.
    """
    found: list[tuple[str, tuple[str, ...]]] = []
    for ind in INDICATORS:
        for name, part in ind.parts().items():
            if name == "values":
                continue
            own = _own(ind.id, name)
            if isinstance(part, Ref):
                found.append((own, (_ref_text(part),)))
            elif isinstance(part, Sum) and all(isinstance(p, Ref) for p in part.parts):
                found.append((own, tuple(_ref_text(p) for p in part.parts)))
            elif isinstance(part, Diff) and isinstance(part.left, Ref) and isinstance(
                    part.right, Ref):
                found.append((_ref_text(part.left), (own, _ref_text(part.right))))
        found += [(_own(ind.id, idn.field), idn.parts) for idn in ind.identities]
    return tuple(dict.fromkeys(found))


# Figures that are another period's figure ("the period of the same length just before"),
# and every figure made from one. Published with a period, they tie it to the period
# before, which is protected on its own: a cell withheld in one could be read off the
# other. Output protected period by period (the dashboard) withholds them.
_OTHER_PERIOD_BASE = ("dv_gbh_with_intent_previous",)


def _refs(part) -> set[str]:
    if isinstance(part, Ref):
        return {part.id}
    if isinstance(part, Sum):
        return set().union(*(_refs(p) for p in part.parts))
    if isinstance(part, Diff):
        return _refs(part.left) | _refs(part.right)
    return set()


def other_period_ids() -> frozenset[str]:
    """``_OTHER_PERIOD_BASE`` and every indicator computed from one of them."""
    found = set(_OTHER_PERIOD_BASE)
    changed = True
    while changed:
        changed = False
        for ind in INDICATORS:
            if ind.id not in found and any(_refs(p) & found for p in ind.parts().values()):
                found.add(ind.id)
                changed = True
    return frozenset(found)


OTHER_PERIOD_NOTE = ("not published to this audience: it is another period's figure "
                     "(see that period)")


def withhold_other_periods(result: dict) -> dict:
    """A copy of ``result`` with the figures of another period marked unavailable (and
    their targets without an actual), for output protected one period at a time."""
    out = copy.deepcopy(result)
    ids = other_period_ids()
    for ind_id in ids & set(out.get("indicators", {})):
        out["indicators"][ind_id] = {"unavailable": OTHER_PERIOD_NOTE}
    for ind_id in ids & set(out.get("targets", {})):
        out["targets"][ind_id].update(actual=None, met=None, suppressed=True)
    return out


WHOLE_SCOPES = ("force", "national")  # every row of a one-force / several-force data set


def _is_whole_then_parts(batch: Sequence[dict]) -> bool:
    """A list that starts with a whole and goes on with its parts: the force (or the
    nation) then boroughs or forces, or one force then its boroughs ("FORCE / BOROUGH")."""
    if len(batch) < 2:
        return False
    first = batch[0].get("scope")
    rest = [r.get("scope") for r in batch[1:]]
    if first in WHOLE_SCOPES:
        return all(s not in WHOLE_SCOPES for s in rest)
    return isinstance(first, str) and all(
        isinstance(s, str) and s.startswith(f"{first} / ") for s in rest)


def protect(
    results: dict | Sequence[dict], threshold: int = DEFAULT_THRESHOLD, *,
    sums: Sequence[tuple[int, Sequence[int]]] | None = None,
    links: Sequence[tuple[Cell, Cell]] = (),
) -> Protection:
    """Apply disclosure control to result dicts protected together.

    ``results`` is one engine result dict or a list of them. ``sums`` says which results
    add up to which (``(whole, parts)`` by position); by default, a list that starts with
    the force (or the nation) followed by boroughs or forces, or a force followed by its
    boroughs, is read as whole = sum of parts. ``links`` ties
    single cells of different results that are equal (e.g. this year's
    ``dv_gbh_with_intent_previous`` and last year's ``dv_gbh_with_intent``).

    Returns copies: suppressed cells are ``None`` and named in the entry's
    ``"suppressed"`` list (fields ``value``, ``numerator``, ``denominator``, ``total``,
    ``values.<key>``); a target whose actual is suppressed loses its actual too.
    """
    single = isinstance(results, dict)
    batch = [results] if single else list(results)
    cells: dict[Cell, float | None] = {}
    for i, r in enumerate(batch):
        cells.update(_result_cells(i, r))
    declared = registry_identities()
    identities = [idn for i, r in enumerate(batch) for idn in _scope_identities(i, r, declared)]
    identities += [(a, (b,)) for a, b in links]
    identities = [idn for idn in identities if _holds(cells, *idn)]
    if sums is None:
        sums = [(0, list(range(1, len(batch))))] if _is_whole_then_parts(batch) else []
    for whole, parts in sums:
        identities += _sum_identities(batch, cells, whole, parts)
    signed_names = signed_fields()
    signed = {c for c in cells if f"{c[1]}.{c[2]}" in signed_names}
    primary, secondary = suppress_cells(cells, identities, threshold, signed)
    hidden_in: dict[int, dict[str, list[str]]] = {}  # scope -> indicator -> fields
    for scope, ind_id, fld in primary | secondary:
        hidden_in.setdefault(scope, {}).setdefault(ind_id, []).append(fld)
    protected = [_apply(r, hidden_in.get(i, {})) for i, r in enumerate(batch)]
    return Protection(protected, threshold, primary, secondary, cells, identities)


def _shown_fields(ind_id: str, entry: dict, shape: str | None,
                  cells: list[str]) -> list[str]:
    """The published fields to withhold, given the cells suppressed: a rate goes with
    its numerator or denominator (value × denominator gives the numerator back), and so
    does its interval; a median with its n; a keyed rate with its numerator or n."""
    if shape is None:  # not understood: nothing of it is published
        return sorted(f for f in entry if f not in META_FIELDS)
    if not cells:
        return []
    if shape in ("count", "breakdown"):
        return sorted(cells)
    if shape == "rate":
        return sorted({*cells, "value", *(("ci95",) if "ci95" in entry else ())})
    if shape == "median":
        return ["n", "value"]
    hidden: set[str] = set()
    for cell in cells:
        part, _, key = cell.partition(".")
        if shape == "rates":
            hidden.add(f"values.{key}")
            if part == "n":
                hidden.add(f"n.{key}")
        else:  # a gap: the group's rate, and the gap made from it
            hidden.update({f"{key}_rate", "value"})
            if part == "n":
                hidden.add(f"{key}_n")
    return sorted(hidden)


def _withhold(entry: dict, fld: str) -> None:
    head, _, key = fld.partition(".")
    if key and isinstance(entry.get(head), dict):
        entry[head][key] = None
    elif isinstance(entry.get(fld), dict):
        entry[fld] = dict.fromkeys(entry[fld])
    else:
        entry[fld] = None


def _apply(result: dict, by_indicator: dict[str, list[str]]) -> dict:
    """One scope's result with the fields ``by_indicator`` suppressed."""
    out = copy.deepcopy(result)
    for ind_id, entry in out.get("indicators", {}).items():
        if entry.get("unavailable"):
            continue
        shape = shape_of(ind_id, entry)
        hidden = _shown_fields(ind_id, entry, shape, sorted(by_indicator.get(ind_id, ())))
        for fld in hidden:
            _withhold(entry, fld)
        if hidden:
            entry["suppressed"] = hidden
    for ind_id, target in out.get("targets", {}).items():
        entry = out.get("indicators", {}).get(ind_id, {})
        headline = _headline_field(ind_id, entry) if entry else "value"
        if entry.get("suppressed") and (headline in entry["suppressed"] or "value" in
                                         entry["suppressed"]):
            target["actual"] = None
            target["suppressed"] = True
    return out


def is_suppressed(entry: dict, fld: str = "value") -> bool:
    return fld in entry.get("suppressed", ())


def recoverable_cells(values: dict[str, float | None], total: float | None) -> list[str]:
    """Keys of suppressed cells that ``total - sum(published)`` would give back exactly.

    The check a reader with a calculator makes: with the total published and exactly one
    cell hidden, that cell is the difference. Used by the tests and by ``dvpi report`` as a
    last guard before writing public output.
    """
    hidden = [k for k, v in values.items() if v is None]
    if total is None or len(hidden) != 1:
        return []
    return hidden
