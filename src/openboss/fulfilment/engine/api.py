"""Process administration API (IT view of fulfilment), ``/api/fulfilment/v1``.

* ``processDefinitions``: list, get (with the BPMN XML), deploy (POST a BPMN
  file as the body, ``application/xml``, or as multipart field ``file``).
* ``processInstances``: list (filters ``state``, ``processKey``,
  ``businessKey``, ``stuck`` minutes without progress), get (task log, done and
  current task ids), ``retry``, ``skip`` {taskId, reason}, ``cancel`` {reason}.
* ``deskTasks``: list, ``complete`` (the JSON body is merged into the data).
* ``messages``: correlate a message (``message``, ``correlationKey``, ``payload``).

Roles: admin, noc and dispatcher read; admin writes (dispatcher may also
complete desk tasks).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from openboss.auth.deps import CurrentPrincipal, DbSession, require_roles
from openboss.fulfilment.engine import runner as _runner  # noqa: F401 - registers the poller
from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.models import DESK_STATUSES, INSTANCE_STATUSES
from openboss.kit.errors import ValidationFailed
from openboss.kit.tmf.schemas import ResourceId, Text, json_value

PREFIX = "/api/fulfilment/v1"
READ = Depends(require_roles("admin", "noc", "dispatcher"))
WRITE = Depends(require_roles("admin"))

router = APIRouter(prefix=PREFIX, tags=["process engine"])

Id = ResourceId
#: Query text without NUL or control characters.
NO_NUL = r"^[^\x00-\x1f]*$"
Offset = Annotated[int, Query(ge=0, le=100_000, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]


class SkipIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    task_id: Text = Field(alias="taskId", min_length=1, max_length=128)
    reason: Text = Field(min_length=1, max_length=1000)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=1000)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    message: Text = Field(min_length=1, max_length=128)
    correlation_key: Text = Field(alias="correlationKey", min_length=1, max_length=255)
    payload: Annotated[dict[str, Any], AfterValidator(json_value)] = Field(default_factory=dict)


# -- definitions ---------------------------------------------------------------------


@router.get("/processDefinitions", dependencies=[READ], name="list_process_definitions")
def list_process_definitions(
    session: DbSession,
    key: Annotated[
        str | None, Query(max_length=128, pattern=NO_NUL, description="Only this process.")
    ] = None,
) -> list[dict[str, Any]]:
    """Every deployed version, per process newest first (without the XML)."""
    return [service.definition_view(d) for d in service.list_definitions(session, key=key)]


@router.get("/processDefinitions/{key}", dependencies=[READ], name="get_process_definition")
def get_process_definition(
    session: DbSession,
    key: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f/]+$")],
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    """The latest (or the given) version with its BPMN XML."""
    return service.definition_view(service.get_definition(session, key, version), with_xml=True)


async def _bpmn_body(request: Request) -> bytes:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        try:
            form = await request.form()
        except Exception as exc:
            raise ValidationFailed(f"malformed multipart body: {exc}", field="file") from exc
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationFailed("the multipart body needs a file field 'file'", field="file")
        data = await upload.read()
    else:
        data = await request.body()
    if not data:
        raise ValidationFailed("the body must be a BPMN 2.0 XML document", field="file")
    return bytes(data)


@router.post(
    "/processDefinitions",
    dependencies=[WRITE],
    status_code=201,
    name="deploy_process_definition",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def deploy_process_definition(request: Request, session: DbSession) -> list[dict[str, Any]]:
    """Deploy the executable processes of a BPMN file (a new version only when
    a process changed). 400 names the problem: invalid BPMN, a service task
    without a registered handler."""
    data = await _bpmn_body(request)
    rows = service.deploy(session, data, source="api")
    return [service.definition_view(r) for r in rows]


# -- instances --------------------------------------------------------------------------


@router.get("/processInstances", dependencies=[READ], name="list_process_instances")
def list_process_instances(
    session: DbSession,
    response: Response,
    state: Annotated[
        str | None, Query(max_length=16, pattern=NO_NUL, description=", ".join(INSTANCE_STATUSES))
    ] = None,
    process_key: Annotated[
        str | None, Query(alias="processKey", max_length=128, pattern=NO_NUL)
    ] = None,
    business_key: Annotated[
        str | None, Query(alias="businessKey", max_length=128, pattern=NO_NUL)
    ] = None,
    stuck: Annotated[
        int | None,
        Query(ge=0, le=525_600, description="Open and without progress for more minutes."),
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """Instances newest first; ``X-Total-Count`` gives the total."""
    rows, total = service.list_instances(
        session,
        status=state,
        process_key=process_key,
        business_key=business_key,
        stuck_minutes=stuck,
        offset=offset,
        limit=limit,
    )
    response.headers["X-Total-Count"] = str(total)
    return [service.instance_summary(r) for r in rows]


@router.get("/processInstances/{id}", dependencies=[READ], name="get_process_instance")
def get_process_instance(session: DbSession, id: Id) -> dict[str, Any]:
    """State, data, done and current task ids, the task log and desk tasks."""
    return service.instance_view(session, id)


@router.post("/processInstances/{id}/retry", dependencies=[WRITE], name="retry_process_instance")
def retry_process_instance(session: DbSession, id: Id) -> dict[str, Any]:
    """Run an instance in incident now (409 otherwise)."""
    service.retry(session, id)
    return service.instance_view(session, id)


@router.post("/processInstances/{id}/skip", dependencies=[WRITE], name="skip_process_task")
def skip_process_task(session: DbSession, id: Id, body: SkipIn) -> dict[str, Any]:
    """Pass over the failing or waiting task ``taskId`` (audited with ``reason``)."""
    service.skip(session, id, body.task_id, body.reason)
    return service.instance_view(session, id)


@router.post("/processInstances/{id}/cancel", dependencies=[WRITE], name="cancel_process_instance")
def cancel_process_instance(session: DbSession, id: Id, body: CancelIn) -> dict[str, Any]:
    """Compensate the completed service tasks in reverse order, then cancel."""
    service.cancel(session, id, body.reason)
    return service.instance_view(session, id)


# -- desk tasks and messages ----------------------------------------------------------------


@router.get("/deskTasks", dependencies=[READ], name="list_desk_tasks")
def list_desk_tasks(
    session: DbSession,
    response: Response,
    status: Annotated[
        str | None, Query(max_length=16, pattern=NO_NUL, description=", ".join(DESK_STATUSES))
    ] = ("open"),
    business_key: Annotated[
        str | None, Query(alias="businessKey", max_length=128, pattern=NO_NUL)
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """Desk (user) tasks, newest first; open ones by default."""
    if status is not None and status not in DESK_STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(DESK_STATUSES)}", field="status")
    rows, total = service.list_desk_tasks(
        session, status=status, business_key=business_key, offset=offset, limit=limit
    )
    response.headers["X-Total-Count"] = str(total)
    return [service.desk_view(d) for d in rows]


@router.post(
    "/deskTasks/{id}/complete",
    dependencies=[Depends(require_roles("admin", "dispatcher"))],
    name="complete_desk_task",
)
def complete_desk_task(
    session: DbSession, id: Id, principal: CurrentPrincipal, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Complete an open desk task; the JSON object body is merged into the data."""
    try:
        json_value(body or {})
    except ValueError as exc:
        raise ValidationFailed(f"invalid body: {exc}", field="body") from exc
    desk = service.complete_desk_task(session, id, body or {}, actor=principal.name)
    return service.desk_view(desk)


@router.post("/messages", dependencies=[WRITE], name="correlate_process_message")
def correlate_process_message(session: DbSession, body: MessageIn) -> dict[str, Any]:
    """Correlate a message; the instances it was delivered to (none: kept)."""
    targets = service.correlate(session, body.message, body.correlation_key, body.payload)
    return {"instanceIds": targets, "buffered": not targets}
