"""dvpi: domestic-violence performance information.

A force exports its records in the interchange format; dvpi loads them into an
embedded warehouse, resolves the people in them, computes the indicator catalogue
and publishes it. The command line (``dvpi``) and the dashboard are thin layers over
this library.
"""

__version__ = "0.1.0"
