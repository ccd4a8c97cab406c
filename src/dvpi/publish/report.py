"""The annual board report: one self-contained HTML file and its PDF.

Its sections follow the Domestic Violence Board report of 8 July 2008. Every figure in it
comes from the indicator engine (``compute_series``: this year and last, force and
boroughs, in one pass); the template only lays figures out, it never holds a number.

Three steps, each usable alone (the dashboard reuses the middle one):

* :func:`gather` asks the engine (and the population table) for everything;
* :func:`prepare` applies disclosure control for the audience and builds the sections;
* :func:`render_html` / :func:`write_report` lay them out and write HTML and PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dvpi.indicators import coverage
from dvpi.indicators.definitions import DEFAULT_DEFINITION
from dvpi.people import DEFAULT_METHOD
from dvpi.publish import audience as audiences
from dvpi.publish import charts, glossary, revisions
from dvpi.publish import inputs as warehouse_inputs
from dvpi.stats import disclosure, equality, findings, funnel, release
from dvpi.stats import display as fmt
from dvpi.stats.status import DEFAULT_AMBER_MARGIN, rag_from_target
from dvpi.warehouse import Backend

Audience = Literal["internal", "public"]

# Publish-only breakdowns added beside the engine's (the arrest stage for equality).
ARRESTS_PREFIX = release.ARRESTS_PREFIX


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    source: str  # where the 2008 report covered it
    families: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # explicit indicators, before the families'
    exclude: tuple[str, ...] = ()
    funnels: tuple[str, ...] = ()
    equality: tuple[str, ...] = ()  # breakdowns set against the population
    stages: bool = False  # the arrest stage beside the accused stage


def _v2():
    """The version-2 sections (``publish.v2sections``), generated from the registry."""
    from dvpi.publish import v2sections

    return v2sections


SECTIONS: tuple[Section, ...] = (
    Section("volumes", "Volumes", "paragraph 9", families=("volume",)),
    Section("arrests", "Arrests (SPI 8a)", "paragraphs 10 and 13", families=("arrest",),
            funnels=("spi8a_incident_arrest_rate", "spi8a_offence_arrest_rate")),
    Section("offences", "Offences", "paragraph 11", ids=("dv_crimes", "outcome_distribution")),
    Section("victims", "Victims", "paragraph 12", families=("victims",),
            equality=("dv_crime_victims_by_ethnic_appearance", "dv_crime_victims_by_gender",
                      "dv_crime_victims_by_age_group")),
    Section("sanctions", "Sanction detections and the charge:caution ratio",
            "paragraphs 15 and 16", families=("outcomes",), exclude=("outcome_distribution",),
            funnels=("sanction_detection_rate",)),
    Section("accused", "Persons accused", "paragraph 17", families=("accused",),
            equality=("accused_by_ethnic_appearance", "accused_by_gender",
                      "accused_by_age_group"), stages=True),
    Section("repeat", "Repeat victimisation", "paragraphs 18 and 19", families=("repeat",),
            funnels=("repeat_victimisation_rate",)),
    Section("cps", "Crown Prosecution Service", "paragraphs 20 to 22", families=("cps",)),
    Section("homicide", "Homicides and GBH", "paragraphs 23 to 28", families=("homicide",)),
    Section("dual_arrests", "Dual arrests", "paragraphs 29 to 34", families=("dual_arrest",)),
    Section("fm_hbv", "Forced marriage and honour-based violence", "paragraphs 35 to 39",
            families=("fm_hbv",)),
    Section("risk", "Risk-assessment compliance", "paragraphs 73 to 75", families=("risk",),
            funnels=("risk_assessment_compliance",)),
    Section("accuracy", "Data accuracy", "the monthly flag audit", families=("audit",)),
    *(Section(**fields) for fields in _v2().report_sections()),
)

# The only borough figures the report shows (and so asks the engine for): the funnels,
# the version-2 sections' included (``publish.v2sections``).
BOROUGH_FIGURES: tuple[str, ...] = tuple(dict.fromkeys(
    [*(i for s in SECTIONS for i in s.funnels), *_v2().BOROUGH_FIGURES]))


@dataclass
class ReportInputs:
    """Everything the report shows, as the engine gave it (before disclosure control)."""

    year: str
    period: tuple[dt.date, dt.date]
    previous_period: tuple[dt.date, dt.date]
    current: list[dict]  # the force, then every borough (every indicator)
    previous: list[dict]  # the same for the year before
    definition: str
    people: str
    population: dict[str, dict[str, int]] = field(default_factory=dict)  # by dimension
    arrests: dict[str, dict[str, int]] = field(default_factory=dict)  # by dimension, force
    source: str = ""
    loads: list[dict] = field(default_factory=list)  # the ingest ledger, oldest first
    previous_arrests: dict[str, dict[str, int]] = field(default_factory=dict)
    # A data set of several forces: each force's result of the year and the year before
    # (not shown by the report, but part of the year's protected table set), and the
    # scope keys of the whole set in its order (the nation, the forces, the boroughs).
    forces: list[dict] = field(default_factory=list)
    previous_forces: list[dict] = field(default_factory=list)
    scope_keys: list[str] = field(default_factory=list)

    def table_set(self, previous: bool = False) -> list[dict]:
        """A year's results in the order of ``scope_keys``: what its one disclosure
        control protects (``stats.release``)."""
        rows = self.previous if previous else self.current
        return [rows[0], *(self.previous_forces if previous else self.forces), *rows[1:]]


def gather(
    backend: Backend, year: str, *, people: str = DEFAULT_METHOD,
    definition: str = DEFAULT_DEFINITION,
) -> ReportInputs:
    """Ask the engine for the year and the year before, the force and every borough, every
    indicator, in one pass: what the report shows, and for the public audience the whole
    table set of each year that its disclosure control protects (``stats.release``).
    ``backend`` is an opened warehouse whose ``people`` links are resolved."""
    from dvpi.indicators import compute_series, financial_year, scopes_for
    from dvpi.indicators.context import is_force_key
    from dvpi.indicators.periods import previous_period

    start, end = financial_year(year)
    before = previous_period(start, end)
    con = backend.con
    keys = [s.key for s in scopes_for(con, by="every")]
    rows = compute_series(backend, [(start, end), before], by_borough=True, people=people,
                          definition=definition, with_forces=True)
    per = len(rows) // 2
    # Figures whose inputs are incomplete for their year say so (never a number).
    coverage.annotate_backend(backend, rows, people=people)
    shown = [i for i, k in enumerate(keys) if not (i and is_force_key(k))]
    forces = [i for i, k in enumerate(keys) if i and is_force_key(k)]
    this, last = rows[:per], rows[per:]
    population = {d: warehouse_inputs.population_by(con, d) for d in equality.DIMENSIONS}
    return ReportInputs(
        year=year, period=(start, end), previous_period=before,
        current=[this[i] for i in shown], previous=[last[i] for i in shown],
        forces=[this[i] for i in forces], previous_forces=[last[i] for i in forces],
        scope_keys=keys, definition=definition, people=people,
        population={d: p for d, p in population.items() if p},
        arrests=warehouse_inputs.arrest_stage(con, start, end),
        previous_arrests=warehouse_inputs.arrest_stage(con, *before),
        loads=warehouse_inputs.loads(con),
    )


# --- disclosure control and sections ------------------------------------------------------


def _with_arrests(force: dict, arrests: dict[str, dict[str, int]]) -> dict:
    out = dict(force)
    out["indicators"] = dict(force["indicators"])
    for dimension, values in arrests.items():
        out["indicators"][ARRESTS_PREFIX + dimension] = {
            "values": dict(values), "total": sum(values.values())}
    return out


def _only(result: dict, ids: Sequence[str]) -> dict:
    out = dict(result)
    out["indicators"] = {i: e for i, e in result["indicators"].items() if i in ids}
    out["targets"] = {i: t for i, t in result.get("targets", {}).items() if i in ids}
    return out


def protect_inputs(inputs: ReportInputs, audience: Audience, threshold: int):
    """(current, previous, protection): the result lists as the audience may see them.

    For the public, each year's figures come from that year's one protected table set
    (``stats.release.protect_year``: the force and every borough over every indicator
    and the arrest stage), the same set the partners' dashboard reads, so that no cell
    suppressed in one output can be worked out from another. The report shows the force
    of both years and this year's borough figures for the funnel plots.
    """
    current = [_with_arrests(inputs.current[0], inputs.arrests), *inputs.current[1:]]
    previous = list(inputs.previous)
    if audience == "internal":
        return current, previous, None
    audiences.check_public_release(inputs.definition)
    # Several forces: the forces are in the set too (the national bulletin shows them),
    # protected with the boroughs they sum; the report shows the nation and boroughs.
    sums = release.scope_sums(inputs.scope_keys) if inputs.scope_keys else None
    n = 1 + len(inputs.forces)
    this = release.protect_year(inputs.table_set(), inputs.arrests, threshold, sums=sums)
    last = release.protect_year(inputs.table_set(previous=True), inputs.previous_arrests,
                                threshold, sums=sums)
    current = [this.results[0], *(_only(r, BOROUGH_FIGURES) for r in this.results[n:])]
    return current, [last.results[0]], disclosure.joined([this, last])


def _suppressed_shown(results: Sequence[dict]) -> int:
    """Figures withheld among those the report shows (the protected sets hold more)."""
    return sum(len(e.get("suppressed", ())) for r in results
               for e in r["indicators"].values())


def _registry():
    from dvpi.indicators import registry

    return registry


def section_indicators(section: Section) -> list:
    reg = _registry()
    chosen = [reg.get(i) for i in section.ids]
    chosen += [i for i in reg.INDICATORS
               if i.family in section.families and i.id not in section.exclude
               and i not in chosen]
    return chosen


class Notes:
    """The numbered notes of a section: why a figure is not available."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, text: str) -> str:
        for item in self.items:
            if item["text"] == text:
                return item["mark"]
        mark = str(len(self.items) + 1)
        self.items.append({"mark": mark, "text": text})
        return mark


