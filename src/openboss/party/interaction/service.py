"""Customer interface management — eTOM 1.1.1.2: log every contact through
every channel, route it to the process it starts, link what that process
created, close it with an outcome (TMF683 ``PartyInteraction``).

The status is an explicit state machine (TMF683's wording, plus cancelled)::

    open ──► inProgress ──► completed
      │          │
      └──────────┴────────► cancelled      (open ──► completed directly, too)

``escalated`` is a flag beside the status: an escalated open contact is an
exception whatever its age. Completing a contact sets the end of
``interactionDate`` and the closure (who, when); cancelling sets the closure.

**Routing.** :func:`route_interaction` records the process a contact goes to
(the reason's ``routes_to``, or an explicit target) and moves it to
``inProgress``. Domains that own those processes plug in with
:func:`register_route`: the handler creates their object (a product order, a
trouble ticket) and returns its reference, which becomes an
``interactionItem``. A domain may also link later with
:func:`link_interaction_item`. Until ordering, assurance and billing register
handlers, routing records the target and leaves the contact ``inProgress``
awaiting the link.

Every change publishes its TMF683 event in the same transaction. Services
never commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import SYSTEM_SCOPE, Scope, region_for_write
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import format_datetime, strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.party.customer.service import customer_facts, customer_ref
from openboss.party.interaction import events, repository, taxonomy
from openboss.party.interaction.models import PartyInteraction
from openboss.party.interaction.schemas import (
    PartyInteractionChange,
    PartyInteractionCreate,
    RelatedChannel,
)
from openboss.party.region.service import require_region

LIFECYCLE = StateMachine(
    "partyInteraction",
    {
        "open": ["inProgress", "completed", "cancelled"],
        "inProgress": ["completed", "cancelled"],
        "completed": [],
        "cancelled": [],
    },
    initial="open",
)

#: Statuses of a contact still being handled; final ones.
OPEN_STATUSES = frozenset(repository.OPEN_STATUSES)
CLOSED_STATUSES = frozenset({"completed", "cancelled"})

#: Loads the default reason taxonomy (idempotent); the demo loader calls it.
seed_default_reasons = taxonomy.seed_default_reasons

#: Role a customer plays in ``relatedParty``.
CUSTOMER_ROLE = "customer"


@dataclass(frozen=True, slots=True)
class Written:
    """The interaction after a change and its representation (JSON bytes)."""

    interaction: PartyInteraction
    body: bytes


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _document(row: PartyInteraction, base_url: str) -> bytes:
    return repository.RESOURCE.represent(
        row.id, row.doc, repository.RESOURCE.href_prefix(base_url)
    ).encode()


def _publish(
    session: Session, event_type: str, row: PartyInteraction, body: bytes, **kw: Any
) -> None:
    publish(
        session,
        event_type,
        events.RESOURCE_NAME,
        orjson.loads(body),
        api=repository.BASE_PATH,
        region_id=row.region_id,
        **kw,
    )


def _channel_refs(channel: str) -> list[dict[str, Any]]:
    return [{"id": channel, "name": taxonomy.CHANNELS[channel], "@referredType": "Channel"}]


def _channel_code(channels: list[RelatedChannel]) -> str:
    return taxonomy.check_channel(channels[0].id, "channel.0.id")


def _dump_list(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _parties(
    session: Session, scope: Scope, parties: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The related parties with the customer's reference checked and made
    canonical, and the customer id (None for an anonymous contact)."""
    if not parties:
        return None, None
    customer_id: str | None = None
    out: list[dict[str, Any]] = []
    for index, party in enumerate(parties):
        is_customer = party.get("role") == CUSTOMER_ROLE or party.get("@referredType") == "Customer"
        if not is_customer:
            out.append(party)
            continue
        if customer_id is not None:
            raise ValidationFailed(
                "a contact is with one customer; name only one relatedParty with role customer",
                field=f"relatedParty.{index}",
            )
        ref = customer_ref(session, scope, party["id"], field=f"relatedParty.{index}.id")
        customer_id = str(ref["id"])
        out.append({**ref, "role": CUSTOMER_ROLE})
    return out, customer_id


