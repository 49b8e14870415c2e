"""The session hook that writes the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import structlog
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from openboss.audit.models import AuditLog
from openboss.kit.clock import utcnow

STATE_COLUMNS = frozenset({"state", "status", "lifecycle_status"})
_installed = False


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj: Any) -> list[str]:
    mapper = inspect(obj).mapper
    exclude: frozenset[str] = getattr(obj, "__audit_exclude__", frozenset())
    return [c.key for c in mapper.column_attrs if c.key not in exclude]


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    for key in _columns(obj):
        if key in state.dict:
            out[key] = _jsonable(state.dict[key])
    return out


def _identity(obj: Any) -> str:
    ident = inspect(obj).identity
    if ident is None:
        pk = inspect(obj).mapper.primary_key
        return ",".join(str(getattr(obj, c.key, "")) for c in pk)
    return ",".join(str(i) for i in ident)


def _actor(session: Session) -> tuple[str, str]:
    principal = session.info.get("principal")
    if principal is None and "request_state" in session.info:
        principal = getattr(session.info["request_state"], "principal", None)
    if principal is not None:
        return principal.name, principal.kind
    return str(session.info.get("actor", "system")), "system"


def record_changes(
    session: Session,
    table: str,
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> None:
    """Audit rows for changes made with set-based SQL (a guarded ``UPDATE``),
    which the flush hook cannot see: ``(entity id, before, after)`` per row of
    ``table``, same actor, time and request id as the hook writes."""
    if not changes:
        return
    actor, kind = _actor(session)
    now = utcnow()
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    rows = [
        {
            "at": now,
            "actor": actor,
            "actor_kind": kind,
            "action": "state_change" if STATE_COLUMNS & after.keys() else "update",
            "entity_type": table,
            "entity_id": ident[:64],
            "before": {k: _jsonable(v) for k, v in before.items()},
            "after": {k: _jsonable(v) for k, v in after.items()},
            "request_id": request_id,
        }
        for ident, before, after in changes
    ]
    session.connection().execute(insert(AuditLog), rows)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    actor, kind = _actor(session)
    now = utcnow()
    request_id = structlog.contextvars.get_contextvars().get("request_id")

    def add(obj: Any, action: str, before: Any, after: Any) -> None:
        rows.append(
            {
                "at": now,
                "actor": actor,
                "actor_kind": kind,
                "action": action,
                "entity_type": type(obj).__tablename__,
                "entity_id": _identity(obj)[:64],
                "before": before,
                "after": after,
                "request_id": request_id,
            }
        )

    for obj in session.new:
        if getattr(obj, "__audited__", False):
            add(obj, "create", None, _snapshot(obj))
    for obj in session.dirty:
        if not getattr(obj, "__audited__", False) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for key in _columns(obj):
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            before[key] = _jsonable(old)
            after[key] = _jsonable(new)
        after.pop("updated_at", None)
        before.pop("updated_at", None)
        if not after:
            continue
        action = "state_change" if STATE_COLUMNS & after.keys() else "update"
        add(obj, action, before, after)
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            add(obj, "delete", _snapshot(obj), None)
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def install_audit_hooks() -> None:
    """Install the hook on every Session (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True
