"""Utilisation aggregates: pools, warehouses, OLTs, PON ports, buildings, regions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from openboss.kit.errors import ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.resource.inventory.models import Resource
from openboss.resource.pools import ip, numbers, stock, utilisation

S = SYSTEM_SCOPE


@pytest.fixture
def network(
    make_resource: Callable[..., Resource], make_site: Callable[..., str]
) -> dict[str, str]:
    """OLT-1 (Xihu): card → 2 PON ports (one in use); port 1 → 1:8 splitter with
    3 used ports, one of which feeds a cascaded 1:4 splitter with 1 used port.
    OLT-2 (Gongshu): one idle PON port."""
    site = make_site("1幢")
    olt = make_resource("olt", "OLT-1")
    card = make_resource("oltCard", "card 1", parent=olt)
    pon1 = make_resource("ponPort", "1/1/1", parent=card, status="allocated")
    make_resource("ponPort", "1/1/2", parent=card)
    s1 = make_resource("splitter", "S1", parent=pon1, site_id=site)
    ports = [
        make_resource(
            "splitterPort",
            f"S1-{i}",
            parent=s1,
            site_id=site,
            status="allocated" if i < 3 else "available",
        )
        for i in range(8)
    ]
    s2 = make_resource("splitter", "S2", parent=ports[0], site_id=site)
    for i in range(4):
        make_resource(
            "splitterPort",
            f"S2-{i}",
            parent=s2,
            site_id=site,
            status="allocated" if i == 0 else "available",
        )
    make_resource("splitterPort", "S2-x", parent=s2, site_id=site, status="retired")
    olt2 = make_resource("olt", "OLT-2", region_id="330105")
    card2 = make_resource("oltCard", "card 1", parent=olt2, region_id="330105")
    make_resource("ponPort", "1/1/1", parent=card2, region_id="330105")
    return {"olt": olt.id, "olt2": olt2.id, "pon1": pon1.id, "site": site}


def test_per_olt(session: Session, network: dict[str, str]) -> None:
    rows = {r.id: r.as_dict() for r in utilisation.olts(session, S)}
    one = rows[network["olt"]]
    assert (one["ponPortsUsed"], one["ponPortsTotal"]) == (1, 2)
    assert (one["splitterPortsUsed"], one["splitterPortsTotal"]) == (4, 12)
    assert one["percent"] == round(100 * 4 / 12, 1)
    two = rows[network["olt2"]]
    assert (two["ponPortsUsed"], two["ponPortsTotal"], two["splitterPortsTotal"]) == (0, 1, 0)


def test_per_pon_port_and_building(session: Session, network: dict[str, str]) -> None:
    pons = {r.id: r for r in utilisation.pon_ports(session, S)}
    assert (pons[network["pon1"]].used, pons[network["pon1"]].total) == (4, 12)
    (building,) = utilisation.buildings(session, S)
    assert building.id == network["site"] and "1幢" in building.name
    assert building.by_status["allocated"] == 4 and building.by_status["retired"] == 1
    assert (building.used, building.total) == (4, 12)


def test_region_filter_follows_codes(session: Session, network: dict[str, str]) -> None:
    assert {r.id for r in utilisation.olts(session, S, "330105")} == {network["olt2"]}
    assert {r.id for r in utilisation.olts(session, S, "330100")} == {
        network["olt"],
        network["olt2"],
    }
    scoped = Scope(regions=frozenset({"330106"}))
    assert {r.id for r in utilisation.olts(session, scoped)} == {network["olt"]}
    assert utilisation.region_prefix("330000") == "33"
    assert utilisation.region_prefix("330106-G01") == "330106-G01"


def test_pools_and_warehouses(session: Session, specs: None) -> None:
    v4 = ip.create_pool(session, S, cidr="61.164.10.0/24", purpose="staticBusiness")
    ip.allocate(session, S, v4.id, kind="block", prefix_length=29)
    ip.allocate(session, S, v4.id, value="61.164.10.100")
    v6 = ip.create_pool(session, S, cidr="2408:8256::/40", purpose="dynamic")
    ip.allocate(session, S, v6.id, kind="block")
    pool = numbers.create_pool(
        session, S, name="p", kind="msisdn", range_start="13757100000", range_end="13757100009"
    )
    numbers.reserve_next(session, S, pool.id)
    rows = {r.id: r for r in utilisation.utilisation(session, S, "pool")}
    assert (rows[v4.id].used, rows[v4.id].total) == (9, 254)
    assert (rows[v6.id].used, rows[v6.id].total) == (1, 65536)
    assert (rows[pool.id].used, rows[pool.id].total) == (1, 10)
    house = stock.create_warehouse(session, S, code="W", name="W", region_id="330106")
    stock.receive(session, S, house.id, model="M", kind="ont", serials=["S0001", "S0002"])
    stock.issue(session, S, house.id, kind="ont")
    (w,) = utilisation.utilisation(session, S, "warehouse")
    assert (w.used, w.total) == (1, 2)


def test_unknown_level_is_400(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        utilisation.utilisation(session, S, "galaxy")
    assert err.value.field == "level"
