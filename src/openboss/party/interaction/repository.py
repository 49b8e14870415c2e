"""Every query of customer interface management (eTOM 1.1.1.2) over
``party_interaction``; row scope is applied here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.party.interaction.models import BASE_PATH, RESOURCE, PartyInteraction
from openboss.party.interaction.taxonomy import CHANNEL_SLA, CHANNELS, DEFAULT_SLA

__all__ = ["BASE_PATH", "OPEN_STATUSES", "RESOURCE"]

_t = PartyInteraction.__table__.c

#: Statuses of a contact still being handled.
OPEN_STATUSES = ("open", "inProgress")


def _scoped(scope: Scope) -> Any:
    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, _t, scope)

    return restrict


def list_interactions(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    """One page of the interactions the caller may see."""
    return list_page(session, RESOURCE, query, base_url=base_url, restrict=_scoped(scope))


def interaction_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    """The representation of one interaction (404 when missing or out of scope)."""
    doc = fetch_document(
        session, RESOURCE, ident, base_url=base_url, restrict=_scoped(scope), projection=projection
    )
    if doc is None:
        raise NotFound(f"partyInteraction '{ident}' not found")
    return doc


def get_interaction(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> PartyInteraction:
    """The row, locked for update when asked (404 when missing or out of scope)."""
    stmt = apply_scope(
        select(PartyInteraction).where(PartyInteraction.id == ident), PartyInteraction, scope
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"partyInteraction '{ident}' not found")
    return row


def add(session: Session, row: PartyInteraction) -> None:
    session.add(row)
    session.flush()


def remove(session: Session, row: PartyInteraction) -> None:
    session.delete(row)
    session.flush()


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Open for longer than its channel's SLA (one cut-off per SLA, index-friendly)."""
    by_sla: dict[timedelta, list[str]] = {}
    for channel in CHANNELS:
        by_sla.setdefault(CHANNEL_SLA.get(channel, DEFAULT_SLA), []).append(channel)
    clauses = [
        and_(_t.channel.in_(channels), _t.start_at < now - sla)
        for sla, channels in sorted(by_sla.items())
    ]
    return or_(*clauses)


def search(
    session: Session,
    scope: Scope,
    *,
    statuses: Sequence[str] | None = None,
    channel: str | None = None,
    reason_prefix: str | None = None,
    customer_id: str | None = None,
    exceptions_at: datetime | None = None,
    newest_first: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[PartyInteraction], int]:
    """Interactions matching the console's filters and how many there are.

    ``exceptions_at`` keeps only exceptions at that time: open and either
    escalated or older than the channel's SLA. ``reason_prefix`` matches a
    reason and its sub-reasons (``fault`` matches ``fault.slow``).
    """
    conditions: list[ColumnElement[bool]] = []
    if statuses:
        conditions.append(_t.status.in_(list(statuses)))
    if channel:
        conditions.append(_t.channel == channel)
    if reason_prefix:
        conditions.append(
            or_(_t.reason_code == reason_prefix, _t.reason_code.startswith(reason_prefix + "."))
        )
    if customer_id:
        conditions.append(_t.customer_id == customer_id)
    if exceptions_at is not None:
        conditions.append(_t.status.in_(OPEN_STATUSES))
        conditions.append(or_(_t.escalated.is_(True), overdue_condition(exceptions_at)))
    base = apply_scope(select(PartyInteraction).where(*conditions), PartyInteraction, scope)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    order = (_t.start_at.desc(), _t.id.desc()) if newest_first else (_t.start_at.asc(), _t.id.asc())
    rows = session.scalars(base.order_by(*order).offset(offset).limit(limit)).all()
    return list(rows), total
