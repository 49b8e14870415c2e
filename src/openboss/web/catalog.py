"""Console screens of the product catalog — eTOM 1.1.1.1 (product readiness).

* **Offerings** (marketing, manager, csr): the catalog browser, filtered by
  lifecycle status and a text in the name or id (htmx partial updates, plain
  links without JavaScript).
* **Offering page**: characteristics of its specification, prices (with the
  price model in words), bundle members and their cardinality, eligibility
  (regions, segments, channels), the fulfilment mapping (delivery rules,
  CFS → RFS → resource specs), the version history and the readiness report,
  with lifecycle actions (marketing, manager) that go through the same use
  case as the API: a launch that is not ready is refused with its reasons.

The offering page also edits the commercial attributes of an offering
(names in both languages, description, regions, market segments, channels;
a launched offering gets a new version) and withdraws a scheduled version.
Not built yet: editors for prices, characteristics, bundle members and the
mapping (the API and the YAML import change those).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.catalog import browse, service
from openboss.catalog.schemas import IN_DESIGN, IN_TEST, LAUNCHED, RETIRED
from openboss.kit.errors import AppError, ValidationFailed
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

READ_ROLES: Final = ("marketing", "manager", "csr")
WRITE_ROLES: Final = ("marketing", "manager")
SECTION: Final = N_("Catalog")
OFFERINGS_URL: Final = "/console/catalog/offerings"
PAGE_SIZE: Final = 25

nav.register(
    SECTION, N_("Product offerings"), OFFERINGS_URL, roles=READ_ROLES, icon="box-seam", order=10
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

#: Lifecycle statuses as people read them.
STATUS_LABELS: Final[dict[str, str]] = {
    IN_DESIGN: N_("In design"),
    IN_TEST: N_("In test"),
    LAUNCHED: N_("Launched"),
    RETIRED: N_("Retired"),
}
STATUS_CLASSES: Final[dict[str, str]] = {LAUNCHED: "is-ok", RETIRED: "is-off"}
#: The button that moves an offering to a status.
ACTION_LABELS: Final[dict[str, str]] = {
    IN_DESIGN: N_("Back to design"),
    IN_TEST: N_("Start testing"),
    LAUNCHED: N_("Launch"),
    RETIRED: N_("Retire"),
}
FINDING_LABELS: Final[dict[str, str]] = {
    "passed": N_("Passed"),
    "failed": N_("Missing"),
    "pending": N_("Pending"),
}
CHECK_LABELS: Final[dict[str, str]] = {
    "prices": N_("Prices"),
    "specification": N_("Specification and members"),
    "eligibility": N_("Eligibility"),
    "delivery": N_("Delivery mode, flow and SLA"),
    "resourceMapping": N_("Service and resource mapping"),
    "testOrder": N_("Test order"),
}
VERSION_LABELS: Final[dict[str, str]] = {
    "effective": N_("Effective"),
    "scheduled": N_("Scheduled"),
    "withdrawn": N_("Withdrawn"),
}


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_classes": STATUS_CLASSES,
        "action_labels": ACTION_LABELS,
        "finding_labels": FINDING_LABELS,
        "check_labels": CHECK_LABELS,
        "version_labels": VERSION_LABELS,
        "price_summary": browse.price_summary,
        "offerings_url": OFFERINGS_URL,
    }


def _local_name(locale: str, name: str, localized: dict[str, str] | None) -> str:
    names = localized or {}
    return names.get("zh-CN" if locale.startswith("zh") else "en") or name


@router.get(OFFERINGS_URL, name="console_catalog_offerings")
def offerings_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    status: Annotated[str, Query(max_length=32)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The catalog browser (a fragment when htmx filters or pages)."""
    if status and status not in STATUS_LABELS:
        raise ValidationFailed("unknown lifecycle status", field="status")
    rows, total = browse.list_offerings(
        session,
        status=status or None,
        query=q.strip() or None,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    context = {
        **_labels(),
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {"status": status, "q": q.strip()},
        "page_url": lambda n: url_with(request, page=n if n > 1 else None),
        "local_name": _local_name,
    }
    if htmx_target(request) == "offerings-table":
        return render(request, "catalog/_offerings_table.html", context, principal=principal)
    return render(request, "catalog/offerings.html", context, principal=principal)


def _offering_context(
    request: Request, principal: Principal, session: DbSession, offering_id: str
) -> dict[str, Any]:
    data = browse.offering_page(session, offering_id)
    return {
        **_labels(),
        "page": data,
        "o": data.offering,
        "title": _local_name(
            request_locale(request), data.offering["name"], data.offering.get("localizedName")
        ),
        "can_write": principal.has_role(*WRITE_ROLES),
        "local_name": _local_name,
        "problem": None,
        "problem_reasons": [],
        "form": _form_of(data.offering),
        "form_field": None,
    }


def _ids(refs: list[dict[str, Any]] | None) -> str:
    return ", ".join(r["id"] for r in refs or [])


def _form_of(offering: dict[str, Any]) -> dict[str, str]:
    names = offering.get("localizedName") or {}
    return {
        "name": offering["name"],
        "name_zh": names.get("zh-CN", ""),
        "description": offering.get("description", ""),
        "places": _ids(offering.get("place")),
        "segments": _ids(offering.get("marketSegment")),
        "channels": _ids(offering.get("channel")),
    }


def _split(raw: str) -> list[str]:
    return list(dict.fromkeys(part for part in raw.replace(",", " ").split() if part))


def _refs(raw: str, existing: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Ids typed as ``a, b`` or one per line; known entries keep their names."""
    known = {r["id"]: r for r in existing or []}
    return [known.get(i, {"id": i}) for i in _split(raw)] or None


def _problem_page(
    request: Request,
    principal: Principal,
    session: DbSession,
    offering_id: str,
    exc: AppError,
    problem: str,
    form: dict[str, str] | None = None,
) -> Response:
    session.rollback()
    context = _offering_context(request, principal, session, offering_id)
    context["problem"] = problem
    context["problem_reasons"] = exc.details.get("reasons") or [exc.message]
    context["form_field"] = exc.field
    if form is not None:
        context["form"] = form
    status = exc.status if exc.status in (400, 403, 409) else 400
    return render(request, "catalog/offering.html", context, status=status, principal=principal)


@router.get(OFFERINGS_URL + "/{offering_id}", name="console_catalog_offering")
def offering_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    offering_id: str,
) -> Response:
    """Everything about one offering, with its readiness and lifecycle actions."""
    context = _offering_context(request, principal, session, offering_id)
    return render(request, "catalog/offering.html", context, principal=principal)


@router.post(OFFERINGS_URL + "/{offering_id}/lifecycle", name="console_catalog_lifecycle")
def change_lifecycle(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    target: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Move the offering along its lifecycle; a refused move shows why (409)."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    if target not in STATUS_LABELS:
        raise ValidationFailed("unknown lifecycle status", field="target")
    url = str(request.base_url).rstrip("/")
    try:
        service.update(
            session,
            service.OFFERING,
            offering_id,
            {"lifecycleStatus": target},
            url,
            actor=principal.subject,
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        problem = _("The offering cannot move to %(status)s.", status=_(STATUS_LABELS[target]))
        return _problem_page(request, principal, session, offering_id, exc, problem)
    return redirect(request, f"{OFFERINGS_URL}/{offering_id}")


@router.post(OFFERINGS_URL + "/{offering_id}/edit", name="console_catalog_edit")
def edit_offering(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    name: Annotated[str, Form(max_length=200)] = "",
    name_zh: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    places: Annotated[str, Form(max_length=5000)] = "",
    segments: Annotated[str, Form(max_length=2000)] = "",
    channels: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Change an offering's names, description and eligibility (a launched
    offering gets a new version, after its readiness check)."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = {
        "name": name.strip(),
        "name_zh": name_zh.strip(),
        "description": description.strip(),
        "places": places.strip(),
        "segments": segments.strip(),
        "channels": channels.strip(),
    }
    current = browse.offering_page(session, offering_id).offering
    names = {"en": form["name"], "zh-CN": form["name_zh"]}
    patch: dict[str, Any] = {
        "name": form["name"] or None,
        "localizedName": {k: v for k, v in names.items() if v} or None,
        "description": form["description"] or None,
        "place": _refs(form["places"], current.get("place")),
        "marketSegment": _refs(form["segments"], current.get("marketSegment")),
        "channel": _refs(form["channels"], current.get("channel")),
    }
    try:
        service.update(
            session,
            service.OFFERING,
            offering_id,
            patch,
            str(request.base_url).rstrip("/"),
            actor=principal.subject,
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        problem = _("The changes were not saved.")
        return _problem_page(request, principal, session, offering_id, exc, problem, form)
    return redirect(request, f"{OFFERINGS_URL}/{offering_id}")


@router.post(
    OFFERINGS_URL + "/{offering_id}/versions/{version}/withdraw",
    name="console_catalog_withdraw",
)
def withdraw_version(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    version: str,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw a scheduled version; the offering goes back to the previous one."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    try:
        service.withdraw_version(session, offering_id, version, str(request.base_url).rstrip("/"))
    except AppError as exc:
        if exc.status == 404:
            raise
        problem = _("Version %(version)s cannot be withdrawn.", version=version)
        return _problem_page(request, principal, session, offering_id, exc, problem)
    return redirect(request, f"{OFFERINGS_URL}/{offering_id}")
