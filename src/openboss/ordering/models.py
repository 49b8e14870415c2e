"""Tables of order handling (eTOM 1.1.1.5): TMF622 product orders and
cancellation requests.

A product order keeps its items as a JSON tree (``productOrderItem``; a
bundle item holds its members as nested items), the price summary it was
accepted with, and — outside the TMF representation — the fulfilment plan of
each leaf item (``plan``: product id, process key, SLA, coverage). Write-only
values such as a broadband ``accessPassword`` are never stored here: they
travel once, in memory, to fulfilment.

Orders are region-scoped by the region of their installation address (the
customer's region when no item has one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF622 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/productOrderingManagement/v4"


class ProductOrder(RegionScoped, Base):
    """A TMF622 product order (states: :data:`openboss.ordering.states.ORDER`)."""

    __tablename__ = "product_order"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index(
            "ix_product_order_related_party_gin",
            "related_party",
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    priority: Mapped[str | None] = mapped_column(String(1), nullable=True)
    notification_contact: Mapped[str | None] = mapped_column(String(256), nullable=True)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    billing_account: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    channel: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    note: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    agreement: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    product_order_item: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    order_total_price: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    requested_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requested_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expected_completion: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    state_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    #: Internal: per leaf item id, how it is fulfilled (not part of the representation).
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    #: Internal: the credit check decision id and outcome.
    credit_check: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    state_change_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: The stored TMF representation (without id and href), kept by PRODUCT_ORDER.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class CancelProductOrder(RegionScoped, Base):
    """A TMF622 cancellation request (states: :data:`openboss.ordering.states.CANCEL`)."""

    __tablename__ = "cancel_product_order"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_order_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    product_order: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    cancellation_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    requested_cancellation_date: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    effective_cancellation_date: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    state_reason: Mapped[str | None] = mapped_column(String(512), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_o = ProductOrder.__table__.c

PRODUCT_ORDER = TmfResource(
    name="productOrder",
    type_name="ProductOrder",
    base_path=BASE_PATH,
    path="/productOrder",
    table=ProductOrder.__table__,
    id_column=_o.id,
    document_column=_o.doc,
    attrs=(
        ColumnAttr("state", column=_o.state),
        ColumnAttr("category", column=_o.category),
        ColumnAttr("description", column=_o.description, sortable=False),
        ColumnAttr("externalId", column=_o.external_id),
        ColumnAttr("priority", column=_o.priority),
        ColumnAttr("notificationContact", column=_o.notification_contact),
        ColumnAttr("orderDate", column=_o.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("requestedStartDate", column=_o.requested_start, kind=Kind.DATETIME),
        ColumnAttr("requestedCompletionDate", column=_o.requested_completion, kind=Kind.DATETIME),
        ColumnAttr(
            "expectedCompletionDate",
            column=_o.expected_completion,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        ColumnAttr("completionDate", column=_o.completion_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr(
            "cancellationDate", column=_o.cancellation_date, kind=Kind.DATETIME, read_only=True
        ),
        ColumnAttr("cancellationReason", column=_o.cancellation_reason),
        JsonAttr(
            "billingAccount",
            column=_o.billing_account,
            keys=frozenset({"id", "href", "name", "@referredType"}),
        ),
        JsonAttr(
            "relatedParty",
            column=_o.related_party,
            keys=frozenset({"id", "href", "name", "role", "@referredType"}),
        ),
        JsonAttr("channel", column=_o.channel, keys=frozenset({"id", "name", "role"})),
        JsonAttr("note", column=_o.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr("agreement", column=_o.agreement, keys=frozenset({"id", "href", "name"})),
        JsonAttr(
            "productOrderItem",
            column=_o.product_order_item,
            keys=frozenset(
                {
                    "id",
                    "action",
                    "state",
                    "quantity",
                    "product",
                    "productOffering",
                    "productOrderItem",
                    "productOrderItemRelationship",
                    "itemPrice",
                    "itemTotalPrice",
                    "itemTerm",
                    "appointment",
                    "billingAccount",
                }
            ),
            read_only=False,
        ),
        JsonAttr(
            "orderTotalPrice",
            column=_o.order_total_price,
            keys=frozenset(
                {"name", "priceType", "recurringChargePeriod", "price", "priceAlteration"}
            ),
            read_only=True,
        ),
        # ---- OpenBOSS extensions (docs/ordering.md) ----
        ColumnAttr("stateReason", column=_o.state_reason, read_only=True),
        ColumnAttr("regionId", column=_o.region_id, read_only=True),
        ColumnAttr(
            "stateChangeDate", column=_o.state_change_date, kind=Kind.DATETIME, read_only=True
        ),
        ColumnAttr("lastUpdate", column=_o.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-orderDate",),
)
PRODUCT_ORDER.keep_document(ProductOrder)

_c = CancelProductOrder.__table__.c

CANCEL_PRODUCT_ORDER = TmfResource(
    name="cancelProductOrder",
    type_name="CancelProductOrder",
    base_path=BASE_PATH,
    path="/cancelProductOrder",
    table=CancelProductOrder.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr("state", column=_c.state),
        ColumnAttr("cancellationReason", column=_c.cancellation_reason),
        ColumnAttr(
            "requestedCancellationDate", column=_c.requested_cancellation_date, kind=Kind.DATETIME
        ),
        ColumnAttr(
            "effectiveCancellationDate",
            column=_c.effective_cancellation_date,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        JsonAttr(
            "productOrder",
            column=_c.product_order,
            keys=frozenset({"id", "href", "@referredType"}),
        ),
        ColumnAttr("stateReason", column=_c.state_reason, read_only=True),
        ColumnAttr("creationDate", column=_c.created_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-creationDate",),
)
CANCEL_PRODUCT_ORDER.keep_document(CancelProductOrder)
