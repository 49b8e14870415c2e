"""Use cases of customers (TMF629) — eTOM 1.1.1.2 customer interface
management, 1.1.1.3 customer information management.

A customer is a party (individual or organisation, ``engagedParty``) engaged
with the operator in a region. Its lifecycle is an explicit state machine::

    prospect ──► active ◄──► suspended
       │           │             │
       └───────────┴─────────────┴──► closed (final)

A new customer starts ``prospect`` (or ``active`` when the caller says so);
suspending or closing needs a ``statusReason``. A customer may be deleted only
while ``prospect`` or ``closed``.

Type, grade and segment are columns and are mirrored as ``characteristic``
entries; ``relatedParty`` entries (contacts of enterprises, members of
households) must name existing individuals or organisations with a known
role; ``place`` entries name TMF673 addresses the caller may see.

The contract other domains use — :func:`customer_facts`, :func:`customer_ref`
— lives in :mod:`openboss.party.customer.facts` and is re-exported here, with
the party use cases of :mod:`openboss.party.customer.party_service`.
Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError, Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, region_for_write
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.party.customer import events, repository
from openboss.party.customer.facts import (
    CustomerFacts,
    DocumentFact,
    active_blacklist_entry,
    customer_facts,
    customer_ref,
)
from openboss.party.customer.identity import fold_name, normalise_contact_media
from openboss.party.customer.models import CUSTOMER, CUSTOMER_BASE_PATH, Customer
from openboss.party.customer.party_service import (
    KIND_OF_TYPE,
    WrittenParty,
    create_party,
    delete_party,
    party_name,
    update_party,
)
from openboss.party.customer.schemas import (
    CUSTOMER_PARTY_ROLES,
    CUSTOMER_TYPES,
    GRADES,
    CustomerCreate,
    IndividualCreate,
    OrganizationCreate,
)
from openboss.party.region.service import require_region

__all__ = [
    "LIFECYCLE",
    "CustomerFacts",
    "DocumentFact",
    "Written",
    "WrittenParty",
    "active_blacklist_entry",
    "add_account_ref",
    "create_customer",
    "create_party",
    "customer_facts",
    "customer_ref",
    "delete_customer",
    "delete_party",
    "onboard_customer",
    "update_customer",
    "update_party",
]

LIFECYCLE = StateMachine(
    "customer",
    {
        "prospect": ["active", "closed"],
        "active": ["suspended", "closed"],
        "suspended": ["active", "closed"],
        "closed": [],
    },
    initial="prospect",
)
DELETABLE = frozenset({"prospect", "closed"})
NEEDS_REASON = frozenset({"suspended", "closed"})
#: Characteristic names mirrored from columns.
MIRRORED = ("customerType", "grade", "segment")


@dataclass(frozen=True, slots=True)
class Written:
    """The customer after a change and its representation (JSON bytes)."""

    customer: Customer
    body: bytes


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _json_list(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _document(row: Customer, base_url: str) -> bytes:
    return CUSTOMER.represent(row.id, row.doc, CUSTOMER.href_prefix(base_url)).encode()


def _publish(
    session: Session, event: str, row: Customer, resource: dict[str, Any], **kw: Any
) -> None:
    publish(
        session,
        events.CUSTOMER[event],
        "customer",
        resource,
        api=CUSTOMER_BASE_PATH,
        region_id=row.region_id,
        **kw,
    )


def _classification(data: CustomerCreate, party_type: str) -> tuple[str, str | None, str | None]:
    """Type, grade and segment: the extension attributes, else characteristics
    of those names, else the default type of the party."""
    chars = {c.name: c.value for c in data.characteristic or [] if c.name in MIRRORED}
    ctype: Any = data.customer_type or chars.get("customerType")
    grade: Any = data.grade or chars.get("grade")
    segment: Any = data.segment or chars.get("segment")
    for name, value, given in (
        ("customerType", ctype, data.customer_type),
        ("grade", grade, data.grade),
        ("segment", segment, data.segment),
    ):
        if given is not None and name in chars and chars[name] != given:
            raise ValidationFailed(
                f"characteristic '{name}' ({chars[name]}) contradicts {name} ({given})",
                field="characteristic",
            )
        if value is not None and not isinstance(value, str):
            raise ValidationFailed(f"{name} is a string", field="characteristic")
    if ctype is None:
        ctype = "individual" if party_type == "Individual" else "enterprise"
    if ctype not in CUSTOMER_TYPES:
        raise ValidationFailed(
            f"customerType must be one of {', '.join(CUSTOMER_TYPES)}", field="customerType"
        )
    if grade is not None and grade not in GRADES:
        raise ValidationFailed(f"grade must be one of {', '.join(GRADES)}", field="grade")
    if ctype in ("household", "individual") and party_type != "Individual":
        raise ValidationFailed(
            f"a {ctype} customer is an Individual party", field="engagedParty.@referredType"
        )
    if ctype in ("enterprise", "government") and party_type != "Organization":
        raise ValidationFailed(
            f"an {ctype} customer is an Organization party", field="engagedParty.@referredType"
        )
    return str(ctype), grade, segment


def _characteristics(
    data: CustomerCreate, ctype: str, grade: str | None, segment: str | None
) -> list[dict[str, Any]]:
    out = [c for c in _json_list(data.characteristic) or [] if c["name"] not in MIRRORED]
    for name, value in (("customerType", ctype), ("grade", grade), ("segment", segment)):
        if value is not None:
            out.append({"name": name, "valueType": "string", "value": value})
    return out


def _related_parties(session: Session, data: CustomerCreate) -> list[dict[str, Any]] | None:
    items = _json_list(data.related_party)
    if not items:
        return None
    for n, item in enumerate(items):
        role = item.get("role")
        if role not in CUSTOMER_PARTY_ROLES:
            raise ValidationFailed(
                f"role must be one of {', '.join(CUSTOMER_PARTY_ROLES)}",
                field=f"relatedParty[{n}].role",
            )
        kind = KIND_OF_TYPE.get(item["@referredType"])
        if kind is None:
            raise ValidationFailed(
                "@referredType must be Individual or Organization",
                field=f"relatedParty[{n}].@referredType",
            )
        party = repository.find_party(session, kind, item["id"])
        if party is None:
            raise ValidationFailed(
                f"{item['@referredType']} '{item['id']}' does not exist",
                field=f"relatedParty[{n}].id",
            )
        item["name"] = party_name(party)
    return items


def check_address(session: Session, scope: Scope, address_id: str, *, field: str) -> None:
    """400 naming ``field`` unless the caller may see the address (TMF673)."""
    from openboss.party.address import service as address_service

    try:
        summary = address_service.get_address_summary(session, scope, address_id)
    except NotFound:
        summary = None
    if summary is None:
        raise ValidationFailed(f"address '{address_id}' does not exist", field=field)


def _places(session: Session, scope: Scope, data: CustomerCreate) -> list[dict[str, Any]] | None:
    items = _json_list(data.place)
    for n, item in enumerate(items or []):
        check_address(session, scope, item["id"], field=f"place[{n}].id")
    return items


def _engaged_party(session: Session, data: CustomerCreate) -> tuple[str, str, str]:
    ref = data.engaged_party
    party = repository.find_party(session, KIND_OF_TYPE[ref.referred_type], ref.id)
    if party is None:
        raise ValidationFailed(
            f"{ref.referred_type} '{ref.id}' does not exist", field="engagedParty.id"
        )
    return party.id, ref.referred_type, party_name(party)


def _apply(session: Session, scope: Scope, row: Customer, data: CustomerCreate) -> None:
    ctype, grade, segment = _classification(data, row.engaged_party_type)
    media, _keys = normalise_contact_media(_json_list(data.contact_medium))
    row.name = data.name.strip()
    row.search_name = fold_name(row.name)
    row.status_reason = data.status_reason
    row.customer_type = ctype
    row.grade = grade
    row.segment = segment
    row.contact_medium = media
    row.related_party = _related_parties(session, data)
    row.characteristic = _characteristics(data, ctype, grade, segment)
    row.place = _places(session, scope, data)
    row.valid_from = data.valid_for.start_date_time if data.valid_for else None
    row.valid_to = data.valid_for.end_date_time if data.valid_for else None


def _check_reason(status: str, reason: str | None, changed: bool) -> None:
    if changed and status in NEEDS_REASON and not (reason and reason.strip()):
        raise ValidationFailed(
            f"a statusReason is required to make a customer {status}", field="statusReason"
        )


def _region(session: Session, scope: Scope, requested: str | None) -> str:
    region = region_for_write(scope, requested)
    if region is None:
        raise ValidationFailed("regionId is required", field="regionId")
    require_region(session, region)
    return region


def create_customer(session: Session, scope: Scope, data: CustomerCreate, base_url: str) -> Written:
    """Create a customer of an existing party in the caller's region."""
    status = data.status or LIFECYCLE.initial
    LIFECYCLE.check(LIFECYCLE.initial, status, field="status")
    party_id, party_type, party_label = _engaged_party(session, data)
    now = _now()
    row = Customer(
        id=new_id(),
        status=status,
        engaged_party_id=party_id,
        engaged_party_type=party_type,
        engaged_party_name=party_label,
        region_id=_region(session, scope, data.region_id),
        created_at=now,
        updated_at=now,
    )
    _check_reason(status, data.status_reason, status != LIFECYCLE.initial)
    _apply(session, scope, row, data)
    session.add(row)
    session.flush()
    repository.replace_addresses(
        session, row.id, [(p["id"], p["role"]) for p in row.place or []], new_id
    )
    body = _document(row, base_url)
    _publish(session, "create", row, orjson.loads(body))
    return Written(row, body)


