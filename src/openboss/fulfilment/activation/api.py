"""TMF640 v4 Service Activation and Configuration at
``/tmf-api/ServiceActivationAndConfiguration/v4``: ``service`` (list, retrieve,
create = configure on the elements, merge-patch = modify / state move, delete =
deactivate), ``monitor`` (list, retrieve) and ``hub``.

eTOM 1.3.2.3 Implement, Configure & Activate Service. Reads: admin, noc,
manager; writes: admin, noc.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.fulfilment.activation import service, tmf640
from openboss.fulfilment.activation.contract import ActivationFailed
from openboss.fulfilment.activation.models import BASE_PATH, MONITOR_RESOURCE, SERVICE_RESOURCE
from openboss.fulfilment.activation.schemas import ActivationServiceCreate, ActivationServiceUpdate
from openboss.kit.tmf.errors import error_body, error_response
from openboss.kit.tmf.http import (
    MERGE_PATCH_JSON,
    base_url,
    created_response,
    json_response,
    list_response,
    no_content,
    patch_document,
)
from openboss.kit.tmf.idempotency import StoredResponse, run_idempotent
from openboss.kit.tmf.query import MAX_LIMIT, MAX_OFFSET, parse_fields, parse_list_query
from openboss.kit.tmf.schemas import ResourceId

READ_ROLES = ("admin", "noc", "manager")
WRITE_ROLES = ("admin", "noc")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (ACTIVATION_FAILED after compensation, illegal state move)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]

SERVICES = SERVICE_RESOURCE.collection_path
SERVICE = SERVICES + "/{id}"
MONITORS = MONITOR_RESOURCE.collection_path
MONITOR = MONITORS + "/{id}"


def _failed(
    session: Session,
    exc: ActivationFailed,
    *,
    method: str,
    target: str,
    service_id: str | None,
    request_body: Any,
    url: str,
) -> Response:
    """409 ACTIVATION_FAILED; the request is rolled back, an InError monitor kept."""
    session.rollback()
    service.keep_consumed_failure(session, exc)
    body = error_body(exc.status, exc.code, exc.message, field=exc.field, details=exc.details)
    monitor = tmf640.record_failure(
        session,
        method=method,
        target=target,
        service_id=service_id,
        request_body=request_body,
        error=body,
        base_url=url,
    )
    body["details"] = {**exc.details, "monitor": monitor}
    return error_response(exc.status, body)


@router.get(SERVICES, name="list_activation_services", tags=["service"])
def list_services(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Filters: ``state=active``, ``serviceSpecification.id=rfs-ip-session`` …"""
    query = parse_list_query(SERVICE_RESOURCE, request.query_params.multi_items())
    return list_response(tmf640.list_services(session, query, base_url(request)))


@router.post(SERVICES, name="create_activation_service", status_code=201, tags=["service"])
def create_service(
    body: ActivationServiceCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """Configure the service on its elements (synchronously; see the monitor)."""
    url = base_url(request)

    def produce() -> StoredResponse:
        written = tmf640.create(session, body, url)
        return StoredResponse(
            201, written.body, {"Location": SERVICE_RESOURCE.href(url, written.row.id)}
        )

    try:
        stored = run_idempotent(
            session,
            key=idempotency_key,
            owner=principal.subject,
            endpoint=f"POST {SERVICES}",
            payload=body.model_dump(mode="json", exclude_unset=True),
            produce=produce,
        )
    except ActivationFailed as exc:
        return _failed(
            session,
            exc,
            method="POST",
            target=SERVICE_RESOURCE.href_prefix(url).rstrip("/"),
            service_id=None,
            request_body=body.model_dump(mode="json", by_alias=True, exclude_none=True),
            url=url,
        )
    return created_response(stored.body, stored.headers["Location"], stored.response_headers())


@router.get(SERVICE, name="retrieve_activation_service", tags=["service"])
def retrieve_service(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
) -> Response:
    projection = parse_fields(SERVICE_RESOURCE, fields) if fields is not None else None
    return json_response(tmf640.service_document(session, id, base_url(request), projection))


@router.patch(
    SERVICE,
    name="patch_activation_service",
    tags=["service"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/ActivationServiceUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_service(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(SERVICE_RESOURCE.read_only))],
    _body: Annotated[ActivationServiceUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    """``state``: active / inactive (suspend) / terminated (deactivate); changed
    ``serviceCharacteristic`` runs modify (RADIUS: CoA when a session is up)."""
    url = base_url(request)
    try:
        written = tmf640.update(session, id, patch, url)
    except ActivationFailed as exc:
        return _failed(
            session,
            exc,
            method="PATCH",
            target=SERVICE_RESOURCE.href(url, id),
            service_id=id,
            request_body=patch,
            url=url,
        )
    return json_response(written.body)


@router.delete(
    SERVICE,
    name="delete_activation_service",
    status_code=204,
    response_class=Response,
    tags=["service"],
)
def delete_service(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    """Deactivate on the elements and remove the service."""
    url = base_url(request)
    try:
        tmf640.delete(session, id, url)
    except ActivationFailed as exc:
        return _failed(
            session,
            exc,
            method="DELETE",
            target=SERVICE_RESOURCE.href(url, id),
            service_id=id,
            request_body={},
            url=url,
        )
    return no_content()


@router.get(MONITORS, name="list_activation_monitors", tags=["monitor"])
def list_monitors(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Filters: ``sourceHref=…``, ``state=Completed``."""
    query = parse_list_query(MONITOR_RESOURCE, request.query_params.multi_items())
    return list_response(tmf640.list_monitors(session, query, base_url(request)))


@router.get(MONITOR, name="retrieve_activation_monitor", tags=["monitor"])
def retrieve_monitor(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
) -> Response:
    projection = parse_fields(MONITOR_RESOURCE, fields) if fields is not None else None
    return json_response(tmf640.monitor_document(session, id, base_url(request), projection))


router.include_router(make_hub_router(BASE_PATH))
