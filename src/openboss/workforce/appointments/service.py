"""Use cases of TMF646 appointments: search free slots, book, reschedule,
cancel, complete or fail; the customer is told by SMS (an outbox message).

eTOM 1.4.2 workforce management (crew capacity) and 1.2.1 customer
interaction management (the agreed visit).

* A search (``searchTimeSlot``) proposes the day's arrival windows in which at
  least one eligible technician still has room (:mod:`.slots`); it is stored.
* Booking re-checks the slot under a lock of the local day (PostgreSQL:
  ``pg_advisory_xact_lock``; SQLite: write transactions are IMMEDIATE), so two
  bookings of the last place in a slot cannot both succeed (409). The lock is
  per day, not per skill or region: technicians hold several skills and serve
  several regions, so bookings of other skills compete for the same people.
* The status follows :data:`APPOINTMENT` (409 for an illegal move).
* Booking, rescheduling and cancelling update the linked work order
  (``appointment`` ref and ``timeWindow``) through the work-order service, keep a
  history entry and publish ``AppointmentNotification`` (a TMF681-like SMS to
  the phone of ``contactMedium``, in zh-CN).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.places import place_directory
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import format_datetime, strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.workforce import repository as wf_repository
from openboss.workforce import service as wf_service
from openboss.workforce import states as wf_states
from openboss.workforce.appointments import slots
from openboss.workforce.appointments.models import (
    APPOINTMENT_RESOURCE,
    BASE_PATH,
    SEARCH_RESOURCE,
    Appointment,
    SearchTimeSlot,
)
from openboss.workforce.appointments.schemas import (
    AppointmentChange,
    AppointmentCreate,
    SearchTimeSlotCreate,
    SkillNeed,
)
from openboss.workforce.hooks import Outcome, on_work_order_closed
from openboss.workforce.models import WorkOrder
from openboss.workforce.schemas import PlaceRef, RelatedEntity

APPOINTMENT = StateMachine(
    "appointment",
    {
        "initialized": ["confirmed", "cancelled", "failed"],
        "confirmed": ["completed", "failed", "cancelled"],
        "cancelled": [],
        "completed": [],
        "failed": [],
    },
    "initialized",
)

CREATE = "AppointmentCreateEvent"
ATTRIBUTE_VALUE_CHANGE = "AppointmentAttributeValueChangeEvent"
STATE_CHANGE = "AppointmentStateChangeEvent"
SEARCH_CREATE = "SearchTimeSlotCreateEvent"
NOTIFICATION = "AppointmentNotification"

#: Attributes a merge patch may not remove.
REQUIRED = ("validFor", "status")


@dataclass(frozen=True, slots=True)
class Written:
    appointment: Appointment
    body: bytes


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _dump(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _iso(value: datetime) -> str:
    return format_datetime(value)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True, slots=True)
class _Context:
    need: slots.Need
    place: dict[str, Any]
    address_id: str
    order: WorkOrder | None


def _work_order_ref(entities: list[RelatedEntity] | None) -> str | None:
    refs = [e for e in entities or [] if e.referred_type == "WorkOrder"]
    if len(refs) > 1:
        raise ValidationFailed("at most one WorkOrder may be related", field="relatedEntity")
    return refs[0].id if refs else None


def _context(
    session: Session,
    scope: Scope,
    *,
    entities: list[RelatedEntity] | None,
    place: PlaceRef | None,
    skill: SkillNeed | None,
    duration: int | None,
    partner_id: str | None,
) -> _Context:
    """Skill, duration, place and company of a visit: from the related work order
    when there is one, else from the request's extensions."""
    order: WorkOrder | None = None
    order_id = _work_order_ref(entities)
    if order_id is not None:
        try:
            order = wf_repository.get_work_order(session, order_id, scope)
        except NotFound:
            raise ValidationFailed(
                f"workOrder '{order_id}' does not exist", field="relatedEntity.id"
            ) from None
        if order.state in wf_states.FINAL:
            raise Conflict(
                f"workOrder '{order_id}' is {order.state}; it takes no appointment",
                field="relatedEntity",
            )
        if skill is None and order.required_skill:
            first = order.required_skill[0]
            skill = SkillNeed(skill=first["skill"], min_level=int(first.get("minLevel", 1)))
        duration = duration or order.estimated_duration
        partner_id = order.partner_id
        if place is None and order.place is not None:
            place = PlaceRef(id=order.place["id"])
        elif place is not None and order.place is not None and place.id != order.place["id"]:
            raise ValidationFailed(
                f"relatedPlace '{place.id}' is not the work order's place '{order.place['id']}'",
                field="relatedPlace.id",
            )
    elif partner_id is not None:
        if scope.partner_id is not None and partner_id != scope.partner_id:
            raise ValidationFailed(f"partner '{partner_id}' is not yours", field="partnerId")
        if wf_repository.partner_exists(session, partner_id) is None:
            raise ValidationFailed(
                f"partner company '{partner_id}' does not exist", field="partnerId"
            )
    if scope.partner_id is not None:
        partner_id = scope.partner_id if partner_id is None else partner_id
    if place is None:
        raise ValidationFailed(
            "relatedPlace (a GeographicAddress id) or a WorkOrder with a place is required",
            field="relatedPlace",
        )
    if skill is None:
        raise ValidationFailed("requiredSkill is required", field="requiredSkill")
    if not wf_repository.skills_by_id(session, [skill.skill]):
        raise ValidationFailed(f"unknown skill '{skill.skill}'", field="requiredSkill.skill")
    directory = place_directory()
    address = directory.address(session, scope, place.id)
    if address is None:
        raise ValidationFailed(
            f"geographic address '{place.id}' does not exist", field="relatedPlace.id"
        )
    site = directory.site(session, scope, address.site_id)
    need = slots.Need(
        skill=skill.skill,
        min_level=skill.min_level,
        duration=duration or 60,
        latitude=site.latitude if site else None,
        longitude=site.longitude if site else None,
        region_id=address.region_id,
        partner_id=partner_id,
    )
    ref = {"id": address.id, "name": address.formatted, "@referredType": "GeographicAddress"}
    return _Context(need, ref, address.id, order)


