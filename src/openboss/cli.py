"""The ``openboss`` command: run the demo, the API, the worker; migrate; manage users.

Long jobs show Rich progress bars.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from openboss.catalog.cli import catalog_app
from openboss.config import Settings, get_settings
from openboss.fulfilment.engine.cli import app as process_app
from openboss.resource.cli import resource_app
from openboss.workforce.assessment.cli import assessment_app
from openboss.workforce.cli import dispatch_app
from openboss.workforce.rostering.cli import roster_app

if TYPE_CHECKING:
    from openboss.db import Database

app = typer.Typer(help="OpenBOSS: BSS/OSS for converged telecom operators.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users and partner API clients.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(dispatch_app, name="dispatch")
app.add_typer(roster_app, name="roster")
app.add_typer(assessment_app, name="assessment")
app.add_typer(catalog_app, name="catalog")
app.add_typer(resource_app, name="resource")
app.add_typer(process_app, name="process")


@resource_app.callback()
def _resource_places() -> None:
    """Resource inventory: specs, pools and stock, availability, import, reconciliation."""
    import openboss.party.address.places  # noqa: F401 - buildings by code for the resource jobs


console = Console()
err = Console(stderr=True)


def _database(settings: Settings) -> Database:
    from openboss.db import Database

    # Every Database installs the audit hook itself.
    return Database(settings.database_url, pool_size=settings.db_pool_size)


def _upgrade(settings: Settings) -> None:
    from openboss.db.migrate import upgrade

    with console.status("Migrating the database…"):
        upgrade(settings.database_url)
    console.print(f"[green]Database at head[/green]: {settings.database_url}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    _upgrade(get_settings())


@db_app.command("heads")
def db_heads() -> None:
    """Show the migration heads of this code."""
    from openboss.db.migrate import current_heads

    console.print(", ".join(current_heads()))


def _demo_settings() -> Settings:
    os.environ.setdefault("OPENBOSS_DEMO_MODE", "true")
    os.environ.setdefault("OPENBOSS_LOG_FORMAT", "console")
    # Demo hub listeners usually run on this machine.
    os.environ.setdefault("OPENBOSS_HUB_CALLBACK_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]')
    get_settings.cache_clear()
    settings = get_settings()
    if not settings.demo_mode:
        err.print("[red]OPENBOSS_DEMO_MODE is set to false; the demo needs demo mode.[/red]")
        raise typer.Exit(2)
    return settings


def _load_demo(settings: Settings, customers: int | None = None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from openboss.demo import load_demo
    from openboss.party.demo import DEFAULT_CUSTOMERS

    db = _database(settings)
    try:
        with (
            Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            ) as bar,
            db.transaction(actor="load-demo") as s,
        ):
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(f"demo {stage}", total=total)
                bar.update(tasks[stage], completed=done)

            added = load_demo(
                s,
                base_url=settings.public_url or "http://127.0.0.1:8000",
                customers=DEFAULT_CUSTOMERS if customers is None else customers,
                progress=progress,
            )
    finally:
        db.dispose()
    console.print(
        f"Demo data: {len(added)} item(s) added" + (f" ({', '.join(added)})" if added else "")
    )


@app.command("load-demo")
def load_demo_cmd(
    customers: Annotated[
        int | None,
        typer.Option(help="Customers to generate besides the tour records (default 1000).", min=0),
    ] = None,
) -> None:
    """Load the demo operator (demo mode only)."""
    settings = _demo_settings()
    _upgrade(settings)
    _load_demo(settings, customers)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run OpenBOSS with an embedded SQLite database and the demo operator:
    API + console + worker in one process."""
    import uvicorn

    from openboss.app import create_app
    from openboss.demo import DEMO_USERS

    settings = _demo_settings()
    _upgrade(settings)
    _load_demo(settings)
    table = Table(title="Demo logins")
    table.add_column("username")
    table.add_column("roles")
    for u in DEMO_USERS:
        table.add_row(u.username, ", ".join(u.roles))
    console.print(table)
    console.print("Every demo login has the password [bold]demo[/bold].")
    url = f"http://{host}:{port}"
    console.print(f"[bold]OpenBOSS demo[/bold] on {url}")
    console.print(f"  console   {url}/console")
    console.print(f"  API docs  {url}/docs")
    console.print(f"  health    {url}/health")
    uvicorn.run(create_app(settings, run_worker=True), host=host, port=port, log_level="warning")


