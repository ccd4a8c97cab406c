"""The national bulletin: England and Wales (or any data set of several forces) in one
self-contained HTML file and its PDF, as ONS's "Domestic abuse in England and Wales"
bulletins read.

Every figure comes from the indicator engine, computed once for every year shown, the
nation and every force (``run_cells``: one pass); the template only lays them out.
Three steps, as the board report (``publish.report``), whose rendering, PDF and
disclosure control it shares:

* :func:`gather` asks the engine for the years of the trend (up to ten, ending with the
  bulletin's), the nation, every force and, for a protected audience, every borough;
* :func:`prepare` applies disclosure control and builds the pages: headline figures with
  the change on the year before and ten-year trends, the force comparison table with
  rates per 1,000 residents, funnel plots of the forces, one force against England and
  Wales (``force``), the caveats;
* :func:`write_bulletin` writes HTML and PDF.

Disclosure control is the report's: one protected table set per financial year
(``stats.release.protect_year``) over everything published for it. The bulletin adds
the forces to that set, with their identities (the nation is the sum of its forces, a
force the sum of its boroughs), so a force figure and the borough figures of the same
year were protected together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dvpi.indicators import coverage
from dvpi.indicators.context import SEP, name_key
from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.people import DEFAULT_METHOD
from dvpi.publish import audience as audiences
from dvpi.publish import charts, glossary
from dvpi.publish import inputs as warehouse_inputs
from dvpi.publish import report as board
from dvpi.stats import disclosure, funnel, release
from dvpi.stats import display as fmt
from dvpi.warehouse import Backend

NATION = "England and Wales"
TREND_YEARS = 10
# The first year of the Domestic Abuse Act 2021's statutory definition (year ending
# March 2022).
DA_ACT_YEAR = "2021-22"

# The headline figures, as ONS's overview leads with them.
HEADLINE: tuple[str, ...] = (
    "dv_incidents", "dv_crimes", "dv_crime_arrests_per_100", "cps_dv_referrals",
    "cps_ons_charging_rate", "cps_dv_prosecutions", "cps_conviction_rate",
    "repeat_victimisation_rate", "outcome_16_rate",
)
# Counts set against each force's residents in the comparison table.
PER_1000: tuple[str, ...] = ("dv_incidents", "dv_crimes")
# Rates in the comparison table beside them.
COMPARED: tuple[str, ...] = (
    "dv_crime_arrests_per_100", "spi8a_offence_arrest_rate", "cps_ons_charging_rate",
    "repeat_victimisation_rate", "outcome_16_rate",
)
# The forces compared by funnel plot, and why each is the measure chosen.
FUNNELS: dict[str, str] = {
    "spi8a_offence_arrest_rate": (
        "The arrest rate compared between forces is SPI 8a's offence arrest rate (DV "
        "crimes with at least one arrest, as a share of DV crimes), not the arrests per "
        "100 crimes ONS headlines: a funnel plot's limits are those of a proportion, and "
        "arrests per 100 crimes counts every arrested suspect, so it can exceed 100 and "
        "is not one. The headline figures give arrests per 100 crimes."),
    "cps_ons_charging_rate": (
        "Suspects charged as a share of the legal decisions (charge, no further action, "
        "out-of-court disposal), as ONS publishes it."),
    "repeat_victimisation_rate": "Adult victims with more than one report in the year.",
    "outcome_16_rate": (
        "Crimes closed as outcome 16 (evidential difficulties: the victim does not "
        "support action), of those with an outcome."),
}
CAVEATS: tuple[str, ...] = (
    "Police recorded crime reflects how forces record as well as how much abuse there "
    "is: improvements in recording practice (after HMICFRS's 2014 inspection of crime "
    "data integrity, and since) raised the number of domestic-abuse-related crimes "
    "recorded. A rise from one year to the next, or a difference between forces, may be "
    "better recording rather than more abuse.",
    "The Domestic Abuse Act 2021 put a statutory definition of domestic abuse in force "
    f"during the year ending March 2022 ({DA_ACT_YEAR}); earlier years are counted under "
    "the cross-government definition forces applied then. Figures either side of it are "
    "not strictly comparable.",
    "Charging and conviction figures follow a case as the Crown Prosecution Service "
    "counts it, which is not one for one with the crimes the police record.",
)
# The board report and the partners' dashboard protect a year of a data set of several
# forces as the nation and every borough; the bulletin adds the forces to it, so for
# the same data and year its set is not theirs (docs/publishing.md, "The national
# bulletin"). Said whenever a public bulletin is written.
SECOND_SET_WARNING = (
    "the public bulletin protects the year as the nation, every force and every borough "
    "together; the public board report and the partners' dashboard of the same data "
    "protect the nation and every borough without the forces. Those are two protected "
    "table sets for the same year, and they can be set against each other: publish the "
    "bulletin or the borough outputs of a national data set, not both (docs/security.md).")
# Every figure the bulletin shows (the protected set holds every indicator).
SHOWN: tuple[str, ...] = tuple(dict.fromkeys([*HEADLINE, *PER_1000, *COMPARED, *FUNNELS]))
SYNTHETIC = ("These figures are synthetic: they come from a data set generated by dvpi "
             "(`dvpi synth`) and describe no real person, force or year. They are not "
             "official statistics.")


@dataclass
class BulletinInputs:
    """Everything the bulletin shows, as the engine gave it (before disclosure control)."""

    year: str
    years: list[str]  # the trend, oldest first, ending with ``year``
    periods: list[tuple[dt.date, dt.date]]
    results: list[list[dict]]  # per year: the nation, every force, then every borough
    forces: list[str]  # names, as the results' scopes
    boroughs_of: list[int]  # per borough result: the index of its force in ``forces``
    population: dict[str, int]  # residents by force name key
    arrests: list[dict[str, dict[str, int]]]  # per year: the arrest stage of the nation
    definition: str
    people: str
    force: str | None = None  # the force of the "your force" pages
    with_boroughs: bool = True  # every borough computed: a protected set can be made
    synthetic: bool = False
    loads: list[dict] = field(default_factory=list)


def trend_years(year: str, first: dt.date | None, most: int = TREND_YEARS) -> list[str]:
    """The financial years the data covers whole, from the first that starts on or after
    ``first`` (the data's earliest report) to ``year``, at most ``most`` of them; ``year``
    always."""
    start = int(year[:4])
    earliest = start - most + 1
    if first is not None:
        earliest = max(earliest, first.year if (first.month, first.day) <= (4, 1)
                       else first.year + 1)
    earliest = min(earliest, start)
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(earliest, start + 1)]


def gather(
    backend: Backend, year: str, *, people: str = DEFAULT_METHOD,
    definition: str = DEFAULT_DEFINITION, force: str | None = None,
    boroughs: bool = True, synthetic: bool = False,
) -> BulletinInputs:
    """Ask the engine for every year of the trend: the nation, every force and (with
    ``boroughs``, which a protected audience needs: its table set holds them) every
    borough, in one pass. Raises ``ValueError`` for a data set without forces or an
    unknown ``force`` (naming the forces there are)."""
    from dvpi.indicators import financial_year
    from dvpi.indicators.engine import boroughs_in, force_scope, forces_in, run_cells

    con = backend.con
    forces = forces_in(con)
    if not forces:
        raise ValueError("the data set names no forces (no `force` column): the national "
                         "bulletin compares forces; use `dvpi report` for one force")
    chosen = force_scope(con, force).name if force is not None else None
    from dvpi.indicators.engine import NATIONAL_SCOPE

    years = trend_years(year, warehouse_inputs.first_recorded(con))
    periods = [financial_year(y) for y in years]
    parts = boroughs_in(con) if boroughs else []
    index = {s.key.split(SEP)[0]: i for i, s in enumerate(forces)}
    scopes = [NATIONAL_SCOPE, *forces, *parts]
    rows = run_cells(backend, [_period(p) for p in periods], scopes, definition=definition,
                     people=people)
    coverage.annotate_backend(backend, rows, people=people)
    per = len(scopes)
    return BulletinInputs(
        year=year, years=years, periods=periods,
        results=[rows[i * per:(i + 1) * per] for i in range(len(years))],
        forces=[s.name for s in forces],
        boroughs_of=[index[s.key.split(SEP)[0]] for s in parts],
        population=warehouse_inputs.population_by_force(con),
        arrests=[warehouse_inputs.arrest_stage(con, *p) for p in periods],
        definition=definition, people=people, force=chosen, synthetic=synthetic,
        with_boroughs=boroughs, loads=warehouse_inputs.loads(con),
    )


def _period(span: tuple[dt.date, dt.date]):
    from dvpi.indicators.periods import Period

    return Period(*span)


# --- disclosure control -------------------------------------------------------------------


def nested_sums(forces: int, boroughs_of: Sequence[int]) -> list[tuple[int, list[int]]]:
    """The identities between the results of a year, by position: the nation (0) is the
    sum of its forces (1..forces), and each force of its boroughs (after the forces)."""
    sums = [(0, list(range(1, forces + 1)))]
    for f in range(forces):
        members = [1 + forces + b for b, of in enumerate(boroughs_of) if of == f]
        if members:
            sums.append((1 + f, members))
    return sums


Progress = Callable[[str], None]


def protect(inputs: BulletinInputs, audience: str, threshold: int,
            progress: Progress | None = None) -> tuple[list[list[dict]], int]:
    """Per year, the nation and every force as the audience may see them, and how many
    of those figures were withheld. For the public, each year's figures come from that
    year's one protected table set (the nation, every force, every borough and the
    arrest stage, protected together)."""
    n = 1 + len(inputs.forces)
    if audience == "internal":
        return [r[:n] for r in inputs.results], 0
    audiences.check_public_release(inputs.definition)
    if not inputs.with_boroughs:
        raise ValueError("a protected audience needs the year's whole table set: gather "
                         "the bulletin with boroughs=True")
    shown = []
    for k, (results, arrests) in enumerate(zip(inputs.results, inputs.arrests, strict=True)):
        if progress:
            progress(f"protecting {inputs.years[k]} ({k + 1} of {len(inputs.years)})")
        year = release.protect_year(results, arrests, threshold,
                                    sums=nested_sums(len(inputs.forces), inputs.boroughs_of))
        shown.append([release.engine_figures(year.results[0]), *year.results[1:n]])
    withheld = sum(len(s["indicators"][i].get("suppressed", ())) for r in shown[-2:]
                   for s in r for i in SHOWN if i in s["indicators"])
    return shown, withheld


# --- pages --------------------------------------------------------------------------------


def _registry():
    from dvpi.indicators import registry

    return registry


def _entry(result: dict, ind_id: str) -> dict | None:
    return result["indicators"].get(ind_id)


def _value(entry: dict | None) -> float | None:
    """A figure's value for a chart: None when withheld, unavailable or incomplete."""
    if not entry or entry.get("unavailable") or coverage.incomplete(entry):
        return None
    return fmt.headline(entry)


