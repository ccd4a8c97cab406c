"""The dashboard's small server-side SVG charts (sparkline, bars, funnel plot): no
JavaScript, no CDN, nothing to download, written by hand as SVG text. The reports'
charts (matplotlib) are ``dvpi.publish.charts``.

They are styled only by ``class`` from the dashboard stylesheet (the Content Security
Policy forbids inline styles), so they print and follow the page's colours. Every
chart carries a <title> and the figures are also in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from dvpi.stats.display import percent


def _svg(width: int, height: int, body: list[str], title: str, cls: str) -> Markup:
    return Markup(
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def sparkline(values: Sequence[float | None], title: str, width: int = 120,
              height: int = 28) -> Markup:
    """A trend line; gaps (None) break the line."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or not known:
        return _svg(width, height, [], title, "spark")
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
            continue
        x = 2 + i * step
        y = height - 3 - (v - low) / span * (height - 6)
        segments[-1].append(f"{x:.1f},{y:.1f}")
    body = [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if s]
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None))
    x = 2 + last[0] * step
    y = height - 3 - (last[1] - low) / span * (height - 6)
    body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2"/>')
    return _svg(width, height, body, title, "spark")


def bar_chart(items: Sequence[tuple[str, float | None]], title: str,
              width: int = 360) -> Markup:
    """Horizontal bars, one per (label, value); None (suppressed/unknown) draws no bar."""
    row = 20
    label_w = 130
    height = row * len(items) + 4
    top = max((v for _, v in items if v is not None), default=0) or 1
    body = []
    for i, (name, value) in enumerate(items):
        y = 2 + i * row
        body.append(f'<text class="label" x="{label_w - 6}" y="{y + 14}" '
                    f'text-anchor="end">{escape(name)}</text>')
        if value is not None:
            w = max(0.0, value / top * (width - label_w - 60))
            body.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" '
                        f'height="{row - 6}"/>')
            body.append(f'<text class="value" x="{label_w + w + 4:.1f}" y="{y + 14}">'
                        f"{value:,.0f}</text>")
    return _svg(width, height, body, title, "bars")


Limits = Callable[[float, float], tuple[float, float]]


def funnel_plot(points: Sequence[tuple[str, float, float]], centre: float, title: str,
                limits: Limits, width: int = 560, height: int = 320) -> Markup:
    """Boroughs as (name, denominator, rate) against the 95 % and 99.8 % control limits
    ``limits(n, level) -> (low, high)`` around the force rate ``centre``."""
    pad_l, pad_b, pad_t, pad_r = 48, 34, 10, 12
    usable = [(name, n, r) for name, n, r in points if n and r is not None]
    max_n = max((n for _, n, _ in usable), default=1) * 1.05
    rates = [r for _, _, r in usable] + [centre]
    lo = max(0.0, min(rates) - 0.1)
    hi = min(1.0, max(rates) + 0.1)
    span = (hi - lo) or 1.0

    def x(n: float) -> float:
        return pad_l + n / max_n * (width - pad_l - pad_r)

    def y(r: float) -> float:
        return pad_t + (hi - min(max(r, lo), hi)) / span * (height - pad_t - pad_b)

    body = [f'<line class="axis" x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" '
            f'y2="{height - pad_b}"/>',
            f'<line class="axis" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" '
            f'y2="{height - pad_b}"/>']
    for i in range(5):
        r = lo + span * i / 4
        body.append(f'<text class="tick" x="{pad_l - 4}" y="{y(r) + 4:.1f}" '
                    f'text-anchor="end">{percent(r, 0)}</text>')
    body.append(f'<text class="tick" x="{width - pad_r}" y="{height - 8}" '
                f'text-anchor="end">denominator (up to {max_n / 1.05:,.0f})</text>')
    body.append(f'<line class="centre" x1="{pad_l}" y1="{y(centre):.1f}" '
                f'x2="{width - pad_r}" y2="{y(centre):.1f}"/>')
    steps = [max_n * (i / 60) ** 2 for i in range(1, 61)]
    for level, cls in ((0.95, "limit95"), (0.998, "limit998")):
        for side in (0, 1):
            pts = " ".join(f"{x(n):.1f},{y(limits(n, level)[side]):.1f}" for n in steps)
            body.append(f'<polyline class="{cls}" points="{pts}"/>')
    far: list[tuple[float, str, float, float]] = []  # outside 99.8%: (|distance|, ...)
    for name, n, r in usable:
        low95, high95 = limits(n, 0.95)
        low998, high998 = limits(n, 0.998)
        state = "out" if (r < low95 or r > high95) else "in"
        tip = f"<title>{escape(name)}: {percent(r)} of {n:,.0f}</title>"
        cx, cy = x(n), y(r)
        if state == "out":
            # A triangle, pointing the way the borough differs: shape as well as colour.
            d = -5 if r > high95 else 5
            body.append(f'<polygon class="point out" points="{cx:.1f},{cy + d:.1f} '
                        f'{cx - 5:.1f},{cy - d:.1f} {cx + 5:.1f},{cy - d:.1f}">{tip}</polygon>')
        else:
            body.append(f'<circle class="point in" cx="{cx:.1f}" cy="{cy:.1f}" r="4">{tip}'
                        "</circle>")
        if r < low998 or r > high998:
            far.append((abs(r - centre), name, cx, cy))
    body += _labels(far, width - pad_r)
    return _svg(width, height, body, title, "funnel")


FUNNEL_LABELS = 12
LINE = 13  # px between two labels' baselines


def _labels(far: list[tuple[float, str, float, float]], right: float) -> list[str]:
    """Names beside the boroughs outside the 99.8% limits (the most extreme first, at most
    ``FUNNEL_LABELS``), moved down just enough that no two overlap; a thin leader joins a
    moved name to its point. The league table names every borough."""
    chosen = sorted(far, key=lambda t: (-t[0], t[1]))[:FUNNEL_LABELS]
    placed: list[tuple[float, float, float]] = []  # x0, x1, baseline
    out = []
    for _, name, cx, cy in sorted(chosen, key=lambda t: (t[3], t[2])):
        width = 6.2 * len(name)
        x0 = cx + 7 if cx + 7 + width <= right else cx - 7 - width
        base = cy + 4
        while any(x0 < b1 and b0 < x0 + width and abs(base - yb) < LINE
                  for b0, b1, yb in placed):
            base += LINE
        placed.append((x0, x0 + width, base))
        if abs(base - (cy + 4)) > 1:
            out.append(f'<line class="leader" x1="{cx:.1f}" y1="{cy:.1f}" '
                       f'x2="{x0:.1f}" y2="{base - 4:.1f}"/>')
        out.append(f'<text class="name" x="{x0:.1f}" y="{base:.1f}">{escape(name)}</text>')
    return out
