"""Publishing sellable availability per building (资源发布 with status feedback).

eTOM 1.5.1 resource management — resource capability delivered to sales.

:func:`refresh_sites` recomputes the ``resource_availability`` rows of some
buildings from the packaging rules (SQL aggregates) and writes only what
changed. It is registered with :func:`lifecycle.on_capacity_change` when this
module is imported, so every reservation, allocation, release or partner
coverage change anywhere refreshes the buildings it touched in the same
transaction. A ``ResourceAvailabilityChangeEvent`` is published (outbox) when
a row's status or free count changes — the status feedback sales subscribes
to at ``/api/resource/v1/availability/hub`` — and
``ResourceAvailabilityDeleteEvent`` when a building loses a business type.

Concurrency: on PostgreSQL the building's rows are locked (``FOR UPDATE``)
before counting, so two transactions reserving at the same building refresh
one after the other and the second counts what the first committed; new rows
are written with ``INSERT … ON CONFLICT DO UPDATE``. SQLite serialises writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openboss.events import outbox
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import Resource
from openboss.resource.publishing import rules
from openboss.resource.publishing.models import (
    OWN,
    PUBLISHING_API,
    BusinessResourceType,
    PartnerCoverage,
    ResourceAvailability,
)

AVAILABILITY_API = PUBLISHING_API + "/availability"
CHANGE_EVENT = "ResourceAvailabilityChangeEvent"
DELETE_EVENT = "ResourceAvailabilityDeleteEvent"
#: Buildings per statement (IN lists stay short).
CHUNK = 500

_t = cast(Table, ResourceAvailability.__table__)


def _fmt(value: datetime | None) -> str | None:
    if value is None:
        return None
    return truncate_datetime(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def earliest_date(
    ready: datetime | None, lead_days: int, today: datetime | None = None
) -> datetime:
    """The earliest delivery date: the capacity's ready date (or today), plus the lead time."""
    start = today or utcnow()
    if ready is not None and ready > start:
        start = ready
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=lead_days)


