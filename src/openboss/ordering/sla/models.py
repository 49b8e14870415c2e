"""Tables of SLA clocks and business alarms (eTOM 1.1.1.5 order handling, PBOSS §3).

* ``order_sla_clock`` — one clock per product order: started when the order is
  accepted, with the deadline from the catalog SLA and the jeopardy point at a
  configured share of it; stopped when the order closes.
* ``business_alarm`` — a business (not network) alarm raised when an order's
  clock reaches jeopardy or breach; acknowledged by a person, cleared when the
  clock stops. Kept for the later SLA reporting and billing (penalty) work.

Both are region-scoped by the order's installation region.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import UTCDateTime
from openboss.kit.scope import RegionScoped

#: Clock states: ``running`` → ``jeopardy`` → ``breached`` while the order is
#: open; stopping gives ``met`` (closed before the deadline), ``missed`` (closed
#: after it) or ``stopped`` (cancelled, failed, rejected: no verdict).
CLOCK_STATES = ("running", "jeopardy", "breached", "met", "missed", "stopped")
OPEN_STATES = frozenset({"running", "jeopardy", "breached"})

ALARM_KINDS = ("orderJeopardy", "orderBreach")


class OrderSlaClock(RegionScoped, Base):
    """The SLA clock of one product order."""

    __tablename__ = "order_sla_clock"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(
            "state IN ('running', 'jeopardy', 'breached', 'met', 'missed', 'stopped')",
            name="state",
        ),
        CheckConstraint("deadline > started_at", name="deadline"),
        CheckConstraint("jeopardy_percent > 0 AND jeopardy_percent <= 100", name="jeopardy"),
        Index("ix_order_sla_clock_state_deadline", "state", "deadline"),
    )

    product_order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    jeopardy_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    completion_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    jeopardy_percent: Mapped[int] = mapped_column(Integer, nullable=False)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: What the order ended with (completed, partial, failed, cancelled, …).
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)


class BusinessAlarm(RegionScoped, Base):
    """A business alarm about an object (here: a product order's SLA)."""

    __tablename__ = "business_alarm"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("kind IN ('orderJeopardy', 'orderBreach')", name="kind"),
        CheckConstraint("severity IN ('critical', 'major', 'minor', 'warning')", name="severity"),
        UniqueConstraint("kind", "object_id"),
        Index("ix_business_alarm_raised", "cleared_at", "raised_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    #: The object the alarm is about: ``@referredType`` and id (ProductOrder).
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
