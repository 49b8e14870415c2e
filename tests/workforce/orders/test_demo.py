"""The workforce demo loads once, links the demo users and gives today's jobs."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.scope import SYSTEM_SCOPE
from openboss.workforce import repository, service
from openboss.workforce.demo import load_workforce_demo
from openboss.workforce.models import Technician, WorkOrder


def test_demo_is_idempotent_and_complete(session: Session) -> None:
    added = load_workforce_demo(session)
    assert "partner company PARTNER-1" in added and "team 西湖装维一班" in added
    assert load_workforce_demo(session) == []
    techs = list(session.scalars(select(Technician)))
    by_partner = Counter(t.partner_id for t in techs)
    assert by_partner == {None: 20, "PARTNER-1": 5, "PARTNER-2": 5}
    for t in techs:
        assert t.home_lat is not None and 30.25 <= t.home_lat <= 30.32
        assert t.home_lon is not None and 120.08 <= t.home_lon <= 120.20
    assert {t.region_id for t in techs if t.partner_id is None} == {"330106", "330105"}
    orders = list(session.scalars(select(WorkOrder)))
    assert len(orders) == 15
    assert len({o.state for o in orders}) >= 4
    assert {o.field_state for o in orders} >= {"dispatched", "accepted", "enRoute", "onSite"}
    assert {o.partner_id for o in orders} == {None, "PARTNER-1", "PARTNER-2"}
    tech1 = repository.technician_by_username(session, "tech1")
    assert tech1 is not None and tech1.partner_id is None
    assert len(service.todays_jobs(session, SYSTEM_SCOPE, tech1)) >= 3
    p1 = repository.technician_by_username(session, "partner1")
    assert p1 is not None and p1.partner_id == "PARTNER-1"
    for o in orders:  # partner orders are done by the partner's own people
        if o.assignee_id:
            assignee = session.get(Technician, o.assignee_id)
            assert assignee is not None and assignee.partner_id == o.partner_id
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == 15
