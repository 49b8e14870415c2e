"""``openboss resource …``: seed the built-in resource types and run
the reservation/quarantine expiry by hand (eTOM 1.5.1 resource management).

The worker runs the expiry every 60 s on its own; the command is for a
system without a worker, or to catch up after a long stop: it works in
batches of 1000, one transaction each, with a progress bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

app = typer.Typer(
    help="Network inventory: resource types, reservation expiry.", no_args_is_help=True
)
console = Console()

if TYPE_CHECKING:
    from openboss.db import Database


def _database() -> Database:
    from openboss.config import get_settings
    from openboss.db import Database

    return Database(get_settings().database_url)


@app.command("seed-specs")
def seed_specs() -> None:
    """Add the built-in resource types that are missing (idempotent)."""
    from openboss.resource.inventory.specs import ensure_builtin_specs

    db = _database()
    try:
        with db.transaction() as s:
            added = ensure_builtin_specs(s)
    finally:
        db.dispose()
    console.print(f"{added} built-in resource type(s) added.")


@app.command("expire")
def expire_cmd(
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction.")] = 1000,
) -> None:
    """Lapse expired reservations and end finished quarantines now."""
    from openboss.resource.inventory.service import expire

    db = _database()
    reservations = freed = 0
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), console=console
        ) as progress:
            task = progress.add_task("expiring…", total=None)
            while True:
                with db.transaction() as s:
                    n_res, n_freed = expire(s, limit=batch)
                reservations += n_res
                freed += n_freed
                progress.update(
                    task,
                    description=f"{reservations} reservation(s) lapsed, {freed} resource(s) freed",
                )
                if n_res < batch and n_freed < batch:
                    break
    finally:
        db.dispose()
    console.print(f"{reservations} reservation(s) lapsed, {freed} resource(s) available again.")
