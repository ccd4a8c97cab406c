"""Charts as self-contained SVG strings (matplotlib: no fonts fetched, no CDN).

Every function takes plain data (engine breakdowns, :mod:`dvpi.stats.funnel` funnels,
:mod:`dvpi.stats.equality` rows) and a text alternative, and returns an ``<svg>`` element
ready to inline in HTML: ``role="img"`` with the alternative as its ``<title>`` (screen
readers read it, and WeasyPrint writes it as the PDF figure's ``/Alt``). The figures are
always in a table beside the chart. Suppressed figures (``None``) are drawn as gaps and
labelled with the disclosure mark.

Colours are the Okabe-Ito palette (Okabe and Ito 2008), chosen to stay apart under the
three colour-vision deficiencies (tests/test_publish_charts.py simulates them with
colorspacious); the funnel's bands are told apart by marker shape as well as colour.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from html import escape
from itertools import count

import matplotlib

matplotlib.use("Agg")
from adjustText import adjust_text
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from dvpi.stats.disclosure import MARK
from dvpi.stats.display import percent_label
from dvpi.stats.funnel import BAND_LABELS, Funnel

# Okabe-Ito: blue, sky blue, orange, vermillion, black.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2", "sky_blue": "#56B4E9", "orange": "#E69F00", "vermillion": "#D55E00",
    "bluish_green": "#009E73", "yellow": "#F0E442", "reddish_purple": "#CC79A7",
    "black": "#000000",
}
THIS_COLOUR = OKABE_ITO["blue"]
LAST_COLOUR = OKABE_ITO["sky_blue"]
LIMIT_COLOURS = {"0.95": OKABE_ITO["orange"], "0.998": OKABE_ITO["vermillion"]}
BAND_COLOURS = {
    "above_998": OKABE_ITO["vermillion"], "above_95": OKABE_ITO["orange"],
    "within": OKABE_ITO["blue"], "below_95": OKABE_ITO["orange"],
    "below_998": OKABE_ITO["vermillion"],
}
# Shape as well as colour (WCAG 1.4.1): up and down triangles outside, circles inside.
BAND_MARKERS = {"above_998": "^", "above_95": "^", "within": "o", "below_95": "v",
                "below_998": "v"}
# Colours a reader must tell apart, pair by pair (checked under simulated CVD).
DISTINGUISHED: tuple[tuple[str, str], ...] = (
    (THIS_COLOUR, LAST_COLOUR), (LIMIT_COLOURS["0.95"], LIMIT_COLOURS["0.998"]),
    (BAND_COLOURS["within"], BAND_COLOURS["above_95"]),
    (BAND_COLOURS["within"], BAND_COLOURS["above_998"]),
)
COMPACT_AFTER = 8
# The funnel labels at most this many boroughs (the most extreme); the table has all.
MAX_LABELS = 12
_ids = count(1)


def _svg(fig: Figure, alt: str) -> str:
    """The figure as an inline ``<svg role="img">`` whose ``<title>`` is ``alt``, with ids
    unique in the document."""
    buf = io.StringIO()
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "dvpi"
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # Several charts share one HTML page: prefix their ids so clip paths never collide.
    prefix = f"c{next(_ids)}-"
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}{m.group(1)})", text)
    text = re.sub(r'((?:xlink:)?href)="#([^"]+)"',
                  lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', text)
    # The text alternative: the first child <title>, named by aria-labelledby.
    head_end = text.index(">") + 1
    title_id = f"{prefix}title"
    head = text[:head_end - 1] + f' role="img" aria-labelledby="{title_id}">'
    return (head + f'<title id="{title_id}">{escape(alt)}</title>' + text[head_end:])


def _figure(width: float = 6.4, height: float = 2.8) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def _counted(value: float | None) -> str:
    return MARK if value is None else f"{value:,.0f}" if float(value).is_integer() \
        else f"{value:,.2f}"


def bar_chart(
    values: dict[str, float | None], labels: dict[str, str] | None = None, *,
    previous: dict[str, float | None] | None = None, title: str = "",
    this_label: str = "this year", last_label: str = "last year", alt: str = "",
) -> str:
    """Horizontal bars of a breakdown's values, with last year's beside them.

    Long lists (more than ``COMPACT_AFTER`` keys) leave out the keys that are zero in both
    years: the table beside the chart still lists them. Returns "" when there is nothing
    to draw. ``alt`` is the text alternative (default: generated from the values).
    """
    keys = list(values)
    if len(keys) > COMPACT_AFTER:
        keys = [k for k in keys if values[k] != 0 or (previous or {}).get(k)]
    if not keys or all(not values[k] and not (previous or {}).get(k) for k in keys):
        return ""
    names = [(labels or {}).get(k, k) for k in keys]
    fig = _figure(6.4, 0.28 * len(keys) + 0.8)
    ax = fig.add_subplot()
    positions = list(range(len(keys)))[::-1]
    height = 0.38 if previous is not None else 0.7
    this = [values[k] or 0 for k in keys]
    ax.barh([p + (height / 2 if previous is not None else 0) for p in positions], this,
            height=height, color=THIS_COLOUR, label=this_label)
    if previous is not None:
        last = [(previous.get(k) or 0) for k in keys]
        ax.barh([p - height / 2 for p in positions], last, height=height,
                color=LAST_COLOUR, label=last_label)
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    for p, k in zip(positions, keys, strict=True):
        if values[k] is None:
            ax.text(0, p, f" {MARK}", va="center", fontsize=7, color="#555")
    ax.set_yticks(positions, names)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    if not alt:
        top = max(keys, key=lambda k: values[k] or 0)
        alt = (f"{title or 'Bar chart'}: {len(keys)} bars"
               + (f", {this_label} beside {last_label}" if previous is not None else "")
               + f". Largest: {(labels or {}).get(top, top)}, {_counted(values[top])}. "
               "The table gives every figure.")
    return _svg(fig, alt)


def comparison_chart(
    items: Sequence[tuple[str, float | None, float | None]], *, title: str = "",
    this_label: str = "this year", last_label: str = "last year", alt: str = "",
) -> str:
    """Pairs of bars (this year, last year) for a few counts of the same kind; a last
    year of ``None`` (not available) is a gap."""
    if not alt:
        alt = (f"{title or 'Bar chart'}: " + "; ".join(
            f"{name} {_counted(this)} in {this_label}"
            + ("" if last is None else f", {_counted(last)} in {last_label}")
            for name, this, last in items) + ".")
    return bar_chart(
        {name: this for name, this, _ in items}, previous={n: last for n, _, last in items},
        title=title, this_label=this_label, last_label=last_label, alt=alt,
    )


def labelled_points(f: Funnel, limit: int = MAX_LABELS) -> list:
    """The boroughs a funnel plot names: those outside the 99.8% limits, the most
    extreme first, at most ``limit`` (the league table below names every borough)."""
    outside = [p for p in f.points if p.band in ("above_998", "below_998")]
    return sorted(outside, key=lambda p: (-abs(p.z), p.scope))[:limit]


def funnel_alt(f: Funnel, title: str, percent: bool = True, *, member: str = "borough",
               centre: str = "force") -> str:
    """The funnel plot's text alternative: what it shows and who is outside the limits."""
    scale, unit = (100, "%") if percent else (1, "")
    rate = "" if f.force_rate is None else f" {f.force_rate * scale:.1f}{unit}"
    above = [p.scope for p in f.points if p.band == "above_998"]
    below = [p.scope for p in f.points if p.band == "below_998"]
    parts = [f"Funnel plot: {title}. {len(f.points)} {member}s plotted by their number of "
             f"cases against the {centre} rate{rate} and its 95% and 99.8% control limits."]
    for words, names in ((BAND_LABELS["above_998"], above), (BAND_LABELS["below_998"], below)):
        if names:
            parts.append(f"{len(names)} {words}: {', '.join(names)}.")
    if not above and not below:
        parts.append(f"No {member} is outside the 99.8% limits.")
    parts.append(f"The table below lists every {member}.")
    return " ".join(parts)


