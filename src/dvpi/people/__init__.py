"""Person resolution: which people rows are the same real person.

An explicit step between loading and computing. Every method writes the same table,
``person_links(person_id, person_key, method)``: one row per people row, equal
``person_key`` meaning the same person. The indicator engine only reads the links of
the method asked for and never knows how the keys were made.

Methods register here, the same way: ``exact`` (precise rule 16), ``linked`` (Splink)
and any a caller adds (the tests' ``truth``, from synthetic ground truth).
:func:`ready` is the one policy every entry point uses to make sure the links it
needs exist before it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Method:
    """A person-resolution method.

    ``resolve(con, **options)`` (re)computes and stores its links; None for a method
    whose links are stored by other means (ground truth). ``slow`` methods are never run
    inside a dashboard request.
    """

    name: str
    description: str
    resolve: Resolver | None = None
    slow: bool = False


def _resolve_exact(con: duckdb.DuckDBPyConnection, **options) -> None:
    from dvpi.people.exact import resolve_exact

    resolve_exact(con, **options)


def _resolve_linked(con: duckdb.DuckDBPyConnection, **options) -> None:
    # Imported on use: Splink is a heavy import the exact method never needs.
    from dvpi.people.linked import resolve_linked

    resolve_linked(con, **options)


_METHODS: dict[str, Method] = {}


def register(method: Method) -> None:
    """Add (or replace) a method."""
    _METHODS[method.name] = method


def unregister(name: str) -> None:
    if name in BUILT_IN_METHODS:
        raise ValueError(f"{name!r} is built in")
    _METHODS.pop(name, None)


register(Method("exact", "precise rule 16: nominal id, else exact name and date of birth",
                _resolve_exact))
register(Method("linked", "probabilistic linkage (Splink)", _resolve_linked, slow=True))

BUILT_IN_METHODS: tuple[str, ...] = ("exact", "linked")
# The method every distinct-person figure uses unless told otherwise: probabilistic
# linkage (issue 5). ``exact`` (precise rule 16) stays available with ``--people exact``.
DEFAULT_METHOD = "linked"
# What a reader that cannot wait for the default uses when its links are stale.
FALLBACK_METHOD = "exact"


def method_names() -> tuple[str, ...]:
    return tuple(_METHODS)


def get_method(name: str) -> Method:
    """The method called ``name``; ValueError naming the known ones otherwise."""
    if name not in _METHODS:
        raise ValueError(
            f"unknown person-resolution method {name!r} (known: {', '.join(_METHODS)})"
        )
    return _METHODS[name]


def resolve(con: duckdb.DuckDBPyConnection, method: str = DEFAULT_METHOD, **options) -> None:
    """(Re)compute and store the person_links rows of ``method``."""
    chosen = get_method(method)
    if chosen.resolve is None:
        raise ValueError(f"method {method!r} cannot be computed: its links are stored "
                         "by the caller (store_links)")
    chosen.resolve(con, **options)


def _has_people(con: duckdb.DuckDBPyConnection) -> bool:
    from dvpi.warehouse import has_table

    return has_table(con, "people")


def ready(con: duckdb.DuckDBPyConnection, method: str | None = None, *,
            allow_slow: bool = True, **options) -> str:
    """Make sure the links of the method figures will use exist and are from the latest
    load; return that method's name.

    ``method`` None means the default. A method whose links are current is used as it
    is; a method stored by other means (ground truth) is taken as stored. Otherwise its
    links are computed — unless it is slow and ``allow_slow`` is false (a dashboard
    request), when the fallback method is computed and used instead, and the figures
    say so (each distinct-person figure carries its method).
    """
    name = method or DEFAULT_METHOD
    chosen = get_method(name)
    if not _has_people(con) or is_current(con, name):
        return name
    if chosen.resolve is None:
        if name in links_methods(con):
            return name  # stored by hand (tests, ground truth): taken as it is
        raise ValueError(f"no person links stored for method {name!r}")
    if chosen.slow and not allow_slow and name != FALLBACK_METHOD:
        return ready(con, FALLBACK_METHOD, allow_slow=False)
    resolve(con, name, **options)
    return name


__all__ = [
    "BUILT_IN_METHODS",
    "DEFAULT_METHOD",
    "FALLBACK_METHOD",
    "LINKS_TABLE",
    "META_TABLE",
    "Method",
    "current_load_id",
    "get_method",
    "is_current",
    "links_methods",
    "method_names",
    "ready",
    "register",
    "resolve",
    "store_links",
    "unregister",
]
