"""Fulfilment mapping (服务映射 / 资源映射): offering → product specification →
customer-facing service specs (CFS) → resource-facing service specs (RFS) →
resource specs, and how each product specification is delivered.

A **delivery rule** says, for a product specification, a region and a
coverage type (``ownFtth``, ``partnerCable``, ``mobile``, ``leasedLine``),
the delivery mode (``instant`` activation, ``ownConstruction``, ``partner``),
the key of the BPMN process that fulfils it and the SLA (completion within
N hours, jeopardy at P % of it). Region ``*`` is the default; a province
(``330000``), city (``330100``), district (``330106``) or grid
(``330106-G01``) rule overrides it for that area and below. The region
hierarchy is read from the code itself (GB/T 2260 administrative codes), so
the catalog does not depend on the party domain.

Coverage is what the **address** has for fixed access; a specification
delivered only over ``mobile`` resolves with ``mobile`` whatever the fixed
coverage (a mobile line does not depend on the building).

Part of eTOM 1.1.1.1 (product readiness: a product is ready when it can be
delivered everywhere it is sold) and read by order handling (eTOM 1.1.1.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import Field
from sqlalchemy.orm import Session

from openboss.catalog import repository, versioning
from openboss.catalog.models import DeliveryRule, ProductOffering, ResourceSpec, ServiceSpec
from openboss.catalog.schemas import IN_TEST, LAUNCHED
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.regions import REGION_CODE, ancestors
from openboss.kit.tmf.schemas import Text, TmfModel

COVERAGE_TYPES = ("ownFtth", "partnerCable", "mobile", "leasedLine")
DELIVERY_MODES = ("instant", "ownConstruction", "partner")
CoverageType = Literal["ownFtth", "partnerCable", "mobile", "leasedLine"]
DeliveryMode = Literal["instant", "ownConstruction", "partner"]
ANY_REGION = "*"


def region_chain(region_id: str) -> list[str]:
    """The region and its ancestors by code, most specific first, then ``*``.

    ``330106-G01`` → ``330106-G01, 330106, 330100, 330000, *``.
    """
    if not REGION_CODE.match(region_id):
        raise ValidationFailed(
            f"'{region_id}' is not a region code (e.g. 330106 or 330106-G01)", field="regionId"
        )
    return [*ancestors(region_id), ANY_REGION]


def covers(place_id: str, region_id: str) -> bool:
    """Whether the place ``place_id`` includes ``region_id``."""
    return place_id in region_chain(region_id)


# --------------------------------------------------------------------------- inputs


class ResourceSpecIn(TmfModel):
    """A resource specification (YAML ``resourceSpecs``)."""

    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    category: Text | None = Field(None, description="e.g. port, terminal, ip.", max_length=64)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    localized_name: dict[str, Text] | None = Field(None, description="Names per language.")


class ServiceSpecIn(TmfModel):
    """A CFS or RFS specification (YAML ``serviceSpecs``)."""

    id: Text = Field(description="Identifier.", min_length=1, max_length=64)
    kind: Literal["CFS", "RFS"] = Field(description="CFS or RFS.")
    name: Text = Field(description="Name.", min_length=1, max_length=128)
    description: Text | None = Field(None, description="Description.", max_length=2000)
    localized_name: dict[str, Text] | None = Field(None, description="Names per language.")
    rfs: list[Text] = Field(default_factory=list, description="RFS ids (CFS only).")
    resource_specs: list[Text] = Field(default_factory=list, description="Resource specs (RFS).")


class DeliveryRuleIn(TmfModel):
    """A delivery rule (YAML ``deliveryRules``)."""

    product_specification: Text = Field(description="Product specification id.", max_length=64)
    region_id: Text = Field(ANY_REGION, description="Region code or * for every region.")
    coverage_type: CoverageType = Field(description="Fixed coverage at the address, or mobile.")
    delivery_mode: DeliveryMode = Field(description="instant, ownConstruction or partner.")
    process_key: Text | None = Field(None, description="BPMN process key.", max_length=128)
    sla_completion_hours: int | None = Field(None, ge=1, le=24 * 365, description="SLA hours.")
    sla_jeopardy_percent: int | None = Field(
        None, ge=1, le=99, description="Jeopardy when this % of the SLA has elapsed."
    )


def _names(value: dict[str, str] | None) -> dict[str, str] | None:
    return dict(value) if value else None


def upsert_resource_spec(session: Session, data: ResourceSpecIn) -> ResourceSpec:
    row = repository.find(session, ResourceSpec, data.id)
    if row is None:
        row = ResourceSpec(id=data.id, name=data.name, updated_at=utcnow())
        session.add(row)
    values = {
        "name": data.name,
        "category": data.category,
        "description": data.description,
        "localized_name": _names(data.localized_name),
    }
    if any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = utcnow()
    session.flush()
    return row


def upsert_service_spec(session: Session, data: ServiceSpecIn) -> ServiceSpec:
    if data.kind == "RFS" and data.rfs:
        raise ValidationFailed("an RFS is realised by resource specs, not RFSs", field="rfs")
    if data.kind == "CFS" and data.resource_specs:
        raise ValidationFailed(
            "a CFS is realised by RFSs; put resource specs on the RFS", field="resourceSpecs"
        )
    known = repository.service_specs(session, data.rfs)
    for ident in data.rfs:
        if ident not in known or known[ident].kind != "RFS":
            raise ValidationFailed(f"rfs: '{ident}' is not a known RFS", field="rfs")
    missing = set(data.resource_specs) - set(
        repository.resource_specs(session, data.resource_specs)
    )
    if missing:
        raise ValidationFailed(
            f"resourceSpecs: unknown {', '.join(sorted(missing))}", field="resourceSpecs"
        )
    row = repository.find(session, ServiceSpec, data.id)
    if row is None:
        row = ServiceSpec(id=data.id, kind=data.kind, name=data.name, updated_at=utcnow())
        session.add(row)
    values: dict[str, Any] = {
        "kind": data.kind,
        "name": data.name,
        "description": data.description,
        "localized_name": _names(data.localized_name),
        "rfs_ids": list(data.rfs) or None,
        "resource_spec_ids": list(data.resource_specs) or None,
    }
    if any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = utcnow()
    session.flush()
    return row


def upsert_delivery_rule(session: Session, data: DeliveryRuleIn) -> DeliveryRule:
    from openboss.catalog.models import ProductSpecification

    if data.region_id != ANY_REGION and not REGION_CODE.match(data.region_id):
        raise ValidationFailed(f"'{data.region_id}' is not a region code or *", field="regionId")
    if repository.find(session, ProductSpecification, data.product_specification) is None:
        raise ValidationFailed(
            f"unknown productSpecification '{data.product_specification}'",
            field="productSpecification",
        )
    existing = [
        r
        for r in repository.delivery_rules(session, data.product_specification)
        if r.region_id == data.region_id and r.coverage_type == data.coverage_type
    ]
    row = existing[0] if existing else None
    if row is None:
        row = DeliveryRule(
            id=new_id(),
            product_spec_id=data.product_specification,
            region_id=data.region_id,
            coverage_type=data.coverage_type,
            delivery_mode=data.delivery_mode,
            updated_at=utcnow(),
        )
        session.add(row)
    values = {
        "delivery_mode": data.delivery_mode,
        "process_key": data.process_key,
        "sla_completion_hours": data.sla_completion_hours,
        "sla_jeopardy_percent": data.sla_jeopardy_percent,
    }
    if any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = utcnow()
    session.flush()
    return row


def rule_as_input(rule: DeliveryRule) -> DeliveryRuleIn:
    return DeliveryRuleIn(
        product_specification=rule.product_spec_id,
        region_id=rule.region_id,
        coverage_type=rule.coverage_type,
        delivery_mode=rule.delivery_mode,
        process_key=rule.process_key,
        sla_completion_hours=rule.sla_completion_hours,
        sla_jeopardy_percent=rule.sla_jeopardy_percent,
    )


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class Sla:
    """Complete within ``completion_hours``; jeopardy after ``jeopardy_hours``."""

    completion_hours: int
    jeopardy_percent: int

    @property
    def jeopardy_hours(self) -> float:
        return self.completion_hours * self.jeopardy_percent / 100


@dataclass(frozen=True, slots=True)
class ServiceChain:
    """The CFS → RFS → resource spec tree of a product specification."""

    cfs: list[str] = field(default_factory=list)
    rfs: list[str] = field(default_factory=list)
    resource_specs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FulfilmentItem:
    """How one product specification of the offering is delivered."""

    offering_id: str
    product_spec_id: str
    coverage_type: str
    delivery_mode: str
    process_key: str | None
    sla: Sla | None
    matched_region: str
    chain: ServiceChain

    def as_dict(self) -> dict[str, Any]:
        return {
            "productOfferingId": self.offering_id,
            "productSpecificationId": self.product_spec_id,
            "coverageType": self.coverage_type,
            "deliveryMode": self.delivery_mode,
            "processKey": self.process_key,
            "sla": None
            if self.sla is None
            else {
                "completionHours": self.sla.completion_hours,
                "jeopardyPercent": self.sla.jeopardy_percent,
                "jeopardyHours": self.sla.jeopardy_hours,
            },
            "matchedRegion": self.matched_region,
            "customerFacingServiceSpecs": self.chain.cfs,
            "resourceFacingServiceSpecs": self.chain.rfs,
            "resourceSpecs": self.chain.resource_specs,
        }


@dataclass(frozen=True, slots=True)
class FulfilmentPlan:
    """What order handling needs to fulfil an offering in a region."""

    offering_id: str
    version: str
    region_id: str
    coverage_type: str
    items: list[FulfilmentItem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "productOfferingId": self.offering_id,
            "version": self.version,
            "regionId": self.region_id,
            "coverageType": self.coverage_type,
            "items": [i.as_dict() for i in self.items],
        }


def service_chain(session: Session, product_spec_id: str) -> ServiceChain:
    """The mapping tree of a product specification, with what is missing."""
    from openboss.catalog.models import ProductSpecification

    spec = repository.find(session, ProductSpecification, product_spec_id)
    if spec is None:
        return ServiceChain(problems=[f"product specification '{product_spec_id}' is missing"])
    problems: list[str] = []
    cfs_ids = [r["id"] for r in spec.service_specification or []]
    direct = [r["id"] for r in spec.resource_specification or []]
    if not cfs_ids:
        problems.append(f"product specification '{spec.id}' maps to no customer-facing service")
    cfs_rows = repository.service_specs(session, cfs_ids)
    rfs_ids: list[str] = []
    for ident in cfs_ids:
        cfs = cfs_rows.get(ident)
        if cfs is None or cfs.kind != "CFS":
            problems.append(f"CFS '{ident}' is missing")
            continue
        if not cfs.rfs_ids:
            problems.append(f"CFS '{ident}' maps to no resource-facing service")
        rfs_ids.extend(i for i in cfs.rfs_ids or [] if i not in rfs_ids)
    rfs_rows = repository.service_specs(session, rfs_ids)
    resource_ids: list[str] = list(direct)
    for ident in rfs_ids:
        rfs = rfs_rows.get(ident)
        if rfs is None:
            problems.append(f"RFS '{ident}' is missing")
            continue
        if not rfs.resource_spec_ids:
            problems.append(f"RFS '{ident}' maps to no resource specification")
        resource_ids.extend(i for i in rfs.resource_spec_ids or [] if i not in resource_ids)
    found = repository.resource_specs(session, resource_ids)
    for ident in resource_ids:
        if ident not in found:
            problems.append(f"resource specification '{ident}' is missing")
    return ServiceChain(cfs_ids, rfs_ids, resource_ids, problems)


def match_rule(
    rules: list[DeliveryRule], region_id: str, coverage_type: str
) -> DeliveryRule | None:
    """The most specific rule for the region and coverage type."""
    by_region = {r.region_id: r for r in rules if r.coverage_type == coverage_type}
    for code in region_chain(region_id):
        if code in by_region:
            return by_region[code]
    return None


def resolve_spec(
    session: Session, offering_id: str, product_spec_id: str, region_id: str, coverage_type: str
) -> FulfilmentItem | None:
    """How one specification is delivered, or ``None`` when no rule applies."""
    rules = list(repository.delivery_rules(session, product_spec_id))
    rule = match_rule(rules, region_id, coverage_type)
    used = coverage_type
    only_mobile = bool(rules) and all(r.coverage_type == "mobile" for r in rules)
    if rule is None and coverage_type != "mobile" and only_mobile:
        rule = match_rule(rules, region_id, "mobile")
        used = "mobile"
    if rule is None:
        return None
    sla = None
    if rule.sla_completion_hours is not None and rule.sla_jeopardy_percent is not None:
        sla = Sla(rule.sla_completion_hours, rule.sla_jeopardy_percent)
    return FulfilmentItem(
        offering_id=offering_id,
        product_spec_id=product_spec_id,
        coverage_type=used,
        delivery_mode=rule.delivery_mode,
        process_key=rule.process_key,
        sla=sla,
        matched_region=rule.region_id,
        chain=service_chain(session, product_spec_id),
    )


class OfferingLike(Protocol):
    """What sales read of an offering: a row, or the version on sale (:class:`OnSale`)."""

    @property
    def id(self) -> str: ...
    @property
    def lifecycle_status(self) -> str: ...
    @property
    def is_bundle(self) -> bool: ...
    @property
    def is_sellable(self) -> bool: ...
    @property
    def product_spec_id(self) -> str | None: ...
    @property
    def bundled_product_offering(self) -> list[dict[str, Any]] | None: ...
    @property
    def place(self) -> list[dict[str, Any]] | None: ...
    @property
    def market_segment(self) -> list[dict[str, Any]] | None: ...
    @property
    def channel(self) -> list[dict[str, Any]] | None: ...


@dataclass(frozen=True, slots=True)
class OnSale:
    """An offering as sold at a time: the content of the version in effect
    then (a future-dated version already on the row is not on sale yet),
    with the row's lifecycle status (retirement stops every version)."""

    id: str
    version: str
    lifecycle_status: str
    is_bundle: bool
    is_sellable: bool
    product_spec_id: str | None
    bundled_product_offering: list[dict[str, Any]] | None
    place: list[dict[str, Any]] | None
    market_segment: list[dict[str, Any]] | None
    channel: list[dict[str, Any]] | None


