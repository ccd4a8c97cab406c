"""The statistics every output shares: the CLI, the report, the pack and the dashboard.

Plain functions over engine result dicts and registry declarations (no output of its own):

- :mod:`dvpi.stats.display` — how a figure reads, from the display declared on its indicator;
- :mod:`dvpi.stats.disclosure` — statistical disclosure control over engine results;
- :mod:`dvpi.stats.funnel` — funnel-plot control limits and league tables;
- :mod:`dvpi.stats.equality` — rates per 1,000 residents, relative rate indices;
- :mod:`dvpi.stats.status` — red/amber/green against a target.
"""
