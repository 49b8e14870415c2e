"""Use cases of TMF697 work orders: create, change (merge patch), move in
the field, complete or fail, delete.

eTOM 1.5.2 resource provisioning and 1.4.2 workforce management (施工调度 and
the crew's progress in the field).

* The TMF ``state`` moves only along :data:`openboss.workforce.states.WORK_ORDER`
  (409 naming both states); the field sub-state along ``states.FIELD``.
* Setting an ``assignee`` dispatches the job (``fieldState`` = dispatched); the
  technician must be active, of the executing company, hold the required
  skills (400) and work that day, not on leave (409).
* ``completed`` needs the kind's completion characteristics on the items
  (:mod:`openboss.workforce.kinds`, 400 naming the missing one); ``failed``
  needs a ``failureReason``.
* Every state or field move is kept in ``work_order_event`` (who, when,
  from → to, note, lat/lon). Closing an order (completed, failed, partial,
  rejected, cancelled) calls the :mod:`openboss.workforce.hooks` listeners once,
  in this transaction.
* Events (outbox, same transaction, with the order's partner and region so
  that a partner's hub listener receives only its orders):
  ``WorkOrderCreateEvent``, ``WorkOrderAttributeValueChangeEvent``,
  ``WorkOrderStateChangeEvent``, ``WorkOrderDeleteEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, region_for_write
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.workforce import events, hooks, kinds, repository, staff, states
from openboss.workforce.hooks import Outcome
from openboss.workforce.models import (
    BASE_PATH,
    WORK_ORDER_RESOURCE,
    PartnerCompany,
    Technician,
    WorkOrder,
    WorkOrderEvent,
)
from openboss.workforce.schemas import PlaceRef, WorkOrderChange, WorkOrderCreate

#: Local time of the crews (working days and shifts are local).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

#: Attributes a partner's people and systems may change on their orders.
PARTNER_WRITABLE = frozenset(
    {
        "state",
        "fieldState",
        "workOrderItem",
        "note",
        "failureReason",
        "assignee",
        "expectedCompletionDate",
    }
)

#: Attributes a merge patch may not remove.
REQUIRED = ("state", "priority", "workOrderItem", "workOrderKind", "estimatedDuration")


@dataclass(frozen=True, slots=True)
class Written:
    """The work order after a change and its representation (JSON bytes)."""

    order: WorkOrder
    body: bytes


@dataclass(frozen=True, slots=True)
class Actor:
    """Who moves the order (kept in the history) and where they were."""

    name: str
    latitude: float | None = None
    longitude: float | None = None


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _dump(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _dump_one(item: Any) -> dict[str, Any] | None:
    if item is None:
        return None
    return cast(
        dict[str, Any], strip_nulls(item.model_dump(mode="json", by_alias=True, exclude_none=True))
    )


def document(order: WorkOrder, base_url: str) -> bytes:
    """The representation of a flushed order (stored document plus id/href)."""
    return WORK_ORDER_RESOURCE.represent(
        order.id, order.doc, WORK_ORDER_RESOURCE.href_prefix(base_url)
    ).encode()


def view(order: WorkOrder, base_url: str) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(document(order, base_url)))


def _publish(
    session: Session, event_type: str, order: WorkOrder, resource: dict[str, Any], **kw: Any
) -> None:
    publish(
        session,
        event_type,
        events.RESOURCE_NAME,
        resource,
        api=BASE_PATH,
        domain="workforce",
        partner_id=order.partner_id,
        region_id=order.region_id,
        **kw,
    )


def _record(
    session: Session,
    order: WorkOrder,
    actor: Actor,
    *,
    from_state: str | None,
    from_field: str | None,
    note: str | None = None,
) -> None:
    session.add(
        WorkOrderEvent(
            work_order_id=order.id,
            at=utcnow(),
            actor=actor.name,
            from_state=from_state,
            to_state=order.state,
            from_field_state=from_field,
            to_field_state=order.field_state,
            note=note,
            latitude=actor.latitude,
            longitude=actor.longitude,
        )
    )


# --------------------------------------------------------------------------- checks


def _resolve_place(
    session: Session, scope: Scope, place: PlaceRef | None
) -> tuple[dict[str, Any] | None, float | None, float | None, str | None]:
    """The stored place reference, its coordinates and region (from the directory)."""
    if place is None:
        return None, None, None, None
    directory = place_directory()
    address = directory.address(session, scope, place.id)
    if address is None:
        raise ValidationFailed(f"geographic address '{place.id}' does not exist", field="place.id")
    site = directory.site(session, scope, address.site_id)
    ref = {"id": address.id, "name": address.formatted, "@referredType": "GeographicAddress"}
    if place.href:
        ref["href"] = place.href
    lat = site.latitude if site else None
    lon = site.longitude if site else None
    return ref, lat, lon, address.region_id


def _check_partner(session: Session, scope: Scope, requested: str | None) -> str | None:
    if scope.partner_id is not None:
        if requested not in (None, scope.partner_id):
            raise Forbidden(f"partner '{requested}' is not yours", field="partnerId")
        requested = scope.partner_id
    if requested is None:
        return None
    partner = repository.partner_exists(session, requested)
    if partner is None:
        raise ValidationFailed(f"partner company '{requested}' does not exist", field="partnerId")
    if partner.status != "active":
        raise ValidationFailed(f"partner company '{requested}' is inactive", field="partnerId")
    return requested


def _check_skills_known(session: Session, required: list[dict[str, Any]]) -> None:
    codes = [r["skill"] for r in required]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("a skill is listed twice", field="requiredSkill")
    known = repository.skills_by_id(session, codes)
    for index, code in enumerate(codes):
        if code not in known:
            raise ValidationFailed(f"unknown skill '{code}'", field=f"requiredSkill[{index}].skill")


def _job_day(order: WorkOrder) -> datetime | None:
    when = order.window_start or order.requested_start
    return when.astimezone(LOCAL_TZ) if when is not None else None


def assignment_problems(
    session: Session, order: WorkOrder, tech: Technician
) -> list[tuple[int, str, str]]:
    """What forbids ``tech`` doing ``order``: ``(status, field, message)`` — 400s
    for who the technician is (inactive, other company, skills), 409s for when
    (not a working day, on leave). Empty when the assignment is valid."""
    out: list[tuple[int, str, str]] = []
    if tech.status != "active":
        out.append((400, "assignee.id", f"technician '{tech.id}' is inactive"))
    if tech.partner_id != order.partner_id:
        whose = f"partner '{order.partner_id}'" if order.partner_id else "the operator's crews"
        out.append((400, "assignee.id", f"technician '{tech.id}' does not work for {whose}"))
    have = staff.technician_skills(session, tech.id)
    for req in order.required_skill:
        level = have.get(req["skill"], 0)
        if level < int(req.get("minLevel", 1)):
            out.append(
                (
                    400,
                    "assignee.id",
                    f"technician '{tech.id}' has {req['skill']} level {level}; "
                    f"the job needs {req.get('minLevel', 1)}",
                )
            )
    day = _job_day(order)
    if day is not None:
        if day.weekday() not in tech.work_days:
            out.append((409, "assignee.id", f"{day.date()} is not a working day of '{tech.id}'"))
        if staff.on_leave(session, tech.id, day.date()):
            out.append((409, "assignee.id", f"technician '{tech.id}' is on leave on {day.date()}"))
    return out


def _assign(session: Session, scope: Scope, order: WorkOrder, tech_id: str | None) -> None:
    if tech_id is None:
        order.assignee_id = None
        order.assignee_name = None
        return
    try:
        tech = repository.get_technician(session, tech_id, scope)
    except NotFound:
        raise ValidationFailed(
            f"technician '{tech_id}' does not exist", field="assignee.id"
        ) from None
    problems = assignment_problems(session, order, tech)
    if problems:
        status, field, message = problems[0]
        if status == 409:
            raise Conflict(message, field=field)
        raise ValidationFailed(message, field=field)
    order.assignee_id = tech.id
    order.assignee_name = tech.name


# --------------------------------------------------------------------------- create


def create_work_order(
    session: Session, scope: Scope, data: WorkOrderCreate, base_url: str, actor: Actor
) -> Written:
    """Create a work order; it starts ``acknowledged`` (dispatched when it names
    an assignee)."""
    place, lat, lon, place_region = _resolve_place(session, scope, data.place)
    required = [r.model_dump(by_alias=True) for r in data.required_skill]
    _check_skills_known(session, required)
    now = _now()
    items = _dump(data.work_order_item) or []
    for item in items:
        item["state"] = states.WORK_ORDER.initial
    window = data.time_window
    order = WorkOrder(
        id=new_id(),
        kind=data.work_order_kind,
        state=states.WORK_ORDER.initial,
        description=data.description,
        category=data.category,
        external_id=data.external_id,
        priority=data.priority,
        required_skill=required,
        estimated_duration=data.estimated_duration,
        place=place,
        latitude=lat,
        longitude=lon,
        window_start=window.start_date_time if window else None,
        window_end=window.end_date_time if window else None,
        appointment=_dump_one(data.appointment),
        sla_deadline=data.sla_deadline,
        requested_start=data.requested_start_date,
        requested_completion=data.requested_completion_date,
        expected_completion=data.expected_completion_date,
        related_entity=_dump(data.related_entity),
        related_party=_dump(data.related_party),
        note=_dump_one(data.note),
        work_order_item=items,
        region_id=region_for_write(scope, data.region_id or place_region),
        partner_id=_check_partner(session, scope, data.partner_id),
        state_change_date=now,
        created_at=now,
        updated_at=now,
    )
    if data.assignee is not None:
        _assign(session, scope, order, data.assignee.id)
        order.field_state = "dispatched"
        order.field_state_date = now
    repository.add(session, order)
    _record(session, order, actor, from_state=None, from_field=None, note="created")
    body = document(order, base_url)
    _publish(session, events.CREATE, order, orjson.loads(body))
    return Written(order, body)


# --------------------------------------------------------------------------- change


def writable_view(order: WorkOrder) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target)."""
    v: dict[str, Any] = {
        "state": order.state,
        "priority": order.priority,
        "workOrderItem": order.work_order_item,
        "workOrderKind": order.kind,
        "estimatedDuration": order.estimated_duration,
        "requiredSkill": order.required_skill,
    }
    optional: dict[str, Any] = {
        "fieldState": order.field_state,
        "description": order.description,
        "category": order.category,
        "externalId": order.external_id,
        "requestedStartDate": order.requested_start,
        "requestedCompletionDate": order.requested_completion,
        "expectedCompletionDate": order.expected_completion,
        "cancellationReason": order.cancellation_reason,
        "failureReason": order.failure_reason,
        "appointment": order.appointment,
        "place": order.place,
        "relatedEntity": order.related_entity,
        "relatedParty": order.related_party,
        "note": order.note,
        "slaDeadline": order.sla_deadline,
        "partnerId": order.partner_id,
    }
    if order.assignee_id is not None:
        optional["assignee"] = {"id": order.assignee_id}
    if order.window_start is not None or order.window_end is not None:
        optional["timeWindow"] = strip_nulls(
            {"startDateTime": order.window_start, "endDateTime": order.window_end}
        )
    v.update({k: val for k, val in optional.items() if val is not None})
    return v


