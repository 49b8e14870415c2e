"""TMF620 Product Catalog Management v4 at ``/tmf-api/productCatalogManagement/v4``.

``/catalog``, ``/category``, ``/productSpecification``, ``/productOffering``,
``/productOfferingPrice`` (list with filters, ``fields=``, paging; create;
retrieve; PATCH as merge patch or plain JSON; DELETE) and ``/hub``.
Extensions on an offering: ``/productOffering/{id}/readiness``,
``/productOffering/{id}/fulfilment``, ``/productOffering/{id}/version`` (history),
``/productOffering/{id}/version/{version}`` (frozen document; DELETE
withdraws a scheduled version).

Anyone signed in reads the catalog; marketing and manager (and admin) write.
"""

# No ``from __future__ import annotations``: the endpoint factory below
# annotates with per-resource classes held in local variables.

from enum import Enum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import CurrentPrincipal, DbSession, ReadSession, current_principal
from openboss.auth.principal import Principal
from openboss.catalog import mapping, repository, service, versioning
from openboss.catalog.models import BASE_PATH
from openboss.catalog.schemas import (
    CatalogRead,
    CategoryRead,
    ProductOfferingPriceRead,
    ProductOfferingRead,
    ProductSpecificationRead,
)
from openboss.events.hub import make_hub_router
from openboss.kit.errors import Forbidden
from openboss.kit.tmf import idempotency
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
    patch_body,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId

WRITERS = ("marketing", "manager")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (illegal lifecycle move, not ready, in use)"},
}

router = APIRouter(dependencies=[Depends(current_principal)], responses=_ERRORS)

Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]


def _writer(principal: Principal) -> None:
    if not principal.has_role(*WRITERS):
        raise Forbidden(f"changing the catalog needs one of the roles: {', '.join(WRITERS)}")


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _add_routes(entity: service.Entity, read_model: type[Any]) -> None:
    resource = entity.resource
    create_model = entity.create
    items = resource.collection_path
    item = items + "/{id}"
    tag: list[str | Enum] = [entity.name]
    snake = _snake(entity.name)

    @router.get(
        items,
        name=f"list_{snake}s",
        tags=tag,
        response_model=list[read_model],  # type: ignore[valid-type]
        summary=f"List or find {entity.name} objects",
    )
    def list_items(
        request: Request,
        session: ReadSession,
        fields: Fields = None,
        offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="First item.")] = None,
        limit: Annotated[
            int | None, Query(ge=0, le=MAX_LIMIT, description="Items per page (default 100).")
        ] = None,
        sort: Annotated[str | None, Query(description="Sort keys; '-' descending.")] = None,
    ) -> Response:
        query = parse_list_query(resource, request.query_params.multi_items())
        return list_response(repository.list_resources(session, resource, query, base_url(request)))

    @router.post(
        items,
        name=f"create_{snake}",
        tags=tag,
        status_code=201,
        response_model=read_model,
        summary=f"Create a {entity.name}",
    )
    def create_item(
        body: create_model,  # type: ignore[valid-type]
        request: Request,
        session: DbSession,
        principal: CurrentPrincipal,
        idempotency_key: Annotated[
            str | None, Header(alias=idempotency.HEADER, description="Retry-safe creation.")
        ] = None,
    ) -> Response:
        _writer(principal)
        url = base_url(request)

        def produce() -> idempotency.StoredResponse:
            written = service.create(session, entity, body, url)
            return idempotency.StoredResponse(
                201, written.body, {"Location": resource.href(url, written.row.id)}
            )

        stored = idempotency.run_idempotent(
            session,
            key=idempotency_key,
            owner=principal.subject,
            endpoint=f"POST {items}",
            payload=body.model_dump(mode="json", exclude_unset=True),  # type: ignore[attr-defined]
            produce=produce,
        )
        if stored.status == 201:
            return created_response(
                stored.body, stored.headers["Location"], stored.response_headers()
            )
        return json_response(stored.body, stored.status, stored.response_headers())

    @router.get(
        item,
        name=f"retrieve_{snake}",
        tags=tag,
        response_model=read_model,
        summary=f"Retrieve a {entity.name} by id",
    )
    def retrieve_item(
        id: ResourceId, request: Request, session: ReadSession, fields: Fields = None
    ) -> Response:
        projection = parse_fields(resource, fields) if fields is not None else None
        return json_response(
            repository.resource_document(session, resource, id, base_url(request), projection)
        )

    @router.patch(
        item,
        name=f"patch_{snake}",
        tags=tag,
        response_model=read_model,
        summary=f"Partially update a {entity.name} (JSON merge patch or JSON)",
        responses={415: {"description": "Unsupported Media Type"}},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    media: {"schema": {"$ref": f"#/components/schemas/{create_model.__name__}"}}
                    for media in (MERGE_PATCH_JSON, "application/json")
                },
            }
        },
    )
    def patch_item(
        id: ResourceId,
        request: Request,
        session: DbSession,
        principal: CurrentPrincipal,
        patch: Annotated[dict[str, Any], Depends(patch_body)],
    ) -> Response:
        _writer(principal)
        written = service.update(
            session, entity, id, patch, base_url(request), actor=principal.subject
        )
        return json_response(written.body)

    @router.delete(
        item,
        name=f"delete_{snake}",
        tags=tag,
        status_code=204,
        response_class=Response,
        summary=f"Delete a {entity.name}",
    )
    def delete_item(
        id: ResourceId, request: Request, session: DbSession, principal: CurrentPrincipal
    ) -> Response:
        _writer(principal)
        service.delete(session, entity, id, base_url(request))
        return no_content()


