"""Console screens of customer interface management — eTOM 1.1.1.2.

* ``/console/party/interactions`` — open contacts, exceptions (escalated or
  past the channel's SLA) or all contacts, filtered by channel, reason and
  status (htmx fragment ``#interactions-table``);
* ``/console/party/interactions/new?customerId=`` — log a contact (customer
  picked by id, channel, reason from the taxonomy, description, optional
  immediate closure with an outcome);
* ``/console/party/interactions/{id}`` — detail with route, close, cancel and
  escalate actions;
* ``/console/party/interactions/reasons`` — the reason taxonomy (manager);
* ``/console/party/interactions/report`` — contacts per period, channel,
  reason and outcome, with a CSV download.

``party/interactions/_timeline.html`` is the fragment the customer 360 view
includes (context from :func:`openboss.party.interaction.service.timeline_context`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError, ValidationFailed
from openboss.kit.tmf.http import validate
from openboss.party.customer.service import customer_facts
from openboss.party.interaction import report as contact_report
from openboss.party.interaction import service, taxonomy
from openboss.party.interaction.schemas import PartyInteractionCreate
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
    request_locale,
    url_with,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

LIST_URL: Final = "/console/party/interactions"
NEW_URL: Final = LIST_URL + "/new"
REASONS_URL: Final = LIST_URL + "/reasons"
REPORT_URL: Final = LIST_URL + "/report"

#: Who sees contacts, who logs and handles them, who edits reasons, who reads the report.
VIEW_ROLES: Final = ("csr", "manager", "marketing")
HANDLE_ROLES: Final = ("csr", "manager")
REASON_ROLES: Final = ("manager",)
REPORT_ROLES: Final = ("manager", "marketing")

SECTION: Final = N_("Customers")
nav.register(SECTION, N_("Customer contacts"), LIST_URL, roles=VIEW_ROLES, icon="headset", order=40)
nav.register(
    SECTION, N_("Contact report"), REPORT_URL, roles=REPORT_ROLES, icon="bar-chart", order=45
)
nav.register(
    SECTION, N_("Contact reasons"), REASONS_URL, roles=REASON_ROLES, icon="diagram-3", order=46
)

Viewer = Annotated[Principal, Depends(console_roles(*VIEW_ROLES))]
Handler = Annotated[Principal, Depends(console_roles(*HANDLE_ROLES))]
ReasonAdmin = Annotated[Principal, Depends(console_roles(*REASON_ROLES))]
ReportReader = Annotated[Principal, Depends(console_roles(*REPORT_ROLES))]

PAGE_SIZE: Final = 25
VIEWS: Final = ("open", "exceptions", "all")
STATUSES: Final = ("open", "inProgress", "completed", "cancelled")
LOCAL_TZ: Final = ZoneInfo(contact_report.REPORT_TIMEZONE)


def _reason_options(session: DbSession, locale: str, *, active_only: bool) -> list[tuple[str, str]]:
    """``(code, label)`` of the reasons, children indented under their parents."""
    options = []
    depth: dict[str, int] = {}
    for node in taxonomy.all_reasons(session, active_only=active_only):
        level = depth.get(node.parent_code, -1) + 1 if node.parent_code else 0
        depth[node.code] = level
        options.append((node.code, "\u3000" * level + node.label(locale)))
    return options


def _reason_labels(session: DbSession, locale: str) -> dict[str, str]:
    names = taxonomy.reason_names(session)
    zh = locale.startswith("zh")
    return {code: (name if zh or not en else en) for code, (name, en) in names.items()}


# ---- the list -----------------------------------------------------------------


@router.get(LIST_URL, name="console_interactions")
def interactions_page(
    request: Request,
    principal: Viewer,
    session: DbSession,
    view: Annotated[str, Query(max_length=16)] = "open",
    channel: Annotated[str, Query(max_length=32)] = "",
    reason: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Open contacts (default), exceptions or all contacts, with filters."""
    if view not in VIEWS:
        raise ValidationFailed(f"view must be one of {', '.join(VIEWS)}", field="view")
    if channel and channel not in taxonomy.CHANNELS:
        raise ValidationFailed("unknown channel", field="channel")
    if status and status not in STATUSES:
        raise ValidationFailed("unknown status", field="status")
    scope = principal.scope
    offset = (page - 1) * PAGE_SIZE
    if view == "exceptions":
        result = service.exception_contacts(
            session, scope, channel=channel or None, reason=reason or None, offset=offset,
            limit=PAGE_SIZE,
        )  # fmt: skip
    elif view == "open" and not status:
        result = service.open_contacts(
            session, scope, channel=channel or None, reason=reason or None, offset=offset,
            limit=PAGE_SIZE,
        )  # fmt: skip
    else:
        result = service.list_contacts(
            session,
            scope,
            statuses=(status,) if status else None,
            channel=channel or None,
            reason=reason or None,
            offset=offset,
            limit=PAGE_SIZE,
        )
    locale = request_locale(request)
    pages = max(1, -(-result.total // PAGE_SIZE))
    context: dict[str, Any] = {
        "contacts": result.rows,
        "total": result.total,
        "page": page,
        "pages": pages,
        "page_url": lambda n: url_with(request, page=n if n > 1 else None),
        "view": view,
        "views": VIEWS,
        "view_url": lambda v: url_with(request, view=v if v != "open" else None, page=None),
        "filters": {"channel": channel, "reason": reason, "status": status},
        "channels": list(taxonomy.CHANNELS),
        "statuses": STATUSES,
        "reason_options": _reason_options(session, locale, active_only=False),
        "reason_labels": _reason_labels(session, locale),
        "can_handle": principal.has_role(*HANDLE_ROLES),
        "list_url": LIST_URL,
        "new_url": NEW_URL,
    }
    if htmx_target(request) == "interactions-table":
        return render(request, "party/interactions/_table.html", context, principal=principal)
    return render(request, "party/interactions/list.html", context, principal=principal)


# ---- logging a contact --------------------------------------------------------------


@dataclass
class ContactForm:
    """The log-contact form as typed, shown again with its errors."""

    customer_id: str = ""
    region_id: str = ""
    direction: str = "inbound"
    channel: str = "callCentre"
    reason: str = ""
    description: str = ""
    close_now: bool = False
    outcome: str = ""
    errors: dict[str, str] = field(default_factory=dict)


#: Where a service error's field shows on the form.
_FORM_FIELDS: Final = {
    "relatedParty": "customer_id",
    "regionId": "region_id",
    "direction": "direction",
    "channel": "channel",
    "reason": "reason",
    "description": "description",
    "outcome": "outcome",
    "status": "outcome",
}


def _form_field(api_field: str | None) -> str:
    if not api_field:
        return "form"
    head = api_field.split(".", 1)[0]
    return _FORM_FIELDS.get(head, "form")


def _new_context(
    request: Request, session: DbSession, principal: Principal, form: ContactForm
) -> dict[str, Any]:
    _ = gettext(request)
    locale = request_locale(request)
    customer = None
    if form.customer_id:
        try:
            customer = customer_facts(session, principal.scope, form.customer_id)
        except AppError:
            form.errors.setdefault("customer_id", _("No customer with this id in your regions."))
    return {
        "form": form,
        "customer": customer,
        "channels": list(taxonomy.CHANNELS),
        "outcomes": list(taxonomy.OUTCOMES),
        "reason_options": _reason_options(session, locale, active_only=True),
        "regions": sorted(principal.scope.regions) if principal.scope.regions is not None else None,
        "list_url": LIST_URL,
        "new_url": NEW_URL,
    }


@router.get(NEW_URL, name="console_new_interaction")
def new_interaction_page(
    request: Request,
    principal: Handler,
    session: DbSession,
    customer_id: Annotated[str, Query(alias="customerId", max_length=64)] = "",
    channel: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The log-contact form, for the customer named by ``customerId`` if any."""
    form = ContactForm(customer_id=customer_id.strip())
    if channel in taxonomy.CHANNELS:
        form.channel = channel
    context = _new_context(request, session, principal, form)
    return render(request, "party/interactions/new.html", context, principal=principal)


@router.post(LIST_URL, name="console_log_interaction")
def log_interaction(
    request: Request,
    principal: Handler,
    session: DbSession,
    customer_id: Annotated[str, Form()] = "",
    region_id: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "inbound",
    channel: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    close_now: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Log the contact; rule violations come back inline on the form."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = ContactForm(
        customer_id=customer_id.strip(),
        region_id=region_id.strip(),
        direction=direction,
        channel=channel,
        reason=reason,
        description=description.strip(),
        close_now=bool(close_now),
        outcome=outcome,
    )
    if not form.reason:
        form.errors["reason"] = _("Choose a reason.")
    if form.close_now and not form.outcome:
        form.errors["outcome"] = _("Choose the outcome of the contact.")
    if not form.errors:
        payload: dict[str, Any] = {
            "direction": form.direction,
            "channel": [{"id": form.channel}],
            "reason": form.reason,
        }
        if form.description:
            payload["description"] = form.description
        if form.customer_id:
            payload["relatedParty"] = [
                {"id": form.customer_id, "role": "customer", "@referredType": "Customer"}
            ]
        if form.region_id:
            payload["regionId"] = form.region_id
        if form.close_now:
            payload["status"] = "completed"
            payload["outcome"] = form.outcome
        try:
            data = validate(PartyInteractionCreate, payload)
            written = service.create_interaction(
                session, principal.scope, data, str(request.base_url), actor=principal.name
            )
        except AppError as exc:
            session.rollback()
            form.errors[_form_field(exc.field)] = exc.message
        else:
            return redirect(request, f"{LIST_URL}/{written.interaction.id}")
    context = _new_context(request, session, principal, form)
    return render(request, "party/interactions/new.html", context, status=400, principal=principal)


# ---- reasons ------------------------------------------------------------------------


def _reasons_context(
    request: Request, session: DbSession, errors: dict[str, str], notice: str | None
) -> dict[str, Any]:
    locale = request_locale(request)
    nodes = taxonomy.all_reasons(session)
    depth: dict[str, int] = {}
    rows = []
    for node in nodes:
        level = depth.get(node.parent_code, -1) + 1 if node.parent_code else 0
        depth[node.code] = level
        rows.append((node, level))
    return {
        "rows": rows,
        "routes": list(taxonomy.ROUTE_TARGETS),
        "parent_options": _reason_options(session, locale, active_only=False),
        "errors": errors,
        "notice": notice,
        "reasons_url": REASONS_URL,
    }


@router.get(REASONS_URL, name="console_interaction_reasons")
def reasons_page(request: Request, principal: ReasonAdmin, session: DbSession) -> Response:
    """The reason taxonomy, editable."""
    context = _reasons_context(request, session, {}, None)
    return render(request, "party/interactions/reasons.html", context, principal=principal)


@router.post(REASONS_URL, name="console_create_interaction_reason")
def create_reason(
    request: Request,
    principal: ReasonAdmin,
    session: DbSession,
    code: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    name_en: Annotated[str, Form(max_length=128)] = "",
    parent_code: Annotated[str, Form(max_length=64)] = "",
    routes_to: Annotated[str, Form(max_length=32)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a reason."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    errors: dict[str, str] = {}
    code, name = code.strip(), name.strip()
    if not code:
        errors["code"] = _("Enter a code.")
    if not name:
        errors["name"] = _("Enter a name.")
    if not errors:
        try:
            taxonomy.create_reason(
                session,
                code=code,
                name=name,
                name_en=name_en.strip() or None,
                parent_code=parent_code or None,
                routes_to=routes_to or None,
            )
        except AppError as exc:
            session.rollback()
            errors["code" if exc.field in (None, "code") else "form"] = exc.message
        else:
            return redirect(request, REASONS_URL)
    context = _reasons_context(request, session, errors, None)
    return render(
        request, "party/interactions/reasons.html", context, status=400, principal=principal
    )


@router.post(REASONS_URL + "/{code}", name="console_update_interaction_reason")
def update_reason(
    request: Request,
    principal: ReasonAdmin,
    session: DbSession,
    code: str,
    name: Annotated[str, Form(max_length=128)] = "",
    name_en: Annotated[str, Form(max_length=128)] = "",
    routes_to: Annotated[str, Form(max_length=32)] = "",
    active: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Rename a reason, change its route, switch it on or off."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    if not name.strip():
        context = _reasons_context(request, session, {"form": _("Enter a name.")}, None)
        return render(
            request, "party/interactions/reasons.html", context, status=400, principal=principal
        )
    taxonomy.update_reason(
        session,
        code,
        {
            "name": name.strip(),
            "name_en": name_en.strip() or None,
            "routes_to": routes_to or None,
            "active": bool(active),
        },
    )
    return redirect(request, REASONS_URL)


# ---- the report ----------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


@router.get(REPORT_URL, name="console_contact_report")
def report_page(
    request: Request,
    principal: ReportReader,
    session: DbSession,
    period: Annotated[str, Query(max_length=8)] = "day",
    start: Annotated[date | None, Query()] = None,
    end: Annotated[date | None, Query()] = None,
    format: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """Contacts per period (local days, weeks, months), channel, reason and
    outcome between two local dates (both included); ``format=csv`` downloads."""
    _ = gettext(request)
    today = datetime.now(LOCAL_TZ).date()
    last = end or today
    first = start or (last - timedelta(days=6))
    if last < first:
        raise ValidationFailed("end is before start", field="end")
    if (last - first).days > 3660:
        raise ValidationFailed("choose at most ten years", field="start")
    rows = contact_report.contact_report(
        session,
        principal.scope,
        period=period,
        start=_local_midnight(first),
        end=_local_midnight(last + timedelta(days=1)),
    )
    labels = _reason_labels(session, request_locale(request))
    if format == "csv":
        text = contact_report.report_csv(
            rows,
            reason_label=lambda code: labels.get(code, code),
            headers=(_("Period"), _("Channel"), _("Reason"), _("Outcome"), _("Contacts")),
        )
        filename = f"contact-report-{period}-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            "\ufeff" + text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    context = {
        "rows": rows,
        "total": sum(r.count for r in rows),
        "period": period,
        "periods": contact_report.PERIODS,
        "start": first,
        "end": last,
        "reason_labels": labels,
        "csv_url": url_with(
            request, format="csv", period=period, start=first.isoformat(), end=last.isoformat()
        ),
        "report_url": REPORT_URL,
    }
    return render(request, "party/interactions/report.html", context, principal=principal)


# ---- one contact ---------------------------------------------------------------------


def _detail_context(
    request: Request,
    session: DbSession,
    principal: Principal,
    ident: str,
    problem: str | None = None,
) -> dict[str, Any]:
    contact = service.get_contact(session, principal.scope, ident)
    locale = request_locale(request)
    return {
        "c": contact,
        "reason_labels": _reason_labels(session, locale),
        "default_route": taxonomy.effective_route(session, contact.reason),
        "routes": list(taxonomy.ROUTE_TARGETS),
        "outcomes": list(taxonomy.OUTCOMES),
        "can_handle": principal.has_role(*HANDLE_ROLES),
        "problem": problem,
        "list_url": LIST_URL,
        "detail_url": f"{LIST_URL}/{contact.id}",
    }


@router.get(LIST_URL + "/{ident}", name="console_interaction")
def interaction_page(
    request: Request, principal: Viewer, session: DbSession, ident: str
) -> Response:
    """One contact: what happened, what it started, how it ended."""
    context = _detail_context(request, session, principal, ident)
    return render(request, "party/interactions/detail.html", context, principal=principal)


def _act(
    request: Request,
    principal: Principal,
    session: DbSession,
    ident: str,
    csrf_token: str,
    action: Any,
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        action()
    except AppError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        context = _detail_context(request, session, principal, ident, problem=exc.message)
        return render(
            request,
            "party/interactions/detail.html",
            context,
            status=exc.status if exc.status in (400, 409) else 400,
            principal=principal,
        )
    return redirect(request, f"{LIST_URL}/{ident}")


@router.post(LIST_URL + "/{ident}/route", name="console_route_interaction")
def route_interaction(
    request: Request,
    principal: Handler,
    session: DbSession,
    ident: str,
    target_type: Annotated[str, Form(max_length=32)] = "",
    target_id: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        principal,
        session,
        ident,
        csrf_token,
        lambda: service.route_interaction(
            session,
            principal.scope,
            ident,
            target_type=target_type or None,
            target_id=target_id.strip() or None,
            actor=principal.name,
            base_url=str(request.base_url),
        ),
    )


@router.post(LIST_URL + "/{ident}/close", name="console_close_interaction")
def close_interaction(
    request: Request,
    principal: Handler,
    session: DbSession,
    ident: str,
    outcome: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        principal,
        session,
        ident,
        csrf_token,
        lambda: service.close_interaction(
            session,
            principal.scope,
            ident,
            outcome=outcome,
            note=note.strip() or None,
            actor=principal.name,
            base_url=str(request.base_url),
        ),
    )


@router.post(LIST_URL + "/{ident}/cancel", name="console_cancel_interaction")
def cancel_interaction(
    request: Request,
    principal: Handler,
    session: DbSession,
    ident: str,
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        principal,
        session,
        ident,
        csrf_token,
        lambda: service.cancel_interaction(
            session,
            principal.scope,
            ident,
            note=note.strip() or None,
            actor=principal.name,
            base_url=str(request.base_url),
        ),
    )


@router.post(LIST_URL + "/{ident}/escalate", name="console_escalate_interaction")
def escalate_interaction(
    request: Request,
    principal: Handler,
    session: DbSession,
    ident: str,
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        principal,
        session,
        ident,
        csrf_token,
        lambda: service.escalate_interaction(
            session,
            principal.scope,
            ident,
            note=note.strip() or None,
            actor=principal.name,
            base_url=str(request.base_url),
        ),
    )
