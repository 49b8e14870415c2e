"""HTTP APIs of the workforce domain.

* ``/api/workforce/v1`` — staff: partner companies, skills, technicians (with
  skills, calendar and leave) and teams (eTOM 1.4.2 workforce management).
* ``/tmf-api/workOrderManagement/v4`` — TMF697 v4 ``workOrder``: list, retrieve,
  create (Idempotency-Key), merge-patch (states, field sub-states, assignment,
  completion), delete (never-started orders only); ``hub`` for listeners
  (eTOM 1.5.2 resource provisioning: work in the field).

Reads: admin, dispatcher, manager, noc, csr, technician, partner (partner
users and systems see only their own company's rows). Writes of staff: admin,
dispatcher, manager. Writes of work orders: admin, dispatcher, manager, noc,
and partner (own orders; field moves, completion, failure, own assignees).
"""

from __future__ import annotations

from typing import Annotated, Any

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
from openboss.workforce import repository, service, staff
from openboss.workforce.models import WORK_ORDER_RESOURCE
from openboss.workforce.schemas import (
    LeaveCreate,
    PartnerCompanyCreate,
    PartnerCompanyUpdate,
    SkillCreate,
    SkillUpdate,
    TeamCreate,
    TeamUpdate,
    TechnicianCreate,
    TechnicianUpdate,
    WorkOrder,
    WorkOrderCreate,
    WorkOrderUpdate,
)

READ_ROLES = ("admin", "dispatcher", "manager", "noc", "csr", "technician", "partner")
STAFF_WRITE_ROLES = ("admin", "dispatcher", "manager")
ORDER_WRITE_ROLES = ("admin", "dispatcher", "manager", "noc", "partner")

STAFF = "/api/workforce/v1"

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (illegal state move, duplicate, overlapping leave)"},
}

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
StaffWriter = Annotated[Principal, Depends(require_roles(*STAFF_WRITE_ROLES))]
OrderWriter = Annotated[Principal, Depends(require_roles(*ORDER_WRITE_ROLES))]


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


# --------------------------------------------------------------------------- partners


@router.get(f"{STAFF}/partnerCompany", name="list_partner_companies", tags=["workforce staff"])
def list_partner_companies(session: ReadSession, principal: Reader) -> JSONResponse:
    """Partner companies (a partner sees its own)."""
    return _json(
        [staff.partner_view(p) for p in repository.list_partners(session, principal.scope)]
    )