def _region(
    session: Session, scope: Scope, customer_id: str | None, requested: str | None
) -> str | None:
    """A customer's contact lives in the customer's region (a central customer's
    where the caller names, if anywhere); an anonymous one in the region the
    caller names (required)."""
    if customer_id is not None:
        facts = customer_facts(session, scope, customer_id)
        if facts.region_id is not None:
            if requested is not None and requested != facts.region_id:
                raise ValidationFailed(
                    f"the contact belongs to the customer's region '{facts.region_id}'",
                    field="regionId",
                )
            return facts.region_id
    region = region_for_write(scope, requested)
    if region is None:
        if customer_id is not None:
            return None
        raise ValidationFailed(
            "regionId is required for a contact without a customer", field="regionId"
        )
    require_region(session, region)
    return region


def create_interaction(
    session: Session,
    scope: Scope,
    data: PartyInteractionCreate,
    base_url: str = "",
    *,
    actor: str | None = None,
) -> Written:
    """Log a contact in the caller's scope (status open unless given)."""
    now = _now()
    channel = _channel_code(data.channel)
    reason = taxonomy.require_active_reason(session, data.reason)
    parties, customer_id = _parties(session, scope, _dump_list(data.related_party))
    region = _region(session, scope, customer_id, data.region_id)
    status = data.status or LIFECYCLE.initial
    outcome = taxonomy.check_outcome(data.outcome) if data.outcome is not None else None
    if outcome is not None and status != "completed":
        raise ValidationFailed("an outcome is given when the contact is completed", field="outcome")
    period = data.interaction_date
    start = (period.start_date_time if period else None) or now
    end = period.end_date_time if period else None
    if end is not None and end < start:
        raise ValidationFailed("endDateTime is before startDateTime", field="interactionDate")
    if status == "completed" and end is None:
        end = max(now, start)
    if status != "completed" and end is not None:
        raise ValidationFailed(
            "interactionDate.endDateTime is set when the contact is completed",
            field="interactionDate.endDateTime",
        )
    row = PartyInteraction(
        id=new_id(),
        direction=data.direction,
        channel=channel,
        related_channel=_channel_refs(channel),
        reason_code=reason,
        status=status,
        escalated=bool(data.escalated),
        status_change_date=now,
        start_at=start,
        end_at=end,
        description=data.description,
        note=_notes(_dump_list(data.note), actor, now),
        attachment=_dump_list(data.attachment),
        related_party=parties,
        customer_id=customer_id,
        interaction_relationship=_dump_list(data.interaction_relationship),
        outcome=outcome,
        handled_by=actor,
        closed_by=actor if status == "completed" else None,
        closed_at=now if status == "completed" else None,
        region_id=region,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    body = _document(row, base_url)
    _publish(session, events.CREATE, row, body)
    return Written(row, body)


def _notes(
    notes: list[dict[str, Any]] | None, actor: str | None, now: datetime
) -> list[dict[str, Any]] | None:
    """Notes get an id, an author and a date when they come without."""
    if not notes:
        return None
    out = []
    for note in notes:
        filled = dict(note)
        filled.setdefault("id", new_id())
        if actor:
            filled.setdefault("author", actor)
        filled.setdefault("date", format_datetime(now))
        out.append(filled)
    return out


def _writable_view(row: PartyInteraction) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target)."""
    period: dict[str, Any] = {"startDateTime": format_datetime(row.start_at)}
    if row.end_at is not None:
        period["endDateTime"] = format_datetime(row.end_at)
    view: dict[str, Any] = {
        "reason": row.reason_code,
        "status": row.status,
        "channel": row.related_channel,
        "interactionDate": period,
        "escalated": row.escalated,
    }
    optional = {
        "description": row.description,
        "note": row.note,
        "attachment": row.attachment,
        "interactionRelationship": row.interaction_relationship,
        "outcome": row.outcome,
    }
    view.update({k: v for k, v in optional.items() if v})
    return view


def _comparable(row: PartyInteraction) -> dict[str, Any]:
    return {
        "description": row.description,
        "reason": row.reason_code,
        "status": row.status,
        "channel": row.channel,
        "interactionDate": (row.start_at, row.end_at),
        "note": row.note,
        "attachment": row.attachment,
        "interactionRelationship": row.interaction_relationship,
        "interactionItem": row.interaction_item,
        "escalated": row.escalated,
        "outcome": row.outcome,
        "routedTo": row.routed_to,
    }


def _changed(
    session: Session,
    row: PartyInteraction,
    before: dict[str, Any],
    old_status: str,
    base_url: str,
) -> Written:
    """Publish what changed since ``before`` (attribute and/or status events)."""
    after = _comparable(row)
    status_changed = old_status != row.status
    attributes = {k for k in after if k != "status" and after[k] != before[k]}
    if not status_changed and not attributes:
        return Written(row, _document(row, base_url))
    now = _now()
    row.updated_at = now
    if status_changed:
        row.status_change_date = now
    session.flush()
    body = _document(row, base_url)
    if attributes:
        _publish(
            session,
            events.ATTRIBUTE_VALUE_CHANGE,
            row,
            body,
            description="changed: " + ", ".join(sorted(attributes)),
        )
    if status_changed:
        _publish(
            session,
            events.STATUS_CHANGE,
            row,
            body,
            description=f"status {old_status} → {row.status}",
        )
    return Written(row, body)


def _move(row: PartyInteraction, target: str, actor: str | None, now: datetime) -> None:
    """Move the status (409 when not allowed) and keep the closure consistent."""
    LIFECYCLE.check(row.status, target, field="status")
    if target == row.status:
        return
    row.status = target
    if target in CLOSED_STATUSES:
        row.closed_by = actor
        row.closed_at = now
        if target == "completed" and row.end_at is None:
            row.end_at = max(now, row.start_at)


#: What may still change on a closed contact.
_OPEN_AFTER_CLOSURE = frozenset({"note", "attachment", "interactionRelationship"})


def update_interaction(
    session: Session,
    scope: Scope,
    ident: str,
    patch: dict[str, Any],
    base_url: str = "",
    *,
    actor: str | None = None,
) -> Written:
    """Apply a JSON merge patch. A closed contact accepts notes and attachments
    only (409 otherwise); ``status`` moves the lifecycle."""
    reject_read_only(patch, sorted(repository.RESOURCE.read_only))
    row = repository.get_interaction(session, ident, scope, for_update=True)
    merged = merge_patch(_writable_view(row), patch)
    for name in ("reason", "status", "channel", "interactionDate", "escalated"):
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(PartyInteractionChange, merged)
    now = _now()
    old_status = row.status
    before = _comparable(row)
    if data.reason != row.reason_code:
        row.reason_code = taxonomy.require_active_reason(session, data.reason)
    channel = _channel_code(data.channel)
    row.channel = channel
    row.related_channel = _channel_refs(channel)
    start = data.interaction_date.start_date_time
    if start is None:
        raise ValidationFailed(
            "interactionDate.startDateTime cannot be removed",
            field="interactionDate.startDateTime",
        )
    end = data.interaction_date.end_date_time
    if end is not None and end < start:
        raise ValidationFailed("endDateTime is before startDateTime", field="interactionDate")
    row.start_at = start
    row.end_at = end
    row.description = data.description
    row.note = _notes(_dump_list(data.note), actor, now)
    row.attachment = _dump_list(data.attachment)
    row.interaction_relationship = _dump_list(data.interaction_relationship)
    row.escalated = data.escalated
    if data.outcome is not None:
        taxonomy.check_outcome(data.outcome)
    row.outcome = data.outcome
    _move(row, data.status, actor, now)
    if old_status in CLOSED_STATUSES:
        after = _comparable(row)
        frozen = sorted(k for k in after if k not in _OPEN_AFTER_CLOSURE and after[k] != before[k])
        if frozen:
            raise Conflict(
                f"partyInteraction '{ident}' is {old_status}; only notes and attachments "
                "can still change",
                field=frozen[0],
                code="INTERACTION_CLOSED",
            )
    if row.outcome is not None and row.status != "completed":
        raise ValidationFailed("an outcome is given when the contact is completed", field="outcome")
    if row.status != "completed" and row.end_at is not None:
        raise ValidationFailed(
            "interactionDate.endDateTime is set when the contact is completed",
            field="interactionDate.endDateTime",
        )
    return _changed(session, row, before, old_status, base_url)


def delete_interaction(session: Session, scope: Scope, ident: str, base_url: str = "") -> None:
    """Delete a contact logged by mistake: only a cancelled one (409 otherwise) —
    the contact history is a record."""
    row = repository.get_interaction(session, ident, scope, for_update=True)
    if row.status != "cancelled":
        raise Conflict(
            f"partyInteraction '{ident}' is {row.status}; only a cancelled contact can be deleted",
            field="status",
            code="ILLEGAL_STATE",
        )
    body = _document(row, base_url)
    _publish(session, events.DELETE, row, body)
    repository.remove(session, row)


# ---- closure --------------------------------------------------------------------


def _append_note(row: PartyInteraction, text: str | None, actor: str | None, now: datetime) -> None:
    if not text:
        return
    note = {"id": new_id(), "text": text, "date": format_datetime(now)}
    if actor:
        note["author"] = actor
    row.note = [*(row.note or []), note]


def close_interaction(
    session: Session,
    scope: Scope,
    ident: str,
    *,
    outcome: str,
    note: str | None = None,
    actor: str | None = None,
    base_url: str = "",
) -> Written:
    """Complete a contact with its outcome: end of interactionDate and closure
    set (409 when it is already closed)."""
    taxonomy.check_outcome(outcome)
    row = repository.get_interaction(session, ident, scope, for_update=True)
    before = _comparable(row)
    old_status = row.status
    now = _now()
    _move(row, "completed", actor, now)
    if old_status == "completed":
        raise Conflict(
            f"partyInteraction '{ident}' is already completed",
            field="status",
            code="ILLEGAL_STATE_TRANSITION",
        )
    row.outcome = outcome
    _append_note(row, note, actor, now)
    return _changed(session, row, before, old_status, base_url)


def cancel_interaction(
    session: Session,
    scope: Scope,
    ident: str,
    *,
    note: str | None = None,
    actor: str | None = None,
    base_url: str = "",
) -> Written:
    """Cancel a contact logged by mistake or abandoned (409 when closed)."""
    row = repository.get_interaction(session, ident, scope, for_update=True)
    before = _comparable(row)
    old_status = row.status
    now = _now()
    if old_status == "cancelled":
        raise Conflict(
            f"partyInteraction '{ident}' is already cancelled",
            field="status",
            code="ILLEGAL_STATE_TRANSITION",
        )
    _move(row, "cancelled", actor, now)
    _append_note(row, note, actor, now)
    return _changed(session, row, before, old_status, base_url)


def escalate_interaction(
    session: Session,
    scope: Scope,
    ident: str,
    *,
    note: str | None = None,
    actor: str | None = None,
    base_url: str = "",
) -> Written:
    """Flag an open contact as escalated: it is an exception from now on."""
    row = repository.get_interaction(session, ident, scope, for_update=True)
    if row.status not in OPEN_STATUSES:
        raise Conflict(
            f"partyInteraction '{ident}' is {row.status}; only an open contact can be escalated",
            field="status",
            code="ILLEGAL_STATE",
        )
    before = _comparable(row)
    row.escalated = True
    _append_note(row, note, actor, _now())
    return _changed(session, row, before, row.status, base_url)


# ---- routing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteContext:
    """What a route handler is told about the contact it starts work for."""

    interaction_id: str
    target_type: str
    customer_id: str | None
    region_id: str | None
    reason: str
    channel: str
    description: str | None
    actor: str | None


#: A route handler creates the target domain's object for a contact and
#: returns its reference (``{"id", "href"?, "name"?, "@referredType"}``), or
#: ``None`` when the object will be linked later.
RouteHandler = Callable[[Session, Scope, RouteContext], Mapping[str, Any] | None]

_routes: dict[str, RouteHandler] = {}
_routes_lock = threading.Lock()


def register_route(target_type: str, handler: RouteHandler) -> None:
    """Plug a domain's handler in for a route target (replaces an earlier one)."""
    taxonomy.check_route_target(target_type)
    with _routes_lock:
        _routes[target_type] = handler


