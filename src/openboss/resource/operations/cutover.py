"""Cutover (资源割接): services moved from one set of resources to another.

eTOM 1.5.2 resource provisioning (1.5.2.x configure & activate resource: a
planned migration of services between resources) with 1.5.1 resource
management (the lifecycle and usage records it changes).

A plan pairs source resources with targets — every PON port of an OLT that
is in use onto the free PON ports of its replacement, or an explicit list of
port → port pairs. Planning lists the services and customers affected (the
open ``resource_usage`` rows of each source and of everything it contains);
a target must be available and of the source's spec (409 otherwise).

draft → approved (by a manager or administrator other than the planner) →
executing → executed | partiallyExecuted → rolledBack. Execution runs in
batches; each item in its own SAVEPOINT, so one failure (the target was
taken since planning) marks that item failed and the rest go on. An item
closes the source's open usages and opens the same ones on the target,
moves what the source contains (splitters, ONTs) under the target, and
moves the lifecycle (source allocated → released → available, target →
allocated); it emits a ``ResourceCutoverEvent`` (outbox) so fulfilment can
reconfigure the network elements, and tells the capacity listeners. What it
changed is kept on the item, and rollback puts back exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.auth.principal import Principal
from openboss.events import outbox
from openboss.kit.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import RESOURCE_BASE_PATH, Resource, ResourceUsage
from openboss.resource.operations.common import descendants, find_resource
from openboss.resource.operations.models import CutoverItem, CutoverPlan

CUTOVER_EVENT = "ResourceCutoverEvent"
PON_SPEC, OLT_SPEC = "ponPort", "olt"
APPROVER_ROLES = ("manager",)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Pair:
    source: str
    target: str


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _in_use(session: Session, port: Resource) -> bool:
    if port.lifecycle_status == "allocated":
        return True
    child = session.scalars(
        select(Resource.id).where(
            Resource.parent_id == port.id, Resource.lifecycle_status != "retired"
        )
    ).first()
    return child is not None


def _ports(session: Session, olt: Resource) -> list[Resource]:
    ports = [r for r in descendants(session, [olt.id]) if r.spec_id == PON_SPEC]
    return sorted(ports, key=lambda r: (r.value or r.name, r.id))


def olt_pairs(session: Session, scope: Scope, source_olt: str, target_olt: str) -> list[Pair]:
    """Every PON port of ``source_olt`` in use, paired in order with a free,
    empty PON port of ``target_olt`` (409 when the target has too few)."""
    source = find_resource(session, scope, source_olt, spec_id=OLT_SPEC, what="OLT")
    target = find_resource(session, scope, target_olt, spec_id=OLT_SPEC, what="OLT")
    if source.id == target.id:
        raise ValidationFailed("the source and target OLT are the same", field="targetOlt")
    used = [p for p in _ports(session, source) if _in_use(session, p)]
    free = [
        p
        for p in _ports(session, target)
        if p.lifecycle_status == "available" and not _in_use(session, p)
    ]
    if not used:
        raise Conflict(f"OLT '{source_olt}' has no PON port in use: nothing to move")
    if len(free) < len(used):
        raise Conflict(f"OLT '{target_olt}' has {len(free)} free PON ports; {len(used)} are needed")
    return [Pair(s.id, t.id) for s, t in zip(used, free, strict=False)]


def affected_usages(session: Session, resource: Resource) -> list[dict[str, Any]]:
    """The open usages of ``resource`` and of everything it contains."""
    inside = [resource, *descendants(session, [resource.id])]
    by_id = {r.id: r for r in inside}
    stmt = (
        select(ResourceUsage)
        .where(ResourceUsage.resource_id.in_(list(by_id)), ResourceUsage.ended_at.is_(None))
        .order_by(ResourceUsage.started_at, ResourceUsage.id)
    )
    return [
        {
            "usageId": u.id,
            "resourceId": u.resource_id,
            "resource": by_id[u.resource_id].value or by_id[u.resource_id].name,
            "serviceId": u.service_id,
            "customerId": u.customer_id,
            "orderId": u.order_id,
        }
        for u in session.scalars(stmt)
    ]


def create_plan(
    session: Session,
    scope: Scope,
    *,
    name: str,
    actor: str,
    reason: str | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    pairs: Sequence[Pair] = (),
    source_olt: str | None = None,
    target_olt: str | None = None,
) -> CutoverPlan:
    """A draft plan with one item per pair and the services each affects."""
    name = name.strip()
    if not name:
        raise ValidationFailed("name is required", field="name")
    if window_start and window_end and window_end < window_start:
        raise ValidationFailed("the window ends before it starts", field="windowEnd")
    if source_olt or target_olt:
        if not (source_olt and target_olt) or pairs:
            raise ValidationFailed(
                "give sourceOlt and targetOlt together, or pairs", field="sourceOlt"
            )
        pairs = olt_pairs(session, scope, source_olt, target_olt)
    if not pairs:
        raise ValidationFailed("a plan needs at least one source → target pair", field="pairs")
    sources: set[str] = set()
    targets: set[str] = set()
    at = lifecycle.now()
    plan = CutoverPlan(
        id=new_id(),
        name=name[:128],
        reason=reason,
        window_start=window_start,
        window_end=window_end,
        state="draft",
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    session.add(plan)
    session.flush()
    items: list[CutoverItem] = []
    for seq, pair in enumerate(pairs, 1):
        src = find_resource(session, scope, pair.source, what="source resource")
        dst = find_resource(session, scope, pair.target, what="target resource")
        if src.id == dst.id:
            raise ValidationFailed(f"pair {seq}: source and target are the same", field="pairs")
        if src.id in sources or src.id in targets or dst.id in targets or dst.id in sources:
            raise ValidationFailed(
                f"pair {seq}: a resource appears twice in the plan", field="pairs"
            )
        sources.add(src.id)
        targets.add(dst.id)
        label_src, label_dst = src.value or src.name, dst.value or dst.name
        if src.spec_id != dst.spec_id:
            raise Conflict(
                f"target '{label_dst}' is a '{dst.spec_id}', not compatible with"
                f" source '{label_src}' ('{src.spec_id}')"
            )
        if dst.lifecycle_status != "available":
            raise Conflict(f"target '{label_dst}' is {dst.lifecycle_status}, not available")
        if _in_use(session, dst):
            raise Conflict(f"target '{label_dst}' already contains resources")
        if src.lifecycle_status in ("retired", "reserved"):
            raise Conflict(f"source '{label_src}' is {src.lifecycle_status}: it cannot be moved")
        items.append(
            CutoverItem(
                id=new_id(),
                plan_id=plan.id,
                seq=seq,
                from_resource_id=src.id,
                to_resource_id=dst.id,
                affected=affected_usages(session, src),
                state="pending",
                updated_at=at,
            )
        )
    session.add_all(items)
    session.flush()
    return plan


def get_plan(session: Session, plan_id: str) -> CutoverPlan:
    plan = session.get(CutoverPlan, plan_id)
    if plan is None:
        raise NotFound(f"cutover plan '{plan_id}' not found")
    return plan


def plan_items(session: Session, plan_id: str) -> list[CutoverItem]:
    stmt = select(CutoverItem).where(CutoverItem.plan_id == plan_id).order_by(CutoverItem.seq)
    return list(session.scalars(stmt))


def list_plans(session: Session, *, limit: int = 50, offset: int = 0) -> list[CutoverPlan]:
    stmt = (
        select(CutoverPlan)
        .order_by(CutoverPlan.created_at.desc(), CutoverPlan.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def approve(session: Session, plan_id: str, principal: Principal) -> CutoverPlan:
    """A manager or administrator other than the planner approves a draft."""
    plan = get_plan(session, plan_id)
    if not principal.has_role(*APPROVER_ROLES):
        raise Forbidden("a cutover is approved by a manager or an administrator")
    if principal.name == plan.created_by:
        raise Forbidden("the planner cannot approve their own cutover plan")
    if plan.state != "draft":
        raise Conflict(f"plan '{plan.id}' is {plan.state}; only a draft can be approved")
    plan.state = "approved"
    plan.approved_by = principal.name
    plan.updated_at = lifecycle.now()
    session.flush()
    return plan


def execute(
    session: Session,
    plan_id: str,
    *,
    batch_size: int = 50,
    max_batches: int | None = None,
    progress: Progress | None = None,
) -> CutoverPlan:
    """Run the pending items in batches of ``batch_size`` (all of them, or
    ``max_batches`` batches); a failed item does not stop the others."""
    if batch_size < 1 or batch_size > 10_000:
        raise ValidationFailed("batchSize must be between 1 and 10000", field="batchSize")
    if max_batches is not None and max_batches < 1:
        raise ValidationFailed("batches must be at least 1", field="batches")
    plan = get_plan(session, plan_id)
    if plan.state not in ("approved", "executing"):
        raise Conflict(f"plan '{plan.id}' is {plan.state}; it must be approved to execute")
    plan.state = "executing"
    items = plan_items(session, plan.id)
    pending = [i for i in items if i.state == "pending"]
    last = session.scalar(select(func.max(CutoverItem.batch)).where(CutoverItem.plan_id == plan.id))
    batch_no = int(last or 0)
    done = 0
    for start in range(0, len(pending), batch_size):
        if max_batches is not None and batch_no - int(last or 0) >= max_batches:
            break
        batch_no += 1
        for item in pending[start : start + batch_size]:
            try:
                with session.begin_nested():
                    _move(session, plan, item)
            except AppError as exc:
                item.state = "failed"
                item.message = exc.message
                item.snapshot = None
                _event(session, plan, item)
            else:
                item.state = "done"
            item.batch = batch_no
            item.updated_at = lifecycle.now()
            done += 1
            if progress:
                progress(done, len(pending))
        session.flush()
    if all(i.state != "pending" for i in items):
        plan.state = "partiallyExecuted" if any(i.state == "failed" for i in items) else "executed"
    plan.updated_at = lifecycle.now()
    session.flush()
    return plan


def _lock(session: Session, ident: str) -> Resource:
    stmt = select(Resource).where(Resource.id == ident)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise Conflict(f"resource '{ident}' no longer exists")
    return row


def _move(session: Session, plan: CutoverPlan, item: CutoverItem) -> None:
    src = _lock(session, item.from_resource_id)
    dst = _lock(session, item.to_resource_id)
    label_dst = dst.value or dst.name
    if dst.lifecycle_status != "available":
        raise Conflict(f"target '{label_dst}' is {dst.lifecycle_status}, not available")
    if _in_use(session, dst):
        raise Conflict(f"target '{label_dst}' already contains resources")
    if src.lifecycle_status in ("retired", "reserved"):
        raise Conflict(f"source '{src.value or src.name}' is {src.lifecycle_status}")
    at = lifecycle.now()
    snapshot: dict[str, Any] = {
        "from": {"lifecycle": src.lifecycle_status, "reservationId": src.reservation_id},
        "to": {"lifecycle": dst.lifecycle_status},
        "children": [],
        "closed": [],
        "opened": [],
    }
    usages = session.scalars(
        select(ResourceUsage)
        .where(ResourceUsage.resource_id == src.id, ResourceUsage.ended_at.is_(None))
        .order_by(ResourceUsage.id)
    )
    for usage in list(usages):
        usage.ended_at = at
        moved = ResourceUsage(
            id=new_id(),
            resource_id=dst.id,
            service_id=usage.service_id,
            customer_id=usage.customer_id,
            order_id=usage.order_id,
            region_id=dst.region_id or usage.region_id,
            started_at=at,
            note=f"cutover {plan.id}",
        )
        session.add(moved)
        snapshot["closed"].append(usage.id)
        snapshot["opened"].append(moved.id)
    children = session.scalars(
        select(Resource).where(Resource.parent_id == src.id).order_by(Resource.id)
    )
    for child in list(children):
        snapshot["children"].append({"id": child.id, "siteId": child.site_id})
        child.parent_id = dst.id
        if dst.site_id:
            child.site_id = dst.site_id
        child.updated_at = at
    if src.lifecycle_status == "allocated":
        lifecycle.set_lifecycle(src, "released", at=at)
        lifecycle.set_lifecycle(src, "available", at=at)
        lifecycle.set_lifecycle(dst, "allocated", at=at)
    item.snapshot = snapshot
    moved_count, child_count = len(snapshot["opened"]), len(snapshot["children"])
    item.message = f"moved {moved_count} usage(s) and {child_count} contained resource(s)"
    session.flush()
    item.state = "done"
    _event(session, plan, item, src, dst)
    lifecycle.publish_state_change(session, [src, dst])
    lifecycle.notify_capacity(session, [src.site_id, dst.site_id])


def _event(
    session: Session,
    plan: CutoverPlan,
    item: CutoverItem,
    src: Resource | None = None,
    dst: Resource | None = None,
) -> None:
    src = src or session.get(Resource, item.from_resource_id)
    dst = dst or session.get(Resource, item.to_resource_id)
    body: dict[str, Any] = {
        "id": item.id,
        "state": item.state,
        "message": item.message,
        "cutoverPlan": {"id": plan.id, "name": plan.name},
        "fromResource": {"id": item.from_resource_id, "value": src.value if src else None},
        "toResource": {"id": item.to_resource_id, "value": dst.value if dst else None},
        "affected": item.affected,
    }
    outbox.publish(
        session,
        CUTOVER_EVENT,
        "resourceCutover",
        body,
        api=RESOURCE_BASE_PATH,
        domain="resource",
        region_id=dst.region_id if dst else None,
        partner_id=dst.partner_id if dst else None,
    )


def rollback(session: Session, plan_id: str) -> CutoverPlan:
    """Put back exactly what the done items changed (all or nothing: 409)."""
    plan = get_plan(session, plan_id)
    if plan.state not in ("executed", "partiallyExecuted", "executing"):
        raise Conflict(f"plan '{plan.id}' is {plan.state}; only an executed plan rolls back")
    at = lifecycle.now()
    items = [i for i in plan_items(session, plan.id) if i.state == "done"]
    for item in reversed(items):
        snap = item.snapshot or {}
        src = _lock(session, item.from_resource_id)
        dst = _lock(session, item.to_resource_id)
        was_allocated = snap.get("from", {}).get("lifecycle") == "allocated"
        if was_allocated and (
            dst.lifecycle_status != "allocated" or src.lifecycle_status != "available"
        ):
            raise Conflict(
                f"item {item.seq}: '{dst.value or dst.name}' or '{src.value or src.name}'"
                " changed since the cutover; it cannot be rolled back"
            )
        opened = list(snap.get("opened", []))
        if opened:
            rows = list(session.scalars(select(ResourceUsage).where(ResourceUsage.id.in_(opened))))
            if any(u.ended_at is not None for u in rows) or len(rows) != len(opened):
                raise Conflict(f"item {item.seq}: a moved usage has ended since the cutover")
            for usage in rows:
                session.delete(usage)
        for usage_id in snap.get("closed", []):
            closed = session.get(ResourceUsage, usage_id)
            if closed is not None:
                closed.ended_at = None
        for child in snap.get("children", []):
            row = session.get(Resource, child["id"])
            if row is not None:
                row.parent_id = src.id
                row.site_id = child["siteId"]
                row.updated_at = at
        if was_allocated:
            lifecycle.set_lifecycle(dst, "released", at=at)
            lifecycle.set_lifecycle(dst, "available", at=at)
            lifecycle.set_lifecycle(src, "allocated", at=at)
            src.reservation_id = snap["from"].get("reservationId")
        item.state = "rolledBack"
        item.message = "rolled back"
        item.updated_at = at
        session.flush()
        _event(session, plan, item, src, dst)
        lifecycle.publish_state_change(session, [src, dst])
        lifecycle.notify_capacity(session, [src.site_id, dst.site_id])
    plan.state = "rolledBack"
    plan.updated_at = at
    session.flush()
    return plan


def plan_doc(session: Session, plan: CutoverPlan, *, with_items: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": plan.id,
        "name": plan.name,
        "reason": plan.reason,
        "windowStart": _iso(plan.window_start),
        "windowEnd": _iso(plan.window_end),
        "state": plan.state,
        "createdBy": plan.created_by,
        "approvedBy": plan.approved_by,
        "createdAt": _iso(plan.created_at),
    }
    if with_items:
        items = plan_items(session, plan.id)
        ids = {i.from_resource_id for i in items} | {i.to_resource_id for i in items}
        names = {
            r.id: r.value or r.name
            for r in session.scalars(select(Resource).where(Resource.id.in_(list(ids))))
        }
        doc["items"] = [
            {
                "id": i.id,
                "seq": i.seq,
                "fromResource": {"id": i.from_resource_id, "value": names.get(i.from_resource_id)},
                "toResource": {"id": i.to_resource_id, "value": names.get(i.to_resource_id)},
                "affected": i.affected,
                "batch": i.batch,
                "state": i.state,
                "message": i.message,
            }
            for i in items
        ]
        doc["affectedServices"] = sum(len(i.affected) for i in items)
        doc["affectedCustomers"] = sorted(
            {a["customerId"] for i in items for a in i.affected if a.get("customerId")}
        )
    return doc
