"""Who sees what: the one place the dashboard's access rules are written.

- ``admin`` and ``force_analyst`` see everything: every scope, every worklist.
- ``borough_user`` sees only their own borough: its pages, its worklists and dip
  samples, its indicators through the API. Not the force pages or other boroughs.
- ``partner`` sees published aggregates only, after the disclosure control of
  ``--audience public``: no worklist, no record, no dip sample.
- ``force_user`` (a warehouse of several forces) sees their own force: its page and
  worklists, its boroughs' pages, worklists and dip samples, and the API for the force and its
  boroughs; and the nation's headline figures (an aggregate of every force: the
  figure a force sets itself beside). Never another force, its boroughs or its rows;
  comparisons across boroughs are cut down to their force's (:func:`force_filter`).
  When the data does not hold their force (one force, or another data set loaded
  since) they see nothing.

Every route states one of the rules below; the access-matrix test checks each route
against each role and borough (``tests/test_web_forces.py``: each force user route
against their own and another force).
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol
from urllib.parse import quote

from dvpi.web.users import ADMIN, BOROUGH_USER, FORCE_ANALYST, FORCE_USER, PARTNER, User


class Rule(Enum):
    PUBLIC = "public"                  # no login (login page, static files)
    ANY_USER = "any_user"              # any logged-in user (methodology, home)
    FORCE_AGGREGATES = "force_aggregates"      # the whole data set's figures (the
    #                                            force; the nation over several forces)
    BOROUGH_COMPARISONS = "borough_comparisons"  # every borough side by side
    ONE_FORCE_AGGREGATES = "one_force_aggregates"  # one force of several (named)
    BOROUGH_AGGREGATES = "borough_aggregates"  # one borough's figures
    BOROUGH_RECORDS = "borough_records"        # one borough's record-level lists
    FORCE_RECORDS = "force_records"            # the whole data set's record-level lists
    ONE_FORCE_RECORDS = "one_force_records"    # one force's of several (named)
    ADMIN_ONLY = "admin_only"


def same_borough(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().lower() == b.strip().lower()


class Forces(Protocol):
    """What the rules need to know of the data (``web.data.Snapshot``): a force's name
    as the data spells it, and the force a borough belongs to."""

    def force_named(self, name: str) -> str | None: ...

    def force_of(self, borough: str) -> str | None: ...


def allowed(user: User | None, rule: Rule, borough: str | None = None,
            data: Forces | None = None) -> bool:
    """Whether ``user`` may use a route of ``rule`` about ``borough`` (the scope's name:
    a borough; a force for ``ONE_FORCE_AGGREGATES``, and for the API's borough
    parameter, which may name a force). ``data``: the warehouse's forces, which a force
    user's rules need (without it a force user is refused)."""
    if rule is Rule.PUBLIC:
        return True
    if user is None:
        return False
    role = user.role
    if rule is Rule.ANY_USER:
        return True
    if rule is Rule.ADMIN_ONLY:
        return role == ADMIN
    if role in (ADMIN, FORCE_ANALYST):
        return True
    if role == FORCE_USER:
        return _force_user_may(user, rule, borough, data)
    if rule in (Rule.FORCE_AGGREGATES, Rule.BOROUGH_COMPARISONS, Rule.ONE_FORCE_AGGREGATES):
        return role == PARTNER
    if rule is Rule.BOROUGH_AGGREGATES:
        return role == PARTNER or (role == BOROUGH_USER and same_borough(user.borough, borough))
    if rule is Rule.BOROUGH_RECORDS:
        return role == BOROUGH_USER and same_borough(user.borough, borough)
    return False  # FORCE_RECORDS, ONE_FORCE_RECORDS: admin and force analysts only


def own_force(user: User, data: Forces | None) -> str | None:
    """A force user's force as the data spells it; None for any other role, or when the
    data does not hold it (one force, or another data set loaded since)."""
    if user.role != FORCE_USER or not user.force or data is None:
        return None
    return data.force_named(user.force)


def _force_user_may(user: User, rule: Rule, name: str | None, data: Forces | None) -> bool:
    mine = own_force(user, data)
    if mine is None or data is None:
        return False  # fail closed: no force of theirs in this data, no data to ask
    if rule in (Rule.FORCE_AGGREGATES, Rule.BOROUGH_COMPARISONS):
        # The nation's figures; a comparison is cut down to their force (force_filter).
        return True
    if name is None:
        return False
    if rule is Rule.ONE_FORCE_AGGREGATES:
        return data.force_named(name) == mine
    if rule is Rule.BOROUGH_AGGREGATES:  # a borough of theirs, or (the API) the force
        return data.force_of(name) == mine or data.force_named(name) == mine
    if rule is Rule.BOROUGH_RECORDS:
        return data.force_of(name) == mine
    if rule is Rule.ONE_FORCE_RECORDS:
        return data.force_named(name) == mine
    return False  # FORCE_RECORDS (the whole data set's rows), ADMIN_ONLY


def force_filter(user: User, data: Forces | None) -> str | None:
    """The force a user's comparisons across boroughs (league table, funnel plots, the
    API's every-borough list) are cut down to: a force user's own; None: no cut."""
    return own_force(user, data)  # None for every other role


def sees_force(user: User, force: str, data: Forces | None) -> bool:
    """Whether a force's page is open to ``user`` (to list only those they may open)."""
    return allowed(user, Rule.ONE_FORCE_AGGREGATES, force, data)


def audience(user: User) -> str:
    """``public`` output (disclosure-controlled) for partners, else ``restricted``."""
    return "public" if user.role == PARTNER else "restricted"


# The audiences whose figures go through disclosure control (``stats.disclosure``): they
# are given the published period grid only (``params.published_only``) and never a
# scope that is not in the published set (404).
PROTECTED_AUDIENCES: frozenset[str] = frozenset({"public"})


def protected(user: User) -> bool:
    return audience(user) in PROTECTED_AUDIENCES


def home_for(user: User) -> str:
    if user.role == BOROUGH_USER and user.borough:
        # One path segment whatever the name holds ("/" included): see app.py.
        return f"/boroughs/{quote(user.borough, safe='')}"
    if user.role == FORCE_USER and user.force:
        return f"/forces/{quote(user.force, safe='')}"
    return "/overview"
