"""Packaging rules and the published availability (status feedback)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.demo import CABLE_PARTNER, FIXED_PARTNER
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import NetworkPartner, Resource, ResourceReservation
from openboss.resource.inventory.service import reserve
from openboss.resource.publishing import availability
from openboss.resource.publishing.coverage import create_coverage, update_coverage
from openboss.resource.publishing.models import ResourceAvailability
from openboss.resource.publishing.schemas import PartnerCoverageCreate, PartnerCoverageUpdate

from .conftest import Ftth


def rows(session: Session, site_id: str) -> dict[tuple[str, str | None], ResourceAvailability]:
    session.expire_all()
    found = session.scalars(
        select(ResourceAvailability).where(ResourceAvailability.site_id == site_id)
    )
    return {(r.business_type_id, r.partner_id): r for r in found}


def events(session: Session, event_type: str = availability.CHANGE_EVENT) -> list[dict[str, Any]]:
    found = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type))
    out = []
    for e in found:
        payload = e.payload if isinstance(e.payload, dict) else orjson.loads(e.payload)
        out.append(payload["event"]["resourceAvailability"])
    return out


def coverage(session: Session, site: str, capacity: int, used: int, **kw: Any) -> str:
    data = PartnerCoverageCreate.model_validate(
        {"siteId": site, "partnerId": CABLE_PARTNER, "capacity": capacity, "used": used, **kw}
    )
    return create_coverage(session, SYSTEM_SCOPE, data).id


def test_free_ports_on_a_sound_chain_are_sellable(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site, ratio=8, used=3)
    assert availability.refresh_sites(session, [site]) == 1
    row = rows(session, site)[("ftthAccess", None)]
    assert (row.capacity_total, row.capacity_free, row.status) == (8, 5, "available")
    assert (row.coverage_type, row.delivery_mode, row.owner_key) == (
        "ownFtth",
        "ownConstruction",
        "own",
    )
    assert row.region_id is not None
    # nothing changed: nothing written, no second event
    assert availability.refresh_sites(session, [site]) == 0
    assert len([e for e in events(session) if e["siteId"] == site]) == 1


def test_a_disabled_pon_port_makes_the_building_exhausted(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site, ratio=8, used=2, pon_operational="disable")
    availability.refresh_sites(session, [site])
    row = rows(session, site)[("ftthAccess", None)]
    assert (row.capacity_total, row.capacity_free, row.status) == (8, 0, "exhausted")


def test_a_retired_splitter_takes_its_ports_out(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    net = build_ftth(site, ratio=8, cascade=True)
    availability.refresh_sites(session, [site])
    assert rows(session, site)[("ftthAccess", None)].capacity_free == 8
    # retire the L1 splitter: the L2 ports behind it are cut off
    session.execute(
        update(Resource).where(Resource.id == net.splitters[0]).values(lifecycle_status="retired")
    )
    availability.refresh_sites(session, [site])
    assert rows(session, site)[("ftthAccess", None)].status == "exhausted"


def test_cascaded_splitters_reach_the_pon_port(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site, ratio=8, used=1, cascade=True)
    availability.refresh_sites(session, [site])
    row = rows(session, site)[("ftthAccess", None)]
    # L1 port feeding L2 is allocated; L2 has 7 free of 8
    assert (row.capacity_total, row.capacity_free) == (9, 7)


def test_planned_network_is_published_as_planned_with_its_date(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    start = lifecycle.now() + timedelta(days=20)
    build_ftth(site, ratio=8, splitter_status="planned", port_status="planned", start=start)
    availability.refresh_sites(session, [site])
    row = rows(session, site)[("ftthAccess", None)]
    assert (row.status, row.capacity_free) == ("planned", 0)
    assert row.ready_date == start
    shown = availability.represent(row, 2)
    assert shown["earliestDate"].startswith((start + timedelta(days=2)).date().isoformat())


def test_reservation_refreshes_availability_in_the_same_transaction(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site, ratio=8, used=7)
    availability.refresh_sites(session, [site])
    assert rows(session, site)[("ftthAccess", None)].capacity_free == 1
    before = len(events(session))
    reservation = reserve(session, SYSTEM_SCOPE, "splitterPort", 1, site_id=site)
    row = rows(session, site)[("ftthAccess", None)]
    assert (row.capacity_free, row.status) == (0, "exhausted")
    change = events(session)[before:]
    assert [(e["siteId"], e["status"], e["capacityFree"]) for e in change] == [
        (site, "exhausted", 0)
    ]
    assert isinstance(reservation, ResourceReservation)


def test_claim_free_notifies_the_listener(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site, ratio=8, used=0)
    availability.refresh_sites(session, [site])
    now = lifecycle.now()
    reservation = ResourceReservation(
        id="r-1",
        state="active",
        expires_at=now + timedelta(hours=1),
        created_at=now,
        updated_at=now,
    )
    session.add(reservation)
    session.flush()
    lifecycle.claim_free(session, reservation, spec_id="splitterPort", count=3, site_id=site)
    assert rows(session, site)[("ftthAccess", None)].capacity_free == 5


def test_partner_coverage_capacity_minus_used(
    session: Session, make_site: Callable[..., str], publishing: None
) -> None:
    site = make_site()
    ident = coverage(session, site, 100, 40)
    row = rows(session, site)[("partnerCableAccess", CABLE_PARTNER)]
    assert (row.capacity_total, row.capacity_free, row.status) == (100, 60, "available")
    assert (row.coverage_type, row.delivery_mode, row.owner_key) == (
        "partnerCable",
        "partner",
        CABLE_PARTNER,
    )
    update_coverage(session, SYSTEM_SCOPE, ident, PartnerCoverageUpdate(used=100))
    row = rows(session, site)[("partnerCableAccess", CABLE_PARTNER)]
    assert (row.capacity_free, row.status) == (0, "exhausted")
    # used above capacity (a partner's report) still publishes 0 free, not negative
    update_coverage(session, SYSTEM_SCOPE, ident, PartnerCoverageUpdate(used=120))
    assert rows(session, site)[("partnerCableAccess", CABLE_PARTNER)].capacity_free == 0


def test_suspended_coverage_is_not_sellable(
    session: Session, make_site: Callable[..., str], publishing: None
) -> None:
    site = make_site()
    coverage(session, site, 100, 10, status="suspended")
    row = rows(session, site)[("partnerCableAccess", CABLE_PARTNER)]
    assert (row.capacity_free, row.status) == (0, "exhausted")


def test_future_coverage_is_planned(
    session: Session, make_site: Callable[..., str], publishing: None
) -> None:
    site = make_site()
    start = utcnow() + timedelta(days=30)
    coverage(session, site, 80, 0, validFrom=start.isoformat())
    row = rows(session, site)[("partnerCableAccess", CABLE_PARTNER)]
    assert (row.status, row.capacity_free) == ("planned", 0)


def test_expired_coverage_and_inactive_partners_publish_nothing(
    session: Session, make_site: Callable[..., str], publishing: None
) -> None:
    site, other = make_site(), make_site()
    past = utcnow() - timedelta(days=30)
    coverage(
        session,
        site,
        80,
        0,
        validFrom=(past - timedelta(days=30)).isoformat(),
        validTo=past.isoformat(),
    )
    assert rows(session, site) == {}
    data = PartnerCoverageCreate.model_validate(
        {"siteId": other, "partnerId": FIXED_PARTNER, "capacity": 50}
    )
    create_coverage(session, SYSTEM_SCOPE, data)
    assert ("partnerCableAccess", FIXED_PARTNER) in rows(session, other)
    partner = session.get(NetworkPartner, FIXED_PARTNER)
    assert partner is not None
    partner.status = "inactive"
    availability.refresh_sites(session, [other])
    assert rows(session, other) == {}
    deleted = events(session, availability.DELETE_EVENT)
    assert [e["siteId"] for e in deleted] == [other]


def test_mstp_node_capacity_publishes_leased_lines(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    from openboss.resource.demo import NetworkWriter

    site = make_site()
    net = build_ftth(site)
    w = NetworkWriter(session, lifecycle.now())
    node = w.add("mstpNode", "mstp", parent_id=net.room, site_id=site, capacity=4)
    w.flush()
    availability.refresh_sites(session, [site])
    row = rows(session, site)[("leasedLineAccess", None)]
    assert (row.capacity_total, row.capacity_free, row.status) == (4, 4, "available")
    session.execute(update(Resource).where(Resource.id == node).values(operational_state="disable"))
    availability.refresh_sites(session, [site])
    assert rows(session, site)[("leasedLineAccess", None)].status == "exhausted"


def test_refresh_all_covers_every_building(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    a, b = make_site(), make_site()
    build_ftth(a, used=1)
    data = PartnerCoverageCreate.model_validate(
        {"siteId": b, "partnerId": CABLE_PARTNER, "capacity": 10}
    )
    create_coverage(session, SYSTEM_SCOPE, data)
    session.execute(ResourceAvailability.__table__.delete())
    seen: list[tuple[int, int]] = []
    changed = availability.refresh_all(session, lambda d, t: seen.append((d, t)), batch=1)
    assert changed == 2
    assert seen == [(1, 2), (2, 2)]
    assert rows(session, a)[("ftthAccess", None)].capacity_free == 7
    assert rows(session, b)[("partnerCableAccess", CABLE_PARTNER)].capacity_free == 10
