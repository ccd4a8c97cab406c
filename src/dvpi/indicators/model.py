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

# The shapes of a figure (indicators.md, precise rules 1-2 and "Version 2 indicators"):
# - count {"value"}; breakdown {"values", "total"};
# - rate, per_100, per_1000, per_10000 {"value", "numerator", "denominator"} (a rate
#   declared with ``interval`` adds "ci95": the Wilson score interval);
# - median {"value", "n"}: the median of whole days;
# - rates {"values": {key: rate}, "n": {key: denominator}}: one rate per key;
# - gap {"value", "<a>_rate", "<b>_rate", "<a>_n", "<b>_n"}: rate a minus rate b.
Unit = Literal["count", "rate", "per_100", "per_1000", "per_10000", "breakdown", "median",
               "rates", "gap"]
UNITS: tuple[str, ...] = ("count", "rate", "per_100", "per_1000", "per_10000", "breakdown",
                          "median", "rates", "gap")
SCALES: dict[str, int] = {"rate": 1, "per_100": 100, "per_1000": 1000, "per_10000": 10000}
# Units whose numerator and denominator are counted per key.
KEYED_RATE_UNITS: tuple[str, ...] = ("rates", "gap")

# How a figure is shown (dvpi.stats.display is the one formatter that reads it):
# count "1,234"; percent "42.1%" (a proportion × 100); ratio "2.00 : 1" (a quotient of two
# counts); per_100 "63.2 per 100"; per_1000 "0.002 per 1,000"; per_10000 "47.0 per 10,000"
# (the value already scaled); days "12.5 days"; points: a difference of two proportions in
# percentage points (+4.2 pts).
DisplayKind = Literal["count", "percent", "ratio", "per_100", "per_1000", "per_10000",
                      "days", "points"]
DISPLAY_KINDS: tuple[str, ...] = ("count", "percent", "ratio", "per_100", "per_1000",
                                  "per_10000", "days", "points")
# The kinds each unit may be shown as; the first is its default.
KINDS_OF_UNIT: dict[str, tuple[str, ...]] = {
    "count": ("count",), "breakdown": ("count",), "rate": ("percent", "ratio"),
    "per_100": ("per_100",), "per_1000": ("per_1000",), "per_10000": ("per_10000",),
    "median": ("days",), "rates": ("percent",), "gap": ("points",),
}


@dataclass(frozen=True)
class Display:
    """How an indicator's value reads: the kind, and the digits shown.

    ``places`` is the number of digits after the point; ``significant``, when set, shows
    that many significant figures instead (small rates such as homicides per 1,000).
    A count shows no decimals when whole, one place otherwise.
    """

    kind: DisplayKind
    places: int = 1
    significant: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in DISPLAY_KINDS:
            raise ValueError(f"unknown display kind {self.kind!r}")


DEFAULT_DISPLAY: dict[str, Display] = {
    "count": Display("count", 0), "breakdown": Display("count", 0),
    "rate": Display("percent", 1), "per_100": Display("per_100", 1),
    "per_1000": Display("per_1000", significant=3), "per_10000": Display("per_10000", 1),
    "median": Display("days", 1), "rates": Display("percent", 1), "gap": Display("points", 1),
}

# A measure: Context -> Ibis table with columns `cell` and `n` (and `key` for a breakdown,
# the whole days for a median's distribution, the key of a keyed rate).
Measure = Callable[["Context"], "ir.Table"]


@dataclass(frozen=True)
class Ref:
    """Another indicator's figure: a count's value, a breakdown's total or one key, a
    median's ``n`` (how many values it is the median of)."""

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
class Identity:
    """A sum that holds in the data although the figure is not computed from it.

    The declaring indicator's ``field`` ("" = its headline: a count's value or a
    breakdown's total; or "numerator", "denominator") equals the sum of ``parts``, each
    "id" (a headline), "id.numerator", "id.denominator" or "id.values.<key>". Identities
    that follow from ``Ref``/``Sum``/``Diff`` need no declaration. Disclosure control reads
    both: a reader could use any of them to work a suppressed figure out.
    """

    parts: tuple[str, ...]
    field: str = ""


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
    - rate, per_100, per_1000, per_10000: ``numerator`` and ``denominator``;
    - median: ``values``, a measure of how many rows took each whole number of days
      (``key`` = the days); the median is taken in Python, exactly;
    - rates, gap: ``numerator`` and ``denominator``, measures with a ``key`` column (one
      of ``keys``); a gap has two keys and is the first's rate minus the second's.
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
    # How its value is shown; None = the unit's default (DEFAULT_DISPLAY), filled in below.
    display: Display | None = None
    # Sums the data obeys beyond the declared parts (read by disclosure control).
    identities: tuple[Identity, ...] = ()
    # A breakdown whose total is the sum of its values (False: a record can be in two keys).
    additive: bool = True
    # The catalogue version that added it (indicators.md): a version-2 indicator whose
    # tables are missing names the first of them only (precise rule 32).
    version: int = 1
    # A rate that also gives its 95% Wilson score interval ("ci95").
    interval: bool = False
    # What each key reads as, where the key is not a code every output already names.
    key_labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")
        if self.display is None:
            object.__setattr__(self, "display", DEFAULT_DISPLAY[self.unit])
        elif self.display.kind not in KINDS_OF_UNIT[self.unit]:
            raise ValueError(f"{self.id}: a {self.unit} cannot be shown as {self.display.kind}")
        if self.unit == "count" and self.value is None:
            raise ValueError(f"{self.id}: a count needs `value`")
        if self.unit == "breakdown" and (self.values is None or not self.keys):
            raise ValueError(f"{self.id}: a breakdown needs `values` and `keys`")
        if self.unit in SCALES and (self.numerator is None or self.denominator is None):
            raise ValueError(f"{self.id}: a {self.unit} needs numerator and denominator")
        if self.unit == "median" and (self.values is None or self.keys):
            raise ValueError(f"{self.id}: a median needs `values` (the days) and no keys")
        if self.unit in KEYED_RATE_UNITS and not (
                callable(self.numerator) and callable(self.denominator) and self.keys):
            raise ValueError(f"{self.id}: {self.unit} needs keyed numerator and denominator "
                             "measures and keys")
        if self.unit == "gap" and len(self.keys) != 2:
            raise ValueError(f"{self.id}: a gap is between two keys")
        if self.interval and self.unit != "rate":
            raise ValueError(f"{self.id}: only a rate has an interval")

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
