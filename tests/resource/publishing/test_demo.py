"""The resource demo: consistent with the tour, deterministic, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.kit.places import place_directory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.demo import load_party_demo
from openboss.resource.demo import CABLE_PARTNER, load_resource_demo
from openboss.resource.inventory.models import NetworkPartner, Resource, ResourceUsage
from openboss.resource.publishing.models import PartnerCoverage, ResourceAvailability
from openboss.resource.publishing.qualification import qualify

NET = "cfs-internet-access"


def _flat(session: Session, code: str) -> str:
    site = place_directory().site_by_code(session, SYSTEM_SCOPE, code)
    assert site is not None, code
    return place_directory().site_addresses(session, SYSTEM_SCOPE, site.id)[0].id


def test_demo_matches_the_tour(session: Session) -> None:
    load_party_demo(session, "http://testserver", customers=5)
    stages: set[str] = set()
    added = load_resource_demo(session, lambda stage, _d, _t: stages.add(stage))
    assert any("FTTH buildings" in a for a in added)
    assert stages == {"network", "availability"}

    (ftth,) = qualify(session, SYSTEM_SCOPE, _flat(session, "DEMO-B-FTTH"), [NET])
    assert (ftth.result, ftth.coverage_type, ftth.owner_partner_id) == (
        "qualified",
        "ownFtth",
        None,
    )
    assert ftth.capacity_free and ftth.capacity_free > 0
    (partner,) = qualify(session, SYSTEM_SCOPE, _flat(session, "DEMO-B-PARTNER"), [NET])
    assert (partner.result, partner.coverage_type, partner.owner_partner_id) == (
        "qualified",
        "partnerCable",
        CABLE_PARTNER,
    )
    none = qualify(session, SYSTEM_SCOPE, _flat(session, "DEMO-B-NONE"), [NET, "cfs-mobile"])
    assert [(r.result, r.reasons) for r in none] == [
        ("unqualified", ("noCoverage",)),
        ("qualified", ()),
    ]
    cable = session.get(NetworkPartner, CABLE_PARTNER)
    assert cable is not None
    assert (cable.kind, cable.default_terms, cable.revenue_share_percent) == (
        "cableTv",
        "revenueShare",
        30,
    )

    def count(stmt: object) -> int:
        return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]

    sites = count(
        select(func.count(func.distinct(Resource.site_id))).where(Resource.spec_id == "splitter")
    )
    covered = count(select(func.count()).select_from(PartnerCoverage))
    assert 70 <= sites <= 130, sites  # about half of ~200 buildings
    assert 50 <= covered <= 95, covered  # about 35 %
    statuses = set(session.scalars(select(ResourceAvailability.status)))
    assert {"available", "exhausted"} <= statuses
    legacy = count(
        select(func.count())
        .select_from(ResourceUsage)
        .where(ResourceUsage.service_id.like("legacy-%"))
    )
    allocated = count(select(func.count()).select_from(Resource).where(Resource.spec_id == "ont"))
    assert legacy == allocated > 0
    assert (
        count(select(func.count()).select_from(Resource).where(Resource.spec_id == "mstpNode")) > 0
    )

    # idempotent: a second run adds no network
    before = count(select(func.count()).select_from(Resource))
    again = load_resource_demo(session)
    assert not any("FTTH" in a for a in again)
    assert count(select(func.count()).select_from(Resource)) == before
