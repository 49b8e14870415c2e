"""Alembic, driven from code: ``openboss db upgrade`` and the test fixtures.

Migrations live inside the package (``openboss/db/migrations``) so an
installed OpenBOSS can migrate its database without the source tree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` to ``revision`` (all heads by default)."""
    from openboss.db.engine import Database

    db = Database(url)
    try:
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(db.url, conn), revision)
    finally:
        db.dispose()


def current_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(script.get_heads())
