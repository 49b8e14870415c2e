"""Every query of parties and customers; row scope is applied here (customers
are region scoped, parties are not) — eTOM 1.1.1.3 customer information
management."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.kit.tmf.resource import TmfResource
from openboss.party.customer.models import (
    CUSTOMER,
    INDIVIDUAL,
    ORGANIZATION,
    Customer,
    CustomerAddress,
    Individual,
    Organization,
    PartyContactKey,
    PartyIdentificationKey,
)

_c = Customer.__table__.c

PARTY_MODELS: dict[str, type[Individual] | type[Organization]] = {
    "individual": Individual,
    "organization": Organization,
}
RESOURCES: dict[str, TmfResource] = {
    "individual": INDIVIDUAL,
    "organization": ORGANIZATION,
    "customer": CUSTOMER,
}


def _customer_scope(scope: Scope) -> Any:
    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, _c, scope)

    return restrict


def _unscoped(stmt: Select[Any]) -> Select[Any]:
    return stmt


def list_resources(
    session: Session, kind: str, query: ListQuery, scope: Scope, base_url: str
) -> Page:
    """One page of parties (``individual``/``organization``) or customers."""
    restrict = _customer_scope(scope) if kind == "customer" else _unscoped
    return list_page(session, RESOURCES[kind], query, base_url=base_url, restrict=restrict)


def resource_document(
    session: Session,
    kind: str,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    """One representation (404 when missing or, for customers, out of scope)."""
    restrict = _customer_scope(scope) if kind == "customer" else _unscoped
    doc = fetch_document(
        session, RESOURCES[kind], ident, base_url=base_url, restrict=restrict, projection=projection
    )
    if doc is None:
        raise NotFound(f"{kind} '{ident}' not found")
    return doc


def get_party(
    session: Session, kind: str, ident: str, *, for_update: bool = False
) -> Individual | Organization:
    model = PARTY_MODELS[kind]
    stmt: Select[Any] = select(model).where(model.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"{kind} '{ident}' not found")
    return row  # type: ignore[no-any-return]


def find_party(session: Session, kind: str, ident: str) -> Individual | Organization | None:
    model = PARTY_MODELS[kind]
    return cast("Individual | Organization | None", session.get(model, ident))


def get_customer(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> Customer:
    stmt = apply_scope(select(Customer).where(Customer.id == ident), Customer, scope)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"customer '{ident}' not found")
    return row


def owner_of_document(session: Session, id_type: str, key: str) -> tuple[str, str] | None:
    """(party id, party kind) holding a document, if any."""
    row = session.execute(
        select(PartyIdentificationKey.party_id, PartyIdentificationKey.party_kind).where(
            PartyIdentificationKey.id_type == id_type, PartyIdentificationKey.id_number == key
        )
    ).first()
    return (row[0], row[1]) if row else None


def replace_party_keys(
    session: Session,
    party_id: str,
    kind: str,
    documents: list[tuple[str, str]],
    contacts: list[tuple[str, str]],
    new_id: Any,
) -> None:
    """Replace the duplicate-check and contact keys of a party."""
    session.execute(
        delete(PartyIdentificationKey).where(PartyIdentificationKey.party_id == party_id)
    )
    session.execute(delete(PartyContactKey).where(PartyContactKey.party_id == party_id))
    session.flush()
    for id_type, number in documents:
        session.add(
            PartyIdentificationKey(
                id=new_id(), id_type=id_type, id_number=number, party_id=party_id, party_kind=kind
            )
        )
    for contact_kind, value in contacts:
        session.add(
            PartyContactKey(
                id=new_id(), kind=contact_kind, value=value, party_id=party_id, party_kind=kind
            )
        )
    session.flush()


def customers_of_party(session: Session, party_id: str) -> list[str]:
    return list(session.scalars(select(Customer.id).where(Customer.engaged_party_id == party_id)))


def replace_addresses(
    session: Session, customer_id: str, places: list[tuple[str, str]], new_id: Any
) -> None:
    session.execute(delete(CustomerAddress).where(CustomerAddress.customer_id == customer_id))
    for address_id, role in dict.fromkeys(places):
        session.add(
            CustomerAddress(id=new_id(), customer_id=customer_id, address_id=address_id, role=role)
        )
    session.flush()


def customers_at_addresses(
    session: Session, address_ids: list[str], limit: int = 1000
) -> list[str]:
    """Customers with one of these addresses (installation, billing or contact)."""
    if not address_ids:
        return []
    stmt = (
        select(CustomerAddress.customer_id)
        .where(CustomerAddress.address_id.in_(address_ids))
        .distinct()
        .limit(limit)
    )
    return list(session.scalars(stmt))


def customer_places(session: Session, customer_id: str) -> list[tuple[str, str]]:
    """``(address id, role)`` of a customer's addresses."""
    stmt = (
        select(CustomerAddress.address_id, CustomerAddress.role)
        .where(CustomerAddress.customer_id == customer_id)
        .order_by(CustomerAddress.role, CustomerAddress.address_id)
    )
    return [(a, r) for a, r in session.execute(stmt)]