def funnel_chart(f: Funnel, *, title: str = "", percent: bool = True, alt: str = "",
                 member: str = "borough", centre: str = "force") -> str:
    """The funnel plot: boroughs as points, the force rate and its 95% / 99.8% limits.

    Only the boroughs outside the 99.8% limits are named (:func:`labelled_points`), their
    labels moved apart by adjustText so that none overlaps another or a point."""
    fig = _figure(6.4, 3.8)
    FigureCanvasAgg(fig)  # adjustText measures the labels with a renderer
    ax = fig.add_subplot()
    scale = 100 if percent else 1
    curves = f.curve()
    for level, rows in curves.items():
        ns = [r[0] for r in rows]
        colour = LIMIT_COLOURS.get(level, "#888")
        label = f"{percent_label(float(level))} limits"
        style = "--" if level == "0.95" else "-."
        ax.plot(ns, [r[1] * scale for r in rows], color=colour, lw=1, ls=style, label=label)
        ax.plot(ns, [r[2] * scale for r in rows], color=colour, lw=1, ls=style)
    if f.force_rate is not None and curves:
        ns = [r[0] for r in next(iter(curves.values()))]
        ax.plot([ns[0], ns[-1]], [f.force_rate * scale] * 2, color=OKABE_ITO["black"],
                lw=1, label=centre)
    xs, ys = [], []
    legend = {"within": "within the limits", "above_95": "outside 95%", "below_95": "",
              "above_998": "outside 99.8%", "below_998": ""}
    for band in ("within", "above_95", "below_95", "above_998", "below_998"):
        pts = [p for p in f.points if p.band == band]
        if pts:
            ax.scatter([p.denominator for p in pts], [p.rate * scale for p in pts], s=20,
                       color=BAND_COLOURS[band], marker=BAND_MARKERS[band], zorder=3,
                       edgecolors="white", linewidths=0.4, label=legend[band] or None)
            xs += [p.denominator for p in pts]
            ys += [p.rate * scale for p in pts]
    texts = [ax.text(p.denominator, p.rate * scale, p.scope, fontsize=6.5)
             for p in labelled_points(f)]
    ax.set_xlabel(f"denominator (cases in the {member})", fontsize=8)
    ax.set_ylabel("%" if percent else "rate", fontsize=8)
    ax.legend(fontsize=6.5, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    if texts:
        adjust_text(texts, x=xs, y=ys, ax=ax, expand=(1.15, 1.4),
                    arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.5})
    return _svg(fig, alt or funnel_alt(f, title, percent, member=member, centre=centre))


