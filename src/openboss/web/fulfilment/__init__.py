"""Console screens of the process engine (IT view of fulfilment): process
definitions and their diagrams (bpmn-js), process instances with their task
log, and administration (retry, skip with a reason, cancel — audited).

eTOM 1.3.2 service configuration & activation and 1.5.2 resource
provisioning run as these BPMN processes; the screens are for IT / NOC staff.

* ``/console/fulfilment/processes``: definitions, versions, diagram, deploy by upload
* ``/console/fulfilment/instances``: by state, process, business key, stuck
* ``/console/fulfilment/instances/{id}``: diagram with done (green) and current
  (blue) tasks, task log, data, desk tasks, actions
* ``fulfilment/_diagram.html`` (include with ``instance_id``): the diagram of one
  instance, loaded with htmx, for other screens (the order detail's IT view)
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.models import INSTANCE_STATUSES
from openboss.kit.errors import AppError, ValidationFailed
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, apply_console_headers, console_roles, redirect, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

PROCESSES_URL: Final = "/console/fulfilment/processes"
INSTANCES_URL: Final = "/console/fulfilment/instances"
READ_ROLES: Final[tuple[str, ...]] = ("admin", "noc", "dispatcher")
WRITE_ROLES: Final[tuple[str, ...]] = ("admin",)
#: Default of the "stuck" filter: open and no progress for this many minutes.
STUCK_MINUTES: Final = 60

STATUS_LABELS: Final[dict[str, str]] = {
    "running": N_("Running"),
    "waiting": N_("Waiting"),
    "incident": N_("Incident"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
OUTCOME_LABELS: Final[dict[str, str]] = {
    "completed": N_("Completed"),
    "error": N_("Business error"),
    "skipped": N_("Skipped"),
    "compensated": N_("Compensated"),
    "incident": N_("Incident"),
}

nav.register(
    N_("Fulfilment"),
    N_("Process definitions"),
    PROCESSES_URL,
    roles=READ_ROLES,
    icon="diagram-3",
    order=60,
)
nav.register(
    N_("Fulfilment"),
    N_("Process instances"),
    INSTANCES_URL,
    roles=READ_ROLES,
    icon="gear-wide-connected",
    order=61,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
#: The order screens' IT view shows an instance's diagram to whoever reads orders:
#: the diagram and the definition's XML hold no customer data.
DIAGRAM_ROLES: Final[tuple[str, ...]] = (*READ_ROLES, "csr", "manager")
DiagramReader = Annotated[Principal, Depends(console_roles(*DIAGRAM_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]


def _definitions_context(session: DbSession, key: str, version: str) -> dict[str, Any]:
    rows = service.list_definitions(session)
    by_key: dict[str, list[Any]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    selected = None
    if key in by_key:
        versions = by_key[key]
        selected = next((v for v in versions if str(v.version) == version), versions[0])
    elif by_key:
        selected = next(iter(by_key.values()))[0]
    return {
        "processes": by_key,
        "selected": selected,
        "counts": service.count_by_status(session),
    }


@router.get(PROCESSES_URL, name="console_processes")
def processes(
    request: Request, principal: Reader, session: DbSession, key: str = "", version: str = ""
) -> Response:
    """Deployed processes, their versions and the diagram of the selected one."""
    context = _definitions_context(session, key[:128], version[:16])
    context.update(
        {
            "errors": {},
            "done": request.query_params.get("done"),
            "can_write": principal.has_role(*WRITE_ROLES),
        }
    )
    return render(request, "fulfilment/processes.html", context, principal=principal)


@router.post(PROCESSES_URL, name="console_deploy_process")
async def deploy(
    request: Request,
    principal: Writer,
    session: DbSession,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Deploy an uploaded BPMN file."""
    csrf.verify(request, csrf_token, principal.subject)
    data = await file.read(service.MAX_XML_BYTES + 1) if file is not None else b""
    try:
        if not data:
            raise ValidationFailed("choose a BPMN file", field="file")
        rows = service.deploy(session, data, source="console")
    except AppError as exc:
        session.rollback()
        context = _definitions_context(session, "", "")
        context.update({"errors": {"file": exc.message}, "done": None, "can_write": True})
        return render(
            request, "fulfilment/processes.html", context, status=exc.status, principal=principal
        )
    first = rows[0]
    return redirect(
        request, f"{PROCESSES_URL}?key={first.key}&version={first.version}&done=deployed"
    )


