"""``dvpi mapping draft``: a first mapping file for a force's export, from a profile of
its files, for a person to review.

Each file's header and values are read (the first ``MAX_ROWS`` rows). Files whose
names differ only by digits and whose headers are the same are one table's files (a
weekly split): their names become one pattern. Each group of files is matched to the
table of the format whose columns its headers and values fit best; each header to a
column by its name (as the contract names it, or a synonym the contract lists, case,
spaces and punctuation aside), by its words and by its values (dates in date columns,
codes in code columns). Each value of a code column that is not a code already is
given the nearest code, by the code's label and the words the contract lists for it.
Everything the draft is not sure of is marked ``TODO``; what it cannot guess is left
commented out. The contract registry is the only source of names, codes and words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz import fuzz

from dvpi.contract import Column, Table, codes
from dvpi.ingest.errors import LoadError
from dvpi.ingest.mapping import MAPPABLE, SUFFIX_FORMATS, contract_value
from dvpi.ingest.mapping_spec import dotted, toml_string
from dvpi.ingest.sources import (
    DATA_SUFFIXES,
    ENCODING_NAMES,
    _header_delimiter,
    _sample,
    detect_encoding,
    normalised_name,
)
from dvpi.ingest.validate import DATE_FORMATS

MAX_ROWS = 100_000  # rows profiled per file
MAX_LISTED = 200  # values listed per column
GENERIC_WORDS = {"date", "id", "ref", "no", "number", "code", "type", "flag", "name"}


@dataclass
class Profile:
    """One file: its header, encoding, delimiter, and each column's value counts."""

    path: Path
    header: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    rows: int = 0
    values: dict[str, Counter] = field(default_factory=dict)
    truncated: bool = False


def _read_csv(path: Path) -> Profile:
    sample = _sample(path)
    encoding = detect_encoding(sample)
    first = sample.split(b"\n", 1)[0].split(b"\r", 1)[0]
    delimiter = _header_delimiter(first)
    decoder = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=decoder, errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        header = next(reader, [])
        return _profile(path, header, reader, encoding=encoding, delimiter=delimiter)


def _read_xlsx(path: Path) -> Profile:
    import openpyxl

    from dvpi.ingest.sources import _cell_text

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell_text(v) or f"column_{i + 1}" for i, v in enumerate(next(rows, ()))]
        return _profile(path, header, ([_cell_text(v) or "" for v in r] for r in rows))
    finally:
        book.close()


def _read_parquet(path: Path) -> Profile:
    import pyarrow.parquet as pq

    table = pq.read_table(path).slice(0, MAX_ROWS + 1)
    header = table.column_names
    columns = [[None if v is None else str(v) for v in c.to_pylist()] for c in table.columns]
    return _profile(path, header, (list(r) for r in zip(*columns, strict=True)))


def _profile(path: Path, header: list[str], rows, **dialect) -> Profile:
    profile = Profile(path, [h.strip() for h in header], **dialect)
    counters = [Counter() for _ in header]
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            profile.truncated = True
            break
        if not any(c and c.strip() for c in row):
            continue
        profile.rows += 1
        for counter, cell in zip(counters, row, strict=False):
            value = (cell or "").strip()
            if value:
                counter[value] += 1
    profile.values = dict(zip(profile.header, counters, strict=False))
    return profile


def profile_file(path: Path) -> Profile:
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    try:
        if fmt == "xlsx":
            return _read_xlsx(path)
        if fmt == "parquet":
            return _read_parquet(path)
        return _read_csv(path)
    except (OSError, ValueError, csv.Error) as exc:
        raise LoadError(f"{path.name}: cannot be read ({exc})") from exc
    except Exception as exc:  # openpyxl and pyarrow raise many kinds for a bad file
        raise LoadError(f"{path.name}: cannot be read ({type(exc).__name__})") from exc


# ---------------------------------------------------------------------------------------
# Names and values


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in normalised_name(name).split("_") if w)


