"""The bulk-load commands, against the test database (one transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import cli, numbers, stock
from openboss.resource.pools.specs import CPE, NUMBER

runner = CliRunner()


class _Db:
    """The test session behind the command's ``db.session()``; commits become flushes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def session(self) -> Any:
        test_session = self._session

        class _Ctx:
            def __enter__(self) -> Session:
                test_session.commit = test_session.flush  # type: ignore[method-assign]
                test_session.rollback = lambda: None  # type: ignore[method-assign]
                return test_session

            def __exit__(self, *exc: object) -> None:
                return None

        return _Ctx()

    def dispose(self) -> None:
        return None


@pytest.fixture
def db(session: Session, specs: None, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setattr(cli, "_database", lambda: _Db(session))
    return session


def test_load_numbers_from_a_range_and_a_file(db: Session, tmp_path: Path) -> None:
    pool = numbers.create_pool(db, SYSTEM_SCOPE, name="p", kind="msisdn")
    result = runner.invoke(cli.app, ["load-numbers", pool.id, "--range", "13757100000-13757100099"])
    assert result.exit_code == 0, result.output
    file = tmp_path / "n.txt"
    file.write_text("# extra\n13757200000\n\n13757200001\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["load-numbers", pool.id, str(file)])
    assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).where(Resource.spec_id == NUMBER)) == 102
    again = runner.invoke(cli.app, ["load-numbers", pool.id, str(file)])
    assert again.exit_code == 2 and "13757200000" in again.output
    both = runner.invoke(cli.app, ["load-numbers", pool.id, str(file), "--range", "1-2"])
    assert both.exit_code == 2
    missing = runner.invoke(cli.app, ["load-numbers", "nope", "--range", "13757100000-13757100001"])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_receive_stock_csv(db: Session, tmp_path: Path) -> None:
    stock.create_warehouse(db, SYSTEM_SCOPE, code="WH-XIHU", name="西湖仓", region_id="330106")
    file = tmp_path / "s.csv"
    file.write_text("serial,model,kind\nONT0001,HG8245H,ONT\nRT0001,AX3000,router\n", "utf-8")
    result = runner.invoke(cli.app, ["receive-stock", "WH-XIHU", str(file)])
    assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).where(Resource.spec_id == CPE)) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("X1,M\n", "utf-8")
    result = runner.invoke(cli.app, ["receive-stock", "WH-XIHU", str(bad)])
    assert result.exit_code == 2 and "serial,model,kind" in result.output
