"""The interchange format (version 2) as data: tables, columns, code lists, age bands."""

from dvpi.contract import codes
from dvpi.contract.tables import (
    LINEAGE_COLUMNS,
    TABLES,
    VERSION_1_TABLES,
    Column,
    Reference,
    RowRule,
    Table,
)

FORMAT_VERSION = 2

__all__ = ["FORMAT_VERSION", "LINEAGE_COLUMNS", "TABLES", "VERSION_1_TABLES", "Column",
           "Reference", "RowRule", "Table", "codes"]
