"""Statistical disclosure control for everything dvpi publishes to the public.

The rules (``--audience public``):

* **Primary suppression.** A count cell with ``0 < n < threshold`` is suppressed. Zero is
  published: "nobody" identifies no one, and hiding zeros would hide most of a small table.
* **Secondary suppression.** Published figures are tied together by identities: a
  breakdown's cells add up to its total, ``dv_incidents = dv_crimes + dv_non_crimes``, a
  rate's numerator is another indicator's count, the force is the sum of its boroughs.
  Whenever an identity has exactly one suppressed member, another member is suppressed
  too (the smallest of at least the threshold, else the largest, a zero last). Then an
  audit solves the whole system as a reader would: linear programs give each suppressed
  cell's least and greatest value given every published figure, every identity, and
  that counts are not negative. Wherever that interval is narrower than the threshold,
  more is suppressed (where the programs' shadow prices say the cell is held in), until
  every suppressed cell's interval is at least the threshold wide: a reader cannot even
  tell a 1-4 from 0 or 5. A secondary cell the reader could work out exactly is
  published after all (it tells them nothing new), so no suppressed cell comes back.
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
from scipy.optimize import linprog
from scipy.sparse import csr_array

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
    width: float | None = None,
) -> tuple[set, set]:
    """Primary and secondary suppression over any cells tied by sum identities.

    ``cells`` maps a cell to its count (None = not published at all); each identity
    ``(whole, parts)`` states ``cells[whole] == sum(cells[p] for p in parts)``. Returns
    ``(primary, secondary)``. After it, a reader who knows every published cell, every
    identity and that counts are not negative (``signed`` cells, differences, may be)
    cannot narrow any suppressed cell to an interval narrower than ``width`` (default:
    the threshold, so a count of 1-4 cannot be told from 0 or 5): the audit solves the
    linear programs a reader would (each cell's least and greatest feasible value), and
    suppresses more until every interval is wide enough. A secondary cell the reader
    could work out exactly is published after all: that tells them nothing they could
    not work out, and it is not disclosive (it would have been published anyway).
    """
    width = threshold if width is None else width
    equations = [
        (whole, tuple(parts)) for whole, parts in identities
        if whole in cells and all(p in cells for p in parts)
        and cells[whole] is not None and all(cells[p] is not None for p in parts)
    ]
    primary = {c for c, v in cells.items() if is_primary(v, threshold)}
    signed = set(signed)  # differences: may be negative, so never bounded by zero
    suppressed = set(primary)
    hopeless: set = set()  # narrow even with everything around them hidden
    touching: dict[object, list[int]] = {}  # cell -> the equations it is a member of
    for i, eq in enumerate(equations):
        for c in _members(eq):
            touching.setdefault(c, []).append(i)
    audit = _IntervalAudit(cells, equations, signed)
    given_back: set = set()  # secondary cells published again: never hidden again
    for _ in range(len(cells) + 1):  # each round hides a cell, or ends
        _close_single_gaps(cells, equations, suppressed, width, given_back)
        narrow = [c for c in audit.narrow(suppressed, primary, width) if c not in hopeless]
        if not narrow:
            # A secondary cell the reader can work out exactly protects nothing: publish
            # it (what the reader can infer does not change; the table loses less). Any
            # other must be as wide as a primary one, so that no [c] gives much away.
            exact = audit.determined(suppressed, suppressed - primary)
            suppressed -= exact
            given_back |= exact
            narrow = [c for c in audit.narrow(suppressed, suppressed - primary, width)
                      if c not in hopeless]
            if not narrow:
                break
        for cell in narrow:
            if not _widen(cell, cells, equations, suppressed, touching, width, given_back,
                          audit.binding.get(cell, ())):
                hopeless.add(cell)
    else:
        raise DisclosureError("suppression did not settle")
    if hopeless:
        raise DisclosureError(f"cannot protect {sorted(hopeless, key=str)[:5]}")
    return primary, suppressed - primary


def _members(eq: tuple[object, tuple]) -> tuple:
    return (eq[0], *eq[1])


def _preference(cells, width: float):
    """The order in which cells are chosen to hide beside another: a non-zero cell of at
    least ``width`` (the smallest: it gives a hidden neighbour enough room at the least
    loss), then smaller ones (the largest first), a zero last (it gives no room)."""
    def key(c):
        v = cells[c]
        return (v == 0, v < width, v if v >= width else -v, str(c))
    return key


def _partner(eq, cells, suppressed, width: float, avoid: set):
    whole, parts = eq
    # Prefer a part over the whole: hiding a total loses more information.
    for group in (parts, (whole,)):
        free = [c for c in group if c not in suppressed and c not in avoid]
        if free:
            return min(free, key=_preference(cells, width))
    return None


def _close_single_gaps(cells, equations, suppressed, width: float, avoid: set) -> None:
    """The check a reader with a calculator makes: an identity with exactly one hidden
    member gives it back, so hide a second one. Cheap, and most of what is needed."""
    changed = True
    while changed:
        changed = False
        for eq in equations:
            members = _members(eq)
            if len(members) < 2:
                continue
            hidden = [c for c in members if c in suppressed]
            if len(hidden) == 1:
                extra = _partner(eq, cells, suppressed, width, avoid)
                if extra is not None:
                    suppressed.add(extra)
                    changed = True


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


class _IntervalAudit:
    """What a reader can learn of each hidden cell: the least and greatest value it can
    take, given every published cell, every identity and that counts are not negative
    (linear programs, HiGHS), solved per connected group of identities.

    Hiding one more cell only ever widens the intervals (a value fixed before is free
    now), so a cell once found wide enough is never solved again.
    """

    def __init__(self, cells, equations, signed: set):
        self.cells, self.equations, self.signed = cells, equations, signed
        self.wide: set = set()
        self.binding: dict = {}  # a narrow cell -> the identities holding it, tightest first

    def narrow(self, suppressed: set, sensitive: set, width: float) -> list:
        """Cells of ``sensitive`` a reader can pin into an interval narrower than
        ``width``; of those sharing an identity, only the first (hiding more beside one
        often widens the others too)."""
        found: list = []
        for group, unknowns in self._groups(suppressed):
            todo = {c: width for c in unknowns if c in sensitive and c not in self.wide}
            if not todo:
                continue
            narrow = self._narrow_in(group, unknowns, todo)
            self.wide.update(c for c in todo if c not in narrow)
            taken: set[int] = set()  # identities that already have a cell to widen
            for cell in narrow:
                rows = {i for i, eq in enumerate(group) if cell in _members(eq)}
                if not rows & taken:
                    found.append(cell)
                    taken |= rows
        return found

    def determined(self, suppressed: set, cells: set) -> set:
        """Cells of ``cells`` a reader can work out exactly (whole counts: to within
        less than one)."""
        found: set = set()
        for group, unknowns in self._groups(suppressed):
            todo = {c: 0.5 for c in unknowns if c in cells}
            if todo:
                found.update(self._narrow_in(group, unknowns, todo))
        return found

    def _groups(self, suppressed: set):
        for group in _components(self.equations, suppressed):
            yield group, sorted({c for eq in group for c in _members(eq) if c in suppressed},
                                key=str)

    def _narrow_in(self, group, unknowns: list, todo: dict) -> list:
        """The cells of ``todo`` whose interval is narrower than the width it gives."""
        index = {c: i for i, c in enumerate(unknowns)}
        rows, cols, signs = [], [], []
        rhs = np.zeros(len(group))
        for row, (whole, parts) in enumerate(group):
            for cell, sign in ((whole, 1.0), *((p, -1.0) for p in parts)):
                if cell in index:
                    rows.append(row)
                    cols.append(index[cell])
                    signs.append(sign)
                else:
                    rhs[row] -= sign * self.cells[cell]
        # Sparse (repeated entries add up): a group's identities touch few of its cells.
        matrix = csr_array((signs, (rows, cols)), shape=(len(group), len(unknowns)))
        bounds = [(None, None) if c in self.signed else (0, None) for c in unknowns]
        # Every feasible point found so far (the truth is one): a cell's interval is at
        # least as wide as the spread of its values over them. Programs that push all
        # open cells up, then down, at once settle most (within caps of the width
        # needed, so that they are bounded; a point inside the caps is a point),
        # repeated on the cells still open while that pays; the rest get programs of
        # their own, without caps.
        true = np.array([self.cells[c] for c in unknowns], dtype=float)
        high, low = true.copy(), true.copy()
        room = max(todo.values())
        capped = [(true[i] - room if c in self.signed else 0.0, true[i] + room)
                  for c, i in index.items()]

        def settled(c) -> bool:
            i = index[c]
            return high[i] - low[i] >= todo[c] - 1e-6

        def push(weights: np.ndarray, limits) -> np.ndarray:
            """Push the weighted cells as far as they go; the identities' shadow prices
            (how much each holds the push back)."""
            got = linprog(-weights, A_eq=matrix, b_eq=rhs, bounds=limits, method="highs")
            if got.status == 3:  # a cell pushed alone, unbounded: no limit that way
                high[weights > 0] = np.inf
                low[weights < 0] = -np.inf
                return np.zeros(len(group))
            if got.status != 0:
                raise DisclosureError(f"the identities do not hold: {got.message}")
            np.maximum(high, got.x, out=high)
            np.minimum(low, got.x, out=low)
            return np.abs(got.eqlin.marginals)

        open_ = list(todo)
        while open_:  # again while a round of two programs settles more than two do
            before = len(open_)
            for sign in (1.0, -1.0):
                if open_:
                    weights = np.zeros(len(unknowns))
                    weights[[index[c] for c in open_]] = sign
                    push(weights, capped)
                    open_ = [c for c in open_ if not settled(c)]
            if before - len(open_) <= 2:
                break
        narrow = []
        for cell in open_:
            held = np.zeros(len(group))
            for sign in (1.0, -1.0):
                if settled(cell):
                    break
                weights = np.zeros(len(unknowns))
                weights[index[cell]] = sign
                held += push(weights, bounds)
            if not settled(cell):
                narrow.append(cell)
                # The identities that hold it in, the most binding first: hiding one more
                # of their members is what gives it room.
                self.binding[cell] = [group[r] for r in np.argsort(-held, kind="stable")
                                      if held[r] > 1e-9]
        return narrow


def _widen(cell, cells, equations, suppressed, touching: dict[object, list[int]],
           width: float, avoid: set, binding: Sequence = ()) -> bool:
    """Suppress one more cell so that ``cell`` has more room.

    First in the identity that holds it in most (``binding``: from the audit's shadow
    prices) and has a published member; else in an identity that holds ``cell``; when
    all of those are hidden already, the cell is held through a chain of identities:
    follow the chain (breadth first) to the nearest identity with a published member.
    """
    for eq in binding:
        extra = _partner(eq, cells, suppressed, width, avoid)
        if extra is not None:
            suppressed.add(extra)
            return True
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
            extra = _partner(eq, cells, suppressed, width, avoid)
            if extra is not None:
                candidates.append(extra)
            nxt += [c for c in _members(eq) if c not in seen_cells]
        if candidates:
            suppressed.add(min(candidates, key=_preference(cells, width)))
            return True
        seen_cells.update(nxt)
        frontier = nxt
    return False


# --- engine result dicts ------------------------------------------------------------------

# Fields of an entry that are not figures. ``coverage`` (``indicators.coverage``: why a
# figure's inputs are incomplete) is about the extract, not a count: an incomplete entry is
# protected like any other (its cells still tie to others, e.g. the arrest stage).
META_FIELDS: frozenset[str] = frozenset({"method", "unavailable", "suppressed", "coverage"})
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


def joined(protections: Sequence[Protection]) -> Protection:
    """Protections made separately, as one body of figures (scopes numbered on, in
    order): what a reader of all of them holds. Nothing ties them but what each holds."""
    out = Protection([], protections[0].threshold if protections else DEFAULT_THRESHOLD)
    offset = 0
    for p in protections:
        def moved(c: Cell, by: int = offset) -> Cell:
            return (c[0] + by, c[1], c[2])

        out.results += p.results
        out.primary |= {moved(c) for c in p.primary}
        out.secondary |= {moved(c) for c in p.secondary}
        out.cells |= {moved(c): v for c, v in p.cells.items()}
        out.identities += [(moved(w), tuple(moved(x) for x in parts))
                           for w, parts in p.identities]
        offset += len(p.results)
    return out


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
            # ``met`` would say on which side of the target the hidden actual lies.
            target.update(actual=None, met=None, suppressed=True)
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