def _per_1000(entry: dict | None, residents: int | None) -> str:
    if not entry or entry.get("unavailable"):
        return fmt.NOT_AVAILABLE
    if fmt.is_hidden(entry, "value"):
        return fmt.MARK
    if not residents or entry.get("value") is None:
        return fmt.NOT_AVAILABLE
    return fmt.sig(entry["value"] * 1000 / residents)


def _trend(ids: Sequence[str], years: list[str], series: list[list[dict]],
           names: list[str]) -> list[dict]:
    """One chart per display kind (counts, percentages, per 100), a line per figure and
    scope; and the table of every figure by year. Counts are drawn for the first scope
    only: a force's counts beside the nation's would be a flat line at the bottom (the
    rates compare; the table gives both)."""
    reg = _registry()
    groups: dict[str, list] = {}
    for i in ids:
        groups.setdefault(reg.get(i).display.kind, []).append(reg.get(i))
    blocks = []
    for kind, indicators in groups.items():
        drawn = names[:1] if kind == "count" else names
        lines = {}
        for ind in indicators:
            for name, results in zip(drawn, series, strict=False):
                label = ind.title if len(names) == 1 else f"{ind.title}: {name}"
                lines[label] = [_value(_entry(r, ind.id)) for r in results]
        title = ", ".join(i.title for i in indicators) + f", {years[0]} to {years[-1]}"
        blocks.append({
            "title": title,
            "chart": charts.trend_chart(years, lines, title=title, percent=kind == "percent"),
            "rows": [
                {"title": ind.title if len(names) == 1 else f"{ind.title}: {name}",
                 "figures": [board._shown(ind, _entry(r, ind.id), y, board.Notes())[0]
                             for r, y in zip(results, years, strict=True)]}
                for ind in indicators for name, results in zip(names, series, strict=True)
            ],
        })
    return blocks


