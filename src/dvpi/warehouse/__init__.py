"""The warehouse: an embedded DuckDB file (default) or Spark tables.

This package is the only place that knows how a warehouse is opened; everything
else asks it for a connection.
"""

from dvpi.warehouse.duckdb import (
    DEFAULT_WAREHOUSE,
    WarehouseError,
    connect,
    has_table,
    table_names,
    warehouse_version,
)

__all__ = [
    "DEFAULT_WAREHOUSE",
    "WarehouseError",
    "connect",
    "has_table",
    "table_names",
    "warehouse_version",
]
