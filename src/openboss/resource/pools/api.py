"""HTTP API of pools and stock at ``/api/resource/v1`` (not a TM Forum API:
TMF639 has no operations for pool allocation or warehouse logistics; the
resources created here are ordinary TMF639 resources, readable at
``/tmf-api/resourceInventoryManagement/v4/resource/{id}``).

* ``/ipPools`` — list, create; ``/ipPools/{id}``; ``/ipPools/{id}/allocations``
  (GET list, POST allocate an address or a block), ``…/{allocationId}/release``.
* ``/numberPools`` — list, create (with a range); ``/{id}/numbers`` (GET search,
  POST add a range); ``/{id}/status``; ``/{id}/reserve`` (next free of a grade);
  ``/numbers/{id}/reserve`` (this very number).
* ``/warehouses`` — list, create; ``/{id}/stock`` (GET levels, POST receive);
  ``/{id}/issue``; ``/cpe/{id}/recover``.
* ``/utilisation?level=pool|warehouse|olt|ponPort|building&regionId=…``.

Reads: admin, noc, csr, dispatcher, manager, partner (own rows by scope).
Writes: admin, noc (number reservation also csr: sales picks numbers).

eTOM 1.5.1 resource management, 1.5.2 resource provisioning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from sqlalchemy.orm import Session

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, region_for_write
from openboss.kit.tmf.schemas import Text, TmfModel
from openboss.resource.inventory.models import (
    RESOURCE_BASE_PATH,
    NetworkPartner,
    Resource,
    ResourceReservation,
)
from openboss.resource.pools import common, ip, numbers, stock, utilisation

READ_ROLES = ("admin", "noc", "csr", "dispatcher", "manager", "partner")
WRITE_ROLES = ("admin", "noc")
RESERVE_ROLES = ("admin", "noc", "csr", "manager")
PREFIX = "/api/resource/v1"

router = APIRouter(
    prefix=PREFIX,
    tags=["resource pools"],
    responses={
        400: {"description": "Bad Request (names the field)"},
        401: {"description": "Unauthorized"},
        403: {"description": "Forbidden"},
        404: {"description": "Not Found"},
        409: {"description": "Conflict (overlap, duplicate, nothing free, wrong state)"},
    },
)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Reserver = Annotated[Principal, Depends(require_roles(*RESERVE_ROLES))]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Index of the first item.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]


def resource_out(request: Request, row: Resource) -> dict[str, Any]:
    """The compact representation of a pool, allocation, number, warehouse or CPE."""
    base = str(request.base_url).rstrip("/")
    out: dict[str, Any] = {
        "id": row.id,
        "href": f"{base}{RESOURCE_BASE_PATH}/resource/{row.id}",
        "resourceSpecification": row.spec_id,
        "name": row.name,
        "value": row.value,
        "description": row.description,
        "lifecycleStatus": row.lifecycle_status,
        "grade": row.grade,
        "capacity": row.capacity,
        "parentId": row.parent_id,
        "siteId": row.site_id,
        "regionId": row.region_id,
        "ownerPartnerId": row.partner_id,
        "reservationId": row.reservation_id,
        "holdUntil": row.hold_until,
        "characteristics": {c["name"]: c.get("value") for c in row.characteristics or ()},
    }
    return {k: v for k, v in out.items() if v is not None}


def reservation_out(
    request: Request, reservation: ResourceReservation, rows: list[Resource]
) -> dict[str, Any]:
    return {
        "id": reservation.id,
        "state": reservation.state,
        "expiresAt": reservation.expires_at,
        "purpose": reservation.purpose,
        "customerId": reservation.customer_id,
        "resources": [resource_out(request, r) for r in rows],
    }


def _owner(session: Session, principal: Principal, requested: str | None) -> str | None:
    if principal.partner_id is not None:
        return principal.partner_id
    if requested is not None and session.get(NetworkPartner, requested) is None:
        raise ValidationFailed(f"network partner '{requested}' not found", field="ownerPartnerId")
    return requested


# -- IP pools ---------------------------------------------------------------------


class IpPoolCreate(TmfModel):
    """A new IP pool from a CIDR."""

    cidr: Text = Field(description="e.g. 100.64.0.0/16 or 2408:8256::/40", max_length=64)
    purpose: Literal["dynamic", "staticBusiness", "iptvMulticast", "management"] = Field(
        description="What the pool is for."
    )
    name: Text | None = Field(None, max_length=128, description="Defaults to the CIDR.")
    region_id: Text | None = Field(None, max_length=64, description="Region code.")
    owner_partner_id: Text | None = Field(
        None, max_length=64, description="The partner owning it; absent: the operator's own."
    )
    delegation_length: int | None = Field(
        None, ge=1, le=128, description="IPv6: the prefix length delegated (default 56)."
    )
    gateway: Text | None = Field(
        None, max_length=64, description="IPv4: an address kept out of allocation."
    )
    reserve_gateway: bool | None = Field(
        None, description="IPv4: keep the first host as gateway (default: dynamic pools)."
    )


class IpAllocationCreate(TmfModel):
    """Allocate an address or a block (the next free one, or the one named)."""

    kind: Literal["address", "block"] = Field("address", description="address or block.")
    prefix_length: int | None = Field(
        None, ge=1, le=128, description="Block size: /24 … /30 (IPv4), the delegation (IPv6)."
    )
    value: Text | None = Field(None, max_length=64, description="A given address or block.")
    service_id: Text | None = Field(None, max_length=64, description="The service using it.")
    customer_id: Text | None = Field(None, max_length=64, description="The customer.")
    order_id: Text | None = Field(None, max_length=64, description="The order.")
    description: Text | None = Field(None, max_length=500)


def _ip_pool_out(request: Request, session: Session, pool: Resource) -> dict[str, Any]:
    out = resource_out(request, pool)
    used = {r.id: r for r in utilisation.pools_by_id(session, [pool.id])}
    row = used.get(pool.id)
    out["allocated"] = row.used if row else 0
    out["percent"] = row.percent if row else 0.0
    return out


@router.get("/ipPools", summary="List IP pools")
def list_ip_pools(
    request: Request, session: ReadSession, principal: Reader
) -> list[dict[str, Any]]:
    rows = ip.list_pools(session, principal.scope)
    return [_ip_pool_out(request, session, r) for r in rows]


@router.post("/ipPools", status_code=201, summary="Create an IP pool")
def create_ip_pool(
    body: IpPoolCreate, request: Request, session: DbSession, principal: Writer
) -> dict[str, Any]:
    pool = ip.create_pool(
        session,
        principal.scope,
        cidr=body.cidr,
        purpose=body.purpose,
        name=body.name,
        region_id=region_for_write(principal.scope, body.region_id),
        partner_id=_owner(session, principal, body.owner_partner_id),
        delegation_length=body.delegation_length,
        gateway=body.gateway,
        reserve_gateway=body.reserve_gateway,
    )
    return _ip_pool_out(request, session, pool)


@router.get("/ipPools/{pool_id}", summary="Retrieve an IP pool")
def get_ip_pool(
    pool_id: str, request: Request, session: ReadSession, principal: Reader
) -> dict[str, Any]:
    return _ip_pool_out(request, session, ip.get_pool(session, principal.scope, pool_id))


@router.get("/ipPools/{pool_id}/allocations", summary="List a pool's allocations")
def list_ip_allocations(
    pool_id: str,
    request: Request,
    session: ReadSession,
    principal: Reader,
    offset: Offset = 0,
    limit: Limit = 100,
    status: Annotated[
        Literal["planned", "available", "reserved", "allocated", "released", "retired"] | None,
        Query(description="Only this lifecycle status."),
    ] = None,
) -> dict[str, Any]:
    rows, total = ip.list_allocations(
        session, principal.scope, pool_id, status=status, offset=offset, limit=limit
    )
    return {"total": total, "items": [resource_out(request, r) for r in rows]}


@router.post(
    "/ipPools/{pool_id}/allocations", status_code=201, summary="Allocate an address or block"
)
def allocate_ip(
    pool_id: str,
    body: IpAllocationCreate,
    request: Request,
    session: DbSession,
    principal: Writer,
) -> dict[str, Any]:
    row = ip.allocate(
        session,
        principal.scope,
        pool_id,
        kind=body.kind,
        prefix_length=body.prefix_length,
        value=body.value,
        service_id=body.service_id,
        customer_id=body.customer_id,
        order_id=body.order_id,
        description=body.description,
    )
    return resource_out(request, row)


@router.post(
    "/ipPools/{pool_id}/allocations/{allocation_id}/release",
    summary="Release an address or block (back to available at once)",
)
def release_ip(
    pool_id: str, allocation_id: str, request: Request, session: DbSession, principal: Writer
) -> dict[str, Any]:
    return resource_out(request, ip.release(session, principal.scope, pool_id, allocation_id))


# -- number pools -----------------------------------------------------------------


class NumberPoolCreate(TmfModel):
    """A new number pool, optionally loaded with a range."""

    name: Text = Field(min_length=1, max_length=128, description="Unique pool name.")
    number_kind: Literal["msisdn", "fixed"] = Field(description="Mobile or fixed numbers.")
    region_id: Text | None = Field(None, max_length=64)
    owner_partner_id: Text | None = Field(None, max_length=64)
    range_start: Text | None = Field(None, max_length=16, description="First number.")
    range_end: Text | None = Field(None, max_length=16, description="Last number.")
    grade_fees: dict[str, int] | None = Field(
        None, description="One-time fee per grade overriding the defaults, e.g. {'golden': 8000}."
    )
    lucky_digits: Text | None = Field(
        None, max_length=10, description="Digits the silver rule favours (default 68)."
    )


class NumberRange(TmfModel):
    """Numbers to add to a pool."""

    range_start: Text = Field(max_length=16)
    range_end: Text = Field(max_length=16)


class ReserveRequest(TmfModel):
    """Hold numbers for an order or a customer."""

    hold_minutes: int | None = Field(None, ge=1, le=10080, description="Default 30.")
    purpose: Text | None = Field(None, max_length=128)
    customer_id: Text | None = Field(None, max_length=64)


class ReserveNextRequest(ReserveRequest):
    grade: Literal["golden", "gold", "silver", "normal"] | None = None
    count: int = Field(1, ge=1, le=100)


def _number_pool_out(request: Request, session: Session, pool: Resource) -> dict[str, Any]:
    out = resource_out(request, pool)
    out["status"] = numbers.status(session, SYSTEM_SCOPE, pool.id)["byStatus"]
    return out


@router.get("/numberPools", summary="List number pools")
def list_number_pools(
    request: Request, session: ReadSession, principal: Reader
) -> list[dict[str, Any]]:
    return [
        _number_pool_out(request, session, p) for p in numbers.list_pools(session, principal.scope)
    ]


@router.post("/numberPools", status_code=201, summary="Create a number pool")
def create_number_pool(
    body: NumberPoolCreate, request: Request, session: DbSession, principal: Writer
) -> dict[str, Any]:
    pool = numbers.create_pool(
        session,
        principal.scope,
        name=body.name,
        kind=body.number_kind,
        region_id=region_for_write(principal.scope, body.region_id),
        partner_id=_owner(session, principal, body.owner_partner_id),
        range_start=body.range_start,
        range_end=body.range_end,
        grade_fees=body.grade_fees,
        lucky_digits=body.lucky_digits,
    )
    return _number_pool_out(request, session, pool)


@router.get("/numberPools/{pool_id}", summary="Retrieve a number pool")
def get_number_pool(
    pool_id: str, request: Request, session: ReadSession, principal: Reader
) -> dict[str, Any]:
    return _number_pool_out(request, session, numbers.get_pool(session, principal.scope, pool_id))


@router.get("/numberPools/{pool_id}/numbers", summary="Search a pool's numbers")
def search_numbers(
    pool_id: str,
    request: Request,
    session: ReadSession,
    principal: Reader,
    pattern: Annotated[
        str | None,
        Query(max_length=16, description="*8888 ends with, 138* starts with, 88 contains"),
    ] = None,
    grade: Annotated[Literal["golden", "gold", "silver", "normal"] | None, Query()] = None,
    status: Annotated[
        Literal["planned", "available", "reserved", "allocated", "released", "retired", "any"],
        Query(description="Lifecycle status (default available; 'any' for all)."),
    ] = "available",
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    page = numbers.search(
        session,
        principal.scope,
        pool_id,
        pattern=pattern,
        grade=grade,
        status=None if status == "any" else status,
        offset=offset,
        limit=limit,
    )
    return {"total": page.total, "items": [resource_out(request, r) for r in page.items]}


@router.post("/numberPools/{pool_id}/numbers", status_code=201, summary="Add a range of numbers")
def add_numbers(
    pool_id: str, body: NumberRange, session: DbSession, principal: Writer
) -> dict[str, Any]:
    pool = numbers.get_pool(session, principal.scope, pool_id)
    kind = str(common.char(pool, "numberKind", "msisdn"))
    added = numbers.add_numbers(
        session, pool, numbers.number_range(kind, body.range_start, body.range_end)
    )
    return {"added": added, "capacity": pool.capacity}


@router.get("/numberPools/{pool_id}/status", summary="Numbers by status and grade")
def number_pool_status(pool_id: str, session: ReadSession, principal: Reader) -> dict[str, Any]:
    return numbers.status(session, principal.scope, pool_id)


@router.post(
    "/numberPools/{pool_id}/reserve", status_code=201, summary="Reserve the next free numbers"
)
def reserve_next_numbers(
    pool_id: str,
    body: ReserveNextRequest,
    request: Request,
    session: DbSession,
    principal: Reserver,
) -> dict[str, Any]:
    reservation, rows = numbers.reserve_next(
        session,
        principal.scope,
        pool_id,
        grade=body.grade,
        count=body.count,
        hold_minutes=body.hold_minutes,
        purpose=body.purpose,
        customer_id=body.customer_id,
        actor=principal.name,
    )
    return reservation_out(request, reservation, rows)


@router.post("/numbers/{number_id}/reserve", status_code=201, summary="Reserve this number")
def reserve_number(
    number_id: str,
    request: Request,
    session: DbSession,
    principal: Reserver,
    body: ReserveRequest | None = None,
) -> dict[str, Any]:
    body = body or ReserveRequest()
    reservation, rows = numbers.reserve_number(
        session,
        principal.scope,
        number_id,
        hold_minutes=body.hold_minutes,
        purpose=body.purpose,
        customer_id=body.customer_id,
        actor=principal.name,
    )
    return reservation_out(request, reservation, rows)


# -- warehouses and CPE -------------------------------------------------------------


class WarehouseCreate(TmfModel):
    """A new warehouse."""

    code: Text = Field(min_length=1, max_length=64, description="Unique code, e.g. WH-XIHU.")
    name: Text = Field(min_length=1, max_length=128)
    region_id: Text | None = Field(None, max_length=64)
    site_id: Text | None = Field(None, max_length=36, description="The building it is in.")
    low_stock_threshold: int | None = Field(None, ge=0, le=1_000_000)


class StockReceive(TmfModel):
    """A batch of one model."""

    model: Text = Field(min_length=1, max_length=64, description="e.g. HG8245H.")
    kind: Literal["ont", "router", "stb"]
    serials: list[Text] = Field(min_length=1, max_length=stock.MAX_BATCH)


class IssueRequest(TmfModel):
    """Take one CPE out of the warehouse for an installation."""

    kind: Literal["ont", "router", "stb"]
    model: Text | None = Field(None, max_length=64)
    order_id: Text | None = Field(None, max_length=64)
    service_id: Text | None = Field(None, max_length=64)
    customer_id: Text | None = Field(None, max_length=64)
    site_id: Text | None = Field(None, max_length=36, description="Where it is installed.")


class RecoverRequest(TmfModel):
    """CPE recovery."""

    warehouse_id: Text | None = Field(
        None, max_length=36, description="Where it goes back (default: where it came from)."
    )
    faulty: bool = Field(False, description="Retire it instead of restocking.")
    reason: Text = Field("recovered", max_length=500)


@router.get("/warehouses", summary="List warehouses")
def list_warehouses(
    request: Request,
    session: ReadSession,
    principal: Reader,
    region_id: Annotated[str | None, Query(alias="regionId", max_length=64)] = None,
) -> list[dict[str, Any]]:
    return [
        resource_out(request, w) for w in stock.list_warehouses(session, principal.scope, region_id)
    ]


@router.post("/warehouses", status_code=201, summary="Create a warehouse")
def create_warehouse(
    body: WarehouseCreate, request: Request, session: DbSession, principal: Writer
) -> dict[str, Any]:
    row = stock.create_warehouse(
        session,
        principal.scope,
        code=body.code,
        name=body.name,
        region_id=region_for_write(principal.scope, body.region_id),
        site_id=body.site_id,
        low_stock_threshold=body.low_stock_threshold,
    )
    return resource_out(request, row)


@router.get("/warehouses/{warehouse_id}", summary="Retrieve a warehouse")
def get_warehouse(
    warehouse_id: str, request: Request, session: ReadSession, principal: Reader
) -> dict[str, Any]:
    return resource_out(request, stock.get_warehouse(session, principal.scope, warehouse_id))


@router.get("/warehouses/{warehouse_id}/stock", summary="Stock levels per kind and model")
def stock_levels(
    warehouse_id: str, session: ReadSession, principal: Reader
) -> list[dict[str, Any]]:
    return stock.levels(session, principal.scope, warehouse_id)


@router.post("/warehouses/{warehouse_id}/stock", status_code=201, summary="Receive stock")
def receive_stock(
    warehouse_id: str, body: StockReceive, session: DbSession, principal: Writer
) -> dict[str, Any]:
    received = stock.receive(
        session,
        principal.scope,
        warehouse_id,
        model=body.model,
        kind=body.kind,
        serials=body.serials,
    )
    return {"received": received}


@router.post(
    "/warehouses/{warehouse_id}/issue", status_code=201, summary="Issue a CPE to an installation"
)
def issue_cpe(
    warehouse_id: str,
    body: IssueRequest,
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(*WRITE_ROLES, "dispatcher"))],
) -> dict[str, Any]:
    row = stock.issue(
        session,
        principal.scope,
        warehouse_id,
        kind=body.kind,
        model=body.model,
        order_id=body.order_id,
        service_id=body.service_id,
        customer_id=body.customer_id,
        site_id=body.site_id,
        actor=principal.name,
    )
    return resource_out(request, row)


@router.post("/cpe/{cpe_id}/recover", summary="Recover a CPE (restock or retire)")
def recover_cpe(
    cpe_id: str,
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(*WRITE_ROLES, "dispatcher"))],
    body: RecoverRequest | None = None,
) -> dict[str, Any]:
    body = body or RecoverRequest()
    row = stock.recover(
        session,
        principal.scope,
        cpe_id,
        warehouse_id=body.warehouse_id,
        faulty=body.faulty,
        reason=body.reason,
        actor=principal.name,
    )
    return resource_out(request, row)


# -- utilisation --------------------------------------------------------------------


@router.get("/utilisation", summary="Utilisation per pool, warehouse, OLT, PON port or building")
def get_utilisation(
    session: ReadSession,
    principal: Reader,
    level: Annotated[
        str, Query(description="pool, warehouse, olt, ponPort or building", max_length=16)
    ] = "pool",
    region_id: Annotated[str | None, Query(alias="regionId", max_length=64)] = None,
) -> dict[str, Any]:
    rows = utilisation.utilisation(session, principal.scope, level, region_id)
    return {
        "level": level,
        "regionId": region_id,
        "generatedAt": datetime.now().astimezone().isoformat(timespec="seconds"),
        "items": [r.as_dict() for r in rows],
    }
