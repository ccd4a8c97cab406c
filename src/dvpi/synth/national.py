"""National scale: many forces and years, streamed to Parquet a chunk at a time.

Each chunk is one complete two-year build of the calibrated London plan at the scale that
gives the chunk its share of the reports; chunk ``k`` is given to force ``k mod 43`` and
built for the financial years from ``2006 + 2 * (k // 43)``: the plan's profile moved to
those years, so the time model gives them their own weekdays, Easter, Christmas and
football tournaments. Ids are prefixed per chunk so they stay unique; every table with a
``borough`` column gets a ``force`` column (the format's "Several forces in one data set"),
the chunk's London boroughs dealt to the force's BCUs, and the population is the force's
(synth/forces.py). Peak memory is that of one chunk,
whatever the total.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from dvpi.synth.forces import bcus_of, force_names, population_table
from dvpi.synth.pipeline import build_london
from dvpi.synth.profile import Profile, load_profile
from dvpi.synth.writers import ParquetSink, declared, to_arrow

# The 43 territorial police forces of England and Wales (synth/data/ew-forces.json).
FORCES: tuple[str, ...] = tuple(force_names())
CHUNK_REPORTS = 200_000
FULL_BUILD_REPORTS = 226_700  # reports of one full-scale two-year London build (approx.)
NATIONAL_REPORTS = 15_000_000

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
            built = build_london(_moved(prof, 2 * (k // len(FORCES))),
                                 int(np.random.SeedSequence([seed, k]).generate_state(1)[0]),
                                 force=force)
            prefix = f"F{k % len(FORCES):02d}C{k:05d}-"
            for name, df in declared(built.tables).items():
                # One set of targets for the whole data set; the population is the forces'.
                if name == "population" or (name == "targets" and k):
                    continue
                if "borough" in df:
                    df = df.assign(borough=bcus_of(force, df.borough))
                df = _relabel(name, df, prefix, force)
                sink.write(name, to_arrow(name, df))
                rows[name] = rows.get(name, 0) + len(df)
            t = built.truth.assign(person_id=prefix + built.truth.person_id,
                                   true_person_id=prefix + built.truth.true_person_id)
            tsink.write("people", pa.Table.from_pandas(t, preserve_index=False))
            if k < len(FORCES):
                pop = population_table(names=[force])
                sink.write("population", to_arrow("population", pop))
                rows["population"] = rows.get("population", 0) + len(pop)
            if progress:
                progress(k + 1, n_chunks)
            del built
    finally:
        sink.close()
        tsink.close()
    return rows


def _moved(prof: Profile, years: int) -> Profile:
    """The profile for the financial year ``years`` later (its figures unchanged)."""
    if not years:
        return prof
    return dataclasses.replace(prof, start=prof.start.replace(year=prof.start.year + years),
                               end=prof.end.replace(year=prof.end.year + years))


def _relabel(name: str, df: pd.DataFrame, prefix: str, force: str) -> pd.DataFrame:
    df = df.copy()
    for col in _ID_COLUMNS.get(name, ()):
        s = df[col]
        df[col] = np.where(s.isna(), None, prefix + s.astype(str))
    if "borough" in df:
        # Several forces in one data set (interchange-format.md): a borough is the force's
        # own (identified by force and borough); targets are for every force (``*``).
        df["force"] = "*" if name == "targets" else force
    return df
