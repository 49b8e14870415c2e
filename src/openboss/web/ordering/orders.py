"""Console: product orders (订单管理) and SLA business alarms, eTOM 1.1.1.5.

* the order list, filtered by state, customer, region and SLA state, paged;
* an order's detail with two tabs — the **business view** (milestones per item,
  who has it now, SLA time left coloured by urgency, prices, work orders,
  notifications sent) and the **IT view** (the BPMN diagram of each item's
  process instance) — and cancellation with a reason;
* the business alarms of SLA jeopardy and breach, with acknowledgement.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Depends, Form, Request
from jinja2 import TemplateNotFound
from sqlalchemy.orm import Session
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.engagement.communication import service as communication
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.errors import AppError
from openboss.kit.tmf.http import base_url
from openboss.kit.tmf.query import parse_list_query
from openboss.ordering import service as ordering
from openboss.ordering.models import PRODUCT_ORDER
from openboss.ordering.sla import service as sla
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    environment,
    redirect,
    render,
    request_locale,
    url_with,
)
from openboss.workforce import repository as workforce_repository
from openboss.workforce.models import WORK_ORDER_RESOURCE

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

ORDERS_URL: Final = "/console/ordering/orders"
ALARMS_URL: Final = "/console/ordering/alarms"
READ_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "noc", "dispatcher")
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager")
ACK_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "noc")
PAGE_SIZE: Final = 25

ORDER_STATE_LABELS: Final[dict[str, str]] = {
    "acknowledged": N_("Acknowledged"),
    "rejected": N_("Rejected"),
    "pending": N_("Pending"),
    "held": N_("Held"),
    "inProgress": N_("In progress"),
    "cancelled": N_("Cancelled"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "partial": N_("Partially completed"),
    "assessingCancellation": N_("Assessing cancellation"),
    "pendingCancellation": N_("Pending cancellation"),
}
SLA_STATE_LABELS: Final[dict[str, str]] = {
    "running": N_("On track"),
    "jeopardy": N_("In jeopardy"),
    "breached": N_("Breached"),
    "met": N_("Met"),
    "missed": N_("Missed"),
    "stopped": N_("Stopped"),
}
ALARM_KIND_LABELS: Final[dict[str, str]] = {
    "orderJeopardy": N_("SLA jeopardy"),
    "orderBreach": N_("SLA breach"),
}
ALARM_STATE_LABELS: Final[dict[str, str]] = {
    "raised": N_("Raised"),
    "acknowledged": N_("Acknowledged"),
    "cleared": N_("Cleared"),
    "open": N_("Open"),
}
#: Milestones the flows and service orders record (fulfilment.flows.handlers, serviceorder).
MILESTONE_LABELS: Final[dict[str, str]] = {
    "serviceOrderCreated": N_("Service order created"),
    "held": N_("Waiting for a related item"),
    "resourcesReserved": N_("Resources reserved"),
    "resourcesAllocated": N_("Resources allocated"),
    "resourcesReleased": N_("Resources released"),
    "numberAssigned": N_("Number assigned"),
    "appointmentBooked": N_("Appointment booked"),
    "appointmentPending": N_("Appointment to be agreed"),
    "workOrderCreated": N_("Work order created"),
    "workOrderEscalated": N_("Work order escalated"),
    "workOrderCompleted": N_("Work order completed"),
    "workOrderFailed": N_("Work order failed"),
    "workOrderCancelled": N_("Work order cancelled"),
    "ontRegistered": N_("ONT registered on the OLT"),
    "accountActivated": N_("Broadband account activated"),
    "iptvActivated": N_("IPTV activated"),
    "staticIpRouted": N_("Static IP routed"),
    "activationFailed": N_("Activation failed"),
    "accepted": N_("Accepted by the customer"),
    "activated": N_("Service activated"),
    "modified": N_("Service changed"),
    "suspended": N_("Service suspended"),
    "resumed": N_("Service resumed"),
    "terminated": N_("Service terminated"),
    "cpeRecovered": N_("Terminal recovered"),
    "cpeNotRecovered": N_("Terminal not recovered"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
ACTION_LABELS: Final[dict[str, str]] = {
    "add": N_("New"),
    "modify": N_("Change"),
    "delete": N_("Terminate"),
    "suspend": N_("Suspend"),
    "resume": N_("Resume"),
    "noChange": N_("No change"),
}
#: Who has an item now, when it is not a person or a partner company.
HOLDER_LABELS: Final[dict[str, str]] = {
    "system": N_("System"),
    "customer": N_("Customer"),
    "dispatch": N_("Dispatch"),
    "field": N_("Field crew"),
}
PERIOD_LABELS: Final[dict[str, str]] = {
    "month": N_("per month"),
    "year": N_("per year"),
    "week": N_("per week"),
    "day": N_("per day"),
}
MESSAGE_STATE_LABELS: Final[dict[str, str]] = {
    "initial": N_("Queued"),
    "inProgress": N_("Sending"),
    "completed": N_("Sent"),
    "cancelled": N_("Cancelled"),
    "failed": N_("Failed"),
}

nav.register(
    N_("Orders"), N_("Product orders"), ORDERS_URL, roles=READ_ROLES, icon="receipt", order=20
)
nav.register(N_("Orders"), N_("SLA alarms"), ALARMS_URL, roles=READ_ROLES, icon="alarm", order=30)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]
Acker = Annotated[Principal, Depends(console_roles(*ACK_ROLES))]


def sla_colour(clock: dict[str, Any] | None) -> str:
    """Bootstrap colour of an SLA clock: green on track, amber in jeopardy, red
    breached or missed, grey stopped."""
    if clock is None:
        return "secondary"
    return {
        "running": "success",
        "jeopardy": "warning",
        "breached": "danger",
        "met": "success",
        "missed": "danger",
    }.get(str(clock.get("state")), "secondary")


def time_left(seconds: int | None) -> dict[str, int] | None:
    """``{"days", "hours", "minutes", "negative"}`` of a number of seconds."""
    if seconds is None:
        return None
    negative = seconds < 0
    total = abs(seconds)
    return {
        "days": total // 86400,
        "hours": (total % 86400) // 3600,
        "minutes": (total % 3600) // 60,
        "negative": int(negative),
    }


def iso(value: Any) -> datetime | None:
    """An ISO 8601 text of a representation as a datetime (for the ``datetime`` filter)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _customer(order: dict[str, Any]) -> dict[str, Any]:
    return next(
        (p for p in order.get("relatedParty") or [] if (p.get("role") or "") == "customer"), {}
    )