def _comparable(order: WorkOrder) -> dict[str, Any]:
    return {
        "description": order.description,
        "category": order.category,
        "externalId": order.external_id,
        "priority": order.priority,
        "requestedStartDate": order.requested_start,
        "requestedCompletionDate": order.requested_completion,
        "expectedCompletionDate": order.expected_completion,
        "cancellationReason": order.cancellation_reason,
        "failureReason": order.failure_reason,
        "appointment": order.appointment,
        "place": order.place,
        "relatedEntity": order.related_entity,
        "relatedParty": order.related_party,
        "note": order.note,
        "workOrderItem": order.work_order_item,
        "workOrderKind": order.kind,
        "requiredSkill": order.required_skill,
        "estimatedDuration": order.estimated_duration,
        "timeWindow": (order.window_start, order.window_end),
        "slaDeadline": order.sla_deadline,
        "assignee": order.assignee_id,
        "partnerId": order.partner_id,
        "fieldState": order.field_state,
    }


def update_work_order(
    session: Session,
    scope: Scope,
    ident: str,
    patch: dict[str, Any],
    base_url: str,
    actor: Actor,
    *,
    history_note: str | None = None,
) -> Written:
    """Apply a JSON merge patch (state moves, field moves, assignment, completion)."""
    reject_read_only(patch, sorted(WORK_ORDER_RESOURCE.read_only))
    if scope.partner_id is not None:
        for key in sorted(patch):
            if key not in PARTNER_WRITABLE:
                raise Forbidden(
                    f"a partner may change only: {', '.join(sorted(PARTNER_WRITABLE))}",
                    field=key,
                )
    order = repository.get_work_order(session, ident, scope, for_update=True)
    merged = merge_patch(writable_view(order), patch)
    for name in REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(WorkOrderChange, merged)
    old_state, old_field = order.state, order.field_state
    states.WORK_ORDER.check(old_state, data.state)
    before = _comparable(order)
    now = _now()

    # plain attributes
    order.description = data.description
    order.category = data.category
    order.external_id = data.external_id
    order.priority = data.priority
    order.requested_start = data.requested_start_date
    order.requested_completion = data.requested_completion_date
    order.expected_completion = data.expected_completion_date
    order.cancellation_reason = data.cancellation_reason
    order.failure_reason = data.failure_reason
    order.appointment = _dump_one(data.appointment)
    order.related_entity = _dump(data.related_entity)
    order.related_party = _dump(data.related_party)
    order.note = _dump_one(data.note)
    order.kind = data.work_order_kind
    order.estimated_duration = data.estimated_duration
    order.sla_deadline = data.sla_deadline
    order.window_start = data.time_window.start_date_time if data.time_window else None
    order.window_end = data.time_window.end_date_time if data.time_window else None
    required = [r.model_dump(by_alias=True) for r in data.required_skill or []]
    if required != order.required_skill:
        _check_skills_known(session, required)
        order.required_skill = required
    if "place" in patch:
        place, lat, lon, _region = _resolve_place(session, scope, data.place)
        order.place, order.latitude, order.longitude = place, lat, lon
    if "partnerId" in patch and data.partner_id != order.partner_id:
        if order.state not in ("acknowledged", "pending", "held"):
            raise Conflict(
                f"workOrder is {order.state}; its executing partner changes only before "
                "work starts",
                field="partnerId",
            )
        order.partner_id = _check_partner(session, scope, data.partner_id)
        if order.assignee_id is not None and "assignee" not in patch:
            order.assignee_id = order.assignee_name = None
            order.field_state = None
    items = _dump(data.work_order_item) or []

    # assignment (dispatch)
    target_field = data.field_state
    new_assignee = data.assignee.id if data.assignee else None
    if new_assignee != order.assignee_id or ("assignee" in patch and new_assignee is not None):
        if order.state in states.FINAL:
            raise Conflict(
                f"workOrder is {order.state}; it cannot be (re)assigned", field="assignee"
            )
        _assign(session, scope, order, new_assignee)
        if "fieldState" not in patch:
            target_field = "dispatched" if new_assignee is not None else None
    if target_field != order.field_state:
        if target_field is None:
            if order.assignee_id is not None:
                raise ValidationFailed(
                    "an assigned work order keeps a field sub-state", field="fieldState"
                )
        else:
            if target_field not in states.FIELD_STATES:
                raise ValidationFailed(
                    f"fieldState '{target_field}' is not a field sub-state; expected one of: "
                    + ", ".join(states.FIELD_STATES),
                    field="fieldState",
                )
            if order.assignee_id is None:
                raise Conflict("the work order has no assignee", field="fieldState")
            states.check_field_move(order.state, order.field_state, target_field)
        order.field_state = target_field
        order.field_state_date = now

    # state
    target_state = data.state
    started = order.field_state in states.STARTED and order.field_state != old_field
    if started and target_state in ("acknowledged", "pending", "held"):
        states.WORK_ORDER.check(target_state, "inProgress")
        target_state = "inProgress"
    if target_state != order.state:
        states.WORK_ORDER.check(order.state, target_state)
    if target_state == "completed" and old_state != "completed":
        kinds.check_completion(order.kind, items)
    closing_badly = target_state in ("failed", "partial") and old_state != target_state
    if closing_badly and not (order.failure_reason or "").strip():
        raise ValidationFailed(
            f"a work order moves to {target_state} with a failureReason",
            field="failureReason",
        )
    order.state = target_state
    if order.state != old_state:
        order.state_change_date = now
        if order.state == "inProgress" and order.start_date is None:
            order.start_date = now
        if order.state in ("completed", "failed", "partial", "rejected"):
            order.completion_date = now
        if order.state == "cancelled":
            order.cancellation_date = now
        for item in items:
            item["state"] = order.state
    order.work_order_item = items

    after = _comparable(order)
    state_changed = order.state != old_state
    changed = {k for k in after if after[k] != before[k]}
    if not state_changed and not changed:
        return Written(order, document(order, base_url))
    order.updated_at = now
    if state_changed or order.field_state != old_field:
        _record(
            session, order, actor, from_state=old_state, from_field=old_field, note=history_note
        )
    session.flush()
    body = document(order, base_url)
    resource = orjson.loads(body)
    if changed:
        _publish(
            session,
            events.ATTRIBUTE_VALUE_CHANGE,
            order,
            resource,
            description="changed: " + ", ".join(sorted(changed)),
        )
    if state_changed:
        _publish(
            session,
            events.STATE_CHANGE,
            order,
            resource,
            description=f"state {old_state} → {order.state}",
        )
        outcome = states.OUTCOMES.get(order.state)
        if outcome is not None:
            hooks.notify_closed(session, resource, cast(Outcome, outcome))
    return Written(order, body)


