"""HTTP APIs of parties and customers — eTOM 1.1.1.2 customer interface management.

* TMF632 v4 ``/tmf-api/party/v4``: ``/individual``, ``/organization``, ``/hub``.
* TMF629 v4 ``/tmf-api/customerManagement/v4``: ``/customer``, ``/hub``.
* ``/api/party/v1/blacklist`` (list, add, ``{id}/lift``) and
  ``/api/party/v1/customerSearch`` (one search box).

Reads: csr, manager, billing, marketing (admin always). Writes: csr, manager.
Blacklist: csr and manager add, manager lifts. Endpoints are thin: they parse
the TMF conventions with the kit and call one service function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from enum import Enum
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
    no_content,
    patch_document,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.resource import TmfResource
from openboss.kit.tmf.schemas import ResourceId
from openboss.party.customer import blacklist, party_service, repository, search, service
from openboss.party.customer.documents_view import FULL_DOCUMENT_ROLES, masked_documents
from openboss.party.customer.models import CUSTOMER, INDIVIDUAL, ORGANIZATION
from openboss.party.customer.schemas import (
    BlacklistAdd,
    BlacklistEntry,
    BlacklistLift,
    Customer,
    CustomerCreate,
    CustomerUpdate,
    Individual,
    IndividualCreate,
    Organization,
    OrganizationCreate,
)

READERS = ("csr", "manager", "billing", "marketing")
WRITERS = ("csr", "manager")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (duplicate party, illegal transition, in use)"},
}

Reader = Annotated[Principal, Depends(require_roles(*READERS))]


def _documents_for(principal: Principal, body: bytes) -> bytes:
    """The party representation(s) as ``principal`` may read them: billing and
    marketing see ``identificationId`` masked (``3301**********1234``)."""
    if principal.has_role(*FULL_DOCUMENT_ROLES):
        return body
    data = orjson.loads(body)
    if isinstance(data, list):
        return orjson.dumps([masked_documents(d) if isinstance(d, dict) else d for d in data])
    return orjson.dumps(masked_documents(data)) if isinstance(data, dict) else body


Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
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
IdemKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        description="Retry-safe creation: the same key and body answer the same resource.",
    ),
]

router = APIRouter(responses=_ERRORS)


def _idempotent_create(
    request: Request,
    session: DbSession,
    principal: Principal,
    resource: TmfResource,
    body: Any,
    key: str | None,
    make: Callable[[str], tuple[str, bytes]],
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        ident, doc = make(url)
        return idempotency.StoredResponse(201, doc, {"Location": resource.href(url, ident)})

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


def _patch_openapi(schema: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    }


_LIST_DOC = {
    200: {
        "description": "Success. Any attribute filters the list, e.g. "
        "`externalReference.name=DEMO-HH-1`, `engagedParty.id=…`, `customerType=household`.",
        "headers": {
            "X-Total-Count": {"description": "Items matching", "schema": {"type": "integer"}},
            "X-Result-Count": {"description": "Items in this page", "schema": {"type": "integer"}},
        },
    }
}


# --------------------------------------------------------------------------- parties


def _party_routes(kind: str, resource: TmfResource, create_model: Any, read_model: Any) -> None:
    items = resource.collection_path
    item = items + "/{id}"
    tag: list[str | Enum] = [kind]
    # a default value, not an annotation: annotations are resolved from the
    # module's globals and cannot name this closure's ``resource``
    patch_dependency = Depends(patch_document(resource.read_only))

    @router.get(
        items,
        name=f"list_{kind}s",
        tags=tag,
        response_model=list[read_model],
        summary=f"List or find {kind}s",
        responses=_LIST_DOC,  # type: ignore[arg-type]
    )
    def list_parties(
        request: Request,
        session: ReadSession,
        principal: Reader,
        fields: Fields = None,
        offset: Offset = None,
        limit: Limit = None,
        sort: Sort = None,
    ) -> Response:
        query = parse_list_query(resource, request.query_params.multi_items())
        page = repository.list_resources(session, kind, query, principal.scope, base_url(request))
        return list_response(replace(page, body=_documents_for(principal, page.body)))

    @router.get(item, name=f"retrieve_{kind}", tags=tag, response_model=read_model)
    def retrieve_party(
        id: ResourceId,
        request: Request,
        session: ReadSession,
        principal: Reader,
        fields: Fields = None,
    ) -> Response:
        projection = parse_fields(resource, fields) if fields is not None else None
        doc = repository.resource_document(
            session, kind, id, principal.scope, base_url(request), projection
        )
        return json_response(_documents_for(principal, doc))

    @router.delete(item, name=f"delete_{kind}", tags=tag, status_code=204, response_class=Response)
    def delete_party(
        id: ResourceId, request: Request, session: DbSession, principal: Writer
    ) -> Response:
        party_service.delete_party(session, kind, id, base_url(request))  # type: ignore[arg-type]
        return no_content()

    @router.patch(
        item,
        name=f"patch_{kind}",
        tags=tag,
        response_model=read_model,
        summary=f"Partially update an {kind} (JSON merge patch)",
        openapi_extra=_patch_openapi(create_model.__name__),
    )
    def patch_party(
        id: ResourceId,
        request: Request,
        session: DbSession,
        principal: Writer,
        patch: dict[str, Any] = patch_dependency,
    ) -> Response:
        written = party_service.update_party(
            session,
            kind,  # type: ignore[arg-type]
            id,
            patch,
            base_url(request),
        )
        return json_response(written.body)


_party_routes("individual", INDIVIDUAL, IndividualCreate, Individual)
_party_routes("organization", ORGANIZATION, OrganizationCreate, Organization)


@router.post(
    INDIVIDUAL.collection_path,
    name="create_individual",
    tags=["individual"],
    status_code=201,
    response_model=Individual,
    summary="Create an individual (409 DUPLICATE_PARTY when a document is on file)",
)
def create_individual(
    body: IndividualCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdemKey = None,
) -> Response:
    def make(url: str) -> tuple[str, bytes]:
        written = party_service.create_party(session, "individual", body, url)
        return written.party.id, written.body

    return _idempotent_create(request, session, principal, INDIVIDUAL, body, idempotency_key, make)


@router.post(
    ORGANIZATION.collection_path,
    name="create_organization",
    tags=["organization"],
    status_code=201,
    response_model=Organization,
    summary="Create an organization (409 DUPLICATE_PARTY when a document is on file)",
)
def create_organization(
    body: OrganizationCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdemKey = None,
) -> Response:
    def make(url: str) -> tuple[str, bytes]:
        written = party_service.create_party(session, "organization", body, url)
        return written.party.id, written.body

    return _idempotent_create(
        request, session, principal, ORGANIZATION, body, idempotency_key, make
    )


# --------------------------------------------------------------------------- customers

_CUSTOMERS = CUSTOMER.collection_path
_CUSTOMER = _CUSTOMERS + "/{id}"


@router.get(
    _CUSTOMERS,
    name="list_customers",
    tags=["customer"],
    response_model=list[Customer],
    summary="List or find customers",
    responses=_LIST_DOC,  # type: ignore[arg-type]
)
def list_customers(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Offset = None,
    limit: Limit = None,
    sort: Sort = None,
) -> Response:
    query = parse_list_query(CUSTOMER, request.query_params.multi_items())
    page = repository.list_resources(session, "customer", query, principal.scope, base_url(request))
    return list_response(page)


@router.post(
    _CUSTOMERS,
    name="create_customer",
    tags=["customer"],
    status_code=201,
    response_model=Customer,
    summary="Create a customer of an existing party",
)
def create_customer(
    body: CustomerCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdemKey = None,
) -> Response:
    def make(url: str) -> tuple[str, bytes]:
        written = service.create_customer(session, principal.scope, body, url)
        return written.customer.id, written.body

    return _idempotent_create(request, session, principal, CUSTOMER, body, idempotency_key, make)


@router.get(_CUSTOMER, name="retrieve_customer", tags=["customer"], response_model=Customer)
def retrieve_customer(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
) -> Response:
    projection = parse_fields(CUSTOMER, fields) if fields is not None else None
    doc = repository.resource_document(
        session, "customer", id, principal.scope, base_url(request), projection
    )
    return json_response(doc)


@router.patch(
    _CUSTOMER,
    name="patch_customer",
    tags=["customer"],
    response_model=Customer,
    summary="Partially update a customer (JSON merge patch)",
    openapi_extra=_patch_openapi("CustomerUpdate"),
)
def patch_customer(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(CUSTOMER.read_only))],
    _body: Annotated[CustomerUpdate | None, Body(media_type=MERGE_PATCH_JSON)] = None,
) -> Response:
    written = service.update_customer(session, principal.scope, id, patch, base_url(request))
    return json_response(written.body)


@router.delete(
    _CUSTOMER,
    name="delete_customer",
    tags=["customer"],
    status_code=204,
    response_class=Response,
)
def delete_customer(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    service.delete_customer(session, principal.scope, id, base_url(request))
    return no_content()


# --------------------------------------------------------------------------- blacklist, search

_BL = blacklist.API + "/blacklist"


def _entry(row: Any) -> Response:
    return json_response(orjson.dumps(blacklist.entry_dict(row)))


@router.get(_BL, name="list_blacklist", tags=["blacklist"], response_model=list[BlacklistEntry])
def list_blacklist(
    session: ReadSession,
    principal: Annotated[Principal, Depends(require_roles("csr", "manager"))],
    party_id: Annotated[str | None, Query(alias="partyId", description="Party.")] = None,
    document_number: Annotated[
        str | None, Query(alias="documentNumber", description="Document number.")
    ] = None,
    active: Annotated[bool | None, Query(description="Only current (true) or lifted.")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="First entry.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Entries.")] = 100,
) -> Response:
    rows = blacklist.list_entries(
        session,
        party_id=party_id,
        document_number=document_number,
        active=active,
        offset=offset,
        limit=limit,
    )
    return json_response(orjson.dumps([blacklist.entry_dict(r) for r in rows]))


@router.post(
    _BL, name="add_to_blacklist", tags=["blacklist"], status_code=201, response_model=BlacklistEntry
)
def add_to_blacklist(
    body: BlacklistAdd,
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("csr", "manager"))],
) -> Response:
    row = blacklist.add_entry(session, body, principal.name or principal.subject)
    return json_response(orjson.dumps(blacklist.entry_dict(row)), 201)


@router.post(
    _BL + "/{id}/lift",
    name="lift_blacklist_entry",
    tags=["blacklist"],
    response_model=BlacklistEntry,
)
def lift_blacklist_entry(
    id: ResourceId,
    body: BlacklistLift,
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("manager"))],
) -> Response:
    row = blacklist.lift_entry(session, id, body.reason, principal.name or principal.subject)
    return _entry(row)


@router.get(
    blacklist.API + "/customerSearch",
    name="search_customers",
    tags=["customer"],
    summary="Find customers by phone, document, name prefix, id or external reference",
)
def search_customers(
    session: ReadSession,
    principal: Reader,
    q: Annotated[str, Query(description="What to look for.", min_length=1, max_length=128)],
    kind: Annotated[
        str | None, Query(description="Kind of search; guessed when absent.", max_length=32)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Maximum hits.")] = 20,
) -> Response:
    hits = search.search_customers(session, principal.scope, q, kind=kind, limit=limit)
    return json_response(orjson.dumps([asdict(h) for h in hits]))


# POST {basePath}/hub and DELETE {basePath}/hub/{id}: listeners of these APIs' events
router.include_router(make_hub_router(INDIVIDUAL.base_path))
router.include_router(make_hub_router(CUSTOMER.base_path))

__all__ = ["router"]