# --------------------------------------------------------------------------- list


@router.get(ORDERS_URL, name="console_product_orders")
def orders(
    request: Request,
    principal: Reader,
    session: DbSession,
    state: str = "",
    customer: str = "",
    region: str = "",
    sla_state: str = "",
    page: int = 1,
) -> Response:
    """Product orders by state, customer, region and SLA state."""
    page = max(1, min(page, 10_000))
    params: list[tuple[str, str]] = [
        ("sort", "-orderDate"),
        ("offset", str((page - 1) * PAGE_SIZE)),
        ("limit", str(PAGE_SIZE)),
    ]
    if state in ORDER_STATE_LABELS:
        params.append(("state", state))
    if customer.strip():
        params.append(("relatedParty.id", customer.strip()))
    if region.strip():
        params.append(("regionId", region.strip()))
    error = None
    rows: list[dict[str, Any]] = []
    total = 0
    if sla_state in SLA_STATE_LABELS:
        ids = [
            c["productOrderId"]
            for c in sla.clocks_in_state(session, principal.scope, sla_state, limit=500)
        ]
        params.append(("id", ",".join(ids) if ids else "-none-"))
    try:
        query = parse_list_query(PRODUCT_ORDER, params)
        found = ordering.list_orders(session, principal.scope, query, base_url(request))
        rows, total = list(orjson.loads(found.body)), found.total
    except AppError as exc:
        error = exc.message
    clocks = sla.clocks_of(session, [r["id"] for r in rows])
    context: dict[str, Any] = {
        "orders": rows,
        "clocks": clocks,
        "total": total,
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "filters": {"state": state, "customer": customer, "region": region, "sla_state": sla_state},
        "error": error,
        "state_labels": ORDER_STATE_LABELS,
        "sla_labels": SLA_STATE_LABELS,
        "sla_colour": sla_colour,
        "time_left": time_left,
        "customer_of": _customer,
        "iso": iso,
        "page_url": lambda n: url_with(request, page=n),
        "can_write": principal.has_role(*WRITE_ROLES),
    }
    return render(request, "ordering/list.html", context, principal=principal)


# --------------------------------------------------------------------------- detail


def _work_orders(session: Session, principal: Principal, order_id: str, url: str) -> list[Any]:
    query = parse_list_query(WORK_ORDER_RESOURCE, [("relatedEntity.id", order_id)])
    try:
        page = workforce_repository.list_work_orders(session, query, principal.scope, url)
    except AppError:
        return []
    return list(orjson.loads(page.body))


