"""Console: the dispatcher's work-order screens (施工调度).

eTOM 1.4.2 workforce management / 1.5.2 resource provisioning. A list of
work orders filtered by state, kind, region, executing partner, unassigned
and SLA at risk; a detail page with the field history, assignment to a
technician (validated by the work-order service: company, skills, working
day, leave) and the state moves the TMF697 table allows from the current
state. Partner users see their own company's orders only (row scope).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError
from openboss.kit.tmf.http import base_url
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, redirect, render
from openboss.web.workforce.labels import FIELD_STATE_LABELS, KIND_LABELS, STATE_LABELS
from openboss.workforce import service, states
from openboss.workforce.kinds import KINDS

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

ORDERS_URL: Final = "/console/workforce/orders"
READ_ROLES: Final[tuple[str, ...]] = ("dispatcher", "manager", "noc", "partner")
WRITE_ROLES: Final[tuple[str, ...]] = ("dispatcher", "manager", "noc", "partner")
#: An open order whose SLA deadline falls within this time is "at risk".
SLA_RISK: Final = timedelta(hours=4)
OPEN_STATES: Final = ("acknowledged", "pending", "held", "inProgress", "assessingCancellation")

nav.register(
    N_("Field work"),
    N_("Work orders"),
    ORDERS_URL,
    roles=("dispatcher", "manager", "noc", "partner"),
    icon="clipboard-check",
    order=20,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]


@router.get(ORDERS_URL, name="console_work_orders")
def work_orders(
    request: Request,
    principal: Reader,
    session: DbSession,
    state: str = "",
    kind: str = "",
    region: str = "",
    partner: str = "",
    unassigned: str = "",
    sla: str = "",
) -> Response:
    """Work orders by the dispatcher's filters."""
    partner_filter = partner if partner and partner != "own" else None
    rows = service.search_work_orders(
        session,
        principal.scope,
        states=[state] if state in states.WORK_ORDER.states else [],
        kind=kind if kind in KINDS else None,
        region_id=region.strip() or None,
        partner_id=partner_filter,
        own_only=partner == "own",
        unassigned=bool(unassigned),
        sla_before=utcnow() + SLA_RISK if sla else None,
        open_states=OPEN_STATES if sla else (),
    )
    context: dict[str, Any] = {
        "orders": rows,
        "filters": {
            "state": state,
            "kind": kind,
            "region": region,
            "partner": partner,
            "unassigned": unassigned,
            "sla": sla,
        },
        "partners": service.list_partners(session, principal.scope),
        "kinds": KINDS,
        "all_states": sorted(states.WORK_ORDER.states),
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "field_labels": FIELD_STATE_LABELS,
        "risk_before": utcnow() + SLA_RISK,
    }
    return render(request, "workforce/orders/list.html", context, principal=principal)


def _detail(
    request: Request,
    session: DbSession,
    principal: Principal,
    ident: str,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    order = service.get_work_order(session, principal.scope, ident)
    context: dict[str, Any] = {
        "o": order,
        "history": service.history(session, principal.scope, order.id),
        "technicians": service.eligible_technicians(session, principal.scope, order),
        "moves": sorted(states.WORK_ORDER.allowed(order.state)),
        "errors": errors or {},
        "done": done,
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "field_labels": FIELD_STATE_LABELS,
        "can_write": principal.has_role(*WRITE_ROLES),
    }
    return render(
        request, "workforce/orders/detail.html", context, status=status, principal=principal
    )


@router.get(ORDERS_URL + "/{ident}", name="console_work_order")
def work_order(request: Request, ident: str, principal: Reader, session: DbSession) -> Response:
    """One work order with its history."""
    return _detail(request, session, principal, ident, done=request.query_params.get("done"))


@router.post(ORDERS_URL + "/{ident}/assign", name="console_assign_work_order")
def assign(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    technician: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Assign or reassign to a technician (empty: unassign)."""
    csrf.verify(request, csrf_token, principal.subject)
    service.get_work_order(session, principal.scope, ident)
    patch = {"assignee": {"id": technician} if technician else None}
    try:
        service.update_work_order(
            session, principal.scope, ident, patch, base_url(request), service.Actor(principal.name)
        )
    except AppError as exc:
        session.rollback()
        return _detail(
            request, session, principal, ident, errors={"assign": exc.message}, status=exc.status
        )
    return redirect(request, f"{ORDERS_URL}/{ident}?done=assigned")


@router.post(ORDERS_URL + "/{ident}/state", name="console_move_work_order")
def move(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    state: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Move the TMF state (failing needs a reason; completion needs the data,
    which the technician's view or the API brings)."""
    csrf.verify(request, csrf_token, principal.subject)
    service.get_work_order(session, principal.scope, ident)
    patch: dict[str, Any] = {"state": state}
    if reason.strip():
        key = "cancellationReason" if state == "cancelled" else "failureReason"
        patch[key] = reason.strip()
    try:
        service.update_work_order(
            session, principal.scope, ident, patch, base_url(request), service.Actor(principal.name)
        )
    except AppError as exc:
        session.rollback()
        return _detail(
            request, session, principal, ident, errors={"state": exc.message}, status=exc.status
        )
    return redirect(request, f"{ORDERS_URL}/{ident}?done=moved")
