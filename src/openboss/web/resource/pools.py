"""Console: pools and stock — eTOM 1.5.1 resource management.

* ``/console/resource/pools`` — IP and number pools with utilisation bars,
  warehouses with their stock.
* ``/console/resource/pools/numbers/{id}`` — a number pool: counts by status
  and grade, search by pattern and grade, reserve a number.
* ``/console/resource/pools/warehouses/{id}`` — stock levels per kind and
  model, low stock highlighted.
* ``/console/resource/pools/network`` — utilisation per OLT (PON ports and
  splitter ports), sortable.

Everything goes through :mod:`openboss.resource.pools` (utilisation, numbers,
stock).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError
from openboss.resource.pools import common, grades, ip, numbers, stock, utilisation
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, gettext, redirect, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

POOLS_URL: Final = "/console/resource/pools"
READ_ROLES: Final[tuple[str, ...]] = ("admin", "noc", "csr", "dispatcher", "manager")
RESERVE_ROLES: Final[tuple[str, ...]] = ("admin", "noc", "csr", "manager")
PAGE_SIZE: Final = 50

nav.register(
    N_("Resources"), N_("Pools and stock"), POOLS_URL, roles=READ_ROLES, icon="database", order=30
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Reserver = Annotated[Principal, Depends(console_roles(*RESERVE_ROLES))]

GRADE_LABELS: Final[dict[str, str]] = {
    "golden": N_("Golden"),
    "gold": N_("Gold"),
    "silver": N_("Silver"),
    "normal": N_("Normal"),
}
STATUS_LABELS: Final[dict[str, str]] = {
    "planned": N_("Planned"),
    "available": N_("Available"),
    "reserved": N_("Reserved"),
    "allocated": N_("Allocated"),
    "released": N_("Released"),
    "retired": N_("Retired"),
}
KIND_LABELS: Final[dict[str, str]] = {
    "ont": N_("ONT"),
    "router": N_("Router"),
    "stb": N_("Set-top box"),
}
PURPOSE_LABELS: Final[dict[str, str]] = {
    "dynamic": N_("Dynamic subscribers"),
    "staticBusiness": N_("Static business"),
    "iptvMulticast": N_("IPTV multicast"),
    "management": N_("Management"),
}
OLT_SORTS: Final = ("percent", "-percent", "name", "pon", "-pon")


def _labels() -> dict[str, Any]:
    return {
        "grade_labels": GRADE_LABELS,
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "purpose_labels": PURPOSE_LABELS,
    }


@router.get(POOLS_URL)
def pools_page(request: Request, principal: Reader, session: DbSession) -> Response:
    scope = principal.scope
    rows = utilisation.pools(session, scope)
    houses = utilisation.warehouses(session, scope)
    ip_pools = {p.id: p for p in ip.list_pools(session, scope)}
    return render(
        request,
        "resource/pools/index.html",
        {
            "ip_rows": [r for r in rows if r.kind == "ipPool"],
            "number_rows": [r for r in rows if r.kind == "numberPool"],
            "ip_pools": ip_pools,
            "warehouses": houses,
            **_labels(),
        },
        principal=principal,
    )


@router.get(POOLS_URL + "/numbers/{pool_id}")
def number_pool_page(
    request: Request,
    pool_id: str,
    principal: Reader,
    session: DbSession,
    pattern: Annotated[str, Query(max_length=16)] = "",
    grade: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    reserved: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    _ = gettext(request)
    pool = numbers.get_pool(session, principal.scope, pool_id)
    status = numbers.status(session, principal.scope, pool.id)
    error = None
    found: numbers.SearchPage | None = None
    try:
        found = numbers.search(
            session,
            principal.scope,
            pool.id,
            pattern=pattern.strip() or None,
            grade=grade if grade in grades.GRADES else None,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    except AppError:
        error = _("Use digits, * for any digits and ? for one digit, e.g. *8888.")
    pages = max(1, -(-(found.total if found else 0) // PAGE_SIZE))
    return render(
        request,
        "resource/pools/numbers.html",
        {
            "pool": pool,
            "status": status,
            "found": found,
            "pattern": pattern,
            "grade": grade,
            "page": page,
            "pages": pages,
            "error": error,
            "reserved": reserved,
            "fees": {g: grades.fee_of(g, _fees(pool)) for g in grades.GRADES},
            "can_reserve": principal.has_role(*RESERVE_ROLES),
            **_labels(),
        },
        principal=principal,
        status=400 if error else 200,
    )


def _fees(pool: Any) -> dict[str, int] | None:
    value = common.char(pool, "gradeFees")
    return value if isinstance(value, dict) else None


@router.post(POOLS_URL + "/numbers/{pool_id}/reserve")
def reserve_number(
    request: Request,
    pool_id: str,
    principal: Reserver,
    session: DbSession,
    number_id: Annotated[str, Form(max_length=36)] = "",
    customer_id: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    pool = numbers.get_pool(session, principal.scope, pool_id)
    number = numbers.get_number(session, principal.scope, number_id)
    if number.parent_id != pool.id:
        return redirect(request, f"{POOLS_URL}/numbers/{pool.id}")
    numbers.reserve_number(
        session,
        principal.scope,
        number.id,
        customer_id=customer_id.strip() or None,
        purpose="console",
        actor=principal.name,
    )
    return redirect(request, f"{POOLS_URL}/numbers/{pool.id}?reserved={number.value}")


@router.get(POOLS_URL + "/warehouses/{warehouse_id}")
def warehouse_page(
    request: Request, warehouse_id: str, principal: Reader, session: DbSession
) -> Response:
    house = stock.get_warehouse(session, principal.scope, warehouse_id)
    levels = stock.levels(session, principal.scope, house.id)
    return render(
        request,
        "resource/pools/warehouse.html",
        {
            "house": house,
            "levels": levels,
            "low": sum(1 for lv in levels if lv["low"]),
            **_labels(),
        },
        principal=principal,
    )


@router.get(POOLS_URL + "/network")
def network_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    sort: Annotated[str, Query(max_length=16)] = "-percent",
    region: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    _ = gettext(request)
    sort = sort if sort in OLT_SORTS else "-percent"
    error = None
    try:
        rows = utilisation.olts(session, principal.scope, region.strip() or None)
    except AppError:
        rows, error = [], _("Enter a region code such as 330106.")
    keys = {
        "percent": lambda r: (r.percent, r.name),
        "name": lambda r: (r.name, r.id),
        "pon": lambda r: (r.extra["ponPercent"], r.name),
    }
    rows.sort(key=keys[sort.lstrip("-")], reverse=sort.startswith("-"))
    return render(
        request,
        "resource/pools/network.html",
        {"rows": rows, "sort": sort, "region": region, "error": error},
        principal=principal,
        status=400 if error else 200,
    )