@router.get(PROCESSES_URL + "/{key}/{version}/xml", name="console_process_xml")
def process_xml(
    request: Request, key: str, version: int, principal: DiagramReader, session: DbSession
) -> Response:
    """The BPMN XML of one version (what bpmn-js renders)."""
    row = service.get_definition(session, key, version)
    response = Response(row.xml, media_type="application/xml")
    return apply_console_headers(request, response, private=True)


@router.get(INSTANCES_URL, name="console_process_instances")
def instances(
    request: Request,
    principal: Reader,
    session: DbSession,
    state: str = "",
    key: str = "",
    business_key: str = "",
    stuck: str = "",
    page: int = 1,
) -> Response:
    """Process instances by state, process, business key; stuck ones."""
    page = max(1, min(page, 10_000))
    stuck_minutes = None
    if stuck:
        stuck_minutes = int(stuck) if stuck.isdigit() and len(stuck) < 7 else STUCK_MINUTES
    rows, total = service.list_instances(
        session,
        status=state if state in INSTANCE_STATUSES else None,
        process_key=key.strip()[:128] or None,
        business_key=business_key.strip()[:128] or None,
        stuck_minutes=stuck_minutes,
        offset=(page - 1) * 50,
        limit=50,
    )
    context = {
        "instances": rows,
        "total": total,
        "page": page,
        "pages": max(1, (total + 49) // 50),
        "filters": {"state": state, "key": key, "business_key": business_key, "stuck": stuck},
        "statuses": INSTANCE_STATUSES,
        "status_labels": STATUS_LABELS,
        "counts": service.count_by_status(session),
        "stuck_default": STUCK_MINUTES,
    }
    return render(request, "fulfilment/instances.html", context, principal=principal)


def _instance(
    request: Request,
    session: DbSession,
    principal: Principal,
    ident: str,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = service.instance_view(session, ident)
    context = {
        "i": view,
        "errors": errors or {},
        "done": request.query_params.get("done"),
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "can_write": principal.has_role(*WRITE_ROLES),
        "open": view["status"] in ("running", "waiting", "incident"),
    }
    return render(request, "fulfilment/instance.html", context, status=status, principal=principal)


@router.get(INSTANCES_URL + "/{ident}", name="console_process_instance")
def instance(request: Request, ident: str, principal: Reader, session: DbSession) -> Response:
    """One instance: diagram with done and current tasks, task log, data."""
    return _instance(request, session, principal, ident[:64])


@router.get(INSTANCES_URL + "/{ident}/diagram", name="console_process_instance_diagram")
def instance_diagram(
    request: Request, ident: str, principal: DiagramReader, session: DbSession
) -> Response:
    """The diagram fragment of one instance (for ``fulfilment/_diagram.html``)."""
    view = service.instance_view(session, ident[:64])
    return render(
        request,
        "fulfilment/_diagram_body.html",
        {"i": view, "status_labels": STATUS_LABELS},
        principal=principal,
    )


def _act(
    request: Request,
    session: DbSession,
    principal: Principal,
    ident: str,
    action: str,
    fn: Any,
) -> Response:
    try:
        fn()
    except AppError as exc:
        session.rollback()
        return _instance(
            request, session, principal, ident, errors={action: exc.message}, status=exc.status
        )
    return redirect(request, f"{INSTANCES_URL}/{ident}?done={action}")


@router.post(INSTANCES_URL + "/{ident}/retry", name="console_retry_instance")
def retry(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Run an instance in incident now."""
    csrf.verify(request, csrf_token, principal.subject)
    return _act(request, session, principal, ident, "retry", lambda: service.retry(session, ident))


@router.post(INSTANCES_URL + "/{ident}/skip", name="console_skip_task")
def skip(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    task_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Pass over a failing or waiting task (a reason is required; audited)."""
    csrf.verify(request, csrf_token, principal.subject)
    return _act(
        request,
        session,
        principal,
        ident,
        "skip",
        lambda: service.skip(session, ident, task_id, reason),
    )


@router.post(INSTANCES_URL + "/{ident}/cancel", name="console_cancel_instance")
def cancel(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Compensate and cancel an open instance."""
    csrf.verify(request, csrf_token, principal.subject)
    return _act(
        request,
        session,
        principal,
        ident,
        "cancel",
        lambda: service.cancel(session, ident, reason or "cancelled in the console"),
    )
