"""Issue 14, items 4, 5 and 9: the audit log against someone who can write the store,
audit data shown safely by the CLI, and every CLI export of records audited.

The tampering here is real: the append-only triggers are dropped and the SQLite file
is rewritten as an attacker with write access to it would.
"""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dvpi.cli import app as cli
from dvpi.web.audit import AuditLog, entry_hash
from dvpi.web.state import StateStore
from web_fakes import unlocked_store

runner = CliRunner()


def _store_args(state: Path) -> list[str]:
    return ["--warehouse", str(state.parent / "w.duckdb"), "--state", str(state)]


@pytest.fixture
def state(tmp_path) -> Path:
    """A store with 30 entries: 19 of them ``ana``'s record views and exports."""
    path = tmp_path / "state.sqlite"
    log = AuditLog(StateStore(path))
    for i in range(30):
        if i % 3:
            log.append("record_view" if i % 2 else "export", "ana", report_ids=[f"R{i}"])
        else:
            log.append("login", f"user{i}")
    return path


def _rechain(con: sqlite3.Connection) -> None:
    """What the attacker of the issue did: renumber and re-hash every entry (SHA-256,
    which anyone can compute), so each one follows the one before."""
    rows = con.execute("SELECT at, actor, event, detail FROM audit_log ORDER BY seq").fetchall()
    con.execute("DELETE FROM audit_log")
    prev = "0" * 64
    for seq, (at, actor, event, detail) in enumerate(rows, start=1):
        digest = entry_hash(seq, at, actor, event, detail, prev)
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (seq, at, actor, event, detail, prev, digest))
        prev = digest
    con.commit()


def _verify(state: Path, *extra: str):
    return runner.invoke(cli, ["audit", "verify", *_store_args(state), *extra])


def test_a_clean_keyed_log_verifies(state):
    result = _verify(state)
    assert result.exit_code == 0, result.output
    assert "intact: 31 entries" in result.output  # the start entry and the 30


def test_deleting_a_users_entries_and_rehashing_is_detected(state):
    con = unlocked_store(state)
    assert con.execute("DELETE FROM audit_log WHERE actor = 'ana'").rowcount == 20
    _rechain(con)
    con.close()
    result = _verify(state)
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_rewriting_with_the_store_alone_cannot_forge_a_mac(state):
    """Even knowing the scheme, without the key file the MAC cannot be recomputed:
    a re-chain with a guessed key fails too."""
    import hashlib
    import hmac

    con = unlocked_store(state)
    rows = con.execute("SELECT seq, at, actor, event, detail FROM audit_log ORDER BY seq"
                       ).fetchall()
    con.execute("DELETE FROM audit_log")
    prev = "0" * 64
    guessed_key = b"\0" * 32
    for seq, at, actor, event, detail in rows:
        payload = json.dumps([seq, at, actor, event, detail, prev], ensure_ascii=False,
                             separators=(",", ":")).encode()
        digest = "hmac:" + hmac.new(guessed_key, payload, hashlib.sha256).hexdigest()
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (seq, at, actor, event, detail.replace("R1", "R9"), prev, digest))
        prev = digest
    con.commit()
    con.close()
    assert _verify(state).exit_code == 1


def test_an_emptied_log_fails(state):
    con = unlocked_store(state)
    con.execute("DELETE FROM audit_log")
    con.commit()
    con.close()
    result = _verify(state)
    assert result.exit_code == 1 and "empty" in result.output


def _snapshot(folder: Path) -> dict[str, bytes]:
    """The files in ``folder`` (not the -shm: SQLite's shared-memory index, which every
    reader updates, holds no data)."""
    gc.collect()  # close this process's connections (the last one checkpoints the WAL)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith("-shm")}


@pytest.mark.parametrize("how", ["truncated", "deleted", "uninitialised", "not_sqlite"])
def test_verify_of_an_emptied_or_deleted_store_fails_and_creates_nothing(state, how):
    """F3: verify used to open the store for writing, start a fresh keyed chain in an
    emptied or missing store and then report it intact ("1 entries", exit 0)."""
    gc.collect()  # the fixture's connections closed: the WAL is back in the store file
    if how == "truncated":
        state.write_bytes(b"")
    elif how == "deleted":
        state.unlink()
        for side in ("-wal", "-shm"):
            state.with_name(state.name + side).unlink(missing_ok=True)
    elif how == "uninitialised":
        state.unlink()
        with sqlite3.connect(state) as con:
            con.execute("CREATE TABLE other (x)")
        con.close()
    else:
        state.write_bytes(b"not a database at all, " * 100)
    before = _snapshot(state.parent)
    result = _verify(state)
    assert result.exit_code == 1, result.output
    assert "intact" not in result.output and "NOT verified" in result.output
    assert {"truncated": "empty", "deleted": "no state store",
            "uninitialised": "no audit log", "not_sqlite": "cannot read"}[how] \
        in " ".join(result.output.split())
    assert _snapshot(state.parent) == before  # no store, table, key or entry written
    again = _verify(state)  # and a second run does not find a log the first one made
    assert again.exit_code == 1 and "intact" not in again.output