def name_score(header: str, column: Column) -> tuple[float, bool]:
    """How well a header names ``column``: (score, sure). 3: the name or a synonym
    (case, spaces and punctuation aside); 2.5: the same words in another order; 1.5:
    every word of a synonym is in the header (beside generic words); 1: a close
    spelling."""
    key, words = normalised_name(header), _words(header)
    names = [column.name, *column.synonyms]
    if key in {normalised_name(n) for n in names}:
        return 3.0, True
    if words and words in {_words(n) for n in names}:
        return 2.5, True
    for n in names:
        w = _words(n)
        if w and w <= words and w - GENERIC_WORDS:
            return 1.5, False
        if words and words <= w and words - GENERIC_WORDS:  # "Completed": completed_date
            return 1.5, False
    if max(SequenceMatcher(None, key, normalised_name(n)).ratio() for n in names) >= 0.8:
        return 1.0, False
    return 0.0, False


def is_value(column: Column, value: str) -> bool:
    """Whether the loader reads ``value`` as it is, without a value map."""
    text = value.strip()
    if column.type == "code":
        folded = text.upper() if column.upper else text.lower()
        return column.aliases.get(folded, folded) in column.codes
    if column.type == "bool":
        return text.lower() in (*codes.TRUE_WORDS, *codes.FALSE_WORDS)
    try:
        return contract_value(column, value) is not None
    except ValueError:
        return False


def _number_in(value: str) -> int | None:
    match = re.fullmatch(r"[A-Za-z ._/-]*?(\d{1,3})", value.strip())
    return int(match.group(1)) if match else None


# The registry's columns are module-level constants: cached by identity (a Column holds
# dicts, so it has no hash).
_NAMES: dict[int, dict[str, str]] = {}
_GUESSES: dict[tuple[int, str], tuple[str | None, bool]] = {}


def _names(column: Column) -> dict[str, str]:
    """Each code's name and words, normalised, to the code."""
    if id(column) not in _NAMES:
        words = column.words or ({str(c): () for c in column.codes} if column.codes else {})
        by_name: dict[str, str] = {}
        for code, names in words.items():
            for n in (code, *names):
                by_name.setdefault(normalised_name(n), code)
        _NAMES[id(column)] = by_name
    return _NAMES[id(column)]


def guess_code(column: Column, value: str) -> tuple[str | None, bool]:
    """The contract value nearest to a force's ``value``: (value or None, sure)."""
    key = (id(column), value)
    if key not in _GUESSES:
        if len(_GUESSES) > 200_000:
            _GUESSES.clear()
        _GUESSES[key] = _guess(column, value)
    return _GUESSES[key]


def _guess(column: Column, value: str) -> tuple[str | None, bool]:
    if column.type == "bool":
        low = value.strip().lower()
        true_words = ("yes", "true", "y", "1", "domestic", "dv")
        if low in true_words or low.startswith(("dv ", "dv-", "yes ")):
            return "true", low in true_words
        if low in ("no", "false", "n", "0", "not domestic", "other", "none", "-"):
            return "false", low in ("no", "false", "n", "0")
        return None, False
    words = column.words or ({str(c): () for c in column.codes} if column.codes else {})
    if not words:
        return None, False
    key = normalised_name(value)
    by_name = _names(column)
    if key in by_name:
        return by_name[key], True
    if column.type == "integer":
        number = _number_in(value)
        if number is not None and str(number) in words:
            return str(number), True
    # A code or a word for one, as whole words of the value ("IC1 - White European",
    # "Non-Crime Incident"): the longest one, if it names one code only.
    inside = sorted(((len(n), code) for n, code in by_name.items()
                     if len(n) >= 2 and f"_{n}_" in f"_{key}_"), reverse=True)
    if inside and len({code for length, code in inside if length == inside[0][0]}) == 1:
        return inside[0][1], inside[0][0] >= 3 or column.upper
    if value.strip().isdigit():
        ends = [c for c in words if c.endswith(value.strip())]
        if len(ends) == 1:
            return ends[0], False
    # An abbreviation: the start of one code or word only ("S", "DISC", "CONV").
    low = value.strip().lower()
    if low.isalpha():
        starts = {code for name, code in by_name.items()
                  if name.startswith(low) and (len(low) >= 3 or len(low) == 1)}
        if len(starts) == 1:
            return starts.pop(), False
    best, score = None, 0.0
    for name, code in by_name.items():
        s = fuzz.token_set_ratio(key.replace("_", " "), name.replace("_", " "))
        if s > score:
            best, score = code, s
    if score >= 95:
        return best, True
    if score >= 60:
        return best, False
    return None, False


