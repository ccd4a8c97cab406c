"""Charts that read: colours apart under colour-vision deficiency, funnel labels only
outside the 99.8% limits and never on top of each other, a text alternative on each."""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from colorspacious import cspace_convert, deltaE

from dvpi.publish import charts
from dvpi.stats import funnel

# CAM02-UCS distance under which two colours are hard to tell apart at chart sizes.
MIN_DELTA_E = 10
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")


def _rgb(hex_colour: str) -> list[float]:
    return [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]


def _simulated(hex_colour: str, kind: str):
    cvd = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
    return cspace_convert(_rgb(hex_colour), cvd, "sRGB1").clip(0, 1)


@pytest.mark.parametrize("kind", DEFICIENCIES)
def test_colours_stay_apart_under_colour_vision_deficiency(kind):
    for a, b in charts.DISTINGUISHED:
        distance = deltaE(_simulated(a, kind), _simulated(b, kind), input_space="sRGB1",
                          uniform_space="CAM02-UCS")
        assert distance >= MIN_DELTA_E, (kind, a, b, distance)


def test_palette_is_okabe_ito():
    used = {charts.THIS_COLOUR, charts.LAST_COLOUR, *charts.LIMIT_COLOURS.values(),
            *charts.BAND_COLOURS.values()}
    assert used <= set(charts.OKABE_ITO.values())
    for a, b in combinations(["above_998", "within"], 2):
        assert charts.BAND_MARKERS[a] != charts.BAND_MARKERS[b]  # shape, not colour alone


def _results(boroughs: dict[str, tuple[int, int]]) -> list[dict]:
    total = (sum(n for n, _ in boroughs.values()), sum(d for _, d in boroughs.values()))

    def entry(n, d):
        return {"value": n / d, "numerator": n, "denominator": d}

    return [{"scope": "force", "indicators": {"r": entry(*total)}}] + [
        {"scope": s, "indicators": {"r": entry(*nd)}} for s, nd in boroughs.items()]


CROWDED = {
    # Many boroughs far outside, at nearly the same place: labels would pile up.
    **{f"High {i}": (950 + i, 1000 + 3 * i) for i in range(8)},
    **{f"Low {i}": (300 + i, 1000 + 3 * i) for i in range(8)},
    **{f"Mid {i}": (640 + i, 1000 + 10 * i) for i in range(10)},
}


def _label_boxes(svg: str) -> dict[str, tuple[float, float]]:
    """The labels drawn: each text's anchor point (matplotlib writes x and y, the text
    centred on x)."""
    found = {}
    for m in re.finditer(r'<text[^>]*text-anchor: middle"[^>]* x="([-\d.]+)" '
                         r'y="([-\d.]+)"[^>]*>([^<]+)</text>', svg):
        found[m.group(3)] = (float(m.group(1)), float(m.group(2)))
    return found


def test_funnel_names_only_boroughs_outside_the_998_limits():
    f = funnel.funnel(_results(CROWDED), "r")
    named = {p.scope for p in charts.labelled_points(f)}
    outside = {p.scope for p in f.points if p.band in ("above_998", "below_998")}
    assert named <= outside and named
    assert not any(s.startswith("Mid") for s in named)
    assert len(named) <= charts.MAX_LABELS
    # The most extreme are the ones named when there are too many.
    f_few = charts.labelled_points(f, limit=3)
    assert [abs(p.z) for p in f_few] == sorted((abs(p.z) for p in f_few), reverse=True)


def test_funnel_labels_do_not_overlap():
    f = funnel.funnel(_results(CROWDED), "r")
    svg = charts.funnel_chart(f, title="Crowded")
    labels = {k: v for k, v in _label_boxes(svg).items()
              if k.startswith(("High", "Low"))}
    assert len(labels) == len(charts.labelled_points(f))
    # 6.5 px text centred on its anchor, about 0.55 em a character: two labels overlap
    # when both their half-widths and their line heights overlap.
    for (a, pa), (b, pb) in combinations(labels.items(), 2):
        apart_x = abs(pa[0] - pb[0]) >= 6.5 * 0.55 * (len(a) + len(b)) / 2
        apart_y = abs(pa[1] - pb[1]) >= 6.5
        assert apart_x or apart_y, (a, pa, b, pb)


def test_every_chart_has_a_text_alternative():
    f = funnel.funnel(_results(CROWDED), "r")
    svgs = [
        charts.funnel_chart(f, title="Crowded"),
        charts.bar_chart({"a": 3, "b": 5}, title="Two bars"),
        charts.comparison_chart([("x", 5, None), ("y", 3, 4)], title="Pairs"),
        charts.trend_chart(["w1", "w2"], {"s": [1, 2]}, title="Trend"),
    ]
    for svg in svgs:
        assert svg.startswith("<svg") and 'role="img"' in svg.split(">", 1)[0]
        title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg)
        assert title and f'aria-labelledby="{title.group(1)}"' in svg
    alt = charts.funnel_alt(f, "Crowded")
    assert "8 significantly above (99.8%)" in alt and "High 0" in alt
    assert "The table below lists every borough." in alt
    assert "y 3 in this year, 4 in last year" in re.search(
        r"<title[^>]*>([^<]+)", svgs[2]).group(1)


def test_dashboard_funnel_names_only_the_far_boroughs_apart():
    from dvpi.web import svg

    f = funnel.funnel(_results(CROWDED), "r")
    chart = str(svg.funnel_plot([(p.scope, p.denominator, p.rate) for p in f.points],
                                f.force_rate, "Crowded",
                                limits=lambda n, lv: funnel.control_limits(f.force_rate, n, lv)))
    names = re.findall(r'<text class="name" x="([-\d.]+)" y="([-\d.]+)">([^<]+)</text>', chart)
    assert 0 < len(names) <= svg.FUNNEL_LABELS
    assert not any(n.startswith("Mid") for _, _, n in names)
    boxes = [(float(x), float(x) + 6.2 * len(n), float(y)) for x, y, n in names]
    for (a0, a1, ay), (b0, b1, by) in combinations(boxes, 2):
        assert not (a0 < b1 and b0 < a1 and abs(ay - by) < svg.LINE), (a0, ay, b0, by)
    assert chart.count('class="point out"') == 16  # triangles, not only a colour