def _funnel_block(ind_id: str, year_results: list[dict], year: str) -> dict:
    ind = _registry().get(ind_id)
    why = coverage.incomplete(_entry(year_results[0], ind_id))
    base = {"id": ind_id, "title": ind.title, "why": FUNNELS[ind_id]}
    if why or not _entry(year_results[0], ind_id) or _entry(
            year_results[0], ind_id).get("unavailable"):
        reason = why or (_entry(year_results[0], ind_id) or {}).get("unavailable", "")
        return base | {"unavailable": reason, "chart": "", "league": [], "omitted": [],
                       "national_rate": "", "points": []}
    f = funnel.funnel(year_results, ind_id)
    return base | {
        "unavailable": None, "national_rate": fmt.percent(f.force_rate),
        "chart": charts.funnel_chart(f, title=f"{ind.title}, {year}", member="force",
                                     centre=NATION) if f.points else "",
        "league": [row | {"rate_text": fmt.percent(row["rate"]), "label": _against(row["label"]),
                          "fraction": f"{fmt.count(row['numerator'])} / "
                                      f"{fmt.count(row['denominator'])}"}
                   for row in funnel.league_table(f)],
        "points": [{"scope": p.scope, "band": p.band, "label": _against(p.label),
                    "rate": p.rate, "limits": p.limits} for p in f.points],
        "omitted": f.omitted,
    }