def _value_fit(column: Column, counter: Counter) -> float:
    """The share of rows whose value is a value of ``column`` or has a sure guess."""
    total = sum(counter.values())
    if not total or (column.type not in ("code", "bool") and not column.words):
        return 0.0
    fit = 0.0
    for v, n in counter.items():
        if is_value(column, v):
            fit += n
        else:
            code, sure = guess_code(column, v)
            fit += n if sure else n / 2 if code is not None else 0
    return fit / total


def date_format_of(values: Counter) -> tuple[str | None, float]:
    """The date format most values are written in, and the share of rows in it."""
    total = sum(values.values())
    if not total:
        return None, 0.0
    best, share = None, 0.0
    for name, (fmt, pattern) in DATE_FORMATS.items():
        n = 0
        for v, count in values.items():
            day = v.split(" ")[0].split("T")[0]
            if not re.match(pattern, day):
                continue
            try:
                dt.datetime.strptime(day, fmt)
                n += count
            except ValueError:
                pass
        if n / total > share:
            best, share = name, n / total
    return best, share


def _day_first(values: Counter) -> bool | None:
    """Of values written d/m/y or m/d/y: True if some have a first part over 12,
    False if some have a second part over 12, None if no value tells."""
    for v in values:
        m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}", v)
        if m and int(m.group(1)) > 12:
            return True
        if m and int(m.group(2)) > 12:
            return False
    return None


# ---------------------------------------------------------------------------------------
# Files, tables, columns


def _family(name: str) -> str:
    """A file name with its digit runs as ``*``: weekly files share it."""
    return re.sub(r"\d+", "*", name)


@dataclass
class Group:
    """Files of one table: the same family name and header."""

    profiles: list[Profile]
    pattern: str
    table: Table | None = None
    columns: dict[str, tuple[str, bool]] = field(default_factory=dict)  # header -> col
    # A wide file's people and relationships (``_wide_roles``), written after its table.
    wide: Wide | None = None

    @property
    def header(self) -> list[str]:
        return self.profiles[0].header

    _values: dict[str, Counter] = field(default_factory=dict)
    _dates: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    _fits: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def values(self, header: str) -> Counter:
        if header not in self._values:
            total: Counter = Counter()
            for p in self.profiles:
                total.update(p.values.get(header, Counter()))
            self._values[header] = total
        return self._values[header]

    def dates(self, header: str) -> tuple[str | None, float]:
        """The date format of the header's values, and the share written so."""
        if header not in self._dates:
            self._dates[header] = date_format_of(self.values(header))
        return self._dates[header]

    def fit(self, header: str, table: str, column: Column) -> float:
        key = (header, table, column.name)
        if key not in self._fits:
            self._fits[key] = _value_fit(column, self.values(header))
        return self._fits[key]


def _groups(profiles: list[Profile]) -> list[Group]:
    by_key: dict[tuple, list[Profile]] = {}
    for p in profiles:
        key = (_family(p.path.name), tuple(normalised_name(h) for h in p.header))
        by_key.setdefault(key, []).append(p)
    groups = []
    for (family, _), members in by_key.items():
        pattern = members[0].path.name if len(members) == 1 else family
        groups.append(Group(members, pattern))
    return groups


def _pair_score(group: Group, header: str, column: Column,
                table_name: str) -> tuple[float, bool]:
    score, sure = name_score(header, column)
    values = group.values(header)
    if values and column.type in ("date", "datetime"):
        share = group.dates(header)[1]
        score += 1.0 if share >= 0.8 else -2.0
    elif values and group.dates(header)[1] >= 0.8 and column.type not in ("date",
                                                                          "datetime"):
        score -= 1.0
    if values and (column.type in ("code", "bool") or column.words):
        fit = group.fit(header, table_name, column)
        # Values that fit no code weigh against a name ("CRIME_TYPE" holding CRIME, NCI
        # is no offence), not enough to refuse an exact name ("HO_CODE").
        score += 2.0 * fit if fit >= 0.2 else -2.0
        sure = sure and fit >= 0.5
    return score, sure