def _shown(ind, entry: dict | None, label: str, notes: Notes) -> tuple[str, str, str]:
    """(figure, fraction, note mark) of one year's entry: "not available" with a note
    when its inputs are incomplete."""
    why = coverage.incomplete(entry)
    if why:
        return fmt.NOT_AVAILABLE, "", notes.add(f"{ind.title}, {label}: {why}.")
    return fmt.figure(ind, entry), fmt.fraction(entry), ""


def _figure_rows(indicators, this: dict, last: dict,
                 labels: tuple[str, str] = ("this year", "last year"),
                 notes: Notes | None = None) -> list[dict]:
    notes = notes if notes is not None else Notes()
    rows = []
    for ind in indicators:
        if ind.unit == "breakdown":
            continue
        a, b = this["indicators"].get(ind.id), last["indicators"].get(ind.id)
        this_text, this_fraction, this_note = _shown(ind, a, labels[0], notes)
        last_text, last_fraction, last_note = _shown(ind, b, labels[1], notes)
        comparable = not (this_note or last_note)
        rows.append({
            "id": ind.id, "title": ind.title, "unit": ind.unit,
            "this": this_text, "this_fraction": this_fraction, "this_note": this_note,
            "last": last_text, "last_fraction": last_fraction, "last_note": last_note,
            "change": fmt.change(ind, a, b) if comparable else "",
            "unavailable": (a or {}).get("unavailable"),
            "method": (a or {}).get("method"),
        })
    return rows