def _has_template(request: Request, name: str) -> bool:
    try:
        environment(request_locale(request)).get_template(name)
    except TemplateNotFound:
        return False
    return True


def _detail(
    request: Request,
    session: Session,
    principal: Principal,
    order_id: str,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    url = base_url(request)
    order = ordering.get_order(session, principal.scope, order_id, url)
    try:
        business = ordering.business_view(session, principal.scope, order_id)
    except AppError:
        business = {"items": [], "sla": sla.clock_of(session, order_id)}
    clock = business.get("sla")
    try:
        service_orders = serviceorder.service_orders_of(session, order_id)
    except AppError:
        service_orders = []
    context: dict[str, Any] = {
        "o": order,
        "business": business,
        "clock": clock,
        "colour": sla_colour(clock),
        "left": time_left(clock.get("secondsLeft") if clock else None),
        "service_orders": service_orders,
        "work_orders": _work_orders(session, principal, order_id, url),
        "messages": communication.messages_about(session, order_id),
        "alarms": sla.alarms(session, principal.scope, object_id=order_id),
        "customer": _customer(order),
        "iso": iso,
        "tab": "it" if request.query_params.get("tab") == "it" else "business",
        "diagram_include": _has_template(request, "fulfilment/_diagram.html"),
        "errors": errors or {},
        "done": request.query_params.get("done"),
        "state_labels": ORDER_STATE_LABELS,
        "sla_labels": SLA_STATE_LABELS,
        "alarm_labels": ALARM_KIND_LABELS,
        "message_labels": MESSAGE_STATE_LABELS,
        "milestone_labels": MILESTONE_LABELS,
        "action_labels": ACTION_LABELS,
        "period_labels": PERIOD_LABELS,
        "holder_labels": HOLDER_LABELS,
        "can_write": principal.has_role(*WRITE_ROLES),
        "cancellable": order.get("state") in ("acknowledged", "pending", "held", "inProgress"),
    }
    return render(request, "ordering/detail.html", context, status=status, principal=principal)


@router.get(ORDERS_URL + "/{order_id}", name="console_product_order")
def order(request: Request, order_id: str, principal: Reader, session: DbSession) -> Response:
    """One order: business view and IT view."""
    return _detail(request, session, principal, order_id)


@router.post(ORDERS_URL + "/{order_id}/cancel", name="console_cancel_product_order")
def cancel(
    request: Request,
    order_id: str,
    principal: Writer,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Cancel with a reason (compensation undoes what fulfilment did)."""
    csrf.verify(request, csrf_token, principal.subject)
    text = reason.strip()
    if not text:
        from openboss.web.shell import gettext

        _ = gettext(request)
        return _detail(
            request,
            session,
            principal,
            order_id,
            errors={"reason": _("Give the reason for the cancellation.")},
            status=400,
        )
    try:
        ordering.cancel_order(session, principal.scope, order_id, text[:512])
    except AppError as exc:
        session.rollback()
        return _detail(
            request,
            session,
            principal,
            order_id,
            errors={"reason": exc.message},
            status=exc.status,
        )
    return redirect(request, f"{ORDERS_URL}/{order_id}?done=cancelled")


# --------------------------------------------------------------------------- alarms


@router.get(ALARMS_URL, name="console_sla_alarms")
def alarms(
    request: Request, principal: Reader, session: DbSession, state: str = "open", kind: str = ""
) -> Response:
    """SLA jeopardy and breach alarms, newest first."""
    state = state if state in ALARM_STATE_LABELS else "open"
    kind_filter = kind if kind in ALARM_KIND_LABELS else None
    rows = sla.alarms(session, principal.scope, state=state, kind=kind_filter, limit=200)
    context: dict[str, Any] = {
        "alarms": rows,
        "filters": {"state": state, "kind": kind},
        "kind_labels": ALARM_KIND_LABELS,
        "state_labels": ALARM_STATE_LABELS,
        "can_ack": principal.has_role(*ACK_ROLES),
        "iso": iso,
        "done": request.query_params.get("done"),
        "error": request.query_params.get("error"),
    }
    return render(request, "ordering/alarms.html", context, principal=principal)


@router.post(ALARMS_URL + "/{alarm_id}/acknowledge", name="console_ack_sla_alarm")
def acknowledge(
    request: Request,
    alarm_id: str,
    principal: Acker,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        sla.acknowledge(session, principal.scope, alarm_id, by=principal.name)
    except AppError as exc:
        session.rollback()
        return redirect(request, f"{ALARMS_URL}?error={exc.code}")
    return redirect(request, f"{ALARMS_URL}?done=acknowledged")