# --------------------------------------------------------------------------- search


def search(
    session: Session, scope: Scope, data: SearchTimeSlotCreate, base_url: str
) -> tuple[SearchTimeSlot, bytes]:
    """Find the free slots of the requested window; store and return the result."""
    window = data.requested_time_slot[0].valid_for
    start, end = window.start_date_time, window.end_date_time
    if start is None or end is None:
        raise ValidationFailed(
            "requestedTimeSlot[0].validFor needs startDateTime and endDateTime",
            field="requestedTimeSlot",
        )
    if end - start > timedelta(days=slots.MAX_DAYS):
        raise ValidationFailed(
            f"the requested window may cover at most {slots.MAX_DAYS} days",
            field="requestedTimeSlot",
        )
    ctx = _context(
        session,
        scope,
        entities=data.related_entity,
        place=data.related_place,
        skill=data.required_skill,
        duration=data.duration,
        partner_id=data.partner_id,
    )
    found = slots.capacities(session, ctx.need, start, end)
    available = [s for s in found if s.capacity > 0]
    reason = None
    if not found:
        reason = "the requested window holds no future slot"
    elif not available:
        reason = (
            f"no eligible technician ({ctx.need.skill} level {ctx.need.min_level}+) is free "
            "in the requested window"
        )
    row = SearchTimeSlot(
        id=new_id(),
        status="completed",
        search_result="success" if available else "fail",
        search_date=_now(),
        requested_time_slot=[
            {"validFor": {"startDateTime": _iso(start), "endDateTime": _iso(end)}}
        ],
        available_time_slot=[
            {
                "id": str(i + 1),
                "validFor": {"startDateTime": _iso(s.start), "endDateTime": _iso(s.end)},
                "capacity": s.capacity,
            }
            for i, s in enumerate(available)
        ],
        related_place=ctx.place,
        related_entity=_dump(data.related_entity),
        required_skill={"skill": ctx.need.skill, "minLevel": ctx.need.min_level},
        duration=ctx.need.duration,
        reason=reason,
        region_id=ctx.need.region_id,
        partner_id=ctx.need.partner_id,
    )
    session.add(row)
    session.flush()
    body = SEARCH_RESOURCE.represent(
        row.id, row.doc, SEARCH_RESOURCE.href_prefix(base_url)
    ).encode()
    publish(
        session,
        SEARCH_CREATE,
        "searchTimeSlot",
        orjson.loads(body),
        api=BASE_PATH,
        domain="workforce",
        region_id=row.region_id,
        partner_id=row.partner_id,
    )
    return row, body


