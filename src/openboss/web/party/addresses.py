"""Console screens: addresses and buildings (eTOM 1.1.1.2 customer interface management).

``/console/party/addresses`` searches buildings (sites) and addresses by any
part of the address, in any spelling the normaliser understands, and
registers a new building. ``/console/party/addresses/sites/{id}`` shows a
building with its addresses and adds an address (unit, floor, room) to it.
Both forms work with htmx (the form fragment is swapped, errors inline) and
as plain forms. Addresses are not secret: nothing is masked. Everything goes
through :mod:`openboss.party.address.service`; rows outside the reader's
regions do not exist for them (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.kit.tmf.http import base_url
from openboss.party.address import service
from openboss.party.address.schemas import GeographicAddressCreate, GeographicSiteCreate
from openboss.party.region.service import RegionInfo, list_regions
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

URL: Final = "/console/party/addresses"
TEMPLATES: Final = "party/addresses/"
READ_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "dispatcher", "noc", "marketing")
WRITE_ROLES: Final[tuple[str, ...]] = ("csr", "manager", "dispatcher", "noc")

nav.register(
    N_("Customers"),
    N_("Addresses and buildings"),
    URL,
    roles=READ_ROLES,
    icon="geo-alt",
    order=30,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

STATUS_LABELS: Final[dict[str, str]] = {
    "planned": N_("Planned"),
    "active": N_("Active"),
    "retired": N_("Retired"),
}

#: API attribute names of the forms' fields → form field names.
_SITE_FIELDS: Final[dict[str, str]] = {
    "regionId": "region_id",
    "stateOrProvince": "province",
    "city": "city",
    "locality": "district",
    "street": "street",
    "streetName": "road",
    "streetNr": "road_number",
    "compound": "compound",
    "buildingName": "building",
    "postcode": "postcode",
    "latitude": "latitude",
    "longitude": "longitude",
    "name": "name",
    "status": "status",
}
_ADDRESS_FIELDS: Final[dict[str, str]] = {
    "subUnitNumber": "unit",
    "levelNumber": "floor",
    "roomNumber": "room",
    "name": "name",
}


@dataclass
class SiteForm:
    """The new-building form as typed."""

    region_id: str = ""
    street: str = ""
    road: str = ""
    road_number: str = ""
    compound: str = ""
    building: str = ""
    postcode: str = ""
    latitude: str = ""
    longitude: str = ""
    name: str = ""
    status: str = "active"


@dataclass
class AddressForm:
    """The new-address form as typed."""

    unit: str = ""
    floor: str = ""
    room: str = ""
    name: str = ""


@dataclass
class FormResult:
    errors: dict[str, str] = field(default_factory=dict)
    existing_site: str | None = None
    created: str | None = None


def _writable_regions(session: DbSession, principal: Principal) -> list[RegionInfo]:
    """Districts and grids the reader may register buildings in."""
    regions = [
        r
        for level in ("district", "grid")
        for r in list_regions(session, level=level)
        if principal.scope.regions is None or r.id in principal.scope.regions
    ]
    return sorted(regions, key=lambda r: r.id)


def _search_context(session: DbSession, principal: Principal, q: str) -> dict[str, Any]:
    sites = service.search_sites(session, principal.scope, q, limit=50) if q else []
    addresses = service.search_addresses(session, principal.scope, q, limit=50) if q else []
    return {
        "q": q,
        "sites": sites,
        "addresses": addresses,
        "status_labels": STATUS_LABELS,
        "url": URL,
    }


def _page_context(
    session: DbSession, principal: Principal, q: str, form: SiteForm, result: FormResult
) -> dict[str, Any]:
    context = _search_context(session, principal, q)
    context.update(
        form=form,
        errors=result.errors,
        existing_site=result.existing_site,
        created=result.created,
        regions=_writable_regions(session, principal),
        can_write=principal.has_role(*WRITE_ROLES),
    )
    return context


@router.get(URL, name="console_addresses")
def addresses_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Search buildings and addresses (a fragment when htmx searches)."""
    q = q.strip()
    if htmx_target(request) == "address-results":
        context = _search_context(session, principal, q)
        return render(request, "party/addresses/_results.html", context, principal=principal)
    context = _page_context(session, principal, q, SiteForm(), FormResult())
    return render(request, "party/addresses/index.html", context, principal=principal)


def _field_errors(exc: AppError | ValidationError, names: dict[str, str], _: Any) -> dict[str, str]:
    """Map an API error (naming camelCase attributes) onto the form's fields."""
    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for error in exc.errors():
            loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
            name = next((names[p] for p in reversed(loc) if p in names), "form")
            out.setdefault(name, _("Check this value."))
            if name == "form":
                out["form"] = str(error["msg"]).removeprefix("Value error, ")
        return out
    name = names.get((exc.field or "").rsplit(".", 1)[-1], "form")
    return {name: exc.message}


def _optional(value: str) -> str | None:
    value = value.strip()
    return value or None


