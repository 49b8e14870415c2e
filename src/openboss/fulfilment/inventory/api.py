"""HTTP APIs of the inventories.

* ``/tmf-api/productInventory/v4`` — TMF637 v4 ``product``: list, retrieve,
  create, merge-patch, delete (created, cancelled or terminated products
  only); ``hub``.
* ``/tmf-api/serviceInventory/v4`` — TMF638 v4 ``service``: the same;
  delete only for services never active or terminated.

Reads: admin, csr, noc, manager, dispatcher, billing (row scope by region).
Writes: admin (fulfilment writes the inventories itself as orders complete).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.fulfilment.inventory import service
from openboss.fulfilment.inventory.models import PRODUCT_RESOURCE, SERVICE_RESOURCE
from openboss.fulfilment.inventory.schemas import (
    ProductCreate,
    ProductUpdate,
    ServiceCreate,
    ServiceUpdate,
)
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId

READ_ROLES = ("admin", "csr", "noc", "manager", "dispatcher", "billing")
WRITE_ROLES = ("admin",)

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (illegal status move)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]
Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int | None, Query(ge=0, le=MAX_LIMIT)]

PRODUCTS = PRODUCT_RESOURCE.collection_path
PRODUCT = PRODUCTS + "/{id}"
SERVICES = SERVICE_RESOURCE.collection_path
SERVICE = SERVICES + "/{id}"


def _patch_extra(schema: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    }


# --------------------------------------------------------------------------- TMF637


@router.get(PRODUCTS, name="list_products", summary="List or find products", tags=["product"])
def list_products(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Filters on any attribute: ``status=active``, ``relatedParty.id=…``,
    ``productOffering.id=…``, ``place.id=…``."""
    query = parse_list_query(PRODUCT_RESOURCE, request.query_params.multi_items())
    return list_response(service.list_products(session, query, principal.scope, base_url(request)))


@router.post(
    PRODUCTS, name="create_product", status_code=201, summary="Create a product", tags=["product"]
)
def create_product(
    body: ProductCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    url = base_url(request)
    ident, doc = service.create_product_api(session, principal.scope, body, url)
    return created_response(doc, PRODUCT_RESOURCE.href(url, ident))


@router.get(PRODUCT, name="retrieve_product", summary="Retrieve a product", tags=["product"])
def retrieve_product(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(PRODUCT_RESOURCE, fields) if fields is not None else None
    return json_response(
        service.product_document(session, id, principal.scope, base_url(request), projection)
    )


@router.patch(
    PRODUCT,
    name="patch_product",
    summary="Update a product (JSON merge patch)",
    tags=["product"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra=_patch_extra("ProductUpdate"),
)
def patch_product(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(PRODUCT_RESOURCE.read_only))],
    _body: Annotated[ProductUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    return json_response(
        service.patch_product_api(session, principal.scope, id, patch, base_url(request))
    )


@router.delete(
    PRODUCT,
    name="delete_product",
    status_code=204,
    response_class=Response,
    summary="Delete a product (created, cancelled or terminated)",
    tags=["product"],
)
def delete_product(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    service.delete_product_api(session, principal.scope, id, base_url(request))
    return no_content()


# --------------------------------------------------------------------------- TMF638


@router.get(SERVICES, name="list_services", summary="List or find services", tags=["service"])
def list_services(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Filters on any attribute: ``state=active``, ``relatedEntity.id=<product id>``,
    ``serviceSpecification.id=…``, ``supportingResource.id=…``."""
    query = parse_list_query(SERVICE_RESOURCE, request.query_params.multi_items())
    return list_response(service.list_services(session, query, principal.scope, base_url(request)))


@router.post(
    SERVICES, name="create_service", status_code=201, summary="Create a service", tags=["service"]
)
def create_service(
    body: ServiceCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    url = base_url(request)
    ident, doc = service.create_service_api(session, principal.scope, body, url)
    return created_response(doc, SERVICE_RESOURCE.href(url, ident))


@router.get(SERVICE, name="retrieve_service", summary="Retrieve a service", tags=["service"])
def retrieve_service(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(SERVICE_RESOURCE, fields) if fields is not None else None
    return json_response(
        service.service_document(session, id, principal.scope, base_url(request), projection)
    )


@router.patch(
    SERVICE,
    name="patch_service",
    summary="Update a service (JSON merge patch)",
    tags=["service"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra=_patch_extra("ServiceUpdate"),
)
def patch_service(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(SERVICE_RESOURCE.read_only))],
    _body: Annotated[ServiceUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    return json_response(
        service.patch_service_api(session, principal.scope, id, patch, base_url(request))
    )


@router.delete(
    SERVICE,
    name="delete_service",
    status_code=204,
    response_class=Response,
    summary="Delete a service (never active, or terminated)",
    tags=["service"],
)
def delete_service(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    service.delete_service_api(session, principal.scope, id, base_url(request))
    return no_content()


router.include_router(make_hub_router(PRODUCT_RESOURCE.base_path))
router.include_router(make_hub_router(SERVICE_RESOURCE.base_path))
