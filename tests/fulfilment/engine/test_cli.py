"""``openboss process deploy|list``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openboss.config import get_settings
from openboss.db.migrate import upgrade
from openboss.fulfilment.engine.cli import app
from tests.fulfilment.engine.conftest import BPMN, Recorder

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OPENBOSS_DATABASE_URL", url)
    monkeypatch.setenv("OPENBOSS_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    upgrade(url)
    yield tmp_path
    get_settings.cache_clear()


def test_deploy_and_list(env: Path, rec: Recorder) -> None:
    r = runner.invoke(app, ["deploy", str(BPMN)])
    assert r.exit_code == 0, r.output
    assert "engineTest" in r.output and "1" in r.output
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0 and "engineTest" in r.output
    bad = env / "bad.bpmn"
    bad.write_text(BPMN.read_text().replace("test.notify", "unknown.handler"))
    r = runner.invoke(app, ["deploy", str(bad)])
    assert r.exit_code == 1 and "notify" in r.output
    assert runner.invoke(app, ["deploy"]).exit_code == 2
