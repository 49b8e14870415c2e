"""Reading the audit log: who changed what, when, from which value to which.

The log is written by the session hook in :mod:`openboss.audit.hooks`; this
module is the one place that queries it (the console's audit screen, the
dashboard's "changes today" count). Entries are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.kit.errors import ValidationFailed

#: The actions the hook records.
ACTIONS: Final[tuple[str, ...]] = ("create", "update", "state_change", "delete")
#: The most entries one page may ask for.
MAX_PAGE: Final = 500


def _filtered(
    query: Select[Any],
    *,
    entity_type: str | None,
    entity_id: str | None,
    actor: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    if action is not None and action not in ACTIONS:
        raise ValidationFailed(
            f"unknown audit action '{action}'; actions are: {', '.join(ACTIONS)}", field="action"
        )
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action == action)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if until is not None:
        query = query.where(AuditLog.at < until)
    return query


def list_audit(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditLog], int]:
    """One page of audit entries, newest first, and how many match in total.

    Filters are exact matches (``entity_type`` is the table name, e.g.
    ``auth_user``; ``actor`` the username or client id); ``since``/``until``
    bound the time (``since`` inclusive). Two queries, whatever the page size.
    """
    if offset < 0:
        raise ValidationFailed("offset must not be negative", field="offset")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}", field="limit")

    def where(query: Select[Any]) -> Select[Any]:
        return _filtered(
            query,
            entity_type=entity_type,
            entity_id=entity_id,
            actor=actor,
            action=action,
            since=since,
            until=until,
        )

    total = session.scalar(where(select(func.count()).select_from(AuditLog))) or 0
    rows = session.scalars(
        where(select(AuditLog)).order_by(AuditLog.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), total


def count_audit(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    entity_type: str | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> int:
    """How many audit entries match (e.g. the changes since the operator's midnight)."""
    query = _filtered(
        select(func.count()).select_from(AuditLog),
        entity_type=entity_type,
        entity_id=None,
        actor=actor,
        action=action,
        since=since,
        until=until,
    )
    return session.scalar(query) or 0


def audited_entity_types() -> list[str]:
    """Table names of every audited model (the values ``entity_type`` can take)."""
    from openboss.db.base import Base
    from openboss.db.registry import import_all_models

    import_all_models()
    names = {
        str(mapper.class_.__tablename__)
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", False)
    }
    return sorted(names)