def search_document(session: Session, scope: Scope, ident: str, base_url: str) -> bytes:
    doc = fetch_document(
        session,
        SEARCH_RESOURCE,
        ident,
        base_url=base_url,
        restrict=lambda s: apply_scope(s, SearchTimeSlot.__table__.c, scope),
    )
    if doc is None:
        raise NotFound(f"searchTimeSlot '{ident}' not found")
    return doc


# --------------------------------------------------------------------------- booking


def _lock_day(session: Session, when: datetime) -> None:
    """Serialise bookings of one local day (PostgreSQL advisory lock; SQLite
    write transactions are already serial)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(f"openboss.appointment:{slots.local_day(when)}".encode())
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _check_slot(
    session: Session,
    need: slots.Need,
    start: datetime,
    end: datetime,
    *,
    exclude: str | None = None,
) -> None:
    if not slots.slot_of(start, end):
        offered = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in slots.SLOTS)
        raise ValidationFailed(
            f"validFor must be one of the day's slots (Asia/Shanghai): {offered}",
            field="validFor",
        )
    if start < utcnow():
        raise ValidationFailed("validFor starts in the past", field="validFor")
    _lock_day(session, start)
    found = slots.capacities(
        session, need, start, end, exclude_appointment=exclude, only=(start, end)
    )
    if not found or found[0].capacity <= 0:
        raise Conflict(
            f"the slot {_iso(start)} – {_iso(end)} is no longer available "
            f"({need.skill} level {need.min_level}+)",
            field="validFor",
            code="SLOT_UNAVAILABLE",
        )


def _history(appt: Appointment, actor: str, action: str, **extra: Any) -> None:
    entry = {"at": _iso(_now()), "actor": actor, "action": action}
    entry.update({k: v for k, v in extra.items() if v is not None})
    appt.history = [*appt.history, entry]


def _phone(appt: Appointment) -> str | None:
    for medium in appt.contact_medium or []:
        phone = (medium.get("characteristic") or {}).get("phoneNumber")
        if phone:
            return str(phone)
    for party in appt.related_party or []:
        if party.get("contactPhone"):
            return str(party["contactPhone"])
    return None


_TEXT = {
    "booked": "【OpenBOSS】您的上门服务预约已确认：{when}，地址：{place}。如需改约请联系客服。",
    "rescheduled": "【OpenBOSS】您的上门服务预约已改约至：{when}，地址：{place}。",
    "cancelled": "【OpenBOSS】您 {when} 的上门服务预约已取消。原因：{reason}。",
}


def _when_zh(appt: Appointment) -> str:
    s = appt.valid_start.astimezone(wf_service.LOCAL_TZ)
    e = appt.valid_end.astimezone(wf_service.LOCAL_TZ)
    return f"{s.year}年{s.month}月{s.day}日 {s:%H:%M}-{e:%H:%M}"


def _notify(session: Session, appt: Appointment, action: str, base_url: str) -> None:
    """The customer's SMS (TMF681-like CommunicationMessage) through the outbox;
    nothing when the appointment has no phone."""
    phone = _phone(appt)
    if phone is None:
        return
    content = _TEXT[action].format(
        when=_when_zh(appt),
        place=appt.related_place.get("name", ""),
        reason=appt.cancellation_reason or "",
    )
    message = {
        "id": new_id(),
        "@type": "CommunicationMessage",
        "messageType": "SMS",
        "subject": f"appointment {action}",
        "content": content,
        "state": "initial",
        "sender": {"name": "OpenBOSS"},
        "receiver": [{"phoneNumber": phone, "@type": "Receiver"}],
        "characteristic": [
            {"name": "language", "value": "zh-CN"},
            {"name": "action", "value": action},
        ],
        "appointment": {
            "id": appt.id,
            "href": APPOINTMENT_RESOURCE.href(base_url, appt.id),
            "validFor": {
                "startDateTime": _iso(appt.valid_start),
                "endDateTime": _iso(appt.valid_end),
            },
        },
    }
    publish(
        session,
        NOTIFICATION,
        "communicationMessage",
        message,
        api=BASE_PATH,
        domain="workforce",
        region_id=appt.region_id,
        partner_id=appt.partner_id,
    )


def _sync_work_order(
    session: Session,
    scope: Scope,
    appt: Appointment,
    base_url: str,
    actor: str,
    *,
    cancel: bool = False,
) -> None:
    if appt.work_order_id is None:
        return
    order = session.get(WorkOrder, appt.work_order_id)
    if order is None or order.state in wf_states.FINAL:
        return
    if cancel:
        if (order.appointment or {}).get("id") != appt.id:
            return
        patch: dict[str, Any] = {"appointment": None, "timeWindow": None}
        note = "appointment cancelled"
    else:
        patch = {
            "appointment": {
                "id": appt.id,
                "href": APPOINTMENT_RESOURCE.href(base_url, appt.id),
                "@referredType": "Appointment",
            },
            "timeWindow": {
                "startDateTime": _iso(appt.valid_start),
                "endDateTime": _iso(appt.valid_end),
            },
        }
        note = "appointment booked"
    wf_service.update_work_order(
        session, scope, order.id, patch, base_url, wf_service.Actor(actor), history_note=note
    )


def document(appt: Appointment, base_url: str) -> bytes:
    return APPOINTMENT_RESOURCE.represent(
        appt.id, appt.doc, APPOINTMENT_RESOURCE.href_prefix(base_url)
    ).encode()


def _publish(session: Session, event_type: str, appt: Appointment, body: bytes, **kw: Any) -> None:
    publish(
        session,
        event_type,
        "appointment",
        orjson.loads(body),
        api=BASE_PATH,
        domain="workforce",
        region_id=appt.region_id,
        partner_id=appt.partner_id,
        **kw,
    )


def book(
    session: Session, scope: Scope, data: AppointmentCreate, base_url: str, actor: str
) -> Written:
    """Book a slot (re-checked under the day's lock: 409 when taken)."""
    start, end = data.valid_for.start_date_time, data.valid_for.end_date_time
    if start is None or end is None:
        raise ValidationFailed("validFor needs startDateTime and endDateTime", field="validFor")
    ctx = _context(
        session,
        scope,
        entities=data.related_entity,
        place=data.related_place,
        skill=data.required_skill,
        duration=data.duration,
        partner_id=data.partner_id,
    )
    if ctx.order is not None:
        taken = session.scalars(
            select(Appointment.id).where(
                Appointment.work_order_id == ctx.order.id,
                Appointment.status.in_(slots.HOLDING),
            )
        ).first()
        if taken is not None:
            raise Conflict(
                f"workOrder '{ctx.order.id}' already has appointment '{taken}'; reschedule it",
                field="relatedEntity",
            )
    _check_slot(session, ctx.need, start, end)
    now = _now()
    appt = Appointment(
        id=new_id(),
        status=data.status or "confirmed",
        category=data.category,
        description=data.description,
        external_id=data.external_id,
        valid_start=start,
        valid_end=end,
        work_order_id=ctx.order.id if ctx.order else None,
        skill_id=ctx.need.skill,
        min_level=ctx.need.min_level,
        duration=ctx.need.duration,
        address_id=ctx.address_id,
        latitude=ctx.need.latitude,
        longitude=ctx.need.longitude,
        related_entity=_dump(data.related_entity),
        related_party=_dump(data.related_party),
        related_place=ctx.place,
        contact_medium=_dump(data.contact_medium),
        note=_dump(data.note),
        calendar_event=(
            strip_nulls(data.calendar_event.model_dump(mode="json", by_alias=True))
            if data.calendar_event
            else None
        ),
        history=[],
        region_id=ctx.need.region_id,
        partner_id=ctx.need.partner_id,
        created_at=now,
        updated_at=now,
    )
    _history(appt, actor, "booked", to=f"{_iso(start)}/{_iso(end)}")
    session.add(appt)
    session.flush()
    _sync_work_order(session, scope, appt, base_url, actor)
    body = document(appt, base_url)
    _publish(session, CREATE, appt, body)
    _notify(session, appt, "booked", base_url)
    return Written(appt, body)


def get(session: Session, scope: Scope, ident: str, *, for_update: bool = False) -> Appointment:
    stmt: Select[Any] = apply_scope(
        select(Appointment).where(Appointment.id == ident), Appointment, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"appointment '{ident}' not found")
    return cast(Appointment, row)


def _writable(appt: Appointment) -> dict[str, Any]:
    v: dict[str, Any] = {
        "validFor": {"startDateTime": _iso(appt.valid_start), "endDateTime": _iso(appt.valid_end)},
        "status": appt.status,
        "category": appt.category,
        "description": appt.description,
        "externalId": appt.external_id,
        "relatedParty": appt.related_party,
        "contactMedium": appt.contact_medium,
        "note": appt.note,
        "calendarEvent": appt.calendar_event,
        "cancellationReason": appt.cancellation_reason,
    }
    return {k: val for k, val in v.items() if val is not None}


def update(
    session: Session,
    scope: Scope,
    ident: str,
    patch: dict[str, Any],
    base_url: str,
    actor: str,
) -> Written:
    """Merge patch: reschedule (``validFor``, re-checked), status moves (cancel
    needs ``cancellationReason``), other attributes."""
    reject_read_only(patch, sorted(APPOINTMENT_RESOURCE.read_only))
    appt = get(session, scope, ident, for_update=True)
    merged = merge_patch(_writable(appt), patch)
    for name in REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(AppointmentChange, merged)
    APPOINTMENT.check(appt.status, data.status)
    old_status = appt.status
    start, end = data.valid_for.start_date_time, data.valid_for.end_date_time
    if start is None or end is None:
        raise ValidationFailed("validFor needs startDateTime and endDateTime", field="validFor")
    moved = (start, end) != (appt.valid_start, appt.valid_end)
    if moved:
        if appt.status not in slots.HOLDING or data.status not in slots.HOLDING:
            raise Conflict(
                f"appointment is {appt.status}; only an initialized or confirmed "
                "appointment can be rescheduled",
                field="validFor",
            )
        need = slots.Need(
            skill=appt.skill_id,
            min_level=appt.min_level,
            duration=appt.duration,
            latitude=appt.latitude,
            longitude=appt.longitude,
            region_id=appt.region_id,
            partner_id=appt.partner_id,
        )
        _check_slot(session, need, start, end, exclude=appt.id)
        _history(
            appt,
            actor,
            "rescheduled",
            **{
                "from": f"{_iso(appt.valid_start)}/{_iso(appt.valid_end)}",
                "to": f"{_iso(start)}/{_iso(end)}",
            },
        )
        appt.valid_start, appt.valid_end = start, end
    cancelling = data.status == "cancelled" and old_status != "cancelled"
    if cancelling and not (data.cancellation_reason or "").strip():
        raise ValidationFailed(
            "a cancelled appointment needs a cancellationReason", field="cancellationReason"
        )
    before = _writable(appt)
    appt.status = data.status
    appt.category = data.category
    appt.description = data.description
    appt.external_id = data.external_id
    appt.related_party = _dump(data.related_party)
    appt.contact_medium = _dump(data.contact_medium)
    appt.note = _dump(data.note)
    appt.calendar_event = (
        strip_nulls(data.calendar_event.model_dump(mode="json", by_alias=True))
        if data.calendar_event
        else None
    )
    appt.cancellation_reason = data.cancellation_reason
    state_changed = appt.status != old_status
    if state_changed:
        _history(
            appt,
            actor,
            "status",
            **{"from": old_status, "to": appt.status},
            reason=appt.cancellation_reason if appt.status == "cancelled" else None,
        )
    changed = moved or state_changed or _writable(appt) != before
    if not changed:
        return Written(appt, document(appt, base_url))
    appt.updated_at = _now()
    session.flush()
    if moved:
        _sync_work_order(session, scope, appt, base_url, actor)
    if state_changed and appt.status == "cancelled":
        _sync_work_order(session, scope, appt, base_url, actor, cancel=True)
    body = document(appt, base_url)
    if moved or _writable(appt) != before:
        _publish(session, ATTRIBUTE_VALUE_CHANGE, appt, body)
    if state_changed:
        _publish(
            session, STATE_CHANGE, appt, body, description=f"status {old_status} → {appt.status}"
        )
    if moved:
        _notify(session, appt, "rescheduled", base_url)
    if state_changed and appt.status == "cancelled":
        _notify(session, appt, "cancelled", base_url)
    return Written(appt, body)


def list_appointments(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    return list_page(
        session,
        APPOINTMENT_RESOURCE,
        query,
        base_url=base_url,
        restrict=lambda s: apply_scope(s, Appointment.__table__.c, scope),
    )


def appointment_document(
    session: Session,
    scope: Scope,
    ident: str,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        APPOINTMENT_RESOURCE,
        ident,
        base_url=base_url,
        restrict=lambda s: apply_scope(s, Appointment.__table__.c, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"appointment '{ident}' not found")
    return doc


def upcoming(session: Session, scope: Scope, limit: int = 100) -> list[Appointment]:
    """Holding appointments from today on (console list)."""
    start, _ = wf_service.local_day_bounds()
    stmt: Select[Any] = apply_scope(
        select(Appointment).where(
            Appointment.status.in_(slots.HOLDING), Appointment.valid_start >= start
        ),
        Appointment,
        scope,
    )
    return list(session.scalars(stmt.order_by(Appointment.valid_start).limit(limit)))


DELETE = "AppointmentDeleteEvent"


def delete(session: Session, appt: Appointment, base_url: str) -> None:
    """Remove a closed appointment (the event carries its last representation)."""
    body = document(appt, base_url)
    _publish(session, DELETE, appt, body)
    session.delete(appt)
    session.flush()


@dataclass(frozen=True, slots=True)
class DayGrid:
    """One day of the console's grid: the day and each slot's capacity."""

    day: Any
    cells: list[slots.SlotCapacity | None]


def preview(
    session: Session,
    scope: Scope,
    *,
    address_id: str,
    skill: str,
    min_level: int,
    days: int,
    work_order_id: str | None = None,
) -> list[DayGrid]:
    """Free slots of the next ``days`` days (from tomorrow) for the console's
    day × slot grid; nothing is stored."""
    entities = (
        [
            RelatedEntity.model_validate(
                {"id": work_order_id, "role": "workOrder", "@referredType": "WorkOrder"}
            )
        ]
        if work_order_id
        else None
    )
    ctx = _context(
        session,
        scope,
        entities=entities,
        place=PlaceRef(id=address_id),
        skill=SkillNeed(skill=skill, min_level=min_level) if skill else None,
        duration=None,
        partner_id=None,
    )
    first = slots.local_day(utcnow()) + timedelta(days=1)
    start = slots.local(first, slots.SLOTS[0][0].replace(hour=0))
    end = start + timedelta(days=max(1, min(days, slots.MAX_DAYS)))
    found = {s.start: s for s in slots.capacities(session, ctx.need, start, end)}
    out = []
    for i in range(max(1, min(days, slots.MAX_DAYS))):
        day = first + timedelta(days=i)
        out.append(DayGrid(day, [found.get(slots.local(day, s)) for s, _e in slots.SLOTS]))
    return out


# --------------------------------------------------------------------------- work order closed


def _follow_work_order(session: Session, work_order: dict[str, Any], outcome: Outcome) -> None:
    """A work order closed: its open appointment follows it — completed,
    failed or cancelled — in the same transaction, with history and a state
    change event (no message to the customer: the closure is the news)."""
    ident = work_order.get("id")
    if not ident:
        return
    # hrefs of the event: the same server the work order was written through
    base_url = str(work_order.get("href") or "").split("/tmf-api/", 1)[0]
    stmt = select(Appointment).where(
        Appointment.work_order_id == ident, Appointment.status.in_(slots.HOLDING)
    )
    for appt in session.scalars(stmt):
        old_status = appt.status
        path = [outcome] if outcome in APPOINTMENT.allowed(old_status) else ["confirmed", outcome]
        if path[0] not in APPOINTMENT.allowed(old_status):
            continue
        for target in path:
            _history(
                appt, "system", "status", **{"from": appt.status, "to": target}, workOrder=ident
            )
            appt.status = target
        if outcome == "cancelled":
            appt.cancellation_reason = appt.cancellation_reason or "work order cancelled"
        appt.updated_at = _now()
        session.flush()
        body = document(appt, base_url)
        _publish(
            session,
            STATE_CHANGE,
            appt,
            body,
            description=f"status {old_status} → {appt.status} (work order {outcome})",
        )


on_work_order_closed(_follow_work_order)