_add_routes(service.CATALOG, CatalogRead)
_add_routes(service.CATEGORY, CategoryRead)
_add_routes(service.SPECIFICATION, ProductSpecificationRead)
_add_routes(service.OFFERING, ProductOfferingRead)
_add_routes(service.PRICE, ProductOfferingPriceRead)

OFFERING_ITEM = service.OFFERING.resource.collection_path + "/{id}"


def _json(value: Any) -> Response:
    return json_response(orjson.dumps(value))


@router.get(
    OFFERING_ITEM + "/readiness",
    name="offering_readiness",
    tags=["productOffering"],
    summary="Extension: the readiness report of an offering (eTOM 1.1.1.1)",
)
def offering_readiness(id: ResourceId, session: ReadSession) -> Response:
    return _json(service.readiness_report(session, id).as_dict())


@router.get(
    OFFERING_ITEM + "/fulfilment",
    name="offering_fulfilment",
    tags=["productOffering"],
    summary="Extension: how a launched offering is fulfilled in a region for a coverage type",
)
def offering_fulfilment(
    id: ResourceId,
    session: ReadSession,
    region_id: Annotated[str, Query(alias="regionId", description="Region code, e.g. 330106.")],
    coverage_type: Annotated[
        str,
        Query(alias="coverageType", description="ownFtth, partnerCable, mobile or leasedLine."),
    ],
) -> Response:
    plan = mapping.resolve_fulfilment(session, id, region_id, coverage_type)
    return _json(plan.as_dict())


@router.get(
    OFFERING_ITEM + "/version",
    name="list_offering_versions",
    tags=["productOffering"],
    summary="Extension: the frozen versions of an offering",
)
def list_offering_versions(id: ResourceId, session: ReadSession) -> Response:
    repository.get_row(session, service.OFFERING.model, "productOffering", id)
    return _json(versioning.history(session, id))


@router.get(
    OFFERING_ITEM + "/version/{version}",
    name="retrieve_offering_version",
    tags=["productOffering"],
    summary="Extension: an offering version as sold (offering, prices, specification)",
)
def retrieve_offering_version(
    id: ResourceId,
    version: str,
    session: ReadSession,
) -> Response:
    return _json(versioning.version_document(session, id, version))


@router.delete(
    OFFERING_ITEM + "/version/{version}",
    name="withdraw_offering_version",
    tags=["productOffering"],
    summary="Extension: withdraw a scheduled (future-dated) version",
)
def withdraw_offering_version(
    id: ResourceId,
    version: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    _writer(principal)
    written = service.withdraw_version(session, id, version, base_url(request))
    return json_response(written.body)


# POST {basePath}/hub and DELETE {basePath}/hub/{id}: listeners of catalog events
router.include_router(make_hub_router(BASE_PATH))
