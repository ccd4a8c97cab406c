"""Protective orders and disclosures (version 2): protective notices and orders
(DVPN/DVPO, DAPN/DAPO, ...) and the Domestic Violence Disclosure Scheme (Clare's Law)."""

from __future__ import annotations

from dvpi.contract import codes
from dvpi.indicators.measures import breakdown, count, day_counts, days_between
from dvpi.indicators.model import Family, Identity, Indicator, Ref

FAMILY = Family(
    "protective", "Protective orders and disclosures",
    "Protective orders by `applied_date`, disclosure requests by `received_date` (or, for "
    "times to a decision, by `decision_date`), each scoped by its own borough.",
)

ORDER_NEEDS = ("protective_orders",)
DVDS_NEEDS = ("disclosures",)
ORDER_KEYS: tuple[str, ...] = tuple(codes.PROTECTIVE_ORDER_TYPES)
ROUTE_KEYS: tuple[str, ...] = tuple(codes.DVDS_ROUTES)
DECIDED: tuple[str, ...] = tuple(d for d in codes.DVDS_DECISIONS if d != codes.DVDS_WITHDRAWN)


def orders(ctx):
    return ctx.dated(ctx.raw("protective_orders"), "applied_date")


def _granted(ctx):
    o = orders(ctx)
    return o.filter(o.outcome == codes.GRANTED)


def _by_type(ctx):
    o = orders(ctx)
    return breakdown(o, o.order_type)


def _decided_orders(ctx):
    o = orders(ctx)
    return count(o.filter(o.outcome.isin(codes.PROTECTIVE_ORDER_DECISIONS)))


def _breached(ctx):
    o = _granted(ctx)
    return count(o.filter(o.first_breach_date.notnull()))


def requests(ctx):
    return ctx.dated(ctx.raw("disclosures"), "received_date")


def _by_route(ctx):
    r = requests(ctx)
    return breakdown(r, r.route)


def _route_decided(route: str, disclosed_only: bool):
    def measure(ctx):
        r = requests(ctx)
        r = r.filter((r.route == route) & r.decision.isin(DECIDED))
        if disclosed_only:
            r = r.filter(r.decision == codes.DISCLOSED)
        return count(r)

    return measure


def decisions(ctx):
    """Requests decided in the period (by `decision_date`), withdrawn ones left out, with
    their days."""
    d = ctx.raw("disclosures")
    d = d.filter(d.decision.isin(DECIDED))
    d = ctx.dated(d, "decision_date")
    return d.mutate(days=days_between(d.decision_date, d.received_date))


def _decision_days(ctx):
    d = decisions(ctx)
    return day_counts(d, d.days)


def _within_28_days(ctx):
    d = decisions(ctx)
    return count(d.filter((d.days <= codes.DVDS_DECISION_DAYS).fill_null(False)))


def _route_rate(route: str) -> Indicator:
    return Indicator(
        f"dvds_disclosure_rate_{route}", "protective",
        f"Disclosure rate, {codes.DVDS_ROUTES[route].lower()}",
        f"Of the `{route}` requests received in the period and decided (`disclosed` or "
        "`not_disclosed`), the share disclosed.",
        "rate", DVDS_NEEDS, numerator=_route_decided(route, True),
        denominator=_route_decided(route, False), rules=("29",), version=2,
    )


INDICATORS = (
    Indicator(
        "protective_orders_applied", "protective", "Protective notices and orders",
        "Protective notices issued and orders applied for in the period (`applied_date`), by "
        "`order_type`.",
        "breakdown", ORDER_NEEDS, values=_by_type, keys=ORDER_KEYS, rules=("29",), version=2,
        key_labels=tuple(codes.PROTECTIVE_ORDER_TYPES.items()),
    ),
    Indicator(
        "protective_orders_granted_rate", "protective", "Protective orders granted",
        "Of `protective_orders_applied`, those decided (`granted` or `refused`; `withdrawn` "
        "and blank are not decisions): the share granted.",
        "rate", ORDER_NEEDS, numerator=lambda ctx: count(_granted(ctx)),
        denominator=_decided_orders, rules=("29",), version=2,
    ),
    Indicator(
        "protective_orders_breached_rate", "protective", "Protective orders breached",
        "Of `protective_orders_applied` that were granted, the share with a "
        "`first_breach_date`.",
        "rate", ORDER_NEEDS, numerator=_breached,
        denominator=lambda ctx: count(_granted(ctx)), rules=("29",), version=2,
        identities=(Identity(("protective_orders_granted_rate.numerator",),
                             field="denominator"),),
    ),
    Indicator(
        "dvds_applications", "protective", "Disclosure scheme applications",
        "Disclosure requests received in the period (`received_date`), by `route`.",
        "breakdown", DVDS_NEEDS, values=_by_route, keys=ROUTE_KEYS, rules=("29",), version=2,
        key_labels=tuple(codes.DVDS_ROUTES.items()),
    ),
    *(_route_rate(route) for route in ROUTE_KEYS),
    Indicator(
        "dvds_days_to_decision", "protective", "Days to a disclosure decision",
        "Median of `decision_date - received_date` over requests whose `decision_date` is in "
        "the period, `withdrawn` left out.",
        "median", DVDS_NEEDS, values=_decision_days, rules=("29", "31"), version=2,
    ),
    Indicator(
        "dvds_decided_within_28_days_rate", "protective", "Disclosure decisions within 28 days",
        "Of the requests of `dvds_days_to_decision`, the share taking 28 days or fewer (the "
        "statutory guidance's limit).",
        "rate", DVDS_NEEDS, numerator=_within_28_days, denominator=Ref("dvds_days_to_decision"),
        rules=("29", "31"), version=2,
    ),
)
