"""`dvpi people ...`: resolve persons, explain, review, decide, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import (
    check_choices,
    export_audit,
    export_state_path,
    fail,
    record_viewer,
    shown,
)
from dvpi.people import method_names
from dvpi.warehouse import DEFAULT_WAREHOUSE, ENGINES, WarehouseError, open_warehouse

console = Console()
err = Console(stderr=True)

people_app = typer.Typer(help="Person resolution: which people rows are one person.",
                         no_args_is_help=True)
app.add_typer(people_app, name="people")

WarehouseOption = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", "-w",
                               help="DuckDB warehouse file")


def _open(warehouse: Path, read_only: bool = False):
    try:
        return open_warehouse(warehouse, "read" if read_only else "write").con
    except WarehouseError as exc:
        raise fail(str(exc)) from exc


PurposeOption = typer.Option(
    ..., "--purpose", help="why you are looking at these people's records (kept in the "
    "audit log, with who you are and what was shown)")


def _audited_view(warehouse: Path, purpose: str):
    """(audit log, actor, purpose) for showing people's records: refused, with nothing
    read or shown, without a purpose, without a named actor, or when the audit log
    (``<warehouse>.web.sqlite``, the one ``dvpi audit`` reads) cannot be written."""
    purpose = " ".join(purpose.split())
    if not purpose:
        raise fail("--purpose: say why you are looking at these records; nothing shown")
    actor = record_viewer()
    if not warehouse.is_file():
        raise fail(f"no warehouse at {warehouse}")
    return export_audit(export_state_path(warehouse)), actor, purpose


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


@people_app.command("resolve")
def resolve_cmd(
    warehouse: Path = WarehouseOption,
    method: str = typer.Option("linked", "--people", help=" | ".join(method_names())),
    engine: str = typer.Option("duckdb", "--engine",
                               help=f"{' | '.join(ENGINES)} (linked only)"),
    retrain: bool = typer.Option(False, "--retrain", help="train a new model, do not reuse"),
    threshold: float = typer.Option(None, "--threshold",
                                    help="match probability at or above which rows join"),
) -> None:
    """(Re)compute the person links of a method and store them in the warehouse."""
    from dvpi.people import resolve

    check_choices(people=method, engine=engine)
    con = _open(warehouse)
    options = {}
    if method == "linked":
        options = {"engine": engine, "retrain": retrain, "threshold": threshold}
    with err.status("resolving persons") as status:
        if method == "linked":
            options["progress"] = lambda step: status.update(f"linked: {step}")
        try:
            resolve(con, method, **options)
        except ValueError as exc:
            err.print(f"[bold red]{shown(exc)}[/]")
            raise typer.Exit(2) from exc
    rows = con.execute(
        "SELECT count(*), count(DISTINCT person_key) FROM person_links WHERE method = ?",
        [method],
    ).fetchall()[0]
    console.print(f"{method}: {rows[0]:,} people rows -> {rows[1]:,} persons")


@people_app.command("explain")
def explain_cmd(
    person_a: str = typer.Argument(..., help="a person_id (a people row)"),
    person_b: str = typer.Argument(..., help="another person_id"),
    warehouse: Path = WarehouseOption,
    purpose: str = PurposeOption,
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Why two rows were joined or kept apart: the match weight of each comparison. Shows
    both rows (names, dates of birth, postcodes): audited."""
    from dataclasses import asdict

    from dvpi.people.review import ReviewError, explain
    from dvpi.web.audit import RECORD_VIEW

    log, actor, purpose = _audited_view(warehouse, purpose)
    con = _open(warehouse)
    try:
        e = explain(con, person_a, person_b)
    except ReviewError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    log.append(RECORD_VIEW, actor, what="people explain", purpose=purpose,
               warehouse=str(warehouse), records=2, person_ids=[person_a, person_b],
               format="json" if as_json else "table")
    if as_json:
        console.print_json(json.dumps(asdict(e), default=str))
        return
    records = Table(title="the two rows")
    records.add_column("field")
    records.add_column(shown(person_a))
    records.add_column(shown(person_b))
    for field in e.records[0]:
        records.add_row(shown(field), *(shown(r[field] if r[field] is not None else "")
                                        for r in e.records))
    console.print(records)
    weights = Table(title="evidence (match weight = log2 Bayes factor)")
    weights.add_column("comparison")
    weights.add_column("level")
    weights.add_column("weight", justify="right")
    weights.add_row("prior", "chance two random rows are one person", f"{e.prior_weight:+.2f}")
    for c in e.comparisons:
        weights.add_row(c.comparison, c.level, f"{c.match_weight:+.2f}")
    weights.add_row("total", f"probability {e.match_probability:.4f} "
                    f"(threshold {e.threshold})", f"{e.match_weight:+.2f}", style="bold")
    console.print(weights)
    verdict = {True: "the same person", False: "different persons",
               None: "not resolved yet"}[e.same_person]
    console.print(f"Stored linked resolution: [bold]{verdict}[/].")
    for note in e.notes:
        console.print(f"- {shown(note)}")


