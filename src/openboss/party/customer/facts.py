"""What other domains may know about a customer — eTOM 1.1.1.3 customer
information management.

The account domain (credit checks), interactions and the 360 view read a
customer through :func:`customer_facts` and reference one through
:func:`customer_ref`; neither touches the customer tables themselves.
Re-exported by :mod:`openboss.party.customer.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.scope import Scope, apply_scope
from openboss.party.customer.identity import PartyKind, stored_document_valid
from openboss.party.customer.models import (
    Customer,
    Individual,
    Organization,
    PartyBlacklist,
    PartyIdentificationKey,
)
from openboss.party.documents import CHINA_TZ

__all__ = [
    "CustomerFacts",
    "DocumentFact",
    "active_blacklist_entry",
    "customer_facts",
    "customer_ref",
]


@dataclass(frozen=True)
class DocumentFact:
    """An identity document of the customer's party."""

    type: str
    number: str
    valid_to: date | None
    valid: bool
    """The number passes its check and the document has not expired."""


@dataclass(frozen=True)
class CustomerFacts:
    """A customer as other domains see it."""

    id: str
    name: str
    status: str
    customer_type: str
    grade: str | None
    segment: str | None
    region_id: str | None
    party_id: str
    party_type: str
    """``Individual`` or ``Organization``."""
    blacklisted: bool
    blacklist_reason: str | None
    documents: tuple[DocumentFact, ...]


def _today() -> date:
    return utcnow().astimezone(CHINA_TZ).date()


def active_blacklist_entry(session: Session, party_id: str) -> PartyBlacklist | None:
    """The current (not lifted) blacklist entry of a party, by its id or by one
    of its documents; the oldest when several."""
    keys = session.execute(
        select(PartyIdentificationKey.id_type, PartyIdentificationKey.id_number).where(
            PartyIdentificationKey.party_id == party_id
        )
    ).all()
    by_doc = [
        and_(PartyBlacklist.document_type == t, PartyBlacklist.document_number == n)
        for t, n in keys
    ]
    stmt = (
        select(PartyBlacklist)
        .where(PartyBlacklist.lifted_at.is_(None))
        .where(or_(PartyBlacklist.party_id == party_id, *by_doc))
        .order_by(PartyBlacklist.listed_at, PartyBlacklist.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def _customer(session: Session, scope: Scope, customer_id: str) -> Customer | None:
    stmt = apply_scope(select(Customer).where(Customer.id == customer_id), Customer, scope)
    return session.scalars(stmt).one_or_none()


def party_documents(session: Session, party_id: str, party_type: str) -> tuple[DocumentFact, ...]:
    """The identity documents of a party with their validity today."""
    items: list[dict[str, Any]] | None
    kind: PartyKind
    if party_type == "Individual":
        kind = "individual"
        items = session.scalar(
            select(Individual.individual_identification).where(Individual.id == party_id)
        )
    else:
        kind = "organization"
        items = session.scalar(
            select(Organization.organization_identification).where(Organization.id == party_id)
        )
    today = _today()
    facts = []
    for item in items or []:
        id_type, number, valid_to, ok = stored_document_valid(kind, item, today)
        facts.append(DocumentFact(type=id_type, number=number, valid_to=valid_to, valid=ok))
    return tuple(facts)


def customer_facts(session: Session, scope: Scope, customer_id: str) -> CustomerFacts:
    """The facts of a customer the caller may see (404 when missing or out of scope)."""
    customer = _customer(session, scope, customer_id)
    if customer is None:
        raise NotFound(f"customer '{customer_id}' not found")
    entry = active_blacklist_entry(session, customer.engaged_party_id)
    return CustomerFacts(
        id=customer.id,
        name=customer.name,
        status=customer.status,
        customer_type=customer.customer_type,
        grade=customer.grade,
        segment=customer.segment,
        region_id=customer.region_id,
        party_id=customer.engaged_party_id,
        party_type=customer.engaged_party_type,
        blacklisted=entry is not None,
        blacklist_reason=entry.reason if entry is not None else None,
        documents=party_documents(session, customer.engaged_party_id, customer.engaged_party_type),
    )


def customer_ref(
    session: Session, scope: Scope, customer_id: str, *, field: str = "relatedParty"
) -> dict[str, Any]:
    """A TMF reference to a customer the caller may see:
    ``{"id", "name", "@referredType": "Customer"}`` (400 naming ``field`` when
    unknown or out of scope)."""
    stmt: Any = select(Customer.id, Customer.name).where(Customer.id == customer_id)
    row = session.execute(apply_scope(stmt, Customer, scope)).one_or_none()
    if row is None:
        raise ValidationFailed(f"customer '{customer_id}' does not exist", field=field)
    return {"id": row.id, "name": row.name, "@referredType": "Customer"}
