"""Reservation, allocation, release, expiry, usage and transfers of resources.

eTOM 1.5.1 resource management (1.5.1.x allocate / reserve / release
resources) and 1.5.2 resource provisioning support (the usage record of
which service and customer holds a resource).

* :func:`reserve` — hold ``count`` free resources of a type at a building, in
  a container (a pool, a warehouse, a splitter) or by id, for ``hold``
  (default 30 min, at most 7 days). Free resources are claimed only through
  :func:`lifecycle.claim_free` / :func:`lifecycle.claim_ids` — the code that
  makes double allocation impossible on both databases (see
  ``docs/resource-inventory.md``). Cost per call: one INSERT of the
  reservation, one SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL) of ``count``
  rows on an index, one guarded UPDATE, and the row flush — nothing
  proportional to the building.
* :func:`allocate` — reserved → allocated, opening one ``resource_usage``
  row per resource; :func:`allocate_now` does both in one step.
* :func:`release_reservation` — reserved → available.
* :func:`release` — allocated → released, closing the usage; with the type's
  quarantine at 0 the resource is available again at once, else at
  ``hold_until`` (numbers rest 90 days).
* :func:`expire` — lapsed reservations → expired (their resources
  available), finished quarantines → available. The worker runs it every
  60 s (job ``resource.inventory.expire``, re-armed by itself).
* :func:`transfer` — 调拨: move available/planned resources to another
  region and/or container, audited one row per resource.

Every change publishes ``ResourceStateChangeEvent`` (or
``ResourceAttributeValueChangeEvent`` for a transfer) and calls
:func:`lifecycle.notify_capacity` for the buildings concerned.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import SYSTEM_SCOPE, Scope, apply_scope, region_for_write
from openboss.resource.inventory import lifecycle, specs
from openboss.resource.inventory.lifecycle import now as now_ms
from openboss.resource.inventory.models import (
    SPEC_NAMES,
    Resource,
    ResourceReservation,
    ResourceSpec,
    ResourceTransfer,
    ResourceUsage,
)
from openboss.resource.inventory.resources import RESOURCE_ATTRIBUTE_VALUE_CHANGE, publish
from openboss.worker.jobs import enqueue, register_job_handler

DEFAULT_HOLD = timedelta(minutes=30)
MAX_HOLD = timedelta(days=7)
EXPIRE_JOB = "resource.inventory.expire"
EXPIRE_EVERY = timedelta(seconds=60)


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --------------------------------------------------------------------------- reserve


def reserve(
    session: Session,
    scope: Scope,
    spec_id: str | None = None,
    count: int = 1,
    *,
    site_id: str | None = None,
    parent_id: str | None = None,
    resource_ids: Sequence[str] | None = None,
    hold: timedelta | None = None,
    purpose: str | None = None,
    customer_id: str | None = None,
    related_entity: list[dict[str, Any]] | None = None,
    actor: str | None = None,
    grade: str | None = None,
    partner_id: str | None = None,
    own_only: bool = False,
    at: datetime | None = None,
) -> ResourceReservation:
    """Hold free resources (409 when not enough are free; nothing is held then)."""
    hold = DEFAULT_HOLD if hold is None else hold
    if hold <= timedelta(0) or hold > MAX_HOLD:
        raise ValidationFailed("hold must be more than 0 and at most 7 days", field="holdMinutes")
    if resource_ids is None:
        if spec_id is None:
            raise ValidationFailed(
                "name the resource specification or the resources", field="resourceSpecificationId"
            )
        if spec_id not in SPEC_NAMES:
            specs.get_spec(session, spec_id, field_name="resourceSpecificationId")
        if site_id is None and parent_id is None:
            raise ValidationFailed(
                "name a building (siteId) or a container (parentId)", field="siteId"
            )
    elif not resource_ids:
        raise ValidationFailed("resourceIds is empty", field="resourceIds")
    at = at or now_ms()
    reservation = ResourceReservation(
        id=new_id(),
        state="active",
        expires_at=at + hold,
        purpose=purpose,
        customer_id=customer_id,
        related_entity=related_entity,
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    # Not added here: the claim adds it with its resources' region just before
    # marking them (one INSERT, no UPDATE after; nothing to undo when short).
    try:
        _claim(
            session,
            scope,
            reservation,
            spec_id,
            count,
            site_id,
            parent_id,
            resource_ids,
            grade,
            partner_id,
            own_only,
        )
    except (Conflict, NotFound, ValidationFailed):
        # nothing is held: the caller's transaction stays usable without an empty hold
        if reservation in session.new:
            session.expunge(reservation)
        elif reservation in session:
            session.delete(reservation)
            session.flush()
        raise
    ensure_expiry_timer(session)
    return reservation


def _claim(
    session: Session,
    scope: Scope,
    reservation: ResourceReservation,
    spec_id: str | None,
    count: int,
    site_id: str | None,
    parent_id: str | None,
    resource_ids: Sequence[str] | None,
    grade: str | None,
    partner_id: str | None,
    own_only: bool,
) -> list[Resource]:
    if resource_ids is not None:
        ids = list(dict.fromkeys(resource_ids))
        if not scope.unrestricted:
            visible = set(
                session.scalars(
                    apply_scope(select(Resource.id).where(Resource.id.in_(ids)), Resource, scope)
                )
            )
            missing = next((i for i in ids if i not in visible), None)
            if missing is not None:
                raise NotFound(f"resource '{missing}' not found")
        rows = lifecycle.claim_ids(session, reservation, ids)
    else:
        assert spec_id is not None
        owner = partner_id
        if scope.partner_id is not None:
            if owner not in (None, scope.partner_id):
                raise ValidationFailed(
                    "a partner reserves only its own network", field="ownerPartnerId"
                )
            owner = scope.partner_id
        rows = lifecycle.claim_free(
            session,
            reservation,
            spec_id=spec_id,
            count=count,
            site_id=site_id,
            parent_id=parent_id,
            grade=grade,
            partner_id=owner,
            own_only=own_only,
            region_ids=sorted(scope.regions) if scope.regions is not None else None,
        )
    return rows


def get_reservation(
    session: Session, scope: Scope, reservation_id: str, *, for_update: bool = False
) -> ResourceReservation:
    stmt = apply_scope(
        select(ResourceReservation).where(ResourceReservation.id == reservation_id),
        ResourceReservation,
        scope,
    )
    if for_update and _pg(session):
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"reservation '{reservation_id}' not found")
    if scope.partner_id is not None:
        owners = set(
            session.scalars(
                select(Resource.partner_id).where(Resource.reservation_id == reservation_id)
            )
        )
        if owners and owners != {scope.partner_id}:
            raise NotFound(f"reservation '{reservation_id}' not found")
    return row


def reserved_resources(
    session: Session, reservation_id: str, *, lock: bool = False
) -> list[Resource]:
    stmt = select(Resource).where(Resource.reservation_id == reservation_id).order_by(Resource.id)
    if lock and _pg(session):
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


def list_reservations(
    session: Session,
    scope: Scope,
    *,
    state: str | None = None,
    customer_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ResourceReservation]:
    stmt = apply_scope(select(ResourceReservation), ResourceReservation, scope)
    if state:
        stmt = stmt.where(ResourceReservation.state == state)
    if customer_id:
        stmt = stmt.where(ResourceReservation.customer_id == customer_id)
    if scope.partner_id is not None:
        stmt = stmt.where(
            ResourceReservation.id.in_(
                select(Resource.reservation_id).where(Resource.partner_id == scope.partner_id)
            )
        )
    stmt = stmt.order_by(ResourceReservation.created_at.desc(), ResourceReservation.id)
    return list(session.scalars(stmt.offset(offset).limit(limit)))


# --------------------------------------------------------------------------- allocate


def allocate(
    session: Session,
    scope: Scope,
    reservation_id: str,
    service_id: str | None = None,
    customer_id: str | None = None,
    order_id: str | None = None,
    *,
    at: datetime | None = None,
) -> list[Resource]:
    """reserved → allocated for every resource of the reservation; usage opens."""
    at = at or now_ms()
    reservation = get_reservation(session, scope, reservation_id, for_update=True)
    if reservation.state != "active":
        raise Conflict(f"reservation '{reservation_id}' is {reservation.state}, not active")
    if reservation.expires_at <= at:
        raise Conflict(
            f"reservation '{reservation_id}' expired at {reservation.expires_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    rows = [
        r
        for r in reserved_resources(session, reservation_id, lock=True)
        if r.lifecycle_status == "reserved"
    ]
    if not rows:
        raise Conflict(f"reservation '{reservation_id}' holds no resources")
    customer = customer_id or reservation.customer_id
    for row in rows:
        lifecycle.set_lifecycle(row, "allocated", at=at)
        session.add(
            ResourceUsage(
                id=new_id(),
                resource_id=row.id,
                service_id=service_id,
                customer_id=customer,
                order_id=order_id,
                started_at=at,
                region_id=row.region_id,
            )
        )
    reservation.state = "allocated"
    reservation.customer_id = customer
    reservation.updated_at = at
    session.flush()
    lifecycle.publish_state_change(session, rows)
    lifecycle.notify_capacity(session, (r.site_id for r in rows))
    return rows


def allocate_now(
    session: Session,
    scope: Scope,
    spec_id: str | None = None,
    count: int = 1,
    *,
    service_id: str | None = None,
    customer_id: str | None = None,
    order_id: str | None = None,
    **criteria: Any,
) -> tuple[ResourceReservation, list[Resource]]:
    """Reserve and allocate in one step."""
    reservation = reserve(session, scope, spec_id, count, customer_id=customer_id, **criteria)
    rows = allocate(session, scope, reservation.id, service_id, customer_id, order_id)
    return reservation, rows


def release_reservation(
    session: Session, scope: Scope, reservation_id: str, *, at: datetime | None = None
) -> list[Resource]:
    """Give the held resources back (reserved → available)."""
    at = at or now_ms()
    reservation = get_reservation(session, scope, reservation_id, for_update=True)
    if reservation.state != "active":
        raise Conflict(f"reservation '{reservation_id}' is {reservation.state}, not active")
    rows = _free_reserved(session, [reservation_id], at)
    reservation.state = "released"
    reservation.updated_at = at
    session.flush()
    return rows


def _free_reserved(session: Session, reservation_ids: list[str], at: datetime) -> list[Resource]:
    stmt = select(Resource).where(
        Resource.reservation_id.in_(reservation_ids), Resource.lifecycle_status == "reserved"
    )
    if _pg(session):
        stmt = stmt.with_for_update()
    rows = list(session.scalars(stmt))
    for row in rows:
        lifecycle.set_lifecycle(row, "available", at=at)
    lifecycle.publish_state_change(session, rows)
    lifecycle.notify_capacity(session, (r.site_id for r in rows))
    return rows


# --------------------------------------------------------------------------- release


def release(
    session: Session,
    scope: Scope,
    resource_ids: Sequence[str],
    reason: str,
    *,
    at: datetime | None = None,
) -> list[Resource]:
    """allocated → released (usage closed); available at once or after the
    type's quarantine. 409 naming the first resource that is not allocated."""
    ids = list(dict.fromkeys(resource_ids))
    if not ids:
        raise ValidationFailed("no resource named", field="resourceIds")
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required", field="reason")
    at = at or now_ms()
    stmt = apply_scope(select(Resource).where(Resource.id.in_(ids)), Resource, scope)
    if _pg(session):
        stmt = stmt.order_by(Resource.id).with_for_update()
    rows = {r.id: r for r in session.scalars(stmt)}
    for ident in ids:
        row = rows.get(ident)
        if row is None:
            raise NotFound(f"resource '{ident}' not found")
        if row.lifecycle_status != "allocated":
            raise Conflict(f"resource '{ident}' is {row.lifecycle_status}, not allocated")
    quarantine = {
        s.id: s.quarantine_days
        for s in specs.specs_by_id(session, [r.spec_id for r in rows.values()]).values()
    }
    open_usage = session.scalars(
        select(ResourceUsage).where(
            ResourceUsage.resource_id.in_(ids), ResourceUsage.ended_at.is_(None)
        )
    )
    for usage in open_usage:
        usage.ended_at = at
        usage.note = reason.strip()
    out = [rows[i] for i in ids]
    for row in out:
        lifecycle.set_lifecycle(row, "released", at=at)
        days = quarantine.get(row.spec_id, 0)
        if days > 0:
            row.hold_until = at + timedelta(days=days)
        else:
            lifecycle.set_lifecycle(row, "available", at=at)
    lifecycle.publish_state_change(session, out)
    lifecycle.notify_capacity(session, (r.site_id for r in out))
    return out


