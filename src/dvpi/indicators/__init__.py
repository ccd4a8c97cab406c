"""The indicator engine: every indicator of the catalogue, declared once.

It receives an opened backend (:mod:`dvpi.warehouse`) whose person links are already
resolved (:func:`dvpi.people.ready`), and only reads:

>>> from dvpi import people, warehouse
>>> from dvpi.indicators import TABLES_READ, compute
>>> with warehouse.open_warehouse("dvpi.duckdb") as wh:  # doctest: +SKIP
...     method = people.ready(wh.con)
...     with wh.backend("duckdb", TABLES_READ) as backend:
...         compute(backend, date(2007, 4, 1), date(2008, 3, 31), people=method)
"""

from dvpi.indicators import registry
from dvpi.indicators.engine import (
    TABLES_READ,
    boroughs_in,
    compute,
    compute_by_borough,
    compute_by_force,
    compute_series,
    forces_in,
    scopes_for,
)
from dvpi.indicators.periods import PeriodError, financial_year

__all__ = [
    "TABLES_READ",
    "PeriodError",
    "boroughs_in",
    "compute",
    "compute_by_borough",
    "compute_by_force",
    "compute_series",
    "financial_year",
    "forces_in",
    "registry",
    "scopes_for",
]
