"""Errors that stop a load. Row-level problems never raise: they are quarantined."""


class LoadError(Exception):
    """A file cannot be read or lacks a required column: the load changes nothing."""
