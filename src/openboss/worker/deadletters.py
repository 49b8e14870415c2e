"""Dead letters: work the worker gave up on, for administrators to inspect and retry.

Three kinds of rows end up ``dead`` after their attempts are exhausted:

* ``delivery`` — an event that a hub listener did not accept (its callback
  kept failing);
* ``event`` — an outbox event whose in-process subscribers kept failing;
* ``job`` — a background job or timer whose handler kept failing.

:func:`list_dead_letters` shows them newest first; :func:`retry_dead_letter`
puts one back in the queue with a fresh set of attempts. Ids are the row ids
(``eventId`` for events), unique across the three kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import String, func, literal, select, union_all
from sqlalchemy.orm import Session

from openboss.events.models import DEAD, PENDING, EventDelivery, OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.worker.models import Job

DeadLetterKind = Literal["delivery", "event", "job"]
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One dead row, in the shape the console and the admin API show."""

    id: str
    kind: DeadLetterKind
    #: ``dead``, or ``pending`` … once retried.
    status: str
    #: Event type (events, deliveries) or job kind.
    name: str
    #: Callback URL (deliveries), event id (events), dedup key (jobs).
    target: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    #: When it was given up (None once retried).
    failed_at: datetime | None
    #: The event id of events and deliveries.
    event_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "name": self.name,
            "target": self.target,
            "attempts": self.attempts,
            "lastError": self.last_error,
            "createdAt": _iso(self.created_at),
            "failedAt": _iso(self.failed_at),
            "eventId": self.event_id,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass(frozen=True, slots=True)
class DeadLetterPage:
    items: list[DeadLetter]
    total: int
    offset: int
    limit: int


def _union(*, dead_only: bool) -> Any:
    deliveries = select(
        EventDelivery.id.label("id"),
        literal("delivery").label("kind"),
        EventDelivery.status.label("status"),
        OutboxEvent.event_type.label("name"),
        EventDelivery.callback.label("target"),
        EventDelivery.attempts.label("attempts"),
        EventDelivery.last_error.label("last_error"),
        EventDelivery.created_at.label("created_at"),
        EventDelivery.finished_at.label("failed_at"),
        OutboxEvent.event_id.label("event_id"),
    ).join(OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq)
    events = select(
        OutboxEvent.event_id,
        literal("event"),
        OutboxEvent.status,
        OutboxEvent.event_type,
        OutboxEvent.event_id,
        OutboxEvent.attempts,
        OutboxEvent.last_error,
        OutboxEvent.created_at,
        OutboxEvent.dispatched_at,
        OutboxEvent.event_id,
    )
    jobs = select(
        Job.id,
        literal("job"),
        Job.status,
        Job.kind,
        Job.dedup_key,
        Job.attempts,
        Job.last_error,
        Job.created_at,
        Job.finished_at,
        literal(None, type_=String()),
    )
    if dead_only:
        deliveries = deliveries.where(EventDelivery.status == DEAD)
        events = events.where(OutboxEvent.status == DEAD)
        jobs = jobs.where(Job.status == DEAD)
    return union_all(deliveries, events, jobs).subquery("dead_letter")


def _row_to_dead_letter(row: Any) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        kind=row.kind,
        status=row.status,
        name=row.name,
        target=row.target,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        failed_at=row.failed_at if row.status == DEAD else None,
        event_id=row.event_id,
    )


def count_dead_letters(session: Session) -> dict[DeadLetterKind, int]:
    """How many dead rows of each kind (for dashboards and the metrics gauge)."""

    def count(model: Any) -> int:
        return (
            session.scalar(select(func.count()).select_from(model).where(model.status == DEAD)) or 0
        )

    return {"delivery": count(EventDelivery), "event": count(OutboxEvent), "job": count(Job)}


def list_dead_letters(session: Session, offset: int = 0, limit: int = 50) -> DeadLetterPage:
    """Dead rows of all kinds, most recently failed first."""
    if offset < 0:
        raise ValidationFailed("offset must not be negative", field="offset")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    dl = _union(dead_only=True)
    rows = session.execute(
        select(dl).order_by(dl.c.failed_at.desc(), dl.c.id.desc()).offset(offset).limit(limit)
    ).all()
    total = sum(count_dead_letters(session).values())
    return DeadLetterPage(
        items=[_row_to_dead_letter(r) for r in rows], total=total, offset=offset, limit=limit
    )


def get_dead_letter(session: Session, dead_letter_id: str) -> DeadLetter:
    """One row by id, in dead-letter shape — also after it was retried."""
    dl = _union(dead_only=False)
    row = session.execute(select(dl).where(dl.c.id == dead_letter_id)).first()
    if row is None:
        raise NotFound(f"no dead letter with id {dead_letter_id}", field="id")
    return _row_to_dead_letter(row)


def retry_dead_letter(session: Session, dead_letter_id: str) -> DeadLetter:
    """Queue a dead row again with a fresh set of attempts, due now.

    404 when no row has this id; 409 when it is not dead (already retried, or
    never failed) or when it is a delivery whose listener has unregistered.
    """
    now = utcnow()
    delivery = session.get(EventDelivery, dead_letter_id)
    event = (
        None
        if delivery is not None
        else session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == dead_letter_id))
    )
    job = None if delivery is not None or event is not None else session.get(Job, dead_letter_id)
    if delivery is not None:
        _require_dead(delivery.status, dead_letter_id)
        if delivery.subscription_id is None:
            raise Conflict(
                f"the listener of delivery {dead_letter_id} has unregistered; nothing to retry",
                field="id",
            )
        delivery.status, delivery.attempts, delivery.next_attempt_at = PENDING, 0, now
        delivery.finished_at = delivery.locked_by = delivery.locked_until = None
    elif event is not None:
        _require_dead(event.status, dead_letter_id)
        event.status, event.attempts, event.next_attempt_at = PENDING, 0, now
        event.dispatched_at = event.locked_by = event.locked_until = None
    elif job is not None:
        _require_dead(job.status, dead_letter_id)
        job.status, job.attempts, job.run_at = PENDING, 0, now
        job.finished_at = job.locked_by = job.locked_until = None
        session.info["jobs_written"] = True
    else:
        raise NotFound(f"no dead letter with id {dead_letter_id}", field="id")
    # Wake an in-process worker after commit.
    session.info["outbox_written"] = True
    session.flush()
    return get_dead_letter(session, dead_letter_id)


def _require_dead(status: str, dead_letter_id: str) -> None:
    if status != DEAD:
        raise Conflict(
            f"{dead_letter_id} is {status}, not dead; only dead letters can be retried", field="id"
        )
