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
    partner_id: str | None = None,
    region_id: str | None = None,
) -> OutboxEvent:
    """Record ``event_type`` for ``resource`` in this transaction.

    ``resource_name`` is the TMF resource name in camelCase (``productOrder``);
    the envelope is ``{"eventId", "eventTime", "eventType", "event":
    {resource_name: resource}, ...}`` per TMF688 / the v4 notification schemas.

    ``partner_id`` and ``region_id`` are the row scope of the resource (its
    :class:`~openboss.kit.scope.PartnerScoped` / ``RegionScoped`` columns);
    they are kept on the outbox row, not in the envelope, and decide which
    scoped hub listeners receive the event. Leave them ``None`` for the
    operator's own, central data: then only unscoped (or region-limited,
    for a NULL region) listeners see it, never a partner's.
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
        partner_id=partner_id,
        region_id=region_id,
        payload=envelope,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    session.info["outbox_written"] = True
    return row
