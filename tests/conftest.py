"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

* ``database`` — a :class:`~openboss.db.Database` whose sessions run inside one
  transaction that is rolled back after the test (fast, isolated).
* ``committed_database`` — a real database whose transactions commit (for
  several connections: workers, SKIP LOCKED); its tables are emptied after.
* PostgreSQL: each test run creates its own database and drops it at the end.
  With ``CI=true`` an unreachable PostgreSQL fails the run; locally it skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from openboss.app import create_app
from openboss.auth import service as auth_service
from openboss.auth.principal import Principal
from openboss.auth.tokens import issue_token
from openboss.config import Settings
from openboss.db import Base, Database
from openboss.db.migrate import upgrade
from openboss.db.registry import import_all_models

PG_ADMIN_URL = os.environ.get(
    "OPENBOSS_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_SECRET = "test-secret-key-not-for-production-0123456789"
DB_KINDS = ["sqlite", "postgresql"]

import_all_models()


def _pg_admin_engine() -> Any:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    try:
        admin = _pg_admin_engine()
        with admin.connect() as c:
            c.execute(text("SELECT 1"))
    except Exception as exc:
        msg = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}"
        if CI:
            pytest.fail(f"{msg} (CI=true: the PostgreSQL tests are mandatory)", pytrace=False)
        pytest.skip(msg)
    name = f"openboss_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "openboss-test.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(params=DB_KINDS, ids=["sqlite", "pg"])
def db_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


_engines: dict[str, Database] = {}


def _database_for(url: str) -> Database:
    if url not in _engines:
        _engines[url] = Database(url, pool_size=5)
    return _engines[url]


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """Sessions inside one transaction, rolled back after the test."""
    real = _database_for(db_url)
    conn = real.engine.connect()
    outer = conn.begin()
    try:
        yield real.for_connection(conn)
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def committed_database(db_url: str) -> Iterator[Database]:
    """A real database (transactions commit); every table is emptied after the test."""
    real = _database_for(db_url)
    yield real
    with real.engine.begin() as c:
        for table in reversed(Base.metadata.sorted_tables):
            c.execute(table.delete())


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        var_dir=tmp_path,
        secret_key=TEST_SECRET,
        demo_mode=False,
        log_format="console",
        log_level="WARNING",
        public_url="http://testserver",
        # test listeners run on this machine
        hub_callback_allowed_networks=["127.0.0.0/8"],
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, db=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def token_for(
    roles: list[str] | str,
    *,
    name: str = "tester",
    regions: list[str] | None = None,
    partner_id: str | None = None,
) -> str:
    """An access token for a principal (no user row needed)."""
    role_list = [roles] if isinstance(roles, str) else roles
    principal = Principal(
        subject=f"test-{name}",
        name=name,
        roles=frozenset(role_list),
        regions=frozenset(regions) if regions is not None else None,
        partner_id=partner_id,
    )
    return issue_token(principal, TEST_SECRET, 3600)


@pytest.fixture
def auth_headers() -> Callable[..., dict[str, str]]:
    """``auth_headers("csr", regions=["r1"])`` → an Authorization header."""

    def make(roles: list[str] | str = "admin", **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(roles, **kw)}"}

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., Any]:
    def make(
        username: str, password: str = "s3cret-pass", roles: list[str] | None = None, **kw: Any
    ) -> Any:
        user = auth_service.create_user(
            session, username=username, password=password, roles=roles or ["csr"], **kw
        )
        session.commit()
        return user

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
