"""Tables of the business view (资源发布) and of TMF645 service qualification.

eTOM 1.5.1 resource management (publishing resource capability to sales) and
1.1.1.x customer-facing qualification support.

* ``partner_coverage`` — a partner's coverage of a building: which technology,
  what it sells there as (``partnerCable``), how many subscribers it may take
  (``capacity``) and has taken (``used``); partner systems update their own
  rows (the status feedback from partners).
* ``business_resource_type`` — what a sales person sells at a building
  ("FTTH access at building", "partner cable access at building"), the
  coverage type and delivery mode it stands for, the CFS it serves and the
  packaging rule that computes its capacity from the network view.
* ``resource_availability`` — the published result: per building, business
  type and owner, the sellable capacity and its status, kept fresh in the
  transaction of every capacity change.
* ``check_service_qualification`` / ``query_service_qualification`` — the
  TMF645 requests and their answers, stored for reading back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from openboss.kit.scope import PartnerScoped, RegionScoped
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

QUALIFICATION_BASE_PATH = "/tmf-api/serviceQualificationManagement/v4"
#: Not a TMF API: the operator's own business view (TMF has no resource for it).
PUBLISHING_API = "/api/resource/v1"

COVERAGE_STATUSES = ("active", "suspended")
AVAILABILITY_STATUSES = ("available", "exhausted", "planned")
#: Coverage types and delivery modes as the catalog knows them (catalog.mapping).
COVERAGE_TYPES = ("ownFtth", "partnerCable", "leasedLine", "mobile")
DELIVERY_MODES = ("ownConstruction", "partner", "instant")
#: Packaging rules implemented by :mod:`openboss.resource.publishing.rules`.
RULES = ("ftthSplitterPorts", "partnerCoverage", "mstpNodeCapacity", "everywhere")
TASK_STATES = ("accepted", "terminatedWithError", "inProgress", "done")
QUALIFICATION_RESULTS = ("qualified", "unqualified", "alternate")
#: ``resource_availability.owner_key`` of the operator's own resources.
OWN = "own"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PartnerCoverage(RegionScoped, PartnerScoped, Base):
    """A partner's coverage of one building with one technology.

    ``capacity`` is how many subscribers the partner may take there, ``used``
    how many it has; ``capacity - used`` is sellable while the row is
    ``active`` and inside ``valid_from`` … ``valid_to``. ``partner_id`` is the
    owner (row scope: a partner sees and updates only its own rows).
    """

    __tablename__ = "partner_coverage"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("status", COVERAGE_STATUSES), name="status"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint("used >= 0", name="used"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="valid"
        ),
        UniqueConstraint("site_id", "partner_id", "technology", name="uq_partner_coverage_site"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("geographic_site.id"), nullable=False, index=True
    )
    partner_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("network_partner.id"), nullable=False, index=True
    )
    #: ``cable``, ``ftth``, ``docsis``, … (free text of the partner's network)
    technology: Mapped[str] = mapped_column(String(32), nullable=False)
    #: What it is sold as: ``partnerCable`` (a catalog coverage type).
    coverage_type: Mapped[str] = mapped_column(String(32), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    used: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class BusinessResourceType(Base):
    """A business resource type: what sales sells at a building, its coverage
    type and delivery mode (the catalog's words), the CFS ids it serves, the
    packaging ``rule`` computing its capacity, the lead time in days and its
    ``preference`` (lower first: own FTTH before partner cable)."""

    __tablename__ = "business_resource_type"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("rule", RULES), name="rule"),
        CheckConstraint(_in("delivery_mode", DELIVERY_MODES), name="delivery_mode"),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
        CheckConstraint("lead_days >= 0", name="lead_days"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    #: ``{"en": …, "zh-CN": …}``
    localized_name: Mapped[dict[str, str] | None] = mapped_column(JSONDoc, nullable=True)
    coverage_type: Mapped[str] = mapped_column(String(32), nullable=False)
    delivery_mode: Mapped[str] = mapped_column(String(32), nullable=False)
    #: CFS ids of the catalog (``cfs-internet-access``, …)
    service_specs: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    rule: Mapped[str] = mapped_column(String(32), nullable=False)
    lead_days: Mapped[int] = mapped_column(Integer, nullable=False)
    preference: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ResourceAvailability(RegionScoped, PartnerScoped, Base):
    """The sellable capacity of one business type at one building, per owner.

    ``owner_key`` is ``own`` for the operator's network, else the partner id
    (``partner_id`` holds the partner for row scope, NULL when own), so that
    the UNIQUE key works on every database. ``status``: ``available`` (free
    capacity), ``exhausted`` (none free), ``planned`` (only planned resources);
    ``ready_date``: when the capacity is ready (NULL: now; a planned
    resource's start of operation, a partner coverage's start) — the earliest
    date a new service can be delivered is this (or today) plus the type's
    lead time.
    """

    __tablename__ = "resource_availability"
    __table_args__ = (
        CheckConstraint(_in("status", AVAILABILITY_STATUSES), name="status"),
        CheckConstraint("capacity_free >= 0 AND capacity_free <= capacity_total", name="capacity"),
        UniqueConstraint(
            "site_id", "business_type_id", "owner_key", name="uq_resource_availability_owner"
        ),
        Index("ix_resource_availability_status", "status", "business_type_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("geographic_site.id"), nullable=False
    )
    business_type_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("business_resource_type.id"), nullable=False
    )
    owner_key: Mapped[str] = mapped_column(String(64), nullable=False)
    coverage_type: Mapped[str] = mapped_column(String(32), nullable=False)
    delivery_mode: Mapped[str] = mapped_column(String(32), nullable=False)
    capacity_total: Mapped[int] = mapped_column(Integer, nullable=False)
    capacity_free: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    ready_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class CheckServiceQualificationRow(RegionScoped, Base):
    """A TMF645 ``CheckServiceQualification``: the request and its answer."""

    __tablename__ = "check_service_qualification"
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (
        CheckConstraint(_in("state", TASK_STATES), name="state"),
        CheckConstraint(
            "qualification_result IS NULL OR " + _in("qualification_result", QUALIFICATION_RESULTS),
            name="qualification_result",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    qualification_result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    instant_sync: Mapped[bool] = mapped_column(Boolean, nullable=False)
    provide_alternative: Mapped[bool] = mapped_column(Boolean, nullable=False)
    provide_reason: Mapped[bool] = mapped_column(Boolean, nullable=False)
    check_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    effective_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expiration_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    qualification_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class QueryServiceQualificationRow(RegionScoped, Base):
    """A TMF645 ``QueryServiceQualification``: what can be delivered at a place."""

    __tablename__ = "query_service_qualification"
    __audit_exclude__ = frozenset({"doc"})
    __table_args__ = (CheckConstraint(_in("state", TASK_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    instant_sync: Mapped[bool] = mapped_column(Boolean, nullable=False)
    query_date: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    effective_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expiration_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    related_party: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    search_criteria: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    qualification_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


_PARTY_KEYS = frozenset({"id", "href", "name", "role", "@referredType"})
_ITEM_KEYS = frozenset(
    {
        "id",
        "state",
        "qualificationResult",
        "expectedServiceAvailabilityDate",
        "service",
        "eligibilityUnavailabilityReason",
        "alternateServiceProposal",
        "@type",
    }
)

_c = CheckServiceQualificationRow.__table__.c
CHECK_RESOURCE = TmfResource(
    name="checkServiceQualification",
    type_name="CheckServiceQualification",
    base_path=QUALIFICATION_BASE_PATH,
    path="/checkServiceQualification",
    table=CheckServiceQualificationRow.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr(
            "checkServiceQualificationDate",
            column=_c.check_date,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        ColumnAttr("description", column=_c.description, sortable=False),
        ColumnAttr(
            "effectiveQualificationDate",
            column=_c.effective_date,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        ColumnAttr("expirationDate", column=_c.expiration_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("externalId", column=_c.external_id),
        ColumnAttr("instantSyncQualification", column=_c.instant_sync, kind=Kind.BOOLEAN),
        ColumnAttr("provideAlternative", column=_c.provide_alternative, kind=Kind.BOOLEAN),
        ColumnAttr("provideUnavailabilityReason", column=_c.provide_reason, kind=Kind.BOOLEAN),
        ColumnAttr("qualificationResult", column=_c.qualification_result, read_only=True),
        JsonAttr("relatedParty", column=_c.related_party, keys=_PARTY_KEYS),
        JsonAttr("serviceQualificationItem", column=_c.qualification_items, keys=_ITEM_KEYS),
        ColumnAttr("state", column=_c.state, read_only=True),
    ),
    default_sort=("-checkServiceQualificationDate",),
)
CHECK_RESOURCE.keep_document(CheckServiceQualificationRow)

_q = QueryServiceQualificationRow.__table__.c
QUERY_RESOURCE = TmfResource(
    name="queryServiceQualification",
    type_name="QueryServiceQualification",
    base_path=QUALIFICATION_BASE_PATH,
    path="/queryServiceQualification",
    table=QueryServiceQualificationRow.__table__,
    id_column=_q.id,
    document_column=_q.doc,
    attrs=(
        ColumnAttr("description", column=_q.description, sortable=False),
        ColumnAttr(
            "effectiveQualificationDate",
            column=_q.effective_date,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        ColumnAttr("expirationDate", column=_q.expiration_date, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("externalId", column=_q.external_id),
        ColumnAttr("instantSyncQualification", column=_q.instant_sync, kind=Kind.BOOLEAN),
        ColumnAttr(
            "queryServiceQualificationDate",
            column=_q.query_date,
            kind=Kind.DATETIME,
            read_only=True,
        ),
        JsonAttr("relatedParty", column=_q.related_party, keys=_PARTY_KEYS),
        JsonAttr(
            "searchCriteria",
            column=_q.search_criteria,
            keys=frozenset({"id", "service", "category", "@type"}),
        ),
        JsonAttr("serviceQualificationItem", column=_q.qualification_items, keys=_ITEM_KEYS),
        ColumnAttr("state", column=_q.state, read_only=True),
    ),
    default_sort=("-queryServiceQualificationDate",),
)
QUERY_RESOURCE.keep_document(QueryServiceQualificationRow)
