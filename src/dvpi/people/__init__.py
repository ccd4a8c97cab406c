"""Person resolution: which people rows are the same real person.

Every method writes the same table, ``person_links(person_id, person_key, method)``:
one row per people row, equal ``person_key`` meaning the same person. The indicator
engine counts distinct ``person_key`` for the method asked for and never knows how
the keys were made. Methods: ``exact`` (precise rule 16) and ``linked`` (Splink);
tests may add others (e.g. ``truth`` from synthetic ground truth) with
:func:`store_links`.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from dvpi.people.store import (
    LINKS_TABLE,
    META_TABLE,
    current_load_id,
    is_current,
    links_methods,
    store_links,
)

Resolver = Callable[..., None]


def _resolvers() -> dict[str, Resolver]:
    from dvpi.people.exact import resolve_exact

    resolvers: dict[str, Resolver] = {"exact": resolve_exact}
    try:  # the Splink method is optional at import time (heavy dependency)
        from dvpi.people.linked import resolve_linked
    except ImportError:
        pass
    else:
        resolvers["linked"] = resolve_linked
    return resolvers


BUILT_IN_METHODS = ("exact", "linked")
# The method every distinct-person figure uses unless told otherwise: probabilistic
# linkage (issue 5). ``exact`` (precise rule 16) stays available with ``--people exact``.
DEFAULT_METHOD = "linked"


def resolve(con: duckdb.DuckDBPyConnection, method: str = DEFAULT_METHOD, **options) -> None:
    """(Re)compute and store the person_links rows of ``method``."""
    resolvers = _resolvers()
    if method not in resolvers:
        raise ValueError(
            f"unknown person-resolution method {method!r}; built in: {', '.join(resolvers)}"
        )
    resolvers[method](con, **options)


def ensure(con: duckdb.DuckDBPyConnection, method: str = DEFAULT_METHOD, **options) -> None:
    """Make sure ``method``'s links exist and are from the latest load.

    A method that is not built in (e.g. ``truth``) must have been stored already.
    """
    if is_current(con, method):
        return
    if method not in BUILT_IN_METHODS:
        if method in links_methods(con):
            return  # stored by hand (tests, ground truth): taken as it is
        raise ValueError(f"no person links stored for method {method!r}")
    resolve(con, method, **options)


__all__ = [
    "BUILT_IN_METHODS",
    "DEFAULT_METHOD",
    "LINKS_TABLE",
    "META_TABLE",
    "current_load_id",
    "ensure",
    "is_current",
    "links_methods",
    "resolve",
    "store_links",
]
