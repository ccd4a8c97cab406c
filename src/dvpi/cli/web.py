"""`dvpi serve`, `dvpi users ...`, `dvpi audit ...`: the dashboard's command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import fail, os_user, plain, shown
from dvpi.warehouse import DEFAULT_WAREHOUSE, WarehouseError
from dvpi.warehouse.duckdb import check_file

console = Console()
err = Console(stderr=True)

WarehouseOption = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", "-w",
                               help="DuckDB warehouse file")
StateOption = typer.Option(None, "--state",
                           help="the dashboard's state file (default <warehouse>.web.sqlite)")
PasswordStdinOption = typer.Option(False, "--password-stdin",
                                   help="read the password from standard input")
KeyFileOption = typer.Option(
    None, "--key-file", envvar="DVPI_KEY_FILE",
    help="the key file (session and audit keys; default <state>.key): keep it elsewhere")

# Idle keep-alive connections are kept this long: a dashboard user reads a page for
# longer than uvicorn's default 5 s before the next click.
KEEP_ALIVE_SECONDS = 30

users_app = typer.Typer(help="Dashboard users: add, remove, list, passwords, API tokens.",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: list and revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The dashboard's keyed, chained audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
users_app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")


def _store(warehouse: Path, state: Path | None, key_file: Path | None = None):
    from dvpi.web.keys import KeyFileError
    from dvpi.web.state import StateStore, default_state_path

    try:
        return StateStore(state or default_state_path(warehouse), key_file=key_file)
    except (OSError, KeyFileError) as exc:
        raise fail(f"cannot open the dashboard's state: {exc}") from exc


def _forces(warehouse: Path) -> list[str]:
    """The forces of the warehouse (as the data spells them; none for one force)."""
    from dvpi.indicators.engine import forces_in

    return _scope_names(warehouse, forces_in, "the force", "")


def _boroughs(warehouse: Path) -> list[str]:
    """The boroughs of the warehouse (as the data spells them)."""
    from dvpi.indicators.engine import boroughs_in

    return _scope_names(warehouse, boroughs_in, "the borough", ", or pass --no-check-borough")


def _scope_names(warehouse: Path, lister, what: str, or_else: str) -> list[str]:
    """The names ``lister`` finds in the warehouse (none before any report is loaded)."""
    from dvpi.warehouse import open_warehouse

    if not warehouse.exists():
        raise fail(f"no warehouse at {warehouse} to check {what} against: load the "
                   f"data first{or_else}")
    try:
        with open_warehouse(warehouse, "read") as wh:
            if "reports" not in wh.tables():
                return []
            return [s.name for s in lister(wh.con)]
    except WarehouseError as exc:
        raise fail(str(exc)) from exc


@app.command()
def serve(
    warehouse: Path = WarehouseOption,
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    state: Path | None = StateOption,
    secure_cookies: bool = typer.Option(
        True, "--secure-cookies/--no-secure-cookies",
        help="mark cookies Secure and send HSTS (turn off only for plain http off localhost)"),
    trusted_proxy: list[str] = typer.Option(
        [], "--trusted-proxy",
        help="address or network of a reverse proxy whose X-Forwarded-For is believed "
             "(repeat for several); the client address is then the proxy's client"),
    proxy_header: str = typer.Option("X-Forwarded-For", "--proxy-header",
                                     help="the header a trusted proxy puts the client in"),
    key_file: Path | None = KeyFileOption,
    audit_head: Path | None = typer.Option(
        None, "--audit-head", envvar="DVPI_AUDIT_HEAD",
        help="append the audit chain's head here after every audit entry (a file shipped "
             "elsewhere: syslog, an append-only share)"),
    audit_head_interval: float = typer.Option(
        0.0, "--audit-head-interval", envvar="DVPI_AUDIT_HEAD_INTERVAL", min=0,
        help="write the head at most every N seconds instead (0: after every entry); "
             "entries after the last head can be cut off unseen"),
) -> None:
    """Serve the dashboard and API over the warehouse."""
    import ipaddress

    import uvicorn

    from dvpi.web.app import create_app
    from dvpi.web.auth import AuthPolicy

    for proxy in trusted_proxy:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise fail(f"--trusted-proxy {proxy!r} is not an address or network") from exc

    if not warehouse.exists():
        err.print(f"[yellow]no warehouse at {shown(warehouse)} yet: pages will say so until "
                  f"a load[/]")
    else:
        try:
            check_file(warehouse)
        except WarehouseError as exc:
            raise fail(str(exc)) from exc
    policy = AuthPolicy(trusted_proxies=tuple(trusted_proxy), proxy_header=proxy_header.lower())
    application = create_app(warehouse, state_path=state, secure_cookies=secure_cookies,
                             warm=True, policy=policy, key_file=key_file,
                             audit_head=audit_head,
                             audit_head_interval=audit_head_interval)
    console.print(f"dvpi dashboard on http://{shown(host)}:{port}/ over {shown(warehouse)}")
    uvicorn.run(application, host=host, port=port, log_level="warning",
                proxy_headers=False, server_header=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: str = typer.Option(
        ..., help="admin, force_analyst, borough_user, partner or force_user"),
    borough: str | None = typer.Option(None, help="the borough of a borough_user"),
    force: str | None = typer.Option(
        None, help="the force of a force_user (a warehouse of several forces; checked "
                   "against the warehouse's forces, case ignored)"),
    check_borough: bool = typer.Option(
        True, "--check-borough/--no-check-borough",
        help="refuse a borough that is not in the warehouse"),
    password_stdin: bool = PasswordStdinOption,
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
    key_file: Path | None = KeyFileOption,
) -> None:
    """Add a user (asks for the password)."""
    from dvpi.web.audit import USER_ADDED, AuditLog
    from dvpi.web.users import BOROUGH_USER, FORCE_USER, UserError, UserStore

    boroughs = _boroughs(warehouse) if borough and role == BOROUGH_USER and check_borough \
        else None
    # A force user's force is always checked: a force the data does not hold would
    # see nothing (and on a one-force warehouse the role means nothing).
    forces = _forces(warehouse) if force and role == FORCE_USER else None
    store = _store(warehouse, state, key_file)
    try:
        user = UserStore(store).add(username, _read_password(password_stdin), role, borough,
                                    boroughs=boroughs, force=force, forces=forces)
    except UserError as exc:
        raise fail(str(exc)) from exc
    AuditLog(store).append(USER_ADDED, os_user(), username=user.username, role=user.role,
                           borough=user.borough,
                           **({"force": user.force} if user.force else {}))
    place = user.borough or user.force
    console.print(f"added {shown(user.username)} ({shown(user.role)}"
                  f"{', ' + shown(place) if place else ''})")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password_stdin: bool = PasswordStdinOption,
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
    key_file: Path | None = KeyFileOption,
) -> None:
    """Set a user's password (asks for it); their sessions end."""
    from dvpi.web.audit import PASSWORD_CHANGED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state, key_file)
    try:
        user = UserStore(store).set_password(username, _read_password(password_stdin))
    except UserError as exc:
        raise fail(str(exc)) from exc
    AuditLog(store).append(PASSWORD_CHANGED, os_user(), username=user.username)
    console.print(f"password changed for {shown(user.username)}; their sessions ended")