def unregister_route(target_type: str) -> None:
    with _routes_lock:
        _routes.pop(target_type, None)


def route_handler(target_type: str) -> RouteHandler | None:
    return _routes.get(target_type)


@dataclass(frozen=True, slots=True)
class Routed:
    """The outcome of routing: the target, the linked item (when one was
    created or given) and the interaction afterwards."""

    target_type: str
    item: dict[str, Any] | None
    written: Written

    @property
    def awaiting_link(self) -> bool:
        """Routed to a process whose object is not linked yet."""
        return self.item is None and taxonomy.ROUTE_TARGETS[self.target_type][1] is not None


def _item_ref(ref: Mapping[str, Any], target_type: str) -> dict[str, Any]:
    ident = ref.get("id")
    if not isinstance(ident, str) or not ident:
        raise ValidationFailed("the linked object needs an id", field="id")
    referred = ref.get("@referredType") or taxonomy.ROUTE_TARGETS.get(target_type, ("", None))[1]
    if not referred:
        raise ValidationFailed("the linked object needs an @referredType", field="@referredType")
    item: dict[str, Any] = {"id": ident, "role": target_type, "@referredType": referred}
    for key in ("href", "name"):
        if ref.get(key):
            item[key] = str(ref[key])
    return item


def _add_item(
    row: PartyInteraction, item: dict[str, Any], reason: str, now: datetime
) -> dict[str, Any]:
    """Append an interaction item for ``item`` unless the same object is linked."""
    for existing in row.interaction_item or []:
        ref = existing.get("item", {})
        if ref.get("id") == item["id"] and ref.get("@referredType") == item["@referredType"]:
            return ref  # type: ignore[no-any-return]
    entry = {
        "id": new_id(),
        "creationDate": format_datetime(now),
        "reason": reason,
        "item": item,
        "itemDate": {"startDateTime": format_datetime(now)},
    }
    row.interaction_item = [*(row.interaction_item or []), entry]
    return item


