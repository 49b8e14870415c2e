"""Claiming shared work rows: outbox events, deliveries and jobs.

A row is *claimable* when it is due (``pending``/``failed`` and its time has
come) or when it is ``running`` under an expired lease (its worker died or
hung). Claiming sets ``running``, the lease (``locked_by``, ``locked_until``)
and counts the attempt, in a short transaction of its own:

* PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` — concurrent workers skip
  each other's rows instead of waiting, so N workers share the queue.
* SQLite: the claim runs in :meth:`Database.claim_transaction` (``BEGIN
  IMMEDIATE``), so claims are serialised by the database's write lock.

The worker then processes each claimed row in its own transaction that
re-reads the row under its lease (``locked_by`` = this worker, locked ``FOR
UPDATE`` on PostgreSQL) and marks it finished in the same commit. A crash
before that commit leaves the row ``running`` until the lease expires; then
another worker runs it again — at-least-once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from openboss.events.models import FAILED, PENDING, READY_STATUSES, RUNNING


def _pk(model: Any) -> InstrumentedAttribute[Any]:
    col: InstrumentedAttribute[Any] = model.seq if hasattr(model, "seq") else model.id
    return col


def claimable(model: Any, due_column: InstrumentedAttribute[Any], now: datetime) -> Any:
    """The SQL condition for rows a worker may claim at ``now``."""
    return or_(
        and_(model.status.in_(READY_STATUSES), due_column <= now),
        and_(model.status == RUNNING, model.locked_until < now),
    )


def claim(
    session: Session,
    model: Any,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    due_column: InstrumentedAttribute[Any],
    order_by: Sequence[Any],
) -> list[Any]:
    """Claim up to ``limit`` rows of ``model`` for ``worker``; their primary keys, in order."""
    pk = _pk(model)
    stmt = select(pk).where(claimable(model, due_column, now)).order_by(*order_by).limit(limit)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(session.scalars(stmt))
    if ids:
        session.execute(
            update(model)
            .where(pk.in_(ids))
            .values(
                status=RUNNING,
                locked_by=worker,
                locked_until=now + lease,
                attempts=model.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return ids


def release(session: Session, model: Any, ids: Sequence[Any], *, worker: str) -> int:
    """Give back rows this worker claimed but did not start (graceful shutdown):
    the attempt is not counted and the row is immediately claimable again."""
    if not ids:
        return 0
    pk = _pk(model)
    result = session.execute(
        update(model)
        .where(pk.in_(list(ids)), model.locked_by == worker, model.status == RUNNING)
        .values(
            status=case((model.attempts <= 1, PENDING), else_=FAILED),
            attempts=case((model.attempts > 0, model.attempts - 1), else_=0),
            locked_by=None,
            locked_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _owned(model: Any, keys: Sequence[Any], worker: str, session: Session) -> Any:
    pk = _pk(model)
    stmt = select(model).where(
        pk.in_(list(keys)), model.locked_by == worker, model.status == RUNNING
    )
    if session.get_bind().dialect.name == "postgresql":
        # Wait, do not SKIP LOCKED: another worker's claim query may hold our row
        # for an instant (PostgreSQL keeps the lock of a row it locked and then
        # found no longer matching until that transaction ends). After the wait
        # the lease condition is checked again on the current row version.
        stmt = stmt.with_for_update()
    return stmt


def own(session: Session, model: Any, key: Any, *, worker: str) -> Any:
    """Re-read a claimed row for processing, locked on PostgreSQL; None when the
    lease was lost (another worker took the row over)."""
    return session.scalar(_owned(model, [key], worker, session))


def own_many(session: Session, model: Any, keys: Sequence[Any], *, worker: str) -> dict[Any, Any]:
    """:func:`own` for a batch: the rows still held by ``worker``, by primary key."""
    if not keys:
        return {}
    attr = _pk(model).key
    return {
        getattr(row, attr): row for row in session.scalars(_owned(model, keys, worker, session))
    }
