"""CPE stock by warehouse: receive, issue to an installation, recover.

eTOM 1.5.1 resource management (logistics: stock and recovery) and 1.5.2
resource provisioning (issue a terminal to an installation).

A warehouse is a ``warehouse`` resource in a region (and optionally at a
building); each ONT, router or set-top box is a ``cpe`` resource contained
in it, ``value`` = its serial number, characteristics ``kind`` and
``model`` (in that order), ``name`` = the model. Stock levels are counted
per warehouse × kind × model with SQL GROUP BY; a level below the
warehouse's ``lowStockThreshold`` (default 20) is flagged low.

* Receive: a batch of serials of one model and kind → ``available`` CPE in
  the warehouse; a serial already known (or listed twice) → 409 naming it,
  nothing written.
* Issue: reserve and allocate one CPE of a kind (and model) from the
  warehouse for an order, with a usage record.
* Recover (CPE recovery): allocated → released → ``available`` in the chosen
  warehouse (a transfer is recorded when it is another one), or ``retired``
  when faulty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import String, func, insert, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.lifecycle import (
    claim_free,
    notify_capacity,
    now,
    publish_state_change,
    set_lifecycle,
)
from openboss.resource.inventory.models import LIFECYCLE_STATUSES, Resource, ResourceTransfer
from openboss.resource.pools import common
from openboss.resource.pools.specs import CPE, WAREHOUSE

KINDS = ("ont", "router", "stb")
DEFAULT_LOW_STOCK = 20
MAX_BATCH = 20_000
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$")


def kind_column(session: Session) -> ColumnElement[Any]:
    """SQL for a CPE's ``kind`` characteristic (wherever it is in the list)."""
    if session.get_bind().dialect.name == "postgresql":
        return literal_column(
            "jsonb_path_query_first(resource.characteristics,"
            " '$[*] ? (@.name == \"kind\").value') #>> '{}'",
            String,
        )
    return literal_column(
        "(SELECT json_extract(j.value, '$.value') FROM json_each(resource.characteristics) j"
        " WHERE json_extract(j.value, '$.name') = 'kind')",
        String,
    )


def create_warehouse(
    session: Session,
    scope: Scope,
    *,
    code: str,
    name: str,
    region_id: str | None,
    site_id: str | None = None,
    low_stock_threshold: int | None = None,
) -> Resource:
    """A new warehouse (409 when the code is taken, 400 on an unknown building)."""
    code = code.strip()
    if not code:
        raise ValidationFailed("code is required", field="code")
    if low_stock_threshold is not None and low_stock_threshold < 0:
        raise ValidationFailed("lowStockThreshold must be ≥ 0", field="lowStockThreshold")
    if site_id is not None and place_directory().site(session, scope, site_id) is None:
        raise ValidationFailed(f"building '{site_id}' not found", field="siteId")
    existing = session.scalar(
        select(Resource.id).where(Resource.spec_id == WAREHOUSE, Resource.value == code)
    )
    if existing is not None:
        raise Conflict(f"warehouse code '{code}' is taken ('{existing}')")
    row = common.new_resource(
        common.spec(session, WAREHOUSE),
        name=name,
        value=code,
        region_id=region_id,
        site_id=site_id,
        characteristics=common.chars(
            lowStockThreshold=DEFAULT_LOW_STOCK
            if low_stock_threshold is None
            else low_stock_threshold
        ),
    )
    session.add(row)
    common.publish_create(session, row)
    return row


def get_warehouse(session: Session, scope: Scope, warehouse_id: str) -> Resource:
    return common.get_resource(session, scope, warehouse_id, WAREHOUSE, "warehouse")


def list_warehouses(session: Session, scope: Scope, region_id: str | None = None) -> list[Resource]:
    stmt = apply_scope(select(Resource).where(Resource.spec_id == WAREHOUSE), Resource, scope)
    if region_id is not None:
        stmt = stmt.where(Resource.region_id == region_id)
    return list(session.scalars(stmt.order_by(Resource.value)))