def delete_work_order(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    """Delete a work order that was never started (no work in the field)."""
    order = repository.get_work_order(session, ident, scope, for_update=True)
    if order.start_date is not None or order.state in (
        "inProgress",
        "completed",
        "failed",
        "partial",
    ):
        raise Conflict(
            f"workOrder '{ident}' is {order.state} and was started; only a work order that "
            "never started can be deleted",
            field="state",
            code="ILLEGAL_STATE",
        )
    if order.field_state in states.STARTED:
        raise Conflict(
            f"workOrder '{ident}' has a crew {order.field_state}; it cannot be deleted",
            field="fieldState",
            code="ILLEGAL_STATE",
        )
    resource = view(order, base_url)
    _publish(session, events.DELETE, order, resource)
    repository.remove(session, order)


# --------------------------------------------------------------------------- field helpers


def move_field(
    session: Session,
    scope: Scope,
    ident: str,
    target: str,
    base_url: str,
    actor: Actor,
    note: str | None = None,
) -> Written:
    """The crew's progress: accepted, enRoute, onSite (dispatched by assignment)."""
    return update_work_order(
        session, scope, ident, {"fieldState": target}, base_url, actor, history_note=note
    )


def complete(
    session: Session,
    scope: Scope,
    ident: str,
    characteristics: dict[str, str],
    base_url: str,
    actor: Actor,
) -> Written:
    """Complete with completion data added to the first item's characteristics."""
    order = repository.get_work_order(session, ident, scope)
    items = [dict(i) for i in order.work_order_item]
    first = items[0]
    chars = [c for c in first.get("characteristic") or [] if c.get("name") not in characteristics]
    chars += [
        {"name": k, "valueType": "string", "value": v} for k, v in characteristics.items() if v
    ]
    first["characteristic"] = chars
    return update_work_order(
        session,
        scope,
        ident,
        {"state": "completed", "workOrderItem": items},
        base_url,
        actor,
        history_note=characteristics.get("notes") or None,
    )


def fail(
    session: Session, scope: Scope, ident: str, reason: str, base_url: str, actor: Actor
) -> Written:
    return update_work_order(
        session,
        scope,
        ident,
        {"state": "failed", "failureReason": reason.strip() or None},
        base_url,
        actor,
        history_note=reason.strip() or None,
    )


def history(session: Session, scope: Scope, ident: str) -> list[WorkOrderEvent]:
    order = repository.get_work_order(session, ident, scope)
    return repository.history(session, order.id)


# --------------------------------------------------------------------------- console queries


def technician_for_user(session: Session, scope: Scope, username: str) -> Technician | None:
    """The technician whose user-name link is ``username`` (in the caller's scope)."""
    tech = repository.technician_by_username(session, username)
    if tech is None:
        return None
    try:
        return repository.get_technician(session, tech.id, scope)
    except NotFound:
        return None


def local_day_bounds(day: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the crews' local day containing ``day`` (default now)."""
    local = (day or utcnow()).astimezone(LOCAL_TZ)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def todays_jobs(session: Session, scope: Scope, tech: Technician) -> list[WorkOrder]:
    """The technician's jobs of today (by window or requested start) and any job of
    theirs still under way, in window order."""
    start, end = local_day_bounds()
    today = repository.search_work_orders(
        session, scope, assignee_id=tech.id, window_from=start, window_to=end
    )
    under_way = repository.search_work_orders(
        session, scope, assignee_id=tech.id, open_states=("inProgress",)
    )
    seen: dict[str, WorkOrder] = {o.id: o for o in today}
    for o in under_way:
        seen.setdefault(o.id, o)
    return sorted(
        seen.values(),
        key=lambda o: (o.window_start or o.requested_start or o.created_at, o.id),
    )


def technician_job(session: Session, scope: Scope, tech: Technician, ident: str) -> WorkOrder:
    """One of the technician's own jobs (404 for anyone else's)."""
    order = repository.get_work_order(session, ident, scope)
    if order.assignee_id != tech.id:
        raise NotFound(f"workOrder '{ident}' not found")
    return order


def eligible_technicians(session: Session, scope: Scope, order: WorkOrder) -> list[Technician]:
    """Active technicians of the executing company, for the dispatcher's choice."""
    return repository.list_technicians(
        session,
        scope,
        partner_id=order.partner_id,
        own_only=order.partner_id is None,
        status="active",
    )


def get_work_order(session: Session, scope: Scope, ident: str) -> WorkOrder:
    """One work order (404 when missing or out of scope)."""
    return repository.get_work_order(session, ident, scope)


def search_work_orders(session: Session, scope: Scope, **filters: Any) -> list[WorkOrder]:
    """Work orders by the console's filters (see ``repository.search_work_orders``)."""
    return repository.search_work_orders(session, scope, **filters)


def list_partners(session: Session, scope: Scope) -> list[PartnerCompany]:
    """Partner companies the caller may see."""
    return repository.list_partners(session, scope)
