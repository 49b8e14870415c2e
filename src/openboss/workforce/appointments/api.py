"""TMF646 v4 Appointment at ``/tmf-api/appointment/v4``: ``appointment``
(list, retrieve, book = POST, merge-patch: reschedule / cancel / complete /
fail, delete of a closed appointment), ``searchTimeSlot`` (POST → 201 with the
free slots, retrieve) and ``hub``.

eTOM 1.2.1 customer interaction / 1.4.2 workforce management.

Reads: admin, dispatcher, csr, manager, noc, technician, partner (a partner
sees the appointments of its own company's work orders only). Writes
(search, book, change): admin, dispatcher, csr, manager.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events.hub import make_hub_router
from openboss.kit.errors import Conflict
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
from openboss.workforce.appointments import service
from openboss.workforce.appointments.models import APPOINTMENT_RESOURCE, SEARCH_RESOURCE
from openboss.workforce.appointments.schemas import (
    AppointmentCreate,
    AppointmentUpdate,
    SearchTimeSlotCreate,
)

READ_ROLES = ("admin", "dispatcher", "csr", "manager", "noc", "technician", "partner")
WRITE_ROLES = ("admin", "dispatcher", "csr", "manager")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (slot no longer available, illegal status move)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]

APPOINTMENTS = APPOINTMENT_RESOURCE.collection_path
APPOINTMENT = APPOINTMENTS + "/{id}"
SEARCHES = SEARCH_RESOURCE.collection_path
TAGS: list[str | Any] = ["appointment"]


@router.get(APPOINTMENTS, name="list_appointments", tags=TAGS)
def list_appointments(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Any attribute filters: ``status=confirmed``, ``validFor.startDateTime.gte=…``,
    ``relatedEntity.id=<work order id>``."""
    query = parse_list_query(APPOINTMENT_RESOURCE, request.query_params.multi_items())
    return list_response(
        service.list_appointments(session, query, principal.scope, base_url(request))
    )


@router.post(APPOINTMENTS, name="create_appointment", status_code=201, tags=TAGS)
def create_appointment(
    body: AppointmentCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    """Book: ``validFor`` must be one of the day's slots and still free (409)."""
    url = base_url(request)
    written = service.book(session, principal.scope, body, url, principal.name)
    return created_response(written.body, APPOINTMENT_RESOURCE.href(url, written.appointment.id))


@router.get(APPOINTMENT, name="retrieve_appointment", tags=TAGS)
def retrieve_appointment(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Annotated[str | None, Query()] = None,
) -> Response:
    projection = parse_fields(APPOINTMENT_RESOURCE, fields) if fields is not None else None
    return json_response(
        service.appointment_document(session, principal.scope, id, base_url(request), projection)
    )


@router.patch(
    APPOINTMENT,
    name="patch_appointment",
    tags=TAGS,
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/AppointmentUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_appointment(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: Writer,
    patch: Annotated[dict[str, Any], Depends(patch_document(APPOINTMENT_RESOURCE.read_only))],
    _body: Annotated[AppointmentUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update(session, principal.scope, id, patch, base_url(request), principal.name)
    return json_response(written.body)


@router.delete(
    APPOINTMENT, name="delete_appointment", status_code=204, response_class=Response, tags=TAGS
)
def delete_appointment(
    id: ResourceId, request: Request, session: DbSession, principal: Writer
) -> Response:
    """Only a closed (cancelled, completed, failed) appointment may be deleted."""
    appt = service.get(session, principal.scope, id, for_update=True)
    if appt.status in ("initialized", "confirmed"):
        raise Conflict(f"appointment '{id}' is {appt.status}; cancel it first", field="status")
    service.delete(session, appt, base_url(request))
    return no_content()


@router.post(SEARCHES, name="create_search_time_slot", status_code=201, tags=["searchTimeSlot"])
def create_search_time_slot(
    body: SearchTimeSlotCreate, request: Request, session: DbSession, principal: Writer
) -> Response:
    """Free slots for an address and skill in a window; ``searchResult`` fail
    (with ``reason``) when there is none."""
    url = base_url(request)
    row, doc = service.search(session, principal.scope, body, url)
    return created_response(doc, SEARCH_RESOURCE.href(url, row.id))


@router.get(SEARCHES + "/{id}", name="retrieve_search_time_slot", tags=["searchTimeSlot"])
def retrieve_search_time_slot(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader
) -> Response:
    return json_response(service.search_document(session, principal.scope, id, base_url(request)))


router.include_router(make_hub_router(APPOINTMENT_RESOURCE.base_path))
