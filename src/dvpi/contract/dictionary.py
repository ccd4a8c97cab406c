"""The data dictionary of docs/data-format.md, written from the contract's tables.

Everything between the markers below is generated: every table, column, code list,
default, key, reference and bad-row rule the loader applies. Regenerate with
``python -m dvpi.contract.dictionary`` (``--check`` exits 1 when the file is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dvpi import generated
from dvpi.contract.tables import TABLES, VERSION_1_TABLES, Column, Table

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-format.md"
START = "<!-- data dictionary: generated from src/dvpi/contract by " \
        "`python -m dvpi.contract.dictionary`; do not edit by hand -->"
END = "<!-- end of data dictionary -->"
MAX_CODES_SHOWN = 20


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _allowed(column: Column) -> str:
    if column.codes:
        shown = ", ".join(f"`{c}`" for c in column.codes[:MAX_CODES_SHOWN])
        more = len(column.codes) - MAX_CODES_SHOWN
        extra = f" (+{more} more)" if more > 0 else ""
        aliases = ", ".join(f"`{a}` read as `{c}`" for a, c in column.aliases.items())
        return shown + extra + (f"; {aliases}" if aliases else "")
    if column.min_value is not None or column.max_value is not None:
        low = "" if column.min_value is None else str(column.min_value)
        high = "" if column.max_value is None else str(column.max_value)
        return f"{low}..{high}"
    return ""


def _required(column: Column) -> str:
    if column.required:
        return "yes"
    if column.required_when:
        return f"when {column.required_when}"
    if column.required_if_given:
        return "when the file has the column"
    return "no"


def _default(column: Column) -> str:
    if column.default is None:
        return ""
    value = column.default
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _table(table: Table) -> list[str]:
    version = "version 1" if table.name in VERSION_1_TABLES else "version 2"
    status = "required" if table.required else "optional"
    lines = [f"### `{table.name}`", "",
             f"{table.meaning} {status.capitalize()}; {version} of the format.", ""]
    lines += ["| column | type | required | default | allowed | meaning |",
              "|---|---|---|---|---|---|"]
    for c in table.columns:
        lines.append(f"| `{c.name}` | {c.type} | {_cell(_required(c))} | {_default(c)} | "
                     f"{_cell(_allowed(c))} | {_cell(c.meaning)} |")
    lines.append("")
    if table.key:
        lines.append(f"- key: {', '.join(f'`{k}`' for k in table.key)} (a key given twice "
                     "in one load: every copy quarantined)")
    for ref in table.references:
        target = f"a `{ref.table}` row"
        if ref.target_role:
            target = f"a `{ref.table}` row of role `{ref.target_role}`"
        if ref.same_report:
            target += " in the same report"
        blank = " (may be blank)" if ref.optional else ""
        lines.append(f"- `{ref.column}` must name {target}{blank}")
    if table.hangs_off_report:
        lines.append("- hangs off its report: replaced and removed with it")
    if table.hangs_off_person:
        lines.append(f"- hangs off the report of its `{table.hangs_off_person}` row: replaced "
                     "and removed with that report, and in its borough")
    for rule in table.rules:
        lines.append(f"- bad row: `{rule.column}` {rule.reason} (`{rule.bad_when}`)")
    return [*lines, ""]


def render_section() -> str:
    out = [START, "", "## Data dictionary", "",
           "Every table the loader reads, in load order (a table's references point only at "
           "tables before it). Types: text, code (matched case-insensitively after "
           "trimming), date (`YYYY-MM-DD`), datetime, bool, integer, number. A blank "
           "optional cell reads as the column's default, where it has one.", ""]
    for table in TABLES.values():
        out += _table(table)
    out.append(END)
    return "\n".join(out)


def render(existing: str | None) -> str:
    """``existing`` with its dictionary section replaced (appended when it has none)."""
    existing = existing or ""
    section = render_section()
    if START in existing and END in existing:
        before = existing.split(START, 1)[0]
        after = existing.split(END, 1)[1]
        return before + section + after
    return existing.rstrip("\n") + "\n\n" + section + "\n"


def is_current(path: Path = DOC) -> bool:
    return generated.is_current(path, render)


def write(path: Path = DOC) -> bool:
    return generated.write(path, render)


if __name__ == "__main__":
    raise SystemExit(generated.main(sys.argv[1:], DOC, render, "dvpi.contract.dictionary"))
