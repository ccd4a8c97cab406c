"""``dvpi check --html``: the check of an export as one self-contained HTML page.

Every value from the export (file names, values, reasons) is escaped by the template
engine; the page loads nothing from elsewhere (its style is inline) and reads in a
screen reader as it does on screen (headings, table captions, header cells).
"""

from __future__ import annotations

import datetime as dt

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dvpi.ingest.check import CheckReport

_env = Environment(
    loader=PackageLoader("dvpi.ingest", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
NEWLINE_NAMES = {"lf": "LF", "crlf": "CRLF", "cr": "CR", "mixed": "mixed"}


def render_check_page(report: CheckReport, now: dt.datetime | None = None) -> str:
    """The page, as text."""
    load = report.load
    files = []
    if load is not None:
        for f in load.files:
            files.append({
                "table": f.table, "file": f.file, "format": f.format,
                "encoding": ENCODING_NAMES.get(f.encoding or "", f.encoding or "—"),
                "delimiter": DELIMITER_NAMES.get(f.delimiter or "", f.delimiter or "—"),
                "newlines": NEWLINE_NAMES.get(f.newlines or "", f.newlines or "—"),
                "rows": f.rows,
                "reasons": [g for g in report.by_file
                            if g.table == f.table and g.file == f.file],
                "unmapped": [u for u in load.unmapped if u.file == f.file
                             and u.table == f.table],
            })
    return _env.get_template("check.html.j2").render(
        report=report, load=load, files=files,
        written=(now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
    )
