"""Tables of the process engine: BPMN definitions (versioned), process
instances with their persisted SpiffWorkflow state, buffered and expected
message correlations, desk (user) tasks and the per-task execution log.

eTOM 1.3.2 service configuration & activation / 1.5.2 resource provisioning
are orchestrated by these processes; the engine itself is IT plumbing.

``process_instance`` is also the runner's queue: an instance with ``due_at``
set is claimed by a worker (``locked_by``/``locked_until`` lease, ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL) and advanced in a transaction of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id

#: Instance statuses: ``running`` (work to do now), ``waiting`` (a message, timer or
#: desk task), ``incident`` (a handler raised; retried with back-off), and the ends.
INSTANCE_STATUSES = ("running", "waiting", "incident", "completed", "failed", "cancelled")
OPEN_STATUSES = ("running", "waiting", "incident")
ENDED_STATUSES = ("completed", "failed", "cancelled")
#: ``expected`` (an instance waits for it), ``buffered`` (arrived, nobody expects it
#: yet), ``pending`` (attached to an instance, not yet caught), ``consumed``.
MESSAGE_STATUSES = ("expected", "buffered", "pending", "consumed")
DESK_STATUSES = ("open", "completed", "cancelled")


class ProcessDefinition(Base):
    """One version of one executable BPMN process (``key`` = the process id)."""

    __tablename__ = "process_definition"
    __audited__ = True
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: The whole BPMN file the process came from (with its diagram).
    xml: Mapped[str] = mapped_column(Text, nullable=False)
    #: sha256 of the process's own XML element: a new version only when it changed.
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: ``api`` | ``builtin`` | ``cli`` …
    source: Mapped[str] = mapped_column(String(32), nullable=False)


class ProcessInstance(Base):
    """One run of a process definition version (see the module docstring)."""

    __tablename__ = "process_instance"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'waiting', 'incident', 'completed', 'failed', 'cancelled')",
            name="status",
        ),
        Index("ix_process_instance_due", "due_at"),
        Index("ix_process_instance_business_key", "business_key"),
        Index("ix_process_instance_status", "status", "updated_at"),
        Index("ix_process_instance_key", "process_key", "version"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    process_key: Mapped[str] = mapped_column(String(128), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    business_key: Mapped[str] = mapped_column(String(128), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Compressed SpiffWorkflow state without the spec (None once ended).
    state: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    #: BPMN ids of the tasks waiting or ready now (the "current" tasks).
    current: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    #: BPMN ids of the elements passed so far (the diagram's "done" marks).
    done: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    #: When the runner should advance it (None: waits for something external).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Correlated messages wait for delivery (spares the runner a query).
    has_messages: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Failed runs in a row (incident back-off); reset by progress.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: BPMN id of the task that raised (incident) or the error code (failed).
    error_task: Mapped[str | None] = mapped_column(String(128), nullable=True)
    #: Bumped on every run: the idempotency keys of loop iterations differ.
    runs: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: Last time a task completed (the "stuck" filter).
    progressed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProcessMessage(Base):
    """A message correlation: expected by an instance, or buffered until one does."""

    __tablename__ = "process_message"
    __table_args__ = (
        CheckConstraint("status IN ('expected', 'buffered', 'pending', 'consumed')", name="status"),
        Index("ix_process_message_corr", "message", "correlation_key", "status"),
        Index("ix_process_message_instance", "instance_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    message: Mapped[str] = mapped_column(String(128), nullable=False)
    correlation_key: Mapped[str] = mapped_column(String(255), nullable=False)
    instance_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeskTask(Base):
    """A BPMN user task waiting for a person (a desk / back-office task)."""

    __tablename__ = "desk_task"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("status IN ('open', 'completed', 'cancelled')", name="status"),
        Index("ix_desk_task_status", "status", "created_at"),
        Index("ix_desk_task_instance", "instance_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    instance_id: Mapped[str] = mapped_column(String(36), nullable=False)
    process_key: Mapped[str] = mapped_column(String(128), nullable=False)
    business_key: Mapped[str] = mapped_column(String(128), nullable=False)
    task_id: Mapped[str] = mapped_column(String(128), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: Candidate group (BPMN lane name), if any.
    lane: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The SpiffWorkflow task UUID within the instance state.
    spiff_task: Mapped[str] = mapped_column(String(36), nullable=False)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProcessTaskLog(Base):
    """One task executed (or skipped) by an instance: the "done" tasks and timings."""

    __tablename__ = "process_task_log"
    __table_args__ = (Index("ix_process_task_log_instance", "instance_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    instance_id: Mapped[str] = mapped_column(String(36), nullable=False)
    #: Order within the instance.
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    task_id: Mapped[str] = mapped_column(String(128), nullable=False)
    task_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: BPMN element type (serviceTask, userTask, exclusiveGateway …).
    task_type: Mapped[str] = mapped_column(String(64), nullable=False)
    #: The handler name of a service task.
    implementation: Mapped[str | None] = mapped_column(String(128), nullable=True)
    #: completed | error | skipped | compensated | incident
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    duration_ms: Mapped[float] = mapped_column(Float, nullable=False)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
