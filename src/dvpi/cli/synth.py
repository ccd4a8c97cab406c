"""`dvpi synth`: write a calibrated synthetic data set (no real person in it)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dvpi.cli.application import app
from dvpi.cli.common import shown

console = Console()
err = Console(stderr=True)


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="folder to write the data set to"),
    profile: str = typer.Option("mps-2007-08", "--profile",
                                help="calibration profile: mps-2007-08 (London, CSV) or "
                                     "ew-2024-25 (England and Wales 2015-16 to 2024-25, "
                                     "43 forces, Parquet)"),
    seed: int = typer.Option(1, "--seed", help="random seed (same seed, same data)"),
    scale: str = typer.Option("1", "--scale",
                              help="a fraction of the London profile (e.g. 0.02), or "
                                   "'national' (43 forces, Parquet)"),
    from_year: str | None = typer.Option(None, "--from-year",
                                         help="ew-2024-25: write only this year (e.g. "
                                              "2023-24) and the later ones"),
    jobs: int = typer.Option(1, "--jobs", min=1,
                             help="ew-2024-25: build in this many processes (the same "
                                  "files; memory: a build per process)"),
    reports: int | None = typer.Option(None, "--reports",
                                       help="about this many reports (national: Parquet)"),
    truth: Path | None = typer.Option(None, "--truth",
                                      help="folder for the ground truth "
                                           "(default <OUT>.truth)"),
    febrl: str | None = typer.Option(None, "--febrl",
                                     help="instead, write a FEBRL deduplication benchmark "
                                          "(febrl1 | febrl2 | febrl3 | febrl4): one "
                                          "non-crime DV report per record"),
    no_ids: bool = typer.Option(False, "--no-ids",
                                help="--febrl: leave nominal_id empty (names, date of "
                                     "birth and postcode only)"),
) -> None:
    """Write a data set in the interchange format whose 2007-08 indicators are the 2008
    report's figures; the ground truth of who is who goes beside it. With --febrl, a
    public person-resolution benchmark in the same format, to measure resolution
    through `dvpi load`, `dvpi people resolve` and `dvpi people evaluate --truth`."""
    from dvpi.synth import default_truth_dir, generate
    from dvpi.synth.national import NATIONAL_REPORTS, generate_national

    truth_dir = truth or default_truth_dir(out)
    if profile == "ew-2024-25" and (reports is not None or febrl is not None):
        raise typer.BadParameter("not with --profile ew-2024-25 (use --scale)",
                                 param_hint="--reports/--febrl")
    if from_year is not None and profile != "ew-2024-25":
        raise typer.BadParameter("only with --profile ew-2024-25", param_hint="--from-year")
    if jobs != 1 and profile != "ew-2024-25":
        raise typer.BadParameter("only with --profile ew-2024-25", param_hint="--jobs")
    if febrl is not None:
        from dvpi.synth.febrl import DATASETS, write_dataset

        if febrl.lower() not in DATASETS:
            raise typer.BadParameter(f"choose one of {', '.join(DATASETS)}",
                                     param_hint="--febrl")
        with err.status(f"writing {febrl.upper()}"):
            rows = write_dataset(out, febrl.lower(), ids=not no_ids, truth_dir=truth_dir)
    elif no_ids:
        raise typer.BadParameter("only with --febrl", param_hint="--no-ids")
    elif profile == "ew-2024-25":
        rows = _england_and_wales(out, seed, scale, from_year, truth_dir, jobs)
    elif scale == "national" or (reports is not None and reports > 250_000):
        total = reports or NATIONAL_REPORTS
        with Progress(TextColumn("synthesising"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err) as bar:
            task = bar.add_task("chunks", total=None)

            def tick(done: int, n: int) -> None:
                bar.update(task, completed=done, total=n)

            rows = generate_national(out, seed=seed, reports=total, truth_dir=truth_dir,
                                     progress=tick)
    else:
        try:
            factor = float(scale)
        except ValueError as exc:
            raise typer.BadParameter("--scale is a number or 'national'") from exc
        if reports is not None:
            from dvpi.synth.national import FULL_BUILD_REPORTS

            factor = reports / FULL_BUILD_REPORTS
        with err.status("synthesising"):
            result = generate(out, profile=profile, seed=seed, scale=factor,
                              truth_dir=truth_dir)
        rows = result.rows
    for name, n in rows.items():
        console.print(f"{name:<18} {n:>12,}")
    console.print(f"data: {shown(out)}   truth: {shown(truth_dir)}")


def _england_and_wales(out: Path, seed: int, scale: str, from_year: str | None,
                       truth_dir: Path, jobs: int = 1) -> dict[str, int]:
    from dvpi.synth.ew import generate_ew

    try:
        factor = float(scale)
    except ValueError as exc:
        raise typer.BadParameter("a number (a fraction of the published figures)",
                                 param_hint="--scale") from exc
    with Progress(TextColumn("synthesising force-years"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("force-years", total=None)
        try:
            return generate_ew(out, seed=seed, from_year=from_year or "2015-16", scale=factor,
                               truth_dir=truth_dir, jobs=jobs,
                               progress=lambda done, n: bar.update(task, completed=done,
                                                                   total=n))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
