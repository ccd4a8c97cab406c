"""Publishing: the board report, the weekly borough packs, and the statistics they share.

Small modules with plain-data interfaces, so the dashboard can reuse them:

- :mod:`dvpi.publish.disclosure` — statistical disclosure control over engine results;
- :mod:`dvpi.publish.funnel` — funnel-plot control limits and league tables;
- :mod:`dvpi.publish.equality` — rates per 1,000 residents, relative rate indices;
- :mod:`dvpi.publish.status` — red/amber/green against a target;
- :mod:`dvpi.publish.charts` — inline SVG charts;
- :mod:`dvpi.publish.format` — how a figure reads;
- :mod:`dvpi.publish.report` and :mod:`dvpi.publish.pack` — the two products.
"""