def test_verify_and_show_never_create_a_store_or_a_key_file(tmp_path):
    state, key = tmp_path / "state.sqlite", tmp_path / "elsewhere.key"
    result = _verify(state, "--key-file", str(key))
    assert result.exit_code == 1 and "no state store" in " ".join(result.output.split())
    shown = runner.invoke(cli, ["audit", "show", *_store_args(state), "--key-file", str(key)])
    assert shown.exit_code != 0 and "no state store" in " ".join(shown.output.split())
    assert list(tmp_path.iterdir()) == []


def test_verify_without_the_key_file_fails_and_creates_no_key(state, tmp_path):
    key = tmp_path / "missing.key"
    result = _verify(state, "--key-file", str(key))
    assert result.exit_code == 1 and "no key file" in " ".join(result.output.split())
    assert not key.exists()
    assert runner.invoke(cli, ["audit", "show", "--json", *_store_args(state),
                               "--key-file", str(key)]).exit_code == 0  # show needs no key
    assert not key.exists()


def test_verify_and_show_do_not_write_to_an_intact_store(state, tmp_path):
    count = len(AuditLog(StateStore(state)).entries())
    before = _snapshot(state.parent)
    assert _verify(state).exit_code == 0
    assert runner.invoke(cli, ["audit", "show", *_store_args(state)]).exit_code == 0
    after = _snapshot(state.parent)
    wal = state.with_name(state.name + "-wal")
    if "state.sqlite-wal" not in before:  # a reader of a WAL store may leave it empty
        assert after.pop(wal.name, b"") == b""
        assert not wal.exists() or (wal.stat().st_mode & 0o777) == 0o600
    assert after == before
    assert len(AuditLog(StateStore(state)).entries()) == count


def test_a_read_only_store_refuses_to_append(state):
    from dvpi.web.state import StateStore as Store

    log = AuditLog(Store(state, read_only=True))
    assert log.verify().ok
    with pytest.raises(sqlite3.OperationalError):
        log.append("login", "eve")


def test_the_store_holds_no_key_and_the_key_file_is_private(state):
    key = state.with_name(state.name + ".key")
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert (state.stat().st_mode & 0o777) == 0o600
    secret = key.read_text().strip()
    assert secret not in state.read_bytes().decode("latin-1")
    with sqlite3.connect(state) as con:
        assert con.execute("SELECT count(*) FROM meta WHERE key = 'secret_key'"
                           ).fetchone()[0] == 0


def test_a_shortened_chain_fails_against_the_exported_head(state, tmp_path):
    heads = tmp_path / "elsewhere" / "heads.jsonl"
    exported = _verify(state, "--export-head", str(heads))
    assert exported.exit_code == 0 and heads.exists()
    assert (heads.stat().st_mode & 0o777) == 0o600
    assert _verify(state, "--against", str(heads)).exit_code == 0
    # An older copy of the store, restored: a valid chain, but shorter than the head.
    backup = sqlite3.connect(tmp_path / "backup.sqlite")
    with sqlite3.connect(state) as live:
        live.backup(backup)
    AuditLog(StateStore(state)).append("export", "ana", report_ids=["R99"])
    assert _verify(state, "--export-head", str(heads)).exit_code == 0
    with sqlite3.connect(state) as live:
        backup.backup(live)  # the older copy written back over the store
    backup.close()
    assert _verify(state).exit_code == 0  # the key alone cannot tell
    cut = _verify(state, "--against", str(heads))
    assert cut.exit_code == 1 and "removed from the end" in cut.output
    # Cutting the newest entries off in place: the same.
    con = unlocked_store(state)
    con.execute("DELETE FROM audit_log WHERE seq > 20")
    con.commit()
    con.close()
    assert _verify(state, "--against", str(heads)).exit_code == 1


def test_a_forged_head_file_is_refused(state, tmp_path):
    heads = tmp_path / "heads.jsonl"
    _verify(state, "--export-head", str(heads))
    head = json.loads(heads.read_text().splitlines()[-1])
    head["seq"] = 3  # "the log was only 3 entries long"
    heads.write_text(json.dumps(head) + "\n")
    result = _verify(state, "--against", str(heads))
    assert result.exit_code == 1 and "head file" in result.output


def test_the_server_exports_the_head_at_intervals(tmp_path):
    heads = tmp_path / "heads.jsonl"
    log = AuditLog(StateStore(tmp_path / "s.sqlite"), head_file=heads, head_interval=0)
    for i in range(3):
        log.append("login", f"u{i}")
    lines = [json.loads(x) for x in heads.read_text().splitlines()]
    assert [h["seq"] for h in lines] == [2, 3, 4]
    assert log.verify(against=lines[-1]).ok


