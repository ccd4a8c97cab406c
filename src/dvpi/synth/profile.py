"""The calibration profile: the figures a synthetic data set must reproduce.

The numbers are read at run time from ``mps-fy2007-08.json`` (never retyped here). A profile
can be scaled down (``scale=0.02``) for small, fast, proportionally calibrated test data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PROFILE_NAMES = ("mps-2007-08",)
PACKAGED_PROFILE = Path(__file__).parent / "data" / "mps-fy2007-08.json"


def _find_profile_json() -> Path:
    """$DVPI_PROFILE, else the package's verbatim copy of the spec's calibration file
    (``shared/spec/mps-fy2007-08.json``; a test checks the copy is identical)."""
    env = os.environ.get("DVPI_PROFILE")
    return Path(env) if env else PACKAGED_PROFILE


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integers proportional to ``weights`` that sum exactly to ``total``."""
    keys = list(weights)
    wsum = sum(weights.values()) or 1.0
    raw = [total * weights[k] / wsum for k in keys]
    base = [int(x) for x in raw]
    order = sorted(range(len(keys)), key=lambda i: raw[i] - base[i], reverse=True)
    for i in order[: total - sum(base)]:
        base[i] += 1
    return dict(zip(keys, base, strict=True))


@dataclass
class Profile:
    """Integer targets for one financial year, plus the derived splits."""

    name: str
    start: dt.date
    end: dt.date
    counts: dict[str, int]
    breakdowns: dict[str, dict[str, int]]
    rates: dict[str, float]
    compliance_best: tuple[str, float]
    targets: dict[str, dict[str, float]]
    scale: float = 1.0
    extra: dict[str, int] = field(default_factory=dict)

    def c(self, key: str) -> int:
        return self.counts[key]

    def b(self, key: str) -> dict[str, int]:
        return self.breakdowns[key]


def _fy(label: str) -> tuple[dt.date, dt.date]:
    y = int(label[:4])
    return dt.date(y, 4, 1), dt.date(y + 1, 3, 31)


def load_profile(name: str = "mps-2007-08", scale: float = 1.0,
                 path: str | Path | None = None) -> Profile:
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILE_NAMES)}")
    data = json.loads(Path(path or _find_profile_json()).read_text())
    ind = data["indicators"]
    counts = {k: v for k, v in ind.items() if isinstance(v, int)}
    breakdowns = {k: dict(v) for k, v in ind.items() if isinstance(v, dict)
                  and all(isinstance(x, int) for x in v.values())}
    rates = {k: v for k, v in ind.items() if isinstance(v, float)}
    best = ind["risk_assessment_compliance_best_borough"]
    best_name, best_rate = next(iter(best.items()))
    breakdowns.pop("risk_assessment_compliance_best_borough", None)
    # Derived from the notes: adult cautions and the other sanction detections.
    sd = counts["sanction_detections"]
    counts["caution_adult"] = round(rates["adult_caution_share"] * sd)
    counts["other_sanctions"] = sd - counts["caution_adult"] - counts["charges"]
    counts.setdefault("dv_non_crimes", counts["dv_incidents"] - counts["dv_crimes"])
    prof = Profile(
        name=name,
        start=dt.date.fromisoformat(data["period"]["start"]),
        end=dt.date.fromisoformat(data["period"]["end"]),
        counts=counts, breakdowns=breakdowns, rates=rates,
        compliance_best=(best_name, best_rate),
        targets={k: dict(v) for k, v in data["targets"].items()},
    )
    return prof if scale == 1.0 else scale_profile(prof, scale)


# Breakdowns whose total must equal a count (scaled together).
_BREAKDOWN_TOTALS = {
    "dv_crime_victims_by_gender": "victim_rows",
    "dv_crime_victims_by_ethnic_appearance": "victim_rows",
    "dv_crime_victims_by_age_group": "victim_rows",
    "accused_by_gender": "accused_persons",
    "accused_by_ethnic_appearance": "accused_persons",
    "accused_by_age_group": "accused_persons",
    "dv_homicide_victims_by_gender": "dv_homicides",
    "dv_homicide_suspects_by_gender": "dv_homicides",
    "dv_homicide_victims_by_age_band": "dv_homicides",
    "dv_homicide_suspects_by_age_band": "dv_homicides",
    "fm_victims_by_gender": "fm_victims",
    "fm_victims_by_ethnic_appearance": "fm_victims",
    "fm_victims_by_age_band": "fm_victims",
    "fm_victims_by_self_defined_ethnicity": "fm_victims",
    "dual_arrest_outcomes_surname_method": None,
    "risk": None,
}


MIN_SCALE = 0.001


def scale_profile(prof: Profile, scale: float) -> Profile:
    """Every count times ``scale``, rounded so that the identities between figures hold
    (breakdowns sum to their totals, singles + repeats = adults, charges + cautions +
    others = detections)."""
    if not MIN_SCALE <= scale <= 4:
        # Below about 1/3,000 of London some planned groups round to nothing and the
        # plan cannot meet its own totals: refuse rather than fail half-way.
        raise ValueError(f"scale must be between {MIN_SCALE} and 4")
    c = prof.counts
    s = {k: max(0, round(v * scale)) for k, v in c.items()}
    # Keep the identities.
    s["dv_non_crimes"] = s["dv_incidents"] - s["dv_crimes"]
    for pre in ("adult_victims_incidents", "adult_victims_offences"):
        s[f"{pre}_single"] = s[pre] - s[f"{pre}_repeat"]
    s["caution_adult"] = round(c["caution_adult"] * scale)
    s["other_sanctions"] = max(1, round(c["other_sanctions"] * scale))
    s["charges"] = s["sanction_detections"] - s["caution_adult"] - s["other_sanctions"]
    totals = {
        "victim_rows": max(s["dv_crimes"], round(sum(
            prof.breakdowns["dv_crime_victims_by_gender"].values()) * scale)),
        "accused_persons": s["accused_persons"],
        "dv_homicides": max(2, s["dv_homicides"]),
        "fm_victims": round(sum(prof.breakdowns["fm_victims_by_gender"].values()) * scale),
    }
    s["dv_homicides"] = totals["dv_homicides"]
    s["homicide_reviews_started"] = totals["dv_homicides"]
    s["fm_records"] = max(2, s["fm_records"])
    s["fm_records_dv"] = min(max(1, s["fm_records_dv"]), s["fm_records"] - 1)
    totals["fm_victims"] = max(totals["fm_victims"], s["fm_records"] + 1)
    br: dict[str, dict[str, int]] = {}
    for key, values in prof.breakdowns.items():
        tot_key = _BREAKDOWN_TOTALS.get(key)
        if tot_key is None:
            br[key] = {k: round(v * scale) for k, v in values.items()}
            continue
        br[key] = largest_remainder(totals[tot_key], {k: float(v) for k, v in values.items()})
    # Small scales: keep every accused / victim age group the spec has at least possible.
    s["dual_arrest_incidents_surname_method"] = max(
        2, s["dual_arrest_incidents_surname_method"])
    return Profile(prof.name, prof.start, prof.end, s, br, prof.rates, prof.compliance_best,
                   prof.targets, scale)
