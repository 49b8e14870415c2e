"""HTTP API of publishing.

* ``/api/resource/v1/partnerCoverage`` — partners' coverage of buildings
  (operator staff; partners see and update their own rows);
* ``/api/resource/v1/availability`` — the published business view, with the
  hub ``/api/resource/v1/availability/hub`` for
  ``ResourceAvailabilityChangeEvent`` (status feedback to sales);
* ``/api/resource/v1/businessResourceType`` — the business types;
* TMF645 v4 at ``/tmf-api/serviceQualificationManagement/v4``:
  ``checkServiceQualification`` and ``queryServiceQualification`` (answered
  synchronously, stored for reading back) and the hub.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, current_principal, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.http import (
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
)
from openboss.kit.tmf.listing import fetch_document, list_page
from openboss.kit.tmf.query import MAX_LIMIT, parse_fields, parse_list_query
from openboss.kit.tmf.resource import TmfResource
from openboss.kit.tmf.schemas import ResourceId
from openboss.resource.publishing import availability, coverage, qualification
from openboss.resource.publishing.models import (
    AVAILABILITY_STATUSES,
    CHECK_RESOURCE,
    PUBLISHING_API,
    QUALIFICATION_BASE_PATH,
    QUERY_RESOURCE,
    BusinessResourceType,
    CheckServiceQualificationRow,
    QueryServiceQualificationRow,
)
from openboss.resource.publishing.schemas import (
    AvailabilityOut,
    CheckServiceQualificationCreate,
    PartnerCoverageCreate,
    PartnerCoverageOut,
    PartnerCoverageUpdate,
    QueryServiceQualificationCreate,
)

READ_ROLES = ("noc", "csr", "dispatcher", "manager", "partner")
WRITE_ROLES = ("noc", "partner")
QUALIFY_ROLES = ("noc", "csr", "dispatcher", "manager", "partner", "marketing")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (names the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict"},
}

router = APIRouter(dependencies=[Depends(current_principal)], responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Qualifier = Annotated[Principal, Depends(require_roles(*QUALIFY_ROLES))]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Index of the first row.")]
Limit = Annotated[int, Query(ge=0, le=MAX_LIMIT, description="Rows per page (default 100).")]

COVERAGE = PUBLISHING_API + "/partnerCoverage"


def _page(rows: list[dict[str, Any]], total: int) -> Response:
    return Response(
        orjson.dumps(rows),
        media_type="application/json",
        headers={"X-Total-Count": str(total), "X-Result-Count": str(len(rows))},
    )


# ------------------------------------------------------------ partner coverage


@router.get(
    COVERAGE,
    name="list_partner_coverage",
    tags=["partnerCoverage"],
    response_model=list[PartnerCoverageOut],
    summary="List partner coverage of buildings",
)
def list_partner_coverage(
    session: ReadSession,
    principal: Reader,
    site_id: Annotated[str | None, Query(alias="siteId", max_length=36)] = None,
    partner_id: Annotated[str | None, Query(alias="partnerId", max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(active|suspended)$")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Response:
    page = coverage.list_coverage(
        session,
        principal.scope,
        site_id=site_id,
        partner_id=partner_id,
        status=status,
        offset=offset,
        limit=limit,
    )
    return _page([coverage.out(r) for r in page.rows], page.total)


@router.post(
    COVERAGE,
    name="create_partner_coverage",
    tags=["partnerCoverage"],
    status_code=201,
    response_model=PartnerCoverageOut,
    summary="Record a partner's coverage of a building",
)
def create_partner_coverage(
    body: PartnerCoverageCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    row = coverage.create_coverage(session, principal.scope, body)
    location = f"{base_url(request)}{COVERAGE}/{row.id}"
    return created_response(orjson.dumps(coverage.out(row)), location)


@router.get(
    COVERAGE + "/{id}",
    name="retrieve_partner_coverage",
    tags=["partnerCoverage"],
    response_model=PartnerCoverageOut,
)
def retrieve_partner_coverage(id: ResourceId, session: ReadSession, principal: Reader) -> Response:
    return json_response(
        orjson.dumps(coverage.out(coverage.get_coverage(session, principal.scope, id)))
    )


@router.patch(
    COVERAGE + "/{id}",
    name="patch_partner_coverage",
    tags=["partnerCoverage"],
    response_model=PartnerCoverageOut,
    summary="Change a coverage (partners: capacity, used and status of their own rows)",
)
def patch_partner_coverage(
    id: ResourceId, body: PartnerCoverageUpdate, session: DbSession, principal: Writer
) -> Response:
    row = coverage.update_coverage(session, principal.scope, id, body)
    return json_response(orjson.dumps(coverage.out(row)))


@router.delete(
    COVERAGE + "/{id}",
    name="delete_partner_coverage",
    tags=["partnerCoverage"],
    status_code=204,
    response_class=Response,
)
def delete_partner_coverage(
    id: ResourceId,
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("noc"))],
) -> Response:
    coverage.delete_coverage(session, principal.scope, id)
    return no_content()


# ---------------------------------------------------------------- availability


@router.get(
    availability.AVAILABILITY_API,
    name="list_availability",
    tags=["availability"],
    response_model=list[AvailabilityOut],
    summary="Sellable availability per building, business type and owner",
)
def list_availability(
    session: ReadSession,
    principal: Reader,
    site_id: Annotated[str | None, Query(alias="siteId", max_length=36)] = None,
    address_id: Annotated[str | None, Query(alias="addressId", max_length=36)] = None,
    region_id: Annotated[str | None, Query(alias="regionId", max_length=64)] = None,
    status: Annotated[
        str | None, Query(description="available, exhausted, planned (commas)")
    ] = None,
    business_type_id: Annotated[str | None, Query(alias="businessTypeId", max_length=64)] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Response:
    statuses = [s for s in (status or "").split(",") if s]
    for s in statuses:
        if s not in AVAILABILITY_STATUSES:
            raise ValidationFailed(
                f"status is one of {', '.join(AVAILABILITY_STATUSES)}", field="status"
            )
    if address_id is not None:
        address = place_directory().address(session, principal.scope, address_id)
        if address is None:
            raise ValidationFailed(
                f"geographic address '{address_id}' not found", field="addressId"
            )
        if site_id is not None and site_id != address.site_id:
            return _page([], 0)
        site_id = address.site_id
    rows, total = availability.list_availability(
        session,
        principal.scope,
        site_id=site_id,
        region_id=region_id,
        status=statuses,
        business_type_id=business_type_id,
        offset=offset,
        limit=limit,
    )
    return _page(rows, total)


@router.get(
    PUBLISHING_API + "/businessResourceType",
    name="list_business_resource_types",
    tags=["availability"],
    summary="Business resource types and their packaging rules",
)
def list_business_resource_types(session: ReadSession, principal: Reader) -> Response:
    rows = session.scalars(select(BusinessResourceType).order_by(BusinessResourceType.preference))
    out = [
        {
            "id": t.id,
            "name": t.name,
            "localizedName": t.localized_name,
            "coverageType": t.coverage_type,
            "deliveryMode": t.delivery_mode,
            "serviceSpecification": [{"id": s} for s in t.service_specs],
            "rule": t.rule,
            "leadDays": t.lead_days,
            "preference": t.preference,
            "status": t.status,
        }
        for t in rows
    ]
    return _page(out, len(out))


router.include_router(make_hub_router(availability.AVAILABILITY_API))


# ---------------------------------------------------------------------- TMF645


def _scoped(scope: Scope, table: Any) -> Any:
    return lambda stmt: apply_scope(stmt, table.c, scope)


def _list(request: Request, session: Any, scope: Scope, resource: TmfResource) -> Response:
    query = parse_list_query(resource, request.query_params.multi_items())
    page = list_page(
        session,
        resource,
        query,
        base_url=base_url(request),
        restrict=_scoped(scope, resource.table),
    )
    return list_response(page)


def _one(
    request: Request,
    session: Any,
    scope: Scope,
    resource: TmfResource,
    ident: str,
    fields: str | None,
) -> Response:
    projection = parse_fields(resource, fields) if fields is not None else None
    doc = fetch_document(
        session,
        resource,
        ident,
        base_url=base_url(request),
        restrict=_scoped(scope, resource.table),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"{resource.name} '{ident}' not found")
    return json_response(doc)


def _place_id(service: Any, field: str) -> str:
    if service is None:
        raise ValidationFailed("service is required", field=field)
    places = (
        service.place
        if isinstance(service.place, list)
        else [service.place]
        if service.place
        else []
    )
    for n, place in enumerate(places):
        kind = place.referred_type or place.type_
        if kind not in (None, "GeographicAddress", "GeographicAddressRef"):
            raise ValidationFailed(
                f"place must be a GeographicAddress, not {kind}", field=f"{field}.place[{n}]"
            )
    place_id = service.place_id()
    if not place_id:
        raise ValidationFailed(
            "service.place with a geographic address id is required", field=f"{field}.place"
        )
    return str(place_id)


@router.post(
    CHECK_RESOURCE.collection_path,
    name="create_check_service_qualification",
    tags=["checkServiceQualification"],
    status_code=201,
    summary="Check whether services can be delivered at addresses (synchronous)",
)
def create_check_service_qualification(
    body: CheckServiceQualificationCreate,
    request: Request,
    session: DbSession,
    principal: Qualifier,
) -> Response:
    items = []
    for n, item in enumerate(body.service_qualification_item):
        where = f"serviceQualificationItem[{n}].service"
        place = _place_id(item.service, where)
        spec = item.service.service_specification if item.service else None
        if spec is None or not spec.id:
            raise ValidationFailed(
                "service.serviceSpecification.id is required",
                field=f"{where}.serviceSpecification.id",
            )
        items.append(qualification.CheckRequestItem(item.id, place, spec.id))
    row = qualification.create_check(
        session,
        principal.scope,
        items,
        description=body.description,
        external_id=body.external_id,
        provide_alternative=body.provide_alternative is not False,
        provide_reason=body.provide_unavailability_reason is not False,
        related_party=body.related_party,
        actor=principal.name,
    )
    url = base_url(request)
    doc = CHECK_RESOURCE.represent(row.id, row.doc, CHECK_RESOURCE.href_prefix(url))
    return created_response(doc.encode(), CHECK_RESOURCE.href(url, row.id))


@router.get(
    CHECK_RESOURCE.collection_path,
    name="list_check_service_qualifications",
    tags=["checkServiceQualification"],
)
def list_check_service_qualifications(
    request: Request,
    session: ReadSession,
    principal: Qualifier,
    fields: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list(request, session, principal.scope, CHECK_RESOURCE)


@router.get(
    CHECK_RESOURCE.collection_path + "/{id}",
    name="retrieve_check_service_qualification",
    tags=["checkServiceQualification"],
)
def retrieve_check_service_qualification(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Qualifier,
    fields: str | None = None,
) -> Response:
    return _one(request, session, principal.scope, CHECK_RESOURCE, id, fields)


@router.post(
    QUERY_RESOURCE.collection_path,
    name="create_query_service_qualification",
    tags=["queryServiceQualification"],
    status_code=201,
    summary="Which services can be delivered at an address (synchronous)",
)
def create_query_service_qualification(
    body: QueryServiceQualificationCreate,
    request: Request,
    session: DbSession,
    principal: Qualifier,
) -> Response:
    place = _place_id(body.search_criteria.service, "searchCriteria.service")
    row = qualification.create_query(
        session,
        principal.scope,
        place,
        body.search_criteria.model_dump(mode="json", by_alias=True, exclude_none=True),
        description=body.description,
        external_id=body.external_id,
        related_party=body.related_party,
        actor=principal.name,
    )
    url = base_url(request)
    doc = QUERY_RESOURCE.represent(row.id, row.doc, QUERY_RESOURCE.href_prefix(url))
    return created_response(doc.encode(), QUERY_RESOURCE.href(url, row.id))


@router.get(
    QUERY_RESOURCE.collection_path,
    name="list_query_service_qualifications",
    tags=["queryServiceQualification"],
)
def list_query_service_qualifications(
    request: Request,
    session: ReadSession,
    principal: Qualifier,
    fields: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list(request, session, principal.scope, QUERY_RESOURCE)


@router.get(
    QUERY_RESOURCE.collection_path + "/{id}",
    name="retrieve_query_service_qualification",
    tags=["queryServiceQualification"],
)
def retrieve_query_service_qualification(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Qualifier,
    fields: str | None = None,
) -> Response:
    return _one(request, session, principal.scope, QUERY_RESOURCE, id, fields)


router.include_router(make_hub_router(QUALIFICATION_BASE_PATH))

__all__ = [
    "CheckServiceQualificationRow",
    "QueryServiceQualificationRow",
    "router",
]
