"""From scored pairs to persons: constrained clustering.

Plain connected components let one wrong link chain two people together. Here pairs
are joined strongest first, and a join is refused when it would put into one person

- two rows of the same report in the same role (a report names a person once per
  role; two victims of one report are two people), or
- two rows an analyst has decided are not the same person.

An analyst's "same" decisions are joined before anything else. The cross allegation
(one person as victim *and* suspect of a report) is allowed: the roles differ.

Both refusals are one mechanism: every row carries *exclusive tokens* (its report and
role; one token per "not the same" decision it is part of), and two components may
join only when no token is in both.

A third refusal stops one link bridging two people who are otherwise unalike (average
linkage). When the scored pairs are given, two components join only when the mean
match probability of the scored pairs between them is at or above the threshold: a
link just over the threshold between JACOB GREEN's rows and JACKSON GREEN's, whose
other rows score far below it, is refused. Every compared pair counts, those the model
scored below the review floor too (a pair compared and found unalike is evidence that
the two groups are two people); pairs no blocking rule compared are no evidence either
way. A link between two single rows is its own mean, so it always joins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    a: str
    b: str
    same: bool


class _Components:
    """Union-find over row indices; token sets are made only for merged components."""

    def __init__(self, n: int, tokens: list[tuple | set]):
        self.parent = list(range(n))
        self.size = [1] * n
        self.row_tokens = tokens
        self.tokens: dict[int, set] = {}
        self.members: dict[int, list[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def _tokens(self, root: int):
        got = self.tokens.get(root)
        return got if got is not None else self.row_tokens[root]

    def union(self, a: int, b: int, check: bool = True) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        ta, tb = self._tokens(ra), self._tokens(rb)
        big = ta if isinstance(ta, set) else set(ta)
        if check and not big.isdisjoint(tb):
            return False
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        big.update(tb)
        self.tokens[ra] = big
        self.tokens.pop(rb, None)
        merged = self.members.pop(ra, None) or [ra]
        merged.extend(self.members.pop(rb, None) or [rb])
        self.members[ra] = merged
        return True

    def cross_mean(self, a: int, b: int, scored: dict[int, dict[int, float]]) -> float | None:
        """Mean probability of the scored pairs between the components of a and b."""
        ra, rb = self.find(a), self.find(b)
        if self.size[ra] > self.size[rb]:
            ra, rb = rb, ra
        total, n = 0.0, 0
        for row in self.members.get(ra) or [ra]:
            for other, p in scored.get(row, {}).items():
                if self.find(other) == rb:
                    total += p
                    n += 1
        return total / n if n else None


def cluster(
    ids: Sequence[str],
    pairs: Iterable[tuple[str, str, float]],
    *,
    report_role: dict[str, tuple[str, str]] | None = None,
    decisions: Sequence[Decision] = (),
    sorted_pairs: bool = False,
    scored: Iterable[tuple[str, str, float]] | None = None,
    threshold: float | None = None,
) -> dict[str, str]:
    """person_id -> person_key (the smallest person_id of its cluster).

    ``pairs`` are (id_l, id_r, match_weight) already above the threshold;
    ``sorted_pairs`` says they already come strongest first.
    ``report_role`` maps a row to its (report_id, role).
    ``scored`` (id_l, id_r, match_probability) are all the scored pairs, above the
    threshold or not; with ``threshold`` they make the average-linkage refusal.
    """
    index = {pid: i for i, pid in enumerate(ids)}
    report_role = report_role or {}
    # Singletons hold a tuple (cheap on a million rows); merged components a set.
    row_tokens: list[tuple | set] = [
        (report_role[pid],) if pid in report_role else () for pid in ids
    ]
    not_same: set[frozenset] = set()
    for n, d in enumerate(decisions):
        if d.same or d.a not in index or d.b not in index:
            continue
        for pid in (d.a, d.b):
            row_tokens[index[pid]] = (*row_tokens[index[pid]], ("not_same", n))
        not_same.add(frozenset((d.a, d.b)))

    comps = _Components(len(ids), row_tokens)
    for d in decisions:
        if d.same and d.a in index and d.b in index:
            a, b = index[d.a], index[d.b]
            ta, tb = comps._tokens(comps.find(a)), comps._tokens(comps.find(b))
            # The analyst outranks the report-role rule, but not another decision.
            clash = any(t[0] == "not_same" for t in set(ta) & set(tb))
            if not clash:
                comps.union(a, b, check=False)

    neighbours: dict[int, dict[int, float]] = {}
    if scored is not None and threshold is not None:
        for a, b, p in scored:
            if a in index and b in index:
                ia, ib = index[a], index[b]
                neighbours.setdefault(ia, {})[ib] = p
                neighbours.setdefault(ib, {})[ia] = p

    ordered = pairs if sorted_pairs else sorted(pairs, key=lambda p: -p[2])
    for a, b, _w in ordered:
        if not_same and frozenset((a, b)) in not_same:
            continue
        ia, ib = index[a], index[b]
        if neighbours and comps.find(ia) != comps.find(ib):
            mean = comps.cross_mean(ia, ib, neighbours)
            if mean is not None and mean < threshold:
                continue
        comps.union(ia, ib)

    key_of_root: dict[int, str] = {}
    roots = [comps.find(i) for i in range(len(ids))]
    for i, root in enumerate(roots):
        pid = ids[i]
        if root not in key_of_root or pid < key_of_root[root]:
            key_of_root[root] = pid
    return {pid: key_of_root[roots[i]] for i, pid in enumerate(ids)}
