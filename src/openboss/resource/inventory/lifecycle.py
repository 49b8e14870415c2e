"""The resource lifecycle and the one way resources are claimed.

planned → available → reserved (with expiry) → allocated → released → available,
and retired from anywhere but reserved/allocated. Every change of lifecycle
goes through :func:`set_lifecycle`, which also sets the TMF639 states derived
from it; every claim of free resources goes through :func:`claim_free`, the
piece that makes "never allocate twice" true:

* PostgreSQL: the candidates are locked with ``SELECT … FOR UPDATE SKIP
  LOCKED``, so concurrent claimers take different rows instead of queueing
  on the same one, and each claimer sees only rows nobody holds;
* SQLite: write transactions begin ``IMMEDIATE`` (``db/engine.py``), so
  claimers are serialised by the database lock;
* on both, the update is guarded (``WHERE lifecycle_status = 'available'``)
  and its row count checked, so a lost race fails loudly (409) instead of
  double-allocating.

Sites whose sellable capacity may have changed are announced to the
capacity listeners (:func:`on_capacity_change`) in the same transaction —
the business view (``openboss.resource.publishing``) recomputes them there.

eTOM 1.5.1 resource management: 1.5.1.x allocate / reserve / release.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from openboss.audit import record_changes
from openboss.events import outbox
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.resource.inventory.models import (
    RESOURCE_BASE_PATH,
    RESOURCE_RESOURCE,
    Resource,
    ResourceReservation,
)

#: Allowed lifecycle moves.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"available", "retired"}),
    "available": frozenset({"reserved", "allocated", "planned", "retired"}),
    "reserved": frozenset({"available", "allocated"}),
    "allocated": frozenset({"released"}),
    "released": frozenset({"available", "retired"}),
    "retired": frozenset(),
}

#: lifecycle → (resourceStatus, administrativeState, usageState) of TMF639.
TMF_STATES: dict[str, tuple[str, str, str]] = {
    "planned": ("standby", "locked", "idle"),
    "available": ("available", "unlocked", "idle"),
    "reserved": ("reserved", "unlocked", "idle"),
    "allocated": ("available", "unlocked", "busy"),
    "released": ("standby", "unlocked", "idle"),
    "retired": ("suspended", "shutdown", "idle"),
}

RESOURCE_STATE_CHANGE = "ResourceStateChangeEvent"

CapacityListener = Callable[[Session, set[str]], None]

_lock = threading.Lock()
_listeners: list[CapacityListener] = []


def on_capacity_change(listener: CapacityListener) -> CapacityListener:
    """Register ``listener(session, site_ids)``, called in the transaction of
    every change that may alter what can be sold at those buildings."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)
    return listener


def notify_capacity(session: Session, site_ids: Iterable[str | None]) -> None:
    """Tell the capacity listeners that these buildings changed."""
    sites = {s for s in site_ids if s}
    if not sites:
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(session, sites)


def now() -> datetime:
    """Now, to the millisecond (what representations carry)."""
    return truncate_datetime(utcnow())


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def set_lifecycle(resource: Resource, target: str, *, at: datetime | None = None) -> None:
    """Move ``resource`` to ``target`` (409 naming both states when not allowed)."""
    if target not in TRANSITIONS:
        raise ValidationFailed(f"'{target}' is not a lifecycle status", field="lifecycleStatus")
    if target == resource.lifecycle_status:
        return
    if not can_move(resource.lifecycle_status, target):
        raise Conflict(
            f"resource '{resource.id}' cannot go from {resource.lifecycle_status} to {target}"
        )
    status, admin, usage = TMF_STATES[target]
    resource.lifecycle_status = target
    resource.resource_status = status
    resource.administrative_state = admin
    resource.usage_state = usage
    if target not in ("reserved", "released"):
        resource.hold_until = None
    if target not in ("reserved", "allocated"):
        resource.reservation_id = None
    resource.updated_at = at or now()


def initial_states(lifecycle: str) -> dict[str, str]:
    """The column values of a new resource in ``lifecycle`` (planned or available)."""
    status, admin, usage = TMF_STATES[lifecycle]
    return {
        "lifecycle_status": lifecycle,
        "resource_status": status,
        "administrative_state": admin,
        "usage_state": usage,
        "operational_state": "enable",
    }


def publish_state_change(session: Session, resources: Sequence[Resource]) -> None:
    """One ``ResourceStateChangeEvent`` per resource, with its representation."""
    if not resources:
        return
    session.flush()
    for resource in resources:
        body: dict[str, Any] = orjson.loads(resource.doc)
        body["id"] = resource.id
        outbox.publish(
            session,
            RESOURCE_STATE_CHANGE,
            "resource",
            body,
            api=RESOURCE_BASE_PATH,
            domain="resource",
            partner_id=resource.partner_id,
            region_id=resource.region_id,
        )


