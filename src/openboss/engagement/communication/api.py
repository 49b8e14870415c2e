"""TMF681 v4 Communication at ``/tmf-api/communicationManagement/v4``:
``communicationMessage`` (list, retrieve, create = queue for delivery,
merge-patch = change while ``initial`` or cancel, delete) and ``hub``.

eTOM 1.1.1.4 / 1.2.1 customer interaction: what the operator told the customer.

Reads: admin, csr, manager, noc; writes: admin, csr, manager. Messages are
central data (no region scope); their content never carries a secret in clear.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.engagement.communication import service
from openboss.engagement.communication.models import MESSAGE_RESOURCE
from openboss.engagement.communication.schemas import (
    CommunicationMessage,
    CommunicationMessageCreate,
    CommunicationMessageUpdate,
)
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

READ_ROLES = ("admin", "csr", "manager", "noc")
WRITE_ROLES = ("admin", "csr", "manager")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (message already being sent or closed)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]

MESSAGES = MESSAGE_RESOURCE.collection_path
MESSAGE = MESSAGES + "/{id}"
TAGS: list[str | Any] = ["communicationMessage"]


@router.get(
    MESSAGES,
    name="list_communication_messages",
    tags=TAGS,
    response_model=list[CommunicationMessage],
)
def list_communication_messages(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Any attribute filters: ``state=failed``, ``messageType=SMS``,
    ``relatedEntity.id=<product order id>``, ``receiver.phoneNumber=…``."""
    query = parse_list_query(MESSAGE_RESOURCE, request.query_params.multi_items())
    return list_response(service.list_messages(session, query, base_url(request)))


@router.post(
    MESSAGES,
    name="create_communication_message",
    status_code=201,
    tags=TAGS,
    response_model=CommunicationMessage,
)
def create_communication_message(
    body: CommunicationMessageCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="Retry-safe creation."),
    ] = None,
) -> Response:
    """Queue a message: delivered by the worker at ``scheduledSendTime`` (or now)."""
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = service.create_message(session, body, url)
        location = MESSAGE_RESOURCE.href(url, written.message.id)
        return idempotency.StoredResponse(201, written.body, {"Location": location})

    stored = idempotency.run_idempotent(
        session,
        key=idempotency_key,
        owner=principal.subject,
        endpoint=f"POST {MESSAGES}",
        payload=body.model_dump(mode="json", exclude_unset=True),
        produce=produce,
    )
    if stored.status == 201:
        return created_response(stored.body, stored.headers["Location"], stored.response_headers())
    return json_response(stored.body, stored.status, stored.response_headers())


@router.get(
    MESSAGE,
    name="retrieve_communication_message",
    tags=TAGS,
    response_model=CommunicationMessage,
)
def retrieve_communication_message(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
) -> Response:
    projection = parse_fields(MESSAGE_RESOURCE, fields) if fields is not None else None
    return json_response(service.message_document(session, id, base_url(request), projection))


@router.patch(
    MESSAGE,
    name="patch_communication_message",
    tags=TAGS,
    response_model=CommunicationMessage,
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/CommunicationMessageUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_communication_message(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(MESSAGE_RESOURCE.read_only))],
    _body: Annotated[CommunicationMessageUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    """Change a message not yet sent, or cancel it (``{"state": "cancelled"}``)."""
    return json_response(service.update_message(session, id, patch, base_url(request)).body)


@router.delete(
    MESSAGE,
    name="delete_communication_message",
    status_code=204,
    response_class=Response,
    tags=TAGS,
)
def delete_communication_message(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    """Delete a message (409 while it is being sent)."""
    service.delete_message(session, id, base_url(request))
    return no_content()


router.include_router(make_hub_router(MESSAGE_RESOURCE.base_path))