def _against(label: str) -> str:
    """A funnel band's words with the nation where the report says the force."""
    return label.replace("the force", NATION)


def _force_table(this: list[dict], forces: list[str], population: dict[str, int]) -> dict:
    reg = _registry()
    shown = [reg.get(i) for i in COMPARED]
    rows = []
    for name, result in zip([NATION, *forces], this, strict=True):
        residents = (sum(population.values()) if name == NATION and population
                     else population.get(name_key(name)))
        rows.append({
            "name": name, "national": name == NATION,
            "population": fmt.count(residents) if residents else fmt.NOT_AVAILABLE,
            "per_1000": [_per_1000(_entry(result, i), residents) for i in PER_1000],
            "counts": [fmt.figure(reg.get(i), _entry(result, i)) for i in PER_1000],
            "rates": [fmt.figure(ind, _entry(result, ind.id)) for ind in shown],
        })
    return {"count_titles": [reg.get(i).title for i in PER_1000],
            "rate_titles": [i.title for i in shown], "rows": rows,
            "population_loaded": bool(population)}


def _force_page(name: str, index: int, shown: list[list[dict]], inputs: BulletinInputs,
                funnels: list[dict]) -> dict:
    """One force against England and Wales: its figures and the nation's, this year and
    last, its trend beside the nation's, where it sits in each funnel."""
    reg = _registry()
    this, last = shown[-1], shown[-2] if len(shown) > 1 else None
    labels = (inputs.year, inputs.years[-2] if len(inputs.years) > 1 else "")
    notes = board.Notes()
    empty = {"indicators": {}}
    indicators = [reg.get(i) for i in HEADLINE]
    force_rows = board._figure_rows(indicators, this[1 + index],
                                    last[1 + index] if last else empty, labels, notes)
    nation_rows = board._figure_rows(indicators, this[0], last[0] if last else empty,
                                     labels, notes)
    residents = inputs.population.get(name_key(name))
    total = sum(inputs.population.values()) if inputs.population else None
    positions = []
    for block in funnels:
        point = next((p for p in block["points"] if p["scope"] == name), None)
        positions.append({"title": block["title"], "national_rate": block["national_rate"],
                          "rate": fmt.percent(point["rate"]) if point else fmt.NOT_AVAILABLE,
                          "label": point["label"] if point else "not compared"})
    return {
        "name": name,
        "rows": [{"force": f, "nation": n} for f, n in zip(force_rows, nation_rows,
                                                             strict=True)],
        "per_1000": [{"title": reg.get(i).title,
                      "force": _per_1000(_entry(this[1 + index], i), residents),
                      "nation": _per_1000(_entry(this[0], i), total)} for i in PER_1000],
        "trend": _trend(HEADLINE, inputs.years, [[y[1 + index] for y in shown],
                                                 [y[0] for y in shown]], [name, NATION]),
        "positions": positions, "notes": notes.items,
    }


