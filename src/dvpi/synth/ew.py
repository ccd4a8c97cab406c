"""England and Wales, years ending March 2016 to March 2025: 43 forces, calibrated to the
published national figures (``dvpi synth --profile ew-2024-25``).

Each force-year is built from the calibrated London plan (``build_london``) moved to that
year and given to that force, in one or more builds small enough to keep memory bounded,
then cut to the force-year's exact integers (:mod:`dvpi.synth.ew_figures`):

* its DV crimes and non-crime incidents: chosen among the build's year (the build's year
  before, which only feeds the London plan's look-back, is dropped with every row that
  points at it; unflagged reports and unlinked rows are kept in the same proportion);
* the suspect rows arrested on its DV crimes: arrest dates added or removed;
* its CPS cases: written afresh, referrals, legal decisions, charges, prosecutions and
  convictions exactly (prosecutions partly of cases charged the year before, as the
  figures require: ``ew_figures.carried``).

Boroughs are the force's BCUs (the London boroughs of a build are dealt to them in turn),
ids are prefixed per force, year and build, and every table with a borough column has a
``force`` column. Force-year by force-year, every table is appended to its Parquet file
(one row group per build) and the build is dropped: peak memory is that of one build
(at most ``BUILD_MAX_SCALE`` of London), whatever the total. Some suspects move: a few true
persons of each force are also suspects in the next force of the same year (their names
and date of birth as the first force recorded them), so the truth links people across
forces.

``--jobs N`` builds and cuts in N processes, at most N + 1 builds ahead of the one being
written; everything drawn across builds (movers, CPS cases) is drawn where they are
written, in order, so the files are those of one process.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from dvpi.synth.ew_figures import (
    LAST_YEAR,
    YearTargets,
    carried,
    force_targets,
    national_targets,
    parse_year,
    split_volume,
)
from dvpi.synth.forces import bcu_population, bcus_of, force_names, population_table
from dvpi.synth.national import _moved, _relabel
from dvpi.synth.pipeline import build_london
from dvpi.synth.profile import Profile, load_profile, scale_profile
from dvpi.synth.writers import ParquetSink, declared, to_arrow

PROFILE_NAME = "ew-2024-25"
BUILD_MIN_SCALE = 0.004  # below this the London plan cannot meet its own totals
BUILD_MAX_SCALE = 0.6  # about 140,000 reports a build: bounded memory
MARGIN = 1.03  # builds a little more than the year needs, to choose from
# The year before of a build is dropped: build 0.4 of the year's volume of it, not the
# London plan's 0.97 (a third less to build). Lower fails: the plan's year before needs
# victims seen only once for its homicides, and its repeat victims' rows fill about 0.26.
PREVIOUS_YEAR_VOLUME = 0.4
MOVER_SHARE = 0.01  # of a force's suspects (true persons), also suspects in the next force
# Illustrative: the CPS charging rate (ONS) target of every force, every year.
TARGET = ("cps_ons_charging_rate", 0.75, "at_least")

# Columns a row of each table points with, and the date that places an unlinked row in
# a year. A row pointing at a dropped report or person is dropped.
_REFS = {
    "people": ("report_id",), "relationships": ("report_id",),
    "outcomes": ("report_id", "person_id"), "risk_assessments": ("report_id",),
    "cad_calls": ("report_id",), "homicide_reviews": ("report_id",), "bail": ("person_id",),
    "protective_orders": ("report_id", "person_id"), "disclosures": (),
    "marac_cases": ("victim_person_id",), "support_referrals": ("person_id",),
    "victim_surveys": ("person_id",), "programme_requirements": ("person_id",),
}
_UNLINKED_DATE = {"cad_calls": "received_at", "protective_orders": "applied_date",
                  "disclosures": "received_date", "marac_cases": "conference_date"}
TRUTH_SCHEMA = pa.schema([(c, pa.string()) for c in ("person_id", "true_person_id", "noise")])
_REBUILT = ("population", "targets", "cps_cases")  # written by this module instead


@cache
def _base() -> Profile:
    return load_profile()


def generate_ew(out_dir: str | Path, seed: int = 1, from_year: str = "2015-16",
                scale: float = 1.0, truth_dir: str | Path | None = None,
                progress: Callable[[int, int], None] | None = None,
                jobs: int = 1) -> dict[str, int]:
    """Write the years from ``from_year`` to 2024-25 as Parquet; rows per table. With
    ``jobs`` above 1 the builds run in that many processes (one build each at a time) and
    are written in the same order: the same files as one process."""
    first = parse_year(from_year)
    if not 0 < scale <= 1:
        raise ValueError("scale must be above 0 and at most 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    out = Path(out_dir)
    truth = Path(truth_dir) if truth_dir else out.parent / f"{out.name}.truth"
    names = force_names()
    sink, tsink = ParquetSink(out), ParquetSink(truth)
    rows: dict[str, int] = {}

    def write(name: str, df: pd.DataFrame) -> None:
        sink.write(name, to_arrow(name, df))
        rows[name] = rows.get(name, 0) + len(df)

    def force_years() -> Iterator[_ForceYear]:
        for year in range(first, LAST_YEAR + 1):
            targets = force_targets(national_targets(year, scale))
            for fi, force in enumerate(names):
                yield _ForceYear(force, fi, year, targets[force], scale, seed)

    total = (LAST_YEAR - first + 1) * len(names)
    done = 0
    movers: pd.DataFrame | None = None
    try:
        for unit, spec, (tables, truth_rows) in _built(force_years(), jobs):
            if spec.unit == 0 and unit.index == 0:
                movers = None  # a year's first force: nobody moves in
            for name, df in unit.take(spec, tables, truth_rows, movers).items():
                write(name, df)
            if spec.unit < spec.units - 1:
                continue
            write("cps_cases", unit.cps_cases())
            tsink.write("people", pa.Table.from_pandas(
                unit.truth.astype(str), schema=TRUTH_SCHEMA, preserve_index=False))
            movers = unit.movers
            done += 1
            if progress:
                progress(done, total)
        write("population", population_table(scale))
        write("targets", targets_table(first))
    finally:
        sink.close()
        tsink.close()
    return rows


def _built(force_years: Iterator[_ForceYear], jobs: int) -> Iterator[
        tuple[_ForceYear, _Build, tuple[dict[str, pd.DataFrame], pd.DataFrame]]]:
    """(force-year, build, its tables and truth) in order: built here one at a time, or
    in ``jobs`` processes with at most ``jobs + 1`` builds done or under way (bounded
    memory)."""
    work = ((unit, spec) for unit in force_years for spec in unit.builds())
    if jobs == 1:
        for unit, spec in work:
            yield unit, spec, _run_build(spec)
        return
    # Fresh processes (spawn), not forks of this one and its Arrow writer threads.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        waiting: deque = deque((unit, spec, pool.submit(_run_build, spec))
                               for unit, spec in itertools.islice(work, jobs + 1))
        while waiting:
            unit, spec, future = waiting.popleft()
            waiting.extend((u, sp, pool.submit(_run_build, sp))
                           for u, sp in itertools.islice(work, 1))
            yield unit, spec, future.result()


def targets_table(first: int) -> pd.DataFrame:
    indicator, target, direction = TARGET
    years = range(first, LAST_YEAR + 1)
    return pd.DataFrame({
        "indicator": indicator, "force": "*", "borough": "*",
        "period_start": [pd.Timestamp(y, 4, 1) for y in years],
        "period_end": [pd.Timestamp(y + 1, 3, 31) for y in years],
        "target": target, "direction": direction})


@dataclass(frozen=True)
class _Build:
    """One build of a force-year: all a process needs to build it and cut it."""

    force: str
    index: int  # the force's
    year: int
    unit: int
    units: int  # builds of the force-year
    crimes: int
    non_crimes: int
    arrests: int
    scale: float  # of London
    seed: int

    @property
    def prefix(self) -> str:
        return f"F{self.index:02d}Y{self.year % 100:02d}U{self.unit}-"


def _run_build(spec: _Build) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The build ``spec`` cut to its integers and relabelled, and its truth."""
    base = _base()
    prof = _moved(scale_profile(base, spec.scale), spec.year - base.start.year)
    built = build_london(prof, spec.seed, force=spec.force,
                         previous_year_volume=PREVIOUS_YEAR_VOLUME)
    rng = np.random.default_rng(spec.seed)
    tables, kept = _Cut(spec).cut(declared(built.tables), rng)
    truth = built.truth[built.truth.person_id.isin(kept)].copy()
    truth["person_id"] = spec.prefix + truth.person_id
    truth["true_person_id"] = spec.prefix + truth.true_person_id
    tables = {k: _relabel(k, v, spec.prefix, spec.force) for k, v in tables.items()}
    return tables, truth


