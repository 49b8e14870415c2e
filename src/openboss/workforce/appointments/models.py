"""Tables of appointments (TMF646 v4): ``appointment`` and ``search_time_slot``.

eTOM 1.4.2 workforce management / 1.2.1 customer interaction: a visit agreed
with the customer in a time slot that the field crews can keep.

An appointment is region-scoped (the address's region) and partner-scoped (the
partner company that executes the linked work order; NULL = the operator's own
crews), so a partner sees only the appointments of its own orders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import PartnerScoped, RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF646 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/appointment/v4"

STATUSES = ("initialized", "confirmed", "cancelled", "completed", "failed")


class Appointment(RegionScoped, PartnerScoped, Base):
    """A booked visit: ``valid_start``–``valid_end`` is the customer's arrival window."""

    __tablename__ = "appointment"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        CheckConstraint(
            "status IN ('initialized', 'confirmed', 'cancelled', 'completed', 'failed')",
            name="status",
        ),
        CheckConstraint("valid_end > valid_start", name="valid_for"),
        CheckConstraint("duration > 0", name="duration"),
        Index("ix_appointment_status_start", "status", "valid_start"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    valid_start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    valid_end: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The linked TMF697 work order (also in ``related_entity``).
    work_order_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    skill_id: Mapped[str] = mapped_column(String(64), nullable=False)
    min_level: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Minutes on site.
    duration: Mapped[int] = mapped_column(Integer, nullable=False)
    address_id: Mapped[str] = mapped_column(String(36), nullable=False)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_place: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    contact_medium: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    note: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    calendar_event: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    #: Every booking, reschedule and status move: [{at, actor, action, ...}].
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class SearchTimeSlot(RegionScoped, PartnerScoped, Base):
    """One search for free slots and what it found (kept, retrievable by id)."""

    __tablename__ = "search_time_slot"
    __audit_exclude__ = frozenset({"doc"})

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    search_result: Mapped[str] = mapped_column(String(16), nullable=False)
    search_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    requested_time_slot: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    available_time_slot: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    related_place: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    required_skill: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    duration: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_a = Appointment.__table__.c

APPOINTMENT_RESOURCE = TmfResource(
    name="appointment",
    type_name="Appointment",
    base_path=BASE_PATH,
    path="/appointment",
    table=Appointment.__table__,
    id_column=_a.id,
    document_column=_a.doc,
    attrs=(
        ColumnAttr("status", column=_a.status),
        ColumnAttr("category", column=_a.category),
        ColumnAttr("description", column=_a.description, sortable=False),
        ColumnAttr("externalId", column=_a.external_id),
        ColumnAttr("validFor.startDateTime", column=_a.valid_start, kind=Kind.DATETIME),
        ColumnAttr("validFor.endDateTime", column=_a.valid_end, kind=Kind.DATETIME),
        ColumnAttr("creationDate", column=_a.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_a.updated_at, kind=Kind.DATETIME, read_only=True),
        JsonAttr(
            "relatedEntity",
            column=_a.related_entity,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "relatedParty",
            column=_a.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "relatedPlace",
            column=_a.related_place,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "contactMedium",
            column=_a.contact_medium,
            keys=frozenset({"mediumType", "preferred", "characteristic"}),
        ),
        JsonAttr("note", column=_a.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr(
            "calendarEvent",
            column=_a.calendar_event,
            keys=frozenset({"id", "href", "name", "@referredType"}),
        ),
        # ---- OpenBOSS extensions (docs/workforce-appointments.md) ----
        ColumnAttr("workOrderId", column=_a.work_order_id, read_only=True),
        ColumnAttr("requiredSkill.skill", column=_a.skill_id, read_only=True),
        ColumnAttr(
            "requiredSkill.minLevel", column=_a.min_level, kind=Kind.INTEGER, read_only=True
        ),
        ColumnAttr("duration", column=_a.duration, kind=Kind.INTEGER, read_only=True),
        ColumnAttr("cancellationReason", column=_a.cancellation_reason),
        JsonAttr(
            "history",
            column=_a.history,
            keys=frozenset({"at", "actor", "action", "from", "to", "reason"}),
            read_only=True,
        ),
        ColumnAttr("regionId", column=_a.region_id, read_only=True),
        ColumnAttr("partnerId", column=_a.partner_id, read_only=True),
    ),
    default_sort=("validFor.startDateTime",),
)
APPOINTMENT_RESOURCE.keep_document(Appointment)

_s = SearchTimeSlot.__table__.c

SEARCH_RESOURCE = TmfResource(
    name="searchTimeSlot",
    type_name="SearchTimeSlot",
    base_path=BASE_PATH,
    path="/searchTimeSlot",
    table=SearchTimeSlot.__table__,
    id_column=_s.id,
    document_column=_s.doc,
    attrs=(
        ColumnAttr("status", column=_s.status),
        ColumnAttr("searchResult", column=_s.search_result),
        ColumnAttr("searchDate", column=_s.search_date, kind=Kind.DATETIME, read_only=True),
        JsonAttr("requestedTimeSlot", column=_s.requested_time_slot, keys=frozenset({"validFor"})),
        JsonAttr(
            "availableTimeSlot",
            column=_s.available_time_slot,
            keys=frozenset({"id", "validFor", "capacity"}),
        ),
        JsonAttr(
            "relatedPlace",
            column=_s.related_place,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr(
            "relatedEntity",
            column=_s.related_entity,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr("requiredSkill", column=_s.required_skill, keys=frozenset({"skill", "minLevel"})),
        ColumnAttr("duration", column=_s.duration, kind=Kind.INTEGER),
        ColumnAttr("reason", column=_s.reason),
        ColumnAttr("regionId", column=_s.region_id, read_only=True),
        ColumnAttr("partnerId", column=_s.partner_id, read_only=True),
    ),
    default_sort=("-searchDate",),
)
SEARCH_RESOURCE.keep_document(SearchTimeSlot)
