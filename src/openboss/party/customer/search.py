"""Finding a customer from one search box — eTOM 1.1.1.2 customer interface
management.

:func:`search_customers` takes what a CSR types and, unless told the kind,
guesses it:

* ``id`` — a customer id (UUID), or the id of a party (its customers);
* ``phone`` — a mainland mobile or fixed-line number, with or without +86;
  matched exactly in E.164 against the parties' phones (``party_contact_key``);
* ``document`` — an 18-character resident ID or unified social credit code,
  or a passport-like number (a letter and 7-8 digits; ``CHN`` assumed unless
  given as ``USA:123456789``); matched exactly against
  ``party_identification_key``;
* ``externalReference`` — an id in another system (letters and digits with a
  dash, e.g. ``DEMO-HH-1``) in the parties' ``externalReference.name``;
* ``name`` — anything else: a prefix of the customer's folded name, in
  byte order (a btree on ``(search_name, id)``, "C" collation on PostgreSQL,
  serves both the LIKE and the order; the pattern is inlined so that even a
  prepared statement keeps the prefix index).

Every path is an index lookup; row scope is applied to the customers. Other
domains add kinds (account number, address) with :func:`register_search_kind`;
a kind with a ``detect`` function takes part in the guessing, before ``name``.
Lists show masked documents and phones (``138****5678``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import session_dialect
from openboss.party import contact, documents
from openboss.party.customer.identity import RESIDENT_ID, USCC, compact, fold_name, mask_phone
from openboss.party.customer.models import (
    Customer,
    Individual,
    Organization,
    PartyContactKey,
    PartyIdentificationKey,
)

Resolver = Callable[[Session, Scope, str], list[str]]

BUILTIN_KINDS = ("id", "phone", "document", "externalReference", "name")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PHONE = re.compile(r"^(?:\+86|0086)?[\d\s\-().]{7,20}$")
_DOC18 = re.compile(r"^[0-9A-Z]{17}[0-9A-Z]$")
_PASSPORT = re.compile(r"^(?:([A-Z]{3}):)?([A-Z]{1,2}\d{7,8})$")
_EXTREF = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+$")
_LIKE_SPECIALS = str.maketrans("", "", "%_\\")


@dataclass(frozen=True, slots=True)
class _Kind:
    resolve: Resolver
    detect: Callable[[str], bool] | None


_REGISTRY: dict[str, _Kind] = {}


def register_search_kind(
    name: str, fn: Resolver, *, detect: Callable[[str], bool] | None = None
) -> None:
    """Add a search kind: ``fn(session, scope, text)`` returns customer ids
    (scope is applied again to them). ``detect`` makes the kind part of the
    guessing (e.g. an account number pattern)."""
    if name in BUILTIN_KINDS:
        raise ValueError(f"{name!r} is a built-in search kind")
    _REGISTRY[name] = _Kind(fn, detect)


def search_kinds() -> list[str]:
    """Every kind a caller may ask for."""
    return [*BUILTIN_KINDS, *_REGISTRY]


@dataclass(frozen=True, slots=True)
class CustomerHit:
    """One customer found, ready for a results list (document and phone masked)."""

    id: str
    name: str
    status: str
    customer_type: str
    grade: str | None
    region_id: str | None
    party_id: str
    party_type: str
    document: str | None
    phone: str | None


def detect_kind(text: str) -> str:
    """The kind of search ``text`` most likely is."""
    value = text.strip()
    upper = compact(value)
    if _UUID.match(value):
        return "id"
    if _DOC18.match(upper):
        return "document"
    if _PASSPORT.match(upper):
        return "document"
    # Registered detectors are precise (an account number carries a check digit),
    # so they go before the broad phone pattern.
    for name, kind in _REGISTRY.items():
        if kind.detect is not None and kind.detect(value):
            return name
    if _PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 7:
        return "phone"
    if _EXTREF.match(value):
        return "externalReference"
    return "name"


_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.status,
    Customer.customer_type,
    Customer.grade,
    Customer.region_id,
    Customer.engaged_party_id,
    Customer.engaged_party_type,
)


def _scoped(scope: Scope) -> Select[Any]:
    stmt: Any = select(*_COLUMNS)
    return apply_scope(stmt, Customer, scope)


def _by_parties(scope: Scope, party_ids: Any, limit: int) -> Select[Any]:
    return (
        _scoped(scope)
        .where(Customer.engaged_party_id.in_(party_ids))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
    )


def _phone_query(scope: Scope, text: str, limit: int) -> Select[Any] | None:
    try:
        e164 = contact.validate_phone(text, field="q").e164
    except ValidationFailed:
        return None
    parties = select(PartyContactKey.party_id).where(
        PartyContactKey.kind == "phone", PartyContactKey.value == e164
    )
    return _by_parties(scope, parties, limit)


def _document_query(scope: Scope, text: str, limit: int) -> Select[Any] | None:
    upper = compact(text)
    keys: list[str] = []
    m = _PASSPORT.match(upper)
    if m:
        keys.append(f"{m.group(1) or 'CHN'}:{m.group(2)}")
    else:
        keys.append(upper)
    parties = select(PartyIdentificationKey.party_id).where(
        PartyIdentificationKey.id_number.in_(keys)
    )
    return _by_parties(scope, parties, limit)


def _id_query(scope: Scope, text: str, limit: int) -> Select[Any]:
    value = text.strip().lower()
    return (
        _scoped(scope)
        .where((Customer.id == value) | (Customer.engaged_party_id == value))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
    )


def _name_query(scope: Scope, text: str, limit: int) -> Select[Any] | None:
    prefix = fold_name(text).translate(_LIKE_SPECIALS)
    if not prefix:
        return None
    # inlined (literal_execute): a generic plan of a prepared statement could
    # not use the prefix index with an unknown pattern
    pattern: BindParameter[str] = bindparam("name_prefix", prefix + "%", literal_execute=True)
    return (
        _scoped(scope)
        .where(Customer.search_name.like(pattern))
        .order_by(Customer.search_name, Customer.id)
        .limit(limit)
    )


def _external_reference_parties(session: Session, text: str) -> list[str]:
    d = session_dialect(session)
    value = text.strip()
    ids: list[str] = []
    for model in (Individual, Organization):
        column: Any = model.external_reference
        cond = d.json_condition(column, "name", "eq", [value])
        ids.extend(session.scalars(select(model.id).where(cond).limit(100)))
    return ids


def search_customers(
    session: Session,
    scope: Scope,
    text: str,
    *,
    kind: str | None = None,
    limit: int = 20,
) -> list[CustomerHit]:
    """Customers matching ``text`` in the caller's scope, at most ``limit``."""
    value = text.strip()
    if not value:
        return []
    limit = max(1, min(limit, 200))
    kind = kind or detect_kind(value)
    stmt: Select[Any] | None
    if kind == "phone":
        stmt = _phone_query(scope, value, limit)
    elif kind == "document":
        stmt = _document_query(scope, value, limit)
    elif kind == "id":
        stmt = _id_query(scope, value, limit)
    elif kind == "name":
        stmt = _name_query(scope, value, limit)
    elif kind == "externalReference":
        parties = _external_reference_parties(session, value)
        stmt = _by_parties(scope, parties, limit) if parties else None
    elif kind in _REGISTRY:
        ids = _REGISTRY[kind].resolve(session, scope, value)[:1000]
        stmt = (
            _scoped(scope).where(Customer.id.in_(ids)).order_by(Customer.name, Customer.id)
            if ids
            else None
        )
        if stmt is not None:
            stmt = stmt.limit(limit)
    else:
        raise ValidationFailed(
            f"unknown search kind '{kind}'; expected one of {', '.join(search_kinds())}",
            field="kind",
        )
    if stmt is None:
        return []
    rows = session.execute(stmt).all()
    return _hits(session, rows)


