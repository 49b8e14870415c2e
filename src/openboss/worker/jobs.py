"""Background jobs and timers: enqueue in the business transaction, run in the worker.

::

    @job_handler("sla.jeopardy")
    def warn_jeopardy(session: Session, payload: dict[str, Any]) -> None:
        ...

    # in the order-creation transaction: the timer commits with the order
    enqueue(session, "sla.jeopardy", {"orderId": order.id},
            run_at=order.created_at + timedelta(hours=20), dedup_key=f"sla.jeopardy:{order.id}")
    # order completed in time
    cancel(session, f"sla.jeopardy:{order.id}")

A handler runs in a transaction of its own that also marks the job done, so
its database changes and the job's completion commit together. If the worker
dies before that commit, the job runs again once its lease expires
(at-least-once): handlers must be idempotent for anything they do outside
the database. A handler that raises is retried with exponential back-off
and, after ``max_attempts``, the job is ``dead`` (listed for administrators).
Handlers must not commit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openboss.events.models import DEAD, DONE, FAILED, PENDING, READY_STATUSES, RUNNING
from openboss.kit.clock import utcnow
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.worker.deadletters import retry_dead_letter
from openboss.worker.models import Job

#: ``fn(session, payload)``: runs in the job's transaction; must not commit.
JobHandler = Callable[[Session, dict[str, Any]], None]

MAX_KIND_LENGTH = 96
MAX_DEDUP_KEY_LENGTH = 255

_lock = threading.Lock()
_handlers: dict[str, JobHandler] = {}


def register_job_handler(kind: str, fn: JobHandler) -> JobHandler:
    """Run ``fn`` for jobs of ``kind``. One handler per kind; registering a
    different function for a kind already taken is a programming error."""
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"job kind must be 1..{MAX_KIND_LENGTH} characters")
    with _lock:
        existing = _handlers.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"a handler for job kind {kind!r} is already registered: {existing!r}")
        _handlers[kind] = fn
    return fn


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Decorator form of :func:`register_job_handler`."""

    def decorator(fn: JobHandler) -> JobHandler:
        return register_job_handler(kind, fn)

    return decorator


def unregister_job_handler(kind: str) -> bool:
    with _lock:
        return _handlers.pop(kind, None) is not None


def handler_for(kind: str) -> JobHandler | None:
    with _lock:
        return _handlers.get(kind)