def _match_columns(group: Group, table: Table) -> tuple[float, dict[str, tuple[str, bool]]]:
    """Headers matched to columns, best pairs first; the total score."""
    pairs = []
    for header in group.header:
        for column in table.columns:
            score, sure = _pair_score(group, header, column, table.name)
            if score >= 1.5:
                pairs.append((score, sure, header, column.name))
    pairs.sort(key=lambda p: (-p[0], p[2], p[3]))
    matched: dict[str, tuple[str, bool]] = {}
    used: set[str] = set()
    total = 0.0
    for score, sure, header, column in pairs:
        if header in matched or column in used:
            continue
        matched[header] = (column, sure)
        used.add(column)
        total += score
    # A required code or boolean column still without a header: the header left whose
    # values fit it best ("Closing Code": "DV - Domestic", "Other"), as a guess.
    for column in table.columns:
        if not column.required or column.name in used or \
                not (column.type in ("code", "bool") or column.words):
            continue
        fits = sorted(((group.fit(h, table.name, column), h) for h in group.header
                       if h not in matched and group.values(h)), reverse=True)
        if fits and fits[0][0] >= 0.5:
            matched[fits[0][1]] = (column.name, False)
            used.add(column.name)
            total += 2.0 * fits[0][0]
    # Then a header that names a column still free, though its values fit no code
    # ("HO_CODE": offence codes of the force's own), as a guess.
    for header in group.header:
        if header in matched:
            continue
        named = [c for c in table.columns if c.name not in used
                 and name_score(header, c)[0] >= 2.5]
        if named:
            matched[header] = (named[0].name, False)
            used.add(named[0].name)
    return total, matched


@dataclass
class Role:
    """One role's columns of a wide file: header -> (column, sure), and its full name."""

    code: str
    columns: dict[str, tuple[str, bool]]
    full_name: tuple[str, str] | None  # (header, form)


@dataclass
class Wide:
    """A file whose rows hold a victim's and a suspect's columns side by side."""

    report_header: str
    roles: list[Role]
    relationship: str | None  # the header of the relationship, if one fits

    def headers(self) -> set[str]:
        out = {self.report_header} | ({self.relationship} if self.relationship else set())
        for role in self.roles:
            out |= set(role.columns) | ({role.full_name[0]} if role.full_name else set())
        return out


def _role_prefix(header: str, words: tuple[str, ...]) -> str | None:
    """``Victim DOB`` -> ``DOB`` when ``victim`` is one of ``words``."""
    for word in sorted(words, key=len, reverse=True):
        match = re.match(rf"^\s*{re.escape(word)}\b[\s_:.-]*(.+)$", header, re.IGNORECASE)
        if match:
            return match.group(1)
    return None


def _name_form(values: Counter) -> str | None:
    """The form of a full-name column, from its values; None when they are no names."""
    total = sum(values.values())
    if not total:
        return None
    commas = sum(n for v, n in values.items() if v.count(",") == 1)
    if commas / total >= 0.8:
        return "SURNAME, Forenames"
    caps = sum(n for v, n in values.items()
               if re.fullmatch(r"\S*[a-z]\S*(\s+\S+)*\s+[^a-z\s]+", v))
    return "Forenames SURNAME" if caps / total >= 0.8 else None


