"""HTTP APIs of sites and addresses (eTOM 1.1.1.2 customer interface management).

* ``/tmf-api/geographicSiteManagement/v4/geographicSite`` — TMF674-style
  sites (buildings): list, retrieve, create, merge-patch; hub. The TMF674
  specification file is not in ``/work/shared/tmf-specs``; the shape follows
  its published v4 model (see :mod:`openboss.party.address.schemas`).
* ``/tmf-api/geographicAddressManagement/v4`` — TMF673 v4.0.1:
  ``geographicAddress`` (list, retrieve; create and merge-patch as OpenBOSS
  extensions), ``geographicAddress/{id}/geographicSubAddress[/{subId}]``,
  ``geographicAddressValidation`` (create, list, retrieve); hub.

Reads: csr, manager, billing, marketing, dispatcher, technician, noc, admin.
Writes: csr, manager, dispatcher, noc, admin (validation: every reader).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.resource import TmfResource
from openboss.kit.tmf.schemas import ResourceId
from openboss.party.address import places as _places  # noqa: F401 - registers the place directory
from openboss.party.address import repository, service, validation
from openboss.party.address.models import ADDRESS_RESOURCE, SITE_RESOURCE, VALIDATION_RESOURCE
from openboss.party.address.schemas import (
    GeographicAddress,
    GeographicAddressCreate,
    GeographicAddressUpdate,
    GeographicAddressValidation,
    GeographicAddressValidationCreate,
    GeographicSite,
    GeographicSiteCreate,
    GeographicSiteUpdate,
    GeographicSubAddress,
)

READ_ROLES = (
    "admin",
    "csr",
    "manager",
    "billing",
    "marketing",
    "dispatcher",
    "technician",
    "noc",
)
WRITE_ROLES = ("admin", "csr", "manager", "dispatcher", "noc")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (duplicate building or address, illegal status change)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]
Offset = Annotated[int | None, Query(description="Index of the first item.", ge=0, le=MAX_OFFSET)]
Limit = Annotated[
    int | None,
    Query(description=f"Items per page (0 … {MAX_LIMIT}, default 100).", ge=0, le=MAX_LIMIT),
]
Sort = Annotated[str | None, Query(description="Comma-separated sort keys; '-' for descending.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        description="Retry-safe creation: the same key and body answer the same resource.",
    ),
]

_LIST_HEADERS = {
    "X-Total-Count": {"description": "Items matching the query", "schema": {"type": "integer"}},
    "X-Result-Count": {"description": "Items in this page", "schema": {"type": "integer"}},
}


def _merge_patch_body(schema: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    }


def _list(request: Request, session: Any, principal: Principal, resource: TmfResource) -> Response:
    query = parse_list_query(resource, request.query_params.multi_items())
    page = repository.list_resources(session, resource, query, principal.scope, base_url(request))
    return list_response(page)


def _one(
    request: Request,
    session: Any,
    principal: Principal,
    resource: TmfResource,
    ident: str,
    fields: str | None,
) -> Response:
    projection = parse_fields(resource, fields) if fields is not None else None
    doc = repository.resource_document(
        session, resource, ident, principal.scope, base_url(request), projection
    )
    return json_response(doc)


def _create(
    request: Request,
    session: Any,
    principal: Principal,
    resource: TmfResource,
    body: Any,
    key: str | None,
    write: Any,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = write(session, principal.scope, body, url)
        location = resource.href(url, written.id)
        return idempotency.StoredResponse(201, written.body, {"Location": location})

    stored = idempotency.run_idempotent(
        session,
        key=key,
        owner=principal.subject,
        endpoint=f"POST {resource.collection_path}",
        payload=body.model_dump(mode="json", exclude_unset=True),
        produce=produce,
    )
    if stored.status == 201:
        return created_response(stored.body, stored.headers["Location"], stored.response_headers())
    return json_response(stored.body, stored.status, stored.response_headers())


# --------------------------------------------------------------------------- sites

SITES = SITE_RESOURCE.collection_path
SITE = SITES + "/{id}"


@router.get(
    SITES,
    name="list_geographic_sites",
    tags=["geographicSite"],
    response_model=list[GeographicSite],
    summary="List or find sites (buildings)",
    responses={200: {"description": "Success", "headers": _LIST_HEADERS}},
)
def list_geographic_sites(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Sort = None,
) -> Response:
    return _list(request, session, principal, SITE_RESOURCE)


@router.post(
    SITES,
    name="create_geographic_site",
    tags=["geographicSite"],
    status_code=201,
    response_model=GeographicSite,
    summary="Register a site (building); 409 when it is already known",
)
def create_geographic_site(
    body: GeographicSiteCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return _create(
        request, session, principal, SITE_RESOURCE, body, idempotency_key, service.create_site
    )


@router.get(
    SITE,
    name="retrieve_geographic_site",
    tags=["geographicSite"],
    response_model=GeographicSite,
    summary="Retrieve a site by id",
)
def retrieve_geographic_site(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    return _one(request, session, principal, SITE_RESOURCE, id, fields)


@router.patch(
    SITE,
    name="patch_geographic_site",
    tags=["geographicSite"],
    response_model=GeographicSite,
    summary="Partially update a site (JSON merge patch)",
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra=_merge_patch_body("GeographicSiteUpdate"),
)
def patch_geographic_site(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(SITE_RESOURCE.read_only))],
    _body: Annotated[GeographicSiteUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_site(session, principal.scope, id, patch, base_url(request))
    return json_response(written.body)


# --------------------------------------------------------------------------- addresses

ADDRESSES = ADDRESS_RESOURCE.collection_path
ADDRESS = ADDRESSES + "/{id}"


@router.get(
    ADDRESSES,
    name="list_geographic_addresses",
    tags=["geographicAddress"],
    response_model=list[GeographicAddress],
    summary="List or find addresses (e.g. ?name=DEMO-HH-1, ?city=杭州市)",
    responses={200: {"description": "Success", "headers": _LIST_HEADERS}},
)
def list_geographic_addresses(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Sort = None,
) -> Response:
    return _list(request, session, principal, ADDRESS_RESOURCE)


@router.post(
    ADDRESSES,
    name="create_geographic_address",
    tags=["geographicAddress"],
    status_code=201,
    response_model=GeographicAddress,
    summary="Create an address (extension): at siteId, or from the structured parts",
)
def create_geographic_address(
    body: GeographicAddressCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return _create(
        request,
        session,
        principal,
        ADDRESS_RESOURCE,
        body,
        idempotency_key,
        service.create_address,
    )


@router.get(
    ADDRESS,
    name="retrieve_geographic_address",
    tags=["geographicAddress"],
    response_model=GeographicAddress,
    summary="Retrieve an address by id",
)
def retrieve_geographic_address(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    return _one(request, session, principal, ADDRESS_RESOURCE, id, fields)


@router.patch(
    ADDRESS,
    name="patch_geographic_address",
    tags=["geographicAddress"],
    response_model=GeographicAddress,
    summary="Change an address's name, unit, floor or room (extension; JSON merge patch)",
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra=_merge_patch_body("GeographicAddressUpdate"),
)
def patch_geographic_address(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(ADDRESS_RESOURCE.read_only))],
    _body: Annotated[GeographicAddressUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_address(session, principal.scope, id, patch, base_url(request))
    return json_response(written.body)


@router.get(
    ADDRESS + "/geographicSubAddress",
    name="list_geographic_sub_addresses",
    tags=["geographicAddress"],
    response_model=list[GeographicSubAddress],
    summary="List the sub-addresses of an address (one: building, unit, floor, room)",
)
def list_geographic_sub_addresses(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    items = service.sub_addresses(session, principal.scope, id, base_url(request))
    return _json_list(items, fields)


@router.get(
    ADDRESS + "/geographicSubAddress/{subId}",
    name="retrieve_geographic_sub_address",
    tags=["geographicAddress"],
    response_model=GeographicSubAddress,
    summary="Retrieve a sub-address",
)
def retrieve_geographic_sub_address(
    id: ResourceId,
    subId: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    item = service.sub_address(session, principal.scope, id, subId, base_url(request))
    return json_response(orjson.dumps(_project(item, fields)))


def _project(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if fields is None:
        return item
    wanted = {f.strip() for f in fields.split(",") if f.strip()} | {"id", "href", "@type"}
    return {k: v for k, v in item.items() if k in wanted}


def _json_list(items: list[dict[str, Any]], fields: str | None) -> Response:
    body = [_project(i, fields) for i in items]
    count = str(len(body))
    headers = {"X-Total-Count": count, "X-Result-Count": count}
    return json_response(orjson.dumps(body), headers=headers)


# --------------------------------------------------------------------------- validation

VALIDATIONS = VALIDATION_RESOURCE.collection_path


@router.post(
    VALIDATIONS,
    name="create_geographic_address_validation",
    tags=["geographicAddressValidation"],
    status_code=201,
    response_model=GeographicAddressValidation,
    summary="Validate an address against the known buildings and addresses",
)
def create_geographic_address_validation(
    body: GeographicAddressValidationCreate,
    request: Request,
    session: DbSession,
    principal: Reader,
) -> Response:
    url = base_url(request)
    written = validation.validate_address(session, principal.scope, body, url)
    return created_response(written.body, VALIDATION_RESOURCE.href(url, written.id))


@router.get(
    VALIDATIONS,
    name="list_geographic_address_validations",
    tags=["geographicAddressValidation"],
    response_model=list[GeographicAddressValidation],
    summary="List address validations",
    responses={200: {"description": "Success", "headers": _LIST_HEADERS}},
)
def list_geographic_address_validations(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Sort = None,
) -> Response:
    return _list(request, session, principal, VALIDATION_RESOURCE)


@router.get(
    VALIDATIONS + "/{id}",
    name="retrieve_geographic_address_validation",
    tags=["geographicAddressValidation"],
    response_model=GeographicAddressValidation,
    summary="Retrieve an address validation",
)
def retrieve_geographic_address_validation(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    return _one(request, session, principal, VALIDATION_RESOURCE, id, fields)


# POST {basePath}/hub and DELETE {basePath}/hub/{id} of both APIs
router.include_router(make_hub_router(SITE_RESOURCE.base_path))
router.include_router(make_hub_router(ADDRESS_RESOURCE.base_path))