def on_sale(session: Session, offering: ProductOffering, at: datetime | None = None) -> OnSale:
    """The offering as sold at ``at`` (default now)."""
    current = versioning.version_at(session, offering.id, at or utcnow())
    if current is None or current.version == offering.version:
        return OnSale(
            offering.id,
            offering.version,
            offering.lifecycle_status,
            offering.is_bundle,
            offering.is_sellable,
            offering.product_spec_id,
            offering.bundled_product_offering,
            offering.place,
            offering.market_segment,
            offering.channel,
        )
    doc = current.document["productOffering"]
    spec = doc.get("productSpecification") or {}
    return OnSale(
        offering.id,
        current.version,
        offering.lifecycle_status,
        bool(doc.get("isBundle")),
        bool(doc.get("isSellable", True)),
        spec.get("id"),
        doc.get("bundledProductOffering"),
        doc.get("place"),
        doc.get("marketSegment"),
        doc.get("channel"),
    )


def specs_of(session: Session, offering: OfferingLike) -> list[tuple[str, str]]:
    """``(offering id, product spec id)`` pairs an offering is delivered as
    (a bundle: its members')."""
    if not offering.is_bundle:
        return [(offering.id, offering.product_spec_id)] if offering.product_spec_id else []
    members = repository.offerings(
        session, [m["id"] for m in offering.bundled_product_offering or []]
    )
    out: list[tuple[str, str]] = []
    for member in offering.bundled_product_offering or []:
        row = members.get(member["id"])
        if row is not None and row.product_spec_id:
            out.append((row.id, row.product_spec_id))
    return out


