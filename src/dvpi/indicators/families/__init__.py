"""One module per indicator family; each declares ``FAMILY`` and ``INDICATORS``."""