def _refuse_demo_passwords(settings: Settings) -> None:
    from openboss.auth.service import users_with_demo_password

    db = _database(settings)
    try:
        with db.session() as s:
            names = users_with_demo_password(s)
    finally:
        db.dispose()
    if names:
        err.print(
            f"[red]Refusing to start: user(s) {', '.join(names)} still have the demo password. "
            "Change it with 'openboss users set-password USER'.[/red]"
        )
        raise typer.Exit(3)


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API and console (production). Run ``openboss worker`` beside it."""
    import uvicorn

    settings = get_settings()
    if settings.demo_mode:
        err.print(
            "[red]OPENBOSS_DEMO_MODE is on; 'openboss api' is for production. "
            "Use 'openboss demo'.[/red]"
        )
        raise typer.Exit(2)
    _refuse_demo_passwords(settings)
    uvicorn.run(
        "openboss.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@app.command()
def worker(
    name: Annotated[str | None, typer.Option(help="Worker name (default: host-pid).")] = None,
) -> None:
    """Run the background worker: outbox dispatch, hub deliveries, timers and jobs."""
    import socket

    from openboss.app import load_domains
    from openboss.observability import configure_logging
    from openboss.worker.runner import Worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    db = _database(settings)
    load_domains()  # every domain's job handlers, as in the API process
    w = Worker(db, settings, name=name or f"{socket.gethostname()}-{os.getpid()}")
    console.print(f"Worker {w.name} started; Ctrl-C or SIGTERM stops it gracefully.")
    try:
        w.run_forever()
    finally:
        db.dispose()


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[list[str], typer.Option("--role", "-r", help="Role (repeat for several).")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ],
    display_name: Annotated[str, typer.Option(help="Name shown in the console.")] = "",
    region: Annotated[
        list[str] | None, typer.Option(help="Region in scope (repeat); none = all.")
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Partner id (for partner users).")] = None,
    locale: Annotated[str | None, typer.Option(help="zh_CN or en.")] = None,
) -> None:
    """Create a user."""
    from openboss.auth import service
    from openboss.kit.errors import AppError

    settings = get_settings()
    db = _database(settings)
    try:
        with db.transaction(actor="cli") as s:
            user = service.create_user(
                s,
                username=username,
                password=password,
                roles=role,
                display_name=display_name,
                region_ids=region or None,
                partner_id=partner,
                locale=locale,
                demo_mode=settings.demo_mode,
            )
            console.print(f"[green]User {user.username} created[/green] ({', '.join(user.roles)})")
    except AppError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        db.dispose()


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="New password."),
    ],
) -> None:
    """Change a user's password."""
    from openboss.auth import service
    from openboss.kit.errors import AppError

    settings = get_settings()
    db = _database(settings)
    try:
        with db.transaction(actor="cli") as s:
            service.set_password(s, username, password, demo_mode=settings.demo_mode)
        console.print(f"[green]Password of {username} changed[/green]")
    except AppError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    finally:
        db.dispose()


@users_app.command("list")
def users_list() -> None:
    """List users."""
    from openboss.auth import service

    settings = get_settings()
    db = _database(settings)
    try:
        with db.session() as s:
            users, total = service.list_users(s, limit=1000)
            table = Table(title=f"{total} user(s)")
            for col in ("username", "name", "roles", "regions", "partner", "active"):
                table.add_column(col)
            for u in users:
                table.add_row(
                    u.username,
                    u.display_name,
                    ", ".join(u.roles),
                    ", ".join(u.region_ids) if u.region_ids is not None else "all",
                    u.partner_id or "",
                    "yes" if u.is_active else "no",
                )
            console.print(table)
    finally:
        db.dispose()


@app.command("radius-config")
def radius_config(
    output: Annotated[str, typer.Option("--output", help="Directory to write (created).")],
    auth_port: Annotated[int, typer.Option("--auth-port", help="Authentication port.")] = 1812,
    acct_port: Annotated[int, typer.Option("--acct-port", help="Accounting port.")] = 1813,
    listen: Annotated[str, typer.Option("--listen", help="Address to listen on.")] = "127.0.0.1",
    secret: Annotated[
        str, typer.Option("--secret", help="Shared secret of the local client (127.0.0.1).")
    ] = "testing123",  # noqa: S107 - FreeRADIUS' stock test secret
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Database FreeRADIUS uses (default: OPENBOSS_DATABASE_URL)."
        ),
    ] = None,
) -> None:
    """Write a FreeRADIUS 3 configuration directory on the OpenBOSS database
    (run it with `freeradius -X -d DIR`)."""
    from pathlib import Path

    from openboss.fulfilment.activation.radius_config import RadiusConfig, write_config

    url = database_url or get_settings().database_url
    try:
        files = write_config(
            RadiusConfig(
                output=Path(output),
                database_url=url,
                auth_port=auth_port,
                acct_port=acct_port,
                listen=listen,
                client_secret=secret,
            )
        )
    except (ValueError, FileNotFoundError) as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"[green]{len(files)} files written to {Path(output).resolve()}[/green]")
    console.print(f"Run: freeradius -X -f -d {Path(output).resolve()}")


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="openboss")
    sys.exit(0)
