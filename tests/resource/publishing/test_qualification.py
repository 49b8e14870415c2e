"""qualify(): what can be delivered at an address, how, and why not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.demo import CABLE_PARTNER
from openboss.resource.inventory import lifecycle
from openboss.resource.publishing import availability
from openboss.resource.publishing.coverage import create_coverage
from openboss.resource.publishing.qualification import overall_result, qualify
from openboss.resource.publishing.schemas import PartnerCoverageCreate

from .conftest import Ftth

NET = "cfs-internet-access"


def cover(session: Session, site: str, capacity: int, used: int) -> None:
    data = PartnerCoverageCreate.model_validate(
        {"siteId": site, "partnerId": CABLE_PARTNER, "capacity": capacity, "used": used}
    )
    create_coverage(session, SYSTEM_SCOPE, data)


def test_own_ftth_is_preferred_over_partner_cable(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    site = make_site()
    build_ftth(site, used=2)
    cover(session, site, 100, 0)
    availability.refresh_sites(session, [site])
    flat = make_flat(site)
    (r,) = qualify(session, SYSTEM_SCOPE, flat, [NET])
    assert (r.result, r.coverage_type, r.delivery_mode, r.owner_partner_id) == (
        "qualified",
        "ownFtth",
        "ownConstruction",
        None,
    )
    assert (r.capacity_free, r.business_type_id, r.site_id) == (6, "ftthAccess", site)
    assert r.expected_date is not None
    assert r.expected_date.date() == (lifecycle.now() + timedelta(days=2)).date()


def test_partner_cable_when_own_network_is_full(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    site = make_site()
    build_ftth(site, used=8)
    cover(session, site, 100, 10)
    availability.refresh_sites(session, [site])
    (r,) = qualify(session, SYSTEM_SCOPE, make_flat(site), [NET])
    assert (r.result, r.coverage_type, r.delivery_mode, r.owner_partner_id) == (
        "qualified",
        "partnerCable",
        "partner",
        CABLE_PARTNER,
    )


def test_reasons_when_not_deliverable(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    full_own, full_partner, both_full, nothing = (make_site() for _ in range(4))
    build_ftth(full_own, used=8)
    cover(session, full_partner, 50, 50)
    build_ftth(both_full, used=8)
    cover(session, both_full, 50, 60)
    availability.refresh_sites(session, [full_own, full_partner, both_full, nothing])

    flats = {s: make_flat(s) for s in (full_own, full_partner, both_full, nothing)}

    def reasons(site: str, spec: str = NET) -> tuple[str, tuple[str, ...]]:
        (r,) = qualify(session, SYSTEM_SCOPE, flats[site], [spec])
        return r.result, r.reasons

    assert reasons(full_own) == ("unqualified", ("noFreePort",))
    assert reasons(full_partner) == ("unqualified", ("partnerCapacityExhausted",))
    assert reasons(both_full) == ("unqualified", ("noFreePort", "partnerCapacityExhausted"))
    assert reasons(nothing) == ("unqualified", ("noCoverage",))
    assert reasons(nothing, "cfs-teleportation") == ("unqualified", ("unknownService",))
    # fixed voice is FTTH only: a partner-only building cannot have it
    assert reasons(full_partner, "cfs-fixed-voice") == ("unqualified", ("noCoverage",))


def test_mobile_everywhere_and_every_service_by_default(
    session: Session, make_site: Callable[..., str], make_flat: Callable[..., str], publishing: None
) -> None:
    results = qualify(session, SYSTEM_SCOPE, make_flat(make_site()))
    by_spec = {r.service_spec_id: r for r in results}
    assert set(by_spec) >= {NET, "cfs-iptv", "cfs-mobile", "cfs-leased-line", "cfs-static-ip"}
    mobile = by_spec["cfs-mobile"]
    assert (mobile.result, mobile.delivery_mode, mobile.coverage_type) == (
        "qualified",
        "instant",
        "mobile",
    )
    assert by_spec[NET].result == "unqualified"


def test_planned_network_is_an_alternate_with_its_date(
    session: Session,
    make_site: Callable[..., str],
    make_flat: Callable[..., str],
    build_ftth: Callable[..., Ftth],
) -> None:
    site = make_site()
    start = lifecycle.now() + timedelta(days=10)
    build_ftth(site, splitter_status="planned", port_status="planned", start=start)
    availability.refresh_sites(session, [site])
    (r,) = qualify(session, SYSTEM_SCOPE, make_flat(site), [NET])
    assert r.result == "alternate"
    assert r.expected_date is not None
    assert r.expected_date.date() == (start + timedelta(days=2)).date()


def test_the_building_itself_qualifies_and_unknown_addresses_are_refused(
    session: Session, make_site: Callable[..., str], build_ftth: Callable[..., Ftth]
) -> None:
    site = make_site()
    build_ftth(site)
    availability.refresh_sites(session, [site])
    from openboss.kit.places import place_directory

    addresses = place_directory().site_addresses(session, SYSTEM_SCOPE, site)
    assert addresses, "a building has its own address"
    (r,) = qualify(session, SYSTEM_SCOPE, addresses[0].id, [NET])
    assert r.result == "qualified"
    with pytest.raises(ValidationFailed) as err:
        qualify(session, SYSTEM_SCOPE, "no-such-address", [NET], field="item.place")
    assert err.value.field == "item.place"
    # an address outside the caller's regions does not exist for them
    with pytest.raises(ValidationFailed):
        qualify(session, Scope(regions=frozenset({"330105"})), addresses[0].id, [NET])


def test_overall_result() -> None:
    q, a, u = ({"qualificationResult": x} for x in ("qualified", "alternate", "unqualified"))
    assert overall_result([q, q]) == "qualified"
    assert overall_result([q, a]) == "alternate"
    assert overall_result([a, u, q]) == "unqualified"
