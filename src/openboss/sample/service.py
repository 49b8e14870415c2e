"""Use cases of the sample item: create, change (merge patch), delete.

The lifecycle is an explicit state machine::

    initialized ──► active ◄──► suspended
         │            │             │
         └────────────┴─────────────┴──► terminated (final)

An item may be deleted only while ``initialized`` or ``terminated`` (an
active or suspended item is in use: 409). Every change publishes its TMF
event in the same transaction: ``SampleItemCreateEvent``,
``SampleItemAttributeValueChangeEvent`` (attributes other than the state
changed), ``SampleItemStateChangeEvent``, ``SampleItemDeleteEvent``.
Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, Forbidden, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.money import minor_digits
from openboss.kit.scope import Scope, region_for_write
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.sample import events, repository
from openboss.sample.models import SampleItem
from openboss.sample.schemas import Money, SampleItemChange, SampleItemCreate, TimePeriod

LIFECYCLE = StateMachine(
    "sampleItem",
    {
        "initialized": ["active", "terminated"],
        "active": ["suspended", "terminated"],
        "suspended": ["active", "terminated"],
        "terminated": [],
    },
    initial="initialized",
)

#: States in which an item may be deleted.
DELETABLE = frozenset({"initialized", "terminated"})

#: Attributes a merge patch may leave out but not remove.
REQUIRED = ("name", "quantity", "state")


@dataclass(frozen=True, slots=True)
class Written:
    """The item after a change and its representation (JSON bytes)."""

    item: SampleItem
    body: bytes


def _partner_for(scope: Scope, requested: str | None) -> str | None:
    if scope.partner_id is None:
        return requested
    if requested not in (None, scope.partner_id):
        raise Forbidden(f"partner '{requested}' is not yours", field="partnerId")
    return scope.partner_id


def _json_list(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _set_price(item: SampleItem, price: Money | None) -> None:
    item.price_unit = price.unit if price else None
    item.price_minor = price.to_minor() if price else None


def _set_valid_for(item: SampleItem, period: TimePeriod | None) -> None:
    item.valid_from = period.start_date_time if period else None
    item.valid_to = period.end_date_time if period else None


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _document(item: SampleItem, base_url: str) -> bytes:
    """The representation of a flushed item (its stored document plus id/href)."""
    return repository.RESOURCE.represent(
        item.id, item.doc, repository.RESOURCE.href_prefix(base_url)
    ).encode()


def create_item(session: Session, scope: Scope, data: SampleItemCreate, base_url: str) -> Written:
    """Create an item in the caller's scope; it starts ``initialized``."""
    now = _now()
    item = SampleItem(
        id=new_id(),
        name=data.name,
        description=data.description,
        state=LIFECYCLE.initial,
        quantity=data.quantity,
        related_party=_json_list(data.related_party),
        characteristic=_json_list(data.characteristic),
        region_id=region_for_write(scope, data.region_id),
        partner_id=_partner_for(scope, data.partner_id),
        created_at=now,
        updated_at=now,
    )
    _set_price(item, data.price)
    _set_valid_for(item, data.valid_for)
    repository.add(session, item)
    body = _document(item, base_url)
    _publish(session, events.CREATE, item, orjson.loads(body))
    return Written(item, body)


def _publish(
    session: Session, event_type: str, item: SampleItem, resource: dict[str, Any], **kw: Any
) -> None:
    """Publish an event about ``item``, carrying its row scope so that partner and
    regional hub listeners receive only events about rows they may see."""
    publish(
        session,
        event_type,
        events.RESOURCE_NAME,
        resource,
        api=repository.BASE_PATH,
        partner_id=item.partner_id,
        region_id=item.region_id,
        **kw,
    )


def _writable_view(item: SampleItem) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target)."""
    view: dict[str, Any] = {"name": item.name, "state": item.state, "quantity": item.quantity}
    if item.description is not None:
        view["description"] = item.description
    if item.price_minor is not None and item.price_unit is not None:
        view["price"] = {
            "unit": item.price_unit,
            "value": Decimal(item.price_minor).scaleb(-minor_digits(item.price_unit)),
        }
    period = {
        k: v
        for k, v in (("startDateTime", item.valid_from), ("endDateTime", item.valid_to))
        if v is not None
    }
    if period:
        view["validFor"] = period
    if item.related_party:
        view["relatedParty"] = item.related_party
    if item.characteristic:
        view["characteristic"] = item.characteristic
    return view


def update_item(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> Written:
    """Apply a JSON merge patch; a ``state`` in it moves the lifecycle (409 when
    the move is not allowed). Publishes the state-change and/or the
    attribute-value-change event when something changed."""
    reject_read_only(patch, sorted(repository.RESOURCE.read_only))
    item = repository.get_item(session, ident, scope, for_update=True)
    merged = merge_patch(_writable_view(item), patch)
    for name in REQUIRED:
        if name not in merged:
            raise ValidationFailed(f"'{name}' is required and cannot be removed", field=name)
    data = validate(SampleItemChange, merged)
    old_state = item.state
    LIFECYCLE.check(old_state, data.state)
    before = _comparable(item)
    item.name = data.name
    item.description = data.description
    item.quantity = data.quantity
    item.state = data.state
    _set_price(item, data.price)
    _set_valid_for(item, data.valid_for)
    item.related_party = _json_list(data.related_party)
    item.characteristic = _json_list(data.characteristic)
    after = _comparable(item)
    state_changed = old_state != item.state
    attributes_changed = {k for k in after if k != "state" and after[k] != before[k]}
    if not state_changed and not attributes_changed:
        return Written(item, _document(item, base_url))
    item.updated_at = _now()
    session.flush()
    body = _document(item, base_url)
    resource = orjson.loads(body)
    if attributes_changed:
        _publish(
            session,
            events.ATTRIBUTE_VALUE_CHANGE,
            item,
            resource,
            description="changed: " + ", ".join(sorted(attributes_changed)),
        )
    if state_changed:
        _publish(
            session,
            events.STATE_CHANGE,
            item,
            resource,
            description=f"state {old_state} → {item.state}",
        )
    return Written(item, body)


def _comparable(item: SampleItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "quantity": item.quantity,
        "state": item.state,
        "price": (item.price_unit, item.price_minor),
        "validFor": (item.valid_from, item.valid_to),
        "relatedParty": item.related_party,
        "characteristic": item.characteristic,
    }


def delete_item(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    """Delete an item that is not in use (``initialized`` or ``terminated``)."""
    item = repository.get_item(session, ident, scope, for_update=True)
    if item.state not in DELETABLE:
        raise Conflict(
            f"sampleItem '{ident}' is {item.state}; only an item that is "
            f"{' or '.join(sorted(DELETABLE))} can be deleted",
            field="state",
            code="ILLEGAL_STATE",
        )
    resource = orjson.loads(_document(item, base_url))
    _publish(session, events.DELETE, item, resource)
    repository.remove(session, item)


def count_items(session: Session) -> int:
    """How many items exist in all regions and partners (system use)."""
    return repository.count_all(session)
