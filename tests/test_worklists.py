"""The worklists that protect people (issue 15): declared once, the same count as their
indicators, worked by hand on the v2 example, exported audited from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dvpi.cli import app
from dvpi.files import is_private
from dvpi.indicators import TABLES_READ, compute_series, worklists
from dvpi.indicators.engine import FORCE_SCOPE, Scope
from dvpi.warehouse import open_warehouse
from dvpi.web.users import ROLES
from forces_data import write_national
from v2_data import EXAMPLE_V1, FORMULA_ID, v2_folder, v2_warehouse, warehouse

YEAR = (dt.date(2007, 4, 1), dt.date(2008, 3, 31))
OWN, OTHER = "Tower Hamlets", "Waltham Forest"
PROTECTIVE = ("bail_over_8_weeks", "programmes_at_risk", "high_risk_unsupported",
              "disclosures_waiting")
runner = CliRunner()


@pytest.fixture(scope="module")
def v2(tmp_path_factory) -> Path:
    return v2_warehouse(tmp_path_factory.mktemp("worklists-v2"))


@pytest.fixture(scope="module")
def backend(v2):
    with open_warehouse(v2, "read") as wh, wh.backend("duckdb", TABLES_READ) as b:
        yield b


def rows(backend, list_id: str, end: dt.date, borough: str | None = None,
         start: dt.date = YEAR[0]) -> list[dict]:
    return worklists.fetch(worklists.get(list_id), backend, start, end, borough=borough,
                           people="exact")


def ids(found: list[dict], key: str) -> list[str]:
    return [r[key] for r in found]


# --- the declarations --------------------------------------------------------------------


def test_one_declaration_per_list():
    assert len(worklists.by_list_id) == len(worklists.WORKLISTS)
    assert tuple(w.id for w in worklists.WORKLISTS if w.protects) == PROTECTIVE
    for w in worklists.WORKLISTS:
        assert w.title and w.definition and w.needs and callable(w.query)
        # who may see it: dashboard roles, never a partner
        assert set(w.roles) <= set(ROLES) and "partner" not in w.roles
    # a list that itemises an indicator reads the indicator's tables
    from dvpi.indicators import registry

    for w in worklists.WORKLISTS:
        if w.indicator:
            assert set(registry.get(w.indicator).needs) <= set(w.needs)


def test_the_dashboard_runs_every_declared_list():
    from dvpi.web.services import default_worklists

    declared = default_worklists()
    assert list(declared) == [w.id for w in worklists.WORKLISTS]
    bail = declared["bail_over_8_weeks"]
    assert bail.as_at and bail.record_key == "bail_id" and bail.roles == worklists.RECORD_ROLES


# --- worked by hand (tests/data/example_v2 and tests/v2_data.py) -------------------------


def test_bail_over_8_weeks_by_hand(backend):
    # 2008-03-31: B8 (since 2006-03-31, 731 days) and B9 (2008-02-03, 57 days), both
    # Waltham Forest; B10 has run exactly 56 days (not over); B11's report R12 is not
    # DV-flagged; B7 ends on the day itself.
    found = rows(backend, "bail_over_8_weeks", YEAR[1])
    assert ids(found, "bail_id") == ["B8", "B9"]
    assert [r["days_on_bail"] for r in found] == [731, 57]
    assert {r["report_id"] for r in found} == {"R06", "R15"}
    assert rows(backend, "bail_over_8_weeks", YEAR[1], OWN) == []
    # 2007-09-30: B7 (2007-07-08, 84 days, Tower Hamlets) and B8; B2 has run 53 days.
    assert ids(rows(backend, "bail_over_8_weeks", dt.date(2007, 9, 30)), "bail_id") == [
        "B8", "B7"]


def test_programmes_at_risk_by_hand(backend):
    # Q7 expires in 15 days, Q5 in 56 (the last day of the 8 weeks); Q6 in 57; Q8's
    # report is not DV-flagged.
    found = rows(backend, "programmes_at_risk", YEAR[1])
    assert ids(found, "requirement_id") == ["Q7", "Q5"]
    assert [r["days_to_expiry"] for r in found] == [15, 56]
    assert ids(rows(backend, "programmes_at_risk", YEAR[1], OWN), "requirement_id") == ["Q5"]


def test_high_risk_victims_without_marac_or_idva_by_hand(backend):
    # R01's victim has a MARAC case, R05's and R07's an IDVA referral; R10's victim P19
    # was referred to an IDVA (added); R14's victim P29 has Victim Support only.
    found = rows(backend, "high_risk_unsupported", YEAR[1])
    assert [(r["report_id"], r["person_id"]) for r in found] == [("R14", "P29")]
    assert found[0]["high_risk_assessed"] == dt.date(2007, 7, 8)
    assert rows(backend, "high_risk_unsupported", YEAR[1], OTHER) == []


def test_disclosures_waiting_by_hand(backend):
    found = rows(backend, "disclosures_waiting", YEAR[1])
    assert ids(found, "request_id") == [FORMULA_ID, "D9"]
    assert [r["days_waiting"] for r in found] == [304, 182]
    # Received 2007-06-01: on 29 June it has waited 28 days (not over), on 30 June 29;
    # D2, received the same day, was decided on 30 June (a decision that day counts).
    assert rows(backend, "disclosures_waiting", dt.date(2007, 6, 29)) == []
    assert ids(rows(backend, "disclosures_waiting", dt.date(2007, 6, 30)),
               "request_id") == [FORMULA_ID]
    # D8 (received 2008-03-25) is undecided on 31 March but has waited 6 days.
    assert "D8" not in ids(rows(backend, "disclosures_waiting", YEAR[1], OTHER), "request_id")


# --- the same count as the indicators -----------------------------------------------------

AS_AT = (dt.date(2007, 6, 30), dt.date(2007, 9, 30), dt.date(2007, 12, 31), YEAR[1])


@pytest.mark.parametrize("list_id,indicator", [
    ("bail_over_8_weeks", "bail_open_over_8_weeks"),
    ("programmes_at_risk", "programme_at_risk_of_expiry"),
])
def test_worklist_counts_agree_with_their_indicator(backend, list_id, indicator):
    assert worklists.get(list_id).indicator == indicator
    scopes = [FORCE_SCOPE, Scope("tower hamlets", OWN), Scope("waltham forest", OTHER)]
    results = compute_series(backend, [(YEAR[0], end) for end in AS_AT], by_borough=True,
                             people="exact", ids=[indicator])
    assert len(results) == len(AS_AT) * len(scopes)
    counted = 0
    for i, end in enumerate(AS_AT):
        for j, scope in enumerate(scopes):
            entry = results[i * len(scopes) + j]["indicators"][indicator]
            figure = entry["total"] if "total" in entry else entry["value"]
            listed = rows(backend, list_id, end, None if scope.is_force else scope.name)
            assert len(listed) == figure, (list_id, end, scope.name)
            counted += figure
    assert counted > 0


def test_a_list_whose_table_is_not_loaded_says_so(tmp_path):
    v1 = warehouse(EXAMPLE_V1, tmp_path / "v1.duckdb")
    with open_warehouse(v1, "read") as wh, wh.backend("duckdb", TABLES_READ) as b:
        assert worklists.unavailable(worklists.get("bail_over_8_weeks"), b.tables) == \
            "bail not loaded"
        assert worklists.unavailable(worklists.get("high_risk_unsupported"), b.tables) == \
            "support_referrals, marac_cases not loaded"
        assert worklists.unavailable(worklists.get("flag_audit"), b.tables) is None


# --- the day a list is taken ---------------------------------------------------------------


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
       st.integers(0, 800), st.one_of(st.none(), st.dates(dt.date(1999, 1, 1),
                                                          dt.date(2031, 1, 1))))
def test_as_at_day_is_in_the_period_and_never_after_the_data(start, days, latest):
    end = start + dt.timedelta(days=days)
    day = worklists.as_at_day(start, end, latest)
    assert start <= day <= end
    if latest is None or latest >= end:
        assert day == end
    else:
        assert day == max(start, latest)


# --- CSV -----------------------------------------------------------------------------------


def test_csv_neutralises_formulas_and_joins_lists():
    text = worklists.csv_text([{"report_id": "=1+1", "report_ids": ["R1", "R2"],
                                "n": 3, "blank": None}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"report_id": "'=1+1", "report_ids": "R1 R2", "n": "3", "blank": ""}
    assert worklists.csv_text([]).strip() == "report_id"


# --- the command line -----------------------------------------------------------------------


def test_cli_lists_every_worklist():
    result = runner.invoke(app, ["worklists", "list"])
    assert result.exit_code == 0, result.output
    for w in worklists.WORKLISTS:
        assert f"{w.id}:" in result.output


def test_cli_export_is_audited_private_and_safe(v2, tmp_path):
    data = tmp_path / "w.duckdb"
    shutil.copyfile(v2, data)
    out = tmp_path / "out" / "waiting.csv"
    result = runner.invoke(app, ["worklists", "export", "disclosures_waiting", str(data),
                                 "--year", "2007-08", "--borough", "tower hamlets",
                                 "--out", str(out), "--people", "exact"])
    assert result.exit_code == 0, result.output
    assert "2 row(s)" in result.output and "as at 2008-03-31" in result.output
    assert is_private(out)
    exported = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["request_id"] for r in exported] == ["'" + FORMULA_ID, "D9"]
    shown = runner.invoke(app, ["audit", "show", "--warehouse", str(data), "--json",
                                "--event", "export"])
    entries = [json.loads(line) for line in shown.output.splitlines() if line.strip()]
    assert len(entries) == 1
    detail = entries[0]["detail"]
    assert entries[0]["actor"].startswith("os:")
    assert detail["what"] == "worklist disclosures_waiting" and detail["rows"] == 2
    assert detail["record_ids"] == [f"request_id:{FORMULA_ID}", "request_id:D9"]


def test_cli_export_refuses_what_it_cannot_list(v2, tmp_path):
    data = tmp_path / "w.duckdb"
    shutil.copyfile(v2, data)
    out = tmp_path / "x.csv"
    for args, words in (
        (["no_such_list", str(data)], "unknown worklist"),
        (["bail_over_8_weeks", str(data), "--borough", "Atlantis"], "no borough"),
    ):
        result = runner.invoke(app, ["worklists", "export", *args, "--year", "2007-08",
                                     "--out", str(out), "--people", "exact"])
        assert result.exit_code == 2 and words in result.output, result.output
        assert not out.exists()
    v1 = warehouse(EXAMPLE_V1, tmp_path / "v1.duckdb")
    result = runner.invoke(app, ["worklists", "export", "bail_over_8_weeks", str(v1),
                                 "--year", "2007-08", "--out", str(out), "--people", "exact"])
    assert result.exit_code == 2 and "bail not loaded" in result.output
    assert not out.exists()


# --- one force of several (`--force`) -----------------------------------------------------

# Two copies of the example (with the rows above), each a force with the same boroughs:
# a copy's ids are prefixed F0C0- (Northshire) or F1C0- (Southmoor).
TWO_FORCES = {"Northshire": (0,), "Southmoor": (0,)}
PREFIX = {"Northshire": "F0C0-", "Southmoor": "F1C0-"}


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("worklists-national")
    folder = write_national(root / "data", TWO_FORCES, example=v2_folder(root / "example_v2"))
    return warehouse(folder, root / "national.duckdb")


def export(source: Path, tmp_path: Path, *options: str,
           list_id: str = "disclosures_waiting") -> tuple[object, Path, list[dict]]:
    """Export ``list_id`` for 2007-08 from a copy of ``source``: the result, the copy and
    the rows written (none when refused)."""
    data = tmp_path / f"w{len(list(tmp_path.glob('w*.duckdb')))}.duckdb"
    shutil.copyfile(source, data)
    out = tmp_path / f"{data.stem}.csv"
    result = runner.invoke(app, ["worklists", "export", list_id, str(data), "--year",
                                 "2007-08", "--out", str(out), "--people", "exact",
                                 *options])
    written = list(csv.DictReader(out.open(encoding="utf-8"))) if out.exists() else []
    return result, data, written


def exports(data: Path) -> list[dict]:
    shown = runner.invoke(app, ["audit", "show", "--warehouse", str(data), "--json",
                                "--event", "export"])
    return [json.loads(line)["detail"] for line in shown.output.splitlines() if line.strip()]


def test_cli_exports_one_forces_list_alone(national, tmp_path):
    _, _, nation = export(national, tmp_path, list_id="bail_over_8_weeks")
    assert {r["bail_id"][:5] for r in nation} == set(PREFIX.values())
    for force, prefix in PREFIX.items():
        result, data, rows = export(national, tmp_path, "--force", force.upper(),
                                    list_id="bail_over_8_weeks")
        assert result.exit_code == 0, result.output
        assert rows and rows == [r for r in nation if r["bail_id"].startswith(prefix)]
        assert f", {force})" in result.output
        (detail,) = exports(data)
        assert detail["force"] == force and detail["borough"] is None
        assert detail["rows"] == len(rows)


def test_cli_exports_a_shared_borough_of_one_force(national, tmp_path):
    _, _, nation = export(national, tmp_path)
    result, data, rows = export(national, tmp_path, "--borough", "tower hamlets",
                                "--force", "southmoor")
    assert result.exit_code == 0, result.output
    assert rows and rows == [r for r in nation if r["borough"] == "Tower Hamlets"
                             and r["request_id"].startswith(PREFIX["Southmoor"])]
    (detail,) = exports(data)
    assert detail["force"] == "Southmoor" and detail["borough"] == "Southmoor / Tower Hamlets"
    assert detail["record_ids"] == [f"request_id:{r['request_id']}" for r in rows]
    # The borough as the output names it, with or without its force.
    for options in (["--borough", "Southmoor / Tower Hamlets"],
                    ["--borough", "southmoor / tower hamlets", "--force", "Southmoor"]):
        again, _, same = export(national, tmp_path, *options)
        assert again.exit_code == 0 and same == rows, again.output


@pytest.mark.parametrize(("source", "options", "words"), [
    ("national", ["--borough", "Tower Hamlets"],  # two forces have one
     ["more than one force", "Northshire / Tower Hamlets", "Southmoor / Tower Hamlets"]),
    ("national", ["--force", "Atlantis"],
     ["no force 'Atlantis' in the data", "Northshire, Southmoor"]),
    ("national", ["--force", "Northshire", "--borough", "Atlantis"],
     ["no borough 'Atlantis' in the data of Northshire", "Northshire / Tower Hamlets"]),
    ("v2", ["--force", "Northshire"], ["no force 'Northshire'", "the data set is one force"]),
], ids=["shared-borough", "unknown-force", "unknown-borough-of-force", "one-force-data"])
def test_cli_export_refuses_a_scope_it_cannot_tell(source, options, words, request,
                                                   tmp_path):
    result, data, rows = export(request.getfixturevalue(source), tmp_path, *options)
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())  # as the terminal wrapped it
    assert all(w in output for w in words), output
    assert not rows and not exports(data)
