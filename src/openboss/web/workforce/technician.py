"""Console: the technician's phone view — today's jobs (我的工单).

eTOM 1.4.2 workforce management / 1.5.2 resource provisioning: the crew
reports progress from the field. The signed-in person is matched to a
technician by the technician's user-name link; each job shows the address,
the arrival window and the customer's contact, with one big button for the
next step (accept → en route → on site) and, on site, the completion form
(the kind's completion data) or the failure form (a reason). Works at
390×844 without horizontal scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError, NotFound
from openboss.kit.tmf.http import base_url
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, gettext, redirect, render
from openboss.web.workforce.labels import (
    COMPLETION_LABELS,
    FIELD_STATE_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    VALUE_LABELS,
)
from openboss.workforce import kinds, service
from openboss.workforce.models import Technician, WorkOrder  # types only

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

MY_JOBS_URL: Final = "/console/workforce/my-jobs"
ROLES: Final[tuple[str, ...]] = ("technician", "partner")

nav.register(N_("Field work"), N_("My jobs"), MY_JOBS_URL, roles=ROLES, icon="phone", order=10)

Tech = Annotated[Principal, Depends(console_roles(*ROLES))]

#: The next step of the crew and its button label, by current field sub-state.
NEXT_STEP: Final[dict[str, tuple[str, str]]] = {
    "dispatched": ("accepted", N_("Accept")),
    "accepted": ("enRoute", N_("Set off")),
    "enRoute": ("onSite", N_("Arrived on site")),
}


@dataclass
class Job:
    """A job card."""

    order: WorkOrder
    address: str | None
    customer: str | None
    phone: str | None
    next_step: tuple[str, str] | None
    can_close: bool
    required: tuple[kinds.Required, ...]


def _job(order: WorkOrder) -> Job:
    customer = next(
        (p for p in order.related_party or [] if p.get("role") == "customer"),
        None,
    )
    open_ = order.state not in ("completed", "failed", "partial", "rejected", "cancelled")
    return Job(
        order=order,
        address=(order.place or {}).get("name"),
        customer=customer.get("name") if customer else None,
        phone=customer.get("contactPhone") if customer else None,
        next_step=NEXT_STEP.get(order.field_state or "") if open_ else None,
        can_close=open_ and order.field_state == "onSite" and order.state == "inProgress",
        required=kinds.COMPLETION.get(order.kind, ()),
    )


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    tech = service.technician_for_user(session, principal.scope, principal.name)
    jobs = [_job(o) for o in service.todays_jobs(session, principal.scope, tech)] if tech else []
    context: dict[str, Any] = {
        "technician": tech,
        "jobs": jobs,
        "errors": errors or {},
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "field_labels": FIELD_STATE_LABELS,
        "completion_labels": COMPLETION_LABELS,
        "value_labels": VALUE_LABELS,
        "done": request.query_params.get("done"),
    }
    return render(request, "workforce/my_jobs.html", context, status=status, principal=principal)


@router.get(MY_JOBS_URL, name="console_my_jobs")
def my_jobs(request: Request, principal: Tech, session: DbSession) -> Response:
    """Today's jobs of the signed-in technician."""
    return _page(request, session, principal)


def _me(session: DbSession, principal: Principal) -> Technician:
    tech = service.technician_for_user(session, principal.scope, principal.name)
    if tech is None:
        raise NotFound("you are not linked to a technician")
    return tech


def _actor(principal: Principal, lat: str, lon: str) -> service.Actor:
    def num(v: str) -> float | None:
        try:
            f = float(v)
        except ValueError:
            return None
        return f if -180 <= f <= 180 else None

    return service.Actor(principal.name, num(lat), num(lon))


def _failed(
    request: Request, session: DbSession, principal: Principal, ident: str, exc: AppError
) -> Response:
    session.rollback()
    return _page(request, session, principal, errors={ident: exc.message}, status=exc.status)


@router.post(MY_JOBS_URL + "/{ident}/step", name="console_my_job_step")
def job_step(
    request: Request,
    ident: str,
    principal: Tech,
    session: DbSession,
    step: Annotated[str, Form()] = "",
    latitude: Annotated[str, Form()] = "",
    longitude: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Accept, set off, arrive."""
    csrf.verify(request, csrf_token, principal.subject)
    tech = _me(session, principal)
    order = service.technician_job(session, principal.scope, tech, ident)
    try:
        service.move_field(
            session,
            principal.scope,
            order.id,
            step,
            base_url(request),
            _actor(principal, latitude, longitude),
        )
    except AppError as exc:
        return _failed(request, session, principal, ident, exc)
    return redirect(request, f"{MY_JOBS_URL}#job-{ident}")


@router.post(MY_JOBS_URL + "/{ident}/complete", name="console_my_job_complete")
async def job_complete(
    request: Request,
    ident: str,
    principal: Tech,
    session: DbSession,
) -> Response:
    """Complete with the kind's completion data (and optional notes)."""
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    csrf.verify(request, values.get("csrf_token"), principal.subject)
    _ = gettext(request)
    tech = _me(session, principal)
    order = service.technician_job(session, principal.scope, tech, ident)
    data = {r.name: values.get(r.name, "") for r in kinds.COMPLETION.get(order.kind, ())}
    if values.get("notes"):
        data["notes"] = values["notes"]
    missing = [name for name, value in data.items() if not value and name != "notes"]
    if missing:
        label = COMPLETION_LABELS.get(missing[0], missing[0])
        errors = {ident: _("Enter %(field)s.", field=_(label))}
        return _page(request, session, principal, errors=errors, status=400)
    try:
        service.complete(
            session,
            principal.scope,
            order.id,
            data,
            base_url(request),
            _actor(principal, values.get("latitude", ""), values.get("longitude", "")),
        )
    except AppError as exc:
        return _failed(request, session, principal, ident, exc)
    return redirect(request, f"{MY_JOBS_URL}?done=completed#job-{ident}")


@router.post(MY_JOBS_URL + "/{ident}/fail", name="console_my_job_fail")
def job_fail(
    request: Request,
    ident: str,
    principal: Tech,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Report the job failed, with a reason."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    tech = _me(session, principal)
    order = service.technician_job(session, principal.scope, tech, ident)
    if not reason.strip():
        errors = {ident: _("Say why the job failed.")}
        return _page(request, session, principal, errors=errors, status=400)
    try:
        service.fail(
            session,
            principal.scope,
            order.id,
            reason,
            base_url(request),
            service.Actor(principal.name),
        )
    except AppError as exc:
        return _failed(request, session, principal, ident, exc)
    return redirect(request, f"{MY_JOBS_URL}?done=failed#job-{ident}")
