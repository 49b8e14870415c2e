"""Tables of the network inventory and its TMF639 representation.

eTOM 1.5.1 resource management (SIP: 1.5.1.x resource inventory) and 1.1.2.x
resource provisioning support — the PBOSS network view.

* ``network_partner`` — the partners who own part of the network.
* ``resource_spec`` — resource types, configured not coded: OLT, card, PON
  port, splitter (1:8 / 1:32 / 1:64), splitter port, ONT, MSTP node and
  circuit, IP pool / address / static block, number pool / number, CPE,
  warehouse, equipment room … each with typed characteristics and the specs
  it may be contained in. New types are rows, not code.
* ``resource`` — one row per resource, physical or logical, whatever its
  type: containment (``parent_id``: room → OLT → card → PON port → splitter →
  splitter port; pool → number; warehouse → CPE), the building it stands in
  or serves (``site_id``, a ``geographic_site`` of the party domain), the
  region, the **owner** (``partner_id`` NULL = the operator's own, else the
  partner) and the terms it is used under, the lifecycle (planned →
  available → reserved → allocated → released → retired) and the TMF639
  states derived from it, typed characteristics, and relationships
  (circuit A/Z ends, drop → ONT).
* ``resource_reservation`` — a hold on resources for an order, with expiry.
* ``resource_usage`` — which service and customer used a resource, from when
  to when.
* ``resource_transfer`` — 调拨: a resource moved between regions or
  warehouses, one row per resource moved, grouped by ``batch_id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import PartnerScoped, RegionScoped
from openboss.kit.tmf.attributes import (
    Attr,
    ColumnAttr,
    Dialect,
    JsonAttr,
    Kind,
    parse_json_scalar,
    strip_nulls,
)
from openboss.kit.tmf.resource import TmfResource

RESOURCE_BASE_PATH = "/tmf-api/resourceInventoryManagement/v4"

#: The lifecycle of every resource (the issue's words; TMF639 states are derived).
LIFECYCLE_STATUSES = ("planned", "available", "reserved", "allocated", "released", "retired")
#: How an owner lets the operator use a resource.
OWNERSHIP_TERMS = ("own", "lease", "revenueShare")
BASE_TYPES = ("PhysicalResource", "LogicalResource")
#: TMF639 v4 enumerations.
RESOURCE_STATUSES = ("standby", "alarm", "available", "reserved", "unknown", "suspended")
ADMINISTRATIVE_STATES = ("locked", "unlocked", "shutdown")
OPERATIONAL_STATES = ("enable", "disable")
USAGE_STATES = ("idle", "active", "busy")

RESERVATION_STATES = ("active", "allocated", "released", "expired")
PARTNER_KINDS = ("fixedLine", "cableTv", "mobile", "construction", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NetworkPartner(Base):
    """A partner whose network the operator sells over (a fixed-line partner, a
    cable TV partner): the ``partner_id`` of the resources it owns and of its
    users and systems (``kit.scope``). ``default_terms`` is how its resources
    are used (lease or revenue share, with the share in percent)."""

    __tablename__ = "network_partner"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("kind", PARTNER_KINDS), name="kind"),
        CheckConstraint(_in("default_terms", OWNERSHIP_TERMS), name="default_terms"),
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
        CheckConstraint(
            "revenue_share_percent IS NULL OR"
            " (revenue_share_percent >= 0 AND revenue_share_percent <= 100)",
            name="revenue_share_percent",
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    localized_name: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    default_terms: Mapped[str] = mapped_column(String(16), nullable=False)
    revenue_share_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    #: ``{"name": …, "phone": …, "email": …}``
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ResourceSpec(Base):
    """A resource type (TMF634-style resource specification).

    ``characteristics`` lists the typed characteristics a resource of this
    type carries: ``[{"name": "ratio", "valueType": "integer", "required":
    true, "allowedValues": [8, 32, 64], "min": …, "max": …, "default": …}]``;
    ``parent_specs`` the spec ids a resource of this type may be contained
    in (empty: stands alone). ``quarantine_days``: how long a released
    resource rests before it is available again (numbers are not reissued at
    once; ports are).
    """

    __tablename__ = "resource_spec"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("base_type", BASE_TYPES), name="base_type"),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    #: ``{"en": …, "zh-CN": …}``
    localized_name: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    base_type: Mapped[str] = mapped_column(String(32), nullable=False)
    #: TMF ``category``: equipment, port, splitter, terminal, number, ip, circuit, pool, …
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    characteristics: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    parent_specs: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    quarantine_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: Shipped with OpenBOSS (its id is used by code: capacity rules, pools).
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Resource(RegionScoped, PartnerScoped, Base):
    """One resource of the network view (or of a pool, or of CPE stock).

    ``value`` is the resource's own identifier where it has one: the MSISDN
    of a number, the address of an IP (``10.1.2.3`` / ``2408:8000::/56``),
    the serial number of an ONT or a router, the port label ``1/2/7``;
    UNIQUE per spec. ``partner_id`` (row scope) is the **owner**: NULL for
    the operator's own network, the partner's id for a partner's. ``hold_until``
    is when a reservation lapses (``reserved``) or a quarantine ends
    (``released``).
    """

    __tablename__ = "resource"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        CheckConstraint(_in("lifecycle_status", LIFECYCLE_STATUSES), name="lifecycle_status"),
        CheckConstraint(_in("ownership_terms", OWNERSHIP_TERMS), name="ownership_terms"),
        CheckConstraint(_in("base_type", BASE_TYPES), name="base_type"),
        CheckConstraint(_in("resource_status", RESOURCE_STATUSES), name="resource_status"),
        CheckConstraint(
            _in("administrative_state", ADMINISTRATIVE_STATES), name="administrative_state"
        ),
        CheckConstraint(_in("operational_state", OPERATIONAL_STATES), name="operational_state"),
        CheckConstraint(_in("usage_state", USAGE_STATES), name="usage_state"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        # a reserved resource belongs to a reservation and has an expiry
        CheckConstraint(
            "lifecycle_status <> 'reserved'"
            " OR (reservation_id IS NOT NULL AND hold_until IS NOT NULL)",
            name="reserved_hold",
        ),
        # qualification and reservation: free ports of a spec at a building
        Index("ix_resource_site_spec_status", "site_id", "spec_id", "lifecycle_status"),
        # pools and containment: free numbers of a pool, ports of a card
        # id last: "the next free one in this pool" is an ordered index range, not a sort
        Index("ix_resource_parent_status", "parent_id", "lifecycle_status", "id"),
        Index("ix_resource_spec_status", "spec_id", "lifecycle_status"),
        Index(
            "ix_resource_hold_until",
            "hold_until",
            postgresql_where=text("hold_until IS NOT NULL"),
            sqlite_where=text("hold_until IS NOT NULL"),
        ),
        Index(
            "uq_resource_spec_value",
            "spec_id",
            "value",
            unique=True,
            postgresql_where=text("value IS NOT NULL"),
            sqlite_where=text("value IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    spec_id: Mapped[str] = mapped_column(String(64), ForeignKey("resource_spec.id"), nullable=False)
    base_type: Mapped[str] = mapped_column(String(32), nullable=False)
    #: Copied from the spec, so that TMF ``category=`` filters read one row.
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    value: Mapped[str | None] = mapped_column(String(128), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("resource.id"), nullable=True
    )
    #: The building it stands in or serves (``geographic_site.id``, party domain).
    site_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("geographic_site.id"), nullable=True
    )
    ownership_terms: Mapped[str] = mapped_column(String(16), nullable=False, default="own")
    lifecycle_status: Mapped[str] = mapped_column(String(16), nullable=False)
    resource_status: Mapped[str] = mapped_column(String(16), nullable=False)
    administrative_state: Mapped[str] = mapped_column(String(16), nullable=False)
    operational_state: Mapped[str] = mapped_column(String(16), nullable=False)
    usage_state: Mapped[str] = mapped_column(String(16), nullable=False)
    #: Number grade (``normal``, ``silver``, ``gold``, ``golden``), CPE condition, …
    grade: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: Ports of a splitter (8/32/64), addresses of a pool, … (NULL: not countable)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: TMF ``resourceCharacteristic``: ``[{"name": "ratio", "valueType": "integer",
    #: "value": 32}]`` — validated against the spec's characteristics
    characteristics: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    #: TMF ``resourceRelationship`` other than containment:
    #: ``[{"relationshipType": "aEnd", "resource": {"id": …}}]``
    relationships: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    reservation_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("resource_reservation.id"), nullable=True, index=True
    )
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    start_operating_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_operating_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class ResourceReservation(RegionScoped, Base):
    """A hold on resources for an order or a quote, released at ``expires_at``
    unless allocated first. ``related_entity``: TMF ``RelatedEntity`` refs
    (the product order, the service order)."""

    __tablename__ = "resource_reservation"
    __audited__ = True
    __table_args__ = (CheckConstraint(_in("state", RESERVATION_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    purpose: Mapped[str | None] = mapped_column(String(128), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ResourceUsage(RegionScoped, Base):
    """A period in which a service of a customer used a resource (open while
    ``ended_at`` is NULL)."""

    __tablename__ = "resource_usage"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="period"),
        Index("ix_resource_usage_resource", "resource_id", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(36), ForeignKey("resource.id"), nullable=False)
    service_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ResourceTransfer(Base):
    """调拨: one resource moved from one region and/or parent (warehouse, room)
    to another. Rows of one transfer share ``batch_id``."""

    __tablename__ = "resource_transfer"
    __audited__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("resource.id"), nullable=False, index=True
    )
    from_region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    to_region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    from_parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    to_parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    actor: Mapped[str | None] = mapped_column(String(128), nullable=True)
    transferred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


#: Where the resources referred to from a representation live (relative hrefs:
#: the stored document does not know the caller's host).
SITE_PATH = "/tmf-api/geographicSiteManagement/v4/geographicSite/"
SPEC_PATH = "/api/resource/v1/resourceSpecifications/"
PARTNER_PATH = "/api/resource/v1/partners/"

#: spec id → name, filled by the inventory when it loads or writes specs (the
#: ``resourceSpecification.name`` of representations; built-in names are
#: registered at import of :mod:`openboss.resource.inventory.specs`).
SPEC_NAMES: dict[str, str] = {}


@dataclass(frozen=True, eq=False)
class _RefAttr(Attr):
    """A TMF reference rendered from columns; filters on mapped members
    (``place.id``) run on those columns."""

    column: Any = None
    members: tuple[tuple[str, Any], ...] = ()
    also: tuple[str, ...] = ()

    def _column_for(self, sub: str, field_name: str) -> Any:
        for name, column in self.members:
            if name == sub:
                return column
        raise ValidationFailed(
            f"'{self.name}.{sub}' cannot be used here; use "
            + ", ".join(f"'{self.name}.{n}'" for n, _c in self.members),
            field=field_name,
        )

    def check_path(self, sub: str, field_name: str) -> None:
        if not sub:
            return
        head = sub.split(".", 1)[0]
        known = {n for n, _c in self.members} | set(self.also)
        if head not in known:
            raise ValidationFailed(
                f"unknown attribute '{self.name}.{sub}'; '{self.name}' has: "
                + ", ".join(sorted(known)),
                field=field_name,
            )

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        self._column_for(sub, field_name)
        return raw

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        column = self._column_for(sub, field_name)
        if op == "eq":
            return column.in_(list(values))  # type: ignore[no-any-return]
        if op == "ne":
            return or_(column.is_(None), column.not_in(list(values)))
        method = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}[op]
        return or_(*(getattr(column, method)(v) for v in values))

    def sort_key(self, sub: str, field_name: str) -> ColumnElement[Any]:
        return self._column_for(sub, field_name)  # type: ignore[no-any-return]

    def columns(self) -> tuple[Any, ...]:
        return (self.column,)


@dataclass(frozen=True, eq=False)
class SpecRefAttr(_RefAttr):
    """``resourceSpecification``: ``{id, href, name, @referredType}`` from ``spec_id``."""

    def render(self, values: Mapping[str, Any]) -> Any:
        ident = values.get(self.column.key)
        if ident is None:
            return None
        out: dict[str, Any] = {"id": ident, "href": SPEC_PATH + ident}
        name = SPEC_NAMES.get(ident)
        if name:
            out["name"] = name
        out["@referredType"] = "ResourceSpecification"
        return out


@dataclass(frozen=True, eq=False)
class PlaceAttr(_RefAttr):
    """``place``: the building (``site_id``) as a TMF639 v4 ``RelatedPlaceRefOrValue``."""

    def render(self, values: Mapping[str, Any]) -> Any:
        ident = values.get(self.column.key)
        if ident is None:
            return None
        return {
            "id": ident,
            "href": SITE_PATH + ident,
            "role": "installationSite",
            "@referredType": "GeographicSite",
        }


@dataclass(frozen=True, eq=False)
class OwnerAttr(_RefAttr):
    """``relatedParty``: the owner partner (``partner_id``); absent for the operator's own."""

    def render(self, values: Mapping[str, Any]) -> Any:
        ident = values.get(self.column.key)
        if ident is None:
            return None
        return [
            {
                "id": ident,
                "href": PARTNER_PATH + ident,
                "role": "owner",
                "@referredType": "Organization",
            }
        ]


