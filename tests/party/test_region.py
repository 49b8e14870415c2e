"""Regions: the tree's rules, its API, and grants that admit the regions below them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.party.region import service, tree

API = "/api/party/v1/regions"
Headers = Callable[..., dict[str, str]]


def seed(session: Session) -> None:
    service.create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    service.create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    for code, name in (("330106", "西湖区"), ("330108", "滨江区")):
        service.create_region(session, id=code, parent_id="330100", level="district", name=name)
        service.create_region(
            session, id=f"{code}-G01", parent_id=code, level="grid", name=f"{name}一网格"
        )
    session.flush()


def test_levels_follow_the_parent(session: Session) -> None:
    seed(session)
    with pytest.raises(ValidationFailed, match="below a city comes a district") as err:
        service.create_region(session, id="330199", parent_id="330100", level="grid", name="x")
    assert err.value.field == "level"
    with pytest.raises(ValidationFailed, match="needs a parent"):
        service.create_region(session, id="339999", parent_id=None, level="city", name="x")
    with pytest.raises(ValidationFailed, match="unknown parent"):
        service.create_region(session, id="339998", parent_id="nope", level="city", name="x")
    with pytest.raises(ValidationFailed, match="grid cannot have child"):
        service.create_region(
            session, id="330106-G01-X", parent_id="330106-G01", level="grid", name="x"
        )
    with pytest.raises(Conflict):
        service.create_region(session, id="330106", parent_id="330100", level="district", name="x")
    with pytest.raises(ValidationFailed) as bad_id:
        service.create_region(session, id="a b", parent_id="330100", level="district", name="x")
    assert bad_id.value.field == "id"


def test_path_descendants_and_retirement(session: Session) -> None:
    seed(session)
    assert [r.id for r in service.region_path(session, "330106-G01")] == [
        "330000",
        "330100",
        "330106",
        "330106-G01",
    ]
    assert service.descendants(session, ["330106"]) == {"330106", "330106-G01"}
    assert len(service.descendants(session, ["330100"])) == 5
    with pytest.raises(Conflict, match="active child"):
        service.update_region(session, "330106", status="retired")
    service.update_region(session, "330106-G01", status="retired")
    with pytest.raises(ValidationFailed, match="retired"):
        service.require_region(session, "330106-G01")
    with pytest.raises(ValidationFailed, match="unknown region") as err:
        service.require_region(session, "nowhere", field="place.regionId")
    assert err.value.field == "place.regionId"
    with pytest.raises(NotFound):
        service.region_path(session, "nowhere")


def test_descendants_of_handles_cycles_and_unknown_ids() -> None:
    children = {"a": ["b"], "b": ["a", "c"]}
    assert tree.descendants_of(children, ["a"]) == {"a", "b", "c"}
    assert tree.descendants_of(children, ["zz"]) == {"zz"}


def test_api_reads_for_everyone_writes_for_admin(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    seed(session)
    session.commit()
    csr = auth_headers("csr")
    listed = client.get(API, params={"parentId": "330100"}, headers=csr)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == ["330106", "330108"]
    assert listed.json()[0] == {
        "id": "330106",
        "parentId": "330100",
        "level": "district",
        "name": "西湖区",
        "status": "active",
        "sortOrder": 0,
    }
    path = client.get(f"{API}/330106-G01/path", headers=csr).json()
    assert [r["level"] for r in path] == ["province", "city", "district", "grid"]
    assert client.get(f"{API}/nope", headers=csr).status_code == 404
    new = {"id": "330110", "parentId": "330100", "level": "district", "name": "余杭区"}
    assert client.post(API, json=new, headers=csr).status_code == 403
    admin = auth_headers("admin")
    created = client.post(API, json=new | {"nameEn": "Yuhang"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["nameEn"] == "Yuhang"
    again = client.post(API, json=new, headers=admin)
    assert again.status_code == 409
    bad = client.post(API, json=new | {"id": "330111", "level": "grid"}, headers=admin)
    assert bad.status_code == 400 and "district" in bad.json()["message"]
    retired = client.patch(f"{API}/330110", json={"status": "retired"}, headers=admin)
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert [r["id"] for r in client.get(API, params={"level": "district"}, headers=csr).json()] == [
        "330106",
        "330108",
    ]


def test_a_district_grant_admits_its_grids_and_nothing_else(
    client: TestClient, auth_headers: Headers, session: Session
) -> None:
    """Row scope through a real regional resource (the sample API's items)."""
    seed(session)
    session.commit()
    tree.invalidate()
    items = "/tmf-api/openbossSample/v4/sampleItem"
    admin = auth_headers("admin")
    in_grid = client.post(
        items, json={"name": "x", "quantity": 1, "regionId": "330106-G01"}, headers=admin
    ).json()
    elsewhere = client.post(
        items, json={"name": "y", "quantity": 1, "regionId": "330108-G01"}, headers=admin
    ).json()
    xihu = auth_headers("csr", regions=["330106"])
    assert client.get(f"{items}/{in_grid['id']}", headers=xihu).status_code == 200
    assert client.get(f"{items}/{elsewhere['id']}", headers=xihu).status_code == 404
    assert [i["id"] for i in client.get(items, headers=xihu).json()] == [in_grid["id"]]
    city = auth_headers("csr", regions=["330100"])
    assert len(client.get(items, headers=city).json()) == 2
    me = client.get("/auth/me", headers=xihu).json()
    assert sorted(me["regions"]) == ["330106", "330106-G01"]