def _wide_roles(group: Group) -> Wide | None:
    """People (a role per prefix: ``Victim ...``, ``Suspect ...``) and relationships
    in the file of ``group`` (a reports file), when its header has them."""
    people = MAPPABLE["people"]
    role_words = people.column("role").words
    report = next((h for h, (c, _) in group.columns.items() if c == "report_id"), None)
    if report is None:
        return None
    roles = []
    claimed: set[str] = set()
    for code, words in role_words.items():
        stripped = {}
        for header in group.header:
            rest = _role_prefix(header, words)
            if rest and header not in claimed:
                stripped[rest] = header
        if len(stripped) < 2:
            continue
        profiles = [Profile(p.path, list(stripped), rows=p.rows,
                            values={r: p.values.get(h, Counter()) for r, h in stripped.items()})
                    for p in group.profiles]
        part = Group(profiles, group.pattern)
        full_name = None
        for rest, header in stripped.items():
            if normalised_name(rest) in ("name", "full_name", "person_name"):
                form = _name_form(part.values(rest))
                if form:
                    full_name = (header, form)
        # A role's own columns: the report's id is read for every role, and the role is
        # the prefix.
        own = replace(people, columns=tuple(c for c in people.columns
                                            if c.name not in ("report_id", "role")))
        _, matched = _match_columns(part, own)
        columns = {stripped[r]: (c, sure) for r, (c, sure) in matched.items()
                   if not (full_name and (c in ("surname", "forenames")
                                          or stripped[r] == full_name[0]))}
        if not any(c == "person_id" for c, _ in columns.values()):
            continue
        roles.append(Role(code, columns, full_name))
        claimed |= set(stripped.values())
    if not roles:
        return None
    relationship = None
    column = MAPPABLE["relationships"].column("relationship")
    scored = sorted(((_pair_score(group, h, column, "relationships")[0], h)
                     for h in group.header if h not in claimed and h not in group.columns),
                    reverse=True)
    if scored and scored[0][0] >= 1.5:
        relationship = scored[0][1]
    return Wide(report, roles, relationship)


def _table_name_score(group: Group, table: Table) -> float:
    stem = normalised_name(Path(group.pattern).stem.replace("*", ""))
    words = set(stem.split("_"))
    for name in (table.name, *table.synonyms):
        key = normalised_name(name)
        if stem == key or set(key.split("_")) <= words:
            return 3.0
    return 0.0


def assign_tables(groups: list[Group]) -> None:
    """Each table gets the group of files that fits it best (one group per table)."""
    scored = []
    for group in groups:
        for table in MAPPABLE.values():
            total, matched = _match_columns(group, table)
            score = total + _table_name_score(group, table)
            required = sum(1 for c in table.columns if c.required)
            found = sum(1 for c, _ in matched.values() if table.column(c).required)
            score += 2.0 * found / max(required, 1)
            if matched:
                scored.append((score, group.pattern, table.name, group, table, matched))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    taken_tables: set[str] = set()
    for score, _, name, group, table, matched in scored:
        if group.table is not None or name in taken_tables or score < 4:
            continue
        group.table, group.columns = table, matched
        taken_tables.add(name)


# ---------------------------------------------------------------------------------------
# Writing the draft


def _key(text: str) -> str:
    return toml_string(text)


def _target(column: Column, value: str) -> str:
    if column.type == "bool":
        return value
    if column.type == "integer":
        return value
    return toml_string(value)


def _todo(sure: bool, why: str = "") -> str:
    return "" if sure else f"  # TODO: check{(' (' + why + ')') if why else ''}"


def _section_values(out: list[str], group: Group, header: str, column: Column) -> None:
    counter = group.values(header)
    if not counter or not (column.type in ("code", "bool") or column.words):
        return
    already = [(v, n) for v, n in counter.most_common() if is_value(column, v)]
    others = [(v, n) for v, n in counter.most_common() if not is_value(column, v)]
    if not others:
        return
    out.append("")
    out.append(f"[{dotted(('tables', group.table.name, 'values', column.name))}]")
    if already:
        listed = ", ".join(f"{v} ({n:,})" for v, n in already[:12])
        more = " ..." if len(already) > 12 else ""
        out.append(f"# read as they are (codes already): {listed}{more}"
                   .replace("\n", " "))
    for value, n in others[:MAX_LISTED]:
        code, sure = guess_code(column, value)
        if code is None:
            choices = ", ".join(list(column.words or column.codes)[:8])
            out.append(f"# {_key(value)} = \"\"  # TODO: {n:,} rows; no close code "
                       f"(codes: {choices} ...)")
        else:
            out.append(f"{_key(value)} = {_target(column, code)}"
                       + (f"  # {n:,} rows" if sure else f"  # TODO: check ({n:,} rows)"))
    if len(others) > MAX_LISTED:
        out.append(f"# ... and {len(others) - MAX_LISTED:,} more values, not listed")


