"""Engines and sessions.

:class:`Database` wraps one engine and its session factory. SQLite connections
get WAL, foreign keys, a busy timeout and the SQL functions OpenBOSS registers
(JSON-path filtering of the TMF kit); PostgreSQL uses psycopg 3 with a pool.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as exc_module
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from openboss.kit.tmf.sqlfuncs import register_sqlite_functions

#: Called with the session after every successful commit (wakes the worker).
AfterCommitHook = Callable[[Session], None]


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (so that
    # BEGIN IMMEDIATE in Database.claim_transaction works).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    with contextlib.suppress(sqlite3.OperationalError):  # in-memory databases
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()
    register_sqlite_functions(dbapi_conn)


def _sqlite_begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    # IMMEDIATE by default: a deferred transaction that reads and then writes
    # fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, which the
    # busy timeout does not wait out) when another connection wrote in between —
    # measured with the demo's worker draining its outbox while people sign in.
    # Reads that need no lock use the autocommit read sessions.
    mode = options.get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


#: A pooled connection unused for longer than this is pinged before use, so that
#: connections cut by a database restart or a firewall are replaced, not failed.
IDLE_PING_SECONDS = 10.0


def _checkin_stamp(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _checkout_ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cur = dbapi_conn.cursor()
        cur.execute("SELECT 1")
        cur.close()
        if not dbapi_conn.autocommit:
            dbapi_conn.rollback()
    except Exception as exc:
        # The pool discards this connection and retries the checkout with a new one.
        raise exc_module.DisconnectionError(str(exc)) from exc


class Database:
    """One database: engine, session factory, dialect facts."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        # Every session of every Database writes the audit log; installing the
        # hook here means no entry point (API, worker, CLI, tests) can forget it.
        from openboss.audit.hooks import install_audit_hooks

        install_audit_hooks()
        self.url = normalise_url(url)
        u = make_url(self.url)
        self.dialect = u.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            # No pool_pre_ping: a ping on every checkout is a round trip per request
            # (measured ~0.3 ms of a 2 ms list request). Connections idle longer
            # than IDLE_PING_SECONDS are pinged instead (see _checkout_ping).
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            event.listen(self.engine, "checkout", _checkout_ping)
            event.listen(self.engine, "checkin", _checkin_stamp)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        # Claims on SQLite take the write lock at BEGIN (see claim_transaction).
        claim_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.dialect == "sqlite"
            else self.engine
        )
        self.claim_sessionmaker = sessionmaker(bind=claim_engine, expire_on_commit=False)
        self.read_sessionmaker = sessionmaker(
            bind=self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            autoflush=False,
        )
        self.after_commit_hooks: list[AfterCommitHook] = []

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self, **info: Any) -> Session:
        s = self.sessionmaker()
        s.info.update(info)
        s.info["database"] = self
        return s

    def read_session(self, **info: Any) -> Session:
        """A session for reads only: autocommit, so no BEGIN/COMMIT round trips;
        every statement sees its own snapshot."""
        s = self.read_sessionmaker()
        s.info.update(info)
        s.info["database"] = self
        return s

    @contextlib.contextmanager
    def transaction(self, **info: Any) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any exception."""
        with self.session(**info) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise
            self.run_after_commit(s)

    @contextlib.contextmanager
    def claim_transaction(self, **info: Any) -> Iterator[Session]:
        """A unit of work for claiming shared work rows.

        PostgreSQL claims rows with ``FOR UPDATE SKIP LOCKED``; SQLite has no row
        locks, so the transaction takes the write lock up front (``BEGIN
        IMMEDIATE``) and claims are serialised, which is correct for one file.
        """
        with self.claim_sessionmaker() as s:
            s.info.update(info)
            s.info["database"] = self
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise
            self.run_after_commit(s)

    def for_connection(self, connection: Connection) -> Database:
        """A view of this database whose sessions all run inside ``connection``'s
        open transaction, each commit releasing a savepoint (tests roll the outer
        transaction back at the end)."""
        clone = object.__new__(Database)
        clone.__dict__.update(self.__dict__)
        clone.sessionmaker = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        clone.claim_sessionmaker = clone.sessionmaker
        clone.read_sessionmaker = clone.sessionmaker
        clone.after_commit_hooks = list(self.after_commit_hooks)
        return clone

    def run_after_commit(self, session: Session) -> None:
        for hook in self.after_commit_hooks:
            hook(session)

    def ping(self) -> bool:
        # autocommit: a health check takes no lock (SQLite writes begin IMMEDIATE)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("SELECT 1"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def create_database(url: str, **kwargs: Any) -> Database:
    return Database(url, **kwargs)
