"""``resource import`` / ``resource reconcile`` (the lead mounts the Typer app
as ``openboss resource``) against a real, migrated SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import openboss.party.address.places  # noqa: F401 - registers the place directory
from openboss.config import get_settings
from openboss.db import Database
from openboss.db.migrate import upgrade
from openboss.resource.inventory.specs import ensure_builtin_specs
from openboss.resource.operations.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OPENBOSS_DATABASE_URL", url)
    monkeypatch.setenv("OPENBOSS_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    upgrade(url)
    db = Database(url)
    with db.transaction() as s:
        ensure_builtin_specs(s)
    db.dispose()
    yield tmp_path
    get_settings.cache_clear()


def test_import_dry_run_rejected_and_reconcile(env: Path) -> None:
    good = env / "net.csv"
    good.write_text(
        "ref,spec,name,value,parent\n"
        "o,olt,OLT,OLT-C,\n"
        "c,oltCard,Card,OLT-C/0,o\n"
        "p,ponPort,P1,OLT-C/0/1,c\n"
        "s,splitter,S,SPL-C,p\n",
        encoding="utf-8",
    )
    rejected = runner.invoke(app, ["import", str(good)])
    assert rejected.exit_code == 1  # splitter without its required ratio
    assert "char.ratio" in rejected.output and "Nothing was imported" in rejected.output
    fixed = env / "fixed.csv"
    fixed.write_text(
        "ref,spec,name,value,parent,char.ratio\n"
        "o,olt,OLT,OLT-C,,\n"
        "c,oltCard,Card,OLT-C/0,o,\n"
        "p,ponPort,P1,OLT-C/0/1,c,\n"
        "s,splitter,S,SPL-C,p,8\n"
        "sp,splitterPort,SP1,SPL-C:1,s,\n"
        ",ont,ONT,SN-C1,sp,\n",
        encoding="utf-8",
    )
    dry = runner.invoke(app, ["import", str(fixed), "--dry-run"])
    assert dry.exit_code == 0 and "6 row(s) valid" in dry.output
    done = runner.invoke(app, ["import", str(fixed)])
    assert done.exit_code == 0 and "6 resource(s) imported" in done.output, done.output
    snap = env / "snap.csv"
    snap.write_text("olt,ponPort,ontSerial\nOLT-C,OLT-C/0/1,SN-C2\n", encoding="utf-8")
    run = runner.invoke(app, ["reconcile", str(snap), "--source", "EMS"])
    assert run.exit_code == 0, run.output
    assert "Missing" in run.output and "│ 1 " in run.output
    bad = env / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert runner.invoke(app, ["reconcile", str(bad)]).exit_code == 2