def route_interaction(
    session: Session,
    scope: Scope,
    interaction_id: str,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    actor: str | None = None,
    base_url: str = "",
) -> Routed:
    """Route a contact to the process it starts.

    The target is ``target_type`` or, by default, the reason's (inherited)
    ``routes_to``. With ``target_id`` the existing object is linked; otherwise
    a registered handler creates the object and its reference is linked; with
    neither, the target is recorded and the contact waits in ``inProgress``
    for :func:`link_interaction_item`. ``information`` needs no object. A
    closed contact cannot be routed (409).
    """
    row = repository.get_interaction(session, interaction_id, scope, for_update=True)
    if row.status not in OPEN_STATUSES:
        raise Conflict(
            f"partyInteraction '{interaction_id}' is {row.status}; only an open contact "
            "can be routed",
            field="status",
            code="ILLEGAL_STATE",
        )
    target = target_type or taxonomy.effective_route(session, row.reason_code)
    if target is None:
        raise ValidationFailed(
            f"reason '{row.reason_code}' has no route; name a targetType", field="targetType"
        )
    taxonomy.check_route_target(target)
    before = _comparable(row)
    old_status = row.status
    now = _now()
    row.routed_to = target
    if row.status == "open":
        _move(row, "inProgress", actor, now)
    item: dict[str, Any] | None = None
    ref: Mapping[str, Any] | None = None
    if target_id is not None:
        ref = {"id": target_id}
        if taxonomy.ROUTE_TARGETS[target][1] is None:
            raise ValidationFailed(
                f"route target '{target}' has no object to link", field="targetId"
            )
    else:
        handler = route_handler(target)
        if handler is not None:
            ref = handler(
                session,
                scope,
                RouteContext(
                    interaction_id=row.id,
                    target_type=target,
                    customer_id=row.customer_id,
                    region_id=row.region_id,
                    reason=row.reason_code,
                    channel=row.channel,
                    description=row.description,
                    actor=actor,
                ),
            )
    if ref is not None:
        item = _add_item(row, _item_ref(ref, target), target, now)
    written = _changed(session, row, before, old_status, base_url)
    return Routed(target, item, written)