@users_app.command("remove")
def users_remove(username: str, warehouse: Path = WarehouseOption,
                 state: Path | None = StateOption,
                 key_file: Path | None = KeyFileOption) -> None:
    """Remove a user, their sessions and their API tokens."""
    from dvpi.web.audit import USER_REMOVED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state, key_file)
    try:
        UserStore(store).remove(username)
    except UserError as exc:
        raise fail(str(exc)) from exc
    AuditLog(store).append(USER_REMOVED, os_user(), username=username.strip().lower())
    console.print(f"removed {shown(username)}")


@users_app.command("list")
def users_list(warehouse: Path = WarehouseOption, state: Path | None = StateOption,
               key_file: Path | None = KeyFileOption) -> None:
    """List the users and their roles."""
    from dvpi.web.users import UserStore

    table = Table(title="dashboard users")
    for name in ("user", "role", "borough", "force"):
        table.add_column(name)
    for u in UserStore(_store(warehouse, state, key_file)).list():
        table.add_row(shown(u.username), shown(u.role), shown(u.borough or ""),
                      shown(u.force or ""))
    console.print(table)


@users_app.command("token")
def users_token(username: str,
                days: float = typer.Option(90, "--days", help="the token expires after this"),
                warehouse: Path = WarehouseOption,
                state: Path | None = StateOption,
                key_file: Path | None = KeyFileOption) -> None:
    """Issue an API bearer token for a user (shown once; store it safely)."""
    from dvpi.web.audit import TOKEN_ISSUED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state, key_file)
    users = UserStore(store)
    try:
        token = users.issue_token(username, days=days)
    except UserError as exc:
        raise fail(str(exc)) from exc
    AuditLog(store).append(TOKEN_ISSUED, os_user(), username=username.strip().lower(),
                           token_id=users.token_id(token), days=days)
    print(token)


def _when(epoch: float | None) -> str:
    import datetime as dt

    if epoch is None:
        return "never"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M")


