"""Tables of the workforce domain: staff (technicians, skills, teams, leave,
partner companies) and TMF697 work orders with their field history.

eTOM 1.4.2 workforce management (staff) and 1.3.2 / 1.5.2 provisioning work
carried out in the field (work orders).

A *technician* belongs to the operator's own crews (``partner_id`` NULL) or to
a *partner company* (``partner_id`` = the company id, the same id as the
``kit.scope`` partner id of that partner's users and API clients). A work
order executed by a partner carries that partner's id, so that only the
partner's people and systems see it (row scope) and only their hub listeners
receive its events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import PartnerScoped, RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF697 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/workOrderManagement/v4"

PARTNER_KINDS = ("construction", "cableTv", "fixedLine")
STAFF_STATUSES = ("active", "inactive")


class PartnerCompany(Base):
    """A company whose crews do field work for the operator (施工合作方).

    ``id`` is the partner id of :mod:`openboss.kit.scope` (``PARTNER-1``): the
    partner's users and API clients carry it, and see only its rows.
    """

    __tablename__ = "partner_company"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("kind IN ('construction', 'cableTv', 'fixedLine')", name="kind"),
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    localized_name: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Contract SLA terms, e.g. {"installHours": 48, "repairHours": 24, "penaltyPercent": 5}.
    sla_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    #: Where the partner's own system listens (informative: it registers at the hub).
    webhook_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Skill(Base):
    """A skill of the catalogue (``ftthInstall``, ``ftthRepair``, ``survey`` …)."""

    __tablename__ = "skill"
    __audited__ = True
    __table_args__ = (CheckConstraint("status IN ('active', 'inactive')", name="status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    localized_name: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)


class Technician(RegionScoped, PartnerScoped, Base):
    """A field technician (施工人员) of an own crew or of a partner company.

    ``region_id`` is the home region (row scope); ``service_areas`` lists the
    regions or grids the technician works in. The working calendar is a weekly
    pattern: ``work_days`` (0 = Monday … 6 = Sunday) from ``shift_start`` to
    ``shift_end`` (``HH:MM``, local time).
    """

    __tablename__ = "technician"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
        CheckConstraint("home_lat IS NULL OR (home_lat >= -90 AND home_lat <= 90)", name="lat"),
        CheckConstraint("home_lon IS NULL OR (home_lon >= -180 AND home_lon <= 180)", name="lon"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    home_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    home_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    service_areas: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    work_days: Mapped[list[int]] = mapped_column(JSONDoc, nullable=False)
    shift_start: Mapped[str] = mapped_column(String(5), nullable=False)
    shift_end: Mapped[str] = mapped_column(String(5), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    #: The console user name of this technician (optional; unique).
    username: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class TechnicianSkill(Base):
    """A technician's level (1 = novice … 5 = expert) in one skill."""

    __tablename__ = "technician_skill"
    __audited__ = True
    __table_args__ = (CheckConstraint("level >= 1 AND level <= 5", name="level"),)

    technician_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("technician.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("skill.id"), primary_key=True, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)


class TechnicianLeave(Base):
    """A technician's absence from ``start_date`` to ``end_date`` (inclusive)."""

    __tablename__ = "technician_leave"
    __audited__ = True
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    technician_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("technician.id", ondelete="CASCADE"), nullable=False, index=True
    )
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Team(RegionScoped, PartnerScoped, Base):
    """A crew: a leader and members, working in a region."""

    __tablename__ = "team"
    __audited__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    leader_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("technician.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class TeamMember(Base):
    """Membership of a technician in a team."""

    __tablename__ = "team_member"
    __audited__ = True

    team_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    technician_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("technician.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WorkOrder(RegionScoped, PartnerScoped, Base):
    """A TMF697 work order: one job in the field (survey, installation, …).

    The TMF ``state`` follows :data:`openboss.workforce.states.WORK_ORDER`;
    ``field_state`` records where the crew is (dispatched → accepted → enRoute →
    onSite), with every move in :class:`WorkOrderEvent`.
    """

    __tablename__ = "work_order"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        CheckConstraint("priority IN ('1', '2', '3', '4', '5')", name="priority"),
        CheckConstraint("estimated_duration > 0", name="estimated_duration"),
        Index("ix_work_order_state_window", "state", "window_start"),
        Index(
            "ix_work_order_related_entity_gin",
            "related_entity",
            postgresql_using="gin",
            postgresql_ops={"related_entity": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    field_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    field_state_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    priority: Mapped[str] = mapped_column(String(1), nullable=False)
    required_skill: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    estimated_duration: Mapped[int] = mapped_column(Integer, nullable=False)
    place: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    appointment: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    sla_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    assignee_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("technician.id"), nullable=True, index=True
    )
    assignee_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    requested_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requested_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expected_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    state_change_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    note: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    work_order_item: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The stored TMF representation (without id and href), kept by WORK_ORDER_RESOURCE.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class WorkOrderEvent(Base):
    """One move of a work order: who, when, from → to (state and field sub-state),
    a note and where the crew was (lat/lon, when the phone gave it)."""

    __tablename__ = "work_order_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("work_order.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str] = mapped_column(String(32), nullable=False)
    from_field_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_field_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)


_w = WorkOrder.__table__.c

WORK_ORDER_RESOURCE = TmfResource(
    name="workOrder",
    type_name="WorkOrder",
    base_path=BASE_PATH,
    path="/workOrder",
    table=WorkOrder.__table__,
    id_column=_w.id,
    document_column=_w.doc,
    attrs=(
        ColumnAttr("state", column=_w.state),
        ColumnAttr("description", column=_w.description, sortable=False),
        ColumnAttr("category", column=_w.category),
        ColumnAttr("externalId", column=_w.external_id),
        ColumnAttr("priority", column=_w.priority),
        ColumnAttr("orderDate", column=_w.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("requestedStartDate", column=_w.requested_start, kind=Kind.DATETIME),
        ColumnAttr("requestedCompletionDate", column=_w.requested_completion, kind=Kind.DATETIME),
        ColumnAttr("expectedCompletionDate", column=_w.expected_completion, kind=Kind.DATETIME),
        ColumnAttr("startDate", column=_w.start_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("completionDate", column=_w.completion_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr(
            "cancellationDate", column=_w.cancellation_date, kind=Kind.DATETIME, read_only=True
        ),
        ColumnAttr("cancellationReason", column=_w.cancellation_reason),
        ColumnAttr(
            "stateChangeDate", column=_w.state_change_date, kind=Kind.DATETIME, read_only=True
        ),
        JsonAttr(
            "appointment",
            column=_w.appointment,
            keys=frozenset({"id", "href", "description", "@referredType"}),
        ),
        JsonAttr(
            "place",
            column=_w.place,
            keys=frozenset({"id", "href", "name", "@referredType"}),
        ),
        JsonAttr(
            "relatedEntity",
            column=_w.related_entity,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "relatedParty",
            column=_w.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType", "contactPhone"}),
        ),
        JsonAttr("note", column=_w.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr(
            "workOrderItem",
            column=_w.work_order_item,
            keys=frozenset(
                {"id", "action", "state", "description", "characteristic", "attachment", "note"}
            ),
        ),
        # ---- OpenBOSS extensions (docs/workforce-orders.md) ----
        ColumnAttr("workOrderKind", column=_w.kind),
        ColumnAttr("fieldState", column=_w.field_state),
        ColumnAttr(
            "fieldStateDate", column=_w.field_state_date, kind=Kind.DATETIME, read_only=True
        ),
        JsonAttr("requiredSkill", column=_w.required_skill, keys=frozenset({"skill", "minLevel"})),
        ColumnAttr("estimatedDuration", column=_w.estimated_duration, kind=Kind.INTEGER),
        ColumnAttr("location.latitude", column=_w.latitude, kind=Kind.NUMBER, read_only=True),
        ColumnAttr("location.longitude", column=_w.longitude, kind=Kind.NUMBER, read_only=True),
        ColumnAttr("timeWindow.startDateTime", column=_w.window_start, kind=Kind.DATETIME),
        ColumnAttr("timeWindow.endDateTime", column=_w.window_end, kind=Kind.DATETIME),
        ColumnAttr("slaDeadline", column=_w.sla_deadline, kind=Kind.DATETIME),
        ColumnAttr("assignee.id", column=_w.assignee_id),
        # the name is filled from the technician; a PATCH may send it, it is ignored
        ColumnAttr("assignee.name", column=_w.assignee_name),
        ColumnAttr("failureReason", column=_w.failure_reason),
        ColumnAttr("regionId", column=_w.region_id),
        ColumnAttr("partnerId", column=_w.partner_id),
        ColumnAttr("lastUpdate", column=_w.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-orderDate",),
    extra_read_only=frozenset({"regionId"}),
    versioned_count=True,
)
WORK_ORDER_RESOURCE.keep_document(WorkOrder)
