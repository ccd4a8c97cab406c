"""Ingest: read a force's export, validate it in the engine, quarantine, load, record."""

from dvpi.ingest.errors import LoadError
from dvpi.ingest.load import (
    LoadResult,
    TableCounts,
    export_quarantine,
    list_loads,
    load_dataset,
)

__all__ = [
    "LoadError",
    "LoadResult",
    "TableCounts",
    "export_quarantine",
    "list_loads",
    "load_dataset",
]
