"""Console: appointments (预约) — find a free slot for an address and book it.

eTOM 1.2.1 customer interaction / 1.4.2 workforce management. Search a
building, pick one of its addresses, a skill and a number of days: a day ×
slot grid shows how many technicians could still take each slot; book one for
a work order (and the customer's phone for the SMS). Upcoming appointments can
be rescheduled (re-checked) or cancelled with a reason. The rules live in
:mod:`openboss.workforce.appointments.service`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.kit.places import place_directory
from openboss.kit.tmf.http import base_url
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, redirect, render
from openboss.workforce import repository as wf_repository
from openboss.workforce.appointments import service, slots
from openboss.workforce.appointments.schemas import AppointmentCreate

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

URL: Final = "/console/workforce/appointments"
ROLES: Final[tuple[str, ...]] = ("dispatcher", "csr", "manager")

nav.register(
    N_("Field work"), N_("Appointments"), URL, roles=ROLES, icon="calendar-check", order=25
)

User = Annotated[Principal, Depends(console_roles(*ROLES))]


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    q: str = "",
    address: str = "",
    skill: str = "",
    level: int = 1,
    days: int = 7,
    work_order: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    directory = place_directory()
    sites = directory.search_sites(session, principal.scope, q, 10) if q.strip() else []
    addresses = [(s, directory.site_addresses(session, principal.scope, s.id)) for s in sites]
    grid: list[service.DayGrid] = []
    grid_error = None
    if address and skill:
        try:
            grid = service.preview(
                session,
                principal.scope,
                address_id=address,
                skill=skill,
                min_level=level,
                days=days,
                work_order_id=work_order or None,
            )
        except AppError as exc:
            grid_error = exc.message
    context: dict[str, Any] = {
        "q": q,
        "address": address,
        "skill": skill,
        "level": level,
        "days": days,
        "work_order": work_order,
        "addresses": addresses,
        "skills": wf_repository.list_skills(session),
        "grid": grid,
        "slot_hours": [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in slots.SLOTS],
        "upcoming": service.upcoming(session, principal.scope),
        "error": error or grid_error,
        "done": request.query_params.get("done"),
    }
    return render(
        request, "workforce/appointments/page.html", context, status=status, principal=principal
    )


@router.get(URL, name="console_appointments")
def appointments(
    request: Request,
    principal: User,
    session: DbSession,
    q: str = "",
    address: str = "",
    skill: str = "",
    level: int = 1,
    days: int = 7,
    work_order: str = "",
) -> Response:
    """Search slots and list upcoming appointments."""
    return _page(
        request,
        session,
        principal,
        q=q,
        address=address,
        skill=skill,
        level=max(1, min(level, 5)),
        days=max(1, min(days, 14)),
        work_order=work_order.strip(),
    )


def _slot(day: str, index: int) -> dict[str, str]:
    d = date.fromisoformat(day)
    start, end = slots.SLOTS[max(0, min(index, len(slots.SLOTS) - 1))]
    return {
        "startDateTime": slots.local(d, start).isoformat(),
        "endDateTime": slots.local(d, end).isoformat(),
    }


@router.post(URL + "/book", name="console_book_appointment")
def book(
    request: Request,
    principal: User,
    session: DbSession,
    address: Annotated[str, Form()] = "",
    skill: Annotated[str, Form()] = "",
    level: Annotated[int, Form()] = 1,
    day: Annotated[str, Form()] = "",
    slot: Annotated[int, Form()] = 0,
    work_order: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Book the chosen slot (re-checked: a taken slot is refused)."""
    csrf.verify(request, csrf_token, principal.subject)
    body: dict[str, Any] = {"validFor": _slot(day, slot) if day else {}}
    if work_order.strip():
        body["relatedEntity"] = [
            {"id": work_order.strip(), "role": "workOrder", "@referredType": "WorkOrder"}
        ]
        body["relatedPlace"] = {"id": address}
    else:
        body["relatedPlace"] = {"id": address}
        body["requiredSkill"] = {"skill": skill, "minLevel": level}
    if phone.strip():
        body["contactMedium"] = [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": phone.strip()}}
        ]
    try:
        data = AppointmentCreate.model_validate(body)
        service.book(session, principal.scope, data, base_url(request), principal.name)
    except (AppError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, AppError) else str(exc)
        return _page(
            request,
            session,
            principal,
            address=address,
            skill=skill,
            level=level,
            work_order=work_order,
            error=message,
            status=exc.status if isinstance(exc, AppError) else 400,
        )
    return redirect(request, f"{URL}?done=booked")


def _change(
    request: Request, session: DbSession, principal: Principal, ident: str, patch: dict[str, Any]
) -> Response:
    try:
        service.update(session, principal.scope, ident, patch, base_url(request), principal.name)
    except AppError as exc:
        session.rollback()
        return _page(request, session, principal, error=exc.message, status=exc.status)
    return redirect(request, f"{URL}?done=changed")


@router.post(URL + "/{ident}/reschedule", name="console_reschedule_appointment")
def reschedule(
    request: Request,
    ident: str,
    principal: User,
    session: DbSession,
    day: Annotated[str, Form()] = "",
    slot: Annotated[int, Form()] = 0,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Move to another slot (re-checked)."""
    csrf.verify(request, csrf_token, principal.subject)
    try:
        window = _slot(day, slot)
    except ValueError:
        return _page(request, session, principal, error=str(N_("Choose a day.")), status=400)
    return _change(request, session, principal, ident, {"validFor": window})


@router.post(URL + "/{ident}/cancel", name="console_cancel_appointment")
def cancel(
    request: Request,
    ident: str,
    principal: User,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Cancel with a reason."""
    csrf.verify(request, csrf_token, principal.subject)
    patch = {"status": "cancelled", "cancellationReason": reason.strip() or None}
    return _change(request, session, principal, ident, patch)
