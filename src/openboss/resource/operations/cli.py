"""Batch jobs of resource operations on the command line (eTOM 1.5.1
resource management): bulk import and reconciliation, with Rich progress.

    openboss resource import FILE [--dry-run] [--actor NAME]
    openboss resource reconcile FILE [--source NAME]

A rejected import prints its report (row, field, reason) and exits 1; the
attempt is recorded either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from openboss.kit.errors import AppError
from openboss.kit.scope import SYSTEM_SCOPE

if TYPE_CHECKING:
    from openboss.db import Database

app = typer.Typer(help="Resource operations: bulk import, reconciliation.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _db() -> Database:
    from openboss.config import get_settings
    from openboss.db import Database

    settings = get_settings()
    return Database(settings.database_url, pool_size=settings.db_pool_size)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only.")] = False,
    actor: Annotated[str, typer.Option(help="Recorded as who imported.")] = "cli",
) -> None:
    """Import network inventory from a CSV or XLSX file (all or nothing)."""
    from openboss.resource.operations import importer

    db = _db()
    content = file.read_bytes()
    with _progress() as bar, db.session(actor=actor) as session:
        task = bar.add_task(f"Importing {file.name}", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            outcome = importer.validate_and_import(
                session,
                SYSTEM_SCOPE,
                content,
                file.name,
                actor=actor,
                dry_run=dry_run,
                progress=step,
            )
        except AppError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
        session.commit()
    db.dispose()
    record = outcome.record
    if not outcome.ok:
        table = Table("Row", "Field", "Reason", title=f"{record.error_count} problem(s)")
        for p in outcome.problems[:200]:
            table.add_row(str(p.row), p.field, p.reason)
        err.print(table)
        err.print("[red]Nothing was imported.[/red]")
        raise typer.Exit(1)
    if dry_run:
        console.print(f"[green]{record.rows} row(s) valid[/green] (dry run: nothing written)")
    else:
        console.print(f"[green]{record.created} resource(s) imported[/green] from {file.name}")


@app.command("reconcile")
def reconcile_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    source: Annotated[str | None, typer.Option(help="Where the snapshot comes from.")] = None,
    actor: Annotated[str, typer.Option(help="Recorded as who ran it.")] = "cli",
) -> None:
    """Reconcile a network snapshot (CSV or JSON) against the inventory."""
    from openboss.resource.operations import reconcile

    db = _db()
    content = file.read_bytes()
    with _progress() as bar, db.session(actor=actor) as session:
        task = bar.add_task(f"Reconciling {file.name}", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            run = reconcile.run_reconciliation(
                session,
                SYSTEM_SCOPE,
                content,
                file.name,
                actor=actor,
                source=source,
                progress=step,
            )
        except AppError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
        counts = dict(run.counts)
        run_id = run.id
        session.commit()
    db.dispose()
    table = Table("Missing", "Extra", "Mismatched", "Matched", title=f"Run {run_id}")
    table.add_row(*(str(counts.get(k, 0)) for k in ("missing", "extra", "mismatched", "matched")))
    console.print(table)
