"""The indicator engine: every indicator of the catalogue, declared once.

>>> from dvpi.indicators import compute
>>> compute("dvpi.duckdb", date(2007, 4, 1), date(2008, 3, 31))  # doctest: +SKIP
"""

from dvpi.indicators import registry
from dvpi.indicators.engine import compute, compute_by_borough, compute_series
from dvpi.indicators.periods import PeriodError, financial_year

__all__ = [
    "PeriodError",
    "compute",
    "compute_by_borough",
    "compute_series",
    "financial_year",
    "registry",
]