def link_interaction_item(
    session: Session,
    interaction_id: str,
    ref: Mapping[str, Any],
    *,
    scope: Scope = SYSTEM_SCOPE,
    target_type: str | None = None,
    base_url: str = "",
) -> Written:
    """Link an object a process created for the contact (``ref`` =
    ``{"id", "@referredType", "href"?, "name"?}``). Linking the same object
    twice changes nothing. An open contact moves to ``inProgress``; a closed
    one still accepts the link (the order may be created after the call)."""
    row = repository.get_interaction(session, interaction_id, scope, for_update=True)
    target = target_type or row.routed_to or "information"
    before = _comparable(row)
    old_status = row.status
    now = _now()
    _add_item(row, _item_ref(ref, target), target, now)
    if row.status == "open":
        _move(row, "inProgress", None, now)
    return _changed(session, row, before, old_status, base_url)


# ---- lists and the customer's timeline ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A contact as lists, the detail page and the timeline show it."""

    id: str
    direction: str
    channel: str
    reason: str
    status: str
    escalated: bool
    overdue: bool
    start: datetime
    end: datetime | None
    description: str | None
    customer_id: str | None
    customer_name: str | None
    region_id: str | None
    outcome: str | None
    routed_to: str | None
    handled_by: str | None
    closed_by: str | None
    closed_at: datetime | None
    items: tuple[dict[str, Any], ...]
    notes: tuple[dict[str, Any], ...]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_exception(self) -> bool:
        return self.is_open and (self.escalated or self.overdue)