def trend_chart(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str = "",
    percent: bool = False, alt: str = "",
) -> str:
    """Lines over periods (e.g. the last 13 weeks), one per series."""
    fig = _figure(6.4, 2.6)
    ax = fig.add_subplot()
    scale = 100 if percent else 1
    xs = list(range(len(labels)))
    colours = [THIS_COLOUR, OKABE_ITO["orange"], OKABE_ITO["bluish_green"],
               OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"]]
    for (name, values), colour in zip(series.items(), colours * 4, strict=False):
        ax.plot(xs, [None if v is None else v * scale for v in values], marker="o", ms=3,
                lw=1.2, label=name, color=colour)
    ax.set_xticks(xs, labels, rotation=45, ha="right")
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    if not alt:
        alt = (f"{title or 'Line chart'}: {', '.join(series)} over {len(labels)} periods, "
               f"{labels[0]} to {labels[-1]}. The table gives every figure." if labels
               else title or "Line chart")
    return _svg(fig, alt)


def rri_chart(rows: Sequence, *, title: str = "", attr: str = "rri", alt: str = "") -> str:
    """A forest plot of relative rate indices with their intervals (1 = the reference)."""
    shown = [r for r in rows if getattr(r, f"{attr}_low", None) is not None
             or getattr(r, attr, None) == 1.0]
    fig = _figure(6.4, 0.35 * max(1, len(shown)) + 0.9)
    ax = fig.add_subplot()
    positions = list(range(len(shown)))[::-1]
    for p, r in zip(positions, shown, strict=True):
        low, high = getattr(r, f"{attr}_low"), getattr(r, f"{attr}_high")
        if low is not None:
            ax.plot([low, high], [p, p], color=THIS_COLOUR, lw=1.5)
        ax.scatter([getattr(r, attr)], [p], color=THIS_COLOUR, s=16, zorder=3)
    ax.axvline(1, color="#555", lw=0.8, ls=":")
    ax.set_xscale("log")
    # Plain ticks (0.5, 1, 2) read better than powers of ten.
    lows = [getattr(r, f"{attr}_low") or 1.0 for r in shown] + [1.0]
    highs = [getattr(r, f"{attr}_high") or 1.0 for r in shown] + [1.0]
    ticks = [t for t in (0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20)
             if min(lows) / 1.5 <= t <= max(highs) * 1.5]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(positions, [r.label for r in shown])
    ax.set_xlabel("relative rate index (log scale; 1 = reference group)", fontsize=8)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    if not alt:
        alt = (f"{title or 'Forest plot'}: relative rate index with its interval for "
               + "; ".join(f"{r.label} {getattr(r, attr):.2f}" for r in shown)
               + " (1 = the reference group). The table gives every figure.")
    return _svg(fig, alt)
