"""The job table: background work and timers.

A *job* is a unit of background work of some ``kind`` (``"sla.jeopardy"``,
``"billing.close_cycle"``) with a JSON ``payload``, run by the handler
registered for its kind. A *timer* is simply a job whose ``run_at`` lies in
the future: enqueue it in the business transaction (an SLA jeopardy timer
when the order is created) and cancel it by its ``dedup_key`` when it is no
longer needed (the order completed in time).

Life of a job: ``pending → running → done``; a failing handler makes it
``failed`` with ``run_at`` moved to the next attempt (exponential back-off),
and after ``max_attempts`` it is ``dead`` (listed for administrators, who may
retry it). A ``running`` job holds a lease (``locked_by``/``locked_until``);
when the worker dies the lease expires and another worker runs the job again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.events.models import PENDING
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id


class Job(Base):
    """One background job or timer (see the module docstring)."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_due", "status", "run_at"),
        Index("ix_job_lease", "status", "locked_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(96), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    #: When the job is due (a timer's expiry; after a failure, the next attempt).
    run_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: pending → running → done | failed (retry scheduled) | dead
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: End of the lease of a running job; after it another worker may take over.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Idempotent enqueuing: a second enqueue with the same key returns the first job.
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
