"""The sample API at ``/tmf-api/openbossSample/v4``: ``/sampleItem`` and ``/hub``.

Thin endpoints: authenticate, parse the TMF conventions with the kit, call
one service or repository function, return the stored representations.
The Pydantic models are the documented ``response_model``; responses are
returned as ready :class:`Response` objects (no per-row validation on reads).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import CurrentPrincipal, DbSession, ReadSession, current_principal
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
from openboss.sample import repository, service
from openboss.sample.repository import RESOURCE
from openboss.sample.schemas import SampleItem, SampleItemCreate, SampleItemUpdate

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    405: {"description": "Method Not Allowed"},
    409: {"description": "Conflict (illegal state transition, reused Idempotency-Key)"},
}

ITEMS = RESOURCE.collection_path
ITEM = ITEMS + "/{id}"

router = APIRouter(
    tags=["sampleItem"],
    dependencies=[Depends(current_principal)],
    responses=_ERRORS,
)

Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]


@router.get(
    ITEMS,
    name="list_sample_items",
    response_model=list[SampleItem],
    summary="List or find sample items",
    responses={
        200: {
            "description": "Success. Any attribute filters the list: `state=active,suspended`, "
            "`quantity.gt=5`, `relatedParty.role=customer`.",
            "headers": {
                "X-Total-Count": {
                    "description": "Items matching the query",
                    "schema": {"type": "integer"},
                },
                "X-Result-Count": {
                    "description": "Items in this page",
                    "schema": {"type": "integer"},
                },
            },
        }
    },
)
def list_sample_items(
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    fields: Fields = None,
    offset: Annotated[
        int | None, Query(description="Index of the first item.", ge=0, le=MAX_OFFSET)
    ] = None,
    limit: Annotated[
        int | None,
        Query(description=f"Items per page (0 … {MAX_LIMIT}, default 100).", ge=0, le=MAX_LIMIT),
    ] = None,
    sort: Annotated[
        str | None, Query(description="Comma-separated sort keys; '-' for descending.")
    ] = None,
) -> Response:
    query = parse_list_query(RESOURCE, request.query_params.multi_items())
    page = repository.list_items(session, query, principal.scope, base_url(request))
    return list_response(page)


@router.post(
    ITEMS,
    name="create_sample_item",
    status_code=201,
    response_model=SampleItem,
    summary="Create a sample item",
    responses={201: {"description": "Created; Location holds the href."}},
)
def create_sample_item(
    body: SampleItemCreate,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=idempotency.HEADER,
            description="Retry-safe creation: the same key and body answer the same item.",
        ),
    ] = None,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = service.create_item(session, principal.scope, body, url)
        location = RESOURCE.href(url, written.item.id)
        return idempotency.StoredResponse(201, written.body, {"Location": location})

    stored = idempotency.run_idempotent(
        session,
        key=idempotency_key,
        owner=principal.subject,
        endpoint=f"POST {RESOURCE.collection_path}",
        payload=body.model_dump(mode="json", exclude_unset=True),
        produce=produce,
    )
    if stored.status == 201:
        return created_response(stored.body, stored.headers["Location"], stored.response_headers())
    return json_response(stored.body, stored.status, stored.response_headers())


@router.get(
    ITEM,
    name="retrieve_sample_item",
    response_model=SampleItem,
    summary="Retrieve a sample item by id",
)
def retrieve_sample_item(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    fields: Fields = None,
) -> Response:
    projection = parse_fields(RESOURCE, fields) if fields is not None else None
    doc = repository.item_document(session, id, principal.scope, base_url(request), projection)
    return json_response(doc)


@router.patch(
    ITEM,
    name="patch_sample_item",
    response_model=SampleItem,
    summary="Partially update a sample item (JSON merge patch)",
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/SampleItemUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_sample_item(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    patch: Annotated[dict[str, Any], Depends(patch_document(RESOURCE.read_only))],
    _body: Annotated[SampleItemUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_item(session, principal.scope, id, patch, base_url(request))
    return json_response(written.body)


@router.delete(
    ITEM,
    name="delete_sample_item",
    status_code=204,
    response_class=Response,
    summary="Delete a sample item",
)
def delete_sample_item(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    service.delete_item(session, principal.scope, id, base_url(request))
    return no_content()


# POST {basePath}/hub and DELETE {basePath}/hub/{id}: listeners of this API's events
router.include_router(make_hub_router(RESOURCE.base_path))
