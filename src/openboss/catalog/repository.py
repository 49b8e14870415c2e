"""Every query of the catalog.

The catalog is central data: it has no row scope (every region sells from
the same catalog; regional variants are eligibility and delivery rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.catalog.models import (
    DeliveryRule,
    OfferingVersion,
    ProductOffering,
    ProductOfferingPrice,
    ResourceSpec,
    ServiceSpec,
)
from openboss.kit.errors import NotFound
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.kit.tmf.resource import TmfResource

T = TypeVar("T")


def list_resources(
    session: Session, resource: TmfResource, query: ListQuery, base_url: str
) -> Page:
    """One page of a catalog resource."""
    return list_page(session, resource, query, base_url=base_url)


def resource_document(
    session: Session,
    resource: TmfResource,
    ident: str,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(session, resource, ident, base_url=base_url, projection=projection)
    if doc is None:
        raise NotFound(f"{resource.name} '{ident}' not found")
    return doc


def get_row(
    session: Session, model: type[T], resource_name: str, ident: str, *, for_update: bool = False
) -> T:
    stmt = select(model).where(model.id == ident)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"{resource_name} '{ident}' not found")
    return row


def find(session: Session, model: type[T], ident: str) -> T | None:
    return session.get(model, ident)


def existing_ids(session: Session, model: Any, ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(model.id).where(model.id.in_(wanted))).all())


def all_rows(session: Session, model: type[T], *order: Any) -> Sequence[T]:
    stmt = select(model).order_by(*(order or (model.id,)))  # type: ignore[attr-defined]
    return session.scalars(stmt).all()


def prices(session: Session, ids: Iterable[str]) -> dict[str, ProductOfferingPrice]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(
        select(ProductOfferingPrice).where(ProductOfferingPrice.id.in_(wanted))
    ).all()
    return {r.id: r for r in rows}


def offerings(session: Session, ids: Iterable[str]) -> dict[str, ProductOffering]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(ProductOffering).where(ProductOffering.id.in_(wanted))).all()
    return {r.id: r for r in rows}


def service_specs(session: Session, ids: Iterable[str]) -> dict[str, ServiceSpec]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(ServiceSpec).where(ServiceSpec.id.in_(wanted))).all()
    return {r.id: r for r in rows}


def resource_specs(session: Session, ids: Iterable[str]) -> dict[str, ResourceSpec]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(ResourceSpec).where(ResourceSpec.id.in_(wanted))).all()
    return {r.id: r for r in rows}


def delivery_rules(session: Session, product_spec_id: str) -> Sequence[DeliveryRule]:
    return session.scalars(
        select(DeliveryRule)
        .where(DeliveryRule.product_spec_id == product_spec_id)
        .order_by(DeliveryRule.coverage_type, DeliveryRule.region_id)
    ).all()


def launched_offerings_using_price(session: Session, price_id: str) -> list[str]:
    """Ids of launched or retired offerings whose (latest) prices include ``price_id``."""
    rows = session.execute(
        select(ProductOffering.id, ProductOffering.product_offering_price).where(
            ProductOffering.lifecycle_status.in_(("Launched", "Retired"))
        )
    ).all()
    return [
        ident
        for ident, refs in rows
        if any(isinstance(r, dict) and r.get("id") == price_id for r in refs or [])
    ]


def bundles_using(session: Session, offering_id: str) -> list[str]:
    rows = session.execute(
        select(ProductOffering.id, ProductOffering.bundled_product_offering).where(
            ProductOffering.is_bundle.is_(True)
        )
    ).all()
    return [
        ident
        for ident, members in rows
        if any(isinstance(m, dict) and m.get("id") == offering_id for m in members or [])
    ]


def versions(session: Session, offering_id: str) -> Sequence[OfferingVersion]:
    return session.scalars(
        select(OfferingVersion)
        .where(OfferingVersion.offering_id == offering_id)
        .order_by(OfferingVersion.created_at, OfferingVersion.id)
    ).all()


def version(session: Session, offering_id: str, version: str) -> OfferingVersion | None:
    return session.scalars(
        select(OfferingVersion).where(
            OfferingVersion.offering_id == offering_id, OfferingVersion.version == version
        )
    ).one_or_none()
