"""HTTP API of order handling (eTOM 1.1.1.5).

* ``/tmf-api/productOrderingManagement/v4`` — TMF622 v4 ``productOrder``:
  list, retrieve, create (``Idempotency-Key``), merge-patch (items while
  acknowledged/pending/held; state cancelled, held, inProgress), delete
  (closed orders); ``cancelProductOrder``: create, list, retrieve; ``hub``.
* ``/api/ordering/v1/productOrders/{id}/businessView`` — milestones per item,
  who has it now, SLA time left.

Reads: admin, manager, csr, noc, dispatcher. Writes: admin, manager, csr.
Orders are scoped by the region of their installation address; partners see none.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import JSONResponse, Response

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
    no_content,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId
from openboss.ordering import service
from openboss.ordering.models import BASE_PATH, CANCEL_PRODUCT_ORDER, PRODUCT_ORDER
from openboss.ordering.schemas import (
    CancelProductOrder,
    CancelProductOrderCreate,
    ProductOrder,
    ProductOrderCreate,
    ProductOrderUpdate,
)

READ_ROLES = ("admin", "manager", "csr", "noc", "dispatcher")
WRITE_ROLES = ("admin", "manager", "csr")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field; every problem in details.problems)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (state, credit check, not cancellable)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]

ORDERS = PRODUCT_ORDER.collection_path
ORDER = ORDERS + "/{id}"
CANCELS = CANCEL_PRODUCT_ORDER.collection_path
CANCEL = CANCELS + "/{id}"


@router.get(
    ORDERS,
    name="list_product_orders",
    response_model=list[ProductOrder],
    summary="List or find product orders",
    tags=["productOrder"],
)
def list_product_orders(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Any attribute filters: ``state=inProgress``, ``relatedParty.id=…``,
    ``orderDate.gt=…``, ``productOrderItem.productOffering.id=…``."""
    query = parse_list_query(PRODUCT_ORDER, request.query_params.multi_items())
    return list_response(service.list_orders(session, principal.scope, query, base_url(request)))


@router.post(
    ORDERS,
    name="create_product_order",
    status_code=201,
    response_model=ProductOrder,
    summary="Create a product order",
    tags=["productOrder"],
)
def create_product_order(
    body: ProductOrderCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: Annotated[
        str | None, Header(alias=idempotency.HEADER, description="Retry-safe creation.")
    ] = None,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        created = service.create_order(
            session,
            principal.scope,
            body,
            base_url=url,
            actor=principal.name,
        )
        return idempotency.StoredResponse(
            201, orjson.dumps(created), {"Location": PRODUCT_ORDER.href(url, created["id"])}
        )

    stored = idempotency.run_idempotent(
        session,
        key=idempotency_key,
        owner=principal.subject,
        endpoint=f"POST {ORDERS}",
        payload=body.model_dump(mode="json", exclude_unset=True),
        produce=produce,
    )
    if stored.status == 201:
        return created_response(stored.body, stored.headers["Location"], stored.response_headers())
    return json_response(stored.body, stored.status, stored.response_headers())


@router.get(
    ORDER,
    name="retrieve_product_order",
    response_model=ProductOrder,
    summary="Retrieve a product order",
    tags=["productOrder"],
)
def retrieve_product_order(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(PRODUCT_ORDER, fields) if fields is not None else None
    return json_response(
        service.order_document(session, principal.scope, id, base_url(request), projection)
    )


@router.patch(
    ORDER,
    name="patch_product_order",
    response_model=ProductOrder,
    summary="Update a product order (JSON merge patch): items while not started, cancel, "
    "hold, release",
    tags=["productOrder"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/ProductOrderUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_product_order(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(PRODUCT_ORDER.read_only))],
    _body: Annotated[ProductOrderUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    updated = service.update_order(
        session, principal.scope, id, patch, base_url(request), actor=principal.name
    )
    return json_response(orjson.dumps(updated))


@router.delete(
    ORDER,
    name="delete_product_order",
    status_code=204,
    response_class=Response,
    summary="Delete a closed product order",
    tags=["productOrder"],
)
def delete_product_order(id: ResourceId, session: DbSession, principal: Writer) -> Response:
    service.delete_order(session, principal.scope, id)
    return no_content()


@router.get(
    CANCELS,
    name="list_cancel_product_orders",
    response_model=list[CancelProductOrder],
    summary="List cancellation requests",
    tags=["cancelProductOrder"],
)
def list_cancel_product_orders(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    query = parse_list_query(CANCEL_PRODUCT_ORDER, request.query_params.multi_items())
    return list_response(
        service.list_cancellations(session, principal.scope, query, base_url(request))
    )


@router.post(
    CANCELS,
    name="create_cancel_product_order",
    status_code=201,
    response_model=CancelProductOrder,
    summary="Request the cancellation of a product order",
    tags=["cancelProductOrder"],
)
def create_cancel_product_order(
    body: CancelProductOrderCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    url = base_url(request)
    created = service.create_cancellation(session, principal.scope, body, url)
    return created_response(
        orjson.dumps(created), CANCEL_PRODUCT_ORDER.href(url, created["id"]), {}
    )


@router.get(
    CANCEL,
    name="retrieve_cancel_product_order",
    response_model=CancelProductOrder,
    summary="Retrieve a cancellation request",
    tags=["cancelProductOrder"],
)
def retrieve_cancel_product_order(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(CANCEL_PRODUCT_ORDER, fields) if fields is not None else None
    return json_response(
        service.cancellation_document(session, principal.scope, id, base_url(request), projection)
    )


@router.get(
    "/api/ordering/v1/productOrders/{id}/businessView",
    name="product_order_business_view",
    summary="Milestones per item, who has the order now, SLA time left",
    tags=["productOrder"],
)
def product_order_business_view(
    id: ResourceId, session: ReadSession, principal: Reader
) -> JSONResponse:
    return JSONResponse(service.business_view(session, principal.scope, id))


router.include_router(make_hub_router(BASE_PATH))
