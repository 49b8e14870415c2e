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

The offering page is also the offering editor (marketing, manager), each
change one use case of :mod:`openboss.catalog.editing` (all-or-nothing; a
refused change shows its reasons and keeps what was typed):

* names in both languages, description, regions, market segments, channels;
* prices — change (a launched offering's price becomes a new price and the
  offering a new version), add, remove; the price model is edited as YAML,
  the same text as the catalog-as-code files;
* bundle members — at least / at most / default, add, remove;
* characteristics of the product specification (YAML);
* the fulfilment mapping — delivery rules per region and coverage type;
* withdrawing a scheduled version.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import yaml
from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.catalog import browse, editing, mapping, service
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


#: What the "add a price" form starts from.
NEW_PRICE_MODEL: Final[dict[str, Any]] = {
    "kind": "recurring",
    "amount": 9900,
    "currency": "CNY",
    "period": "month",
    "proration": "daily",
    "taxCategory": "valueAddedTelecom",
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
        "as_yaml": as_yaml,
        "coverage_types": mapping.COVERAGE_TYPES,
        "delivery_modes": mapping.DELIVERY_MODES,
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
        "form": {
            **_form_of(data.offering),
            "new_price_name": "",
            "new_price_name_zh": "",
            "new_price_model": as_yaml(NEW_PRICE_MODEL),
            "characteristics": as_yaml(
                (data.specification or {}).get("productSpecCharacteristic") or []
            ),
        },
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
        context["form"] = {**context["form"], **form}
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


# --------------------------------------------------------------------------- editors


def as_yaml(value: Any) -> str:
    """A price model or characteristics as the YAML a product manager edits."""
    if value is None:
        return ""
    return str(yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=88))


