"""Writing events: :func:`publish` adds a TMF688 envelope to the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id


def publish(
    session: Session,
    event_type: str,
    resource_name: str,
    resource: dict[str, Any],
    *,
    api: str = "",
    domain: str | None = None,
    title: str | None = None,
    description: str | None = None,
    priority: str | None = None,
    correlation_id: str | None = None,
) -> OutboxEvent:
    """Record ``event_type`` for ``resource`` in this transaction.

    ``resource_name`` is the TMF resource name in camelCase (``productOrder``);
    the envelope is ``{"eventId", "eventTime", "eventType", "event":
    {resource_name: resource}, ...}`` per TMF688 / the v4 notification schemas.
    """
    now = utcnow()
    event_id = new_id()
    envelope: dict[str, Any] = {
        "eventId": event_id,
        "eventTime": now.isoformat().replace("+00:00", "Z"),
        "eventType": event_type,
        "timeOcurred": now.isoformat().replace("+00:00", "Z"),
        "event": {resource_name: resource},
    }
    if correlation_id:
        envelope["correlationId"] = correlation_id
    if domain:
        envelope["domain"] = domain
    if title:
        envelope["title"] = title
    if description:
        envelope["description"] = description
    if priority:
        envelope["priority"] = priority
    row = OutboxEvent(
        event_id=event_id,
        event_type=event_type,
        resource_type=resource_name,
        resource_id=str(resource.get("id")) if resource.get("id") is not None else None,
        api=api,
        payload=envelope,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    session.info["outbox_written"] = True
    return row