def test_the_head_is_exported_after_every_append_by_default(tmp_path):
    """F4: with a head file the server exports the head after every append (it was at
    most once a minute, so the newest minute of entries could be cut off unseen)."""
    from dvpi.web.audit import read_head

    heads = tmp_path / "heads.jsonl"
    log = AuditLog(StateStore(tmp_path / "s.sqlite"), head_file=heads)
    for i in range(5):
        entry = log.append("login", f"u{i}")
        assert read_head(heads)["seq"] == entry.seq
    assert len(heads.read_text().splitlines()) == 5
    assert (heads.stat().st_mode & 0o777) == 0o600
    assert log.verify(against=read_head(heads)).ok


def test_a_head_interval_still_exports_at_most_every_interval(tmp_path):
    heads = tmp_path / "heads.jsonl"
    log = AuditLog(StateStore(tmp_path / "s.sqlite"), head_file=heads, head_interval=3600)
    for i in range(3):
        log.append("login", f"u{i}")
    assert [json.loads(x)["seq"] for x in heads.read_text().splitlines()] == [2]


def test_serve_exports_the_head_after_every_append(tmp_path, monkeypatch):
    """`dvpi serve --audit-head` (or $DVPI_AUDIT_HEAD) passes the head file on with no
    interval unless --audit-head-interval asks for one."""
    import uvicorn

    import dvpi.web.app as web_app

    seen: list[dict] = []
    monkeypatch.setattr(web_app, "create_app", lambda *a, **kw: seen.append(kw) or object())
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    heads = tmp_path / "heads.jsonl"
    args = ["serve", "--warehouse", str(tmp_path / "w.duckdb")]
    assert runner.invoke(cli, [*args, "--audit-head", str(heads)]).exit_code == 0
    assert runner.invoke(cli, args, env={"DVPI_AUDIT_HEAD": str(heads)}).exit_code == 0
    assert runner.invoke(cli, [*args, "--audit-head", str(heads),
                               "--audit-head-interval", "5"]).exit_code == 0
    assert [(kw["audit_head"], kw["audit_head_interval"]) for kw in seen] == [
        (heads, 0.0), (heads, 0.0), (heads, 5.0)]