def eligible_region(offering: OfferingLike, region_id: str) -> bool:
    """Whether the offering is sold in ``region_id`` (a place covers it)."""
    return any(covers(p["id"], region_id) for p in offering.place or [])


def resolve_fulfilment(
    session: Session,
    offering_id: str,
    region_id: str,
    coverage_type: str,
    *,
    in_test_ok: bool = False,
) -> FulfilmentPlan:
    """The fulfilment plan of a launched offering sold in ``region_id`` at an
    address with ``coverage_type``: for each product specification (each
    bundle member's), the CFS/RFS/resource specs, delivery mode, BPMN process
    key and SLA.

    404 for an unknown offering; 409 ``NOT_SELLABLE`` unless launched,
    ``NOT_ELIGIBLE`` outside its places, ``NO_DELIVERY_RULE`` when a
    specification has no rule for the region and coverage. ``in_test_ok``:
    an offering In test resolves too (a test order, eTOM 1.1.1.1 readiness).
    """
    if coverage_type not in COVERAGE_TYPES:
        raise ValidationFailed(
            f"coverageType is one of {', '.join(COVERAGE_TYPES)}", field="coverageType"
        )
    offering = repository.find(session, ProductOffering, offering_id)
    if offering is None:
        raise NotFound(f"productOffering '{offering_id}' not found")
    if offering.lifecycle_status != LAUNCHED and not (
        in_test_ok and offering.lifecycle_status == IN_TEST
    ):
        raise Conflict(
            f"productOffering '{offering_id}' is {offering.lifecycle_status}, not Launched",
            code="NOT_SELLABLE",
            field="lifecycleStatus",
        )
    region_chain(region_id)
    sale = on_sale(session, offering)
    if not eligible_region(sale, region_id):
        raise Conflict(
            f"productOffering '{offering_id}' is not sold in region {region_id}",
            code="NOT_ELIGIBLE",
            field="regionId",
        )
    items = []
    for member_id, spec_id in specs_of(session, sale):
        item = resolve_spec(session, member_id, spec_id, region_id, coverage_type)
        if item is None:
            raise Conflict(
                f"no delivery rule for product specification '{spec_id}' in region "
                f"{region_id} with coverage {coverage_type}",
                code="NO_DELIVERY_RULE",
                field="coverageType",
            )
        items.append(item)
    return FulfilmentPlan(offering.id, sale.version, region_id, coverage_type, items)


