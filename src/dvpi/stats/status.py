"""Red / amber / green status of a figure against its target."""

from __future__ import annotations

from typing import Literal

from dvpi.contract import codes

Status = Literal["green", "amber", "red"]
DEFAULT_AMBER_MARGIN = 0.05  # within 5% of the target (relative) on the wrong side
COLOURS: dict[str, str] = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}


def rag(
    actual: float | None, target: float | None,
    direction: str = codes.TARGET_DIRECTION_DEFAULT,
    amber_margin: float = DEFAULT_AMBER_MARGIN,
) -> Status | None:
    """Green when the target is met (at or above it for ``at_least``, at or below for
    ``at_most``); amber when missed by no more than ``amber_margin`` of the target;
    red otherwise; None when there is no actual or no target."""
    if actual is None or target is None:
        return None
    if direction not in codes.TARGET_DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    shortfall = target - actual if direction == "at_least" else actual - target
    if shortfall <= 0:
        return "green"
    if shortfall <= amber_margin * abs(target):
        return "amber"
    return "red"


def rag_from_target(entry: dict, amber_margin: float = DEFAULT_AMBER_MARGIN) -> Status | None:
    """Status of an engine ``targets`` entry ``{target, actual, met}``.

    The engine's ``met`` decides green (it knows the row's direction); the margin decides
    amber against red. The direction is read back from ``met`` where the entry lacks it.
    """
    actual, target = entry.get("actual"), entry.get("target")
    if actual is None or target is None:
        return None
    return rag(actual, target, infer_direction(entry), amber_margin)


def infer_direction(entry: dict) -> str:
    """A target entry's direction: given, or read back from the engine's ``met``."""
    if entry.get("direction"):
        return entry["direction"]
    actual, target, met = entry.get("actual"), entry.get("target"), entry.get("met")
    if actual is None or target is None or met is None or actual == target:
        return codes.TARGET_DIRECTION_DEFAULT
    # met and above, or missed and below: at_least; otherwise at_most
    return "at_least" if (actual > target) == bool(met) else "at_most"


def pro_rata(target: float, elapsed_days: int, period_days: int) -> float:
    """A count target for a whole year scaled to the part of the year gone."""
    return target * elapsed_days / period_days
