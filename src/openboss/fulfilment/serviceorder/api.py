"""HTTP API of service orders: TMF641 v4 at ``/tmf-api/serviceOrdering/v4``.

* ``serviceOrder``: list, retrieve; create (administrators: a service order
  not coming from a product order, strictly validated); merge-patch
  (descriptive attributes; ``state`` only for orders no process runs); delete
  (orders that never ran).
* ``cancelServiceOrder``: create (cancels the order now: compensation runs),
  list, retrieve.
* ``hub`` for listeners (``ServiceOrderCreateEvent``,
  ``ServiceOrderStateChangeEvent``, ``ServiceOrderAttributeValueChangeEvent``,
  ``ServiceOrderDeleteEvent``, ``CancelServiceOrderCreateEvent``).

Reads: admin, csr, noc, manager, dispatcher, billing (row scope by region).
Writes: admin.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.fulfilment.serviceorder import service
from openboss.fulfilment.serviceorder.models import CANCEL_RESOURCE, SERVICE_ORDER_RESOURCE
from openboss.fulfilment.serviceorder.schemas import (
    CancelServiceOrderCreate,
    ServiceOrderCreate,
    ServiceOrderUpdate,
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
    409: {"description": "Conflict (illegal state move)"},
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

ORDERS = SERVICE_ORDER_RESOURCE.collection_path
ORDER = ORDERS + "/{id}"
CANCELS = CANCEL_RESOURCE.collection_path
CANCEL = CANCELS + "/{id}"


@router.get(
    ORDERS, name="list_service_orders", summary="List or find service orders", tags=["serviceOrder"]
)
def list_service_orders(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Filters on any attribute: ``state=inProgress``, ``externalId=<product order id>``,
    ``relatedParty.id=…``, ``serviceOrderItem.service.id=…``."""
    query = parse_list_query(SERVICE_ORDER_RESOURCE, request.query_params.multi_items())
    return list_response(
        service.list_service_orders(session, query, principal.scope, base_url(request))
    )


@router.post(
    ORDERS,
    name="create_service_order",
    status_code=201,
    summary="Create a service order (administrators)",
    tags=["serviceOrder"],
)
def create_service_order(
    body: ServiceOrderCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    url = base_url(request)
    ident, doc = service.create_service_order(session, principal.scope, body, url)
    return created_response(doc, SERVICE_ORDER_RESOURCE.href(url, ident))


@router.get(
    ORDER, name="retrieve_service_order", summary="Retrieve a service order", tags=["serviceOrder"]
)
def retrieve_service_order(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(SERVICE_ORDER_RESOURCE, fields) if fields is not None else None
    return json_response(
        service.service_order_document(session, id, principal.scope, base_url(request), projection)
    )


@router.patch(
    ORDER,
    name="patch_service_order",
    summary="Update a service order (JSON merge patch)",
    tags=["serviceOrder"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/ServiceOrderUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_service_order(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[
        dict[str, Any],
        Depends(patch_document(SERVICE_ORDER_RESOURCE.read_only | service.PATCH_READ_ONLY)),
    ],
    _body: Annotated[ServiceOrderUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    return json_response(
        service.patch_service_order(session, principal.scope, id, patch, base_url(request))
    )


@router.delete(
    ORDER,
    name="delete_service_order",
    status_code=204,
    response_class=Response,
    summary="Delete a service order that never ran",
    tags=["serviceOrder"],
)
def delete_service_order(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    service.delete_service_order(session, principal.scope, id, base_url(request))
    return no_content()


@router.get(
    CANCELS,
    name="list_cancel_service_orders",
    summary="List cancellation requests",
    tags=["cancelServiceOrder"],
)
def list_cancel_service_orders(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    query = parse_list_query(CANCEL_RESOURCE, request.query_params.multi_items())
    return list_response(
        service.list_cancellations(session, query, principal.scope, base_url(request))
    )


@router.post(
    CANCELS,
    name="create_cancel_service_order",
    status_code=201,
    summary="Cancel a service order",
    tags=["cancelServiceOrder"],
)
def create_cancel_service_order(
    body: CancelServiceOrderCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    url = base_url(request)
    ident, doc = service.cancel_service_order(session, principal.scope, body, url)
    return created_response(doc, CANCEL_RESOURCE.href(url, ident))


@router.get(
    CANCEL,
    name="retrieve_cancel_service_order",
    summary="Retrieve a cancellation request",
    tags=["cancelServiceOrder"],
)
def retrieve_cancel_service_order(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(CANCEL_RESOURCE, fields) if fields is not None else None
    return json_response(
        service.cancellation_document(session, id, principal.scope, base_url(request), projection)
    )


router.include_router(make_hub_router(SERVICE_ORDER_RESOURCE.base_path))
