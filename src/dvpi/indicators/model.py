"""What an indicator declaration is made of.

An indicator is declared once, as data: its public id, family, title, plain-words
definition, unit, the tables it needs and how its figures are obtained. Figures are
either *measures* — Ibis expressions over the scoped warehouse tables that return
counts per cell (one cell = one period in one scope) — or arithmetic over other
indicators' figures (``Ref``, ``Sum``, ``Diff``). Counting happens in the engine;
division happens in Python, so rates are exactly ``numerator / denominator``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Union

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from dvpi.indicators.context import Context

Unit = Literal["count", "rate", "per_100", "per_1000", "breakdown"]
UNITS: tuple[str, ...] = ("count", "rate", "per_100", "per_1000", "breakdown")
SCALES: dict[str, int] = {"rate": 1, "per_100": 100, "per_1000": 1000}

# A measure: Context -> Ibis table with columns `cell` and `n` (and `key` for a breakdown).
Measure = Callable[["Context"], "ir.Table"]


@dataclass(frozen=True)
class Ref:
    """Another indicator's figure: a count's value, a breakdown's total, or one key."""

    id: str
    key: str | None = None


@dataclass(frozen=True)
class Sum:
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Diff:
    left: Part
    right: Part


Part = Union[Measure, Ref, Sum, Diff]  # noqa: UP007 - a runtime alias with forward refs


def refs_of(part: Part | None) -> tuple[str, ...]:
    """The indicator ids an expression refers to."""
    if part is None or callable(part):
        return ()
    if isinstance(part, Ref):
        return (part.id,)
    if isinstance(part, Sum):
        return tuple(i for p in part.parts for i in refs_of(p))
    if isinstance(part, Diff):
        return refs_of(part.left) + refs_of(part.right)
    raise TypeError(f"not an indicator expression: {part!r}")


def describe(part: Part | None) -> str:
    """Plain words for an arithmetic expression (used by the methodology)."""
    if part is None:
        return ""
    if callable(part):
        return "counted in the warehouse"
    if isinstance(part, Ref):
        return f"`{part.id}`" + (f".`{part.key}`" if part.key else "")
    if isinstance(part, Sum):
        return " + ".join(describe(p) for p in part.parts)
    if isinstance(part, Diff):
        return f"{describe(part.left)} - {describe(part.right)}"
    raise TypeError(f"not an indicator expression: {part!r}")


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry. Which parts are set depends on the unit:

    - count: ``value``;
    - breakdown: ``values`` (a measure with a ``key`` column) and optionally ``total``
      (otherwise the sum of the values);
    - rate, per_100, per_1000: ``numerator`` and ``denominator``.
    """

    id: str
    family: str
    title: str
    definition: str
    unit: Unit
    needs: tuple[str, ...]
    value: Part | None = None
    values: Measure | None = None
    total: Part | None = None
    numerator: Part | None = None
    denominator: Part | None = None
    keys: tuple[str, ...] = ()
    person_based: bool = False
    # Rules of indicators.md that govern it (for the methodology), e.g. ("13", "15").
    rules: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")
        if self.unit == "count" and self.value is None:
            raise ValueError(f"{self.id}: a count needs `value`")
        if self.unit == "breakdown" and (self.values is None or not self.keys):
            raise ValueError(f"{self.id}: a breakdown needs `values` and `keys`")
        if self.unit in SCALES and (self.numerator is None or self.denominator is None):
            raise ValueError(f"{self.id}: a {self.unit} needs numerator and denominator")

    @property
    def scale(self) -> int:
        return SCALES.get(self.unit, 1)

    def parts(self) -> dict[str, Part]:
        """The declared parts by name, in output order."""
        names = ("value", "values", "total", "numerator", "denominator")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for p in self.parts().values() for i in refs_of(p)))