def _writable_view(row: Customer) -> dict[str, Any]:
    """The attributes a PATCH may change, in TMF shape (the merge-patch target);
    the read-only ``engagedParty`` is put back by the caller for validation."""
    view: dict[str, Any] = orjson.loads(row.doc)
    for name in [*CUSTOMER.read_only, "@type", "@baseType", "href", "id"]:
        view.pop(name, None)
    return view


def update_customer(
    session: Session, scope: Scope, ident: str, patch: dict[str, Any], base_url: str
) -> Written:
    """Apply a JSON merge patch; ``status`` moves the lifecycle (409 when not allowed)."""
    reject_read_only(patch, sorted(CUSTOMER.read_only))
    row = repository.get_customer(session, ident, scope, for_update=True)
    merged = merge_patch(_writable_view(row), patch)
    merged["engagedParty"] = {"id": row.engaged_party_id, "@referredType": row.engaged_party_type}
    # characteristic entries mirrored from the extension attributes follow them
    for name in MIRRORED:
        if name in patch and isinstance(merged.get("characteristic"), list):
            merged["characteristic"] = [
                c for c in merged["characteristic"] if c.get("name") != name
            ]
    data = validate(CustomerCreate, merged)
    old_status = row.status
    target = data.status or old_status
    LIFECYCLE.check(old_status, target, field="status")
    _check_reason(target, data.status_reason, target != old_status)
    before = row.doc
    old_places = row.place
    _apply(session, scope, row, data)
    row.status = target
    session.flush()
    if row.doc == before:
        return Written(row, _document(row, base_url))
    row.updated_at = _now()
    session.flush()
    if row.place != old_places:
        repository.replace_addresses(
            session, row.id, [(p["id"], p["role"]) for p in row.place or []], new_id
        )
    body = _document(row, base_url)
    resource = orjson.loads(body)
    old = orjson.loads(before)
    changed = sorted(
        k
        for k in set(old) | set(resource)
        if k not in ("status", "statusReason", "lastUpdate") and old.get(k) != resource.get(k)
    )
    if changed:
        _publish(
            session,
            "attributeValueChange",
            row,
            resource,
            description="changed: " + ", ".join(changed),
        )
    if old_status != row.status:
        _publish(
            session, "stateChange", row, resource, description=f"status {old_status} → {row.status}"
        )
    return Written(row, body)


