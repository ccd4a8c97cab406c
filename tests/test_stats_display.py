"""One formatter: every indicator reads the same in the CLI, the report, the pack and the web,
by the display declared on it, and nothing outside dvpi.stats formats a percentage or a ratio."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from dvpi.indicators import registry
from dvpi.indicators.model import DEFAULT_DISPLAY, KINDS_OF_UNIT, Display, Indicator
from dvpi.stats import display
from dvpi.stats.disclosure import MARK

SRC = Path(__file__).resolve().parents[1] / "src" / "dvpi"
# What each kind's text looks like, for a value of 0.25 (a count of 3).
PATTERNS: dict[str, str] = {
    "count": r"^\d[\d,]*$",
    "percent": r"^-?\d+(\.\d+)?%$",
    "ratio": r"^-?\d+(\.\d+)? : 1$",
    "per_100": r"^-?\d+(\.\d+)? per 100$",
    "per_1000": r"^-?[\d.e+-]+ per 1,000$",
    "per_10000": r"^-?[\d.,]+ per 10,000$",
    "days": r"^-?[\d,]+(\.\d+)? days?$",
    "points": r"^[+-]\d+(\.\d+)? pts$",
}
# A rate per key reads as "Key 25.0% (n 4), ...".
RATES_PATTERN = r"^[^,]+ \d+(\.\d+)?% \(n \d+\)(, [^,]+ \d+(\.\d+)?% \(n \d+\))*$"


def _entry(ind: Indicator) -> dict:
    """A plausible engine entry of the indicator's unit."""
    if ind.unit == "breakdown":
        return {"values": {k: 1 for k in ind.keys}, "total": len(ind.keys)}
    if ind.unit == "count":
        return {"value": 3}
    if ind.unit == "median":
        return {"value": 3, "n": 4}
    if ind.unit == "rates":
        return {"values": dict.fromkeys(ind.keys, 0.25), "n": dict.fromkeys(ind.keys, 4)}
    if ind.unit == "gap":
        a, b = ind.keys
        return {"value": 0.25, f"{a}_rate": 0.5, f"{b}_rate": 0.25, f"{a}_n": 4, f"{b}_n": 4}
    return {"value": 0.25 * ind.scale, "numerator": 1, "denominator": 4}


def _hidden(ind: Indicator, entry: dict) -> dict:
    """The entry with its headline suppressed (every key's rate, for a rate per key)."""
    if ind.unit == "rates":
        return {**entry, "suppressed": [f"values.{k}" for k in ind.keys]}
    return {**entry, "suppressed": ["total" if "values" in entry else "value"]}


def _kinds(ind: Indicator) -> list[Display]:
    """The declared display, and every other kind its unit may be declared as."""
    others = [replace(ind.display, kind=k) for k in KINDS_OF_UNIT[ind.unit]
              if k != ind.display.kind]
    return [ind.display, *others]


@pytest.mark.parametrize("ind", registry.INDICATORS, ids=lambda i: i.id)
def test_every_indicator_formats_by_its_declared_display(ind):
    assert ind.display.kind in KINDS_OF_UNIT[ind.unit]
    entry = _entry(ind)
    for shown in _kinds(ind):
        one = replace(ind, display=shown)
        pattern = RATES_PATTERN if ind.unit == "rates" else PATTERNS[shown.kind]
        assert re.match(pattern, display.figure(one, entry)), (ind.id, shown)
        change = display.change(one, entry, entry)
        assert re.match(r"^\+0(\.0+)?( \(\+0\.0%\)| pts)?$", change) or (
            ind.unit == "rates" and change == ""), (ind.id, change)  # no one headline
    hidden = display.figure(ind, _hidden(ind, entry))
    assert hidden == MARK or (ind.unit == "rates" and hidden.count(MARK) == len(ind.keys))
    assert display.figure(ind, {"unavailable": "no table"}) == display.NOT_AVAILABLE
    assert display.figure(ind, None) == display.NO_RATE
    assert display.excel_format(ind.display)


def test_the_unit_gives_the_default_and_the_declaration_overrides_it():
    assert registry.get("sanction_detection_rate").display == DEFAULT_DISPLAY["rate"]
    assert registry.get("charge_caution_ratio").display == Display("ratio", 2)
    with pytest.raises(ValueError, match="cannot be shown as"):
        replace(registry.get("dv_crimes"), display=Display("percent"))


@pytest.mark.parametrize(("ind_id", "entry", "last", "text", "change"), [
    ("dv_incidents", {"value": 1234}, {"value": 1000}, "1,234", "+234 (+23.4%)"),
    ("spi8a_offence_arrest_rate", {"value": 6 / 7}, {"value": 0.8}, "85.7%", "+5.7 pts"),
    ("charge_caution_ratio", {"value": 2.0}, {"value": 1.75}, "2.00 : 1", "+0.25"),
    ("dv_crime_arrests_per_100", {"value": 100.0}, {"value": 98.5}, "100.0 per 100", "+1.5"),
    ("dv_homicides_partner_per_1000", {"value": 0.002}, {"value": 0.001}, "0.002 per 1,000",
     "+0.001"),
    ("risk_level_distribution", {"values": {"high": 3}, "total": 10},
     {"values": {"high": 2}, "total": 8}, "10", "+2 (+25.0%)"),
])
def test_figures_read_as_the_report_prints_them(ind_id, entry, last, text, change):
    ind = registry.get(ind_id)
    assert display.figure(ind, entry) == text
    assert display.change(ind, entry, last) == change


@pytest.mark.parametrize("ind", registry.INDICATORS, ids=lambda i: i.id)
def test_cli_web_and_report_show_what_the_formatter_says(ind):
    from dvpi.publish import report
    from dvpi.web import present

    entry = _entry(ind)
    expected = display.figure(ind, entry)
    assert present.show(entry, ind.unit, ind.id) == expected
    if ind.unit != "rates":  # a rate per key has no one headline
        assert present.number(display.headline(entry), ind.unit, ind.id) == expected
    row, = report._figure_rows([ind], {"indicators": {ind.id: entry}},
                               {"indicators": {ind.id: entry}}) or [None]
    if ind.unit != "breakdown":
        assert row["this"] == expected
        assert row["change"] == display.change(ind, entry, entry)
    from dvpi.cli import indicators as cli

    assert cli._figure_text(ind, entry).startswith(expected)


def test_the_pack_writes_the_declared_digits():
    from dvpi.publish import pack

    class Workbook:
        def add_format(self, spec):
            return spec

    formats = pack._Formats.__new__(pack._Formats)
    formats._wb, formats._numbers = Workbook(), {}
    for ind in registry.INDICATORS:
        assert formats.number(ind)["num_format"] == display.excel_format(ind.display)
    assert display.excel_format(registry.get("charge_caution_ratio").display) == "0.00"
    assert display.excel_format(registry.get("sanction_detection_rate").display) == "0.0%"


# A percentage or a ratio made by hand: `{x * 100:.1f}%`, `{100 * x:g}%`, "… : 1", "pts".
HAND_MADE = re.compile(
    r"\{[^{}]*(\*\s*100|100\s*\*)[^{}]*\}\s*%"
    r"|\}\s*:\s*1[\"']"
    r"|\bpts[\"']"
    r"|endswith\(\s*[\"']_ratio[\"']\)"
)


def test_nothing_outside_stats_formats_a_percentage_or_a_ratio():
    offenders = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".py", ".html", ".j2") or "stats" in path.relative_to(SRC).parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HAND_MADE.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not offenders, "format figures with dvpi.stats.display:\n" + "\n".join(offenders)