# --------------------------------------------------------------------------- expiry


def expire(session: Session, now: datetime | None = None, *, limit: int = 1000) -> tuple[int, int]:
    """Lapse reservations past ``expires_at`` (their resources → available)
    and end quarantines past ``hold_until``; (reservations, resources freed)."""
    at = now or now_ms()
    stmt = (
        select(ResourceReservation)
        .where(ResourceReservation.state == "active", ResourceReservation.expires_at <= at)
        .order_by(ResourceReservation.expires_at)
        .limit(limit)
    )
    if _pg(session):
        stmt = stmt.with_for_update(skip_locked=True)
    lapsed = list(session.scalars(stmt))
    freed: list[Resource] = []
    if lapsed:
        for reservation in lapsed:
            reservation.state = "expired"
            reservation.updated_at = at
        freed.extend(_free_reserved(session, [r.id for r in lapsed], at))
    qstmt = (
        select(Resource)
        .where(
            Resource.lifecycle_status == "released",
            Resource.hold_until.is_not(None),
            Resource.hold_until <= at,
        )
        .order_by(Resource.hold_until)
        .limit(limit)
    )
    if _pg(session):
        qstmt = qstmt.with_for_update(skip_locked=True)
    rested = list(session.scalars(qstmt))
    for row in rested:
        lifecycle.set_lifecycle(row, "available", at=at)
    lifecycle.publish_state_change(session, rested)
    lifecycle.notify_capacity(session, (r.site_id for r in rested))
    session.flush()
    return len(lapsed), len(freed) + len(rested)


