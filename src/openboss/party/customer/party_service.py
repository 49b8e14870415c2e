"""Use cases of parties (TMF632 individuals and organisations) — eTOM 1.1.1.3
customer information management.

* Identity documents are validated for real (:mod:`openboss.party.documents`);
  a resident ID gives the birth date and gender (an explicit value that
  contradicts it is a 400).
* Duplicates: a document already on file for another party is a 409
  ``DUPLICATE_PARTY`` naming that party (``details.partyId``); nothing is
  written.
* Contact media: phones to E.164, e-mails checked
  (:mod:`openboss.party.contact`); both indexed for search.
* Status: explicit state machines (TMF632 v4 enumerations)::

      individual:   initialized ──► validated ──► deceased
                         └──────────────────────────┘
      organization: initialized ──► validated ──► closed
                         └──────────────────────────┘

* A party engaged as a customer cannot be deleted (409 ``PARTY_IN_USE``).

Every change publishes its event in the same transaction; services never commit.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import strip_nulls, truncate_datetime
from openboss.kit.tmf.http import merge_patch, reject_read_only, validate
from openboss.party.customer import events, repository
from openboss.party.customer.identity import (
    Document,
    PartyKind,
    documents_of,
    fold_name,
    normalise_contact_media,
)
from openboss.party.customer.models import (
    INDIVIDUAL,
    ORGANIZATION,
    PARTY_BASE_PATH,
    Individual,
    Organization,
)
from openboss.party.customer.schemas import IndividualCreate, OrganizationCreate

INDIVIDUAL_LIFECYCLE = StateMachine(
    "individual",
    {"initialized": ["validated", "deceased"], "validated": ["deceased"], "deceased": []},
    initial="initialized",
)
ORGANIZATION_LIFECYCLE = StateMachine(
    "organization",
    {"initialized": ["validated", "closed"], "validated": ["closed"], "closed": []},
    initial="initialized",
)
LIFECYCLES = {"individual": INDIVIDUAL_LIFECYCLE, "organization": ORGANIZATION_LIFECYCLE}
TYPE_NAMES = {"individual": "Individual", "organization": "Organization"}
KIND_OF_TYPE = {"Individual": "individual", "Organization": "organization"}
_EVENTS = {"individual": events.INDIVIDUAL, "organization": events.ORGANIZATION}
_IDENT_ATTR = {
    "individual": "individualIdentification",
    "organization": "organizationIdentification",
}


@dataclass(frozen=True, slots=True)
class WrittenParty:
    party: Individual | Organization
    body: bytes


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _is_cjk(text: str) -> bool:
    return any(
        unicodedata.name(ch, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))
        for ch in text
    )


def full_name(family: str, given: str, middle: str | None = None) -> str:
    """``王`` + ``小明`` → ``王小明``; ``Ada`` ``Lovelace`` → ``Ada Lovelace``."""
    family, given = family.strip(), given.strip()
    if _is_cjk(family + given):
        return family + (middle or "").strip() + given
    return " ".join(p for p in (given, (middle or "").strip(), family) if p)


def _json_list(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if not items:
        return None
    return [strip_nulls(i.model_dump(mode="json", by_alias=True, exclude_none=True)) for i in items]


def _check_status(kind: str, current: str | None, target: str | None) -> str:
    machine = LIFECYCLES[kind]
    if current is None:
        state = target or machine.initial
        machine.check(machine.initial, state, field="status")
        return state
    if target is None:
        return current
    machine.check(current, target, field="status")
    return target


def _check_duplicates(
    session: Session, kind: str, party_id: str | None, docs: list[Document]
) -> None:
    for n, doc in enumerate(docs):
        owner = repository.owner_of_document(session, doc.type, doc.key)
        if owner is not None and owner[0] != party_id:
            raise Conflict(
                f"a party with {doc.type} {doc.number} already exists: "
                f"{TYPE_NAMES[owner[1]]} '{owner[0]}'",
                code="DUPLICATE_PARTY",
                field=f"{_IDENT_ATTR[kind]}[{n}].identificationId",
                details={"partyId": owner[0], "partyType": TYPE_NAMES[owner[1]]},
            )


def _write_keys(
    session: Session,
    kind: str,
    party_id: str,
    docs: list[Document],
    contact_keys: list[tuple[str, str]],
) -> None:
    try:
        repository.replace_party_keys(
            session, party_id, kind, [(d.type, d.key) for d in docs], contact_keys, new_id
        )
    except IntegrityError:  # a concurrent creation with the same document won
        raise Conflict(
            "a party with the same document was created at the same time",
            code="DUPLICATE_PARTY",
            field=f"{_IDENT_ATTR[kind]}[0].identificationId",
        ) from None


def _identification_items(
    items: list[dict[str, Any]] | None, docs: list[Document]
) -> list[dict[str, Any]] | None:
    """The stored identification items with their normalised numbers."""
    if not items:
        return None
    out = []
    for item, doc in zip(items, docs, strict=True):
        out.append({**item, "identificationId": doc.number})
    return out


def _apply_individual(row: Individual, data: IndividualCreate) -> tuple[list[Document], Any]:
    idents = _json_list(data.individual_identification)
    docs = documents_of("individual", idents, attribute="individualIdentification")
    birth = data.birth_date.isoformat() if data.birth_date else None
    gender: str | None = data.gender
    for doc in docs:
        if doc.birth_date is None:
            continue
        derived = doc.birth_date.isoformat()
        if birth is not None and birth != derived:
            raise ValidationFailed(
                f"birthDate {birth} contradicts the resident ID (born {derived})",
                field="birthDate",
                code="BIRTH_DATE_MISMATCH",
            )
        if gender is not None and gender != doc.sex:
            raise ValidationFailed(
                f"gender {gender} contradicts the resident ID ({doc.sex})",
                field="gender",
                code="GENDER_MISMATCH",
            )
        birth, gender = derived, doc.sex
    media, keys = normalise_contact_media(_json_list(data.contact_medium))
    row.given_name = data.given_name.strip()
    row.family_name = data.family_name.strip()
    row.middle_name = data.middle_name
    row.full_name = full_name(row.family_name, row.given_name, data.middle_name)
    row.formatted_name = row.full_name
    row.search_name = fold_name(row.full_name)
    row.legal_name = data.legal_name
    row.title = data.title
    row.gender = gender
    row.birth_date = birth
    row.nationality = data.nationality
    row.marital_status = data.marital_status
    row.contact_medium = media
    row.individual_identification = _identification_items(idents, docs)
    row.external_reference = _json_list(data.external_reference)
    row.party_characteristic = _json_list(data.party_characteristic)
    row.related_party = _json_list(data.related_party)
    return docs, keys


def _apply_organization(row: Organization, data: OrganizationCreate) -> tuple[list[Document], Any]:
    idents = _json_list(data.organization_identification)
    docs = documents_of("organization", idents, attribute="organizationIdentification")
    media, keys = normalise_contact_media(_json_list(data.contact_medium))
    row.trading_name = data.trading_name.strip()
    row.name = data.name
    row.name_type = data.name_type
    row.organization_type = data.organization_type
    row.is_legal_entity = data.is_legal_entity
    row.is_head_office = data.is_head_office
    row.search_name = fold_name(row.trading_name)
    row.contact_medium = media
    row.organization_identification = _identification_items(idents, docs)
    row.external_reference = _json_list(data.external_reference)
    row.party_characteristic = _json_list(data.party_characteristic)
    row.related_party = _json_list(data.related_party)
    return docs, keys


def _document(kind: str, row: Individual | Organization, base_url: str) -> bytes:
    resource = repository.RESOURCES[kind]
    return resource.represent(row.id, row.doc, resource.href_prefix(base_url)).encode()


def _publish(session: Session, kind: str, event: str, resource: dict[str, Any], **kw: Any) -> None:
    publish(session, _EVENTS[kind][event], kind, resource, api=PARTY_BASE_PATH, **kw)


def create_party(
    session: Session, kind: PartyKind, data: IndividualCreate | OrganizationCreate, base_url: str
) -> WrittenParty:
    """Create an individual or an organisation (409 ``DUPLICATE_PARTY`` when one
    of its documents is on file)."""
    now = _now()
    row: Individual | Organization
    if kind == "individual":
        assert isinstance(data, IndividualCreate)
        row = Individual(id=new_id(), created_at=now, updated_at=now)
        docs, keys = _apply_individual(row, data)
    else:
        assert isinstance(data, OrganizationCreate)
        row = Organization(id=new_id(), created_at=now, updated_at=now)
        docs, keys = _apply_organization(row, data)
    row.status = _check_status(kind, None, data.status)
    _check_duplicates(session, kind, None, docs)
    session.add(row)
    session.flush()
    _write_keys(session, kind, row.id, docs, [(k.kind, k.value) for k in keys])
    body = _document(kind, row, base_url)
    _publish(session, kind, "create", orjson.loads(body))
    return WrittenParty(row, body)


def _writable_view(kind: str, row: Individual | Organization) -> dict[str, Any]:
    resource = repository.RESOURCES[kind]
    view: dict[str, Any] = orjson.loads(row.doc)
    for name in [*resource.read_only, "@type", "@baseType", "href", "id"]:
        view.pop(name, None)
    return view


def update_party(
    session: Session, kind: PartyKind, ident: str, patch: dict[str, Any], base_url: str
) -> WrittenParty:
    """Apply a JSON merge patch to a party; ``status`` moves its lifecycle."""
    resource = repository.RESOURCES[kind]
    reject_read_only(patch, sorted(resource.read_only))
    row = repository.get_party(session, kind, ident, for_update=True)
    before = row.doc
    old_status = row.status
    merged = merge_patch(_writable_view(kind, row), patch)
    if kind == "individual":
        assert isinstance(row, Individual)
        data_i = validate(IndividualCreate, merged)
        docs, keys = _apply_individual(row, data_i)
        target = data_i.status
    else:
        assert isinstance(row, Organization)
        data_o = validate(OrganizationCreate, merged)
        docs, keys = _apply_organization(row, data_o)
        target = data_o.status
    row.status = _check_status(kind, old_status, target)
    _check_duplicates(session, kind, row.id, docs)
    session.flush()
    if row.doc == before:
        return WrittenParty(row, _document(kind, row, base_url))
    row.updated_at = _now()
    session.flush()
    _write_keys(session, kind, row.id, docs, [(k.kind, k.value) for k in keys])
    body = _document(kind, row, base_url)
    resource_doc = orjson.loads(body)
    old = orjson.loads(before)
    changed = sorted(
        k
        for k in set(old) | set(resource_doc)
        if k not in ("status", "lastUpdate", "href", "id") and old.get(k) != resource_doc.get(k)
    )
    if changed:
        _publish(
            session,
            kind,
            "attributeValueChange",
            resource_doc,
            description="changed: " + ", ".join(changed),
        )
    if old_status != row.status:
        _publish(
            session,
            kind,
            "stateChange",
            resource_doc,
            description=f"status {old_status} → {row.status}",
        )
    return WrittenParty(row, body)


def delete_party(session: Session, kind: PartyKind, ident: str, base_url: str) -> None:
    """Delete a party that is no customer (409 ``PARTY_IN_USE`` otherwise)."""
    row = repository.get_party(session, kind, ident, for_update=True)
    customers = repository.customers_of_party(session, ident)
    if customers:
        raise Conflict(
            f"{kind} '{ident}' is the engaged party of customer '{customers[0]}'",
            code="PARTY_IN_USE",
            details={"customerId": customers[0]},
        )
    resource = orjson.loads(_document(kind, row, base_url))
    repository.replace_party_keys(session, ident, kind, [], [], new_id)
    _publish(session, kind, "delete", resource)
    session.delete(row)
    session.flush()


def party_name(row: Individual | Organization) -> str:
    return row.full_name if isinstance(row, Individual) else row.trading_name


__all__ = [
    "INDIVIDUAL",
    "ORGANIZATION",
    "create_party",
    "delete_party",
    "full_name",
    "update_party",
]
