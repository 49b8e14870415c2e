"""``openboss process …``: deploy BPMN process definitions and list them.

    openboss process deploy FILE.bpmn [FILE.bpmn …]
    openboss process deploy --builtin      # every src/openboss/fulfilment/flows/*.bpmn
    openboss process list

A file is deployed as one version per executable process; a process whose
content did not change keeps its version. Service tasks must name registered
handlers, so the shipped flows' handlers are imported first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from openboss.db import Database

app = typer.Typer(help="BPMN process definitions of the fulfilment engine.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _database() -> Database:
    from openboss.config import get_settings
    from openboss.db import Database

    return Database(get_settings().database_url)


def _load_handlers() -> None:
    """The shipped flows register their service-task handlers at import."""
    import importlib

    importlib.import_module("openboss.fulfilment.flows")


@app.command("deploy")
def deploy_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="BPMN 2.0 files.")] = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Deploy the shipped fulfilment flows.")
    ] = False,
) -> None:
    """Deploy BPMN files (or the built-in flows); prints key, version, source."""
    from openboss.fulfilment.engine import service
    from openboss.kit.errors import AppError

    if not files and not builtin:
        err.print("[red]give BPMN files or --builtin[/red]")
        raise typer.Exit(2)
    _load_handlers()
    db = _database()
    rows = []
    try:
        with db.transaction(actor="cli") as s:
            if builtin:
                rows.extend(service.deploy_builtin(s))
            for path in files or []:
                try:
                    rows.extend(service.deploy(s, path.read_bytes(), source="cli"))
                except AppError as exc:
                    err.print(f"[red]{path}: {exc.message}[/red]")
                    raise typer.Exit(1) from exc
            result = [(r.key, r.version, r.source, r.deployed_at.isoformat()) for r in rows]
    except OSError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    table = Table("process", "version", "source", "deployed at")
    for key, version, source, at in result:
        table.add_row(key, str(version), source, at)
    console.print(table)


@app.command("list")
def list_cmd() -> None:
    """Every deployed process version, with its open and total instance counts."""
    from openboss.fulfilment.engine import service

    db = _database()
    try:
        with db.transaction() as s:
            rows = [
                (d.key, d.version, d.name or "", d.source, d.deployed_at.isoformat())
                for d in service.list_definitions(s)
            ]
            counts = service.count_by_status(s)
    finally:
        db.dispose()
    table = Table("process", "version", "name", "source", "deployed at")
    for key, version, name, source, at in rows:
        table.add_row(key, str(version), name, source, at)
    console.print(table)
    console.print(
        "instances: " + ", ".join(f"{status} {n}" for status, n in counts.items() if n) or "none"
    )
