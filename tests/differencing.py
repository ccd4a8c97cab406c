"""The differencing attack, as a reader who holds every output would run it.

A reader collects every figure they were given (any number of outputs: reports, packs,
API answers), keyed by what it is: period, scope, indicator and field. The same figure
in two outputs is one unknown; published anywhere, it is known everywhere. They then
write down every linear equality they know holds between figures:

- within a scope and period: the identities the registry declares (a rate's numerator
  is another indicator's count, ``dv_incidents = dv_crimes + dv_non_crimes``, ...) and a
  breakdown's total = the sum of its values;
- the force = the sum of its boroughs;
- time: a period = the sum of the elementary pieces of the calendar it covers (every
  boundary of every period given cuts the calendar): this is nested periods (a year and
  its weeks, the year to date and its weeks) and adjacent ones (two consecutive years to
  date differ by one week) at once;
- a published rate ties its numerator and denominator: ``numerator = rate x
  denominator`` (a published percentage with one of the two gives the other);
- figures declared equal across outputs (``links``: a year's "previous" figure is the
  year before's figure; the report's arrests split adds up to an engine numerator).

An identity is used only where it holds in the true figures (``truth``): the reader is
granted every identity that is real, which is more than any reader could be sure of.
Counts are not negative (differences, ``disclosure.signed_fields``, may be). For every
suppressed figure, two linear programs (HiGHS) give the narrowest interval the reader
can put on it; the test asserts each is wide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy.optimize import linprog

from dvpi.indicators.registry import INDICATORS
from dvpi.stats import disclosure

# (first day, last day, scope, indicator id, field): one figure whatever output shows it.
Key = tuple[str, str, str, str, str]
Period = tuple[dt.date, dt.date]
FORCE = "force"

_UNITS = {i.id: i.unit for i in INDICATORS}
_MULTIPLIER = {"per_100": 100.0, "per_1000": 1000.0}


def _period(result: dict) -> tuple[str, str]:
    return result["period"]["start"], result["period"]["end"]


def figures(result: dict) -> Iterable[tuple[str, str, float | None]]:
    """(indicator, field, value) of every count a result holds (rate values aside)."""
    for ind_id, entry in result.get("indicators", {}).items():
        if entry.get("unavailable"):
            continue
        if "values" in entry:
            for k, v in entry["values"].items():
                yield ind_id, f"values.{k}", v
            yield ind_id, "total", entry.get("total")
        elif "numerator" in entry:
            yield ind_id, "numerator", entry.get("numerator")
            yield ind_id, "denominator", entry.get("denominator")
        else:
            yield ind_id, "value", entry.get("value")


@dataclass
class Exposure:
    """What a reader can say of one suppressed figure."""

    key: Key
    true: float
    low: float
    high: float  # inf: no upper bound

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class Reader:
    """Everything published to one audience, read as one body of figures."""

    shown: dict[Key, float | None] = field(default_factory=dict)
    # (numerator key, denominator key) -> the published rate as a fraction
    rates: dict[tuple[Key, Key], float] = field(default_factory=dict)
    outputs: int = 0

    def read(self, results: Sequence[dict], *, headline_only: Sequence[str] = ()) -> None:
        """Take in one output (a list of result dicts as published: ``None`` = ``[c]``).

        ``headline_only``: indicators of which the output shows only the headline (a
        pack shows a rate's value, not its numerator and denominator)."""
        self.outputs += 1
        for result in results:
            start, end = _period(result)
            scope = result["scope"]
            for ind_id, fld, v in figures(result):
                entry = result["indicators"][ind_id]
                if ind_id in headline_only and "numerator" in entry:
                    continue
                self._merge((start, end, scope, ind_id, fld), v)
            for ind_id, entry in result.get("indicators", {}).items():
                if "numerator" in entry and entry.get("value") is not None:
                    num = (start, end, scope, ind_id, "numerator")
                    den = (start, end, scope, ind_id, "denominator")
                    fraction = entry["value"] / _MULTIPLIER.get(_UNITS.get(ind_id, ""), 1.0)
                    self.rates[(num, den)] = fraction

    def _merge(self, key: Key, value: float | None) -> None:
        before = self.shown.get(key)
        if value is None:
            self.shown.setdefault(key, None)
            return
        assert before is None or abs(before - value) < 1e-9, (
            f"two outputs publish {key} differently: {before} and {value}")
        self.shown[key] = value

    def suppressed(self) -> list[Key]:
        """Figures shown as [c] and published by no output."""
        return sorted(k for k, v in self.shown.items() if v is None)


# --- what the reader knows holds -------------------------------------------------------


def _holds(truth: dict[Key, float], whole: Key, parts: Sequence[Key]) -> bool:
    if whole not in truth or any(p not in truth for p in parts):
        return False
    return abs(truth[whole] - sum(truth[p] for p in parts)) < 1e-9


def _headline(fields: set[str]) -> str:
    return "total" if "total" in fields else "value"


def scope_identities(truth: dict[Key, float]) -> list[tuple[Key, tuple[Key, ...]]]:
    """Within each period and scope: the registry's identities and breakdown totals."""
    by_group: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for s, e, scope, ind_id, fld in truth:
        by_group.setdefault((s, e, scope), {}).setdefault(ind_id, set()).add(fld)
    declared = disclosure.registry_identities()
    found = []
    for (s, e, scope), inds in by_group.items():
        def key(ref: str, inds=inds, s=s, e=e, scope=scope) -> Key | None:
            ind_id, _, rest = ref.partition(".")
            if ind_id not in inds:
                return None
            fld = rest or _headline(inds[ind_id])
            return (s, e, scope, ind_id, fld) if fld in inds[ind_id] else None

        for ind_id, fields in inds.items():
            values = tuple((s, e, scope, ind_id, f) for f in sorted(fields)
                           if f.startswith("values."))
            if values and "total" in fields:
                found.append(((s, e, scope, ind_id, "total"), values))
        for whole_ref, part_refs in declared:
            whole, parts = key(whole_ref), tuple(key(p) for p in part_refs)
            if whole is not None and None not in parts:
                found.append((whole, parts))
    return [idn for idn in found if _holds(truth, *idn)]


def force_identities(truth: dict[Key, float]) -> list[tuple[Key, tuple[Key, ...]]]:
    """The force = the sum of its boroughs, figure by figure."""
    boroughs: dict[tuple[str, str], set[str]] = {}
    for s, e, scope, *_ in truth:
        if scope != FORCE:
            boroughs.setdefault((s, e), set()).add(scope)
    found = []
    for k in truth:
        s, e, scope, ind_id, fld = k
        if scope == FORCE and boroughs.get((s, e)):
            found.append((k, tuple((s, e, b, ind_id, fld) for b in sorted(boroughs[(s, e)]))))
    return [idn for idn in found if _holds(truth, *idn)]


def elementary_periods(periods: Iterable[Period]) -> list[Period]:
    """The pieces every period boundary cuts the calendar into (over the days covered)."""
    periods = list(periods)
    cuts = sorted({p[0] for p in periods} | {p[1] + dt.timedelta(days=1) for p in periods})
    pieces = [(a, b - dt.timedelta(days=1)) for a, b in pairwise(cuts)]
    return [p for p in pieces if any(s <= p[0] and p[1] <= e for s, e in periods)]


def time_identities(truth: dict[Key, float], periods: Iterable[Period]
                    ) -> list[tuple[Key, tuple[Key, ...]]]:
    """Each period = the sum of its elementary pieces (``truth`` holds the pieces too)."""
    periods = sorted(set(periods))
    pieces = elementary_periods(periods)
    scoped: dict[tuple[str, str, str], None] = {}
    for _, _, scope, ind_id, fld in truth:
        scoped[(scope, ind_id, fld)] = None
    found = []
    for start, end in periods:
        inside = [p for p in pieces if start <= p[0] and p[1] <= end]
        if len(inside) < 2:
            continue
        for scope, ind_id, fld in scoped:
            whole = (str(start), str(end), scope, ind_id, fld)
            parts = tuple((str(a), str(b), scope, ind_id, fld) for a, b in inside)
            found.append((whole, parts))
    return [idn for idn in found if _holds(truth, *idn)]


def previous_links(truth: dict[Key, float]) -> list[tuple[Key, tuple[Key, ...]]]:
    """A figure of the year before published with a year (``*_previous``) is that year's
    figure."""
    from dvpi.indicators.periods import previous_period

    found = []
    for k in truth:
        s, e, scope, ind_id, fld = k
        if ind_id.endswith("_previous"):
            ps, pe = previous_period(dt.date.fromisoformat(s), dt.date.fromisoformat(e))
            found.append((k, ((str(ps), str(pe), scope, ind_id.removesuffix("_previous"),
                               fld),)))
    return [idn for idn in found if _holds(truth, *idn)]


# --- the solver ------------------------------------------------------------------------------


def attack(reader: Reader, truth: dict[Key, float],
           identities: Sequence[tuple[Key, tuple[Key, ...]]]) -> list[Exposure]:
    """The narrowest interval the reader can put on every suppressed figure.

    Unknowns: every figure not published by any output (suppressed ones, and the pieces
    of the calendar nobody published). Rows: the identities and the published rates.
    Solved per connected group of unknowns, so that each program stays small.
    """
    known = {k: v for k, v in reader.shown.items() if v is not None}
    signed_names = disclosure.signed_fields()
    rows: list[dict[Key, float]] = []  # unknown -> coefficient; with the constant aside
    consts: list[float] = []

    def add(terms: list[tuple[Key, float]]) -> None:
        row: dict[Key, float] = {}
        const = 0.0
        for k, c in terms:
            if k in known:
                const -= c * known[k]
            else:
                row[k] = row.get(k, 0.0) + c
        row = {k: c for k, c in row.items() if abs(c) > 1e-12}
        if row:
            rows.append(row)
            consts.append(const)

    for whole, parts in identities:
        add([(whole, 1.0), *((p, -1.0) for p in parts)])
    for (num, den), fraction in reader.rates.items():
        if num in truth and den in truth:
            add([(num, 1.0), (den, -fraction)])

    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        first, *rest = row
        for k in rest:
            parent[find(k)] = find(first)
    groups: dict[Key, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(find(next(iter(row))), []).append(i)

    exposures = []
    for key in reader.suppressed():
        if key not in truth:
            continue
        if key not in parent:  # in no identity: nothing bounds it but zero
            exposures.append(Exposure(key, truth[key], 0.0, float("inf")))
            continue
        members = groups[find(key)]
        unknowns = sorted({k for i in members for k in rows[i]})
        index = {k: j for j, k in enumerate(unknowns)}
        a_eq = np.zeros((len(members), len(unknowns)))
        b_eq = np.zeros(len(members))
        for r, i in enumerate(members):
            for k, c in rows[i].items():
                a_eq[r, index[k]] = c
            b_eq[r] = consts[i]
        bounds = [(None, None) if f"{k[3]}.{k[4]}" in signed_names else (0, None)
                  for k in unknowns]
        c = np.zeros(len(unknowns))
        c[index[key]] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        # 0 solved, 3 unbounded (nothing learnt); never infeasible: the truth satisfies it
        assert low.status in (0, 3) and high.status in (0, 3), (key, low.message)
        lo = low.fun if low.status == 0 else float("-inf")
        hi = -high.fun if high.status == 0 else float("inf")
        exposures.append(Exposure(key, truth[key], lo, hi))
    return exposures


def truth_of(results: Iterable[dict]) -> dict[Key, float]:
    """The true figures of unprotected results, keyed as a reader keys them."""
    out: dict[Key, float] = {}
    for result in results:
        s, e = _period(result)
        for ind_id, fld, v in figures(result):
            if v is not None:
                out[(s, e, result["scope"], ind_id, fld)] = v
    return out


def narrow(exposures: Iterable[Exposure], width: float) -> list[Exposure]:
    """The suppressed figures a reader can pin into an interval narrower than ``width``."""
    return [x for x in exposures if x.width < width - 1e-6]


def summary(exposures: Sequence[Exposure], threshold: int) -> str:
    exact = narrow(exposures, 0.5)
    small = narrow(exposures, threshold)
    return (f"{len(exposures)} suppressed figures: {len(exact)} recovered exactly, "
            f"{len(small)} pinned into an interval narrower than {threshold}")


TruthSource = Callable[[Sequence[Period]], list[dict]]
