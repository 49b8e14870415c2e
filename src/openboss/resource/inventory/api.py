"""HTTP API of the network inventory (eTOM 1.5.1 resource management).

* TMF639 v4 Resource Inventory at ``/tmf-api/resourceInventoryManagement/v4``:
  ``resource``, ``physicalResource``, ``logicalResource`` (one table; the
  latter two filtered by base type) — list, retrieve, create, merge-patch,
  delete; hub.
* ``/api/resource/v1``: ``resourceSpecifications`` (resource types),
  ``partners`` (network owners), ``reservations`` (reserve, allocate,
  release), ``resources/{id}/release``, ``resources/{id}/usage``,
  ``transfers`` (调拨).

Reads: admin, noc, csr, dispatcher, manager and partner (its own network
only, by row scope). Writes: admin, noc; reservations also csr, manager and
dispatcher (orders reserve resources).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
    patch_body,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.resource import TmfResource
from openboss.kit.tmf.schemas import ResourceId
from openboss.resource.inventory import partners, resources, service, specs
from openboss.resource.inventory.models import (
    LOGICAL_RESOURCE,
    PHYSICAL_RESOURCE,
    RESOURCE_BASE_PATH,
    RESOURCE_RESOURCE,
)
from openboss.resource.inventory.schemas import (
    AllocateBody,
    PartnerCreate,
    PartnerUpdate,
    ReleaseBody,
    ReservationCreate,
    Resource,
    ResourceCreate,
    ResourceUpdate,
    SpecCreate,
    TransferCreate,
)

READ_ROLES = ("admin", "noc", "csr", "dispatcher", "manager", "partner")
WRITE_ROLES = ("admin", "noc")
RESERVE_ROLES = ("admin", "noc", "csr", "manager", "dispatcher")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (lifecycle, not enough free resources, duplicate)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Reserver = Annotated[Principal, Depends(require_roles(*RESERVE_ROLES))]
Fields = Annotated[str | None, Query(description="Comma-separated attributes to return.")]
Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int | None, Query(ge=0, le=MAX_LIMIT)]
Sort = Annotated[str | None, Query(description="Sort keys; '-' for descending.")]
IdempotencyKey = Annotated[str | None, Header(alias=idempotency.HEADER)]

_LIST_HEADERS = {
    "X-Total-Count": {"description": "Items matching the query", "schema": {"type": "integer"}},
    "X-Result-Count": {"description": "Items in this page", "schema": {"type": "integer"}},
}
_MERGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"$ref": "#/components/schemas/ResourceUpdate"}}
            for media in (MERGE_PATCH_JSON, "application/json")
        },
    }
}


def _json(data: Any, status: int = 200) -> Response:
    return json_response(orjson.dumps(data), status)


# --------------------------------------------------------------------------- TMF639


def _tmf_routes(collection: TmfResource, tag: str) -> None:
    path = collection.collection_path
    one = path + "/{id}"
    name = collection.name

    def list_items(
        request: Request,
        session: ReadSession,
        principal: Reader,
        fields: Fields = None,
        offset: Offset = None,
        limit: Limit = None,
        sort: Sort = None,
    ) -> Response:
        query = parse_list_query(collection, request.query_params.multi_items())
        page = resources.list_resources(
            session, collection, query, principal.scope, base_url(request)
        )
        return list_response(page)

    def retrieve(
        id: ResourceId,
        request: Request,
        session: ReadSession,
        principal: Reader,
        fields: Fields = None,
    ) -> Response:
        projection = parse_fields(collection, fields) if fields is not None else None
        doc = resources.resource_document(
            session, collection, id, principal.scope, base_url(request), projection
        )
        return json_response(doc)

    def create(
        body: ResourceCreate,
        request: Request,
        session: DbSession,
        principal: Writer,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        url = base_url(request)

        def produce() -> idempotency.StoredResponse:
            written = resources.create_resource(session, principal.scope, body, url, collection)
            location = collection.href(url, written.id)
            return idempotency.StoredResponse(201, written.body, {"Location": location})

        stored = idempotency.run_idempotent(
            session,
            key=idempotency_key,
            owner=principal.subject,
            endpoint=f"POST {path}",
            payload=body.model_dump(mode="json", exclude_unset=True, by_alias=True),
            produce=produce,
        )
        if stored.status == 201:
            return created_response(
                stored.body, stored.headers["Location"], stored.response_headers()
            )
        return json_response(stored.body, stored.status, stored.response_headers())

    def patch(
        id: ResourceId,
        request: Request,
        session: DbSession,
        principal: Writer,
        patch: dict[str, Any],
        _body: Annotated[ResourceUpdate, Body(media_type=MERGE_PATCH_JSON)],
    ) -> Response:
        written = resources.update_resource(
            session, principal.scope, id, patch, base_url(request), collection
        )
        return json_response(written.body)

    def delete(id: ResourceId, session: DbSession, principal: Writer) -> Response:
        resources.delete_resource(session, principal.scope, id, collection)
        return no_content()

    # the dependency depends on the collection: give FastAPI the object, not a string
    patch.__annotations__["patch"] = Annotated[
        dict[str, Any], Depends(patch_document(collection.read_only))
    ]
    router.add_api_route(
        path,
        list_items,
        methods=["GET"],
        name=f"list_{name}",
        tags=[tag],
        response_model=list[Resource],
        summary=f"List or find {name} objects",
        responses={200: {"description": "Success", "headers": _LIST_HEADERS}},
    )
    router.add_api_route(
        path,
        create,
        methods=["POST"],
        name=f"create_{name}",
        tags=[tag],
        status_code=201,
        response_model=Resource,
        summary=f"Create a {name}",
    )
    router.add_api_route(
        one,
        retrieve,
        methods=["GET"],
        name=f"retrieve_{name}",
        tags=[tag],
        response_model=Resource,
        summary=f"Retrieve a {name} by id",
    )
    router.add_api_route(
        one,
        patch,
        methods=["PATCH"],
        name=f"patch_{name}",
        tags=[tag],
        response_model=Resource,
        summary=f"Partially update a {name} (JSON merge patch)",
        responses={415: {"description": "Unsupported Media Type"}},
        openapi_extra=_MERGE_BODY,
    )
    router.add_api_route(
        one,
        delete,
        methods=["DELETE"],
        name=f"delete_{name}",
        tags=[tag],
        status_code=204,
        summary=f"Delete a {name} (planned or retired, never used)",
    )


_tmf_routes(RESOURCE_RESOURCE, "resource")
_tmf_routes(PHYSICAL_RESOURCE, "physicalResource")
_tmf_routes(LOGICAL_RESOURCE, "logicalResource")
router.include_router(make_hub_router(RESOURCE_BASE_PATH))

# --------------------------------------------------------------------------- specs

API = "/api/resource/v1"


@router.get(
    API + "/resourceSpecifications", tags=["resource inventory"], name="list_resource_specs"
)
def list_resource_specs(
    session: ReadSession,
    principal: Reader,
    base_type: Annotated[str | None, Query(alias="baseType")] = None,
) -> Response:
    return _json([specs.spec_view(s) for s in specs.list_specs(session, base_type=base_type)])


@router.get(
    API + "/resourceSpecifications/{id}", tags=["resource inventory"], name="get_resource_spec"
)
def get_resource_spec(id: ResourceId, session: ReadSession, principal: Reader) -> Response:
    return _json(specs.spec_view(specs.get_spec(session, id)))


@router.post(
    API + "/resourceSpecifications",
    tags=["resource inventory"],
    status_code=201,
    name="create_resource_spec",
)
def create_resource_spec(body: SpecCreate, session: DbSession, principal: Writer) -> Response:
    spec = specs.create_spec(session, body.model_dump(by_alias=True, exclude_unset=True))
    response = _json(specs.spec_view(spec), 201)
    response.headers["Location"] = f"{API}/resourceSpecifications/{spec.id}"
    return response


@router.patch(
    API + "/resourceSpecifications/{id}", tags=["resource inventory"], name="patch_resource_spec"
)
async def patch_resource_spec(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    patch = await patch_body(request)
    return _json(specs.spec_view(specs.update_spec(session, id, patch)))


# --------------------------------------------------------------------------- partners


@router.get(API + "/partners", tags=["resource inventory"], name="list_network_partners")
def list_network_partners(session: ReadSession, principal: Reader) -> Response:
    rows = partners.list_partners(session, principal.scope)
    return _json([partners.partner_view(p) for p in rows])


@router.get(API + "/partners/{id}", tags=["resource inventory"], name="get_network_partner")
def get_network_partner(id: ResourceId, session: ReadSession, principal: Reader) -> Response:
    return _json(partners.partner_view(partners.get_partner(session, principal.scope, id)))


@router.post(
    API + "/partners", tags=["resource inventory"], status_code=201, name="create_network_partner"
)
def create_network_partner(body: PartnerCreate, session: DbSession, principal: Writer) -> Response:
    partner = partners.create_partner(session, body)
    response = _json(partners.partner_view(partner), 201)
    response.headers["Location"] = f"{API}/partners/{partner.id}"
    return response


@router.patch(API + "/partners/{id}", tags=["resource inventory"], name="patch_network_partner")
def patch_network_partner(
    id: ResourceId, body: PartnerUpdate, session: DbSession, principal: Writer
) -> Response:
    partner = partners.update_partner(session, principal.scope, id, body)
    return _json(partners.partner_view(partner))


# --------------------------------------------------------------------------- reservations


def _reservation(session: Any, reservation: Any) -> dict[str, Any]:
    return service.reservation_view(
        reservation, service.reserved_resources(session, reservation.id)
    )


@router.post(
    API + "/reservations", tags=["resource inventory"], status_code=201, name="create_reservation"
)
def create_reservation(
    body: ReservationCreate, session: DbSession, principal: Reserver
) -> Response:
    reservation = service.reserve(
        session,
        principal.scope,
        body.resource_specification_id,
        body.count,
        site_id=body.site_id,
        parent_id=body.parent_id,
        resource_ids=body.resource_ids,
        hold=timedelta(minutes=body.hold_minutes),
        purpose=body.purpose,
        customer_id=body.customer_id,
        related_entity=body.related_entity,
        actor=principal.subject,
        grade=body.grade,
        partner_id=body.owner_partner_id,
    )
    response = _json(_reservation(session, reservation), 201)
    response.headers["Location"] = f"{API}/reservations/{reservation.id}"
    return response


@router.get(API + "/reservations", tags=["resource inventory"], name="list_reservations")
def list_reservations(
    session: ReadSession,
    principal: Reader,
    state: str | None = None,
    customer_id: Annotated[str | None, Query(alias="customerId")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Response:
    rows = service.list_reservations(
        session, principal.scope, state=state, customer_id=customer_id, limit=limit, offset=offset
    )
    return _json([_reservation(session, r) for r in rows])


@router.get(API + "/reservations/{id}", tags=["resource inventory"], name="get_reservation")
def get_reservation(id: ResourceId, session: ReadSession, principal: Reader) -> Response:
    return _json(_reservation(session, service.get_reservation(session, principal.scope, id)))


@router.post(
    API + "/reservations/{id}/allocate", tags=["resource inventory"], name="allocate_reservation"
)
def allocate_reservation(
    id: ResourceId, session: DbSession, principal: Reserver, body: AllocateBody | None = None
) -> Response:
    body = body or AllocateBody()
    service.allocate(session, principal.scope, id, body.service_id, body.customer_id, body.order_id)
    return _json(_reservation(session, service.get_reservation(session, principal.scope, id)))


@router.delete(API + "/reservations/{id}", tags=["resource inventory"], name="release_reservation")
def release_reservation(id: ResourceId, session: DbSession, principal: Reserver) -> Response:
    service.release_reservation(session, principal.scope, id)
    return _json(_reservation(session, service.get_reservation(session, principal.scope, id)))


# --------------------------------------------------------------------------- resources


@router.post(API + "/resources/{id}/release", tags=["resource inventory"], name="release_resource")
def release_resource(
    id: ResourceId, body: ReleaseBody, request: Request, session: DbSession, principal: Writer
) -> Response:
    (row,) = service.release(session, principal.scope, [id], body.reason)
    return json_response(resources.document_of(RESOURCE_RESOURCE, row, base_url(request)))


@router.get(API + "/resources/{id}/usage", tags=["resource inventory"], name="resource_usage")
def resource_usage(id: ResourceId, session: ReadSession, principal: Reader) -> Response:
    rows = service.usage_of_resource(session, principal.scope, id)
    return _json([service.usage_view(u) for u in rows])


# --------------------------------------------------------------------------- transfers


@router.post(
    API + "/transfers", tags=["resource inventory"], status_code=201, name="create_transfer"
)
def create_transfer(body: TransferCreate, session: DbSession, principal: Writer) -> Response:
    batch, rows = service.transfer(
        session,
        principal.scope,
        body.resource_ids,
        body.reason,
        to_region_id=body.to_region_id,
        to_parent_id=body.to_parent_id,
        actor=principal.subject,
    )
    return _json({"batchId": batch, "transfers": [service.transfer_view(t) for t in rows]}, 201)


@router.get(API + "/transfers", tags=["resource inventory"], name="list_transfers")
def list_transfers(
    session: ReadSession,
    principal: Reader,
    batch_id: Annotated[str | None, Query(alias="batchId", max_length=64)] = None,
    resource_id: Annotated[str | None, Query(alias="resourceId", max_length=64)] = None,
) -> Response:
    if batch_id is None and resource_id is None:
        raise ValidationFailed("name batchId or resourceId", field="batchId")
    rows = service.list_transfers(
        session, principal.scope, batch_id=batch_id, resource_id=resource_id
    )
    return _json([service.transfer_view(t) for t in rows])
