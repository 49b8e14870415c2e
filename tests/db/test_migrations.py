"""Models and migrations must agree: a model change without a migration fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from openboss.db import Base, Database
from openboss.db.migrate import alembic_config
from openboss.db.registry import import_all_models


def test_models_match_migrations(db_url: str) -> None:
    import_all_models()
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        db.dispose()
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_migrations_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"