def _breakdown_table(ind_id: str, title: str, a: dict | None, b: dict | None,
                     this_label: str, last_label: str, notes: Notes) -> dict:
    if not a or a.get("unavailable"):
        return {"id": ind_id, "title": title, "unavailable": (a or {}).get("unavailable"),
                "rows": [], "chart": "", "last_note": ""}
    if coverage.incomplete(a):
        return {"id": ind_id, "title": title, "rows": [], "chart": "", "last_note": "",
                "unavailable": f"{coverage.incomplete(a)} (note "
                               f"{notes.add(f'{title}, {this_label}: {coverage.incomplete(a)}.')})"}
    last_note = ""
    if b and coverage.incomplete(b):
        last_note = notes.add(f"{title}, {last_label}: {coverage.incomplete(b)}.")
        b = None
    b = b if b and not b.get("unavailable") else {"values": {}, "total": None}
    rows = []
    for key, value in a["values"].items():
        hidden = fmt.is_hidden(a, f"values.{key}")
        last_value = b["values"].get(key)
        rows.append({
            "key": key, "label": fmt.key_label(ind_id, key),
            "this": fmt.count(value, hidden), "this_share": fmt.share(value, a.get("total")),
            "last": fmt.NOT_AVAILABLE if last_note
            else fmt.count(last_value, fmt.is_hidden(b, f"values.{key}")),
            "last_share": fmt.share(last_value, b.get("total")),
        })
    chart = charts.bar_chart(
        a["values"], {k: fmt.key_label(ind_id, k) for k in a["values"]},
        previous=b["values"] or None, this_label=this_label, last_label=last_label,
        title=title)
    return {
        "id": ind_id, "title": title, "unavailable": None, "rows": rows,
        "total": fmt.count(a.get("total"), fmt.is_hidden(a, "total")),
        "last_total": fmt.NOT_AVAILABLE if last_note
        else fmt.count(b.get("total"), fmt.is_hidden(b, "total")),
        "last_note": last_note, "method": a.get("method"), "chart": chart,
    }