_DOC_PREFERENCE = {RESIDENT_ID: 0, USCC: 0, "passport": 1}


def _hits(session: Session, rows: Sequence[Any]) -> list[CustomerHit]:
    if not rows:
        return []
    party_ids = list({r.engaged_party_id for r in rows})
    docs: dict[str, tuple[int, str]] = {}
    for party_id, id_type, number in session.execute(
        select(
            PartyIdentificationKey.party_id,
            PartyIdentificationKey.id_type,
            PartyIdentificationKey.id_number,
        ).where(PartyIdentificationKey.party_id.in_(party_ids))
    ):
        rank = _DOC_PREFERENCE.get(id_type, 2)
        shown = number.split(":", 1)[-1]
        if party_id not in docs or rank < docs[party_id][0]:
            docs[party_id] = (rank, shown)
    phones: dict[str, str] = {}
    for party_id, value in session.execute(
        select(PartyContactKey.party_id, PartyContactKey.value)
        .where(PartyContactKey.party_id.in_(party_ids), PartyContactKey.kind == "phone")
        .order_by(PartyContactKey.party_id, PartyContactKey.id)
    ):
        phones.setdefault(party_id, value)
    return [
        CustomerHit(
            id=r.id,
            name=r.name,
            status=r.status,
            customer_type=r.customer_type,
            grade=r.grade,
            region_id=r.region_id,
            party_id=r.engaged_party_id,
            party_type=r.engaged_party_type,
            document=documents.mask(docs[r.engaged_party_id][1])
            if r.engaged_party_id in docs
            else None,
            phone=mask_phone(phones[r.engaged_party_id]) if r.engaged_party_id in phones else None,
        )
        for r in rows
    ]