class _ForceYear:
    """One force's year: its builds, cut to its integers, and its CPS cases."""

    def __init__(self, force: str, index: int, year: int, targets: YearTargets,
                 scale: float, seed: int) -> None:
        self.force, self.index, self.year, self.t = force, index, year, targets
        self.scale, self.seed = scale, seed
        self.first = pd.Timestamp(year, 4, 1)
        self.last = pd.Timestamp(year + 1, 3, 31)
        self.rng = np.random.default_rng([seed, year, index, 1 << 20])
        # Who moves in and who moves on: a stream of their own, drawn as the builds are
        # written (in order), in whichever process they were built.
        self.move_rng = np.random.default_rng([seed, year, index, 2 << 20])
        self.truth = pd.DataFrame(columns=["person_id", "true_person_id", "noise"])
        self.movers: pd.DataFrame | None = None
        self.crimes: list[pd.DataFrame] = []
        self.truths: list[pd.DataFrame] = []

    def builds(self) -> list[_Build]:
        base = _base()
        lc, ln = base.c("dv_crimes"), base.c("dv_non_crimes")
        t = self.t
        need = max(t.dv_crimes / lc, t.dv_non_crimes / ln) * MARGIN
        n_units = max(1, math.ceil(need / BUILD_MAX_SCALE))
        out = []
        for u, (c, n, a) in enumerate(split_volume(t, n_units)):
            s = max(BUILD_MIN_SCALE, max(c / lc, n / ln) * MARGIN + 2 / lc)
            unit_seed = int(np.random.SeedSequence(
                [self.seed, self.year, self.index, u]).generate_state(1)[0])
            out.append(_Build(self.force, self.index, self.year, u, n_units, c, n, a, s,
                              unit_seed))
        return out

    def take(self, spec: _Build, tables: dict[str, pd.DataFrame], truth: pd.DataFrame,
             movers: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
        """A build's tables, in build order: the last force's movers moved into the
        first build, this force's movers chosen from the last."""
        if spec.unit == 0:
            self._move_in(movers, tables["people"], truth, self.move_rng)
        r = tables["reports"]
        crimes = r[r.dv_flag & (r.classification == "crime")]
        self.crimes.append(crimes[["report_id", "borough", "recorded_date"]])
        self.truths.append(truth)
        if spec.unit == spec.units - 1:
            self.movers = _movers(tables["people"], truth, self.move_rng)
            self.truth = pd.concat(self.truths, ignore_index=True)
        return tables

    def build(self, movers: pd.DataFrame | None) -> Iterator[tuple[str, pd.DataFrame]]:
        """Every table of the force-year, a build at a time, in this process: as
        ``generate_ew`` builds and takes them (the tests build one force-year alone)."""
        for _, spec, (tables, truth) in _built(iter([self]), 1):
            yield from self.take(spec, tables, truth, movers).items()
        yield "cps_cases", self.cps_cases()

    def _move_in(self, movers: pd.DataFrame | None, people: pd.DataFrame,
                 truth: pd.DataFrame, rng: np.random.Generator) -> None:
        """Give a few of this force's suspects the identity of the last force's movers."""
        if movers is None or movers.empty:
            return
        who = truth.set_index("person_id").true_person_id
        true_ids = people.person_id.map(who)
        local = true_ids[(people.role == "suspect").to_numpy()].dropna().unique()
        n = min(len(movers), len(local))
        if not n:
            return
        chosen = dict(zip(rng.choice(local, n, replace=False), movers.index[:n],
                          strict=True))
        rows = true_ids.isin(chosen).to_numpy()
        mover = true_ids[rows].map(chosen)
        for col in ("surname", "forenames", "date_of_birth", "gender"):
            people.loc[rows, col] = movers.loc[mover, col].to_numpy()
        truth_rows = truth.true_person_id.isin(chosen)
        truth.loc[truth_rows, "true_person_id"] = truth.true_person_id[truth_rows].map(chosen)

    def cps_cases(self) -> pd.DataFrame:
        """The force-year's DV-flagged CPS cases, exactly its integers: its own referrals
        (those charged and prosecuted next year are written by next year, dated in this
        one), and this year's prosecutions of cases charged the year before."""
        t, rng = self.t, self.rng
        k_in = carried(self.scale)[self.force, self.year]
        k_out = carried(self.scale)[self.force, self.year + 1] if self.year < LAST_YEAR \
            else 0
        crimes = pd.concat(self.crimes, ignore_index=True)
        own, legal, charged = t.referrals - k_out, t.legal_decisions - k_out, \
            t.charged - k_out
        if own > len(crimes) or min(own, legal, charged) < 0:
            raise RuntimeError(f"{self.force}: too few crimes for the CPS referrals")
        ref = crimes.iloc[rng.choice(len(crimes), own, replace=False)].reset_index(drop=True)
        rec = pd.to_datetime(ref.recorded_date)
        room = (self.last - rec).dt.days.to_numpy()
        referred = rec + pd.to_timedelta(
            np.minimum(rng.integers(0, 61, own), room), unit="D")
        not_charged = legal - charged
        nfa = round(not_charged * 0.79)  # NFA : out-of-court disposal, 75 : 20
        undecided = own - legal
        decision = np.array(["charge"] * charged + ["no_further_action"] * nfa
                            + ["caution_advised"] * (not_charged - nfa)
                            + ["other"] * (undecided // 2)
                            + [None] * (undecided - undecided // 2), dtype=object)
        rng.shuffle(decision)
        own_pros = t.prosecutions - k_in
        pros = np.zeros(own, bool)
        pros[rng.choice(np.flatnonzero(decision == "charge"), own_pros, replace=False)] = True
        left = (self.last - referred).dt.days.to_numpy()
        pros_date = referred + pd.to_timedelta(
            np.minimum(rng.integers(1, 61, own), left), unit="D")
        cases = pd.DataFrame({
            "report_id": ref.report_id, "borough": ref.borough, "dv_flagged": True,
            "referred_date": referred, "decision": decision,
            "decision_date": (referred + pd.to_timedelta(rng.integers(0, 29, own), unit="D")
                              ).where(pd.notna(decision)),
            "prosecution_date": pros_date.where(pros)})
        # Charged the year before, prosecuted this year; no police report in this year.
        before = self.first - pd.to_timedelta(rng.integers(1, 91, k_in), unit="D")
        weights = bcu_population(self.force)
        earlier = pd.DataFrame({
            "report_id": None,
            "borough": rng.choice(list(weights), k_in,
                                  p=np.array(list(weights.values())) / sum(weights.values())),
            "dv_flagged": True, "referred_date": before, "decision": "charge",
            "decision_date": before + pd.to_timedelta(rng.integers(0, 8, k_in), unit="D"),
            "prosecution_date": self.first + pd.to_timedelta(rng.integers(0, 90, k_in),
                                                             unit="D")})
        cps = pd.concat([cases, earlier], ignore_index=True)
        cps["decision_date"] = pd.to_datetime(cps.decision_date).where(
            cps.decision.notna(), pd.NaT)
        prosecuted = np.flatnonzero(cps.prosecution_date.notna().to_numpy())
        outcome = np.array(["convicted"] * t.convicted
                           + list(rng.choice(["acquitted", "discontinued"],
                                             len(prosecuted) - t.convicted, p=[0.45, 0.55])),
                           dtype=object)
        rng.shuffle(outcome)
        cps["outcome"] = None
        cps.loc[prosecuted, "outcome"] = outcome
        prefix = f"F{self.index:02d}Y{self.year % 100:02d}"
        cps.insert(0, "cps_urn", [f"{prefix}CPS{i:07d}" for i in range(len(cps))])
        cps["force"] = self.force
        return cps


class _Cut:
    """A build's year cut to exactly its DV crimes, DV non-crime incidents and arrests."""

    def __init__(self, spec: _Build) -> None:
        self.spec, self.force = spec, spec.force
        self.first = pd.Timestamp(spec.year, 4, 1)
        self.last = pd.Timestamp(spec.year + 1, 3, 31)

    def cut(self, tables: dict[str, pd.DataFrame], rng: np.random.Generator):
        """The build's year cut to exactly its ``crimes`` DV crimes and ``non_crimes`` DV
        non-crime incidents, ``arrests`` arrested suspect rows on those crimes; and the
        person ids it keeps."""
        crimes, non_crimes, arrests = (self.spec.crimes, self.spec.non_crimes,
                                       self.spec.arrests)
        r = tables["reports"]
        rec = pd.to_datetime(r.recorded_date)
        year = ((rec >= self.first) & (rec <= self.last)).to_numpy()
        dv = r.dv_flag.to_numpy(bool)
        crime = (r.classification == "crime").to_numpy()
        dvc, dvn = np.flatnonzero(year & dv & crime), np.flatnonzero(year & dv & ~crime)
        if len(dvc) < crimes or len(dvn) < non_crimes:
            raise RuntimeError(f"{self.force}: the build has too few DV reports")
        keep = np.zeros(len(r), bool)
        keep[rng.choice(dvc, crimes, replace=False)] = True
        keep[rng.choice(dvn, non_crimes, replace=False)] = True
        share = (crimes + non_crimes) / max(1, len(dvc) + len(dvn))
        keep |= year & ~dv & (rng.random(len(r)) < share)
        out = {"reports": r[keep]}
        # Arrays, not sets: pandas makes a set a list, then an array, at every isin.
        report_ids = out["reports"].report_id.to_numpy()
        people = tables["people"]
        out["people"] = people = people[people.report_id.isin(report_ids)].copy()
        person_ids = people.person_id.unique()
        ids = {"report_id": report_ids, "person_id": person_ids,
               "victim_person_id": person_ids, "suspect_person_id": person_ids}
        for name, df in tables.items():
            if name in out or name in _REBUILT:
                continue
            refs = [c for c in (*_REFS.get(name, ()), "victim_person_id", "suspect_person_id")
                    if c in df]
            ok = np.ones(len(df), bool)
            linked = np.zeros(len(df), bool)
            for col in dict.fromkeys(refs):
                given = df[col].notna().to_numpy()
                ok &= ~given | df[col].isin(ids[col]).to_numpy()
                linked |= given
            if name in _UNLINKED_DATE:
                d = pd.to_datetime(df[_UNLINKED_DATE[name]])
                in_year = ((d >= self.first) & (d <= self.last + pd.Timedelta(days=1)))
                ok &= linked | (in_year.to_numpy() & (rng.random(len(df)) < share))
            else:
                ok &= linked | (len(refs) == 0)
            out[name] = df[ok]
        self._set_arrests(out["reports"], people, arrests, rng)
        for name, df in out.items():
            if "borough" in df:
                out[name] = df.assign(borough=bcus_of(self.force, df.borough))
        return out, person_ids

    def _set_arrests(self, reports: pd.DataFrame, people: pd.DataFrame, arrests: int,
                     rng: np.random.Generator) -> None:
        crimes = reports[reports.dv_flag & (reports.classification == "crime")]
        suspect = (people.role == "suspect").to_numpy() \
            & people.report_id.isin(crimes.report_id.to_numpy()).to_numpy()
        arrested = suspect & people.arrest_date.notna().to_numpy()
        have = int(arrested.sum())
        col = people.columns.get_loc("arrest_date")
        if have > arrests:
            people.iloc[rng.choice(np.flatnonzero(arrested), have - arrests, replace=False),
                        col] = None
        elif have < arrests:
            free = np.flatnonzero(suspect & ~arrested)
            if len(free) < arrests - have:
                raise RuntimeError(f"{self.force}: too few suspects for the arrests")
            add = rng.choice(free, arrests - have, replace=False)
            recorded = crimes.set_index("report_id").recorded_date
            days = pd.to_timedelta(rng.integers(0, 2, len(add)), unit="D")
            people.iloc[add, col] = (pd.to_datetime(
                people.report_id.iloc[add].map(recorded)) + days).to_numpy()


def _movers(people: pd.DataFrame, truth: pd.DataFrame,
            rng: np.random.Generator) -> pd.DataFrame:
    """A few suspects (true persons) who will move to the next force: their identity as
    this force recorded it (first row of each)."""
    who = truth.set_index("person_id").true_person_id
    s = people[people.role == "suspect"].assign(true=lambda d: d.person_id.map(who))
    s = s.dropna(subset=["true"]).drop_duplicates("true")
    n = max(1, round(MOVER_SHARE * len(s))) if len(s) else 0
    pick = s.iloc[rng.choice(len(s), n, replace=False)] if n else s.iloc[:0]
    return pick.set_index("true")[["surname", "forenames", "date_of_birth", "gender"]]
