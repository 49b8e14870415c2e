"""Tables of TMF641 service orders: the order (one per product order item), the
cancellation requests (``cancelServiceOrder``) and the milestones of an item.

eTOM 1.4.1 / 1.4.2 service configuration & activation: a service order asks the
service layer to add, modify or remove the customer-facing services (CFS) that
realise one product. OpenBOSS runs each service order with one BPMN process
instance (``process_instance_id``); its items are the CFS of the product
specification.

The fulfilment request ordering handed over is kept as JSON (``request``),
without its secrets: those are stored hashed in ``secret``, a column that is
never rendered, never audited and never evented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF641 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/serviceOrdering/v4"


class ServiceOrder(RegionScoped, Base):
    """A TMF641 service order; ``state`` follows
    :data:`openboss.fulfilment.serviceorder.states.SERVICE_ORDER`."""

    __tablename__ = "service_order"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc", "secret"})
    __table_args__ = (
        Index("ix_service_order_product_order", "product_order_id", "product_order_item_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[str | None] = mapped_column(String(8), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    notification_contact: Mapped[str | None] = mapped_column(String(256), nullable=True)
    order_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    requested_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requested_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expected_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    external_reference: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    order_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    note: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    service_order_item: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    # ---- OpenBOSS: what runs it -------------------------------------------------
    product_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    product_order_item_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    process_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    process_instance_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    #: Service order ids that must complete before this one starts.
    depends_on: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    #: The FulfilmentRequest as JSON, without secrets.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    #: Hashed secrets by name (``accessPassword``): never rendered, audited or evented.
    secret: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    #: Product status before a delete/suspend/resume started (restored on failure).
    product_status_before: Mapped[str | None] = mapped_column(String(32), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    state_change_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class CancelServiceOrder(RegionScoped, Base):
    """A TMF641 ``cancelServiceOrder`` request (state: TaskStateType)."""

    __tablename__ = "cancel_service_order"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_order_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    service_order: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    requested_cancellation: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    effective_cancellation: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class ServiceOrderMilestone(Base):
    """One step of a service order (business view): name, holder and time."""

    __tablename__ = "service_order_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_order_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    product_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    product_order_item_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    holder: Mapped[str | None] = mapped_column(String(128), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)


_s = ServiceOrder.__table__.c

SERVICE_ORDER_RESOURCE = TmfResource(
    name="serviceOrder",
    type_name="ServiceOrder",
    base_path=BASE_PATH,
    path="/serviceOrder",
    table=ServiceOrder.__table__,
    id_column=_s.id,
    document_column=_s.doc,
    attrs=(
        ColumnAttr("state", column=_s.state),
        ColumnAttr("category", column=_s.category),
        ColumnAttr("description", column=_s.description, sortable=False),
        ColumnAttr("priority", column=_s.priority),
        ColumnAttr("externalId", column=_s.external_id),
        ColumnAttr("notificationContact", column=_s.notification_contact),
        ColumnAttr("orderDate", column=_s.order_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("requestedStartDate", column=_s.requested_start, kind=Kind.DATETIME),
        ColumnAttr("requestedCompletionDate", column=_s.requested_completion, kind=Kind.DATETIME),
        ColumnAttr("expectedCompletionDate", column=_s.expected_completion, kind=Kind.DATETIME),
        ColumnAttr("startDate", column=_s.start_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("completionDate", column=_s.completion_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr(
            "cancellationDate", column=_s.cancellation_date, kind=Kind.DATETIME, read_only=True
        ),
        ColumnAttr("cancellationReason", column=_s.cancellation_reason, read_only=True),
        JsonAttr(
            "externalReference",
            column=_s.external_reference,
            keys=frozenset({"name", "externalReferenceType"}),
        ),
        JsonAttr(
            "orderRelationship",
            column=_s.order_relationship,
            keys=frozenset({"id", "href", "relationshipType", "@referredType"}),
        ),
        JsonAttr(
            "relatedParty",
            column=_s.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr("note", column=_s.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr(
            "serviceOrderItem",
            column=_s.service_order_item,
            keys=frozenset({"id", "action", "state", "quantity", "service", "appointment"}),
        ),
        # ---- OpenBOSS extensions (docs/fulfilment-orders.md) ----
        ColumnAttr("processInstanceId", column=_s.process_instance_id, read_only=True),
        ColumnAttr("failureReason", column=_s.failure_reason, read_only=True),
        ColumnAttr("regionId", column=_s.region_id, read_only=True),
        ColumnAttr(
            "stateChangeDate", column=_s.state_change_date, kind=Kind.DATETIME, read_only=True
        ),
    ),
    default_sort=("-orderDate",),
)
SERVICE_ORDER_RESOURCE.keep_document(ServiceOrder)

_c = CancelServiceOrder.__table__.c

CANCEL_RESOURCE = TmfResource(
    name="cancelServiceOrder",
    type_name="CancelServiceOrder",
    base_path=BASE_PATH,
    path="/cancelServiceOrder",
    table=CancelServiceOrder.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr("state", column=_c.state, read_only=True),
        ColumnAttr("cancellationReason", column=_c.cancellation_reason),
        ColumnAttr(
            "requestedCancellationDate", column=_c.requested_cancellation, kind=Kind.DATETIME
        ),
        ColumnAttr(
            "effectiveCancellationDate",
            column=_c.effective_cancellation,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        JsonAttr(
            "serviceOrder",
            column=_c.service_order,
            keys=frozenset({"id", "href", "name", "@referredType"}),
        ),
    ),
    default_sort=("-effectiveCancellationDate",),
)
CANCEL_RESOURCE.keep_document(CancelServiceOrder)