@people_app.command("review")
def review_cmd(
    warehouse: Path = WarehouseOption,
    purpose: str = PurposeOption,
    low: float = typer.Option(0.2, help="lowest match probability shown"),
    high: float = typer.Option(0.98, help="highest match probability shown"),
    limit: int = typer.Option(50, help="at most this many pairs"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Uncertain pairs near the threshold, for clerical review (undecided ones only).
    Shows names, dates of birth and postcodes of victims and suspects: audited (who, why,
    which rows), like every other list of people's records."""
    from dvpi.people.review import ReviewError, uncertain_pairs
    from dvpi.web.audit import AUDIT_ID_LIMIT, RECORD_VIEW

    log, actor, purpose = _audited_view(warehouse, purpose)
    con = _open(warehouse)
    try:
        pairs = uncertain_pairs(con, low=low, high=high, limit=limit)
    except ReviewError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    ids = sorted({p[k] for p in pairs for k in ("person_id_l", "person_id_r")}, key=str)
    # Recorded before anything is shown: a view that cannot be audited shows nothing.
    log.append(RECORD_VIEW, actor, what="people review", purpose=purpose,
               warehouse=str(warehouse), scope={"low": low, "high": high, "limit": limit},
               pairs=len(pairs), records=len(ids), person_ids=ids[:AUDIT_ID_LIMIT],
               format="json" if as_json else "table")
    if as_json:
        console.print_json(json.dumps(pairs, default=str))
        return
    table = Table(title=f"{len(pairs)} uncertain pairs (probability {low}..{high})")
    for col in ("A", "B", "prob.", "name A", "name B", "dob A", "dob B", "postcode A",
                "postcode B"):
        table.add_column(col)
    for p in pairs:
        table.add_row(shown(p["person_id_l"]), shown(p["person_id_r"]),
                      f"{p['match_probability']:.3f}",
                      *(shown(p[k] or "") for k in ("name_l", "name_r", "dob_l", "dob_r",
                                                    "postcode_l", "postcode_r")))
    console.print(table)
    console.print("Record a decision: dvpi people decide A B same|not-same")


@people_app.command("decide")
def decide_cmd(
    person_a: str = typer.Argument(...),
    person_b: str = typer.Argument(...),
    decision: str = typer.Argument(..., help="same | not-same"),
    warehouse: Path = WarehouseOption,
    note: str = typer.Option(None, help="why (kept with the decision)"),
) -> None:
    """Record an analyst's decision; it overrides the model at the next resolution."""
    from dvpi.people.review import ReviewError, decide

    con = _open(warehouse)
    try:
        decide(con, person_a, person_b, decision, note)
    except ReviewError as exc:
        err.print(f"[bold red]{shown(exc)}[/]")
        raise typer.Exit(2) from exc
    console.print(f"recorded: {shown(person_a)} and {shown(person_b)} are {shown(decision)}; "
                  "run `dvpi people resolve` to apply it.")


@people_app.command("evaluate")
def evaluate_cmd(
    warehouse: Path = WarehouseOption,
    truth: Path = typer.Option(None, help="person_id,true_person_id (CSV or Parquet)"),
    febrl3: bool = typer.Option(False, "--febrl3", help="score on the FEBRL3 benchmark"),
    febrl: str = typer.Option(None, "--febrl",
                              help="score on a FEBRL benchmark: febrl1 | febrl2 | febrl3 | "
                                   "febrl4 (two files read as one dedup set)"),
    no_ids: bool = typer.Option(False, "--no-ids",
                                help="FEBRL: leave nominal_id empty (names, date of birth "
                                     "and postcode only)"),
    method: str = typer.Option("linked", "--people", help="exact | linked"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Precision, recall and F1 of pairwise links and of clusters, overall and by group."""
    from dvpi.people import ready
    from dvpi.people.evaluate import evaluate_warehouse, read_truth

    if febrl3 or febrl:
        from dvpi.synth.febrl import DATASETS, run

        dataset = (febrl or "febrl3").lower()
        if dataset not in DATASETS:
            err.print(f"[bold red]--febrl: choose one of {', '.join(DATASETS)}[/]")
            raise typer.Exit(2)
        with err.status(f"training and resolving {dataset.upper()}"):
            ev = run(dataset=dataset, ids=not no_ids)
    elif truth is not None:
        con = _open(warehouse)
        with err.status(f"resolving ({method})"):
            ready(con, method)
        ev = evaluate_warehouse(con, read_truth(truth), method)
    else:
        err.print("[bold red]give --truth PATH, --febrl3 or --febrl NAME[/]")
        raise typer.Exit(2)
    if as_json:
        console.print_json(json.dumps(ev.as_dict()))
        return
    table = Table(title=f"{ev.method}: {ev.rows:,} rows, {ev.true_persons:,} true persons, "
                        f"{ev.predicted_persons:,} resolved")
    for col in ("scope", "precision", "recall", "F1", "links found", "true links"):
        table.add_column(col, justify="left" if col == "scope" else "right")
    for name, s in (("pairwise, all", ev.pairwise), ("clusters, all", ev.cluster)):
        table.add_row(name, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1),
                      f"{s.predicted:,}", f"{s.actual:,}", style="bold")
    for group, s in ev.pairwise_by_group.items():
        if s.actual or s.predicted:
            table.add_row(f"pairwise, {group}", _fmt(s.precision), _fmt(s.recall),
                          _fmt(s.f1), f"{s.predicted:,}", f"{s.actual:,}")
    console.print(table)
    if ev.repeat_victims:
        r = ev.repeat_victims
        console.print(f"repeat victims (2+ DV reports, whole span): resolved {r['resolved']:,}, "
                      f"truth {r['truth']:,}")
