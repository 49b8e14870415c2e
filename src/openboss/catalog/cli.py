"""``openboss catalog import FILE`` / ``openboss catalog export FILE`` —
catalog as code from the command line (eTOM 1.1.1.1).

Import runs in one transaction: any error (printed with file, line and
field) leaves the database unchanged; ``--dry-run`` validates without
committing. Export writes the whole catalog (``-`` for standard output).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from openboss.catalog import yaml_io

if TYPE_CHECKING:
    from openboss.db import Database

catalog_app = typer.Typer(help="Product catalog as code (YAML).", no_args_is_help=True)
err = Console(stderr=True)


def _database() -> Database:
    from openboss.config import get_settings
    from openboss.db import Database

    settings = get_settings()
    return Database(settings.database_url, pool_size=settings.db_pool_size)


@catalog_app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Catalog YAML file")
    ],
    dry_run: Annotated[bool, typer.Option(help="Validate only; change nothing.")] = False,
) -> None:
    """Import (upsert) a catalog YAML file; launches go through readiness."""
    text = file.read_text(encoding="utf-8")
    try:
        data, _ = yaml_io.load_yaml(text, file.name)
    except yaml_io.CatalogImportError as exc:
        err.print(f"[red]error[/red]: {exc.message}")
        raise typer.Exit(2) from None
    total = sum(len(data.get(s) or []) for s in yaml_io.SECTIONS)
    db = _database()
    try:
        with (
            db.session() as session,
            Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
            ) as progress,
        ):
            task = progress.add_task("importing", total=total)

            def step(section: str, n: int) -> None:
                progress.update(task, advance=n, description=section)

            try:
                result = yaml_io.import_catalog(session, text, file.name, progress=step)
            except yaml_io.CatalogImportError as exc:
                session.rollback()
                progress.stop()
                err.print(f"[red]error[/red]: {exc.message}")
                raise typer.Exit(2) from None
            if dry_run:
                session.rollback()
            else:
                session.commit()
        summary = ", ".join(f"{k} {v}" for k, v in result.counts.items() if v)
        verb = "validated" if dry_run else "imported"
        err.print(f"[green]{verb}[/green] {file}: {summary}")
    finally:
        db.dispose()


@catalog_app.command("export")
def export_cmd(
    file: Annotated[str, typer.Argument(help="Output YAML file, or - for standard output")],
) -> None:
    """Export the whole catalog as YAML."""
    db = _database()
    try:
        with db.session() as session:
            text = yaml_io.export_text(session)
    finally:
        db.dispose()
    if file == "-":
        sys.stdout.write(text)
    else:
        Path(file).write_text(text, encoding="utf-8")
        err.print(f"[green]exported[/green] {file}")
