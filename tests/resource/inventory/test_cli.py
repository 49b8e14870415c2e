"""``openboss resource seed-specs | expire`` against a migrated
SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.config import get_settings
from openboss.db import Database
from openboss.db.migrate import upgrade
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service
from openboss.resource.inventory.cli import app
from openboss.resource.inventory.models import Resource, ResourceSpec
from tests.resource.inventory.conftest import make_resource


def test_seed_and_expire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("OPENBOSS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["seed-specs"])
        assert first.exit_code == 0, first.output
        assert "17 built-in" in first.output
        assert "0 built-in" in runner.invoke(app, ["seed-specs"]).output
        db = Database(url)
        with db.transaction() as s:
            assert s.get(ResourceSpec, "splitter") is not None
            pool = make_resource(s, "numberPool", "Pool")
            numbers = [
                make_resource(s, "number", f"1380000000{i}", value=f"1380000000{i}", parent=pool)
                for i in range(3)
            ]
            reservation = service.reserve(
                s, SYSTEM_SCOPE, "number", 3, parent_id=pool, hold=timedelta(minutes=1)
            )
            reservation.expires_at = reservation.created_at - timedelta(minutes=1)
        result = runner.invoke(app, ["expire", "--batch", "2"])
        assert result.exit_code == 0, result.output
        assert "1 reservation(s) lapsed, 3 resource(s)" in result.output
        with db.transaction() as s:
            states = set(
                s.scalars(select(Resource.lifecycle_status).where(Resource.id.in_(numbers)))
            )
            assert states == {"available"}
        db.dispose()
    finally:
        get_settings.cache_clear()