_timer_lock = threading.Lock()
_timer_slots: set[int] = set()


def _slot(when: datetime) -> int:
    return int(when.timestamp() // EXPIRE_EVERY.total_seconds())


def ensure_expiry_timer(
    session: Session, *, after: datetime | None = None, force: bool = False
) -> None:
    """Arm the expiry job for the next 60 s slot (idempotent: one job per slot,
    by ``dedup_key``). Reservations arm it at most once per slot and process
    (``force`` skips that memo: the job re-arming itself must not rely on a
    reservation whose transaction may have rolled back)."""
    base = after or utcnow()
    slot = _slot(base) + 1
    with _timer_lock:
        if slot in _timer_slots and not force:
            return
        _timer_slots.add(slot)
        if len(_timer_slots) > 64:
            _timer_slots.difference_update(sorted(_timer_slots)[:32])
    run_at = datetime.fromtimestamp(slot * EXPIRE_EVERY.total_seconds(), tz=base.tzinfo)
    enqueue(session, EXPIRE_JOB, {}, run_at=run_at, dedup_key=f"{EXPIRE_JOB}:{slot}")


def run_expiry_job(session: Session, payload: dict[str, Any]) -> None:
    """The worker's handler: expire, then re-arm for the next slot."""
    when = utcnow()
    expire(session, when)
    ensure_expiry_timer(session, after=when, force=True)


register_job_handler(EXPIRE_JOB, run_expiry_job)


# --------------------------------------------------------------------------- usage


def usage_of_resource(session: Session, scope: Scope, resource_id: str) -> list[ResourceUsage]:
    from openboss.resource.inventory.resources import get_resource

    get_resource(session, scope, resource_id)
    stmt = (
        select(ResourceUsage)
        .where(ResourceUsage.resource_id == resource_id)
        .order_by(ResourceUsage.started_at.desc(), ResourceUsage.id)
    )
    return list(session.scalars(stmt))


def _usage_query(scope: Scope, open_only: bool) -> Any:
    stmt: Any = select(ResourceUsage, Resource).join(
        Resource, Resource.id == ResourceUsage.resource_id
    )
    stmt = apply_scope(stmt, Resource, scope)
    if open_only:
        stmt = stmt.where(ResourceUsage.ended_at.is_(None))
    return stmt.order_by(ResourceUsage.started_at, ResourceUsage.id)


def usage_of_service(
    session: Session, service_id: str, *, scope: Scope = SYSTEM_SCOPE, open_only: bool = True
) -> list[tuple[ResourceUsage, Resource]]:
    """What a service uses (cutover, fault handling): (usage, resource) pairs."""
    stmt = _usage_query(scope, open_only).where(ResourceUsage.service_id == service_id)
    return [(u, r) for u, r in session.execute(stmt)]


def usage_of_customer(
    session: Session, customer_id: str, *, scope: Scope = SYSTEM_SCOPE, open_only: bool = True
) -> list[tuple[ResourceUsage, Resource]]:
    """What a customer uses (ordering, migration): (usage, resource) pairs."""
    stmt = _usage_query(scope, open_only).where(ResourceUsage.customer_id == customer_id)
    return [(u, r) for u, r in session.execute(stmt)]


def usage_view(usage: ResourceUsage) -> dict[str, Any]:
    return {
        "id": usage.id,
        "resourceId": usage.resource_id,
        "serviceId": usage.service_id,
        "customerId": usage.customer_id,
        "orderId": usage.order_id,
        "from": _iso(usage.started_at),
        "to": _iso(usage.ended_at),
        "note": usage.note,
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    from openboss.kit.tmf.attributes import format_datetime

    return format_datetime(value)


def reservation_view(reservation: ResourceReservation, rows: Sequence[Resource]) -> dict[str, Any]:
    return {
        "id": reservation.id,
        "href": f"/api/resource/v1/reservations/{reservation.id}",
        "state": reservation.state,
        "expiresAt": _iso(reservation.expires_at),
        "purpose": reservation.purpose,
        "customerId": reservation.customer_id,
        "relatedEntity": reservation.related_entity,
        "createdBy": reservation.created_by,
        "creationDate": _iso(reservation.created_at),
        "regionId": reservation.region_id,
        "resources": [
            {
                "id": r.id,
                "name": r.name,
                "value": r.value,
                "resourceSpecificationId": r.spec_id,
                "siteId": r.site_id,
                "parentId": r.parent_id,
                "lifecycleStatus": r.lifecycle_status,
            }
            for r in rows
        ],
    }


# --------------------------------------------------------------------------- transfers


def _ancestors(session: Session, resource: Resource, depth: int = 32) -> set[str]:
    out: set[str] = set()
    current = resource.parent_id
    while current is not None and depth > 0 and current not in out:
        out.add(current)
        current = session.scalar(select(Resource.parent_id).where(Resource.id == current))
        depth -= 1
    return out


def transfer(
    session: Session,
    scope: Scope,
    resource_ids: Sequence[str],
    reason: str,
    *,
    to_region_id: str | None = None,
    to_parent_id: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> tuple[str, list[ResourceTransfer]]:
    """调拨: move resources (available or planned only) to a region and/or a
    container; one audited row per resource, one batch id."""
    ids = list(dict.fromkeys(resource_ids))
    if not ids:
        raise ValidationFailed("no resource named", field="resourceIds")
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required", field="reason")
    if to_region_id is None and to_parent_id is None:
        raise ValidationFailed("name toRegionId or toParentId", field="toParentId")
    at = at or now_ms()
    stmt = apply_scope(select(Resource).where(Resource.id.in_(ids)), Resource, scope)
    if _pg(session):
        stmt = stmt.order_by(Resource.id).with_for_update()
    rows = {r.id: r for r in session.scalars(stmt)}
    for ident in ids:
        row = rows.get(ident)
        if row is None:
            raise NotFound(f"resource '{ident}' not found")
        if row.lifecycle_status not in ("available", "planned"):
            raise Conflict(
                f"resource '{ident}' is {row.lifecycle_status}: only available or planned"
                " resources can be transferred"
            )
    parent: Resource | None = None
    if to_parent_id is not None:
        parent = session.scalars(
            apply_scope(select(Resource).where(Resource.id == to_parent_id), Resource, scope)
        ).one_or_none()
        if parent is None:
            raise ValidationFailed(
                f"parent resource '{to_parent_id}' not found", field="toParentId"
            )
        if parent.lifecycle_status == "retired":
            raise Conflict(f"parent resource '{to_parent_id}' is retired", field="toParentId")
        above = _ancestors(session, parent) | {parent.id}
        loops = next((i for i in ids if i in above), None)
        if loops is not None:
            raise ValidationFailed(
                f"resource '{loops}' cannot be moved into itself or its own contents",
                field="toParentId",
            )
        spec_rows: dict[str, ResourceSpec] = specs.specs_by_id(
            session, [r.spec_id for r in rows.values()]
        )
        for ident in ids:
            specs.check_containment(spec_rows[rows[ident].spec_id], parent.spec_id)
    region = to_region_id
    if region is not None:
        region = region_for_write(scope, region, field="toRegionId")
    elif parent is not None:
        region = parent.region_id
    batch = new_id()
    out: list[ResourceTransfer] = []
    sites: set[str | None] = set()
    moved: list[Resource] = []
    for ident in ids:
        row = rows[ident]
        sites.add(row.site_id)
        record = ResourceTransfer(
            id=new_id(),
            batch_id=batch,
            resource_id=row.id,
            from_region=row.region_id,
            to_region=region if region is not None else row.region_id,
            from_parent_id=row.parent_id,
            to_parent_id=parent.id if parent else row.parent_id,
            reason=reason.strip(),
            actor=actor,
            transferred_at=at,
        )
        if parent is not None:
            row.parent_id = parent.id
            row.site_id = parent.site_id
        elif region is not None and region != row.region_id:
            row.site_id = None  # it leaves its building for another region
        if region is not None:
            row.region_id = region
        row.updated_at = at
        sites.add(row.site_id)
        session.add(record)
        out.append(record)
        moved.append(row)
    session.flush()
    publish(session, RESOURCE_ATTRIBUTE_VALUE_CHANGE, moved)
    lifecycle.notify_capacity(session, sites)
    return batch, out


def list_transfers(
    session: Session,
    scope: Scope,
    *,
    batch_id: str | None = None,
    resource_id: str | None = None,
    limit: int = 500,
) -> list[ResourceTransfer]:
    if batch_id is None and resource_id is None:
        raise ValidationFailed("name batchId or resourceId", field="batchId")
    stmt = select(ResourceTransfer).join(Resource, Resource.id == ResourceTransfer.resource_id)
    stmt = apply_scope(stmt, Resource, scope)
    if batch_id is not None:
        stmt = stmt.where(ResourceTransfer.batch_id == batch_id)
    if resource_id is not None:
        stmt = stmt.where(ResourceTransfer.resource_id == resource_id)
    stmt = stmt.order_by(ResourceTransfer.transferred_at.desc(), ResourceTransfer.id).limit(limit)
    return list(session.scalars(stmt))


def transfer_view(t: ResourceTransfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "batchId": t.batch_id,
        "resourceId": t.resource_id,
        "fromRegionId": t.from_region,
        "toRegionId": t.to_region,
        "fromParentId": t.from_parent_id,
        "toParentId": t.to_parent_id,
        "reason": t.reason,
        "actor": t.actor,
        "transferredAt": _iso(t.transferred_at),
    }
