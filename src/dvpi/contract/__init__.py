"""The interchange format (version 1) as data: tables, columns, code lists, age bands."""

from dvpi.contract import codes
from dvpi.contract.tables import LINEAGE_COLUMNS, TABLES, Column, Reference, Table

FORMAT_VERSION = 1

__all__ = ["FORMAT_VERSION", "LINEAGE_COLUMNS", "TABLES", "Column", "Reference", "Table", "codes"]
