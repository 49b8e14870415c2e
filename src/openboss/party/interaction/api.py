"""HTTP API of customer interface management (eTOM 1.1.1.2).

* TMF683 ``/tmf-api/partyInteraction/v4/partyInteraction`` (list, create,
  retrieve, merge-patch, delete) and its ``/hub``;
* routing and closure: ``/api/party/v1/partyInteraction/{id}/route``,
  ``/close``, ``/cancel``, ``/escalate``;
* the reason taxonomy: ``/api/party/v1/interactionReasons`` (GET tree, POST,
  PATCH ``/{code}``).

Reads: csr, manager, billing, marketing (and admin); writes: csr, manager;
reason changes: manager (and admin).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import (
    CurrentPrincipal,
    DbSession,
    ReadSession,
    current_principal,
    require_roles,
)
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
    patch_document,
    validate,
)
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId
from openboss.party.interaction import repository, service, taxonomy
from openboss.party.interaction.repository import RESOURCE
from openboss.party.interaction.schemas import (
    CancelRequest,
    CloseRequest,
    PartyInteraction,
    PartyInteractionCreate,
    PartyInteractionUpdate,
    Reason,
    ReasonCreate,
    ReasonUpdate,
    RouteRequest,
)

READ_ROLES: Final = ("csr", "manager", "billing", "marketing")
WRITE_ROLES: Final = ("csr", "manager")
REASON_ADMIN_ROLES: Final = ("manager",)

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (TMF Error naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    405: {"description": "Method Not Allowed"},
    409: {"description": "Conflict (illegal status transition, closed contact)"},
}

ITEMS = RESOURCE.collection_path
ITEM = ITEMS + "/{id}"
TASKS = "/api/party/v1/partyInteraction/{id}"
REASONS = "/api/party/v1/interactionReasons"

router = APIRouter(dependencies=[Depends(current_principal)], responses=_ERRORS)
_read = [Depends(require_roles(*READ_ROLES))]
_write = [Depends(require_roles(*WRITE_ROLES))]

Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]


@router.get(
    ITEMS,
    name="list_party_interactions",
    tags=["partyInteraction"],
    dependencies=_read,
    response_model=list[PartyInteraction],
    summary="List or find party interactions",
    responses={
        200: {
            "description": "Success. Any attribute filters: `status=open,inProgress`, "
            "`channel.id=callCentre`, `reason=fault.slow`, `relatedParty.id={customerId}`, "
            "`interactionDate.startDateTime.gte=2024-05-01`, `escalated=true`.",
        }
    },
)
def list_party_interactions(
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
    page = repository.list_interactions(session, query, principal.scope, base_url(request))
    return list_response(page)


@router.post(
    ITEMS,
    name="create_party_interaction",
    tags=["partyInteraction"],
    dependencies=_write,
    status_code=201,
    response_model=PartyInteraction,
    summary="Log a party interaction (a contact)",
    responses={201: {"description": "Created; Location holds the href."}},
)
def create_party_interaction(
    body: PartyInteractionCreate,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="Retry-safe creation."),
    ] = None,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = service.create_interaction(
            session, principal.scope, body, url, actor=principal.name
        )
        location = RESOURCE.href(url, written.interaction.id)
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
    name="retrieve_party_interaction",
    tags=["partyInteraction"],
    dependencies=_read,
    response_model=PartyInteraction,
    summary="Retrieve a party interaction by id",
)
def retrieve_party_interaction(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    fields: Fields = None,
) -> Response:
    projection = parse_fields(RESOURCE, fields) if fields is not None else None
    doc = repository.interaction_document(
        session, id, principal.scope, base_url(request), projection
    )
    return json_response(doc)


@router.patch(
    ITEM,
    name="patch_party_interaction",
    tags=["partyInteraction"],
    dependencies=_write,
    response_model=PartyInteraction,
    summary="Partially update a party interaction (JSON merge patch)",
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/PartyInteractionUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_party_interaction(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    patch: Annotated[dict[str, Any], Depends(patch_document(RESOURCE.read_only))],
    _body: Annotated[PartyInteractionUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_interaction(
        session, principal.scope, id, patch, base_url(request), actor=principal.name
    )
    return json_response(written.body)


@router.delete(
    ITEM,
    name="delete_party_interaction",
    tags=["partyInteraction"],
    dependencies=_write,
    status_code=204,
    response_class=Response,
    summary="Delete a cancelled party interaction",
)
def delete_party_interaction(
    id: ResourceId, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    service.delete_interaction(session, principal.scope, id, base_url(request))
    return no_content()


router.include_router(make_hub_router(RESOURCE.base_path))


# ---- routing and closure ----------------------------------------------------------


@router.post(
    TASKS + "/route",
    name="route_party_interaction",
    tags=["partyInteraction tasks"],
    dependencies=_write,
    response_model=PartyInteraction,
    summary="Route a contact to the process it starts",
    description="The target defaults to the reason's routesTo. A registered domain handler "
    "creates its object and the contact links it as an interactionItem; without one, the "
    "contact waits in inProgress for the link.",
)
def route_party_interaction(
    id: ResourceId,
    body: RouteRequest,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    routed = service.route_interaction(
        session,
        principal.scope,
        id,
        target_type=body.target_type,
        target_id=body.target_id,
        actor=principal.name,
        base_url=base_url(request),
    )
    return json_response(routed.written.body)


@router.post(
    TASKS + "/close",
    name="close_party_interaction",
    tags=["partyInteraction tasks"],
    dependencies=_write,
    response_model=PartyInteraction,
    summary="Complete a contact with its outcome",
)
def close_party_interaction(
    id: ResourceId,
    body: CloseRequest,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    written = service.close_interaction(
        session,
        principal.scope,
        id,
        outcome=body.outcome,
        note=body.note,
        actor=principal.name,
        base_url=base_url(request),
    )
    return json_response(written.body)


@router.post(
    TASKS + "/cancel",
    name="cancel_party_interaction",
    tags=["partyInteraction tasks"],
    dependencies=_write,
    response_model=PartyInteraction,
    summary="Cancel a contact",
)
def cancel_party_interaction(
    id: ResourceId,
    body: CancelRequest,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    written = service.cancel_interaction(
        session,
        principal.scope,
        id,
        note=body.note,
        actor=principal.name,
        base_url=base_url(request),
    )
    return json_response(written.body)


@router.post(
    TASKS + "/escalate",
    name="escalate_party_interaction",
    tags=["partyInteraction tasks"],
    dependencies=_write,
    response_model=PartyInteraction,
    summary="Escalate an open contact (it becomes an exception)",
)
def escalate_party_interaction(
    id: ResourceId,
    body: CancelRequest,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
) -> Response:
    written = service.escalate_interaction(
        session,
        principal.scope,
        id,
        note=body.note,
        actor=principal.name,
        base_url=base_url(request),
    )
    return json_response(written.body)


# ---- reasons ----------------------------------------------------------------------


def _reason_out(node: taxonomy.ReasonNode) -> Reason:
    return Reason(
        code=node.code,
        parent_code=node.parent_code,
        name=node.name,
        name_en=node.name_en,
        routes_to=node.routes_to,
        effective_route=node.effective_route,
        active=node.active,
        sort_order=node.sort_order,
        children=[_reason_out(c) for c in node.children],
    )


def _reason_by_code(session: Any, code: str) -> Reason:
    for node in taxonomy.all_reasons(session):
        if node.code == code:
            return _reason_out(node).model_copy(update={"children": []})
    raise ValidationFailed(f"unknown reason '{code}'", field="code")


@router.get(
    REASONS,
    name="list_interaction_reasons",
    tags=["interactionReason"],
    dependencies=_read,
    response_model=list[Reason],
    response_model_by_alias=True,
    summary="The reason taxonomy as a tree",
)
def list_interaction_reasons(
    session: ReadSession,
    active: Annotated[
        bool, Query(description="Only reasons offered for new contacts (active, under active).")
    ] = False,
) -> list[Reason]:
    return [_reason_out(n) for n in taxonomy.reason_tree(session, active_only=active)]


@router.post(
    REASONS,
    name="create_interaction_reason",
    tags=["interactionReason"],
    dependencies=[Depends(require_roles(*REASON_ADMIN_ROLES))],
    status_code=201,
    response_model=Reason,
    response_model_by_alias=True,
    summary="Add a reason",
)
def create_interaction_reason(body: ReasonCreate, session: DbSession) -> Reason:
    taxonomy.create_reason(
        session,
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        parent_code=body.parent_code,
        routes_to=body.routes_to,
        active=body.active,
        sort_order=body.sort_order,
    )
    return _reason_by_code(session, body.code)


_REASON_KEYS: Final = {
    "name": "name",
    "nameEn": "name_en",
    "parentCode": "parent_code",
    "routesTo": "routes_to",
    "active": "active",
    "sortOrder": "sort_order",
}


@router.patch(
    REASONS + "/{code}",
    name="patch_interaction_reason",
    tags=["interactionReason"],
    dependencies=[Depends(require_roles(*REASON_ADMIN_ROLES))],
    response_model=Reason,
    response_model_by_alias=True,
    summary="Change a reason (JSON merge patch; null clears nameEn, parentCode, routesTo)",
)
def patch_interaction_reason(
    code: ResourceId,
    session: DbSession,
    patch: Annotated[dict[str, Any], Depends(patch_document(frozenset({"code"})))],
    _body: Annotated[ReasonUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Reason:
    checked = validate(ReasonUpdate, {k: v for k, v in patch.items() if v is not None})
    changes: dict[str, object] = {}
    for key, value in patch.items():
        attr = _REASON_KEYS.get(key)
        if attr is None:
            raise ValidationFailed(f"unknown attribute '{key}'", field=key)
        if value is None:
            if attr in ("name", "active", "sort_order"):
                raise ValidationFailed(f"'{key}' cannot be removed", field=key)
            changes[attr] = None
        else:
            changes[attr] = getattr(checked, attr)
    taxonomy.update_reason(session, code, changes)
    return _reason_by_code(session, code)
