"""``openboss resource load-numbers POOL_ID FILE|--range A-B`` and
``openboss resource receive-stock WAREHOUSE FILE.csv`` — bulk loads with a
progress bar (eTOM 1.5.1 resource management).

Each command runs in one transaction: an error (a malformed number, a
duplicate serial …) is printed and nothing is written.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from openboss.kit.errors import AppError, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import common, numbers, stock
from openboss.resource.pools.specs import WAREHOUSE

if TYPE_CHECKING:
    from openboss.db import Database

app = typer.Typer(help="Number pools and CPE stock: bulk loads.", no_args_is_help=True)
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


def read_numbers(file: Path) -> list[str]:
    """One number per line (or the first CSV column); blank lines and ``#`` comments skipped."""
    out = []
    with file.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if row and row[0].strip() and not row[0].lstrip().startswith("#"):
                out.append(row[0].strip())
    return out


def read_stock(file: Path) -> list[tuple[str, str, str]]:
    """``serial,model,kind`` rows (a header line naming ``serial`` is skipped)."""
    out = []
    with file.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if line == 1 and row[0].strip().lower() == "serial":
                continue
            if len(row) != 3:
                raise ValidationFailed(f"{file.name}:{line}: expected serial,model,kind")
            out.append((row[0].strip(), row[1].strip(), row[2].strip().lower()))
    return out


@app.command("load-numbers")
def load_numbers(
    pool_id: Annotated[str, typer.Argument(help="The number pool's id.")],
    file: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Numbers, one a line."),
    ] = None,
    number_range: Annotated[
        str | None, typer.Option("--range", help="A range A-B instead of a file.")
    ] = None,
) -> None:
    """Add numbers to a pool (graded on the way)."""
    if (file is None) == (number_range is None):
        err.print("[red]error[/red]: give a FILE or --range A-B (one of them)")
        raise typer.Exit(2)
    db = _database()
    try:
        with db.session() as session:
            try:
                pool = numbers.get_pool(session, SYSTEM_SCOPE, pool_id)
                kind = str(common.char(pool, "numberKind", "msisdn"))
                items = (
                    numbers.parse_range(number_range, kind)
                    if number_range is not None
                    else read_numbers(file)  # type: ignore[arg-type]
                )
                with _progress() as progress:
                    task = progress.add_task("numbers", total=len(items))
                    added = numbers.add_numbers(
                        session,
                        pool,
                        items,
                        progress=lambda n: progress.update(task, completed=n),
                    )
                session.commit()
            except AppError as exc:
                session.rollback()
                err.print(f"[red]error[/red]: {exc.message}")
                raise typer.Exit(2) from None
        err.print(f"[green]added[/green] {added} numbers to {pool.name}")
    finally:
        db.dispose()


@app.command("receive-stock")
def receive_stock(
    warehouse: Annotated[str, typer.Argument(help="The warehouse's id or code (WH-XIHU).")],
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="serial,model,kind")
    ],
) -> None:
    """Receive CPE into a warehouse from a CSV file."""
    db = _database()
    try:
        with db.session() as session:
            try:
                house_id = session.scalar(
                    select(Resource.id).where(
                        Resource.spec_id == WAREHOUSE,
                        (Resource.id == warehouse) | (Resource.value == warehouse),
                    )
                )
                house = stock.get_warehouse(session, SYSTEM_SCOPE, house_id or warehouse)
                items = read_stock(file)
                with _progress() as progress:
                    task = progress.add_task("CPE", total=len(items))
                    received = stock.receive_rows(
                        session,
                        house,
                        items,
                        progress=lambda n: progress.update(task, completed=n),
                    )
                session.commit()
            except AppError as exc:
                session.rollback()
                err.print(f"[red]error[/red]: {exc.message}")
                raise typer.Exit(2) from None
        err.print(f"[green]received[/green] {received} CPE into {house.name}")
    finally:
        db.dispose()
