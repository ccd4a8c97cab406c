"""Funnel plots: comparing boroughs fairly (Spiegelhalter 2005).

A borough's rate is compared with the force's rate, allowing for how much a rate of
that size wobbles by chance with that many cases: control limits at 95% and 99.8%
around the force rate narrow as the denominator grows. A borough outside the 99.8%
limits is very unlikely to differ from the force by chance alone; a raw ranking would
instead put the smallest boroughs at both ends for noise.

Pure functions over engine result dicts (``compute_by_borough``'s list: force first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from scipy.stats import binom, norm

# The rates compared borough by borough in the report and the dashboard.
FUNNEL_INDICATORS: tuple[str, ...] = (
    "spi8a_incident_arrest_rate",
    "spi8a_offence_arrest_rate",
    "sanction_detection_rate",
    "risk_assessment_compliance",
    "repeat_victimisation_rate",
)
LEVELS: tuple[float, ...] = (0.95, 0.998)
Method = Literal["normal", "binomial"]
# Bands, from far below to far above the force.
BANDS: tuple[str, ...] = ("below_998", "below_95", "within", "above_95", "above_998")
BAND_LABELS: dict[str, str] = {
    "below_998": "significantly below (99.8%)",
    "below_95": "below (95%)",
    "within": "in line with the force",
    "above_95": "above (95%)",
    "above_998": "significantly above (99.8%)",
}


def z_for(level: float) -> float:
    """Two-sided normal quantile: 1.96 for 95%, 3.09 for 99.8%."""
    return float(norm.ppf(0.5 + level / 2))


def _bounded(p0: float) -> float:
    # A rate of exactly 0 or 1 has no binomial spread; keep the limits defined.
    return min(max(p0, 1e-9), 1 - 1e-9)


def control_limits(
    p0: float, n: float, level: float, method: Method = "normal"
) -> tuple[float, float]:
    """Lower and upper control limits for a proportion with denominator ``n``.

    ``normal``: p0 ± z·sqrt(p0(1-p0)/n), clipped to [0, 1]. ``binomial``: the exact binomial
    quantiles with Spiegelhalter's interpolation, so the limits are smooth in ``n``.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = _bounded(p0)
    if method == "normal":
        half = z_for(level) * math.sqrt(p * (1 - p) / n)
        return (max(0.0, p0 - half), min(1.0, p0 + half))
    return (_binomial_limit(p, n, (1 - level) / 2), _binomial_limit(p, n, (1 + level) / 2))


def _binomial_limit(p: float, n: float, q: float) -> float:
    n_int = max(1, round(n))
    r = float(binom.ppf(q, n_int, p))
    below = float(binom.cdf(r, n_int, p)) - q
    step = float(binom.pmf(r, n_int, p))
    alpha = below / step if step > 0 else 0.0
    return min(1.0, max(0.0, (r - alpha) / n_int))


def z_score(rate: float, p0: float, n: float) -> float:
    p = _bounded(p0)
    return (rate - p0) / math.sqrt(p * (1 - p) / n)


@dataclass(frozen=True)
class FunnelPoint:
    scope: str
    numerator: float
    denominator: float
    rate: float
    z: float
    band: str
    limits: dict[str, tuple[float, float]]

    @property
    def label(self) -> str:
        return BAND_LABELS[self.band]


@dataclass(frozen=True)
class Funnel:
    indicator: str
    force_rate: float | None
    points: list[FunnelPoint]
    method: Method
    # boroughs left out: no denominator, or suppressed
    omitted: list[str]

    def curve(self, steps: int = 80) -> dict[str, list[tuple[float, float, float]]]:
        """(n, low, high) along the funnel for each level, for drawing."""
        if self.force_rate is None or not self.points:
            return {}
        top = max(p.denominator for p in self.points) * 1.1
        start = max(1.0, min(p.denominator for p in self.points) * 0.5)
        ns = [start * (top / start) ** (i / (steps - 1)) for i in range(steps)]
        return {
            f"{level:g}": [(n, *control_limits(self.force_rate, n, level, self.method)) for n in ns]
            for level in LEVELS
        }

    def as_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "force_rate": self.force_rate,
            "method": self.method,
            "points": [asdict(p) | {"label": p.label} for p in self.points],
            "omitted": self.omitted,
        }


def band(rate: float, p0: float, n: float, method: Method = "normal") -> str:
    """Where a borough sits against the force's 95% and 99.8% limits."""
    low95, high95 = control_limits(p0, n, 0.95, method)
    low998, high998 = control_limits(p0, n, 0.998, method)
    if rate > high998:
        return "above_998"
    if rate > high95:
        return "above_95"
    if rate < low998:
        return "below_998"
    if rate < low95:
        return "below_95"
    return "within"


def funnel(results: Sequence[dict], indicator: str, method: Method = "normal") -> Funnel:
    """The funnel of one rate indicator over ``[force, borough, ...]`` result dicts."""
    force = results[0]
    force_entry = force["indicators"].get(indicator, {})
    p0 = force_entry.get("value")
    if p0 is None and force_entry.get("denominator") and force_entry.get("numerator") is not None:
        p0 = force_entry["numerator"] / force_entry["denominator"]
    points, omitted = [], []
    for result in results[1:]:
        entry = result["indicators"].get(indicator, {})
        num, den = entry.get("numerator"), entry.get("denominator")
        if p0 is None or num is None or not den:
            omitted.append(result["scope"])
            continue
        rate = num / den
        points.append(FunnelPoint(
            scope=result["scope"], numerator=num, denominator=den, rate=rate,
            z=z_score(rate, p0, den), band=band(rate, p0, den, method),
            limits={f"{lv:g}": control_limits(p0, den, lv, method) for lv in LEVELS},
        ))
    return Funnel(indicator, p0, points, method, omitted)


def league_table(f: Funnel) -> list[dict]:
    """Boroughs by rate, highest first, each marked against the force's limits.

    The rank is shown, but the mark is what counts: only boroughs outside the limits
    differ from the force by more than chance.
    """
    rows = sorted(f.points, key=lambda p: (-p.rate, p.scope))
    return [
        {
            "rank": i + 1, "scope": p.scope, "rate": p.rate, "numerator": p.numerator,
            "denominator": p.denominator, "z": p.z, "band": p.band, "label": p.label,
            "marker": {"above_998": "▲▲", "above_95": "▲", "within": "",
                       "below_95": "▼", "below_998": "▼▼"}[p.band],
        }
        for i, p in enumerate(rows)
    ]