@dataclass(frozen=True, eq=False)
class RelationshipAttr(Attr):
    """``resourceRelationship``: the containment (``parent_id``) as
    ``isContainedIn`` followed by the stored relationships (circuit ends, …).
    Filters reach into the stored relationships; ``parentResource.id`` filters
    the containment."""

    column: Any = None
    parent: Any = None
    keys: frozenset[str] = frozenset()

    def check_path(self, sub: str, field_name: str) -> None:
        if sub and sub.split(".", 1)[0] not in self.keys:
            raise ValidationFailed(
                f"unknown attribute '{self.name}.{sub}'; '{self.name}' has: "
                + ", ".join(sorted(self.keys)),
                field=field_name,
            )

    def parse(self, sub: str, raw: str, field_name: str) -> Any:
        if not sub:
            raise ValidationFailed(
                f"'{self.name}' is structured; filter on one of its attributes, e.g. "
                f"'{self.name}.relationshipType'",
                field=field_name,
            )
        return parse_json_scalar(raw, field_name)

    def condition(
        self, d: Dialect, sub: str, op: str, values: Sequence[Any], field_name: str
    ) -> ColumnElement[bool]:
        return d.json_condition(self.column, sub, op, values)

    def columns(self) -> tuple[Any, ...]:
        return (self.column, self.parent)

    def render(self, values: Mapping[str, Any]) -> Any:
        out: list[dict[str, Any]] = []
        parent = values.get(self.parent.key)
        if parent is not None:
            out.append(
                {
                    "id": parent,
                    "href": RESOURCE_BASE_PATH + "/resource/" + parent,
                    "relationshipType": "isContainedIn",
                }
            )
        stored = values.get(self.column.key) or []
        out.extend(strip_nulls(r) for r in stored)
        return out or None


