"""National scale: many forces and years, streamed to Parquet a chunk at a time.

Each chunk is one complete two-year build of the calibrated London plan at the scale that
gives the chunk its share of the reports; chunk ``k`` is given to force ``k mod 43`` and to
the years ``2006 + 2 * (k // 43)`` onward (dates shifted by whole 52-week blocks, so the
weekly shape is kept). Ids are prefixed per chunk so they stay unique. Peak memory is that
of one chunk, whatever the total.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from dvpi.contract import TABLES
from dvpi.synth.pipeline import build_london
from dvpi.synth.profile import load_profile
from dvpi.synth.writers import ParquetSink, declared, to_arrow

# The 43 territorial police forces of England and Wales.
FORCES: tuple[str, ...] = (
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London",
    "Cleveland", "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham",
    "Dyfed-Powys", "Essex", "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire",
    "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire", "Lincolnshire",
    "Merseyside", "Metropolitan", "Norfolk", "North Wales", "North Yorkshire",
    "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire",
    "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
)
CHUNK_REPORTS = 200_000
FULL_BUILD_REPORTS = 226_700  # reports of one full-scale two-year London build (approx.)
NATIONAL_REPORTS = 15_000_000
_SHIFT_DAYS = 728  # 104 weeks: two years, same weekdays

_ID_COLUMNS = {
    "reports": ("report_id", "cad_ref"), "people": ("person_id", "report_id", "nominal_id"),
    "relationships": ("report_id", "victim_person_id", "suspect_person_id"),
    "outcomes": ("report_id", "person_id"), "risk_assessments": ("report_id",),
    "cad_calls": ("call_id", "report_id"), "cps_cases": ("cps_urn", "report_id"),
    "homicide_reviews": ("review_id", "report_id"),
    "bail": ("bail_id", "person_id"),
    "protective_orders": ("order_id", "report_id", "person_id"),
    "disclosures": ("request_id",),
    "marac_cases": ("case_id", "victim_ref", "victim_person_id"),
    "support_referrals": ("referral_id", "person_id"),
    "victim_surveys": ("survey_id", "person_id"),
    "programme_requirements": ("requirement_id", "person_id"),
}


def generate_national(out_dir: str | Path, seed: int = 1, reports: int = NATIONAL_REPORTS,
                      truth_dir: str | Path | None = None,
                      progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write ``reports`` reports (approximately) as Parquet; returns rows per table."""
    out = Path(out_dir)
    truth = Path(truth_dir) if truth_dir else out.parent / f"{out.name}.truth"
    n_chunks = max(1, math.ceil(reports / CHUNK_REPORTS))
    scale = reports / n_chunks / FULL_BUILD_REPORTS
    prof = load_profile(scale=scale)
    sink = ParquetSink(out)
    tsink = ParquetSink(truth)
    rows: dict[str, int] = {}
    try:
        for k in range(n_chunks):
            force = FORCES[k % len(FORCES)]
            shift = np.timedelta64(_SHIFT_DAYS * (k // len(FORCES)), "D")
            built = build_london(prof, int(np.random.SeedSequence([seed, k]).generate_state(1)[0]),
                                 date_shift_days=int(shift / np.timedelta64(1, "D")),
                                 force=force)
            prefix = f"F{k % len(FORCES):02d}C{k:05d}-"
            for name, df in declared(built.tables).items():
                # One population per force, one set of targets for the whole data set.
                if (name == "population" and k >= len(FORCES)) or (name == "targets" and k):
                    continue
                df = _relabel(name, df, prefix, force, shift)
                sink.write(name, to_arrow(name, df))
                rows[name] = rows.get(name, 0) + len(df)
            t = built.truth.assign(person_id=prefix + built.truth.person_id,
                                   true_person_id=prefix + built.truth.true_person_id)
            tsink.write("people", pa.Table.from_pandas(t, preserve_index=False))
            if progress:
                progress(k + 1, n_chunks)
            del built
    finally:
        sink.close()
        tsink.close()
    return rows


def _relabel(name: str, df: pd.DataFrame, prefix: str, force: str,
             shift: np.timedelta64) -> pd.DataFrame:
    df = df.copy()
    for col in _ID_COLUMNS.get(name, ()):
        s = df[col]
        df[col] = np.where(s.isna(), None, prefix + s.astype(str))
    if "borough" in df and df["borough"].dtype == object:
        df["borough"] = np.where(df["borough"] == "*", "*", force + ": " + df["borough"])
    if shift:
        for col in TABLES[name].columns:
            if col.type in ("date", "datetime") and col.name in df:
                df[col.name] = pd.to_datetime(df[col.name]) + pd.Timedelta(shift)
    return df