def _funnel_block(ind, current: list[dict], year: str) -> dict:
    if coverage.incomplete(current[0]["indicators"].get(ind.id)):
        return {"id": ind.id, "title": ind.title, "force_rate": "", "chart": "",
                "league": [], "omitted": [], "labelled": 0, "outside": 0,
                "unavailable": coverage.incomplete(current[0]["indicators"][ind.id])}
    f = funnel.funnel(current, ind.id)
    outside = [p for p in f.points if p.band in ("above_998", "below_998")]
    return {
        "id": ind.id, "title": ind.title, "unavailable": None,
        "force_rate": fmt.percent(f.force_rate),
        "labelled": len(charts.labelled_points(f)), "outside": len(outside),
        "chart": charts.funnel_chart(f, title=f"{ind.title}, {year}") if f.points else "",
        "league": [
            row | {"rate_text": fmt.percent(row["rate"]),
                   "fraction": f"{fmt.count(row['numerator'])} / "
                               f"{fmt.count(row['denominator'])}"}
            for row in funnel.league_table(f)
        ],
        "omitted": f.omitted,
    }


def _equality_block(ind_id: str, title: str, entry: dict | None,
                    population: dict[str, dict[str, int]]) -> dict | None:
    dimension = next((d for d in equality.DIMENSIONS if ind_id.endswith(d)), None)
    if dimension is None or not entry or entry.get("unavailable") or dimension not in population:
        return None
    rows = equality.group_rates(entry, population[dimension], dimension)
    with_rri = [r for r in rows if r.rri is not None]
    return {
        "id": ind_id, "title": title, "dimension": dimension,
        "reference": equality.DIMENSIONS[dimension]["reference"],
        "rows": [
            {"label": r.label, "count": fmt.count(r.count, r.count is None),
             "population": fmt.count(r.population),
             "rate": "" if r.per_1000 is None else f"{r.per_1000:.2f}",
             "interval": "" if r.low is None else f"{r.low:.2f} – {r.high:.2f}",
             "rri": "" if r.rri is None else f"{r.rri:.2f}",
             "rri_interval": "" if r.rri_low is None else f"{r.rri_low:.2f} – {r.rri_high:.2f}",
             "significant": r.significant}
            for r in rows
        ],
        "chart": charts.rri_chart(with_rri, title=f"{title}: relative rate index")
        if with_rri else "",
    }


def _stage_blocks(force: dict, population: dict[str, dict[str, int]]) -> list[dict]:
    """The arrest stage beside the accused stage, for each dimension with arrests."""
    dimensions = [k.removeprefix(ARRESTS_PREFIX) for k in force["indicators"]
                  if k.startswith(ARRESTS_PREFIX)]
    return [b for b in (_stage_block(force, population, d) for d in dimensions) if b]