def is_overdue(row: PartyInteraction, now: datetime) -> bool:
    """Open for longer than the SLA of its channel."""
    return row.status in OPEN_STATUSES and now - row.start_at > taxonomy.sla_for(row.channel)


def contact_row(row: PartyInteraction, now: datetime | None = None) -> ContactRow:
    moment = now or utcnow()
    customer = next(
        (p for p in row.related_party or [] if p.get("role") == CUSTOMER_ROLE),
        None,
    )
    return ContactRow(
        id=row.id,
        direction=row.direction,
        channel=row.channel,
        reason=row.reason_code,
        status=row.status,
        escalated=row.escalated,
        overdue=is_overdue(row, moment),
        start=row.start_at,
        end=row.end_at,
        description=row.description,
        customer_id=row.customer_id,
        customer_name=customer.get("name") if customer else None,
        region_id=row.region_id,
        outcome=row.outcome,
        routed_to=row.routed_to,
        handled_by=row.handled_by,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        items=tuple(i.get("item", {}) for i in row.interaction_item or []),
        notes=tuple(row.note or []),
    )


@dataclass(frozen=True, slots=True)
class ContactList:
    rows: list[ContactRow]
    total: int


def get_contact(session: Session, scope: Scope, ident: str) -> ContactRow:
    """One contact the caller may see (404 otherwise)."""
    return contact_row(repository.get_interaction(session, ident, scope))


def list_contacts(
    session: Session,
    scope: Scope,
    *,
    statuses: tuple[str, ...] | None = None,
    channel: str | None = None,
    reason: str | None = None,
    customer_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ContactList:
    """Contacts by status, channel, reason (and its sub-reasons), newest first."""
    rows, total = repository.search(
        session,
        scope,
        statuses=statuses,
        channel=channel,
        reason_prefix=reason,
        customer_id=customer_id,
        newest_first=True,
        offset=offset,
        limit=limit,
    )
    now = utcnow()
    return ContactList([contact_row(r, now) for r in rows], total)


def open_contacts(
    session: Session,
    scope: Scope,
    *,
    channel: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ContactList:
    """Contacts still being handled (open or inProgress), oldest first."""
    rows, total = repository.search(
        session,
        scope,
        statuses=repository.OPEN_STATUSES,
        channel=channel,
        reason_prefix=reason,
        offset=offset,
        limit=limit,
    )
    now = utcnow()
    return ContactList([contact_row(r, now) for r in rows], total)


def exception_contacts(
    session: Session,
    scope: Scope,
    *,
    now: datetime | None = None,
    channel: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ContactList:
    """Exceptions: open contacts that are escalated or older than their
    channel's SLA (:data:`taxonomy.CHANNEL_SLA`), oldest first."""
    moment = now or utcnow()
    rows, total = repository.search(
        session,
        scope,
        channel=channel,
        reason_prefix=reason,
        exceptions_at=moment,
        offset=offset,
        limit=limit,
    )
    return ContactList([contact_row(r, moment) for r in rows], total)


def timeline(session: Session, scope: Scope, customer_id: str, limit: int = 50) -> list[ContactRow]:
    """A customer's contacts, newest first (the customer 360 view shows them
    with ``party/interactions/_timeline.html``)."""
    rows, _ = repository.search(
        session, scope, customer_id=customer_id, newest_first=True, limit=limit
    )
    now = utcnow()
    return [contact_row(r, now) for r in rows]


def timeline_context(
    session: Session, scope: Scope, customer_id: str, limit: int = 50
) -> dict[str, Any]:
    """What ``party/interactions/_timeline.html`` needs, to merge into a page's context."""
    return {
        "timeline": timeline(session, scope, customer_id, limit),
        "timeline_customer_id": customer_id,
        "timeline_reasons": taxonomy.reason_names(session),
    }
