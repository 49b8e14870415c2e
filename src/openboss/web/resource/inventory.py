"""Console screens: resource search and resource detail (eTOM 1.5.1 resource
management — the PBOSS network view).

``/console/resource/resources`` finds resources by value or name, type,
lifecycle status, building and owner, a page at a time.
``/console/resource/resources/{id}`` shows one resource: characteristics,
containment (its containers and how many it contains), relationships, owner
and terms, usage history and transfers, and — for noc and admin — the
lifecycle actions (release, retire, make available) as CSRF-protected forms.
Everything goes through :mod:`openboss.resource.inventory`; rows outside the
reader's scope (regions, a partner's own network) do not exist for them.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.kit.places import place_directory
from openboss.resource.inventory import partners, resources, service, specs
from openboss.resource.inventory.models import LIFECYCLE_STATUSES
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, redirect, render, request_locale

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

URL: Final = "/console/resource/resources"
TEMPLATES: Final = "resource/inventory/"
READ_ROLES: Final[tuple[str, ...]] = ("admin", "noc", "csr", "dispatcher", "manager", "partner")
WRITE_ROLES: Final[tuple[str, ...]] = ("admin", "noc")
PAGE_SIZE: Final = 50

nav.register(
    N_("Resources"),
    N_("Resource search"),
    URL,
    roles=READ_ROLES,
    icon="hdd-network",
    order=20,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

STATUS_LABELS: Final[dict[str, str]] = {
    "planned": N_("Planned"),
    "available": N_("Available"),
    "reserved": N_("Reserved"),
    "allocated": N_("Allocated"),
    "released": N_("Released"),
    "retired": N_("Retired"),
}
TERMS_LABELS: Final[dict[str, str]] = {
    "own": N_("Own"),
    "lease": N_("Lease"),
    "revenueShare": N_("Revenue share"),
}
#: action → (target, label); release is allocated → released.
ACTIONS: Final[dict[str, str]] = {
    "release": N_("Release"),
    "retire": N_("Retire"),
    "available": N_("Make available"),
}


def _actions(status: str) -> list[str]:
    out = []
    if status == "allocated":
        out.append("release")
    if status in ("planned", "released"):
        out.append("available")
    if status in ("planned", "available", "released"):
        out.append("retire")
    return out


def _spec_names(session: DbSession, locale: str) -> dict[str, str]:
    return {s.id: specs.display_name(s, locale) for s in specs.list_specs(session)}


@router.get(URL, name="console_resources")
def resources_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    q: Annotated[str, Query(max_length=128)] = "",
    spec: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    site: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Search resources (a fragment when htmx refreshes the results)."""
    locale = request_locale(request)
    q = q.strip()
    rows, total = resources.search_resources(
        session,
        principal.scope,
        text=q or None,
        spec_id=spec or None,
        status=status if status in LIFECYCLE_STATUSES else None,
        site_id=site.strip() or None,
        owner=owner.strip() or None,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    site_ids = sorted({r.site_id for r in rows if r.site_id})
    sites = {s.id: s for s in place_directory().sites(session, principal.scope, site_ids)}
    params = {"q": q, "spec": spec, "status": status, "site": site, "owner": owner}
    context: dict[str, Any] = {
        "url": URL,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
        "params": params,
        "query": "&".join(f"{k}={v}" for k, v in params.items() if v),
        "spec_names": _spec_names(session, locale),
        "sites": sites,
        "partners": partners.list_partners(session, principal.scope),
        "status_labels": STATUS_LABELS,
    }
    template = "_results.html" if request.headers.get("HX-Request") else "index.html"
    return render(request, TEMPLATES + template, context, principal=principal)


def _detail_context(
    session: DbSession, principal: Principal, request: Request, ident: str
) -> dict[str, Any]:
    locale = request_locale(request)
    row = resources.get_resource(session, principal.scope, ident)
    spec = specs.get_spec(session, row.spec_id)
    site = place_directory().site(session, principal.scope, row.site_id) if row.site_id else None
    owner = None
    if row.partner_id:
        try:
            owner = partners.get_partner(session, principal.scope, row.partner_id)
        except AppError:
            owner = None
    return {
        "url": URL,
        "r": row,
        "spec": spec,
        "spec_name": specs.display_name(spec, locale),
        "site": site,
        "owner": owner,
        "chain": resources.parent_chain(session, principal.scope, row),
        "children": resources.count_children(session, row.id),
        "usage": service.usage_of_resource(session, principal.scope, row.id),
        "transfers": service.list_transfers(session, principal.scope, resource_id=row.id),
        "status_labels": STATUS_LABELS,
        "terms_labels": TERMS_LABELS,
        "actions": _actions(row.lifecycle_status) if principal.has_role(*WRITE_ROLES) else [],
        "action_labels": ACTIONS,
    }


@router.get(URL + "/{ident}", name="console_resource")
def resource_page(request: Request, principal: Reader, session: DbSession, ident: str) -> Response:
    """One resource with its containment, usage and transfers."""
    context = _detail_context(session, principal, request, ident)
    context["error"] = None
    return render(request, TEMPLATES + "detail.html", context, principal=principal)


@router.post(URL + "/{ident}/lifecycle", name="console_resource_lifecycle")
def resource_lifecycle(
    request: Request,
    principal: Writer,
    session: DbSession,
    ident: str,
    action: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Release, retire or make available; errors are shown on the page."""
    csrf.verify(request, csrf_token, principal.subject)
    resources.get_resource(session, principal.scope, ident)  # 404 first
    try:
        if action == "release":
            service.release(session, principal.scope, [ident], reason.strip() or "console")
        elif action == "retire":
            resources.change_lifecycle(session, principal.scope, ident, "retired")
        elif action == "available":
            resources.change_lifecycle(session, principal.scope, ident, "available")
        else:
            raise AppError(f"unknown action '{action}'", field="action")
    except AppError as exc:
        session.rollback()
        context = _detail_context(session, principal, request, ident)
        context["error"] = exc.message
        status = exc.status if exc.status in (400, 409) else 400
        return render(
            request, TEMPLATES + "detail.html", context, status=status, principal=principal
        )
    return redirect(request, f"{URL}/{ident}")