@router.post(
    f"{STAFF}/partnerCompany",
    name="create_partner_company",
    status_code=201,
    tags=["workforce staff"],
)
def create_partner_company(
    body: PartnerCompanyCreate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    """Add a partner company (its id is the partner id of its users' scope)."""
    return _json(staff.partner_view(staff.create_partner(session, body)), 201)


@router.get(
    f"{STAFF}/partnerCompany/{{id}}", name="retrieve_partner_company", tags=["workforce staff"]
)
def retrieve_partner_company(
    id: ResourceId, session: ReadSession, principal: Reader
) -> JSONResponse:
    return _json(staff.partner_view(repository.get_partner(session, id, principal.scope)))


@router.patch(
    f"{STAFF}/partnerCompany/{{id}}", name="update_partner_company", tags=["workforce staff"]
)
def update_partner_company(
    id: ResourceId, body: PartnerCompanyUpdate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    return _json(staff.partner_view(staff.update_partner(session, principal.scope, id, body)))


# --------------------------------------------------------------------------- skills


@router.get(f"{STAFF}/skill", name="list_skills", tags=["workforce staff"])
def list_skills(session: ReadSession, principal: Reader) -> JSONResponse:
    """The skills catalogue."""
    return _json([staff.skill_view(s) for s in repository.list_skills(session)])


@router.post(f"{STAFF}/skill", name="create_skill", status_code=201, tags=["workforce staff"])
def create_skill(body: SkillCreate, session: DbSession, principal: StaffWriter) -> JSONResponse:
    return _json(staff.skill_view(staff.create_skill(session, body)), 201)


@router.patch(f"{STAFF}/skill/{{id}}", name="update_skill", tags=["workforce staff"])
def update_skill(
    id: ResourceId, body: SkillUpdate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    return _json(staff.skill_view(staff.update_skill(session, id, body)))


# --------------------------------------------------------------------------- technicians


@router.get(f"{STAFF}/technician", name="list_technicians", tags=["workforce staff"])
def list_technicians(
    session: ReadSession,
    principal: Reader,
    partner_id: Annotated[str | None, Query(alias="partnerId")] = None,
    region_id: Annotated[str | None, Query(alias="regionId")] = None,
    status: Annotated[str | None, Query()] = None,
    skill: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """Technicians in the caller's scope, filtered by partner, region, status, skill."""
    techs = repository.list_technicians(
        session,
        principal.scope,
        partner_id=partner_id,
        region_id=region_id,
        status=status,
        skill=skill,
    )
    skills = repository.skills_of(session, [t.id for t in techs])
    return _json([staff.technician_view(t, skills[t.id]) for t in techs])


@router.post(
    f"{STAFF}/technician", name="create_technician", status_code=201, tags=["workforce staff"]
)
def create_technician(
    body: TechnicianCreate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    tech = staff.create_technician(session, principal.scope, body)
    return _json(staff.technician_view(tech, staff.technician_skills(session, tech.id)), 201)


@router.get(f"{STAFF}/technician/{{id}}", name="retrieve_technician", tags=["workforce staff"])
def retrieve_technician(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    tech = repository.get_technician(session, id, principal.scope)
    return _json(staff.technician_view(tech, staff.technician_skills(session, tech.id)))


@router.patch(f"{STAFF}/technician/{{id}}", name="update_technician", tags=["workforce staff"])
def update_technician(
    id: ResourceId, body: TechnicianUpdate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    tech = staff.update_technician(session, principal.scope, id, body)
    return _json(staff.technician_view(tech, staff.technician_skills(session, tech.id)))


@router.get(
    f"{STAFF}/technician/{{id}}/leave", name="list_technician_leave", tags=["workforce staff"]
)
def list_technician_leave(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    tech = repository.get_technician(session, id, principal.scope)
    return _json([staff.leave_view(x) for x in repository.leave_of(session, tech.id)])


@router.post(
    f"{STAFF}/technician/{{id}}/leave",
    name="add_technician_leave",
    status_code=201,
    tags=["workforce staff"],
)
def add_technician_leave(
    id: ResourceId, body: LeaveCreate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    """Record leave; a range overlapping existing leave is a 409."""
    return _json(staff.leave_view(staff.add_leave(session, principal.scope, id, body)), 201)


@router.delete(
    f"{STAFF}/technician/{{id}}/leave/{{leave_id}}",
    name="remove_technician_leave",
    status_code=204,
    response_class=Response,
    tags=["workforce staff"],
)
def remove_technician_leave(
    id: ResourceId, leave_id: ResourceId, session: DbSession, principal: StaffWriter
) -> Response:
    staff.remove_leave(session, principal.scope, id, leave_id)
    return no_content()


# --------------------------------------------------------------------------- teams


def _team(session: Any, team: Any) -> dict[str, Any]:
    return staff.team_view(team, repository.members_of(session, [team.id])[team.id])


@router.get(f"{STAFF}/team", name="list_teams", tags=["workforce staff"])
def list_teams(session: ReadSession, principal: Reader) -> JSONResponse:
    teams = repository.list_teams(session, principal.scope)
    members = repository.members_of(session, [t.id for t in teams])
    return _json([staff.team_view(t, members[t.id]) for t in teams])


@router.post(f"{STAFF}/team", name="create_team", status_code=201, tags=["workforce staff"])
def create_team(body: TeamCreate, session: DbSession, principal: StaffWriter) -> JSONResponse:
    return _json(_team(session, staff.create_team(session, principal.scope, body)), 201)


@router.get(f"{STAFF}/team/{{id}}", name="retrieve_team", tags=["workforce staff"])
def retrieve_team(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    return _json(_team(session, repository.get_team(session, id, principal.scope)))


@router.patch(f"{STAFF}/team/{{id}}", name="update_team", tags=["workforce staff"])
def update_team(
    id: ResourceId, body: TeamUpdate, session: DbSession, principal: StaffWriter
) -> JSONResponse:
    return _json(_team(session, staff.update_team(session, principal.scope, id, body)))


# --------------------------------------------------------------------------- TMF697

ORDERS = WORK_ORDER_RESOURCE.collection_path
ORDER = ORDERS + "/{id}"

Fields = Annotated[
    str | None,
    Query(description="Comma-separated attributes to return (id, href and @type always are)."),
]


def _actor(principal: Principal) -> service.Actor:
    return service.Actor(principal.name)


@router.get(
    ORDERS,
    name="list_work_orders",
    response_model=list[WorkOrder],
    summary="List or find work orders",
    tags=["workOrder"],
)
def list_work_orders(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: Fields = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Response:
    """Any attribute filters: ``state=pending``, ``workOrderKind=installation``,
    ``relatedEntity.id=…``, ``assignee.id=…``, ``slaDeadline.lt=…``."""
    query = parse_list_query(WORK_ORDER_RESOURCE, request.query_params.multi_items())
    return list_response(
        repository.list_work_orders(session, query, principal.scope, base_url(request))
    )


@router.post(
    ORDERS,
    name="create_work_order",
    status_code=201,
    response_model=WorkOrder,
    summary="Create a work order",
    tags=["workOrder"],
)
def create_work_order(
    body: WorkOrderCreate,
    request: Request,
    session: DbSession,
    principal: OrderWriter,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="Retry-safe creation."),
    ] = None,
) -> Response:
    url = base_url(request)

    def produce() -> idempotency.StoredResponse:
        written = service.create_work_order(session, principal.scope, body, url, _actor(principal))
        location = WORK_ORDER_RESOURCE.href(url, written.order.id)
        return idempotency.StoredResponse(201, written.body, {"Location": location})

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
    name="retrieve_work_order",
    response_model=WorkOrder,
    summary="Retrieve a work order",
    tags=["workOrder"],
)
def retrieve_work_order(
    id: ResourceId, request: Request, session: ReadSession, principal: Reader, fields: Fields = None
) -> Response:
    projection = parse_fields(WORK_ORDER_RESOURCE, fields) if fields is not None else None
    return json_response(
        repository.work_order_document(session, id, principal.scope, base_url(request), projection)
    )


@router.patch(
    ORDER,
    name="patch_work_order",
    response_model=WorkOrder,
    summary="Update a work order (JSON merge patch): state, field sub-state, assignee, "
    "completion data",
    tags=["workOrder"],
    responses={415: {"description": "Unsupported Media Type"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/WorkOrderUpdate"}}
                for media in (MERGE_PATCH_JSON, "application/json")
            },
        }
    },
)
def patch_work_order(
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: OrderWriter,
    patch: Annotated[dict[str, Any], Depends(patch_document(WORK_ORDER_RESOURCE.read_only))],
    _body: Annotated[WorkOrderUpdate, Body(media_type=MERGE_PATCH_JSON)],
) -> Response:
    written = service.update_work_order(
        session, principal.scope, id, patch, base_url(request), _actor(principal)
    )
    return json_response(written.body)


@router.delete(
    ORDER,
    name="delete_work_order",
    status_code=204,
    response_class=Response,
    summary="Delete a work order that never started",
    tags=["workOrder"],
)
def delete_work_order(
    id: ResourceId, request: Request, session: DbSession, principal: OrderWriter
) -> Response:
    service.delete_work_order(session, principal.scope, id, base_url(request))
    return no_content()


router.include_router(make_hub_router(WORK_ORDER_RESOURCE.base_path))
