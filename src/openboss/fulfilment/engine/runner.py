"""The engine's runner: advances due process instances inside ``openboss worker``.

Each worker round claims a batch of due instances (``due_at`` reached, lease
free or expired) with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL
(``BEGIN IMMEDIATE`` on SQLite) and leases them (``locked_by``,
``locked_until``). Each instance then advances in a transaction of its own
that re-reads it under its lease (in practice a chunk of instances shares one
transaction, each in its own savepoint, committed every
:data:`CHUNK_SECONDS`); a crash before that commit leaves the last
committed state, and once the lease expires another worker runs it again
(handlers are idempotent through ``ctx.key``). Any number of workers share
the instances.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select, update

from openboss.db import Database
from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.models import ProcessInstance
from openboss.kit.clock import utcnow
from openboss.worker.runner import register_poller

if TYPE_CHECKING:
    from openboss.worker.runner import Worker

log = structlog.get_logger("openboss.fulfilment.engine.runner")

#: Instances advanced in one transaction for at most this long, then committed.
CHUNK_SECONDS = 0.2


def claim_due(database: Database, *, worker: str, lease: timedelta, limit: int) -> list[str]:
    """Lease up to ``limit`` due instances for ``worker``; their ids, oldest due first."""
    now = utcnow()
    with database.claim_transaction(actor=f"worker:{worker}"[:64]) as s:
        stmt = (
            select(ProcessInstance.id)
            .where(
                ProcessInstance.due_at <= now,
                (ProcessInstance.locked_until.is_(None)) | (ProcessInstance.locked_until < now),
            )
            .order_by(ProcessInstance.due_at)
            .limit(limit)
        )
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(s.scalars(stmt))
        if ids:
            s.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id.in_(ids))
                .values(locked_by=worker, locked_until=now + lease)
                .execution_options(synchronize_session=False)
            )
    return ids


def run_claimed(database: Database, instance_id: str, *, worker: str) -> bool:
    """Advance one leased instance in its own transaction; False when the lease
    was lost (another worker took it over) or the instance is not due any more."""
    actor = f"worker:{worker}"[:64]
    try:
        with database.transaction(actor=actor) as s:
            inst = s.get(ProcessInstance, instance_id, with_for_update=True)
            if inst is None or inst.locked_by != worker:
                return False
            if inst.due_at is None or inst.status in ("completed", "failed", "cancelled"):
                inst.locked_by = inst.locked_until = None
                return False
            service._run(s, inst, savepoint=False)  # clears the lease
        return True
    except service.IncidentRaised as incident:
        # Everything the run did was rolled back; record the incident on its own.
        try:
            with database.transaction(actor=actor) as s:
                inst = s.get(ProcessInstance, instance_id, with_for_update=True)
                if inst is not None and inst.locked_by == worker:
                    service.record_incident(s, inst, incident.task_id, incident.error)
        except Exception:
            log.exception("process_incident_not_recorded", instance=instance_id, worker=worker)
        return True
    except Exception:
        # Not a handler error (those become incidents): the database failed or a
        # listener raised. Nothing was committed; the lease expires and it is retried.
        log.exception("process_run_failed", instance=instance_id, worker=worker)
        return False


def run_claimed_batch(
    database: Database, ids: list[str], *, worker: str, budget: float = CHUNK_SECONDS
) -> int:
    """Advance leased instances in one transaction, one savepoint each, until the
    time budget is spent; returns how many of ``ids`` were handled.

    One commit for many instances spares the database a log flush per instance.
    A handler failure is an incident of its instance only (its savepoint); any
    other failure rolls the chunk back and its instances run one per transaction.
    """
    started = time.monotonic()
    handled = 0
    try:
        with database.transaction(actor=f"worker:{worker}"[:64]) as s:
            rows = {
                inst.id: inst
                for inst in s.scalars(
                    select(ProcessInstance)
                    .where(ProcessInstance.id.in_(ids), ProcessInstance.locked_by == worker)
                    .with_for_update()
                )
            }
            for instance_id in ids:
                handled += 1
                inst = rows.get(instance_id)
                if inst is not None:
                    if inst.due_at is None or inst.status in ("completed", "failed", "cancelled"):
                        inst.locked_by = inst.locked_until = None
                    else:
                        service._run(s, inst)
                if time.monotonic() - started > budget:
                    break
    except Exception:
        log.exception("process_chunk_failed", worker=worker, instances=handled)
        for instance_id in ids[:handled]:
            run_claimed(database, instance_id, worker=worker)
    return handled


def run_due(
    database: Database,
    *,
    worker: str = "engine",
    lease: timedelta = timedelta(seconds=60),
    limit: int = 100,
    stopping: object = None,
) -> int:
    """Claim one batch of due instances and advance them; the number handled."""
    ids = claim_due(database, worker=worker, lease=lease, limit=limit)
    handled = 0
    while handled < len(ids):
        if stopping is not None and getattr(stopping, "stopping", False):
            _release(database, ids[handled:], worker)
            break
        handled += run_claimed_batch(database, ids[handled:], worker=worker)
    return handled


def _release(database: Database, ids: list[str], worker: str) -> None:
    if not ids:
        return
    with database.transaction() as s:
        s.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id.in_(ids), ProcessInstance.locked_by == worker)
            .values(locked_by=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )


def poll(worker: Worker) -> int:
    """The worker poller (registered at import)."""
    return run_due(
        worker.database,
        worker=worker.name,
        lease=worker.lease,
        limit=worker.batch_size,
        stopping=worker,
    )


register_poller(poll)
