"""Small building blocks for measures: counts per cell, distinct counts, breakdowns."""

from __future__ import annotations

import ibis.expr.types as ir

from dvpi.contract import codes
from dvpi.indicators.context import band


def count(t: ir.Table) -> ir.Table:
    """Rows per cell."""
    return t.group_by("cell").agg(n=t.count())


def count_distinct(t: ir.Table, column: str) -> ir.Table:
    """Distinct values of ``column`` per cell."""
    return t.group_by("cell").agg(n=t[column].nunique())


def breakdown(t: ir.Table, key: ir.Value) -> ir.Table:
    """Rows per cell and key."""
    t = t.mutate(key=key.cast("string"))
    return t.group_by(["cell", "key"]).agg(n=t.count())


def total(t: ir.Table, value: ir.NumericValue) -> ir.Table:
    """The sum of ``value`` per cell (a blank counts 0)."""
    t = t.mutate(_value=value.fill_null(0))
    return t.group_by("cell").agg(n=t._value.sum().cast("int64"))


def days_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    """Whole days from ``earlier`` to ``later`` (``later - earlier``); NULL when either
    is blank (precise rule 31)."""
    return later.delta(earlier, unit="day").cast("int64")


def day_counts(t: ir.Table, days: ir.IntegerValue) -> ir.Table:
    """A median's distribution: rows per cell and whole number of days (rows whose days
    are blank left out, precise rule 31). The median is taken from it in Python
    (``summaries.median_of_counts``): exact on every engine."""
    t = t.mutate(key=days.cast("string"))
    t = t.filter(t.key.notnull())
    return t.group_by(["cell", "key"]).agg(n=t.count())


def over_days(t: ir.Table, days: ir.IntegerValue, limit: int) -> ir.Table:
    """Rows per cell whose days are strictly more than ``limit`` (a share over N days)."""
    return count(t.filter((days > limit).fill_null(False)))


# Keys of the standard person breakdowns, and how a people row is keyed (rule 12).
GENDER_KEYS: tuple[str, ...] = tuple(codes.GENDERS)
ETHNIC_KEYS: tuple[str, ...] = tuple(codes.ETHNIC_APPEARANCES)
AGE_GROUP_KEYS: tuple[str, ...] = codes.band_labels(codes.AGE_GROUPS)


def gender_key(t: ir.Table) -> ir.Value:
    return t.gender.fill_null(codes.GENDER_DEFAULT)


def ethnic_key(t: ir.Table) -> ir.Value:
    e = t.ethnic_appearance.fill_null(codes.ETHNIC_APPEARANCE_DEFAULT)
    for alias, code in codes.ETHNIC_APPEARANCE_ALIASES.items():
        e = (e == alias).ifelse(code, e)
    return e


def age_group_key(t: ir.Table) -> ir.Value:
    return band(t.age_years, codes.AGE_GROUPS)


def person_breakdowns(prefix: str, rows, family: str, label: str, who: str,
                      needs: tuple[str, ...],
                      age_bands: tuple[codes.Band, ...] = codes.AGE_GROUPS,
                      age_suffix: str = "age_group", person_based: bool = False,
                      rules: tuple[str, ...] = ()):
    """The gender / ethnic appearance / age breakdowns of a set of people rows."""
    from dvpi.indicators.model import Identity, Indicator

    def by(key_of):
        def measure(ctx):
            t = rows(ctx)
            return breakdown(t, key_of(t))

        return measure

    age_words = "age group" if age_suffix == "age_group" else "age band"
    return (
        Indicator(
            f"{prefix}_by_gender", family, f"{label} by gender",
            f"{who.capitalize()}, by gender (a blank gender is U).", "breakdown", needs,
            values=by(gender_key), keys=GENDER_KEYS, person_based=person_based, rules=rules,
            # the same people split three ways: every split has the same total
            identities=(Identity((f"{prefix}_by_ethnic_appearance",)),
                        Identity((f"{prefix}_by_{age_suffix}",))),
        ),
        Indicator(
            f"{prefix}_by_ethnic_appearance", family,
            f"{label} by ethnic appearance",
            f"{who.capitalize()}, by officer-perceived ethnic appearance (blank or IC9 is IC0).",
            "breakdown", needs, values=by(ethnic_key), keys=ETHNIC_KEYS,
            person_based=person_based, rules=rules,
        ),
        Indicator(
            f"{prefix}_by_{age_suffix}", family, f"{label} by {age_words}",
            f"{who.capitalize()}, by {age_words} of their age at the incident date "
            f"({', '.join(codes.band_labels(age_bands))}).",
            "breakdown", needs,
            values=by(lambda t: band(t.age_years, age_bands)),
            keys=codes.band_labels(age_bands), person_based=person_based, rules=rules,
        ),
    )
