"""Outbox, hub listeners and deliveries.

Three tables carry an event from the business transaction to its audience:

* ``outbox_event`` — one row per event, written with the business change.
  The worker *dispatches* it: runs the in-process subscribers, fans it out
  into one ``event_delivery`` per matching hub listener and, when NATS is
  configured, publishes it to JetStream.
* ``hub_subscription`` — a TMF630 listener registered with ``POST {api}/hub``;
  it receives the events of that one API that pass its ``query``.
* ``event_delivery`` — one HTTP POST of one event to one listener, with its
  own attempts, back-off and dead letter.

Every row that is worked on by the worker follows the same life:
``pending → running → done``, with ``failed`` (an attempt failed, the next one
is scheduled) and ``dead`` (attempts exhausted; listed for administrators, who
may retry it). ``running`` rows carry a lease (``locked_by``, ``locked_until``):
a worker that dies leaves the lease to expire and another worker takes over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope

#: Work-row statuses shared by outbox events, deliveries and jobs.
PENDING: Final = "pending"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
DEAD: Final = "dead"
#: Statuses a worker may claim once the row is due.
READY_STATUSES: Final = (PENDING, FAILED)
WORK_STATUSES: Final = (PENDING, RUNNING, DONE, FAILED, DEAD)


class OutboxEvent(Base):
    """One event, written in the business transaction, dispatched after commit.

    ``payload`` is the TMF688 envelope exactly as listeners receive it.
    Dispatch has two parts that are tracked separately so a retry never
    repeats a part that succeeded: ``fanned_out_at`` (hub deliveries created
    and, with NATS configured, the JetStream publish acknowledged) and
    ``handled_at`` (every in-process subscriber ran and committed). When both
    are set the event is ``done``; ``dispatched_at`` records when dispatch
    ended, successfully (``done``) or not (``dead``).
    """

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "status", "next_attempt_at"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    event_type: Mapped[str] = mapped_column(String(96), nullable=False, index=True)
    resource_type: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Base path of the API owning the resource (hub listeners are per API).
    api: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    #: Partner owning the resource (NULL: the operator's own). A partner's hub
    #: listener receives only the events of its own partner's rows.
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Region of the resource (NULL: central data, every listener may see it).
    #: A region-limited listener receives only events of its regions.
    region_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: pending → running → done | failed (retry scheduled) | dead
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Worker holding the lease while ``running``.
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: End of the lease; after it another worker may take the event over.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: In-process subscribers ran successfully (their changes committed).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Hub deliveries created and NATS publish acknowledged.
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HubSubscription(Base):
    """A TMF630 event listener: ``POST {api}/hub {callback, query}``.

    The subscription belongs to one API (``api`` is its base path, as in
    ``OutboxEvent.api``) and receives that API's events that pass ``query``
    (e.g. ``eventType=TroubleTicketStateChangeEvent&event.troubleTicket.status=resolved``).
    ``owner`` records who registered it; ``partner_id`` and ``region_ids`` are
    that principal's row scope at registration, and the listener receives only
    events about rows inside it (the rule of :mod:`openboss.kit.scope`: a
    partner sees only its own partner's rows; a region-limited principal sees
    its regions and central rows, whose region is NULL).
    """

    __tablename__ = "hub_subscription"
    __audited__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    api: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    callback: Mapped[str] = mapped_column(String(2048), nullable=False)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Regions the registering principal was limited to; NULL = every region.
    region_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def scope(self) -> Scope:
        """The row scope the listener's events are limited to."""
        regions = frozenset(self.region_ids) if self.region_ids is not None else None
        return Scope(regions=regions, partner_id=self.partner_id)


class EventDelivery(Base):
    """One event POSTed to one hub listener, retried with back-off until it
    succeeds (2xx) or its attempts are exhausted (``dead``).

    ``callback`` is copied from the subscription so a dead letter still shows
    where it was going after the listener unregistered (``subscription_id``
    then becomes NULL and its pending deliveries are dropped).
    """

    __tablename__ = "event_delivery"
    __table_args__ = (
        UniqueConstraint("event_seq", "subscription_id"),
        Index("ix_event_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("outbox_event.seq", ondelete="CASCADE"),
        nullable=False,
    )
    subscription_id: Mapped[str | None] = mapped_column(
        String(36),
        ForeignKey("hub_subscription.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    callback: Mapped[str] = mapped_column(String(2048), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: HTTP status of the last attempt (None: no answer — connection error, timeout).
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: When the delivery ended: delivered (``done``) or given up (``dead``).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