def _stage_block(force: dict, population: dict[str, dict[str, int]],
                 dimension: str) -> dict | None:
    arrested = force["indicators"].get(ARRESTS_PREFIX + dimension)
    accused = force["indicators"].get("accused_by_" + dimension)
    if (dimension not in population or not arrested or not accused
            or accused.get("unavailable")):
        return None
    rows = equality.stage_comparison(arrested["values"], accused["values"],
                                     population[dimension], dimension)

    def ci(t):
        if t is None:
            return ("", "")
        return (f"{t[0]:.2f}", "" if t[1] is None else f"{t[1]:.2f} – {t[2]:.2f}")

    spec = equality.DIMENSIONS[dimension]
    return {"dimension": dimension.replace("_", " "), "reference": spec["labels"].get(
        spec["reference"], spec["reference"]), "rows": [
        {"label": r.label,
         "arrested": fmt.count(r.arrested, r.arrested is None),
         "accused": fmt.count(r.accused, r.accused is None),
         "arrest_rri": ci(r.arrest_rri), "accused_rri": ci(r.accused_rri),
         "progression_rri": ci(r.progression_rri)}
        for r in rows
    ], "arrests_total": fmt.count(arrested.get("total"), fmt.is_hidden(arrested, "total"))}


def _target_rows(force: dict) -> list[dict]:
    reg = _registry()
    rows = []
    for ind_id, t in force.get("targets", {}).items():
        ind = reg.by_id.get(ind_id)
        shown = ind.display if ind else fmt.COUNT
        hidden = bool(t.get("suppressed"))
        status = None if hidden else rag_from_target(t)
        rows.append({
            "id": ind_id, "title": ind.title if ind else ind_id,
            "target": fmt.number(t.get("target"), shown),
            "actual": fmt.MARK if hidden else fmt.number(t.get("actual"), shown),
            "met": "" if hidden or t.get("met") is None else ("met" if t["met"] else "not met"),
            "status": status or "",
        })
    return rows


def prepare(
    inputs: ReportInputs, audience: Audience = "internal",
    threshold: int = disclosure.DEFAULT_THRESHOLD, title: str | None = None,
) -> dict:
    """The template's context: sections of tables, charts, funnels and the appendix."""
    if audience not in disclosure.AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    current, previous, protection = protect_inputs(inputs, audience, threshold)
    this, last = current[0], previous[0]
    year = inputs.year
    last_year = f"{inputs.previous_period[0].year}-{str(inputs.previous_period[1].year)[-2:]}"
    reg = _registry()
    sections = []
    for section in SECTIONS:
        indicators = section_indicators(section)
        notes = Notes()
        figures = _figure_rows(indicators, this, last, (year, last_year), notes)
        breakdowns = [
            _breakdown_table(i.id, i.title, this["indicators"].get(i.id),
                             last["indicators"].get(i.id), year, last_year, notes)
            for i in indicators if i.unit == "breakdown"
        ]
        counts = [i for i in indicators if i.unit == "count"]
        comparison = ""
        if section.key == "volumes" and counts:
            def _last(ind_id: str):
                entry = last["indicators"][ind_id]
                return None if coverage.incomplete(entry) else fmt.headline(entry)

            comparison = charts.comparison_chart(
                [(i.title, fmt.headline(this["indicators"][i.id]), _last(i.id))
                 for i in counts if not this["indicators"][i.id].get("unavailable")],
                title=f"{section.title}, {year} and {last_year}",
                this_label=year, last_label=last_year)
        eq_blocks = [
            b for b in (_equality_block(i, reg.get(i).title, this["indicators"].get(i),
                                        inputs.population) for i in section.equality) if b
        ]
        funnels = [_funnel_block(reg.get(i), current, year) for i in section.funnels
                   if len(current) > 1]
        stages = _stage_blocks(this, inputs.population) if section.stages else []
        block = {
            "key": section.key, "title": section.title, "source": section.source,
            "figures": figures, "breakdowns": breakdowns,
            "comparison_chart": comparison, "funnels": funnels,
            "equality": eq_blocks, "stages": stages, "notes": notes.items,
        }
        block["suppressed"] = audience == "public" and disclosure.MARK in repr(
            {k: v for k, v in block.items() if k != "comparison_chart"})
        sections.append(block)
    opening = findings.key_findings(this, last, period=year, last_period=last_year)
    return {
        "title": title or f"Domestic violence performance report {year}",
        "year": year, "last_year": last_year,
        "period": {"start": inputs.period[0].isoformat(), "end": inputs.period[1].isoformat()},
        "previous_period": {"start": inputs.previous_period[0].isoformat(),
                            "end": inputs.previous_period[1].isoformat()},
        "audience": audience, "threshold": threshold,
        "disclosure_note": disclosure.NOTE.format(threshold=threshold)
        if audience == "public" else "",
        "definition": _definition_text(inputs.definition), "people": inputs.people,
        "population_loaded": bool(inputs.population),
        "family_extras": _v2().extras(this, last, current, year),
        "boroughs": len(current) - 1,
        "sections": sections,
        "findings": opening,
        "targets": _target_rows(this),
        "methodology": methodology(),
        "glossary": glossary.entries(),
        "revisions": [],
        "disclosure_rule": disclosure.RULE.format(threshold=threshold, below=threshold - 1)
        if audience == "public" else "",
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "suppressed_cells": _suppressed_shown([*current, *previous]) if protection else 0,
        "funnel_levels": [fmt.percent_label(lv) for lv in funnel.LEVELS],
        "amber_margin": fmt.percent_label(DEFAULT_AMBER_MARGIN),
        "ci_level": fmt.percent_label(equality.CI_LEVEL),
    }


