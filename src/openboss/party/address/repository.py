"""Every query of addresses and sites; row scope is applied here.

eTOM 1.1.1.2 customer interface management (address capture and search).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.kit.tmf.resource import TmfResource
from openboss.party.address.models import (
    ADDRESS_RESOURCE,
    SITE_RESOURCE,
    VALIDATION_RESOURCE,
    GeographicAddress,
    GeographicAddressValidation,
    GeographicSite,
)

_TABLES: dict[str, Any] = {
    "geographicSite": GeographicSite.__table__.c,
    "geographicAddress": GeographicAddress.__table__.c,
    "geographicAddressValidation": GeographicAddressValidation.__table__.c,
}


def _scoped(resource: TmfResource, scope: Scope) -> Any:
    columns = _TABLES[resource.name]

    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, columns, scope)

    return restrict


def list_resources(
    session: Session, resource: TmfResource, query: ListQuery, scope: Scope, base_url: str
) -> Page:
    """One page of sites, addresses or validations the caller may see."""
    return list_page(session, resource, query, base_url=base_url, restrict=_scoped(resource, scope))


def resource_document(
    session: Session,
    resource: TmfResource,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    """The representation of one row (404 when missing or out of scope)."""
    doc = fetch_document(
        session,
        resource,
        ident,
        base_url=base_url,
        restrict=_scoped(resource, scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"{resource.name} '{ident}' not found")
    return doc


def get_site(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> GeographicSite:
    """The site row (404 when missing or out of scope)."""
    stmt = apply_scope(
        select(GeographicSite).where(GeographicSite.id == ident), GeographicSite, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    site = session.scalars(stmt).one_or_none()
    if site is None:
        raise NotFound(f"geographicSite '{ident}' not found")
    return site


def get_address(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> GeographicAddress:
    """The address row (404 when missing or out of scope)."""
    stmt = apply_scope(
        select(GeographicAddress).where(GeographicAddress.id == ident), GeographicAddress, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    address = session.scalars(stmt).one_or_none()
    if address is None:
        raise NotFound(f"geographicAddress '{ident}' not found")
    return address


def site_by_key(session: Session, key: str) -> GeographicSite | None:
    """The site with this normalised key, whatever its region (duplicates are
    refused across regions too)."""
    return session.scalars(select(GeographicSite).where(GeographicSite.norm_key == key)).first()


def address_by_key(session: Session, key: str) -> GeographicAddress | None:
    return session.scalars(
        select(GeographicAddress).where(GeographicAddress.norm_key == key)
    ).first()


def addresses_of_site(
    session: Session, site_id: str, *, for_update: bool = False
) -> Sequence[GeographicAddress]:
    """Every address at a site, the building's own first, then by unit and room."""
    stmt = (
        select(GeographicAddress)
        .where(GeographicAddress.site_id == site_id)
        .order_by(
            GeographicAddress.unit.is_not(None),
            GeographicAddress.unit,
            GeographicAddress.room,
            GeographicAddress.id,
        )
    )
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).all()


def sites_with_prefix(
    session: Session, scope: Scope, prefix: str, limit: int
) -> Sequence[GeographicSite]:
    """Sites whose key starts with ``prefix`` (the same place, any building)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = apply_scope(
        select(GeographicSite)
        .where(GeographicSite.norm_key.like(escaped + "%", escape="\\"))
        .order_by(GeographicSite.norm_key)
        .limit(limit),
        GeographicSite,
        scope,
    )
    return session.scalars(stmt).all()


def _terms_condition(column: Any, terms: Sequence[str]) -> Any:
    # terms are in search form: letters and digits only, no LIKE wildcards
    return and_(*(column.like(f"%{term}%") for term in terms))


def search_sites(
    session: Session, scope: Scope, terms: Sequence[str], limit: int
) -> Sequence[GeographicSite]:
    stmt = apply_scope(
        select(GeographicSite)
        .where(_terms_condition(GeographicSite.search_text, terms))
        .order_by(GeographicSite.search_text, GeographicSite.id)
        .limit(limit),
        GeographicSite,
        scope,
    )
    return session.scalars(stmt).all()


def search_addresses(
    session: Session, scope: Scope, terms: Sequence[str], limit: int
) -> Sequence[GeographicAddress]:
    stmt = apply_scope(
        select(GeographicAddress)
        .where(_terms_condition(GeographicAddress.search_text, terms))
        .order_by(GeographicAddress.search_text, GeographicAddress.id)
        .limit(limit),
        GeographicAddress,
        scope,
    )
    return session.scalars(stmt).all()


def search_address_ids(
    session: Session, scope: Scope, terms: Sequence[str], limit: int
) -> list[str]:
    stmt = apply_scope(
        select(GeographicAddress.id)
        .where(_terms_condition(GeographicAddress.search_text, terms))
        .order_by(GeographicAddress.id)
        .limit(limit),
        GeographicAddress,
        scope,
    )
    return list(session.scalars(stmt))


def count_addresses(session: Session, site_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(GeographicAddress)
            .where(GeographicAddress.site_id == site_id)
        )
        or 0
    )


def count_sites(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(GeographicSite)) or 0)


def add_unique(session: Session, row: Any) -> bool:
    """Insert ``row`` in a savepoint; ``False`` when a UNIQUE constraint (the
    normalised key) refused it — a concurrent request registered it first."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def add(session: Session, *rows: Any) -> None:
    session.add_all(rows)
    session.flush()


__all__ = [
    "ADDRESS_RESOURCE",
    "SITE_RESOURCE",
    "VALIDATION_RESOURCE",
    "add",
    "address_by_key",
    "addresses_of_site",
    "get_address",
    "get_site",
    "list_resources",
    "resource_document",
    "search_addresses",
    "search_sites",
    "site_by_key",
]
