"""Housekeeping: finished work rows are deleted after a retention period.

The outbox and the job table are queues, not archives (the audit log is the
archive): an event is purged once it is ``done`` and every delivery of it is
``done``; a job once it is ``done``. Dead rows are kept until an
administrator retries them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from openboss.events.models import DONE, READY_STATUSES, EventDelivery, OutboxEvent
from openboss.worker.models import Job


def purge_finished(session: Session, before: datetime, *, limit: int = 1000) -> int:
    """Delete up to ``limit`` finished events (with their deliveries) and up to
    ``limit`` finished jobs that ended before ``before``; how many rows went."""
    open_delivery = exists().where(
        EventDelivery.event_seq == OutboxEvent.seq, EventDelivery.status != DONE
    )
    seqs = list(
        session.scalars(
            select(OutboxEvent.seq)
            .where(OutboxEvent.status == DONE, OutboxEvent.dispatched_at < before, ~open_delivery)
            .order_by(OutboxEvent.seq)
            .limit(limit)
        )
    )
    removed = 0
    if seqs:
        session.execute(
            delete(EventDelivery)
            .where(EventDelivery.event_seq.in_(seqs))
            .execution_options(synchronize_session=False)
        )
        result = session.execute(
            delete(OutboxEvent)
            .where(OutboxEvent.seq.in_(seqs))
            .execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    job_ids = list(
        session.scalars(
            select(Job.id)
            .where(Job.status == DONE, Job.finished_at < before)
            .order_by(Job.finished_at)
            .limit(limit)
        )
    )
    if job_ids:
        result = session.execute(
            delete(Job).where(Job.id.in_(job_ids)).execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def queue_depths(session: Session, now: datetime) -> dict[str, int]:
    """Work due at ``now`` and not yet claimed, per queue."""
    counted = {
        "events": select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.status.in_(READY_STATUSES), OutboxEvent.next_attempt_at <= now),
        "deliveries": select(func.count())
        .select_from(EventDelivery)
        .where(EventDelivery.status.in_(READY_STATUSES), EventDelivery.next_attempt_at <= now),
        "jobs": select(func.count())
        .select_from(Job)
        .where(Job.status.in_(READY_STATUSES), Job.run_at <= now),
    }
    return {queue: session.scalar(stmt) or 0 for queue, stmt in counted.items()}