def is_eligible(
    offering: OfferingLike,
    *,
    region_id: str,
    customer_type: str | None = None,
    segment: str | None = None,
    channel: str | None = None,
    in_test_ok: bool = False,
) -> list[str]:
    """Why a customer may not buy the offering (empty: eligible).

    ``in_test_ok``: an offering In test is eligible (for a test order).

    ``marketSegment`` ids name customer types (``individual``,
    ``organization``) and segments; an offering without market segments is
    for everyone, one with segments needs the customer's type or segment
    among them. ``channel`` likewise.
    """
    reasons = []
    if offering.lifecycle_status != LAUNCHED and not (
        in_test_ok and offering.lifecycle_status == IN_TEST
    ):
        reasons.append(f"the offering is {offering.lifecycle_status}")
    if not offering.is_sellable:
        reasons.append("the offering is not sold on its own")
    if not eligible_region(offering, region_id):
        reasons.append(f"not sold in region {region_id}")
    segments = {s["id"] for s in offering.market_segment or []}
    if segments and not ({customer_type, segment} & segments):
        reasons.append("for market segments " + ", ".join(sorted(segments)))
    channels = {c["id"] for c in offering.channel or []}
    if channels and channel is not None and channel not in channels:
        reasons.append("sold through " + ", ".join(sorted(channels)))
    return reasons


def eligibility(
    session: Session,
    offering_id: str,
    *,
    region_id: str,
    customer_type: str | None = None,
    segment: str | None = None,
    channel: str | None = None,
    at: datetime | None = None,
    in_test_ok: bool = False,
) -> tuple[OnSale, list[str]]:
    """The version of the offering on sale at ``at`` (default now) and why the
    customer may not buy it (empty: eligible). 404 for an unknown offering."""
    offering = repository.find(session, ProductOffering, offering_id)
    if offering is None:
        raise NotFound(f"productOffering '{offering_id}' not found")
    sale = on_sale(session, offering, at)
    reasons = is_eligible(
        sale,
        region_id=region_id,
        customer_type=customer_type,
        segment=segment,
        channel=channel,
        in_test_ok=in_test_ok,
    )
    return sale, reasons