@dataclass(frozen=True, eq=False)
class BaseTypeAttr(ColumnAttr):
    """``@type`` per row: ``PhysicalResource`` or ``LogicalResource``."""


class InventoryTmfResource(TmfResource):
    """A :class:`TmfResource` whose ``@type`` is the row's ``base_type``
    (``PhysicalResource``/``LogicalResource``, ``@baseType`` ``Resource``)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        attr = BaseTypeAttr("@type", column=Resource.__table__.c.base_type, read_only=True)
        old = self._by_name["@type"]
        self._by_name["@type"] = attr
        self._entries[self._entries.index(old)] = attr


_r = Resource.__table__.c


def _resource_attrs() -> tuple[Attr, ...]:
    return (
        ColumnAttr("name", column=_r.name),
        ColumnAttr("category", column=_r.category),
        ColumnAttr("description", column=_r.description, sortable=False),
        ColumnAttr("value", column=_r.value),
        ColumnAttr("resourceStatus", column=_r.resource_status, read_only=True),
        ColumnAttr("administrativeState", column=_r.administrative_state, read_only=True),
        ColumnAttr("operationalState", column=_r.operational_state),
        ColumnAttr("usageState", column=_r.usage_state, read_only=True),
        ColumnAttr("lifecycleStatus", column=_r.lifecycle_status),
        ColumnAttr("ownershipTerms", column=_r.ownership_terms),
        ColumnAttr("ownerPartnerId", column=_r.partner_id, read_only=True),
        ColumnAttr("grade", column=_r.grade),
        ColumnAttr("capacity", column=_r.capacity, kind=Kind.INTEGER),
        SpecRefAttr(
            "resourceSpecification",
            column=_r.spec_id,
            members=(("id", _r.spec_id),),
            also=("href", "name", "@referredType"),
        ),
        ColumnAttr("parentResource.id", column=_r.parent_id),
        PlaceAttr(
            "place",
            column=_r.site_id,
            members=(("id", _r.site_id),),
            also=("href", "role", "@referredType"),
        ),
        ColumnAttr("siteId", column=_r.site_id, read_only=True),
        ColumnAttr("regionId", column=_r.region_id, read_only=True),
        OwnerAttr(
            "relatedParty",
            column=_r.partner_id,
            members=(("id", _r.partner_id),),
            also=("href", "role", "@referredType"),
        ),
        ColumnAttr("reservationId", column=_r.reservation_id, read_only=True),
        ColumnAttr("holdUntil", column=_r.hold_until, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("startOperatingDate", column=_r.start_operating_date, kind=Kind.DATETIME),
        ColumnAttr("endOperatingDate", column=_r.end_operating_date, kind=Kind.DATETIME),
        JsonAttr(
            "resourceCharacteristic",
            column=_r.characteristics,
            keys=frozenset({"id", "name", "value", "valueType", "@type"}),
        ),
        RelationshipAttr(
            "resourceRelationship",
            column=_r.relationships,
            parent=_r.parent_id,
            keys=frozenset({"id", "href", "relationshipType", "resource", "@type"}),
        ),
        ColumnAttr("creationDate", column=_r.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_r.updated_at, kind=Kind.DATETIME, read_only=True),
    )


def _collection(path: str) -> InventoryTmfResource:
    return InventoryTmfResource(
        name=path.strip("/"),
        type_name="Resource",
        base_path=RESOURCE_BASE_PATH,
        path=path,
        table=Resource.__table__,
        id_column=_r.id,
        document_column=_r.doc,
        attrs=_resource_attrs(),
        base_type="Resource",
        extra_read_only=frozenset({"resourceSpecification", "parentResource"}),
        default_sort=("id",),
        versioned_count=True,
    )


#: TMF639 ``Resource`` over the ``resource`` table. ``physicalResource`` and
#: ``logicalResource`` are the same rows (and stored documents) filtered by
#: ``base_type`` (see api.py); every row's ``@type`` is its base type.
RESOURCE_RESOURCE = _collection("/resource")
PHYSICAL_RESOURCE = _collection("/physicalResource")
LOGICAL_RESOURCE = _collection("/logicalResource")
RESOURCE_RESOURCE.keep_document(Resource)