def represent(row: Any, lead_days: int) -> dict[str, Any]:
    """The JSON of an availability row (a mapping or an ORM row)."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return {
        "id": get("id"),
        "siteId": get("site_id"),
        "businessTypeId": get("business_type_id"),
        "ownerPartnerId": get("partner_id"),
        "coverageType": get("coverage_type"),
        "deliveryMode": get("delivery_mode"),
        "capacityTotal": get("capacity_total"),
        "capacityFree": get("capacity_free"),
        "status": get("status"),
        "readyDate": _fmt(get("ready_date")),
        "earliestDate": _fmt(earliest_date(get("ready_date"), lead_days)),
        "regionId": get("region_id"),
        "updatedAt": _fmt(get("updated_at")),
        "@type": "ResourceAvailability",
    }


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def refresh_sites(session: Session, site_ids: Iterable[str], *, emit: bool = True) -> int:
    """Recompute the availability of these buildings; returns how many rows
    changed (inserted, updated or deleted)."""
    sites = sorted({s for s in site_ids if s})
    if not sites:
        return 0
    session.flush()
    types = [t for t in rules.active_types(session) if t.rule in rules.RULE_FUNCTIONS]
    changed = 0
    for chunk in _chunks(sites, CHUNK):
        changed += _refresh_chunk(session, chunk, types, emit)
    return changed


def _refresh_chunk(
    session: Session, sites: Sequence[str], types: list[BusinessResourceType], emit: bool
) -> int:
    dialect = session.get_bind().dialect.name
    existing_stmt = select(_t).where(_t.c.site_id.in_(list(sites))).order_by(_t.c.site_id, _t.c.id)
    if dialect == "postgresql":
        # serialise refreshes of one building: the second counts after the first commits
        existing_stmt = existing_stmt.with_for_update()
    existing = {
        (r["site_id"], r["business_type_id"], r["owner_key"]): dict(r)
        for r in session.execute(existing_stmt).mappings()
    }
    by_type = {t.id: t for t in types}
    computed: dict[tuple[str, str, str], rules.Capacity] = {}
    for bt in types:
        for cap in rules.RULE_FUNCTIONS[bt.rule](session, sites, bt):
            computed[(cap.site_id, bt.id, cap.partner_id or OWN)] = cap

    now = lifecycle.now()
    changed = 0
    events: list[tuple[str, dict[str, Any], int]] = []
    for key, cap in computed.items():
        site_id, type_id, owner_key = key
        bt = by_type[type_id]
        values = {
            "coverage_type": bt.coverage_type,
            "delivery_mode": bt.delivery_mode,
            "capacity_total": cap.total,
            "capacity_free": cap.free,
            "status": cap.status,
            "ready_date": truncate_datetime(cap.ready_date) if cap.ready_date else None,
            "partner_id": cap.partner_id,
            "region_id": cap.region_id,
        }
        old = existing.get(key)
        if old is not None:
            if all(old[k] == v for k, v in values.items()):
                continue
            session.execute(update(_t).where(_t.c.id == old["id"]).values(**values, updated_at=now))
            row = {**old, **values, "updated_at": now}
            if old["status"] != cap.status or old["capacity_free"] != cap.free:
                events.append((CHANGE_EVENT, row, bt.lead_days))
        else:
            row = {
                "id": new_id(),
                "site_id": site_id,
                "business_type_id": type_id,
                "owner_key": owner_key,
                **values,
                "updated_at": now,
            }
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(_t).values(**row)
            stmt = stmt.on_conflict_do_update(
                index_elements=["site_id", "business_type_id", "owner_key"],
                set_={**values, "updated_at": now},
            )
            session.execute(stmt)
            events.append((CHANGE_EVENT, row, bt.lead_days))
        changed += 1
    gone = [
        r for k, r in existing.items() if k not in computed and r["business_type_id"] in by_type
    ]
    if gone:
        session.execute(delete(_t).where(_t.c.id.in_([r["id"] for r in gone])))
        for r in gone:
            lead = by_type[r["business_type_id"]].lead_days
            events.append((DELETE_EVENT, r, lead))
        changed += len(gone)
    if emit:
        for event_type, row, lead in events:
            outbox.publish(
                session,
                event_type,
                "resourceAvailability",
                represent(row, lead),
                api=AVAILABILITY_API,
                domain="resource",
                region_id=row["region_id"],
                partner_id=row["partner_id"],
            )
    return changed


def published_sites(session: Session) -> list[str]:
    """Every building that has, or had, something to publish."""
    r = Resource.__table__
    pc = PartnerCoverage.__table__
    stmt = union(
        select(r.c.site_id).where(
            r.c.spec_id.in_((rules.SPLITTER_PORT, rules.MSTP_NODE)), r.c.site_id.is_not(None)
        ),
        select(pc.c.site_id),
        select(_t.c.site_id),
    )
    return sorted(str(s) for s in session.scalars(stmt))


def refresh_all(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    *,
    batch: int = CHUNK,
    emit: bool = False,
) -> int:
    """Recompute every building (bulk loads, nightly check); ``progress(done,
    total)`` after each batch. Events only when ``emit`` (a bulk load is not
    news to sales). Returns the rows changed."""
    sites = published_sites(session)
    changed = 0
    for i in range(0, len(sites), batch):
        changed += refresh_sites(session, sites[i : i + batch], emit=emit)
        if progress is not None:
            progress(min(i + batch, len(sites)), len(sites))
    return changed


def _on_capacity_change(session: Session, site_ids: set[str]) -> None:
    refresh_sites(session, site_ids)


lifecycle.on_capacity_change(_on_capacity_change)


def list_availability(
    session: Session,
    scope: Scope,
    *,
    site_id: str | None = None,
    region_id: str | None = None,
    status: Sequence[str] = (),
    business_type_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], int]:
    """A page of availability rows the caller may see, and the total."""
    stmt = apply_scope(select(_t), _t.c, scope)
    if site_id is not None:
        stmt = stmt.where(_t.c.site_id == site_id)
    if region_id is not None:
        stmt = stmt.where(_t.c.region_id == region_id)
    if status:
        stmt = stmt.where(_t.c.status.in_(list(status)))
    if business_type_id is not None:
        stmt = stmt.where(_t.c.business_type_id == business_type_id)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    page = session.execute(
        stmt.order_by(_t.c.site_id, _t.c.business_type_id, _t.c.owner_key)
        .offset(offset)
        .limit(limit)
    ).mappings()
    leads = dict(
        session.execute(select(BusinessResourceType.id, BusinessResourceType.lead_days)).all()
    )
    return [represent(dict(r), leads.get(r["business_type_id"], 0)) for r in page], total
