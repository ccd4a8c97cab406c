"""Charts as self-contained SVG strings (matplotlib, text drawn as paths: no fonts, no CDN).

Every function takes plain data (engine breakdowns, :mod:`dvpi.stats.funnel` funnels,
:mod:`dvpi.stats.equality` rows) and returns an ``<svg>`` element ready to inline in
HTML. Suppressed figures (``None``) are drawn as gaps and labelled with the
disclosure mark.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from itertools import count

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from dvpi.stats.disclosure import MARK
from dvpi.stats.display import percent_label
from dvpi.stats.funnel import Funnel

THIS_COLOUR = "#1f4e79"
LAST_COLOUR = "#9dbbd9"
LIMIT_COLOURS = {"0.95": "#e08a00", "0.998": "#b71c1c"}
BAND_COLOURS = {
    "above_998": "#b71c1c", "above_95": "#e08a00", "within": "#1f4e79",
    "below_95": "#e08a00", "below_998": "#b71c1c",
}
COMPACT_AFTER = 8
_ids = count(1)


def _svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` with ids unique in the document."""
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
    return text


def _figure(width: float = 6.4, height: float = 2.8) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def bar_chart(
    values: dict[str, float | None], labels: dict[str, str] | None = None, *,
    previous: dict[str, float | None] | None = None, title: str = "",
    this_label: str = "this year", last_label: str = "last year",
) -> str:
    """Horizontal bars of a breakdown's values, with last year's beside them.

    Long lists (more than ``COMPACT_AFTER`` keys) leave out the keys that are zero in both
    years: the table beside the chart still lists them. Returns "" when there is nothing
    to draw.
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
    return _svg(fig)


def comparison_chart(
    items: Sequence[tuple[str, float | None, float | None]], *, title: str = "",
    this_label: str = "this year", last_label: str = "last year",
) -> str:
    """Pairs of bars (this year, last year) for a few counts of the same kind."""
    return bar_chart(
        {name: this for name, this, _ in items}, previous={n: last for n, _, last in items},
        title=title, this_label=this_label, last_label=last_label,
    )


def funnel_chart(f: Funnel, *, title: str = "", percent: bool = True) -> str:
    """The funnel plot: boroughs as points, the force rate and its 95% / 99.8% limits."""
    fig = _figure(6.4, 3.6)
    ax = fig.add_subplot()
    scale = 100 if percent else 1
    curves = f.curve()
    for level, rows in curves.items():
        ns = [r[0] for r in rows]
        colour = LIMIT_COLOURS.get(level, "#888")
        label = f"{percent_label(float(level))} limits"
        ax.plot(ns, [r[1] * scale for r in rows], color=colour, lw=1, ls="--", label=label)
        ax.plot(ns, [r[2] * scale for r in rows], color=colour, lw=1, ls="--")
    if f.force_rate is not None and curves:
        ns = [r[0] for r in next(iter(curves.values()))]
        ax.plot([ns[0], ns[-1]], [f.force_rate * scale] * 2, color="#333", lw=1,
                label="force")
    for p in f.points:
        ax.scatter([p.denominator], [p.rate * scale], s=18, color=BAND_COLOURS[p.band],
                   zorder=3)
        if p.band != "within":
            ax.annotate(p.scope, (p.denominator, p.rate * scale), fontsize=6,
                        xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("denominator (cases in the borough)", fontsize=8)
    ax.set_ylabel("%" if percent else "rate", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="best")
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    return _svg(fig)


def trend_chart(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str = "",
    percent: bool = False,
) -> str:
    """Lines over periods (e.g. the last 13 weeks), one per series."""
    fig = _figure(6.4, 2.6)
    ax = fig.add_subplot()
    scale = 100 if percent else 1
    xs = list(range(len(labels)))
    for name, values in series.items():
        ax.plot(xs, [None if v is None else v * scale for v in values], marker="o", ms=3,
                lw=1.2, label=name)
    ax.set_xticks(xs, labels, rotation=45, ha="right")
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    _style(ax)
    return _svg(fig)


def rri_chart(rows: Sequence, *, title: str = "", attr: str = "rri") -> str:
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
    return _svg(fig)