def receive(
    session: Session,
    scope: Scope,
    warehouse_id: str,
    *,
    model: str,
    kind: str,
    serials: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Receive a batch of one model into a warehouse (all or nothing)."""
    warehouse = get_warehouse(session, scope, warehouse_id)
    return receive_rows(session, warehouse, [(s, model, kind) for s in serials], progress=progress)


def receive_rows(
    session: Session,
    warehouse: Resource,
    items: Sequence[tuple[str, str, str]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Receive ``(serial, model, kind)`` items into ``warehouse`` (all or nothing)."""
    if not items:
        raise ValidationFailed("no serial numbers given", field="serials")
    if len(items) > MAX_BATCH:
        raise ValidationFailed(f"at most {MAX_BATCH} items per batch", field="serials")
    seen: set[str] = set()
    clean: list[tuple[str, str, str]] = []
    for index, (serial, model, kind) in enumerate(items):
        serial, model = serial.strip(), model.strip()
        if kind not in KINDS:
            raise ValidationFailed(
                f"item {index + 1}: kind must be one of {', '.join(KINDS)}, not '{kind}'",
                field="kind",
            )
        if not model or len(model) > 64:
            raise ValidationFailed(f"item {index + 1}: model is required", field="model")
        if not _SERIAL.match(serial):
            raise ValidationFailed(f"'{serial}' is not a serial number", field="serials")
        if serial in seen:
            raise Conflict(f"serial {serial} is listed twice")
        seen.add(serial)
        clean.append((serial, model, kind))
    serials = [s for s, _, _ in clean]
    for start in range(0, len(serials), 1000):
        dup = session.scalar(
            select(Resource.value).where(
                Resource.spec_id == CPE, Resource.value.in_(serials[start : start + 1000])
            )
        )
        if dup is not None:
            raise Conflict(f"serial {dup} exists already")
    cpe_spec = common.spec(session, CPE)
    at = now()
    written = 0
    for start in range(0, len(clean), 1000):
        rows = [
            common.row_values(
                common.new_resource(
                    cpe_spec,
                    name=model,
                    value=serial,
                    parent_id=warehouse.id,
                    region_id=warehouse.region_id,
                    site_id=None,
                    partner_id=warehouse.partner_id,
                    characteristics=common.chars(kind=kind, model=model),
                    at=at,
                )
            )
            for serial, model, kind in clean[start : start + 1000]
        ]
        session.execute(insert(Resource), rows)
        written += len(rows)
        if progress is not None:
            progress(written)
    return written


def levels(session: Session, scope: Scope, warehouse_id: str) -> list[dict[str, Any]]:
    """Stock of a warehouse per kind × model: counts by lifecycle status, and
    whether the available count is below the low-stock threshold."""
    warehouse = get_warehouse(session, scope, warehouse_id)
    threshold = int(common.char(warehouse, "lowStockThreshold", DEFAULT_LOW_STOCK))
    kind = kind_column(session).label("kind")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for k, model, lifecycle, count in session.execute(
        select(kind, Resource.name, Resource.lifecycle_status, func.count())
        .where(Resource.parent_id == warehouse.id, Resource.spec_id == CPE)
        .group_by(kind, Resource.name, Resource.lifecycle_status)
    ):
        level = out.setdefault(
            (k, model),
            {"kind": k, "model": model, **dict.fromkeys(LIFECYCLE_STATUSES, 0)},
        )
        level[lifecycle] = count
    result = []
    for key in sorted(out):
        level = out[key]
        level["threshold"] = threshold
        level["low"] = level["available"] < threshold
        result.append(level)
    return result


def issue(
    session: Session,
    scope: Scope,
    warehouse_id: str,
    *,
    kind: str,
    model: str | None = None,
    order_id: str | None = None,
    service_id: str | None = None,
    customer_id: str | None = None,
    site_id: str | None = None,
    actor: str | None = None,
) -> Resource:
    """Take one available CPE of ``kind`` (and ``model``) out of a warehouse for
    an installation: reserved and allocated at once, with a usage record."""
    warehouse = get_warehouse(session, scope, warehouse_id)
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if site_id is not None and place_directory().site(session, scope, site_id) is None:
        raise ValidationFailed(f"building '{site_id}' not found", field="siteId")
    reservation = common.new_reservation(
        session,
        hold=common.DEFAULT_HOLD,
        purpose=f"installation {order_id}" if order_id else "installation",
        customer_id=customer_id,
        actor=actor,
        region_id=warehouse.region_id,
    )
    kind_sql = kind_column(session)

    def restrict(stmt: Any) -> Any:
        stmt = stmt.where(kind_sql == kind)
        return stmt.where(Resource.name == model) if model else stmt

    try:
        (cpe,) = claim_free(
            session, reservation, spec_id=CPE, parent_id=warehouse.id, restrict=restrict
        )
    except Conflict:
        what = f"{kind} {model}" if model else kind
        raise Conflict(f"no {what} in stock at warehouse '{warehouse.value}'") from None
    set_lifecycle(cpe, "allocated")
    cpe.reservation_id = reservation.id
    cpe.site_id = site_id
    reservation.state = "allocated"
    common.open_usage(
        session, cpe, service_id=service_id, customer_id=customer_id, order_id=order_id
    )
    session.flush()
    publish_state_change(session, [cpe])
    return cpe


def get_cpe(session: Session, scope: Scope, cpe_id: str) -> Resource:
    return common.get_resource(session, scope, cpe_id, CPE, "CPE")


def recover(
    session: Session,
    scope: Scope,
    cpe_id: str,
    *,
    warehouse_id: str | None = None,
    faulty: bool = False,
    reason: str = "recovered",
    actor: str | None = None,
) -> Resource:
    """CPE recovery: an allocated CPE comes back — to ``available`` in a warehouse
    (its own by default), or ``retired`` when faulty."""
    cpe = get_cpe(session, scope, cpe_id)
    if cpe.lifecycle_status != "allocated":
        raise Conflict(f"CPE '{cpe.value}' is {cpe.lifecycle_status}, not allocated")
    target = get_warehouse(session, scope, warehouse_id or cpe.parent_id or "")
    old_site = cpe.site_id
    set_lifecycle(cpe, "released")
    common.close_usage(session, [cpe.id])
    if faulty:
        set_lifecycle(cpe, "retired")
        cpe.end_operating_date = cpe.updated_at
    else:
        set_lifecycle(cpe, "available")
    cpe.site_id = None
    if target.id != cpe.parent_id:
        session.add(
            ResourceTransfer(
                id=new_id(),
                batch_id=new_id(),
                resource_id=cpe.id,
                from_region=cpe.region_id,
                to_region=target.region_id,
                from_parent_id=cpe.parent_id,
                to_parent_id=target.id,
                reason=reason,
                actor=actor,
                transferred_at=now(),
            )
        )
        cpe.parent_id = target.id
        cpe.region_id = target.region_id
    session.flush()
    publish_state_change(session, [cpe])
    notify_capacity(session, [old_site])
    return cpe
