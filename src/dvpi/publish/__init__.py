"""Publishing: the outputs only — the board report and the weekly borough packs.

The statistics they share with the CLI and the dashboard (figure formatting, disclosure
control, funnel limits, equality rates, red/amber/green) live in :mod:`dvpi.stats`.

- :mod:`dvpi.publish.charts` — inline SVG charts;
- :mod:`dvpi.publish.report` and :mod:`dvpi.publish.pack` — the two products.
"""