@router.post(URL + "/sites", name="console_create_site")
def create_site(
    request: Request,
    principal: Writer,
    session: DbSession,
    region_id: Annotated[str, Form(max_length=64)] = "",
    street: Annotated[str, Form(max_length=64)] = "",
    road: Annotated[str, Form(max_length=128)] = "",
    road_number: Annotated[str, Form(max_length=32)] = "",
    compound: Annotated[str, Form(max_length=128)] = "",
    building: Annotated[str, Form(max_length=64)] = "",
    postcode: Annotated[str, Form(max_length=16)] = "",
    latitude: Annotated[str, Form(max_length=32)] = "",
    longitude: Annotated[str, Form(max_length=32)] = "",
    name: Annotated[str, Form(max_length=256)] = "",
    status: Annotated[str, Form(max_length=16)] = "active",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Register a building; a duplicate is shown inline with a link to the existing one."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    form = SiteForm(
        region_id=region_id.strip(),
        street=street.strip(),
        road=road.strip(),
        road_number=road_number.strip(),
        compound=compound.strip(),
        building=building.strip(),
        postcode=postcode.strip(),
        latitude=latitude.strip(),
        longitude=longitude.strip(),
        name=name.strip(),
        status=status,
    )
    result = FormResult()
    status_code = 200
    try:
        body = {
            "regionId": _optional(form.region_id),
            "street": _optional(form.street),
            "streetName": _optional(form.road),
            "streetNr": _optional(form.road_number),
            "compound": _optional(form.compound),
            "buildingName": _optional(form.building),
            "postcode": _optional(form.postcode),
            "latitude": _optional(form.latitude),
            "longitude": _optional(form.longitude),
            "name": _optional(form.name),
            "status": form.status,
        }
        data = GeographicSiteCreate.model_validate({k: v for k, v in body.items() if v is not None})
        written = service.create_site(session, principal.scope, data, base_url(request))
    except ValidationError as exc:
        result.errors = _field_errors(exc, _SITE_FIELDS, _)
        status_code = 400
    except AppError as exc:
        session.rollback()
        result.errors = _field_errors(exc, _SITE_FIELDS, _)
        if exc.status == 409:
            result.existing_site = str(exc.details.get("existingId") or "") or None
            result.errors = {"form": _("This building is already registered.")}
        status_code = exc.status if exc.status in (400, 403, 409) else 400
    else:
        result.created = written.id
        if htmx_target(request) is None:
            return redirect(request, f"{URL}/sites/{written.id}")
    context = _page_context(session, principal, "", SiteForm() if result.created else form, result)
    template = "_site_form.html" if htmx_target(request) else "index.html"
    return render(request, TEMPLATES + template, context, status=status_code, principal=principal)


def _site_context(
    session: DbSession,
    principal: Principal,
    site_id: str,
    form: AddressForm,
    result: FormResult,
) -> dict[str, Any]:
    site = service.get_site_summary(session, principal.scope, site_id)
    return {
        "site": site,
        "addresses": service.site_addresses(session, principal.scope, site_id),
        "status_labels": STATUS_LABELS,
        "form": form,
        "errors": result.errors,
        "created": result.created,
        "can_write": principal.has_role(*WRITE_ROLES) and site.status != "retired",
        "url": URL,
    }


@router.get(URL + "/sites/{site_id}", name="console_site")
def site_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    site_id: str,
) -> Response:
    """A building and its addresses."""
    context = _site_context(session, principal, site_id, AddressForm(), FormResult())
    return render(request, "party/addresses/site.html", context, principal=principal)


@router.post(URL + "/sites/{site_id}/addresses", name="console_create_address")
def create_address(
    request: Request,
    principal: Writer,
    session: DbSession,
    site_id: str,
    unit: Annotated[str, Form(max_length=32)] = "",
    floor: Annotated[str, Form(max_length=16)] = "",
    room: Annotated[str, Form(max_length=32)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add an address (unit, floor, room) to a building."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    service.get_site_summary(session, principal.scope, site_id)  # 404 first
    form = AddressForm(unit=unit.strip(), floor=floor.strip(), room=room.strip(), name=name.strip())
    result = FormResult()
    status_code = 200
    try:
        sub = {
            "subUnitNumber": _optional(form.unit),
            "levelNumber": _optional(form.floor),
            "roomNumber": _optional(form.room),
        }
        data = GeographicAddressCreate.model_validate(
            {
                "siteId": site_id,
                "name": _optional(form.name),
                "geographicSubAddress": [{k: v for k, v in sub.items() if v is not None}],
            }
        )
        written = service.create_address(session, principal.scope, data, base_url(request))
    except ValidationError as exc:
        result.errors = _field_errors(exc, _ADDRESS_FIELDS, _)
        status_code = 400
    except AppError as exc:
        session.rollback()
        result.errors = _field_errors(exc, _ADDRESS_FIELDS, _)
        if exc.status == 409:
            result.errors = {"form": _("This address is already registered.")}
        status_code = exc.status if exc.status in (400, 403, 409) else 400
    else:
        result.created = written.id
        if htmx_target(request) is None:
            return redirect(request, f"{URL}/sites/{site_id}")
    context = _site_context(
        session, principal, site_id, AddressForm() if result.created else form, result
    )
    context["oob_table"] = htmx_target(request) is not None
    template = "_address_form.html" if htmx_target(request) else "site.html"
    return render(request, TEMPLATES + template, context, status=status_code, principal=principal)
