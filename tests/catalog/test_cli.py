"""``catalog import`` / ``catalog export`` (the lead mounts ``catalog_app`` as
``openboss catalog``): a file round trip through a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openboss.catalog.cli import catalog_app
from openboss.catalog.yaml_io import DEMO_FILE
from openboss.config import get_settings
from openboss.db.migrate import upgrade

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


def test_import_then_export_round_trips(env: Path) -> None:
    dry = runner.invoke(catalog_app, ["import", str(DEMO_FILE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    empty = runner.invoke(catalog_app, ["export", "-"])
    assert "po-hbb-100m" not in empty.output

    done = runner.invoke(catalog_app, ["import", str(DEMO_FILE)])
    assert done.exit_code == 0, done.output
    out = env / "out.yaml"
    assert runner.invoke(catalog_app, ["export", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "id: po-family-1000m" in text and "zh-CN: 全家享融合套餐 1000M" in text

    again = runner.invoke(catalog_app, ["import", str(out)])
    assert again.exit_code == 0, again.output
    second = env / "second.yaml"
    runner.invoke(catalog_app, ["export", str(second)])
    assert second.read_text(encoding="utf-8") == text


def test_import_error_names_the_line_and_changes_nothing(env: Path) -> None:
    bad = env / "bad.yaml"
    bad.write_text(
        "resourceSpecs:\n  - {id: rs-1, name: Port}\nproductOfferings:\n  - id: o1\n"
        "    name: x\n    place: [{id: nowhere}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(catalog_app, ["import", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:6: productOfferings[0] (o1) place.0.id" in " ".join(result.output.split())
    export = runner.invoke(catalog_app, ["export", "-"])
    assert "rs-1" not in export.output