def claim_free(
    session: Session,
    reservation: ResourceReservation,
    *,
    spec_id: str,
    count: int = 1,
    site_id: str | None = None,
    parent_id: str | None = None,
    grade: str | None = None,
    partner_id: str | None = None,
    own_only: bool = False,
    region_ids: Sequence[str] | None = None,
    restrict: Callable[[Select[Any]], Select[Any]] | None = None,
) -> list[Resource]:
    """Reserve ``count`` available resources of ``spec_id`` for ``reservation``.

    Narrowed by building (``site_id``), container (``parent_id``: a pool, a
    warehouse, a splitter), ``grade``, owner (``partner_id``; ``own_only``
    for the operator's own) and regions; ``restrict`` adds any other
    condition. All or nothing: fewer than ``count`` free → 409 naming what
    was asked, and nothing is claimed.
    """
    if count < 1:
        raise ValidationFailed("count must be at least 1", field="count")
    stmt = select(Resource).where(
        Resource.spec_id == spec_id, Resource.lifecycle_status == "available"
    )
    if site_id is not None:
        stmt = stmt.where(Resource.site_id == site_id)
    if parent_id is not None:
        stmt = stmt.where(Resource.parent_id == parent_id)
    if grade is not None:
        stmt = stmt.where(Resource.grade == grade)
    if partner_id is not None:
        stmt = stmt.where(Resource.partner_id == partner_id)
    elif own_only:
        stmt = stmt.where(Resource.partner_id.is_(None))
    if region_ids is not None:
        stmt = stmt.where(Resource.region_id.in_(list(region_ids)))
    if restrict is not None:
        stmt = restrict(stmt)
    # populate_existing: a row this session loaded before must show what the lock sees
    stmt = stmt.order_by(Resource.id).limit(count).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.scalars(stmt))
    if len(rows) < count:
        where = f" at building '{site_id}'" if site_id else ""
        where += f" in '{parent_id}'" if parent_id else ""
        raise Conflict(
            f"not enough free '{spec_id}' resources{where}: asked {count}, found {len(rows)}"
        )
    return _mark_reserved(session, rows, reservation)


def claim_ids(
    session: Session, reservation: ResourceReservation, resource_ids: Sequence[str]
) -> list[Resource]:
    """Reserve these very resources (a chosen golden number, a given port);
    409 naming the first one that is not available."""
    ids = list(dict.fromkeys(resource_ids))
    if not ids:
        raise ValidationFailed("no resource named", field="resource")
    stmt = (
        select(Resource)
        .where(Resource.id.in_(ids))
        .order_by(Resource.id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    rows = {r.id: r for r in session.scalars(stmt)}
    for ident in ids:
        row = rows.get(ident)
        if row is None:
            raise Conflict(f"resource '{ident}' does not exist")
        if row.lifecycle_status != "available":
            raise Conflict(f"resource '{ident}' is {row.lifecycle_status}, not available")
    return _mark_reserved(session, [rows[i] for i in ids], reservation)


_SOURCE_KEYS: list[str] = []


def _source_keys() -> list[str]:
    """Column keys the stored document is rendered from (computed once: building
    the list compares SQL column objects, which is slow)."""
    if not _SOURCE_KEYS:
        _SOURCE_KEYS.extend(c.key for c in RESOURCE_RESOURCE.source_columns())
    return _SOURCE_KEYS


def _mark_reserved(
    session: Session, rows: list[Resource], reservation: ResourceReservation
) -> list[Resource]:
    """Reserve ``rows`` for ``reservation`` in one guarded UPDATE per row that
    also writes the new stored document, so the ORM has nothing left to flush.

    A reservation without a region takes its resources' region; the
    reservation is added to the session if needed and flushed first
    (resources refer to it).
    """
    if reservation.region_id is None and rows:
        reservation.region_id = rows[0].region_id
    session.add(reservation)
    session.flush()
    at = now()
    status, admin, usage = TMF_STATES["reserved"]
    changes: dict[str, Any] = {
        "lifecycle_status": "reserved",
        "resource_status": status,
        "administrative_state": admin,
        "usage_state": usage,
        "reservation_id": reservation.id,
        "hold_until": reservation.expires_at,
        "updated_at": at,
    }
    sources = _source_keys()
    table = cast(Table, Resource.__table__)
    params: list[dict[str, Any]] = []
    docs: list[str] = []
    for row in rows:
        values = {key: getattr(row, key) for key in sources}
        values.update(changes)
        doc = RESOURCE_RESOURCE.render_document(values)
        docs.append(doc)
        params.append({"rid": row.id, "new_doc": doc})
    # Guarded update: a concurrent claimer that got here first makes the count short.
    stmt = (
        update(table)
        .where(table.c.id == bindparam("rid"), table.c.lifecycle_status == "available")
        .values(**changes, doc=bindparam("new_doc"))
    )
    conn = session.connection()
    if len(params) == 1 or not conn.dialect.supports_sane_multi_rowcount:
        claimed = sum(int(conn.execute(stmt, p).rowcount) for p in params)
    else:
        claimed = int(conn.execute(stmt, params).rowcount)
    if claimed != len(rows):
        raise Conflict("a resource was claimed concurrently; try again")
    audited: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for row, doc in zip(rows, docs, strict=True):
        # put the object in step with the row without making it dirty
        audited.append(
            (
                row.id,
                {"lifecycle_status": row.lifecycle_status, "reservation_id": row.reservation_id},
                {"lifecycle_status": "reserved", "reservation_id": reservation.id},
            )
        )
        for key, value in changes.items():
            set_committed_value(row, key, value)
        set_committed_value(row, "doc", doc)
    # the guarded UPDATE is not a flush: write its audit rows explicitly
    record_changes(session, "resource", audited)
    publish_state_change(session, rows)
    notify_capacity(session, (r.site_id for r in rows))
    return rows
