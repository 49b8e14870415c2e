"""Tables of customer interface management (eTOM 1.1.1.2): ``party_interaction``
(TMF683 ``PartyInteraction``) and ``interaction_reason`` (the configurable
reason taxonomy).

A party interaction is one contact between the operator and a party through
one channel — a visit to a hall, a call to the call centre, an e-mail — with
the reason it happened, what it led to (``interactionItem``: the product
order, trouble ticket or bill enquiry it started) and how it ended
(``outcome``). Scalars live in columns (filters, the open and exception
lists and the contact report use them); structured attributes are JSON
documents; ``doc`` is the stored representation the API reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

BASE_PATH = "/tmf-api/partyInteraction/v4"
TYPE_NAME = "PartyInteraction"


class InteractionReason(Base):
    """One node of the reason taxonomy (咨询 / 办理 / 投诉 / 报修 …).

    ``routes_to`` names the process a contact with this reason starts
    (``order`` → order handling 1.1.1.5, ``complaint`` → problem handling
    1.1.1.6, ``billEnquiry`` → bill enquiry handling 1.1.1.12 …); ``None``
    inherits the parent's. Reasons are configuration, never deleted: an
    inactive reason stays readable on old contacts but is not offered.
    """

    __tablename__ = "interaction_reason"
    __audited__ = True

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("interaction_reason.code"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(128), nullable=True)
    routes_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class PartyInteraction(RegionScoped, Base):
    """One contact with a party (TMF683 ``PartyInteraction``)."""

    __tablename__ = "party_interaction"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        # open contacts and exceptions: status first, oldest first
        Index("ix_party_interaction_status_start", "status", "start_at"),
        # a customer's timeline, newest first
        Index("ix_party_interaction_customer_start", "customer_id", "start_at"),
        Index(
            "ix_party_interaction_related_party_gin",
            "related_party",
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        ),
        Index(
            "ix_party_interaction_interaction_item_gin",
            "interaction_item",
            postgresql_using="gin",
            postgresql_ops={"interaction_item": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Channel code (one of :data:`openboss.party.interaction.taxonomy.CHANNELS`).
    channel: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    #: The TMF ``channel`` array (``RelatedChannel`` refs) derived from ``channel``.
    related_channel: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    reason_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("interaction_reason.code"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    escalated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status_change_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    attachment: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    #: The customer the contact was with (None: an anonymous contact).
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    interaction_item: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    interaction_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: The process the contact was routed to (a route target type), if any.
    routed_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The stored TMF representation (without id and href), kept by RESOURCE.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_t = PartyInteraction.__table__.c

RESOURCE = TmfResource(
    name="partyInteraction",
    type_name=TYPE_NAME,
    base_path=BASE_PATH,
    path="/partyInteraction",
    table=PartyInteraction.__table__,
    id_column=_t.id,
    document_column=_t.doc,
    attrs=(
        ColumnAttr("creationDate", column=_t.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("description", column=_t.description, sortable=False),
        ColumnAttr("direction", column=_t.direction),
        ColumnAttr("reason", column=_t.reason_code),
        ColumnAttr("status", column=_t.status),
        ColumnAttr(
            "statusChangeDate", column=_t.status_change_date, kind=Kind.DATETIME, read_only=True
        ),
        JsonAttr("attachment", column=_t.attachment),
        JsonAttr(
            "channel",
            column=_t.related_channel,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        ColumnAttr("interactionDate.startDateTime", column=_t.start_at, kind=Kind.DATETIME),
        ColumnAttr("interactionDate.endDateTime", column=_t.end_at, kind=Kind.DATETIME),
        JsonAttr("interactionItem", column=_t.interaction_item),
        JsonAttr(
            "interactionRelationship",
            column=_t.interaction_relationship,
            keys=frozenset({"id", "href", "relationshipType"}),
        ),
        JsonAttr("note", column=_t.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr(
            "relatedParty",
            column=_t.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        # extensions (documented in the API description)
        ColumnAttr("escalated", column=_t.escalated, kind=Kind.BOOLEAN),
        ColumnAttr("outcome", column=_t.outcome),
        ColumnAttr("routedTo", column=_t.routed_to, read_only=True),
        ColumnAttr("handledBy", column=_t.handled_by, read_only=True),
        ColumnAttr("closure.closedBy", column=_t.closed_by, read_only=True),
        ColumnAttr("closure.closedAt", column=_t.closed_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("regionId", column=_t.region_id),
        ColumnAttr("lastUpdate", column=_t.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("id",),
    # who the contact was with, where and how it came in do not change afterwards
    extra_read_only=frozenset({"regionId", "relatedParty", "direction", "interactionItem"}),
    versioned_count=True,
)
RESOURCE.keep_document(PartyInteraction)
