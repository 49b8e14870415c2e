"""``openboss resource refresh`` against a migrated SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.config import get_settings
from openboss.db import Database
from openboss.db.migrate import upgrade
from openboss.party.demo import load_party_demo
from openboss.resource.demo import load_resource_demo
from openboss.resource.publishing.cli import app
from openboss.resource.publishing.models import ResourceAvailability


def test_demo_and_refresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    db = Database(url)
    with db.transaction() as s:
        load_party_demo(s, "http://testserver", customers=5)
        load_resource_demo(s)
    monkeypatch.setenv("OPENBOSS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        with db.transaction() as s:
            published = s.scalar(select(func.count()).select_from(ResourceAvailability))
            assert published
            s.execute(delete(ResourceAvailability))
        result = runner.invoke(app, ["refresh"])
        assert result.exit_code == 0, result.output
        assert f"{published} availability rows changed" in result.output
        assert "0 availability rows changed" in runner.invoke(app, ["refresh"]).output
    finally:
        db.dispose()
        get_settings.cache_clear()
