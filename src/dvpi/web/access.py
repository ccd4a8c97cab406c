"""Who sees what: the one place the dashboard's access rules are written.

- ``admin`` and ``force_analyst`` see everything: every scope, every worklist.
- ``borough_user`` sees only their own borough: its pages, its worklists and dip
  samples, its indicators through the API. Not the force pages or other boroughs.
- ``partner`` sees published aggregates only, after the disclosure control of
  ``--audience public``: no worklist, no record, no dip sample.

Every route states one of the rules below; the access-matrix test checks each route
against each role and borough.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import quote

from dvpi.web.users import ADMIN, BOROUGH_USER, FORCE_ANALYST, PARTNER, User


class Rule(Enum):
    PUBLIC = "public"                  # no login (login page, static files)
    ANY_USER = "any_user"              # any logged-in user (methodology, home)
    FORCE_AGGREGATES = "force_aggregates"      # force-wide figures
    BOROUGH_AGGREGATES = "borough_aggregates"  # one borough's figures
    BOROUGH_RECORDS = "borough_records"        # one borough's record-level lists
    FORCE_RECORDS = "force_records"            # force-wide record-level lists
    ADMIN_ONLY = "admin_only"


def same_borough(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().lower() == b.strip().lower()


def allowed(user: User | None, rule: Rule, borough: str | None = None) -> bool:
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
    if rule is Rule.FORCE_AGGREGATES:
        return role == PARTNER
    if rule is Rule.BOROUGH_AGGREGATES:
        return role == PARTNER or (role == BOROUGH_USER and same_borough(user.borough, borough))
    if rule is Rule.BOROUGH_RECORDS:
        return role == BOROUGH_USER and same_borough(user.borough, borough)
    return False  # FORCE_RECORDS: admin and force analysts only


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
    return "/overview"
