"""Key findings: the few sentences a publication opens with, generated from the figures.

Every sentence is one of the templates below, filled with an indicator's title from the
registry and its figures as :mod:`dvpi.stats.display` shows them; nothing is typed in.
A change is called "statistically significant" only when :mod:`dvpi.stats.significance`
says so at 95% (rates: two-proportion z-test; counts: exact Poisson test with the
periods' lengths as exposures); otherwise the sentence says "no significant change".
A comparison whose earlier (or current) inputs are incomplete (:mod:`dvpi.indicators.
coverage`) is not made: the sentence says it cannot be, and why.

The indicators are those of the registry present in the results, in catalogue order (a
family added later joins with no change here); breakdowns are left to their tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dvpi.indicators import coverage, registry
from dvpi.indicators.model import Indicator
from dvpi.stats import display, funnel, significance
from dvpi.stats.status import rag_from_target

# How many changes the opening names; the rest are counted in one sentence.
CHANGES_SHOWN = 6

# --- the templates: every sentence is one of these ----------------------------------------
RELATIVE = ("{title} {rose_fell} by {relative} to {this} in {period}, from {last} in "
            "{last_period}: {verdict}.")
LEVELS = ("{title} {rose_fell} from {last} in {last_period} to {this} in {period}"
          "{difference}: {verdict}.")
UNCHANGED = "{title} was {this} in {period}, the same as in {last_period}: {verdict}."
NOT_COMPARABLE = "{titles} cannot be compared with {last_period}: {reason}."
TARGET = "{title} was {actual} against a target of {direction}{target}: {outcome}."
AGAINST_FORCE = ("{title} in {scope} was {this}, {band} the force's {force} "
                 "({level} funnel limits).")
SUMMARY = ("Of {compared} figure{s} compared with {last_period}, {significant} changed "
           "significantly and {unchanged} showed no significant change{incomplete}.")
SUMMARY_INCOMPLETE = "; {n} could not be compared because their inputs are incomplete"
MORE = ("A further {n} figure{s} changed significantly; the tables below give every "
        "figure.")
IN_LINE = "{n} of {m} rates were in line with the force (within its 95% funnel limits)."
SIGNIFICANT = "a statistically significant {direction}"
NOT_SIGNIFICANT = "no significant change"
TESTS_NOTE = ("Significance at the 95% level: two-proportion z-test for rates, exact "
              "Poisson (conditional binomial) test for counts, with each period's length "
              "as its exposure.")


@dataclass(frozen=True)
class Finding:
    kind: str  # "change", "not_comparable", "target", "against_force", "summary"
    sentence: str
    indicator: str | None = None
    significant: bool | None = None
    direction: str | None = None  # "up", "down", "same"
    size: float = 0.0  # for ordering changes: the relative size of the change
    p_value: float | None = None


@dataclass
class Findings:
    summary: list[Finding] = field(default_factory=list)
    changes: list[Finding] = field(default_factory=list)  # those shown
    targets: list[Finding] = field(default_factory=list)
    against_force: list[Finding] = field(default_factory=list)
    not_comparable: list[Finding] = field(default_factory=list)
    note: str = TESTS_NOTE

    def sentences(self) -> list[str]:
        return [f.sentence for f in (*self.summary, *self.changes, *self.targets,
                                     *self.against_force, *self.not_comparable)]


def _days(result: dict) -> int:
    p = result["period"]
    return (dt.date.fromisoformat(p["end"]) - dt.date.fromisoformat(p["start"])).days + 1


def comparable(ind: Indicator) -> bool:
    """A single figure of this period (not a breakdown, not itself a comparison with the
    period before)."""
    if ind.unit == "breakdown":
        return False
    ids = (ind.id, *ind.refs)
    return not any(coverage.LOOKBACKS.get(i) is coverage.PERIOD_BEFORE for i in ids)


def _hidden(entry: dict) -> bool:
    return bool(entry.get("suppressed"))


def test_change(ind: Indicator, this: dict, last: dict, days: tuple[int, int]
                ) -> significance.Test | None:
    """The test of this period against the last for one figure (None: nothing to test)."""
    if ind.unit == "count":
        a, b = this.get("value"), last.get("value")
        if a is None or b is None or a < 0 or b < 0:
            return None
        return significance.poisson_counts(int(a), int(b), days[0], days[1])
    x1, n1 = this.get("numerator"), this.get("denominator")
    x2, n2 = last.get("numerator"), last.get("denominator")
    if None in (x1, n1, x2, n2) or min(x1, n1, x2, n2) < 0:
        return None
    if ind.unit == "rate" and x1 <= n1 and x2 <= n2:
        return significance.two_proportions(int(x1), int(n1), int(x2), int(n2))
    # A ratio or per-N figure: events over an exposure (its denominator).
    if n1 == 0 or n2 == 0:
        return None
    return significance.poisson_counts(int(x1), int(x2), n1, n2)


def _change(ind: Indicator, this: dict, last: dict, period: str, last_period: str,
            days: tuple[int, int]) -> Finding | None:
    a, b = this.get("value"), last.get("value")
    if a is None or b is None or _hidden(this) or _hidden(last):
        return None
    test = test_change(ind, this, last, days)
    if test is None:
        return None
    direction = "up" if a > b else "down" if a < b else "same"
    verdict = (SIGNIFICANT.format(direction="increase" if direction == "up" else "decrease")
               if test.significant and direction != "same" else NOT_SIGNIFICANT)
    shown = {"title": ind.title, "this": display.number(a, ind.display),
             "last": display.number(b, ind.display), "period": period,
             "last_period": last_period, "verdict": verdict,
             "rose_fell": "rose" if direction == "up" else "fell"}
    if direction == "same":
        sentence = UNCHANGED.format(**shown)
        size = 0.0
    elif ind.display.kind == "count" and b:
        size = (a - b) / b
        sentence = RELATIVE.format(**shown, relative=f"{abs(100 * size):.1f}%")
    else:
        size = (a - b) / b if b else float("inf")
        sentence = LEVELS.format(**shown, difference=_difference(ind, a, b))
    return Finding("change", sentence, ind.id, test.significant and direction != "same",
                   direction, abs(size), test.p_value)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _difference(ind: Indicator, a: float, b: float) -> str:
    if ind.display.kind == "percent":
        return f" ({abs(100 * (a - b)):.{ind.display.places}f} percentage points)"
    return ""


def _target(ind: Indicator, t: dict) -> Finding | None:
    if t.get("suppressed") or t.get("actual") is None:
        return None
    status = rag_from_target(t)
    direction = t.get("direction") or ""
    outcome = "met" if t.get("met") else f"not met ({status})" if status else "not met"
    return Finding("target", TARGET.format(
        title=ind.title, actual=display.number(t["actual"], ind.display),
        direction={"at_least": "at least ", "at_most": "at most "}.get(direction, ""),
        target=display.number(t["target"], ind.display), outcome=outcome), ind.id)


def _against_force(ind: Indicator, entry: dict, force_entry: dict, scope: str
                   ) -> Finding | None:
    if ind.unit != "rate" or ind.display.kind != "percent" or _hidden(entry):
        return None
    num, den, p0 = entry.get("numerator"), entry.get("denominator"), force_entry.get("value")
    if num is None or not den or p0 is None or not 0 <= num <= den:
        return None
    band = funnel.band(num / den, p0, den)
    words = {"above_998": ("significantly above", "outside its 99.8%"),
             "above_95": ("significantly above", "outside its 95%"),
             "below_998": ("significantly below", "outside its 99.8%"),
             "below_95": ("significantly below", "outside its 95%")}
    if band == "within":
        return Finding("against_force", "", ind.id, False, "same")
    text, level = words[band]
    return Finding("against_force", AGAINST_FORCE.format(
        title=ind.title, scope=scope, this=display.number(num / den, ind.display),
        band=text, force=display.number(p0, ind.display), level=level), ind.id, True,
        "up" if band.startswith("above") else "down")


def key_findings(this: dict, last: dict, *, period: str, last_period: str,
                 force: dict | None = None, shown: int = CHANGES_SHOWN) -> Findings:
    """The opening of a publication for one scope: ``this`` and ``last`` are engine
    results (after disclosure control, with coverage), ``force`` the force's result of
    the same period when ``this`` is a borough's."""
    out = Findings()
    days = (_days(this), _days(last))
    changes: list[Finding] = []
    incomplete: dict[str, list[Indicator]] = {}
    compared = 0
    for ind in registry.INDICATORS:
        entry, before = this["indicators"].get(ind.id), last["indicators"].get(ind.id)
        if not entry or not before or not comparable(ind):
            continue
        if entry.get("unavailable") or before.get("unavailable"):
            continue
        why = coverage.incomplete(entry) or coverage.incomplete(before)
        if why:
            # Grouped by the root reason ("from `x`: ..." names the figure it comes from).
            root = why.split("`: ", 1)[1] if why.startswith("from `") else why
            incomplete.setdefault(root, []).append(ind)
            continue
        found = _change(ind, entry, before, period, last_period, days)
        if found is not None:
            compared += 1
            changes.append(found)
    for reason, inds in incomplete.items():
        out.not_comparable.append(Finding("not_comparable", NOT_COMPARABLE.format(
            titles=_and([i.title for i in inds]), last_period=last_period, reason=reason),
            inds[0].id))
    significant = sorted((c for c in changes if c.significant),
                         key=lambda c: (-c.size, c.p_value or 0.0))
    out.changes = significant[:shown]
    n_incomplete = sum(len(v) for v in incomplete.values())
    out.summary.append(Finding("summary", SUMMARY.format(
        compared=compared, s="" if compared == 1 else "s", last_period=last_period,
        significant=len(significant),
        unchanged=compared - len(significant),
        incomplete=SUMMARY_INCOMPLETE.format(n=n_incomplete) if n_incomplete else "")))
    if len(significant) > shown:
        n = len(significant) - shown
        out.changes.append(Finding("summary", MORE.format(n=n, s="" if n == 1 else "s")))
    for ind_id, t in this.get("targets", {}).items():
        ind = registry.by_id.get(ind_id)
        found = _target(ind, t) if ind else None
        if found is not None:
            out.targets.append(found)
    if force is not None:
        rates = []
        for ind in registry.INDICATORS:
            entry, f = this["indicators"].get(ind.id), force["indicators"].get(ind.id)
            if (not entry or not f or not comparable(ind) or entry.get("unavailable")
                    or coverage.incomplete(entry)):
                continue
            found = _against_force(ind, entry, f, this.get("scope", ""))
            if found is not None:
                rates.append(found)
        out.against_force = [r for r in rates if r.significant]
        if rates:
            out.against_force.append(Finding("summary", IN_LINE.format(
                n=sum(not r.significant for r in rates), m=len(rates))))
    return out
