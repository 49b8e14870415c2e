"""Tables of the product catalog (TMF620) and their TMF representations.

Five TMF620 resources live in their own tables, each with a stored
representation kept by its :class:`~openboss.kit.tmf.resource.TmfResource`:
``catalog``, ``category``, ``productSpecification``, ``productOffering`` and
``productOfferingPrice``. Next to them, tables that TMF620 does not expose:

* ``catalog_offering_version`` — frozen snapshots of launched offering
  versions (offering, its prices and its product specification), which sold
  products keep referring to (:mod:`openboss.catalog.versioning`);
* ``catalog_service_spec`` / ``catalog_resource_spec`` /
  ``catalog_delivery_rule`` — the fulfilment mapping: product specification →
  customer-facing → resource-facing service specifications → resource
  specifications, and per region × coverage type the delivery mode, BPMN
  process key and SLA (:mod:`openboss.catalog.mapping`).

The catalog is central data (no row scope): every region sells from it;
regional variants are expressed by eligibility (``place``) and by
region-specific delivery rules.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.tmf.attributes import Attr, ColumnAttr, JsonAttr, Kind, MoneyAttr
from openboss.kit.tmf.resource import TmfResource

BASE_PATH = "/tmf-api/productCatalogManagement/v4"

#: Keys of TMF ``*Ref`` objects a filter may name (``category.id=…``).
REF_KEYS = frozenset({"id", "href", "name", "version", "@referredType"})


class _Entity:
    """Columns every TMF620 entity has: identity, name, version, lifecycle,
    validity, zh-CN/en names (extension ``localizedName``) and the stored
    representation."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[str] = mapped_column(String(16), nullable=False)
    lifecycle_status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    localized_name: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_update: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    #: The stored TMF representation (without id and href), kept by the resource.
    doc: Mapped[str] = mapped_column(Text, nullable=False)


def _common(t: Any) -> tuple[Attr, ...]:
    return (
        ColumnAttr("name", column=t.name),
        ColumnAttr("description", column=t.description, sortable=False),
        ColumnAttr("version", column=t.version),
        ColumnAttr("lifecycleStatus", column=t.lifecycle_status),
        ColumnAttr("validFor.startDateTime", column=t.valid_from, kind=Kind.DATETIME),
        ColumnAttr("validFor.endDateTime", column=t.valid_to, kind=Kind.DATETIME),
        JsonAttr("localizedName", column=t.localized_name, keys=None),
        ColumnAttr("lastUpdate", column=t.last_update, kind=Kind.DATETIME, read_only=True),
    )


def _refs(name: str, column: Any) -> JsonAttr:
    return JsonAttr(name, column=column, keys=REF_KEYS)


# --------------------------------------------------------------------------- catalog


class Catalog(_Entity, Base):
    """A catalog: a named collection of root categories (TMF620 ``Catalog``)."""

    __tablename__ = "catalog_catalog"

    catalog_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    category: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)


_c = Catalog.__table__.c
CATALOG = TmfResource(
    name="catalog",
    type_name="Catalog",
    base_path=BASE_PATH,
    path="/catalog",
    table=Catalog.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        *_common(_c),
        ColumnAttr("catalogType", column=_c.catalog_type),
        _refs("category", _c.category),
        JsonAttr("relatedParty", column=_c.related_party, keys=frozenset({"id", "name", "role"})),
    ),
)
CATALOG.keep_document(Catalog)


# --------------------------------------------------------------------------- category


class Category(_Entity, Base):
    """A category groups offerings; categories nest through ``parentId``."""

    __tablename__ = "catalog_category"

    parent_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    is_root: Mapped[bool] = mapped_column(Boolean, nullable=False)
    product_offering: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    sub_category: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)


_g = Category.__table__.c
CATEGORY = TmfResource(
    name="category",
    type_name="Category",
    base_path=BASE_PATH,
    path="/category",
    table=Category.__table__,
    id_column=_g.id,
    document_column=_g.doc,
    attrs=(
        *_common(_g),
        ColumnAttr("parentId", column=_g.parent_id),
        ColumnAttr("isRoot", column=_g.is_root, kind=Kind.BOOLEAN),
        _refs("productOffering", _g.product_offering),
        _refs("subCategory", _g.sub_category),
    ),
)
CATEGORY.keep_document(Category)


# --------------------------------------------------------------------------- product specification


class ProductSpecification(_Entity, Base):
    """What is sold, technically: typed characteristics (allowed values, ranges,
    defaults, configurable or fixed) and the customer-facing service
    specifications (``serviceSpecification``) and resource specifications
    (``resourceSpecification``, e.g. the ONT terminal) that realise it."""

    __tablename__ = "catalog_product_spec"

    brand: Mapped[str | None] = mapped_column(String(64), nullable=True)
    product_number: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    is_bundle: Mapped[bool] = mapped_column(Boolean, nullable=False)
    product_spec_characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    bundled_product_specification: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    service_specification: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    resource_specification: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )


