"""`dvpi serve`, `dvpi users ...`, `dvpi audit ...`: the dashboard's command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dvpi.cli.application import app
from dvpi.cli.common import fail
from dvpi.warehouse import DEFAULT_WAREHOUSE, WarehouseError
from dvpi.warehouse.duckdb import check_file

console = Console()
err = Console(stderr=True)

WarehouseOption = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", "-w",
                               help="DuckDB warehouse file")
StateOption = typer.Option(None, "--state",
                           help="the dashboard's state file (default <warehouse>.web.sqlite)")

# Idle keep-alive connections are kept this long: a dashboard user reads a page for
# longer than uvicorn's default 5 s before the next click.
KEEP_ALIVE_SECONDS = 30

users_app = typer.Typer(help="Dashboard users: add, remove, list, issue API tokens.",
                        no_args_is_help=True)
audit_app = typer.Typer(help="The dashboard's hash-chained audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


def _store(warehouse: Path, state: Path | None):
    from dvpi.web.state import StateStore, default_state_path

    return StateStore(state or default_state_path(warehouse))


@app.command()
def serve(
    warehouse: Path = WarehouseOption,
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    state: Path | None = StateOption,
    secure_cookies: bool = typer.Option(
        True, "--secure-cookies/--no-secure-cookies",
        help="mark cookies Secure and send HSTS (turn off only for plain http off localhost)"),
) -> None:
    """Serve the dashboard and API over the warehouse."""
    import uvicorn

    from dvpi.web.app import create_app

    if not warehouse.exists():
        err.print(f"[yellow]no warehouse at {warehouse} yet: pages will say so until a load[/]")
    else:
        try:
            check_file(warehouse)
        except WarehouseError as exc:
            raise fail(str(exc)) from exc
    application = create_app(warehouse, state_path=state, secure_cookies=secure_cookies,
                             warm=True)
    console.print(f"dvpi dashboard on http://{host}:{port}/ over {warehouse}")
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
    role: str = typer.Option(..., help="admin, force_analyst, borough_user or partner"),
    borough: str | None = typer.Option(None, help="the borough of a borough_user"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="read the password from standard input"),
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
) -> None:
    """Add a user (asks for the password)."""
    from dvpi.web.audit import USER_ADDED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state)
    try:
        user = UserStore(store).add(username, _read_password(password_stdin), role, borough)
    except UserError as exc:
        err.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    AuditLog(store).append(USER_ADDED, None, username=user.username, role=user.role,
                           borough=user.borough)
    console.print(f"added {user.username} ({user.role}"
                  f"{', ' + user.borough if user.borough else ''})")


@users_app.command("remove")
def users_remove(username: str, warehouse: Path = WarehouseOption,
                 state: Path | None = StateOption) -> None:
    """Remove a user, their sessions and their API tokens."""
    from dvpi.web.audit import USER_REMOVED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state)
    try:
        UserStore(store).remove(username)
    except UserError as exc:
        err.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    AuditLog(store).append(USER_REMOVED, None, username=username.strip().lower())
    console.print(f"removed {username}")


@users_app.command("list")
def users_list(warehouse: Path = WarehouseOption, state: Path | None = StateOption) -> None:
    """List the users and their roles."""
    from dvpi.web.users import UserStore

    table = Table(title="dashboard users")
    for name in ("user", "role", "borough"):
        table.add_column(name)
    for u in UserStore(_store(warehouse, state)).list():
        table.add_row(u.username, u.role, u.borough or "")
    console.print(table)


@users_app.command("token")
def users_token(username: str, warehouse: Path = WarehouseOption,
                state: Path | None = StateOption) -> None:
    """Issue an API bearer token for a user (shown once; store it safely)."""
    from dvpi.web.audit import TOKEN_ISSUED, AuditLog
    from dvpi.web.users import UserError, UserStore

    store = _store(warehouse, state)
    try:
        token = UserStore(store).issue_token(username)
    except UserError as exc:
        err.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from exc
    AuditLog(store).append(TOKEN_ISSUED, None, username=username.strip().lower())
    print(token)


@audit_app.command("verify")
def audit_verify(warehouse: Path = WarehouseOption, state: Path | None = StateOption) -> None:
    """Check the hash chain: exit 0 when intact, 1 when an entry was altered or removed."""
    from dvpi.web.audit import AuditLog

    result = AuditLog(_store(warehouse, state)).verify()
    if result.ok:
        console.print(f"audit log intact: {result.entries} entries, head {result.head}")
        return
    err.print(f"[bold red]audit log BROKEN[/] after {result.entries} good entries: "
              f"{result.problem}")
    raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    limit: int = typer.Option(50, help="the newest N entries"),
    user: str | None = typer.Option(None, help="only this user's entries"),
    event: str | None = typer.Option(None, help="only this event (login, record_view ...)"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
    warehouse: Path = WarehouseOption,
    state: Path | None = StateOption,
) -> None:
    """Show audit entries, newest first."""
    from dvpi.web.audit import AuditLog

    entries = AuditLog(_store(warehouse, state)).entries(limit=limit, actor=user, event=event)
    if as_json:
        for e in entries:
            print(json.dumps({"seq": e.seq, "at": e.at, "actor": e.actor, "event": e.event,
                              "detail": e.detail, "hash": e.hash}))
        return
    table = Table(title="audit log (newest first)")
    for name in ("#", "at (UTC)", "who", "event", "detail"):
        table.add_column(name)
    for e in entries:
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items() if k != "report_ids")
        if e.detail.get("report_ids"):
            detail += f" reports={len(e.detail['report_ids'])}"
        table.add_row(str(e.seq), e.at[:19], e.actor or "", e.event, detail)
    console.print(table)
