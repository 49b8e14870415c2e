"""Staff API (/api/workforce/v1): partner companies, skills, technicians,
leave and teams — CRUD, validation and scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.workforce.orders.conftest import STAFF, World

Headers = Callable[..., dict[str, str]]


def test_partner_companies(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("manager")
    body = {
        "id": "PARTNER-3",
        "name": "Fixed Co",
        "localizedName": {"zh-CN": "固网公司"},
        "kind": "fixedLine",
        "slaTerms": {"installHours": 48},
    }
    r = client.post(f"{STAFF}/partnerCompany", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active"
    assert client.post(f"{STAFF}/partnerCompany", json=body, headers=h).status_code == 409
    bad = client.post(f"{STAFF}/partnerCompany", json={**body, "id": "P4", "kind": "x"}, headers=h)
    assert bad.status_code == 400 and "kind" in bad.text
    r = client.patch(f"{STAFF}/partnerCompany/PARTNER-3", json={"status": "inactive"}, headers=h)
    assert r.json()["status"] == "inactive"
    r = client.patch(f"{STAFF}/partnerCompany/PARTNER-3", json={"name": None}, headers=h)
    assert r.status_code == 400 and "name" in r.text
    assert client.get(f"{STAFF}/partnerCompany/NOPE", headers=h).status_code == 404
    # a partner sees only its own company
    p1 = auth_headers("partner", partner_id="PARTNER-1")
    assert [p["id"] for p in client.get(f"{STAFF}/partnerCompany", headers=p1).json()] == [
        "PARTNER-1"
    ]
    assert client.get(f"{STAFF}/partnerCompany/PARTNER-2", headers=p1).status_code == 404
    assert client.post(f"{STAFF}/partnerCompany", json=body, headers=p1).status_code == 403


def test_skills(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("admin")
    r = client.post(f"{STAFF}/skill", json={"id": "gponCommission", "name": "GPON"}, headers=h)
    assert r.status_code == 201
    again = client.post(f"{STAFF}/skill", json={"id": "gponCommission", "name": "x"}, headers=h)
    assert again.status_code == 409
    assert (
        client.post(f"{STAFF}/skill", json={"id": "9bad", "name": "x"}, headers=h).status_code
        == 400
    )
    assert "gponCommission" in [s["id"] for s in client.get(f"{STAFF}/skill", headers=h).json()]
    assert client.patch(f"{STAFF}/skill/none", json={"name": "x"}, headers=h).status_code == 404


def test_technicians(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    body = {
        "employeeNo": "E100",
        "name": "王师傅",
        "regionId": "330105",
        "serviceAreas": ["330105", "330106-G01"],
        "homeLat": 30.31,
        "homeLon": 120.15,
        "skills": [{"skill": "ftthInstall", "level": 3}],
        "calendar": {"workDays": [5, 0, 1], "shiftStart": "09:00", "shiftEnd": "18:00"},
    }
    r = client.post(f"{STAFF}/technician", json=body, headers=h)
    assert r.status_code == 201, r.text
    tech = r.json()
    assert tech["calendar"]["workDays"] == [0, 1, 5]
    assert tech["skills"] == [{"skill": "ftthInstall", "level": 3}]
    assert client.post(f"{STAFF}/technician", json=body, headers=h).status_code == 409
    cases = {
        "skills[0].skill": {**body, "employeeNo": "E101", "skills": [{"skill": "x", "level": 1}]},
        "level": {**body, "employeeNo": "E102", "skills": [{"skill": "survey", "level": 6}]},
        "partnerId": {**body, "employeeNo": "E103", "partnerId": "PARTNER-9"},
        "homeLat": {**body, "employeeNo": "E104", "homeLat": 91},
        "calendar": {
            **body,
            "employeeNo": "E105",
            "calendar": {"workDays": [0], "shiftStart": "18:00", "shiftEnd": "09:00"},
        },
    }
    for field, bad in cases.items():
        r = client.post(f"{STAFF}/technician", json=bad, headers=h)
        assert r.status_code == 400, (field, r.text)
        assert field in r.text, (field, r.text)
    dup_user = {**body, "employeeNo": "E106", "username": "tech1"}
    r = client.post(f"{STAFF}/technician", json=dup_user, headers=h)
    assert r.status_code == 409 and "username" in r.text
    r = client.patch(
        f"{STAFF}/technician/{tech['id']}",
        json={"skills": [{"skill": "survey", "level": 5}], "status": "inactive"},
        headers=h,
    )
    assert r.status_code == 200
    assert r.json()["skills"] == [{"skill": "survey", "level": 5}]
    assert r.json()["status"] == "inactive"
    listed = client.get(f"{STAFF}/technician", params={"skill": "survey"}, headers=h).json()
    assert tech["id"] in [t["id"] for t in listed]
    assert client.get(f"{STAFF}/technician/nope", headers=h).status_code == 404
    assert (
        client.post(f"{STAFF}/technician", json=body, headers=auth_headers("csr")).status_code
        == 403
    )


def test_partner_staff_is_scoped(client: TestClient, auth_headers: Headers, world: World) -> None:
    p1 = auth_headers("partner", partner_id="PARTNER-1")
    ids = [t["id"] for t in client.get(f"{STAFF}/technician", headers=p1).json()]
    assert ids == [world.p1_tech]
    assert client.get(f"{STAFF}/technician/{world.p2_tech}", headers=p1).status_code == 404
    regional = auth_headers("dispatcher", regions=["330105"])
    assert client.get(f"{STAFF}/technician", headers=regional).json() == []


def test_leave_overlap_is_409(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    url = f"{STAFF}/technician/{world.own_tech}/leave"
    r = client.post(url, json={"startDate": "2030-05-01", "endDate": "2030-05-05"}, headers=h)
    assert r.status_code == 201
    leave_id = r.json()["id"]
    r = client.post(url, json={"startDate": "2030-05-05", "endDate": "2030-05-07"}, headers=h)
    assert r.status_code == 409 and "overlaps" in r.text
    r = client.post(url, json={"startDate": "2030-05-09", "endDate": "2030-05-08"}, headers=h)
    assert r.status_code == 400
    ok = client.post(url, json={"startDate": "2030-05-06", "endDate": "2030-05-07"}, headers=h)
    assert ok.status_code == 201
    assert len(client.get(url, headers=h).json()) == 2
    assert client.delete(f"{url}/{leave_id}", headers=h).status_code == 204
    assert client.delete(f"{url}/{leave_id}", headers=h).status_code == 404
    missing = f"{STAFF}/technician/nope/leave"
    assert (
        client.post(
            missing, json={"startDate": "2030-01-01", "endDate": "2030-01-01"}, headers=h
        ).status_code
        == 404
    )


def test_teams(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("manager")
    body = {
        "name": "西湖一班",
        "leaderId": world.own_tech,
        "members": [world.own_tech, world.own_novice],
        "regionId": "330106",
    }
    r = client.post(f"{STAFF}/team", json=body, headers=h)
    assert r.status_code == 201, r.text
    team = r.json()
    assert sorted(team["members"]) == sorted([world.own_tech, world.own_novice])
    mixed = {**body, "members": [world.own_tech, world.p1_tech]}
    r = client.post(f"{STAFF}/team", json=mixed, headers=h)
    assert r.status_code == 400 and "members[1]" in r.text
    r = client.post(f"{STAFF}/team", json={**body, "leaderId": world.p1_tech}, headers=h)
    assert r.status_code == 400 and "leaderId" in r.text
    r = client.patch(f"{STAFF}/team/{team['id']}", json={"members": [world.own_novice]}, headers=h)
    assert r.status_code == 400 and "leaderId" in r.text  # the leader would leave
    r = client.patch(
        f"{STAFF}/team/{team['id']}",
        json={"members": [world.own_novice], "leaderId": world.own_novice},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["members"] == [world.own_novice]
    assert client.get(f"{STAFF}/team/nope", headers=h).status_code == 404
