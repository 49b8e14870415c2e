"""Shared pieces of pools and stock: building resource rows, reading and
writing characteristics, finding a row in the caller's scope, reservations.

eTOM 1.5.1 resource management.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openboss.events import outbox
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, apply_scope
from openboss.resource.inventory.lifecycle import initial_states, now
from openboss.resource.inventory.models import (
    RESOURCE_BASE_PATH,
    RESOURCE_RESOURCE,
    Resource,
    ResourceReservation,
    ResourceSpec,
    ResourceUsage,
)
from openboss.resource.inventory.specs import ensure_builtin_specs

#: Longest hold a reservation made here may ask for.
MAX_HOLD = timedelta(days=7)
DEFAULT_HOLD = timedelta(minutes=30)
RESOURCE_CREATE = "ResourceCreateEvent"


def ensure_specs(session: Session) -> None:
    """The pool and stock resource types exist (the network view's seed)."""
    ensure_builtin_specs(session)


def spec(session: Session, spec_id: str) -> ResourceSpec:
    row = session.get(ResourceSpec, spec_id)
    if row is None:
        ensure_specs(session)
        row = session.get(ResourceSpec, spec_id)
    if row is None:  # pragma: no cover - ensure_specs inserts it
        raise NotFound(f"resource specification '{spec_id}' not found")
    return row


def char(resource: Resource, name: str, default: Any = None) -> Any:
    """The value of characteristic ``name`` of ``resource``."""
    for item in resource.characteristics or ():
        if item.get("name") == name:
            return item.get("value", default)
    return default


def set_char(resource: Resource, name: str, value: Any, value_type: str = "string") -> None:
    """Set characteristic ``name`` (a new list, so the ORM sees the change)."""
    items = [dict(i) for i in resource.characteristics or () if i.get("name") != name]
    if value is not None:
        items.append({"name": name, "valueType": value_type, "value": value})
    resource.characteristics = items


def chars(**values: Any) -> list[dict[str, Any]]:
    """TMF characteristics from keyword arguments (None left out, types guessed)."""
    out: list[dict[str, Any]] = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            kind = "boolean"
        elif isinstance(value, int):
            kind = "integer"
        elif isinstance(value, dict):
            kind = "object"
        else:
            kind = "string"
        out.append({"name": name, "valueType": kind, "value": value})
    return out


def new_resource(
    spec_row: ResourceSpec,
    *,
    name: str,
    value: str | None,
    lifecycle: str = "available",
    parent_id: str | None = None,
    region_id: str | None = None,
    partner_id: str | None = None,
    site_id: str | None = None,
    capacity: int | None = None,
    grade: str | None = None,
    characteristics: list[dict[str, Any]] | None = None,
    description: str | None = None,
    at: datetime | None = None,
) -> Resource:
    """A new resource row of ``spec_row`` (not added to the session)."""
    when = at or now()
    return Resource(
        id=new_id(),
        spec_id=spec_row.id,
        base_type=spec_row.base_type,
        category=spec_row.category,
        name=name,
        value=value,
        description=description,
        parent_id=parent_id,
        site_id=site_id,
        region_id=region_id,
        partner_id=partner_id,
        ownership_terms="own" if partner_id is None else "lease",
        grade=grade,
        capacity=capacity,
        characteristics=characteristics or [],
        created_at=when,
        updated_at=when,
        start_operating_date=when if lifecycle == "available" else None,
        **initial_states(lifecycle),
    )


def publish_create(session: Session, resource: Resource) -> None:
    """``ResourceCreateEvent`` for a new pool or warehouse, in this transaction."""
    session.flush()
    body: dict[str, Any] = orjson.loads(resource.doc)
    body["id"] = resource.id
    outbox.publish(
        session,
        RESOURCE_CREATE,
        "resource",
        body,
        api=RESOURCE_BASE_PATH,
        domain="resource",
        partner_id=resource.partner_id,
        region_id=resource.region_id,
    )


def row_values(resource: Resource) -> dict[str, Any]:
    """Column values of ``resource`` for a Core insert (``doc`` included)."""
    values = {c.key: getattr(resource, c.key) for c in Resource.__table__.columns}
    values["doc"] = RESOURCE_RESOURCE.render_document(values)
    return values


def get_resource(
    session: Session, scope: Scope, resource_id: str, spec_id: str, what: str
) -> Resource:
    """The resource of ``spec_id`` with this id in the caller's scope (404 otherwise)."""
    stmt = apply_scope(
        select(Resource).where(Resource.id == resource_id, Resource.spec_id == spec_id),
        Resource,
        scope,
    )
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"{what} '{resource_id}' not found")
    return row


def hold_for(minutes: int | None) -> timedelta:
    if minutes is None:
        return DEFAULT_HOLD
    hold = timedelta(minutes=minutes)
    if hold <= timedelta(0) or hold > MAX_HOLD:
        raise ValidationFailed("holdMinutes must be between 1 and 10080", field="holdMinutes")
    return hold


def new_reservation(
    session: Session,
    *,
    hold: timedelta,
    purpose: str | None,
    customer_id: str | None,
    actor: str | None,
    region_id: str | None,
    state: str = "active",
) -> ResourceReservation:
    at = now()
    reservation = ResourceReservation(
        id=new_id(),
        state=state,
        expires_at=at + hold,
        purpose=purpose,
        customer_id=customer_id,
        created_by=actor,
        region_id=region_id,
        created_at=at,
        updated_at=at,
    )
    session.add(reservation)
    session.flush()
    return reservation


def open_usage(
    session: Session,
    resource: Resource,
    *,
    service_id: str | None,
    customer_id: str | None,
    order_id: str | None,
    note: str | None = None,
) -> ResourceUsage:
    usage = ResourceUsage(
        id=new_id(),
        resource_id=resource.id,
        service_id=service_id,
        customer_id=customer_id,
        order_id=order_id,
        started_at=now(),
        region_id=resource.region_id,
        note=note,
    )
    session.add(usage)
    return usage


def close_usage(session: Session, resource_ids: Iterable[str]) -> None:
    ids = list(resource_ids)
    if ids:
        session.execute(
            update(ResourceUsage)
            .where(ResourceUsage.resource_id.in_(ids), ResourceUsage.ended_at.is_(None))
            .values(ended_at=now())
            .execution_options(synchronize_session=False)
        )