def _legacy_store(path: Path, n: int) -> None:
    """A store as the previous version wrote it: plain SHA-256 chain, secret in meta,
    plaintext session ids, files 0644."""
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
            role TEXT NOT NULL, borough TEXT, created_at TEXT NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0);
        CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE sessions (session_id TEXT PRIMARY KEY, username TEXT NOT NULL,
            csrf_token TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL);
        CREATE TABLE login_failures (client TEXT NOT NULL, at REAL NOT NULL);
        CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT,
            event TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        INSERT INTO meta VALUES ('secret_key', 'the-old-secret');
        INSERT INTO users VALUES ('ann', 'x', 'admin', NULL, '2024-01-01', 0, 0);
        INSERT INTO tokens VALUES ('abc', 'ann', '2024-01-01');
        INSERT INTO sessions VALUES ('plaintext-session-id', 'ann', 'c', 0, 9e12);
    """)
    prev = "0" * 64
    for seq in range(1, n + 1):
        at, detail = f"2024-01-01T00:00:{seq:02d}", json.dumps({"n": seq})
        digest = entry_hash(seq, at, "ann", "login", detail, prev)
        con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (seq, at, "ann", "login", detail, prev, digest))
        prev = digest
    con.commit()
    con.close()
    path.chmod(0o644)


def test_migration_gives_users_a_force_column(tmp_path):
    from dvpi.web.users import User, UserStore

    path = tmp_path / "old.sqlite"
    _legacy_store(path, 1)
    users = UserStore(StateStore(path))
    assert users.get("ann") == User("ann", "admin", None, None)
    users.add("kim", "a long enough password", "force_user", force="Force A")
    assert users.get("kim").force == "Force A"


def test_migration_keeps_a_legacy_chain_then_keys_it(tmp_path):
    path = tmp_path / "old.sqlite"
    _legacy_store(path, 4)
    log = AuditLog(StateStore(path))
    start = log.entries(limit=1)[0]
    assert start.event == "audit_keyed" and start.seq == 5
    assert start.detail["legacy_entries"] == 4 and start.detail["legacy_intact"]
    log.append("login", "ann")
    result = log.verify()
    assert result.ok and result.entries == 6 and result.keyed_from == 5
    assert (path.stat().st_mode & 0o777) == 0o600
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM meta WHERE key = 'secret_key'"
                           ).fetchone()[0] == 0
        assert "plaintext-session-id" not in [r[0] for r in con.execute(
            "SELECT * FROM sessions")]
        assert con.execute("SELECT expires_at FROM tokens").fetchone()[0] > 0
    # Reopening does not start the keyed chain again.
    AuditLog(StateStore(path))
    assert AuditLog(StateStore(path)).verify().entries == 6
    # The legacy part can no longer be rewritten unnoticed either: it is chained into
    # the keyed start entry.
    con = unlocked_store(path)
    con.execute("DELETE FROM audit_log WHERE seq = 2")
    con.commit()
    con.close()
    assert not AuditLog(StateStore(path)).verify().ok


def test_downgrading_a_keyed_log_to_a_plain_chain_fails(state):
    """The attacker rewrites the whole log as legacy SHA entries (no key needed)."""
    con = unlocked_store(state)
    con.execute("DELETE FROM audit_log WHERE event = 'audit_keyed'")
    _rechain(con)
    con.close()
    result = _verify(state)
    assert result.exit_code == 1 and "no keyed entry" in result.output


# --- item 5: showing audit data -------------------------------------------------------------


HOSTILE = ["[red]ana[/red]", "[bold]x", "ana\x1b[2J\x1b[31mroot", "eve\nseq 99 admin",
           "bob\u202etxt.exe", "[/]", "a\\[b]"]


def test_audit_show_prints_hostile_names_as_text(tmp_path):
    state = tmp_path / "state.sqlite"
    log = AuditLog(StateStore(state))
    for name in HOSTILE:
        log.append("login_failed", None, username=name, client="[link=http://x]c[/link]")
        log.append("login", name)
    shown = runner.invoke(cli, ["audit", "show", "--limit", "100", *_store_args(state)],
                          env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert "\x1b" not in out and "\u202e" not in out
    assert "[red]ana[/red]" in out and "[link=http://x]c[/link]" in out
    assert "\\x1b[2J" in out and "eve\\nseq 99 admin" in out
    as_json = runner.invoke(cli, ["audit", "show", "--json", *_store_args(state)])
    assert as_json.exit_code == 0 and "\x1b" not in as_json.output


def test_cli_prints_data_as_text(tmp_path):
    """users list and token commands show hostile data literally (names are restricted
    to safe characters on the way in, but boroughs come from data)."""
    from dvpi.cli.common import plain, shown

    assert shown("[red]x[/red]") == "\\[red]x\\[/red]"
    assert plain("a\x1bb\x07\x9b\u2066") == "a\\x1bb\\x07\\x9b\\u2066"
    state = tmp_path / "state.sqlite"
    store = StateStore(state)
    with store.connect() as con:
        con.execute("INSERT INTO users(username, password_hash, role, borough, created_at) "
                    "VALUES ('bu', 'x', 'borough_user', '[red]Hack\x1b[0mney', 'now')")
    listed = runner.invoke(cli, ["users", "list", *_store_args(state)],
                           env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "[red]Hack" in listed.output and "\x1b" not in listed.output


# --- item 9: CLI exports audited ------------------------------------------------------------


def test_quarantine_export_is_audited_and_private(tmp_path, example_dir):
    from dvpi.ingest import load_dataset

    data = tmp_path / "data"
    shutil.copytree(example_dir, data)
    reports = data / "reports.csv"
    reports.write_text(reports.read_text() + "not,a,valid,row\n")
    warehouse = tmp_path / "w.duckdb"
    load_dataset(data, warehouse)
    out = tmp_path / "q.csv"
    result = runner.invoke(cli, ["quarantine", "--warehouse", str(warehouse), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out.stat().st_mode & 0o777) == 0o600
    assert (warehouse.stat().st_mode & 0o777) == 0o600
    log = AuditLog(StateStore(Path(str(warehouse) + ".web.sqlite")))
    entry = log.entries(event="export")[0]
    assert entry.actor.startswith("os:")
    assert entry.detail["what"] == "quarantine" and entry.detail["rows"] >= 1
    assert entry.detail["file"] == str(out)
    assert log.verify().ok


@pytest.mark.slow
def test_restricted_pack_is_audited_and_private(tmp_path, example_warehouse):
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(example_warehouse, warehouse)
    out = tmp_path / "packs"
    result = runner.invoke(cli, ["pack", str(warehouse), "--week-ending", "2008-03-30",
                                 "--out", str(out), "--people", "exact"])
    assert result.exit_code == 0, result.output
    files = list(out.iterdir())
    assert files and all((f.stat().st_mode & 0o777) == 0o600 for f in files)
    assert (out.stat().st_mode & 0o777) == 0o700
    log = AuditLog(StateStore(Path(str(warehouse) + ".web.sqlite")))
    entry = log.entries(event="export")[0]
    assert entry.actor.startswith("os:") and entry.detail["what"] == "restricted_pack"
    assert entry.detail["rows"] > 0 and entry.detail["files"]