def _check_payload(payload: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationFailed("job payload must be a JSON object", field="payload")
    try:
        # Exactly what the handler will get back: no dates, sets or NaN sneak in.
        return dict(json.loads(json.dumps(payload, allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"job payload is not JSON: {exc}", field="payload") from exc


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime | None = None,
    dedup_key: str | None = None,
    max_attempts: int = 5,
    *,
    fresh_key: bool = False,
) -> Job:
    """Add a job (a timer when ``run_at`` is in the future) to the caller's transaction.

    With ``dedup_key``, enqueuing is idempotent: when a job with that key
    exists (in any state) it is returned unchanged and nothing is added.
    ``fresh_key=True`` says the key cannot exist yet (it names a row the
    caller's own, uncommitted transaction has just created, so no other
    transaction can know it): the lookup and the savepoint are skipped.
    Nothing runs unless the caller's transaction commits.
    """
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValidationFailed(f"job kind must be 1..{MAX_KIND_LENGTH} characters", field="kind")
    if max_attempts < 1:
        raise ValidationFailed("max_attempts must be at least 1", field="max_attempts")
    if run_at is not None and run_at.tzinfo is None:
        raise ValidationFailed("run_at must be timezone-aware (UTC)", field="run_at")
    if dedup_key is not None and not 0 < len(dedup_key) <= MAX_DEDUP_KEY_LENGTH:
        raise ValidationFailed(
            f"dedup_key must be 1..{MAX_DEDUP_KEY_LENGTH} characters", field="dedup_key"
        )
    doc = _check_payload(payload)
    now = utcnow()
    if dedup_key is not None and not fresh_key:
        existing = session.scalar(select(Job).where(Job.dedup_key == dedup_key))
        if existing is not None:
            return existing
    job = Job(
        id=new_id(),
        kind=kind,
        payload=doc,
        run_at=run_at or now,
        max_attempts=max_attempts,
        dedup_key=dedup_key,
        created_at=now,
    )
    if dedup_key is None or fresh_key:
        session.add(job)
    else:
        # A concurrent transaction may insert the same key first: the savepoint
        # keeps the caller's transaction usable and we return the winner's job.
        try:
            with session.begin_nested():
                session.add(job)
        except IntegrityError:
            winner = session.scalar(select(Job).where(Job.dedup_key == dedup_key))
            if winner is None:
                raise
            return winner
    if not fresh_key:  # a fresh job is written by the caller's next flush
        session.flush()
    session.info["jobs_written"] = True
    return job


def cancel(session: Session, dedup_key: str) -> bool:
    """Cancel the not-yet-started job (or timer) with ``dedup_key``; True when one
    was cancelled. The key is free again afterwards. A running job cannot be
    cancelled; finished jobs are left as they are."""
    result = session.execute(
        delete(Job)
        .where(Job.dedup_key == dedup_key, Job.status.in_(READY_STATUSES))
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0))


#: Most jobs one listing page returns.
MAX_PAGE = 500
#: A job's statuses in the order of its life: waiting, being run, failing
#: (next attempt scheduled), given up, finished.
JOB_STATUSES: Final[tuple[str, ...]] = (PENDING, RUNNING, FAILED, DEAD, DONE)


def _kind_and_status(stmt: Any, *, status: str | None, kind: str | None) -> Any:
    if status is not None:
        if status not in JOB_STATUSES:
            raise ValidationFailed(
                f"status must be one of {', '.join(JOB_STATUSES)}", field="status"
            )
        stmt = stmt.where(Job.status == status)
    if kind is not None:
        if not kind or len(kind) > MAX_KIND_LENGTH:
            raise ValidationFailed(f"kind must be 1..{MAX_KIND_LENGTH} characters", field="kind")
        stmt = stmt.where(Job.kind == kind)
    return stmt


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Job], int]:
    """Jobs and timers, newest first, optionally of one ``status`` and one ``kind``;
    returns one page and the number of jobs matching in all (two queries).

    An administrator's view of the queue: what is waiting (``pending``, timers
    whose ``run_at`` lies ahead), running (with the worker holding it and
    until when), failing (``failed``, next attempt at ``run_at``), given up
    (``dead``) or finished (``done``, until housekeeping removes it).
    """
    if offset < 0:
        raise ValidationFailed("offset must not be negative", field="offset")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    page = _kind_and_status(select(Job), status=status, kind=kind)
    rows = list(
        session.scalars(
            page.order_by(Job.created_at.desc(), Job.id.desc()).offset(offset).limit(limit)
        )
    )
    total = session.scalar(
        _kind_and_status(select(func.count()).select_from(Job), status=status, kind=kind)
    )
    return rows, int(total or 0)


def count_jobs_by_status(session: Session, *, kind: str | None = None) -> dict[str, int]:
    """How many jobs are in each status (every status present, zeros included),
    optionally of one ``kind``; one query."""
    stmt = _kind_and_status(
        select(Job.status, func.count()).group_by(Job.status), status=None, kind=kind
    )
    counts = dict.fromkeys(JOB_STATUSES, 0)
    for status, n in session.execute(stmt).all():
        counts[status] = int(n)
    return counts


def job_kinds(session: Session) -> list[str]:
    """Every job kind in the table or with a registered handler, sorted (for filters)."""
    stored = set(session.scalars(select(Job.kind).distinct()))
    with _lock:
        stored.update(_handlers)
    return sorted(stored)


def retry_job(session: Session, job_id: str) -> Job:
    """Queue a dead job again with a fresh set of attempts, due now (the
    dead-letter retry of :mod:`openboss.worker.deadletters`, for jobs only).

    404 when no job has this id (also for the id of a dead event or delivery);
    409 when the job is not dead.
    """
    if session.get(Job, job_id) is None:
        raise NotFound(f"no job with id {job_id}", field="id")
    retry_dead_letter(session, job_id)
    job = session.get(Job, job_id)
    assert job is not None  # retried in this transaction
    return job