def _definition_text(definition: str) -> dict:
    from dvpi.indicators.definitions import get_definition

    d = get_definition(definition)
    return {"id": d.id, "title": d.title, "description": d.description}


def methodology() -> list[dict]:
    """The appendix, generated from the indicator registry: family by family, each
    indicator's id, title, definition, unit, tables needed and governing rules."""
    reg = _registry()
    return [
        {"title": fam.title, "description": fam.description, "indicators": [
            {"id": i.id, "title": i.title, "definition": i.definition, "unit": i.unit,
             "needs": ", ".join(i.needs), "person_based": i.person_based,
             "rules": ", ".join(i.rules)}
            for i in reg.in_family(fam.id)
        ]}
        for fam in reg.FAMILIES
    ]


# --- rendering ----------------------------------------------------------------------------

_env = Environment(
    loader=PackageLoader("dvpi.publish", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def render_html(context: dict) -> str:
    from markupsafe import Markup

    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    return _env.get_template("report.html.j2").render(
        **context, css=Markup(css), svg=Markup, mark=disclosure.MARK)


# Tagged PDF for screen readers (ISO 14289-1): structure tree, /Lang from <html lang>,
# /Title shown as the window title, bookmarks from the headings, /Alt from each chart's
# <title> (WeasyPrint writes them all for this variant).
PDF_VARIANT = "pdf/ua-1"


def write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path), pdf_variant=PDF_VARIANT)
    scope_table_headers(path)
    return path


def scope_table_headers(path: Path) -> None:
    """Give every table header cell its /Scope: WeasyPrint ties data cells to headers
    with /Headers and /IDs only; checkers (and some readers) look for the scope on the
    header itself. The report's tables have one header row (column headers) and a
    header cell at the start of each body row (row headers); WeasyPrint names a header
    cell ``<table>-<row>-<column>``."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/S") != "/TH":
                continue
            ident = str(obj.get("/ID", ""))
            row = ident.split("-")[1] if ident.count("-") == 2 else "0"
            attributes = obj.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary({"/O": pikepdf.Name("/Table")})
                obj["/A"] = attributes
            attributes["/Scope"] = pikepdf.Name("/Column" if row == "0" else "/Row")
        pdf.save(path)


@dataclass
class Written:
    html: Path
    pdf: Path | None
    context: dict


def write_report(
    inputs: ReportInputs, out_dir: Path, *, audience: Audience = "internal",
    threshold: int = disclosure.DEFAULT_THRESHOLD, pdf: bool = True,
    title: str | None = None,
) -> Written:
    """Write ``dv-report-<year>[-public].html`` and ``.pdf`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = prepare(inputs, audience, threshold, title)
    stem = f"dv-report-{inputs.year}" + ("-public" if audience == "public" else "")
    record = out_dir / f"{stem}.figures.json"
    published = revisions.published_figures(context)
    context["revisions"] = revisions.compare(revisions.read(record), published, inputs.loads)
    html = render_html(context)
    revisions.write(record, published, context["generated"], inputs.loads)
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = write_pdf(html, out_dir / f"{stem}.pdf") if pdf else None
    return Written(html_path, pdf_path, context)
