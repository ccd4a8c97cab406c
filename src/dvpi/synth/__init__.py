"""Calibrated synthetic data: a force's export, with no real person in it.

>>> from dvpi.synth import generate, truth_links
>>> result = generate("out/london", profile="mps-2007-08", seed=1, scale=0.02)  # doctest: +SKIP
>>> links = truth_links(result.truth_csv)  # person_id, person_key, method='truth'

``generate`` writes every table of the interchange format (those the contract declares:
the version-2 tables and columns are built always and written once the contract has
them) for the 32 London boroughs over 2006-07 and 2007-08 such that the indicator
catalogue for 2007-08, counting persons by their true identity, gives exactly the
figures of ``shared/spec/mps-fy2007-08.json`` (scaled, when ``scale`` < 1). The ground
truth (people row -> true person) is written beside the data set, never inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from dvpi.synth.noise import NOISE
from dvpi.synth.pipeline import build_london
from dvpi.synth.profile import Profile, load_profile
from dvpi.synth.writers import declared, default_truth_dir, write_csv, write_truth

TRUTH_METHOD = "truth"


@dataclass
class SynthResult:
    out_dir: Path
    truth_csv: Path
    rows: dict[str, int]
    profile: Profile


def generate(out_dir: str | Path, profile: str = "mps-2007-08", seed: int = 1,
             scale: float = 1.0, truth_dir: str | Path | None = None) -> SynthResult:
    """Write a calibrated London data set (CSV) to ``out_dir`` and its truth beside it."""
    prof = load_profile(profile, scale=scale)
    built = build_london(prof, seed)
    out = Path(out_dir)
    write_csv(out, built.tables)
    truth_csv = write_truth(Path(truth_dir) if truth_dir else default_truth_dir(out),
                            built.truth)
    return SynthResult(out, truth_csv, {k: len(v) for k, v in declared(built.tables).items()},
                       prof)


def truth_links(truth_csv: str | Path) -> pa.Table:
    """person_links rows (person_id, person_key, method='truth') from a truth file, for
    counting distinct persons by their true identity."""
    t = pacsv.read_csv(truth_csv, convert_options=pacsv.ConvertOptions(
        column_types={"person_id": pa.string(), "true_person_id": pa.string()},
        include_columns=["person_id", "true_person_id"]))
    return pa.table({"person_id": t["person_id"], "person_key": t["true_person_id"],
                     "method": pa.array([TRUTH_METHOD] * t.num_rows, pa.string())})


def store_truth_links(con, truth_csv: str | Path) -> None:
    """Store the truth as person links of method ``truth`` in a warehouse, so that the
    engine counts persons by their true identity (``people="truth"``)."""
    from dvpi.people import Method, register, store_links

    # A method like any other, whose links come from the truth file, not a resolver.
    register(Method(TRUTH_METHOD, "synthetic ground truth (who is who)"))
    con.register("_synth_truth_links", truth_links(truth_csv))
    try:
        store_links(con, TRUTH_METHOD, "SELECT person_id, person_key FROM _synth_truth_links",
                    detail="synthetic ground truth")
    finally:
        con.unregister("_synth_truth_links")


__all__ = [
    "NOISE",
    "TRUTH_METHOD",
    "SynthResult",
    "default_truth_dir",
    "generate",
    "load_profile",
    "store_truth_links",
    "truth_links",
]
