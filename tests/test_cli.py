"""The ``openboss`` command, run as a user would (in-process through Typer's runner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from openboss.cli import app
from openboss.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENBOSS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("OPENBOSS_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("OPENBOSS_DEMO_MODE", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_api_refuses_to_start_while_a_demo_password_exists(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = runner.invoke(app, ["load-demo"])
    assert r.exit_code == 0, r.output
    assert "user admin" in r.output
    r = runner.invoke(app, ["load-demo"])  # idempotent
    assert "0 item(s) added" in r.output
    monkeypatch.setenv("OPENBOSS_DEMO_MODE", "false")
    get_settings.cache_clear()
    r = runner.invoke(app, ["api", "--port", "1"])
    assert r.exit_code == 3
    assert "demo password" in r.output
    for name in (
        "admin",
        "csr",
        "dispatcher",
        "tech1",
        "partner1",
        "noc",
        "billing",
        "marketing",
        "manager",
    ):
        assert name in r.output


def test_users_create_validates_and_refuses_the_demo_password(env: Path) -> None:
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "create", "ops1", "-r", "noc", "--password", "demo"])
    assert r.exit_code == 2
    assert "only allowed in demo mode" in r.output
    r = runner.invoke(
        app, ["users", "create", "ops1", "-r", "wizard", "--password", "long-password"]
    )
    assert r.exit_code == 2
    assert "unknown role" in r.output
    r = runner.invoke(app, ["users", "create", "ops1", "-r", "noc", "--password", "long-password"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "list"])
    assert "ops1" in r.output
    r = runner.invoke(app, ["users", "create", "ops1", "-r", "noc", "--password", "long-password"])
    assert r.exit_code == 2
    assert "already taken" in r.output


def test_demo_data_gives_the_readme_tour_something_to_show(env: Path) -> None:
    from openboss.db import Database
    from openboss.sample import service as sample_service

    assert runner.invoke(app, ["load-demo"]).exit_code == 0
    db = Database(f"sqlite:///{env / 'cli.db'}")
    try:
        with db.session() as s:
            assert sample_service.count_items(s) == 12
    finally:
        db.dispose()
    assert "0 item(s) added" in runner.invoke(app, ["load-demo"]).output


def test_resource_group_carries_every_areas_batch_jobs(env: Path) -> None:
    out = runner.invoke(app, ["resource", "--help"]).output
    for command in (
        "seed-specs",
        "expire",
        "load-numbers",
        "receive-stock",
        "refresh",
        "import",
        "reconcile",
    ):
        assert command in out
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(app, ["resource", "seed-specs"])
    assert seeded.exit_code == 0, seeded.output
    rejected = runner.invoke(app, ["resource", "import", str(env / "missing.csv")])
    assert rejected.exit_code != 0