_s = ProductSpecification.__table__.c
PRODUCT_SPECIFICATION = TmfResource(
    name="productSpecification",
    type_name="ProductSpecification",
    base_path=BASE_PATH,
    path="/productSpecification",
    table=ProductSpecification.__table__,
    id_column=_s.id,
    document_column=_s.doc,
    attrs=(
        *_common(_s),
        ColumnAttr("brand", column=_s.brand),
        ColumnAttr("productNumber", column=_s.product_number),
        ColumnAttr("isBundle", column=_s.is_bundle, kind=Kind.BOOLEAN),
        JsonAttr(
            "productSpecCharacteristic",
            column=_s.product_spec_characteristic,
            keys=frozenset({"name", "valueType", "configurable", "productSpecCharacteristicValue"}),
        ),
        _refs("bundledProductSpecification", _s.bundled_product_specification),
        _refs("serviceSpecification", _s.service_specification),
        _refs("resourceSpecification", _s.resource_specification),
    ),
)
PRODUCT_SPECIFICATION.keep_document(ProductSpecification)


# --------------------------------------------------------------------------- product offering


class ProductOffering(_Entity, Base):
    """What is sold, commercially: a product specification (or, for a bundle,
    member offerings with min/max cardinality and dependency rules), its
    prices, its terms, and where, to whom and through which channels it is
    sold (``place`` = region codes, ``marketSegment`` = customer type and
    segment, ``channel``).

    The row holds the latest version; launched versions are frozen in
    ``catalog_offering_version``.
    """

    __tablename__ = "catalog_product_offering"

    is_bundle: Mapped[bool] = mapped_column(Boolean, nullable=False)
    is_sellable: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    product_specification: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    #: Denormalised ``productSpecification.id`` (joins and filters).
    product_spec_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    bundled_product_offering: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    bundle_rule: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    category: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    channel: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    market_segment: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    product_offering_price: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    product_offering_term: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    prod_spec_char_value_use: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )


_o = ProductOffering.__table__.c
PRODUCT_OFFERING = TmfResource(
    name="productOffering",
    type_name="ProductOffering",
    base_path=BASE_PATH,
    path="/productOffering",
    table=ProductOffering.__table__,
    id_column=_o.id,
    document_column=_o.doc,
    attrs=(
        *_common(_o),
        ColumnAttr("isBundle", column=_o.is_bundle, kind=Kind.BOOLEAN),
        ColumnAttr("isSellable", column=_o.is_sellable, kind=Kind.BOOLEAN),
        ColumnAttr("statusReason", column=_o.status_reason, sortable=False),
        JsonAttr("productSpecification", column=_o.product_specification, keys=REF_KEYS),
        JsonAttr(
            "bundledProductOffering",
            column=_o.bundled_product_offering,
            keys=REF_KEYS | {"bundledProductOfferingOption"},
        ),
        JsonAttr(
            "bundleRule", column=_o.bundle_rule, keys=frozenset({"ruleType", "fromId", "toId"})
        ),
        _refs("category", _o.category),
        _refs("channel", _o.channel),
        _refs("marketSegment", _o.market_segment),
        _refs("place", _o.place),
        _refs("productOfferingPrice", _o.product_offering_price),
        JsonAttr(
            "productOfferingTerm",
            column=_o.product_offering_term,
            keys=frozenset({"name", "description", "duration"}),
        ),
        JsonAttr("prodSpecCharValueUse", column=_o.prod_spec_char_value_use, keys=None),
    ),
)
PRODUCT_OFFERING.keep_document(ProductOffering)


# --------------------------------------------------------------------------- product offering price


class ProductOfferingPrice(_Entity, Base):
    """A price of an offering. The TMF attributes (``priceType``, ``price``,
    ``recurringChargePeriodType``, ``unitOfMeasure``, ``percentage``, ``tax``,
    ``popRelationship``, ``pricingLogicAlgorithm``, ``productOfferingTerm``)
    are derived from the validated extension ``priceModel``
    (:mod:`openboss.catalog.pricing`) when one is given."""

    __tablename__ = "catalog_offering_price"

    price_type: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    recurring_charge_period_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    recurring_charge_period_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_bundle: Mapped[bool] = mapped_column(Boolean, nullable=False)
    percentage: Mapped[Decimal | None] = mapped_column(Numeric(9, 4), nullable=True)
    price_unit: Mapped[str | None] = mapped_column(String(3), nullable=True)
    price_minor: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), nullable=True
    )
    unit_of_measure: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    tax: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    pop_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    bundled_pop_relationship: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    pricing_logic_algorithm: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    product_offering_term: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONDoc, nullable=True
    )
    place: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    price_model: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)


