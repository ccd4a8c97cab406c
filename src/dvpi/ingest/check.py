"""`dvpi check`: what loading an export would do, without touching any warehouse.

The export is loaded, exactly as ``dvpi load`` would load it (same reading, checks and
quarantine), into a scratch copy of the warehouse (or an empty one) in a temporary
folder, which is then profiled and thrown away.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dvpi.ingest.errors import LoadError
from dvpi.ingest.load import LoadResult, load_dataset
from dvpi.ingest.merge import TABLES_AND_INSTRUCTIONS
from dvpi.ingest.sources import ReadOptions
from dvpi.ingest.validate import ident

MAX_VALUES = 12  # values listed per code column
MAX_EXAMPLES = 3  # quarantined rows shown per file and reason
# A quarantine reason with its values taken out, so that alike reasons group.
_KIND = (r"""regexp_replace(regexp_replace(reason, '''[^'']*''', '…', 'g'), """
         r"""'lines [0-9, ]+|in [^ ]+ line [0-9]+(, [^ ]+ line [0-9]+)*', 'lines …', 'g')""")


@dataclass(frozen=True)
class Example:
    """A quarantined row: its line in the file, the column the reason names (blank
    when it names none) and the reason."""

    line: int
    field: str
    reason: str

    @property
    def detail(self) -> str:
        """The reason without the column it starts with."""
        return self.reason[len(self.field) + 1:].strip() if self.field else self.reason


@dataclass
class ReasonGroup:
    """One kind of reason in one file: how many rows, and the first few."""

    table: str
    file: str
    kind: str
    rows: int
    examples: list[Example] = field(default_factory=list)


@dataclass
class ColumnProfile:
    name: str
    type: str
    filled: int  # rows loaded with a value
    rows: int  # rows loaded
    values: list[tuple[str, int]] = field(default_factory=list)  # code columns
    low: str | None = None  # date and number columns: the range
    high: str | None = None

    @property
    def fill_rate(self) -> float:
        return self.filled / self.rows if self.rows else 0.0


@dataclass
class CheckReport:
    export: Path
    warehouse: Path | None
    load: LoadResult | None = None
    stopped: str | None = None  # the load would stop: why
    columns: dict[str, list[ColumnProfile]] = field(default_factory=dict)
    # (table, reason with its values elided, rows, an example reason)
    reasons: list[tuple[str, str, int, str]] = field(default_factory=list)
    duplicate_keys: dict[str, int] = field(default_factory=dict)
    dangling: dict[str, int] = field(default_factory=dict)
    by_file: list[ReasonGroup] = field(default_factory=list)
    mapping: Path | None = None

    @property
    def clean(self) -> bool:
        """Nothing would be quarantined or removed, no value left unmapped, no file
        left out, and the load would not stop: what a scheduled pipeline may load
        without a person looking."""
        if self.stopped or self.load is None:
            return False
        return not (self.load.quarantined or self.load.removed or self.load.unmapped
                    or any("left out" in w for w in self.load.warnings))


def check_export(
    export: str | Path,
    warehouse: str | Path | None = None,
    *,
    options: ReadOptions | None = None,
    mapping: str | Path | None = None,
    mode: str = "replace",
) -> CheckReport:
    """Profile ``export`` (read through ``mapping``, if given) and say what loading it
    (into ``warehouse``, if given) would add, replace, remove and quarantine, and which
    of its values the mapping does not cover. Neither the export nor the warehouse
    changes."""
    export = Path(export)
    warehouse = Path(warehouse) if warehouse else None
    report = CheckReport(export, warehouse, mapping=Path(mapping) if mapping else None)
    base = options or ReadOptions()
    options = ReadOptions(base.encoding, base.delimiter, base.date_format,
                          allow_unknown_files=True)  # listed, not a stop, for a check
    with tempfile.TemporaryDirectory(prefix="dvpi-check-") as tmp:
        scratch = Path(tmp) / "scratch.duckdb"
        if warehouse is not None and warehouse.exists():
            shutil.copyfile(warehouse, scratch)
            wal = warehouse.with_name(warehouse.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, scratch.with_name(scratch.name + ".wal"))
        try:
            report.load = load_dataset(export, scratch, options=options, mapping=mapping,
                                       mode=mode, allow_removal=True)
        except LoadError as exc:
            report.stopped = str(exc)
            return report
        if report.load.unchanged:
            return report
        con = duckdb.connect(str(scratch), read_only=True)
        try:
            _profile(con, report)
        finally:
            con.close()
    return report


def _profile(con: duckdb.DuckDBPyConnection, report: CheckReport) -> None:
    load_id = report.load.load_id
    for counts in report.load.counts:
        table = TABLES_AND_INSTRUCTIONS.get(counts.table)
        if table is None or not counts.file:
            continue
        rows_of = f"FROM main.{table.name} WHERE _load_id = {int(load_id)}"
        total = con.execute(f"SELECT count(*) {rows_of}").fetchone()[0]
        profiles = []
        for column in table.columns:
            c = ident(column.name)
            filled = con.execute(f"SELECT count({c}) {rows_of}").fetchone()[0]
            p = ColumnProfile(column.name, column.type, filled, total)
            if column.type in ("code", "bool"):
                p.values = [(str(v), n) for v, n in con.execute(
                    f"SELECT {c}, count(*) AS n {rows_of} AND {c} IS NOT NULL "
                    f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {MAX_VALUES}").fetchall()]
            elif column.type in ("date", "datetime", "integer", "number"):
                low, high = con.execute(f"SELECT min({c}), max({c}) {rows_of}").fetchone()
                p.low, p.high = (str(low) if low is not None else None,
                                 str(high) if high is not None else None)
            profiles.append(p)
        report.columns[table.name] = profiles
    # Quarantine reasons, with the values taken out so that alike reasons group.
    for table_name, kind, n, example in con.execute(
        f"""SELECT table_name, {_KIND} AS kind, count(*), min(reason)
           FROM (SELECT table_name, unnest(reasons) AS reason FROM quarantine
                 WHERE load_id = ?)
           GROUP BY ALL ORDER BY 1, 3 DESC""", [load_id]
    ).fetchall():
        report.reasons.append((table_name, kind, n, example))
        if kind.startswith("duplicate key"):
            report.duplicate_keys[table_name] = report.duplicate_keys.get(table_name, 0) + n
        elif ": no " in kind:
            report.dangling[table_name] = report.dangling.get(table_name, 0) + n
    # The same per file, with the first rows of each (their line and column).
    rows = con.execute(
        f"""SELECT table_name, file, kind, count(*) OVER w AS n,
                   row_number() OVER (w ORDER BY line, reason) AS i, line, reason
            FROM (SELECT table_name, file, line, reason, {_KIND} AS kind
                  FROM (SELECT table_name, file, line, unnest(reasons) AS reason
                        FROM quarantine WHERE load_id = ?))
            WINDOW w AS (PARTITION BY table_name, file, kind)
            QUALIFY i <= {MAX_EXAMPLES}
            ORDER BY table_name, file, n DESC, kind, i""", [load_id]).fetchall()
    groups: dict[tuple[str, str, str], ReasonGroup] = {}
    columns = {name: set(t.column_names) for name, t in TABLES_AND_INSTRUCTIONS.items()}
    for table_name, file, kind, n, _, line, reason in rows:
        group = groups.setdefault((table_name, file, kind),
                                  ReasonGroup(table_name, file, kind, n))
        named = reason.split(":", 1)[0] if ":" in reason else ""
        group.examples.append(Example(line, named if named in columns.get(table_name, ())
                                      else "", reason))
    report.by_file = list(groups.values())
