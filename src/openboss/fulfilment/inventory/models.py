"""Tables of the product inventory (TMF637) and the service inventory (TMF638).

eTOM 1.1.1.5 / 1.4.x: what a customer *has* — the products bought (TMF637
``product``: offering, specification, characteristics, prices, place, billing
account) and the services that realise them (TMF638 ``service``: customer-facing
services with their supporting resource-facing services and resources).
Fulfilment writes them when a service order completes, modifies, suspends or
terminates; products and services carry the region of their place (row scope).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.scope import RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF637 v4 base path (the specification's ``basePath`` without its trailing slash).
PRODUCT_BASE_PATH = "/tmf-api/productInventory/v4"
#: The TMF638 v4 base path.
SERVICE_BASE_PATH = "/tmf-api/serviceInventory/v4"

_REF = frozenset({"id", "href", "name", "@referredType"})


class InventoryProduct(RegionScoped, Base):
    """A TMF637 product; ``status`` follows :data:`states.PRODUCT`."""

    __tablename__ = "inventory_product"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        Index(
            "ix_inventory_product_related_party_gin",
            "related_party",
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_bundle: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    is_customer_visible: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    product_serial_number: Mapped[str | None] = mapped_column(String(128), nullable=True)
    order_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    termination_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    agreement: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    billing_account: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product_characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product_offering: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    product_order_item: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product_price: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    product_specification: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    product_term: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    realizing_resource: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    realizing_service: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class InventoryService(RegionScoped, Base):
    """A TMF638 service; ``state`` follows :data:`states.SERVICE`."""

    __tablename__ = "inventory_service"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    service_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_service_enabled: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    has_started: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    is_stateful: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    is_bundle: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    start_mode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    service_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    service_specification: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    service_characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    feature: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    note: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    service_order_item: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    service_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    supporting_resource: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    supporting_service: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_p = InventoryProduct.__table__.c

PRODUCT_RESOURCE = TmfResource(
    name="product",
    type_name="Product",
    base_path=PRODUCT_BASE_PATH,
    path="/product",
    table=InventoryProduct.__table__,
    id_column=_p.id,
    document_column=_p.doc,
    attrs=(
        ColumnAttr("status", column=_p.status),
        ColumnAttr("name", column=_p.name),
        ColumnAttr("description", column=_p.description, sortable=False),
        ColumnAttr("isBundle", column=_p.is_bundle, kind=Kind.BOOLEAN),
        ColumnAttr("isCustomerVisible", column=_p.is_customer_visible, kind=Kind.BOOLEAN),
        ColumnAttr("productSerialNumber", column=_p.product_serial_number),
        ColumnAttr("orderDate", column=_p.order_date, kind=Kind.DATETIME),
        ColumnAttr("startDate", column=_p.start_date, kind=Kind.DATETIME),
        ColumnAttr("terminationDate", column=_p.termination_date, kind=Kind.DATETIME),
        JsonAttr("agreement", column=_p.agreement, keys=_REF | {"agreementItemId"}),
        JsonAttr("billingAccount", column=_p.billing_account, keys=_REF),
        JsonAttr("place", column=_p.place, keys=_REF | {"role"}),
        JsonAttr("product", column=_p.product, keys=_REF),
        JsonAttr(
            "productCharacteristic",
            column=_p.product_characteristic,
            keys=frozenset({"name", "valueType", "value"}),
        ),
        JsonAttr("productOffering", column=_p.product_offering, keys=_REF),
        JsonAttr(
            "productOrderItem",
            column=_p.product_order_item,
            keys=frozenset(
                {
                    "orderItemId",
                    "productOrderId",
                    "productOrderHref",
                    "orderItemAction",
                    "role",
                    "@referredType",
                }
            ),
        ),
        JsonAttr(
            "productPrice",
            column=_p.product_price,
            keys=frozenset(
                {
                    "name",
                    "description",
                    "priceType",
                    "recurringChargePeriod",
                    "unitOfMeasure",
                    "price",
                    "productOfferingPrice",
                    "billingAccount",
                    "productPriceAlteration",
                }
            ),
        ),
        JsonAttr(
            "productRelationship",
            column=_p.product_relationship,
            keys=frozenset({"relationshipType", "product"}),
        ),
        JsonAttr("productSpecification", column=_p.product_specification, keys=_REF | {"version"}),
        JsonAttr(
            "productTerm",
            column=_p.product_term,
            keys=frozenset({"name", "description", "duration", "validFor"}),
        ),
        JsonAttr("realizingResource", column=_p.realizing_resource, keys=_REF | {"value"}),
        JsonAttr("realizingService", column=_p.realizing_service, keys=_REF),
        JsonAttr("relatedParty", column=_p.related_party, keys=_REF | {"role"}),
        # ---- OpenBOSS extensions ----
        ColumnAttr("regionId", column=_p.region_id, read_only=True),
        ColumnAttr("lastUpdate", column=_p.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-lastUpdate",),
)
PRODUCT_RESOURCE.keep_document(InventoryProduct)

_v = InventoryService.__table__.c

SERVICE_RESOURCE = TmfResource(
    name="service",
    type_name="Service",
    base_path=SERVICE_BASE_PATH,
    path="/service",
    table=InventoryService.__table__,
    id_column=_v.id,
    document_column=_v.doc,
    attrs=(
        ColumnAttr("state", column=_v.state),
        ColumnAttr("name", column=_v.name),
        ColumnAttr("category", column=_v.category),
        ColumnAttr("description", column=_v.description, sortable=False),
        ColumnAttr("serviceType", column=_v.service_type),
        ColumnAttr("isServiceEnabled", column=_v.is_service_enabled, kind=Kind.BOOLEAN),
        ColumnAttr("hasStarted", column=_v.has_started, kind=Kind.BOOLEAN),
        ColumnAttr("isStateful", column=_v.is_stateful, kind=Kind.BOOLEAN),
        ColumnAttr("isBundle", column=_v.is_bundle, kind=Kind.BOOLEAN),
        ColumnAttr("startMode", column=_v.start_mode),
        ColumnAttr("serviceDate", column=_v.service_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("startDate", column=_v.start_date, kind=Kind.DATETIME),
        ColumnAttr("endDate", column=_v.end_date, kind=Kind.DATETIME),
        JsonAttr("serviceSpecification", column=_v.service_specification, keys=_REF | {"version"}),
        JsonAttr(
            "serviceCharacteristic",
            column=_v.service_characteristic,
            keys=frozenset({"id", "name", "valueType", "value"}),
        ),
        JsonAttr(
            "feature",
            column=_v.feature,
            keys=frozenset({"id", "name", "isBundle", "isEnabled", "featureCharacteristic"}),
        ),
        JsonAttr("note", column=_v.note, keys=frozenset({"id", "author", "date", "text"})),
        JsonAttr("place", column=_v.place, keys=_REF | {"role"}),
        JsonAttr("relatedEntity", column=_v.related_entity, keys=_REF | {"role"}),
        JsonAttr("relatedParty", column=_v.related_party, keys=_REF | {"role"}),
        JsonAttr(
            "serviceOrderItem",
            column=_v.service_order_item,
            keys=frozenset({"itemId", "serviceOrderId", "serviceOrderHref", "itemAction", "role"}),
        ),
        JsonAttr(
            "serviceRelationship",
            column=_v.service_relationship,
            keys=frozenset({"relationshipType", "service"}),
        ),
        JsonAttr("supportingResource", column=_v.supporting_resource, keys=_REF),
        JsonAttr("supportingService", column=_v.supporting_service, keys=_REF),
        # ---- OpenBOSS extensions ----
        ColumnAttr("regionId", column=_v.region_id, read_only=True),
        ColumnAttr("lastUpdate", column=_v.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-lastUpdate",),
)
SERVICE_RESOURCE.keep_document(InventoryService)