def _text_codes(out: list[str], group: Group, header: str, column: Column) -> None:
    """A text column holding a few short codes (``SX``, ``ZD`` for boroughs): listed,
    commented out, for the force to map to the names it means."""
    counter = group.values(header)
    if column.type != "text" or not counter or len(counter) > 60:
        return
    if not all(re.fullmatch(r"[A-Z0-9]{1,4}", v) for v in counter):
        return
    if column.name.endswith("_id") or column.name in ("cad_ref", "cps_urn", "call_id"):
        return
    out.append("")
    out.append(f"# TODO: {column.name} holds short codes; map each to what it stands for")
    out.append(f"# [{dotted(('tables', group.table.name, 'values', column.name))}]")
    for value, n in counter.most_common(MAX_LISTED):
        out.append(f"# {_key(value)} = \"\"  # {n:,} rows")


def _encoding_line(profiles: list[Profile]) -> str | None:
    encodings = {p.encoding for p in profiles if p.encoding}
    if len(encodings) == 1 and "utf-8" not in encodings:
        return toml_string(next(iter(encodings)))
    return None


def draft_mapping(export: str | Path, now: dt.datetime | None = None) -> str:
    """The draft mapping of the export folder ``export``, as TOML text."""
    export = Path(export)
    if not export.is_dir():
        raise LoadError(f"{export}: not a folder (an export is a folder of files)")
    paths = sorted(p for p in export.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in DATA_SUFFIXES and p.suffix.lower() in SUFFIX_FORMATS)
    if not paths:
        raise LoadError(f"{export}: no data files (.csv .tsv .txt .xlsx .parquet)")
    profiles = [profile_file(p) for p in paths]
    groups = _groups(profiles)
    assign_tables(groups)
    if not any(g.table is not None and g.table.name in ("people", "relationships")
               for g in groups):
        for group in groups:
            if group.table is not None and group.table.name == "reports":
                group.wide = _wide_roles(group)
    when = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    out = [
        f"# Draft mapping of {export.name}/, written by `dvpi mapping draft` on {when}.",
        "# Every line marked TODO is a guess: check it against the force's system before",
        "# loading. Lines left commented out could not be guessed. Check the draft with",
        f"#   dvpi check {export.name} --mapping THIS_FILE",
        "# (docs/data-format.md, \"Mapping files\", explains every key.)",
        "",
        "[export]",
        f"name = {toml_string(export.name)}",
    ]
    encoding = _encoding_line(profiles)
    if encoding:
        names = ENCODING_NAMES.get(encoding.strip('"'), encoding)
        out.append(f"encoding = {encoding}  # detected ({names}); TODO: check")
    date_values: Counter = Counter()
    for group in groups:
        if group.table is None:
            continue
        for header, (column, _) in group.columns.items():
            if group.table.column(column).type in ("date", "datetime"):
                date_values.update(group.values(header))
        for role in group.wide.roles if group.wide else ():
            for header, (column, _) in role.columns.items():
                if MAPPABLE["people"].column(column).type in ("date", "datetime"):
                    date_values.update(group.values(header))
    fmt, share = date_format_of(date_values)
    if fmt in ("DD/MM/YYYY", "MM/DD/YYYY"):
        day_first = _day_first(date_values)
        fmt = "MM/DD/YYYY" if day_first is False else "DD/MM/YYYY"
        why = ("a first part over 12 was seen" if day_first else
               "a second part over 12 was seen" if day_first is False else
               "no value tells day-first from month-first: UK forces write day-first")
        out.append(f"date_format = {toml_string(fmt)}  # TODO: check ({why})")
    elif fmt and fmt != "YYYY-MM-DD":
        out.append(f"date_format = {toml_string(fmt)}  # {share:.0%} of dates read so")
    for group in sorted((g for g in groups if g.table is not None),
                        key=lambda g: list(MAPPABLE).index(g.table.name)):
        _write_table(out, group)
    unmatched = [g for g in groups if g.table is None]
    if unmatched:
        out.append("")
        out.append("# Files matched to no table (TODO: map them, or remove them from the "
                   "export):")
        for g in unmatched:
            out.append(f"#   {g.pattern}: {', '.join(g.header[:10])}")
    truncated = [p.path.name for p in profiles if p.truncated]
    if truncated:
        out.append(f"# Only the first {MAX_ROWS:,} rows of {', '.join(truncated)} were read.")
    return "\n".join(out) + "\n"


