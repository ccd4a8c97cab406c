"""The hash-chained audit log, what the application writes to it, and the CLI."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dvpi.cli import app as cli
from dvpi.web.app import create_app
from dvpi.web.audit import AuditLog
from dvpi.web.state import StateStore
from web_fakes import csrf_of, fake_engine, login, unlocked_store

PASSWORD = "a long enough password"
OWN = "Tower Hamlets"


@pytest.fixture
def log(tmp_path) -> AuditLog:
    audit = AuditLog(StateStore(tmp_path / "state.sqlite"))
    for i in range(5):
        audit.append("record_view", f"user{i}", report_ids=[f"R{i}"], n=i)
    return audit


def test_a_clean_chain_verifies(log):
    result = log.verify()
    assert result.ok and result.entries == 6  # the keyed start entry, then the five
    entries = log.entries()
    assert [e.seq for e in entries] == [6, 5, 4, 3, 2, 1]
    assert entries[-1].event == "audit_keyed"
    # Each entry's hash is the next entry's prev_hash.
    for newer, older in itertools.pairwise(entries):
        assert newer.prev_hash == older.hash


def test_the_database_refuses_changes(log):
    with sqlite3.connect(log.store.path) as con:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit_log WHERE seq = 2")


@pytest.mark.parametrize("tamper, seq", [
    ("UPDATE audit_log SET detail = replace(detail, 'R2', 'R9') WHERE seq = 4", 4),
    ("UPDATE audit_log SET actor = 'someone' WHERE seq = 2", 2),
    ("DELETE FROM audit_log WHERE seq = 5", 6),
    ("UPDATE audit_log SET at = '2000-01-01T00:00:00' WHERE seq = 6", 6),
    ("UPDATE audit_log SET detail = '{}' WHERE seq = 1", 1),
])
def test_tampering_is_detected(log, tamper, seq):
    con = unlocked_store(log.store.path)
    con.execute(tamper)
    con.commit()
    con.close()
    result = log.verify()
    assert not result.ok and result.bad_seq == seq


def test_rewriting_an_entry_with_a_fresh_hash_is_detected_at_that_entry(log):
    """Without the key only a plain SHA-256 can be computed: the forged entry itself
    fails (it was the next link, when the chain was plain SHA-256)."""
    from dvpi.web.audit import entry_hash

    con = unlocked_store(log.store.path)
    seq, at, actor, event, _detail, prev = con.execute(
        "SELECT seq, at, actor, event, detail, prev_hash FROM audit_log WHERE seq = 3"
    ).fetchone()
    forged = json.dumps({"n": 1, "report_ids": []})
    con.execute("UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 3",
                (forged, entry_hash(seq, at, actor, event, forged, prev)))
    con.commit()
    con.close()
    result = log.verify()
    assert not result.ok and result.bad_seq == 3


def test_the_application_logs_logins_failures_views_and_exports(example_warehouse, tmp_path):
    template = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    state = tmp_path / "state.sqlite"
    app = create_app(example_warehouse, state_path=state, secure_cookies=False,
                     engine=fake_engine(template))
    app.state.dashboard.users.add("bu", PASSWORD, "borough_user", OWN)
    client = TestClient(app, follow_redirects=False)
    login(client, "bu", "not the password")
    login(client, "bu", PASSWORD)
    period = "?start=2007-04-01&end=2008-03-31"
    assert client.get(f"/boroughs/{quote(OWN)}/worklists{period}").status_code == 200
    assert client.get(f"/boroughs/{quote(OWN)}/worklists/flag_audit.csv{period}"
                      ).status_code == 200
    assert client.get("/boroughs/Waltham%20Forest/worklists").status_code == 403
    csrf = csrf_of(client.get("/methodology").text)
    drawn = client.post(f"/boroughs/{quote(OWN)}/dip-samples",
                        data={"csrf_token": csrf, "size": "2", "start": "2007-04-01",
                              "end": "2008-03-31"})
    client.get(drawn.headers["location"])
    client.get(f"/api/indicators?borough={quote(OWN)}")
    audit = app.state.dashboard.audit
    events = [e.event for e in reversed(audit.entries())]
    assert events == ["audit_keyed", "login_failed", "login", "record_view", "export",
                      "access_denied", "dip_sample_drawn", "record_view", "export"]
    view = audit.entries(event="record_view")[-1]
    assert view.actor == "bu" and view.detail["report_ids"] == ["flag_audit-Tower Hamlets-1",
                                                               "risk_gaps-Tower Hamlets-1"]
    assert audit.verify().ok

    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--warehouse", str(example_warehouse),
                             "--state", str(state)])
    assert ok.exit_code == 0 and "intact" in ok.output
    shown = runner.invoke(cli, ["audit", "show", "--json", "--event", "login", "--state",
                                str(state), "--warehouse", str(example_warehouse)])
    assert shown.exit_code == 0
    assert [json.loads(line)["actor"] for line in shown.output.splitlines()] == ["bu"]
    con = unlocked_store(state)
    con.execute("UPDATE audit_log SET actor = 'nobody' WHERE event = 'export'")
    con.commit()
    con.close()
    broken = runner.invoke(cli, ["audit", "verify", "--state", str(state),
                                 "--warehouse", str(example_warehouse)])
    assert broken.exit_code == 1


def test_the_server_keeps_the_exported_head_current(example_warehouse, tmp_path):
    """F4: with a head file, every entry the application writes is followed by its
    head, so cutting off the newest entries fails `verify --against` at once."""
    from dvpi.web.audit import read_head

    template = json.loads((Path(__file__).parent / "data/example/expected.json").read_text())
    state, heads = tmp_path / "state.sqlite", tmp_path / "heads.jsonl"
    app = create_app(example_warehouse, state_path=state, secure_cookies=False,
                     engine=fake_engine(template), audit_head=heads)
    app.state.dashboard.users.add("bu", PASSWORD, "borough_user", OWN)
    client = TestClient(app, follow_redirects=False)
    login(client, "bu", "not the password")
    login(client, "bu", PASSWORD)
    client.get(f"/boroughs/{quote(OWN)}/worklists?start=2007-04-01&end=2008-03-31")
    audit = app.state.dashboard.audit
    newest = audit.entries(limit=1)[0]
    assert newest.event == "record_view" and read_head(heads)["seq"] == newest.seq
    con = unlocked_store(state)
    con.execute("DELETE FROM audit_log WHERE seq = ?", (newest.seq,))
    con.commit()
    con.close()
    cut = CliRunner().invoke(cli, ["audit", "verify", "--warehouse", str(example_warehouse),
                                   "--state", str(state), "--against", str(heads)])
    assert cut.exit_code == 1 and "removed from the end" in cut.output


def test_users_cli(tmp_path):
    runner = CliRunner()
    wh = ["--warehouse", str(tmp_path / "w.duckdb")]
    add = runner.invoke(cli, ["users", "add", "Ann", "--role", "borough_user", "--borough",
                              "Hackney", "--no-check-borough", "--password-stdin", *wh],
                        input=PASSWORD + "\n")
    assert add.exit_code == 0, add.output
    bad = runner.invoke(cli, ["users", "add", "bob", "--role", "borough_user",
                              "--password-stdin", *wh], input=PASSWORD + "\n")
    assert bad.exit_code == 2
    listed = runner.invoke(cli, ["users", "list", *wh])
    assert "ann" in listed.output and "Hackney" in listed.output
    token = runner.invoke(cli, ["users", "token", "ann", *wh]).output.strip()
    store = StateStore(tmp_path / "w.duckdb.web.sqlite")
    from dvpi.web.users import UserStore

    assert UserStore(store).user_for_token(token).borough == "Hackney"
    assert runner.invoke(cli, ["users", "remove", "ann", *wh]).exit_code == 0
    assert UserStore(store).user_for_token(token) is None
    assert runner.invoke(cli, ["users", "remove", "ann", *wh]).exit_code == 2
    events = [e.event for e in reversed(AuditLog(store).entries())]
    assert events == ["audit_keyed", "user_added", "token_issued", "user_removed"]