@tokens_app.command("list")
def tokens_list(user: str | None = typer.Option(None, "--user", help="only this user's"),
                warehouse: Path = WarehouseOption, state: Path | None = StateOption,
                key_file: Path | None = KeyFileOption) -> None:
    """List API tokens: id, user, issued, expires, last used (never the token)."""
    from dvpi.web.users import UserStore

    table = Table(title="API tokens")
    for name in ("id", "user", "issued (UTC)", "expires (UTC)", "last used (UTC)"):
        table.add_column(name)
    for t in UserStore(_store(warehouse, state, key_file)).tokens(user):
        table.add_row(t.token_id, shown(t.username), shown(t.created_at[:16]),
                      _when(t.expires_at) + (" (expired)" if t.expired else ""),
                      _when(t.last_used_at))
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: str = typer.Argument(..., help="the id from `tokens list`"),
                  warehouse: Path = WarehouseOption, state: Path | None = StateOption,
                  key_file: Path | None = KeyFileOption) -> None:
    """Revoke an API token at once."""
    from dvpi.web.audit import TOKEN_REVOKED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state, key_file)
    try:
        info = UserStore(store).revoke_token(token_id)
    except UserError as exc:
        raise fail(str(exc)) from exc
    AuditLog(store).append(TOKEN_REVOKED, os_user(), username=info.username,
                           token_id=info.token_id)
    console.print(f"revoked token {info.token_id} of {shown(info.username)}")


def _audit_store(warehouse: Path, state: Path | None, key_file: Path | None):
    """The store, read-only (``audit verify``/``show``): never created, migrated or
    written, nor its key file made. Raises StateStoreError when there is no audit log."""
    from dvpi.web.state import StateStore, default_state_path

    return StateStore(state or default_state_path(warehouse), key_file=key_file,
                      read_only=True)


@audit_app.command("verify")
def audit_verify(
    against: Path | None = typer.Option(
        None, "--against", help="a head file exported earlier (kept elsewhere): fail if the "
                                "log no longer holds that head"),
    export_head: Path | None = typer.Option(
        None, "--export-head", envvar="DVPI_AUDIT_HEAD",
        help="append the head to this file after a good verify (keep it elsewhere)"),
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
    key_file: Path | None = KeyFileOption,
) -> None:
    """Check the chain: exit 0 when intact; 1 when an entry was altered, removed or cut
    off, or there is no log to check (store missing, empty or not a store; no key file).

    Read-only: it never creates the store, a table, the key file or an entry. Run it
    regularly with --against and --export-head on the same head file kept elsewhere.
    """
    import sqlite3

    from dvpi.web.audit import AuditLog, read_head
    from dvpi.web.keys import KeyFileError
    from dvpi.web.state import StateStoreError

    head = None
    if against is not None:
        try:
            head = read_head(against)
        except (OSError, ValueError) as exc:
            raise fail(f"cannot read the head file: {exc}") from exc
    try:
        log = AuditLog(_audit_store(warehouse, state, key_file))
        result = log.verify(against=head)
    except (StateStoreError, KeyFileError, sqlite3.Error, OSError) as exc:
        err.print(f"[bold red]audit log NOT verified[/]: {shown(str(exc))}")
        raise typer.Exit(1) from exc
    if not result.ok:
        err.print(f"[bold red]audit log BROKEN[/] after {result.entries} good entries: "
                  f"{shown(result.problem)}")
        raise typer.Exit(1)
    legacy = f" ({result.keyed_from - 1} legacy entries before the key)" \
        if result.keyed_from and result.keyed_from > 1 else ""
    checked = f"; holds the head of {shown(against)} (entry {head['seq']})" if head else ""
    console.print(f"audit log intact: {result.entries} entries{legacy}, head "
                  f"{shown(result.head)}{checked}")
    if export_head is not None:
        log.export_head(export_head)
        console.print(f"head appended to {shown(export_head)}")


@audit_app.command("show")
def audit_show(
    limit: int = typer.Option(50, help="the newest N entries"),
    user: str | None = typer.Option(None, help="only this user's entries"),
    event: str | None = typer.Option(None, help="only this event (login, record_view ...)"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
    key_file: Path | None = KeyFileOption,
) -> None:
    """Show audit entries, newest first (data shown as text: markup and control
    characters in names are escaped)."""
    import sqlite3

    from dvpi.web.audit import AuditLog
    from dvpi.web.state import StateStoreError

    try:  # read-only, like verify: never creates the store or the key file
        entries = AuditLog(_audit_store(warehouse, state, key_file)).entries(
            limit=limit, actor=user, event=event)
    except (StateStoreError, sqlite3.Error, OSError) as exc:
        raise fail(f"cannot show the audit log: {exc}") from exc
    if as_json:  # json.dumps escapes every control character
        for e in entries:
            print(json.dumps({"seq": e.seq, "at": e.at, "actor": e.actor, "event": e.event,
                              "detail": e.detail, "hash": e.hash}))
        return
    table = Table(title="audit log (newest first)")
    for name in ("#", "at (UTC)", "who", "event", "detail"):
        table.add_column(name)
    for e in entries:
        detail = " ".join(f"{plain(k)}={plain(v)}" for k, v in e.detail.items()
                          if k != "report_ids")
        if e.detail.get("report_ids"):
            detail += f" reports={len(e.detail['report_ids'])}"
        table.add_row(str(e.seq), shown(e.at[:19]), shown(e.actor or ""), shown(e.event),
                      shown(detail))
    console.print(table)
