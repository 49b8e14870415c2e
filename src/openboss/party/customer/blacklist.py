"""The blacklist: parties, or bare document numbers, the operator refuses to
serve (fraud, unpaid debt written off) — eTOM 1.1.1.3 customer information
management.

An entry names a party, a document (type and number), or both; adding by
document links the party holding it when there is one, and adding by party
records the party's first document too, so a party later created again with
the same document is still caught. A reason is required. csr and manager add;
only a manager lifts (with a reason). Lifted entries stay as history.
The flag reaches other domains through
:func:`openboss.party.customer.facts.customer_facts`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.party.customer import events, repository
from openboss.party.customer.identity import document_key, validate_document
from openboss.party.customer.models import PartyBlacklist, PartyIdentificationKey
from openboss.party.customer.schemas import BlacklistAdd

API = "/api/party/v1"


def entry_dict(row: PartyBlacklist) -> dict[str, Any]:
    return {
        "id": row.id,
        "partyId": row.party_id,
        "partyKind": row.party_kind,
        "documentType": row.document_type,
        "documentNumber": row.document_number,
        "reason": row.reason,
        "listedBy": row.listed_by,
        "listedAt": row.listed_at,
        "liftedAt": row.lifted_at,
        "liftedBy": row.lifted_by,
        "liftReason": row.lift_reason,
        "active": row.lifted_at is None,
    }


def _event_body(row: PartyBlacklist) -> dict[str, Any]:
    body = entry_dict(row)
    for key in ("listedAt", "liftedAt"):
        if body[key] is not None:
            body[key] = body[key].isoformat()
    return body


def _party_kind(session: Session, party_id: str) -> str:
    for kind in ("individual", "organization"):
        if repository.find_party(session, kind, party_id) is not None:
            return kind
    raise ValidationFailed(f"party '{party_id}' does not exist", field="partyId")


def add_entry(session: Session, data: BlacklistAdd, listed_by: str) -> PartyBlacklist:
    """List a party and/or a document (409 when it is already listed)."""
    party_id = data.party_id
    party_kind = _party_kind(session, party_id) if party_id else None
    doc_type = data.document_type
    doc_number: str | None = None
    if doc_type and data.document_number:
        kind = party_kind or (
            "organization" if doc_type == "unifiedSocialCreditCode" else "individual"
        )
        doc = validate_document(
            kind,  # type: ignore[arg-type]
            doc_type,
            data.document_number,
            data.issuing_authority,
            field="documentNumber",
        )
        doc_number = doc.key
        owner = repository.owner_of_document(session, doc.type, doc.key)
        if owner is not None:
            if party_id is not None and owner[0] != party_id:
                raise ValidationFailed(
                    f"document {doc.number} belongs to another party ({owner[0]})",
                    field="documentNumber",
                )
            party_id, party_kind = owner
    elif party_id:
        first = session.execute(
            select(PartyIdentificationKey.id_type, PartyIdentificationKey.id_number)
            .where(PartyIdentificationKey.party_id == party_id)
            .order_by(PartyIdentificationKey.id_type)
            .limit(1)
        ).first()
        if first is not None:
            doc_type, doc_number = first[0], first[1]
    if party_id is not None:
        current = session.scalars(
            select(PartyBlacklist).where(
                PartyBlacklist.party_id == party_id, PartyBlacklist.lifted_at.is_(None)
            )
        ).first()
        if current is not None:
            raise Conflict(
                f"party '{party_id}' is already blacklisted (entry {current.id})",
                code="ALREADY_BLACKLISTED",
                details={"entryId": current.id},
            )
    elif doc_number is not None:
        current = session.scalars(
            select(PartyBlacklist).where(
                PartyBlacklist.document_type == doc_type,
                PartyBlacklist.document_number == doc_number,
                PartyBlacklist.lifted_at.is_(None),
            )
        ).first()
        if current is not None:
            raise Conflict(
                "this document is already blacklisted",
                code="ALREADY_BLACKLISTED",
                details={"entryId": current.id},
            )
    row = PartyBlacklist(
        id=new_id(),
        party_id=party_id,
        party_kind=party_kind,
        document_type=doc_type if doc_number else None,
        document_number=doc_number,
        reason=data.reason.strip(),
        listed_by=listed_by,
        listed_at=utcnow(),
    )
    session.add(row)
    session.flush()
    publish(session, events.BLACKLIST_ADD, "partyBlacklist", _event_body(row), api=API)
    return row


def lift_entry(session: Session, entry_id: str, reason: str, lifted_by: str) -> PartyBlacklist:
    """Lift a current entry (409 when already lifted)."""
    row = session.get(PartyBlacklist, entry_id, with_for_update=True)
    if row is None:
        raise NotFound(f"blacklist entry '{entry_id}' not found")
    if row.lifted_at is not None:
        raise Conflict(f"blacklist entry '{entry_id}' was already lifted", code="ALREADY_LIFTED")
    if not reason.strip():
        raise ValidationFailed("a reason is required", field="reason")
    row.lifted_at = utcnow()
    row.lifted_by = lifted_by
    row.lift_reason = reason.strip()
    session.flush()
    publish(session, events.BLACKLIST_LIFT, "partyBlacklist", _event_body(row), api=API)
    return row


def list_entries(
    session: Session,
    *,
    party_id: str | None = None,
    document_number: str | None = None,
    active: bool | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[PartyBlacklist]:
    stmt = select(PartyBlacklist)
    if party_id:
        stmt = stmt.where(PartyBlacklist.party_id == party_id)
    if document_number:
        stmt = stmt.where(PartyBlacklist.document_number == document_key("", document_number))
    if active is True:
        stmt = stmt.where(PartyBlacklist.lifted_at.is_(None))
    elif active is False:
        stmt = stmt.where(PartyBlacklist.lifted_at.is_not(None))
    stmt = stmt.order_by(PartyBlacklist.listed_at.desc(), PartyBlacklist.id).offset(offset)
    return list(session.scalars(stmt.limit(limit)))