def _parse_yaml(text: str, field: str) -> Any:
    """The typed YAML, or a 400 naming the field and the line of the problem."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ValidationFailed(f"{field}: {problem}{where}", field=field) from None


def _edit(
    request: Request,
    principal: Principal,
    session: DbSession,
    offering_id: str,
    problem: str,
    change: Any,
    form: dict[str, str] | None = None,
) -> Response:
    """Run one editing use case; a refused change re-renders the page with why."""
    try:
        change(str(request.base_url).rstrip("/"))
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        return _problem_page(request, principal, session, offering_id, exc, problem, form)
    return redirect(request, f"{OFFERINGS_URL}/{offering_id}")


def _names(name: str, name_zh: str) -> tuple[str, dict[str, str]]:
    return name.strip(), {
        k: v for k, v in {"en": name.strip(), "zh-CN": name_zh.strip()}.items() if v
    }


@router.post(OFFERINGS_URL + "/{offering_id}/prices", name="console_catalog_add_price")
def add_price(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    name: Annotated[str, Form(max_length=200)] = "",
    name_zh: Annotated[str, Form(max_length=200)] = "",
    model: Annotated[str, Form(max_length=20_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a price (YAML price model) to the offering."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    en, names = _names(name, name_zh)

    def change(url: str) -> None:
        editing.add_price(
            session,
            offering_id,
            name=en,
            localized=names,
            price_model=_parse_yaml(model, "priceModel"),
            base_url=url,
            actor=principal.subject,
        )

    form = {"new_price_name": name, "new_price_name_zh": name_zh, "new_price_model": model}
    return _edit(
        request, principal, session, offering_id, _("The price was not added."), change, form
    )


@router.post(
    OFFERINGS_URL + "/{offering_id}/prices/{price_id}", name="console_catalog_change_price"
)
def change_price(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    price_id: str,
    name: Annotated[str, Form(max_length=200)] = "",
    name_zh: Annotated[str, Form(max_length=200)] = "",
    model: Annotated[str, Form(max_length=20_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Change a price of the offering (a new price and version when launched)."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    en, names = _names(name, name_zh)

    def change(url: str) -> None:
        editing.change_price(
            session,
            offering_id,
            price_id,
            name=en,
            localized=names,
            price_model=_parse_yaml(model, "priceModel"),
            base_url=url,
            actor=principal.subject,
        )

    problem = _("The price %(price)s was not changed.", price=price_id)
    return _edit(request, principal, session, offering_id, problem, change)


@router.post(
    OFFERINGS_URL + "/{offering_id}/prices/{price_id}/remove",
    name="console_catalog_remove_price",
)
def remove_price(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    price_id: str,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Take a price off the offering."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)

    def change(url: str) -> None:
        editing.remove_price(session, offering_id, price_id, base_url=url, actor=principal.subject)

    problem = _("The price %(price)s was not removed.", price=price_id)
    return _edit(request, principal, session, offering_id, problem, change)


def _int(raw: str, field: str, *, optional: bool = False) -> int | None:
    text = raw.strip()
    if not text and optional:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{field} must be a whole number", field=field) from None


@router.post(OFFERINGS_URL + "/{offering_id}/members", name="console_catalog_set_member")
def set_member(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    member_id: Annotated[str, Form(max_length=64)] = "",
    lower: Annotated[str, Form(max_length=8)] = "0",
    upper: Annotated[str, Form(max_length=8)] = "1",
    default: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a bundle member or change its cardinality."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)

    def change(url: str) -> None:
        if not member_id.strip():
            raise ValidationFailed("name the member offering", field="bundledProductOffering")
        editing.set_member(
            session,
            offering_id,
            member_id.strip(),
            lower=_int(lower, "numberRelOfferLowerLimit") or 0,
            upper=_int(upper, "numberRelOfferUpperLimit") or 0,
            default=_int(default, "numberRelOfferDefault", optional=True),
            base_url=url,
            actor=principal.subject,
        )

    problem = _("The bundle member %(member)s was not saved.", member=member_id)
    return _edit(request, principal, session, offering_id, problem, change)


@router.post(
    OFFERINGS_URL + "/{offering_id}/members/{member_id}/remove",
    name="console_catalog_remove_member",
)
def remove_member(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    member_id: str,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Take a member out of the bundle."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)

    def change(url: str) -> None:
        editing.remove_member(
            session, offering_id, member_id, base_url=url, actor=principal.subject
        )

    problem = _("The bundle member %(member)s was not removed.", member=member_id)
    return _edit(request, principal, session, offering_id, problem, change)


@router.post(
    OFFERINGS_URL + "/{offering_id}/characteristics", name="console_catalog_characteristics"
)
def set_characteristics(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    characteristics: Annotated[str, Form(max_length=50_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Replace the characteristics of the offering's product specification."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    offering = browse.offering_page(session, offering_id).offering
    spec_id = (offering.get("productSpecification") or {}).get("id")

    def change(url: str) -> None:
        if not spec_id:
            raise ValidationFailed(
                "the offering has no product specification", field="productSpecification"
            )
        parsed = _parse_yaml(characteristics, "productSpecCharacteristic")
        editing.set_characteristics(
            session, spec_id, parsed or [], base_url=url, actor=principal.subject
        )

    form = {"characteristics": characteristics}
    problem = _("The characteristics were not saved.")
    return _edit(request, principal, session, offering_id, problem, change, form)


@router.post(OFFERINGS_URL + "/{offering_id}/rules", name="console_catalog_set_rule")
def set_rule(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    product_spec: Annotated[str, Form(max_length=64)] = "",
    region_id: Annotated[str, Form(max_length=64)] = "*",
    coverage_type: Annotated[str, Form(max_length=32)] = "",
    delivery_mode: Annotated[str, Form(max_length=32)] = "",
    process_key: Annotated[str, Form(max_length=128)] = "",
    sla_hours: Annotated[str, Form(max_length=8)] = "",
    jeopardy_percent: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add or replace the delivery rule of (specification, region, coverage)."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)

    def change(url: str) -> None:
        del url
        body: dict[str, Any] = {
            "productSpecification": product_spec.strip(),
            "regionId": region_id.strip() or "*",
            "coverageType": coverage_type,
            "deliveryMode": delivery_mode,
            "processKey": process_key.strip() or None,
            "slaCompletionHours": _int(sla_hours, "slaCompletionHours", optional=True),
            "slaJeopardyPercent": _int(jeopardy_percent, "slaJeopardyPercent", optional=True),
        }
        editing.upsert_rule(session, body)

    problem = _("The delivery rule was not saved.")
    return _edit(request, principal, session, offering_id, problem, change)


@router.post(
    OFFERINGS_URL + "/{offering_id}/rules/{rule_id}/remove", name="console_catalog_remove_rule"
)
def remove_rule(
    request: Request,
    principal: Writer,
    session: DbSession,
    offering_id: str,
    rule_id: str,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Remove a delivery rule."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)

    def change(url: str) -> None:
        del url
        editing.delete_rule(session, rule_id)

    problem = _("The delivery rule was not removed.")
    return _edit(request, principal, session, offering_id, problem, change)
