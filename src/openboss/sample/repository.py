"""Every query of the sample API; row scope is applied here.

:data:`~openboss.sample.models.RESOURCE` declares how a ``sample_item`` row
maps to its TMF representation; the kit derives list filtering, sorting and
paging from it, and reads the stored representation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.sample.models import BASE_PATH, RESOURCE, SampleItem

__all__ = ["BASE_PATH", "RESOURCE", "get_item", "item_document", "list_items"]

_t = SampleItem.__table__.c


def _scoped(scope: Scope) -> Any:
    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, _t, scope)

    return restrict


def list_items(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    """One page of the items the caller may see."""
    return list_page(session, RESOURCE, query, base_url=base_url, restrict=_scoped(scope))


def item_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    """The representation of one item (404 when missing or out of scope)."""
    doc = fetch_document(
        session, RESOURCE, ident, base_url=base_url, restrict=_scoped(scope), projection=projection
    )
    if doc is None:
        raise NotFound(f"sampleItem '{ident}' not found")
    return doc


def get_item(session: Session, ident: str, scope: Scope, *, for_update: bool = False) -> SampleItem:
    """The item row, locked for update when asked (404 when missing or out of scope)."""
    stmt = apply_scope(select(SampleItem).where(SampleItem.id == ident), SampleItem, scope)
    if for_update:
        stmt = stmt.with_for_update()
    item = session.scalars(stmt).one_or_none()
    if item is None:
        raise NotFound(f"sampleItem '{ident}' not found")
    return item


def add(session: Session, item: SampleItem) -> None:
    session.add(item)
    session.flush()


def remove(session: Session, item: SampleItem) -> None:
    session.delete(item)
    session.flush()


def count_all(session: Session) -> int:
    """How many items exist (no scope: for system code such as the demo loader)."""
    return int(session.scalar(select(func.count()).select_from(SampleItem)) or 0)