def _write_table(out: list[str], group: Group) -> None:
    table = group.table
    files = ", ".join(p.path.name for p in group.profiles[:3])
    more = f" and {len(group.profiles) - 3} more" if len(group.profiles) > 3 else ""
    rows = sum(p.rows for p in group.profiles)
    out += ["", f"# --- {table.name}: {files}{more} ({rows:,} rows)",
            f"[{dotted(('tables', table.name))}]", f"files = {toml_string(group.pattern)}"]
    delimiters = {p.delimiter for p in group.profiles if p.delimiter}
    if delimiters and delimiters != {","}:
        shown = {"\t": "tab"}.get(next(iter(delimiters)), next(iter(delimiters)))
        out.append(f"# delimiter: {shown} (detected when loading)")
    claimed = group.wide.headers() if group.wide else set()
    extra = [h for h in group.header if h not in group.columns and h not in claimed]
    if extra:
        out.append(f"drop = [{', '.join(toml_string(h) for h in extra)}]"
                   "  # TODO: matched to no column; map any that is needed")
    out += ["", f"[{dotted(('tables', table.name, 'columns'))}]"]
    for header in group.header:
        if header in group.columns:
            column, sure = group.columns[header]
            out.append(f"{_key(header)} = {toml_string(column)}{_todo(sure)}")
    missing = [c.name for c in table.columns if c.required
               and c.name not in {c for c, _ in group.columns.values()}]
    for name in missing:
        out.append(f"# TODO: no column found for {name!r}, which is required")
    for header, (column_name, _) in group.columns.items():
        _section_values(out, group, header, table.column(column_name))
        _text_codes(out, group, header, table.column(column_name))
    if group.wide:
        _write_wide(out, group, group.wide)


def _write_wide(out: list[str], group: Group, wide: Wide) -> None:
    """People, a section per role, and relationships, from the same wide file."""
    people = MAPPABLE["people"]
    out += ["", f"# --- people: {group.pattern}, a row per role (a row whose role columns "
            "are all blank gives none)",
            "[tables.people]", f"files = {toml_string(group.pattern)}",
            "", "[tables.people.columns]  # read for every role",
            f"{_key(wide.report_header)} = \"report_id\""]
    merged: dict[str, Counter] = {}
    for role in wide.roles:
        section = ("tables", "people", "roles", role.code)
        out += ["", f"[{dotted(section)}]"]
        if role.full_name:
            header, form = role.full_name
            out.append(f"full_name = {{ column = {toml_string(header)}, form = "
                       f"{toml_string(form)} }}  # TODO: check")
        out += ["", f"[{dotted((*section, 'columns'))}]"]
        for header, (column, sure) in role.columns.items():
            out.append(f"{_key(header)} = {toml_string(column)}{_todo(sure)}")
            merged.setdefault(column, Counter()).update(group.values(header))
    values = Group([Profile(group.profiles[0].path, list(merged), values=merged)],
                   group.pattern, people)
    for column in merged:
        _section_values(out, values, column, people.column(column))
    relationships = MAPPABLE["relationships"]
    if wide.relationship is None or len(wide.roles) < 2:
        out += ["", "# TODO: no relationship column found for [tables.relationships]"]
        return
    ids = {role.code: next(h for h, (c, _) in role.columns.items() if c == "person_id")
           for role in wide.roles}
    out += ["", f"# --- relationships: {group.pattern} (a row without one gives none)",
            "[tables.relationships]", f"files = {toml_string(group.pattern)}",
            f"skip_rows_without = {toml_string(wide.relationship)}",
            "", "[tables.relationships.columns]",
            f"{_key(wide.report_header)} = \"report_id\"",
            f"{_key(ids['victim'])} = \"victim_person_id\"",
            f"{_key(ids['suspect'])} = \"suspect_person_id\"",
            f"{_key(wide.relationship)} = \"relationship\"  # TODO: check"]
    _section_values(out, replace(group, table=relationships), wide.relationship,
                    relationships.column("relationship"))
