"""TMF701 v4 Process Flow Management over the fulfilment engine, at
``/tmf-api/processFlowManagement/v4``.

PBOSS order scheduling (DOMAIN.md §3.1), eTOM 1.1.1.5 order handling (tracking)
and 1.3.2 service configuration & activation: other systems follow and steer the
BPMN flows through the standard API instead of our own ``/api/fulfilment/v1``.

Mapping (the engine's tables stay the truth; nothing is stored twice):

* a **processFlow** is a process instance. ``processFlowSpecification`` is the
  process key (``key`` or ``key:version`` on create); ``state`` maps the engine
  status: running / waiting → ``active``, incident → ``hold``, completed →
  ``completed``, failed and cancelled → ``cancelled`` (the exact engine status is
  the characteristic ``engineStatus``). The business key and the service and
  product order ids the flow serves are ``relatedEntity`` rows;
* a **taskFlow** is a task the instance ran (the task log: ``completed``,
  ``skipped``/``compensated`` → ``cancelled``, ``error``/``incident`` → ``hold``)
  or a desk task (open → ``active``). ``taskFlowSpecification`` is the BPMN task
  id, ``completionMethod`` ``automatic`` for service tasks and ``manual`` for
  desk tasks;
* ``POST processFlow`` starts an instance (``characteristic`` → process data);
  ``PATCH taskFlow`` with ``state: completed`` completes an open desk task (its
  ``characteristic`` become the task's result); ``DELETE processFlow`` cancels an
  open instance with compensation (an ended one is kept as history: 409);
* events ``ProcessFlowCreateEvent``, ``ProcessFlowStateChangeEvent`` (when an
  instance ends) and ``TaskFlowStateChangeEvent`` (a desk task completed) go
  through the outbox to the hub's listeners.

Reads: admin, noc, dispatcher (as the engine API); starts and cancels: admin;
desk-task completion: admin, dispatcher.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.events import publish
from openboss.events.hub import make_hub_router
from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.models import (
    OPEN_STATUSES,
    DeskTask,
    ProcessInstance,
    ProcessTaskLog,
)
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.tmf.http import base_url
from openboss.kit.tmf.schemas import ResourceId, Text, json_value

BASE_PATH: Final = "/tmf-api/processFlowManagement/v4"
SCHEMA: Final = "https://www.tmforum.org/tmf-api/processFlowManagement/v4"

#: engine status → TMF701 ProcessFlowStateType
FLOW_STATE: Final[dict[str, str]] = {
    "running": "active",
    "waiting": "active",
    "incident": "hold",
    "completed": "completed",
    "failed": "cancelled",
    "cancelled": "cancelled",
}
#: TMF701 state asked for in a filter → engine statuses
FLOW_STATUSES: Final[dict[str, tuple[str, ...]]] = {
    "active": ("running", "waiting"),
    "hold": ("incident",),
    "completed": ("completed",),
    "cancelled": ("failed", "cancelled"),
}
#: task-log outcome → TMF701 TaskFlowStateType
TASK_STATE: Final[dict[str, str]] = {
    "completed": "completed",
    "skipped": "cancelled",
    "compensated": "cancelled",
    "error": "hold",
    "incident": "hold",
}
MAX_LIMIT: Final = 500

#: A free JSON value (no NUL anywhere, 64-bit integers).
Json = Annotated[Any, AfterValidator(json_value)]

READ_ROLES = ("admin", "noc", "dispatcher")
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Starter = Annotated[Principal, Depends(require_roles("admin"))]
DeskWorker = Annotated[Principal, Depends(require_roles("admin", "dispatcher"))]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found"},
    409: {"description": "Conflict (ended flow, task not open)"},
}

router = APIRouter(tags=["TMF701 processFlow"], responses=_ERRORS)


# -- schemas -----------------------------------------------------------------------------


class Characteristic(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: Text = Field(min_length=1, max_length=128)
    value: Json = None
    valueType: Text | None = Field(None, max_length=64)


class EntityRef(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: Text = Field(min_length=1, max_length=128)
    href: Text | None = Field(None, max_length=512)
    name: Text | None = Field(None, max_length=255)
    role: Text | None = Field(None, max_length=64)
    referredType: Text | None = Field(None, alias="@referredType", max_length=64)


class ProcessFlowCreate(BaseModel):
    """``ProcessFlow_Create``: ``processFlowSpecification`` is required."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    processFlowSpecification: Text = Field(
        min_length=1,
        max_length=160,
        description="The process key, or key:version (e.g. fttx-own-install:2).",
    )
    channel: list[Json] | None = None
    characteristic: list[Characteristic] | None = Field(None, max_length=200)
    relatedEntity: list[EntityRef] | None = Field(None, max_length=20)
    relatedParty: list[Json] | None = Field(None, max_length=20)
    baseType: Text | None = Field(None, alias="@baseType")
    schemaLocation: Text | None = Field(None, alias="@schemaLocation")
    type: Text | None = Field(None, alias="@type")