_p = ProductOfferingPrice.__table__.c
PRODUCT_OFFERING_PRICE = TmfResource(
    name="productOfferingPrice",
    type_name="ProductOfferingPrice",
    base_path=BASE_PATH,
    path="/productOfferingPrice",
    table=ProductOfferingPrice.__table__,
    id_column=_p.id,
    document_column=_p.doc,
    attrs=(
        *_common(_p),
        ColumnAttr("priceType", column=_p.price_type),
        ColumnAttr("recurringChargePeriodType", column=_p.recurring_charge_period_type),
        ColumnAttr(
            "recurringChargePeriodLength",
            column=_p.recurring_charge_period_length,
            kind=Kind.INTEGER,
        ),
        ColumnAttr("isBundle", column=_p.is_bundle, kind=Kind.BOOLEAN),
        ColumnAttr("percentage", column=_p.percentage, kind=Kind.NUMBER),
        MoneyAttr("price", unit_column=_p.price_unit, minor_column=_p.price_minor),
        JsonAttr("unitOfMeasure", column=_p.unit_of_measure, keys=frozenset({"amount", "units"})),
        JsonAttr("tax", column=_p.tax, keys=frozenset({"taxCategory", "taxRate", "taxAmount"})),
        JsonAttr(
            "popRelationship",
            column=_p.pop_relationship,
            keys=frozenset({"id", "href", "name", "relationshipType"}),
        ),
        JsonAttr(
            "bundledPopRelationship",
            column=_p.bundled_pop_relationship,
            keys=frozenset({"id", "href", "name"}),
        ),
        JsonAttr(
            "pricingLogicAlgorithm",
            column=_p.pricing_logic_algorithm,
            keys=frozenset({"id", "name", "description", "plaSpecId"}),
        ),
        JsonAttr(
            "productOfferingTerm",
            column=_p.product_offering_term,
            keys=frozenset({"name", "description", "duration"}),
        ),
        _refs("place", _p.place),
        JsonAttr("priceModel", column=_p.price_model, keys=None),
    ),
)
PRODUCT_OFFERING_PRICE.keep_document(ProductOfferingPrice)


# --------------------------------------------------------------------------- versions


class OfferingVersion(Base):
    """A frozen version of an offering: what a product sold under
    ``(offering_id, version)`` was sold as — the offering's representation
    with its prices and product specification embedded. Never updated
    except for ``status`` (scheduled → withdrawn) and ``superseded_at``."""

    __tablename__ = "catalog_offering_version"
    __table_args__ = (UniqueConstraint("offering_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    offering_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(16), nullable=False)
    #: ``scheduled`` (takes effect later), ``effective`` or ``withdrawn``.
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)


# --------------------------------------------------------------------------- fulfilment mapping


class ServiceSpec(Base):
    """A customer-facing (``CFS``) or resource-facing (``RFS``) service
    specification. A CFS is realised by RFSs (``rfs_ids``); an RFS by
    resource specifications (``resource_spec_ids``)."""

    __tablename__ = "catalog_service_spec"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(3), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    localized_name: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    rfs_ids: Mapped[list[str] | None] = mapped_column(JSONDoc, nullable=True)
    resource_spec_ids: Mapped[list[str] | None] = mapped_column(JSONDoc, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ResourceSpec(Base):
    """A resource specification: a PON port, an ONT, an IP address, an MSTP circuit."""

    __tablename__ = "catalog_resource_spec"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    localized_name: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class DeliveryRule(Base):
    """How a product specification is delivered in a region for a coverage
    type: delivery mode, BPMN process key and SLA. ``region_id`` ``*`` is the
    default for every region; a province, city, district or grid code
    overrides it for that area and below."""

    __tablename__ = "catalog_delivery_rule"
    __table_args__ = (
        UniqueConstraint("product_spec_id", "region_id", "coverage_type"),
        Index("ix_catalog_delivery_rule_lookup", "product_spec_id", "coverage_type"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_spec_id: Mapped[str] = mapped_column(String(64), nullable=False)
    region_id: Mapped[str] = mapped_column(String(64), nullable=False)
    coverage_type: Mapped[str] = mapped_column(String(32), nullable=False)
    delivery_mode: Mapped[str] = mapped_column(String(32), nullable=False)
    process_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    sla_completion_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sla_jeopardy_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


RESOURCES = (
    CATALOG,
    CATEGORY,
    PRODUCT_SPECIFICATION,
    PRODUCT_OFFERING,
    PRODUCT_OFFERING_PRICE,
)
