"""Fixtures of the assessment tests: the work-order world (skills, partner
companies, technicians, a flat) plus a second flat and hand-made work orders
with known times, so that every indicator has a known answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.kit.ids import new_id
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.address import service as address_service
from openboss.party.address.models import GeographicAddress
from openboss.party.address.schemas import GeographicAddressCreate
from openboss.workforce.assessment.models import RatingInvitation
from openboss.workforce.models import WorkOrder, WorkOrderEvent
from tests.workforce.orders.conftest import BASE, World, world

__all__ = ["world"]


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A UTC time in 2026 (March by default)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def second_address(session: Session, world: World) -> str:
    first = session.get(GeographicAddress, world.address_id)
    assert first is not None
    address = address_service.create_address(
        session,
        SYSTEM_SCOPE,
        GeographicAddressCreate.model_validate(
            {
                "siteId": first.site_id,
                "geographicSubAddress": [{"subUnitNumber": "2", "roomNumber": "502"}],
            }
        ),
        BASE,
    )
    session.commit()
    return address.id


MakeOrder = Callable[..., WorkOrder]


@pytest.fixture
def make_order(session: Session) -> MakeOrder:
    """A closed work order written directly (known times); ``on_site`` adds the
    field history's onSite move; ``stars`` a customer rating at ``rated``."""

    def make(
        *,
        assignee: str,
        address: str,
        kind: str = "installation",
        state: str = "completed",
        completed: datetime,
        created: datetime | None = None,
        window: datetime | None = None,
        on_site: datetime | None = None,
        sla: datetime | None = None,
        requested: datetime | None = None,
        partner: str | None = None,
        stars: int | None = None,
        rated: datetime | None = None,
    ) -> WorkOrder:
        created = created or completed.replace(hour=0)
        order = WorkOrder(
            id=new_id(),
            kind=kind,
            state=state,
            priority="3",
            required_skill=[],
            estimated_duration=60,
            place={"id": address, "@referredType": "GeographicAddress"},
            window_start=window,
            sla_deadline=sla,
            requested_completion=requested,
            assignee_id=assignee,
            assignee_name="tech",
            completion_date=completed,
            start_date=on_site,
            failure_reason="no signal" if state in ("failed", "partial") else None,
            work_order_item=[{"id": "1", "action": "add", "state": state}],
            partner_id=partner,
            state_change_date=completed,
            created_at=created,
            updated_at=completed,
            doc="{}",
        )
        session.add(order)
        session.flush()
        if on_site is not None:
            session.add(
                WorkOrderEvent(
                    work_order_id=order.id,
                    at=on_site,
                    actor="tech",
                    from_state="inProgress",
                    to_state="inProgress",
                    from_field_state="enRoute",
                    to_field_state="onSite",
                )
            )
        if stars is not None:
            session.add(
                RatingInvitation(
                    id=new_id(),
                    work_order_id=order.id,
                    token_hash=new_id().replace("-", "") + "0" * 32,
                    technician_id=assignee,
                    created_at=completed,
                    expires_at=completed,
                    rated_at=rated or completed,
                    stars=stars,
                    partner_id=partner,
                )
            )
        session.flush()
        return order

    return make


@pytest.fixture
def march(
    session: Session,
    world: World,
    second_address: str,
    make_order: MakeOrder,
) -> dict[str, Any]:
    """Hand-made orders of March 2026 (see test_indicators for the expected figures).

    * A (own_tech): o1 at flat 1 — on site exactly at window + 30 min (on time),
      completed before the requested completion, within SLA, rated 5, and followed
      by a repair at flat 1 19 days later (rework); o2 at flat 2 — on site at
      window + 31 min (late), completed after the SLA deadline (no requested
      completion), after B's failed installation there (not a first-time fix), rated 3.
    * B (own_novice): o0 failed installation at flat 2 (on site on time, SLA
      deadline: not compliant); r1 repair at flat 1, completed, nothing after it.
    * P (p1_tech of PARTNER-1): p1 completed installation within SLA.
    * o4: A's order completed in April (outside the period).
    """
    a, b, flat1, flat2 = world.own_tech, world.own_novice, world.address_id, second_address
    o0 = make_order(
        assignee=b,
        address=flat2,
        state="failed",
        window=at(5, 2),
        on_site=at(5, 2, 10),
        completed=at(5, 3),
        sla=at(6, 2),
    )
    o1 = make_order(
        assignee=a,
        address=flat1,
        window=at(10, 2),
        on_site=at(10, 2, 30),
        completed=at(10, 4),
        requested=at(10, 6),
        sla=at(11, 2),
        stars=5,
    )
    o2 = make_order(
        assignee=a,
        address=flat2,
        window=at(12, 2),
        on_site=at(12, 2, 31),
        completed=at(12, 5),
        sla=at(12, 4),
        stars=3,
    )
    r1 = make_order(
        assignee=b, address=flat1, kind="repair", created=at(29, 1), completed=at(29, 6)
    )
    p1 = make_order(
        assignee=world.p1_tech,
        address=flat1,
        window=at(15, 2),
        on_site=at(15, 2, 5),
        completed=at(15, 6),
        sla=at(16, 2),
        partner="PARTNER-1",
    )
    o4 = make_order(assignee=a, address=flat1, completed=at(2, 4, month=4), sla=at(3, 2, month=4))
    session.commit()
    return {"A": a, "B": b, "P": world.p1_tech, "orders": [o0, o1, o2, r1, p1, o4]}
