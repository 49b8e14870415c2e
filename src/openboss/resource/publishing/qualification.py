"""Service qualification (TMF645 v4): what can be delivered at an address.

eTOM 1.1.1.x customer order handling support — "determine customer order
feasibility" — answered from the published business view (eTOM 1.5.1).

:func:`qualify` is the core, called by the TMF645 endpoints and by ordering:
for an address (resolved to its building through the place directory) and
CFS ids, each service is

* ``qualified`` — a business type serving it has free capacity at the
  building; the preferred one wins (own FTTH before partner cable), with its
  delivery mode, coverage type, owner and earliest date;
* ``alternate`` — nothing free now but planned capacity: the same service
  proposed at a later date;
* ``unqualified`` — with the reasons: ``noCoverage`` (nothing serves it
  here), ``noFreePort`` (own network full), ``partnerCapacityExhausted``,
  ``unknownService`` (no business type serves that CFS).

Mobile access (rule ``everywhere``) is qualified at every address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events import outbox
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import PlaceAddress, place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.resource.inventory import lifecycle
from openboss.resource.publishing import rules
from openboss.resource.publishing.availability import earliest_date
from openboss.resource.publishing.models import (
    CHECK_RESOURCE,
    QUALIFICATION_BASE_PATH,
    QUERY_RESOURCE,
    BusinessResourceType,
    CheckServiceQualificationRow,
    QueryServiceQualificationRow,
    ResourceAvailability,
)

REASON_LABELS: dict[str, str] = {
    "noCoverage": "No network or partner coverage at this address",
    "noFreePort": "The own network at this building has no free port",
    "partnerCapacityExhausted": "The partner's capacity at this building is exhausted",
    "unknownService": "No business resource type serves this service specification",
}
#: Which reason a business type gives when its capacity is exhausted.
_EXHAUSTED_REASON = {"partnerCoverage": "partnerCapacityExhausted"}


@dataclass(frozen=True, slots=True)
class Result:
    """The qualification of one CFS at one address."""

    service_spec_id: str
    result: str  # qualified | unqualified | alternate
    address_id: str
    site_id: str
    business_type_id: str | None = None
    delivery_mode: str | None = None
    coverage_type: str | None = None
    owner_partner_id: str | None = None
    capacity_free: int | None = None
    expected_date: datetime | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def qualified(self) -> bool:
        return self.result == "qualified"


def resolve_address(
    session: Session, scope: Scope, address_id: str, *, field: str = "place"
) -> PlaceAddress:
    """The address and its building; 400 naming ``field`` when unknown or out of scope."""
    address = place_directory().address(session, scope, address_id)
    if address is None:
        raise ValidationFailed(f"geographic address '{address_id}' not found", field=field)
    return address


def qualify(
    session: Session,
    scope: Scope,
    address_id: str,
    service_spec_ids: Sequence[str] | None = None,
    *,
    field: str = "place",
) -> list[Result]:
    """Qualify ``service_spec_ids`` (default: every service some business type
    serves) at ``address_id``; one :class:`Result` per service, in order."""
    address = resolve_address(session, scope, address_id, field=field)
    types = rules.active_types(session)
    stmt = apply_scope(
        select(ResourceAvailability).where(ResourceAvailability.site_id == address.site_id),
        ResourceAvailability,
        scope,
    )
    rows: dict[str, list[ResourceAvailability]] = {}
    for row in session.scalars(stmt):
        rows.setdefault(row.business_type_id, []).append(row)
    if service_spec_ids is None:
        service_spec_ids = list(dict.fromkeys(s for t in types for s in t.service_specs))
    return [_qualify_one(address, spec, types, rows) for spec in service_spec_ids]


def _qualify_one(
    address: PlaceAddress,
    spec: str,
    types: list[BusinessResourceType],
    rows: dict[str, list[ResourceAvailability]],
) -> Result:
    base = Result(
        service_spec_id=spec, result="unqualified", address_id=address.id, site_id=address.site_id
    )
    serving = [t for t in types if spec in t.service_specs]
    if not serving:
        return replace(base, reasons=("unknownService",))
    reasons: list[str] = []
    alternate: tuple[BusinessResourceType, ResourceAvailability] | None = None
    for bt in serving:  # preferred first
        if bt.rule == "everywhere":
            return replace(
                base,
                result="qualified",
                business_type_id=bt.id,
                delivery_mode=bt.delivery_mode,
                coverage_type=bt.coverage_type,
                expected_date=earliest_date(None, bt.lead_days),
            )
        candidates = rows.get(bt.id, [])
        free = [r for r in candidates if r.status == "available" and r.capacity_free > 0]
        if free:
            best = max(free, key=lambda r: (r.capacity_free, r.owner_key == "own"))
            return replace(
                base,
                result="qualified",
                business_type_id=bt.id,
                delivery_mode=bt.delivery_mode,
                coverage_type=bt.coverage_type,
                owner_partner_id=best.partner_id,
                capacity_free=best.capacity_free,
                expected_date=earliest_date(best.ready_date, bt.lead_days),
            )
        planned = [r for r in candidates if r.status == "planned"]
        if planned and alternate is None:
            alternate = (bt, min(planned, key=lambda r: earliest_date(r.ready_date, 0)))
        if candidates and not planned:
            reasons.append(_EXHAUSTED_REASON.get(bt.rule, "noFreePort"))
    if alternate is not None:
        bt, row = alternate
        return replace(
            base,
            result="alternate",
            business_type_id=bt.id,
            delivery_mode=bt.delivery_mode,
            coverage_type=bt.coverage_type,
            owner_partner_id=row.partner_id,
            capacity_free=0,
            expected_date=earliest_date(row.ready_date, bt.lead_days),
            reasons=tuple(dict.fromkeys(reasons)) or ("noFreePort",),
        )
    return replace(
        base, result="unqualified", reasons=tuple(dict.fromkeys(reasons)) or ("noCoverage",)
    )


# ---------------------------------------------------------------- TMF645 shapes


def _fmt(value: datetime | None) -> str | None:
    if value is None:
        return None
    return truncate_datetime(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _service(result: Result, *, with_characteristics: bool) -> dict[str, Any]:
    service: dict[str, Any] = {
        "serviceSpecification": {
            "id": result.service_spec_id,
            "@referredType": "ServiceSpecification",
        },
        "place": [
            {
                "id": result.address_id,
                "role": "installationAddress",
                "@referredType": "GeographicAddress",
            }
        ],
        "@type": "Service",
    }
    if with_characteristics and result.delivery_mode:
        service["serviceCharacteristic"] = [
            {"name": "deliveryMode", "valueType": "string", "value": result.delivery_mode},
            {"name": "coverageType", "valueType": "string", "value": result.coverage_type},
            {
                "name": "businessResourceType",
                "valueType": "string",
                "value": result.business_type_id,
            },
        ]
        if result.owner_partner_id:  # absent: the operator's own network
            service["serviceCharacteristic"].append(
                {"name": "ownerPartnerId", "valueType": "string", "value": result.owner_partner_id}
            )
    return service


def check_item(
    item_id: str,
    result: Result,
    *,
    provide_reason: bool = True,
    provide_alternative: bool = True,
) -> dict[str, Any]:
    """A ``CheckServiceQualificationItem`` for ``result``."""
    item: dict[str, Any] = {
        "id": item_id,
        "state": "done",
        "qualificationResult": result.result,
        "service": _service(result, with_characteristics=result.result == "qualified"),
        "@type": "CheckServiceQualificationItem",
    }
    if result.result == "qualified":
        item["expectedServiceAvailabilityDate"] = _fmt(result.expected_date)
    if result.reasons and result.result != "qualified" and provide_reason:
        item["eligibilityUnavailabilityReason"] = [
            {"code": code, "label": REASON_LABELS[code], "@type": "EligibilityUnavailabilityReason"}
            for code in result.reasons
        ]
    if result.result == "alternate":
        if provide_alternative:
            item["alternateServiceProposal"] = [
                {
                    "id": "1",
                    "alternateServiceAvailabilityDate": _fmt(result.expected_date),
                    "alternateService": _service(result, with_characteristics=True),
                    "@type": "AlternateServiceProposal",
                }
            ]
        else:  # no alternative wanted: the requested service is simply not available
            item["qualificationResult"] = "unqualified"
    return item


def overall_result(items: Sequence[dict[str, Any]]) -> str:
    """qualified (all items), alternate (some alternate, none unqualified), else unqualified."""
    results = {i["qualificationResult"] for i in items}
    if "unqualified" in results:
        return "unqualified"
    if "alternate" in results:
        return "alternate"
    return "qualified"


@dataclass(frozen=True, slots=True)
class CheckRequestItem:
    id: str | None
    address_id: str
    service_spec_id: str


def create_check(
    session: Session,
    scope: Scope,
    items: Sequence[CheckRequestItem],
    *,
    description: str | None = None,
    external_id: str | None = None,
    provide_alternative: bool = True,
    provide_reason: bool = True,
    related_party: list[dict[str, Any]] | None = None,
    actor: str | None = None,
) -> CheckServiceQualificationRow:
    """Answer a ``CheckServiceQualification`` synchronously and store it (state ``done``)."""
    if not items:
        raise ValidationFailed("at least one item is required", field="serviceQualificationItem")
    out: list[dict[str, Any]] = []
    region: str | None = None
    seen: set[str] = set()
    for n, req in enumerate(items):
        item_id = req.id or str(n + 1)
        if item_id in seen:
            raise ValidationFailed(
                f"item id '{item_id}' is used twice", field=f"serviceQualificationItem[{n}].id"
            )
        seen.add(item_id)
        where = f"serviceQualificationItem[{n}].service.place"
        (result,) = qualify(session, scope, req.address_id, [req.service_spec_id], field=where)
        if region is None:
            region = resolve_address(session, scope, req.address_id, field=where).region_id
        out.append(
            check_item(
                item_id,
                result,
                provide_reason=provide_reason,
                provide_alternative=provide_alternative,
            )
        )
    now = lifecycle.now()
    row = CheckServiceQualificationRow(
        id=new_id(),
        state="done",
        qualification_result=overall_result(out),
        description=description,
        external_id=external_id,
        instant_sync=True,
        provide_alternative=provide_alternative,
        provide_reason=provide_reason,
        check_date=now,
        effective_date=now,
        related_party=related_party,
        qualification_items=out,
        created_by=actor,
        region_id=region,
    )
    session.add(row)
    session.flush()
    _publish(
        session,
        "CheckServiceQualificationCreateEvent",
        CHECK_RESOURCE.name,
        row.id,
        row.doc,
        region,
    )
    return row


def create_query(
    session: Session,
    scope: Scope,
    address_id: str,
    search_criteria: dict[str, Any],
    *,
    description: str | None = None,
    external_id: str | None = None,
    related_party: list[dict[str, Any]] | None = None,
    actor: str | None = None,
) -> QueryServiceQualificationRow:
    """Every service deliverable at the address, as ``ServiceQualificationItem``\\ s."""
    field_name = "searchCriteria.service.place"
    address = resolve_address(session, scope, address_id, field=field_name)
    results = qualify(session, scope, address_id, field=field_name)
    items = []
    for n, result in enumerate(r for r in results if r.qualified):
        items.append(
            {
                "id": str(n + 1),
                "expectedServiceAvailabilityDate": _fmt(result.expected_date),
                "service": _service(result, with_characteristics=True),
                "@type": "ServiceQualificationItem",
            }
        )
    now = lifecycle.now()
    row = QueryServiceQualificationRow(
        id=new_id(),
        state="done",
        description=description,
        external_id=external_id,
        instant_sync=True,
        query_date=now,
        effective_date=now,
        related_party=related_party,
        search_criteria=search_criteria,
        qualification_items=items,
        created_by=actor,
        region_id=address.region_id,
    )
    session.add(row)
    session.flush()
    _publish(
        session,
        "QueryServiceQualificationCreateEvent",
        QUERY_RESOURCE.name,
        row.id,
        row.doc,
        address.region_id,
    )
    return row


def _publish(
    session: Session, event_type: str, name: str, ident: str, doc: str, region: str | None
) -> None:
    import orjson

    body = orjson.loads(doc)
    body["id"] = ident
    outbox.publish(
        session,
        event_type,
        name,
        body,
        api=QUALIFICATION_BASE_PATH,
        domain="resource",
        region_id=region,
    )


def get_check(session: Session, scope: Scope, ident: str) -> CheckServiceQualificationRow:
    stmt = apply_scope(
        select(CheckServiceQualificationRow).where(CheckServiceQualificationRow.id == ident),
        CheckServiceQualificationRow,
        scope,
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"checkServiceQualification '{ident}' not found")
    return row
