"""``openboss resource refresh`` — the batch job of the business view
(eTOM 1.5.1 resource management): recompute the published availability of
every building, in one transaction (after a bulk import, or as a nightly
check); prints how many rows changed; events only with ``--emit``. The demo
is loaded by ``openboss demo`` (:func:`openboss.resource.demo.load_resource_demo`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

if TYPE_CHECKING:
    from openboss.db import Database

app = typer.Typer(help="Business view: availability per building (资源发布).", no_args_is_help=True)
err = Console(stderr=True)


def _database() -> Database:
    from openboss.config import get_settings
    from openboss.db import Database

    settings = get_settings()
    return Database(settings.database_url, pool_size=settings.db_pool_size)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    )


@app.callback()
def main() -> None:
    """Business view: availability per building (资源发布)."""


@app.command("refresh")
def refresh_cmd(
    emit: Annotated[
        bool, typer.Option(help="Publish ResourceAvailabilityChangeEvent for what changed.")
    ] = False,
) -> None:
    """Recompute the availability of every building."""
    from openboss.resource.publishing import availability

    db = _database()
    try:
        with db.transaction() as session, _progress() as progress:
            task = progress.add_task("buildings", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            changed = availability.refresh_all(session, step, emit=emit)
        err.print(f"{changed} availability rows changed")
    finally:
        db.dispose()
