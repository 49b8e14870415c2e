"""Console screens: the building view (eTOM 1.5.1 resource management —
resource capability published to sales).

``/console/resource/buildings`` searches buildings (the party domain's, via
the place directory) and shows, per building, its coverage by owner (own
FTTH, partner name), capacity and utilisation. ``/console/resource/buildings/
{site_id}`` shows the availability per business type, the network at the
building (OLT → PON → splitters, with free/used port counts), the partners'
coverage, and a "qualify an address" form that answers, per service, what
TMF645 qualification would. Buildings outside the reader's regions do not
exist for them (404).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from openboss.auth.deps import ReadSession
from openboss.auth.principal import Principal
from openboss.kit.errors import NotFound
from openboss.kit.places import place_directory
from openboss.resource.publishing import qualification, views
from openboss.web import nav
from openboss.web.i18n import LOCALE_TAGS, N_
from openboss.web.shell import ConsoleRoute, console_roles, render, request_locale

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

URL: Final = "/console/resource/buildings"
TEMPLATES: Final = "resource/buildings/"
READ_ROLES: Final[tuple[str, ...]] = ("noc", "csr", "dispatcher", "manager")

nav.register(
    N_("Resources"),
    N_("Buildings"),
    URL,
    roles=READ_ROLES,
    icon="buildings",
    order=10,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]

STATUS_LABELS: Final[dict[str, str]] = {
    "available": N_("Available"),
    "exhausted": N_("Exhausted"),
    "planned": N_("Planned"),
}
RESULT_LABELS: Final[dict[str, str]] = {
    "qualified": N_("Qualified"),
    "unqualified": N_("Not qualified"),
    "alternate": N_("Alternate date"),
}
REASON_LABELS: Final[dict[str, str]] = {
    "noCoverage": N_("No coverage at this address"),
    "noFreePort": N_("No free port in the own network"),
    "partnerCapacityExhausted": N_("Partner capacity exhausted"),
    "unknownService": N_("No business resource type serves this service"),
}
DELIVERY_LABELS: Final[dict[str, str]] = {
    "ownConstruction": N_("Own construction"),
    "partner": N_("Partner"),
    "instant": N_("Instant activation"),
}
COVERAGE_LABELS: Final[dict[str, str]] = {
    "ownFtth": N_("Own FTTH"),
    "partnerCable": N_("Partner cable"),
    "leasedLine": N_("Leased line"),
    "mobile": N_("Mobile"),
}
SERVICE_LABELS: Final[dict[str, str]] = {
    "cfs-internet-access": N_("Internet access"),
    "cfs-iptv": N_("IPTV"),
    "cfs-fixed-voice": N_("Fixed voice"),
    "cfs-static-ip": N_("Static IP"),
    "cfs-home-terminal": N_("Home terminal"),
    "cfs-mobile": N_("Mobile voice and data"),
    "cfs-leased-line": N_("Leased line"),
}
SPEC_LABELS: Final[dict[str, str]] = {
    "olt": N_("OLT"),
    "oltCard": N_("OLT card"),
    "ponPort": N_("PON port"),
    "splitter": N_("Splitter"),
    "splitterPort": N_("Splitter port"),
}

_LABELS = {
    "status_labels": STATUS_LABELS,
    "result_labels": RESULT_LABELS,
    "reason_labels": REASON_LABELS,
    "delivery_labels": DELIVERY_LABELS,
    "coverage_labels": COVERAGE_LABELS,
    "service_labels": SERVICE_LABELS,
    "spec_labels": SPEC_LABELS,
}


def _lang(request: Request) -> str:
    """The reader's language as the ``localized_name`` keys spell it (``zh-CN``, ``en``)."""
    locale = request_locale(request)
    return LOCALE_TAGS.get(locale, locale)


@router.get(URL, name="console_resource_buildings")
def buildings_page(
    request: Request,
    principal: Reader,
    session: ReadSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Buildings with their coverage badges, capacity and utilisation."""
    q = q.strip()
    directory = place_directory()
    if q:
        sites = directory.search_sites(session, principal.scope, q, 50)
    else:
        sites = directory.sites(
            session, principal.scope, views.covered_site_ids(session, principal.scope, 50)
        )
        sites.sort(key=lambda s: s.name)
    offers = views.offers(session, principal.scope, [s.id for s in sites], _lang(request))
    context = {"q": q, "sites": sites, "offers": offers, "url": URL, **_LABELS}
    template = (
        "_results.html" if request.headers.get("HX-Target") == "building-results" else "index.html"
    )
    return render(request, TEMPLATES + template, context, principal=principal)


@router.get(URL + "/{site_id}", name="console_resource_building")
def building_page(
    request: Request,
    principal: Reader,
    session: ReadSession,
    site_id: str,
    address: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    """A building: availability, network tree, partner coverage, qualification."""
    directory = place_directory()
    site = directory.site(session, principal.scope, site_id)
    if site is None:
        raise NotFound(f"building '{site_id}' not found")
    locale = _lang(request)
    addresses = directory.site_addresses(session, principal.scope, site_id)
    results: list[qualification.Result] = []
    if address:
        if address not in {a.id for a in addresses}:
            raise NotFound(f"address '{address}' is not in this building")
        results = qualification.qualify(session, principal.scope, address)
    partners = views.partner_names(session, locale)
    context = {
        "site": site,
        "offers": views.offers(session, principal.scope, [site_id], locale).get(site_id, []),
        "network": views.network_tree(session, principal.scope, site_id),
        "coverage": views.coverage_rows(session, principal.scope, site_id),
        "partners": partners,
        "addresses": addresses,
        "address": address,
        "results": results,
        "url": URL,
        **_LABELS,
    }
    template = (
        "_qualify.html" if request.headers.get("HX-Target") == "qualify-results" else "site.html"
    )
    return render(request, TEMPLATES + template, context, principal=principal)