def prepare(inputs: BulletinInputs, audience: str = "internal",
            threshold: int = disclosure.DEFAULT_THRESHOLD, title: str | None = None,
            progress: Progress | None = None) -> dict:
    """The template's context (``progress`` is told each year protected)."""
    if audience not in disclosure.AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    shown, withheld = protect(inputs, audience, threshold, progress)
    reg = _registry()
    this = shown[-1]
    last = shown[-2] if len(shown) > 1 else [{"indicators": {}} for _ in this]
    last_year = inputs.years[-2] if len(inputs.years) > 1 else ""
    notes = board.Notes()
    headline = board._figure_rows([reg.get(i) for i in HEADLINE], this[0], last[0],
                                  (inputs.year, last_year), notes)
    funnels = [_funnel_block(i, this, inputs.year) for i in FUNNELS]
    page = None
    if inputs.force is not None:
        page = _force_page(inputs.force, inputs.forces.index(inputs.force), shown, inputs,
                           funnels)
    trend_from_da = [y for y in inputs.years if y >= DA_ACT_YEAR]
    caveats = ([SYNTHETIC] if inputs.synthetic else []) + list(CAVEATS)
    start, end = inputs.periods[-1]
    return {
        "title": title or (f"Domestic abuse in {NATION}: year ending March {end.year}"),
        "year": inputs.year, "last_year": last_year, "years": inputs.years,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "nation": NATION, "forces": len(inputs.forces), "force_names": inputs.forces,
        "audience": audience, "threshold": threshold, "synthetic": inputs.synthetic,
        "disclosure_note": disclosure.NOTE.format(threshold=threshold)
        if audience == "public" else "",
        "disclosure_rule": disclosure.RULE.format(threshold=threshold, below=threshold - 1)
        if audience == "public" else "",
        "definition": board._definition_text(inputs.definition), "people": inputs.people,
        "headline": headline, "notes": notes.items,
        "trend": _trend(HEADLINE, inputs.years, [[y[0] for y in shown]], [NATION]),
        "da_break": trend_from_da[0] if trend_from_da and trend_from_da[0] != inputs.years[0]
        else "",
        "force_table": _force_table(this, inputs.forces, inputs.population),
        "funnels": funnels, "force_page": page, "caveats": caveats,
        "methodology": [
            {"id": i.id, "title": i.title, "definition": i.definition}
            for i in reg.INDICATORS if i.id in SHOWN],
        "glossary": glossary.entries(),
        "funnel_levels": [fmt.percent_label(lv) for lv in funnel.LEVELS],
        "suppressed_cells": withheld,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def render_html(context: dict) -> str:
    from markupsafe import Markup

    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    return board._env.get_template("bulletin.html.j2").render(
        **context, css=Markup(css), svg=Markup, mark=disclosure.MARK)


@dataclass
class Written:
    html: Path
    pdf: Path | None
    context: dict


def file_stem(year: str, force: str | None, audience: str) -> str:
    """``dv-bulletin-<year>[-<force slug>][-public]``."""
    from dvpi.publish.pack import slug

    return (f"dv-bulletin-{year}" + (f"-{slug(force)}" if force else "")
            + ("-public" if audience == "public" else ""))


def write_bulletin(
    inputs: BulletinInputs, out_dir: Path, *, audience: str = "internal",
    threshold: int = disclosure.DEFAULT_THRESHOLD, pdf: bool = True, title: str | None = None,
    progress: Progress | None = None,
) -> Written:
    """Write the bulletin's HTML and (with ``pdf``) its tagged PDF into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = prepare(inputs, audience, threshold, title, progress)
    html = render_html(context)
    stem = file_stem(inputs.year, inputs.force, audience)
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = board.write_pdf(html, out_dir / f"{stem}.pdf") if pdf else None
    return Written(html_path, pdf_path, context)