def delete_customer(session: Session, scope: Scope, ident: str, base_url: str) -> None:
    """Delete a customer that is ``prospect`` or ``closed`` (409 otherwise)."""
    row = repository.get_customer(session, ident, scope, for_update=True)
    if row.status not in DELETABLE:
        raise Conflict(
            f"customer '{ident}' is {row.status}; only a prospect or closed customer "
            "can be deleted",
            field="status",
            code="ILLEGAL_STATE",
        )
    resource = orjson.loads(_document(row, base_url))
    _publish(session, "delete", row, resource)
    repository.replace_addresses(session, row.id, [], new_id)
    session.delete(row)
    session.flush()


def add_account_ref(session: Session, scope: Scope, customer_id: str, ref: dict[str, Any]) -> None:
    """Record a billing account in the customer's ``account`` list (for the
    account domain; ``ref`` is ``{"id", "name", "@referredType"?}``). Idempotent."""
    row = repository.get_customer(session, customer_id, scope, for_update=True)
    accounts = [a for a in row.account or [] if a.get("id") != ref["id"]]
    accounts.append(
        {
            "id": ref["id"],
            "name": ref.get("name") or ref["id"],
            "@referredType": ref.get("@referredType", "BillingAccount"),
        }
    )
    row.account = accounts
    row.updated_at = _now()
    session.flush()


def onboard_customer(
    session: Session,
    scope: Scope,
    party_kind: str,
    party: IndividualCreate | OrganizationCreate,
    customer: dict[str, Any],
    *,
    contacts: Sequence[tuple[IndividualCreate, str]] = (),
    base_url: str = "",
) -> Written:
    """Register a new party, its contact persons and its customer at once (the
    console's wizards): ``customer`` is the TMF629 body without
    ``engagedParty``; each contact becomes an individual related to the
    customer in its role. Errors of a contact name ``contacts[n].<field>``.
    Nothing is kept when anything fails (the caller rolls back)."""
    written = create_party(session, party_kind, party, base_url)  # type: ignore[arg-type]
    related: list[dict[str, Any]] = list(customer.get("relatedParty") or [])
    for n, (person, role) in enumerate(contacts):
        try:
            contact = create_party(session, "individual", person, base_url)
        except AppError as exc:
            exc.field = f"contacts[{n}].{exc.field}" if exc.field else f"contacts[{n}]"
            raise
        related.append({"id": contact.party.id, "role": role, "@referredType": "Individual"})
    body = {
        **customer,
        "engagedParty": {
            "id": written.party.id,
            "@referredType": "Individual" if party_kind == "individual" else "Organization",
        },
    }
    if related:
        body["relatedParty"] = related
    return create_customer(session, scope, validate(CustomerCreate, body), base_url)
