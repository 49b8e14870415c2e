"""The pools and stock API: each endpoint's happy path and its 400/403/404/409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

API = "/api/resource/v1"


@pytest.fixture
def admin(auth_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return auth_headers("admin")


def _post(client: TestClient, path: str, body: Any, headers: dict[str, str], status: int) -> Any:
    response = client.post(API + path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def test_ip_pools(
    client: TestClient, admin: dict[str, str], auth_headers: Callable[..., Any]
) -> None:
    pool = _post(
        client,
        "/ipPools",
        {"cidr": "100.64.0.0/24", "purpose": "dynamic", "regionId": "330106"},
        admin,
        201,
    )
    assert pool["capacity"] == 253 and pool["allocated"] == 0
    assert pool["href"].endswith(f"/tmf-api/resourceInventoryManagement/v4/resource/{pool['id']}")
    err = _post(client, "/ipPools", {"cidr": "100.64.0.128/25", "purpose": "dynamic"}, admin, 409)
    assert pool["id"] in err["message"]
    err = _post(client, "/ipPools", {"cidr": "100.64.0.1/24", "purpose": "dynamic"}, admin, 400)
    _post(client, "/ipPools", {"cidr": "10.0.0.0/8", "purpose": "party"}, admin, 400)
    _post(
        client,
        "/ipPools",
        {"cidr": "10.0.0.0/8", "purpose": "dynamic", "ownerPartnerId": "X"},
        admin,
        400,
    )
    alloc = _post(client, f"/ipPools/{pool['id']}/allocations", {"serviceId": "S-1"}, admin, 201)
    assert alloc["value"] == "100.64.0.2" and alloc["lifecycleStatus"] == "allocated"
    block = _post(
        client,
        f"/ipPools/{pool['id']}/allocations",
        {"kind": "block", "prefixLength": 30},
        admin,
        201,
    )
    assert block["value"] == "100.64.0.4/30"
    _post(client, f"/ipPools/{pool['id']}/allocations", {"value": "100.64.0.5"}, admin, 409)
    _post(client, f"/ipPools/{pool['id']}/allocations", {"kind": "block"}, admin, 400)
    _post(client, "/ipPools/nope/allocations", {}, admin, 404)
    listed = client.get(f"{API}/ipPools/{pool['id']}/allocations", headers=admin).json()
    assert listed["total"] == 2
    got = client.get(f"{API}/ipPools/{pool['id']}", headers=admin).json()
    assert got["allocated"] == 5
    released = _post(
        client, f"/ipPools/{pool['id']}/allocations/{alloc['id']}/release", None, admin, 200
    )
    assert released["lifecycleStatus"] == "available"
    _post(client, f"/ipPools/{pool['id']}/allocations/{alloc['id']}/release", None, admin, 409)
    # csr reads but may not allocate; another region does not see the pool
    csr = auth_headers("csr")
    assert client.get(f"{API}/ipPools", headers=csr).status_code == 200
    _post(client, f"/ipPools/{pool['id']}/allocations", {}, csr, 403)
    other = auth_headers("noc", regions=["330105"])
    assert client.get(f"{API}/ipPools/{pool['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/ipPools", headers=other).json() == []


def test_number_pools(
    client: TestClient, admin: dict[str, str], auth_headers: Callable[..., Any]
) -> None:
    body = {
        "name": "杭州 137571",
        "numberKind": "msisdn",
        "regionId": "330100",
        "rangeStart": "13757100000",
        "rangeEnd": "13757100999",
    }
    pool = _post(client, "/numberPools", body, admin, 201)
    assert pool["capacity"] == 1000 and pool["status"]["available"] == 1000
    _post(client, "/numberPools", body, admin, 409)
    _post(client, "/numberPools", {**body, "name": "x", "rangeEnd": "1375710"}, admin, 400)
    _post(client, "/numberPools", {**body, "name": "y", "numberKind": "sat"}, admin, 400)
    pid = pool["id"]
    added = _post(
        client,
        f"/numberPools/{pid}/numbers",
        {"rangeStart": "13757101000", "rangeEnd": "13757101009"},
        admin,
        201,
    )
    assert added == {"added": 10, "capacity": 1010}
    _post(
        client,
        f"/numberPools/{pid}/numbers",
        {"rangeStart": "13757101000", "rangeEnd": "13757101000"},
        admin,
        409,
    )
    found = client.get(
        f"{API}/numberPools/{pid}/numbers", params={"pattern": "*8888"}, headers=admin
    )
    assert found.json()["total"] == 0
    found = client.get(
        f"{API}/numberPools/{pid}/numbers", params={"pattern": "*888"}, headers=admin
    )
    item = found.json()["items"][0]
    assert item["value"] == "13757100888" and item["grade"] == "gold"
    assert item["characteristics"]["gradeFee"] == 1000
    bad = client.get(f"{API}/numberPools/{pid}/numbers", params={"pattern": "abc"}, headers=admin)
    assert bad.status_code == 400
    assert client.get(f"{API}/numberPools/nope/numbers", headers=admin).status_code == 404
    csr = auth_headers("csr")
    res = _post(client, f"/numbers/{item['id']}/reserve", {"customerId": "C-1"}, csr, 201)
    assert res["state"] == "active" and res["resources"][0]["lifecycleStatus"] == "reserved"
    _post(client, f"/numbers/{item['id']}/reserve", {}, csr, 409)
    _post(client, "/numbers/nope/reserve", {}, csr, 404)
    _post(client, f"/numbers/{item['id']}/reserve", {"holdMinutes": 0}, csr, 400)
    nxt = _post(client, f"/numberPools/{pid}/reserve", {"grade": "golden", "count": 2}, csr, 201)
    assert [r["grade"] for r in nxt["resources"]] == ["golden", "golden"]
    _post(client, f"/numberPools/{pid}/reserve", {"grade": "golden", "count": 100}, csr, 409)
    status = client.get(f"{API}/numberPools/{pid}/status", headers=csr).json()
    assert status["byStatus"]["reserved"] == 3
    _post(client, f"/numberPools/{pid}/reserve", {}, auth_headers("dispatcher"), 403)


def test_warehouses_and_cpe(
    client: TestClient, admin: dict[str, str], auth_headers: Callable[..., Any]
) -> None:
    house = _post(
        client,
        "/warehouses",
        {"code": "WH-XH", "name": "西湖仓", "regionId": "330106", "lowStockThreshold": 2},
        admin,
        201,
    )
    _post(client, "/warehouses", {"code": "WH-XH", "name": "again"}, admin, 409)
    _post(client, "/warehouses", {"code": "WH-2", "name": "x", "siteId": "nowhere"}, admin, 400)
    hid = house["id"]
    got = _post(
        client,
        f"/warehouses/{hid}/stock",
        {"model": "HG8245H", "kind": "ont", "serials": ["ONT1", "ONT2"]},
        admin,
        201,
    )
    assert got == {"received": 2}
    err = _post(
        client,
        f"/warehouses/{hid}/stock",
        {"model": "HG8245H", "kind": "ont", "serials": ["ONT3", "ONT2"]},
        admin,
        409,
    )
    assert "ONT2" in err["message"]
    _post(
        client,
        f"/warehouses/{hid}/stock",
        {"model": "M", "kind": "tv", "serials": ["Z1"]},
        admin,
        400,
    )
    _post(
        client,
        "/warehouses/nope/stock",
        {"model": "M", "kind": "ont", "serials": ["Z12"]},
        admin,
        404,
    )
    levels = client.get(f"{API}/warehouses/{hid}/stock", headers=admin).json()
    assert levels[0]["available"] == 2 and levels[0]["low"] is False
    dispatcher = auth_headers("dispatcher")
    cpe = _post(
        client, f"/warehouses/{hid}/issue", {"kind": "ont", "orderId": "PO-1"}, dispatcher, 201
    )
    assert cpe["lifecycleStatus"] == "allocated"
    _post(client, f"/warehouses/{hid}/issue", {"kind": "router"}, dispatcher, 409)
    levels = client.get(f"{API}/warehouses/{hid}/stock", headers=admin).json()
    assert levels[0]["available"] == 1 and levels[0]["low"] is True
    back = _post(client, f"/cpe/{cpe['id']}/recover", {"faulty": True}, dispatcher, 200)
    assert back["lifecycleStatus"] == "retired"
    _post(client, f"/cpe/{cpe['id']}/recover", {}, dispatcher, 409)
    _post(client, "/cpe/nope/recover", {}, dispatcher, 404)
    _post(client, f"/warehouses/{hid}/issue", {"kind": "ont"}, auth_headers("csr"), 403)
    listed = client.get(f"{API}/warehouses", headers=admin).json()
    assert [w["value"] for w in listed] == ["WH-XH"]


def test_utilisation(client: TestClient, admin: dict[str, str]) -> None:
    _post(
        client,
        "/ipPools",
        {"cidr": "100.64.0.0/24", "purpose": "dynamic", "regionId": "330106"},
        admin,
        201,
    )
    got = client.get(
        f"{API}/utilisation", params={"level": "pool", "regionId": "330100"}, headers=admin
    )
    assert got.status_code == 200
    assert [i["total"] for i in got.json()["items"]] == [253]
    other = client.get(
        f"{API}/utilisation", params={"level": "pool", "regionId": "330105"}, headers=admin
    )
    assert other.json()["items"] == []
    for level in ("olt", "ponPort", "building", "warehouse"):
        assert (
            client.get(f"{API}/utilisation", params={"level": level}, headers=admin).status_code
            == 200
        )
    bad = client.get(f"{API}/utilisation", params={"level": "moon"}, headers=admin)
    assert bad.status_code == 400 and "level" in bad.text
    assert client.get(f"{API}/utilisation").status_code == 401