class TaskFlowUpdate(BaseModel):
    """``TaskFlow_Update``: only ``state: completed`` (with ``characteristic``)
    on an open desk task changes anything."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    state: Text | None = None
    characteristic: list[Characteristic] | None = Field(None, max_length=200)
    completionMethod: Text | None = None
    isMandatory: bool | None = None
    priority: int | None = None
    channel: list[Json] | None = None
    relatedEntity: list[Json] | None = None
    relatedParty: list[Json] | None = None
    taskFlowRelationship: list[Json] | None = None
    baseType: Text | None = Field(None, alias="@baseType")
    schemaLocation: Text | None = Field(None, alias="@schemaLocation")
    type: Text | None = Field(None, alias="@type")


# -- representation ----------------------------------------------------------------------


def _flow_href(base: str, instance_id: str) -> str:
    return f"{base}{BASE_PATH}/processFlow/{instance_id}"


def _related(inst: ProcessInstance) -> list[dict[str, Any]]:
    out = [
        {"id": inst.business_key, "role": "businessKey", "@referredType": "BusinessKey"},
    ]
    data = inst.data or {}
    for key, referred in (("serviceOrderId", "ServiceOrder"), ("productOrderId", "ProductOrder")):
        value = data.get(key)
        if isinstance(value, str) and value:
            out.append({"id": value, "role": key[: -len("Id")], "@referredType": referred})
    return out


def task_from_log(row: ProcessTaskLog, flow_href: str) -> dict[str, Any]:
    manual = row.task_type in ("userTask", "manualTask")
    return {
        "id": row.id,
        "href": f"{flow_href}/taskFlow/{row.id}",
        "taskFlowSpecification": row.task_id,
        "completionMethod": "manual" if manual else "automatic",
        "isMandatory": True,
        "priority": row.seq,
        "state": TASK_STATE.get(row.outcome, "hold"),
        "characteristic": [
            {"name": "taskName", "value": row.task_name},
            {"name": "taskType", "value": row.task_type},
            {"name": "implementation", "value": row.implementation},
            {"name": "outcome", "value": row.outcome},
            {"name": "startedAt", "value": row.started_at.isoformat()},
            {"name": "endedAt", "value": row.ended_at.isoformat()},
            {"name": "durationMs", "value": row.duration_ms},
            {"name": "detail", "value": row.detail},
        ],
        "@type": "TaskFlow",
        "@schemaLocation": SCHEMA,
    }


def task_from_desk(desk: DeskTask, flow_href: str) -> dict[str, Any]:
    state = {"open": "active", "completed": "completed", "cancelled": "cancelled"}[desk.status]
    chars: list[dict[str, Any]] = [
        {"name": "taskName", "value": desk.name},
        {"name": "taskType", "value": "userTask"},
        {"name": "lane", "value": desk.lane},
        {"name": "createdAt", "value": desk.created_at.isoformat()},
    ]
    if desk.completed_at is not None:
        chars.append({"name": "completedAt", "value": desk.completed_at.isoformat()})
        chars.append({"name": "completedBy", "value": desk.completed_by})
    for name, value in sorted((desk.result or {}).items()):
        chars.append({"name": name, "value": value})
    return {
        "id": desk.id,
        "href": f"{flow_href}/taskFlow/{desk.id}",
        "taskFlowSpecification": desk.task_id,
        "completionMethod": "manual",
        "isMandatory": True,
        "state": state,
        "characteristic": chars,
        "@type": "TaskFlow",
        "@schemaLocation": SCHEMA,
    }


def _tasks(session: Session, inst: ProcessInstance, flow_href: str) -> list[dict[str, Any]]:
    """Open desk tasks first (what waits for a person), then the task log in order.
    A completed desk task also has a task-log row: the desk row is shown, not both."""
    desks = list(
        session.scalars(
            select(DeskTask).where(DeskTask.instance_id == inst.id).order_by(DeskTask.created_at)
        )
    )
    desk_done = {(d.task_id, d.completed_by) for d in desks if d.status == "completed"}
    out = [task_from_desk(d, flow_href) for d in desks]
    for row in service.task_log(session, inst.id):
        if row.task_type == "userTask" and (row.task_id, row.detail) in desk_done:
            continue
        out.append(task_from_log(row, flow_href))
    return out


def flow_view(
    session: Session, inst: ProcessInstance, base: str, *, with_tasks: bool = True
) -> dict[str, Any]:
    href = _flow_href(base, inst.id)
    chars: list[dict[str, Any]] = [
        {"name": "engineStatus", "value": inst.status},
        {"name": "processVersion", "value": inst.version},
        {"name": "currentTaskIds", "value": list(inst.current or [])},
    ]
    if inst.last_error:
        chars.append({"name": "lastError", "value": inst.last_error})
    if inst.ended_at is not None:
        chars.append({"name": "endedAt", "value": inst.ended_at.isoformat()})
    doc: dict[str, Any] = {
        "id": inst.id,
        "href": href,
        "processFlowDate": inst.created_at.isoformat(),
        "processFlowSpecification": f"{inst.process_key}:{inst.version}",
        "state": FLOW_STATE[inst.status],
        "characteristic": chars,
        "relatedEntity": _related(inst),
        "@type": "ProcessFlow",
        "@schemaLocation": SCHEMA,
    }
    if with_tasks:
        doc["taskFlow"] = [
            {"id": t["id"], "href": t["href"], "@referredType": "TaskFlow"}
            for t in _tasks(session, inst, href)
        ]
    return doc


def _project(doc: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    if not fields:
        return doc
    keep = fields | {"id", "href", "@type"}
    return {k: v for k, v in doc.items() if k in keep}


def _fields(raw: str | None) -> set[str] | None:
    if raw is None or not raw.strip():
        return None
    return {f.strip().split(".")[0] for f in raw.split(",") if f.strip()}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def _query(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is not None and ("\x00" in raw or len(raw) > 160):
        raise ValidationFailed(f"{name} must be at most 160 characters, without NUL", field=name)
    return raw


def _spec(raw: str) -> tuple[str, int | None]:
    key, sep, version = raw.partition(":")
    if not sep:
        return key, None
    if not version.isdigit():
        raise ValidationFailed(
            "processFlowSpecification must be a process key or key:version",
            field="processFlowSpecification",
        )
    return key, int(version)


# -- events ------------------------------------------------------------------------------


def _publish_flow(session: Session, event_type: str, inst: ProcessInstance) -> None:
    publish(
        session,
        event_type,
        "processFlow",
        flow_view(session, inst, "", with_tasks=False),
        api=BASE_PATH,
        domain="fulfilment",
    )


def _on_closed(session: Session, inst: ProcessInstance, outcome: str) -> None:
    _publish_flow(session, "ProcessFlowStateChangeEvent", inst)


service.on_instance_closed(_on_closed)


# -- endpoints ---------------------------------------------------------------------------


@router.get(f"{BASE_PATH}/processFlow", name="list_process_flows")
def list_process_flows(
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: str | None = None,
    state: Annotated[str | None, Query(description="active, hold, completed, cancelled")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> Response:
    """Process flows newest first; filters ``state``, ``processFlowSpecification``
    (a key, or key:version) and ``relatedEntity.id`` (business key or order id)."""
    stmt = select(ProcessInstance)
    conds: list[Any] = []
    if state is not None:
        if state not in FLOW_STATUSES:
            raise ValidationFailed(
                f"state must be one of {', '.join(FLOW_STATUSES)}", field="state"
            )
        conds.append(ProcessInstance.status.in_(FLOW_STATUSES[state]))
    spec = _query(request, "processFlowSpecification")
    if spec:
        key, version = _spec(spec)
        conds.append(ProcessInstance.process_key == key)
        if version is not None:
            conds.append(ProcessInstance.version == version)
    related = _query(request, "relatedEntity.id")
    if related:
        conds.append(ProcessInstance.business_key == related)
    count = select(func.count()).select_from(ProcessInstance)
    for cond in conds:
        stmt, count = stmt.where(cond), count.where(cond)
    rows = session.scalars(
        stmt.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    total = int(session.scalar(count) or 0)
    base, wanted = base_url(request), _fields(fields)
    body = [
        _project(
            flow_view(session, r, base, with_tasks=wanted is None or "taskFlow" in wanted), wanted
        )
        for r in rows
    ]
    return _json(body, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(body))})


@router.get(f"{BASE_PATH}/processFlow/{{id}}", name="retrieve_process_flow")
def retrieve_process_flow(
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: str | None = None,
) -> Response:
    inst = service.get_instance(session, id)
    return _json(_project(flow_view(session, inst, base_url(request)), _fields(fields)))


@router.post(f"{BASE_PATH}/processFlow", name="create_process_flow", status_code=201)
def create_process_flow(
    request: Request,
    session: DbSession,
    principal: Starter,
    body: Annotated[ProcessFlowCreate, Body()],
) -> Response:
    """Start an instance of the process (latest version unless ``key:version``);
    ``characteristic`` name/value pairs are its data; the first ``relatedEntity``
    id is the business key (default: the new flow's id)."""
    key, version = _spec(body.processFlowSpecification)
    data: dict[str, Any] = {}
    for i, ch in enumerate(body.characteristic or []):
        if ch.name in data:
            raise ValidationFailed(
                f"characteristic '{ch.name}' is given twice", field=f"characteristic[{i}].name"
            )
        data[ch.name] = ch.value
    related = body.relatedEntity or []
    business_key = related[0].id if related else None
    try:
        inst = service.start(
            session, key, business_key=business_key or "tmf701", data=data, version=version
        )
    except NotFound as exc:
        raise ValidationFailed(exc.message, field="processFlowSpecification") from None
    if business_key is None:
        inst.business_key = inst.id
    session.flush()
    _publish_flow(session, "ProcessFlowCreateEvent", inst)
    doc = flow_view(session, inst, base_url(request))
    return _json(doc, status=201, headers={"Location": doc["href"]})


@router.delete(f"{BASE_PATH}/processFlow/{{id}}", name="delete_process_flow", status_code=204)
def delete_process_flow(id: ResourceId, session: DbSession, principal: Starter) -> Response:
    """Cancel an open flow (completed service tasks are compensated in reverse
    order). An ended flow is the order's history and is kept: 409."""
    inst = service.get_instance(session, id)
    if inst.status not in OPEN_STATUSES:
        raise Conflict(
            f"processFlow {id} has ended ({inst.status}); ended flows are kept", code="ENDED"
        )
    service.cancel(session, id, f"deleted through TMF701 by {principal.name}")
    return Response(status_code=204)


def _task(session: Session, inst: ProcessInstance, task_id: str, base: str) -> dict[str, Any]:
    href = _flow_href(base, inst.id)
    desk = session.get(DeskTask, task_id)
    if desk is not None and desk.instance_id == inst.id:
        return task_from_desk(desk, href)
    row = session.get(ProcessTaskLog, task_id)
    if row is not None and row.instance_id == inst.id:
        return task_from_log(row, href)
    raise NotFound(f"taskFlow {task_id} not found in processFlow {inst.id}", field="id")


@router.get(f"{BASE_PATH}/processFlow/{{processFlowId}}/taskFlow", name="list_task_flows")
def list_task_flows(
    processFlowId: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: str | None = None,
    state: str | None = None,
) -> Response:
    inst = service.get_instance(session, processFlowId)
    tasks = _tasks(session, inst, _flow_href(base_url(request), inst.id))
    if state is not None:
        tasks = [t for t in tasks if t["state"] == state]
    wanted = _fields(fields)
    body = [_project(t, wanted) for t in tasks]
    n = str(len(body))
    return _json(body, headers={"X-Total-Count": n, "X-Result-Count": n})


@router.get(f"{BASE_PATH}/processFlow/{{processFlowId}}/taskFlow/{{id}}", name="retrieve_task_flow")
def retrieve_task_flow(
    processFlowId: ResourceId,
    id: ResourceId,
    request: Request,
    session: ReadSession,
    principal: Reader,
    fields: str | None = None,
) -> Response:
    inst = service.get_instance(session, processFlowId)
    return _json(_project(_task(session, inst, id, base_url(request)), _fields(fields)))


@router.patch(f"{BASE_PATH}/processFlow/{{processFlowId}}/taskFlow/{{id}}", name="patch_task_flow")
def patch_task_flow(
    processFlowId: ResourceId,
    id: ResourceId,
    request: Request,
    session: DbSession,
    principal: DeskWorker,
    body: Annotated[TaskFlowUpdate, Body()],
) -> Response:
    """Complete an open desk task: ``state: completed``; its ``characteristic``
    become the task's result and the flow runs on. Anything else is refused."""
    inst = service.get_instance(session, processFlowId)
    desk = session.get(DeskTask, id)
    if desk is None or desk.instance_id != inst.id:
        if session.get(ProcessTaskLog, id) is not None:
            raise Conflict(f"taskFlow {id} has already run; only open desk tasks change")
        raise NotFound(f"taskFlow {id} not found in processFlow {inst.id}", field="id")
    if body.state != "completed":
        raise ValidationFailed(
            "only state 'completed' may be set on a taskFlow (it completes the desk task)",
            field="state",
        )
    result: dict[str, Any] = {}
    for i, ch in enumerate(body.characteristic or []):
        if ch.name in result:
            raise ValidationFailed(
                f"characteristic '{ch.name}' is given twice", field=f"characteristic[{i}].name"
            )
        result[ch.name] = ch.value
    desk = service.complete_desk_task(session, id, result, actor=principal.name)
    href = _flow_href(base_url(request), inst.id)
    doc = task_from_desk(desk, href)
    publish(
        session,
        "TaskFlowStateChangeEvent",
        "taskFlow",
        task_from_desk(desk, _flow_href("", inst.id)),
        api=BASE_PATH,
        domain="fulfilment",
    )
    return _json(doc)


router.include_router(make_hub_router(BASE_PATH))

__all__ = ["BASE_PATH", "flow_view", "router"]
