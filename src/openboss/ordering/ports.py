"""The calls order handling makes to the areas beside and below it, in one
place: fulfilment (service orders), the SLA clocks and customer
communications. Each is a thin pass-through with the agreed signature
(/tmp/briefs/interfaces.md), so the rest of the package reads as plain calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from openboss.engagement.communication import service as communication
from openboss.fulfilment.contracts import FulfilmentRequest, Milestone
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.ordering.sla import service as sla


def submit(session: Session, requests: Sequence[FulfilmentRequest]) -> list[dict[str, Any]]:
    """Hand the items to fulfilment (one TMF641 service order each)."""
    return serviceorder.submit(session, requests)


def cancel_fulfilment(session: Session, product_order_id: str, reason: str) -> list[dict[str, Any]]:
    """Cancel the order's open service orders (compensation releases resources)."""
    return serviceorder.cancel_for_product_order(session, product_order_id, reason)


def progress(session: Session, product_order_id: str) -> list[Milestone]:
    """The milestones fulfilment recorded for the order's items."""
    return serviceorder.progress(session, product_order_id)


def service_orders_of(session: Session, product_order_id: str) -> list[dict[str, Any]]:
    return serviceorder.service_orders_of(session, product_order_id)


def start_clock(
    session: Session,
    *,
    product_order_id: str,
    completion_hours: int,
    jeopardy_percent: int,
    started_at: datetime | None = None,
    region_id: str | None = None,
) -> dict[str, Any]:
    return sla.start_clock(
        session,
        product_order_id=product_order_id,
        completion_hours=completion_hours,
        jeopardy_percent=jeopardy_percent,
        started_at=started_at,
        region_id=region_id,
    )


def stop_clock(session: Session, product_order_id: str, outcome: str) -> dict[str, Any] | None:
    return sla.stop_clock(session, product_order_id, outcome)


def clock_of(session: Session, product_order_id: str) -> dict[str, Any] | None:
    return sla.clock_of(session, product_order_id)


def send(
    session: Session,
    *,
    channel: Literal["sms", "email"],
    to: str,
    template: str,
    params: Mapping[str, Any],
    related: Sequence[Mapping[str, str]] = (),
    receiver_name: str | None = None,
) -> dict[str, Any]:
    """Send a customer message (TMF681) through the engagement domain."""
    return communication.send(
        session,
        channel=channel,
        to=to,
        template=template,
        params=params,
        related=related,
        receiver_name=receiver_name,
    )
