"""searchTimeSlot: which slots are offered and with what capacity — skill,
level, region, weekday, leave, company, workload and travel (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.workforce.appointments.conftest import (
    GONGSHU,
    MERGE,
    ORDERS,
    SEARCH,
    World,
    next_weekday,
    order_body,
    search_body,
    slot,
)

Headers = Callable[..., dict[str, str]]


def _search(client: TestClient, h: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(SEARCH, json=body, headers=h)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _caps(result: dict[str, Any]) -> dict[str, int]:
    """Local start hour → capacity of the offered slots."""
    out = {}
    for s in result.get("availableTimeSlot", []):
        hour = (int(s["validFor"]["startDateTime"][11:13]) + 8) % 24
        out[f"{hour:02d}"] = s["capacity"]
    return out


def test_slots_offered_with_capacity_and_stored(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    world.tech()
    world.tech()
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    result = _search(client, h, search_body(world, day))
    assert result["searchResult"] == "success"
    assert _caps(result) == {"09": 2, "11": 2, "14": 2, "16": 2}
    assert result["relatedPlace"]["@referredType"] == "GeographicAddress"
    got = client.get(f"{SEARCH}/{result['id']}", headers=h)
    assert got.status_code == 200
    assert got.json()["availableTimeSlot"] == result["availableTimeSlot"]
    assert client.get(f"{SEARCH}/nope", headers=h).status_code == 404


def test_skill_level_region_status_and_company(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    world.tech(level=2)  # too junior
    world.tech(skill="survey")  # wrong skill
    world.tech(areas=[GONGSHU])  # does not serve the address's grid
    world.tech(status="inactive")
    world.tech(partner="PARTNER-1")  # a partner's crew, not the operator's
    result = _search(client, h, search_body(world, day))
    assert result["searchResult"] == "fail"
    assert result.get("availableTimeSlot", []) == []
    assert "ftthInstall" in result["reason"]
    # the partner's own search finds its technician
    p1 = _search(client, h, search_body(world, day, partnerId="PARTNER-1"))
    assert _caps(p1) == {"09": 1, "11": 1, "14": 1, "16": 1}
    # level 2 is enough when asked for level 2
    low = _search(
        client, h, search_body(world, day, requiredSkill={"skill": "ftthInstall", "minLevel": 2})
    )
    assert _caps(low) == {"09": 1, "11": 1, "14": 1, "16": 1}


def test_grid_served_by_its_district_and_by_itself(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    world.tech(areas=["330106-G01"])
    world.tech(areas=["330100"])  # the city covers every district
    result = _search(client, auth_headers("csr"), search_body(world, next_weekday(1)))
    assert _caps(result)["09"] == 2


def test_weekday_and_leave(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    weekday_tech = world.tech()
    world.tech(work_days=[5, 6])  # weekends only
    wed, sun = next_weekday(2), next_weekday(6)
    assert _caps(_search(client, h, search_body(world, wed))) == dict.fromkeys(
        ("09", "11", "14", "16"), 1
    )
    assert _caps(_search(client, h, search_body(world, sun))) == dict.fromkeys(
        ("09", "11", "14", "16"), 1
    )
    r = client.post(
        f"/api/workforce/v1/technician/{weekday_tech}/leave",
        json={"startDate": str(wed), "endDate": str(wed), "reason": "年假"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    result = _search(client, h, search_body(world, wed))
    assert result["searchResult"] == "fail"


def test_assigned_work_order_is_workload(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    tech = world.tech()
    day = next_weekday(3)
    r = client.post(
        ORDERS,
        json=order_body(world, timeWindow=slot(day, 9), assignee={"id": tech}),
        headers=h,
    )
    assert r.status_code == 201, r.text
    caps = _caps(_search(client, h, search_body(world, day)))
    assert caps == {"11": 1, "14": 1, "16": 1}
    # a cancelled order frees the slot again
    r = client.patch(
        f"{ORDERS}/{r.json()['id']}", json={"state": "cancelled"}, headers={**h, **MERGE}
    )
    assert r.status_code == 200, r.text
    assert "09" in _caps(_search(client, h, search_body(world, day)))


def test_travel_from_a_far_home_base(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    # ~45 km away: 45/25 h + 10 min ≈ 118 min; leaving at 08:30 arrives ≈ 10:28,
    # a 60-minute job does not end by 11:00 — but a 30-minute one does
    world.tech(home=(30.69, 120.12))
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    assert _caps(_search(client, h, search_body(world, day))) == {"11": 1, "14": 1, "16": 1}
    short = _search(client, h, search_body(world, day, duration=30))
    assert _caps(short) == {"09": 1, "11": 1, "14": 1, "16": 1}


def test_travel_between_jobs(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    tech = world.tech()
    day = next_weekday(2)
    # a 100-minute job 11:00–12:40 in another building ~5 km away (≈ 22 min):
    # a 100-minute visit 09:00–10:40 here leaves 20 minutes to get there — too
    # short; 11–13 is taken; 14–16 fits; 16–18 would end after the shift (17:30)
    r = client.post(
        ORDERS,
        json=order_body(
            world,
            place={"id": world.far_address_id},
            timeWindow={"startDateTime": slot(day, 11)["startDateTime"]},
            estimatedDuration=100,
            assignee={"id": tech},
        ),
        headers=h,
    )
    assert r.status_code == 201, r.text
    caps = _caps(_search(client, h, search_body(world, day, duration=100)))
    assert caps == {"14": 1}
    # a 60-minute visit 09:00–10:00 leaves time to travel; 16–17 ends before 17:30
    assert _caps(_search(client, h, search_body(world, day))) == {"09": 1, "14": 1, "16": 1}


def test_search_bad_requests(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    cases = [
        (search_body(world, day, requiredSkill={"skill": "juggling"}), "requiredSkill.skill"),
        (search_body(world, day, relatedPlace={"id": "missing"}), "relatedPlace.id"),
        (search_body(world, day, relatedPlace=None), "relatedPlace"),
        (search_body(world, day, requiredSkill=None), "requiredSkill"),
        (
            search_body(
                world,
                day,
                requestedTimeSlot=[
                    {
                        "validFor": {
                            "startDateTime": "2030-01-01T00:00:00Z",
                            "endDateTime": "2030-03-01T00:00:00Z",
                        }
                    }
                ],
            ),
            "requestedTimeSlot",
        ),
        (
            search_body(
                world,
                day,
                relatedEntity=[{"id": "nope", "role": "workOrder", "@referredType": "WorkOrder"}],
            ),
            "relatedEntity.id",
        ),
    ]
    for body, field in cases:
        r = client.post(SEARCH, json=body, headers=h)
        assert r.status_code == 400, (field, r.text)
        assert field in r.text, (field, r.text)
    assert (
        client.post(SEARCH, json=search_body(world, day), headers=auth_headers("noc")).status_code
        == 403
    )


def test_search_from_a_work_order_takes_its_needs(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    world.tech(skill="ftthRepair")
    r = client.post(
        ORDERS,
        json=order_body(
            world, workOrderKind="repair", requiredSkill=[{"skill": "ftthRepair", "minLevel": 2}]
        ),
        headers=h,
    )
    order = r.json()["id"]
    body = {
        "requestedTimeSlot": [
            {"validFor": search_body(world, next_weekday(2))["requestedTimeSlot"][0]["validFor"]}
        ],
        "relatedEntity": [{"id": order, "role": "workOrder", "@referredType": "WorkOrder"}],
    }
    result = _search(client, h, body)
    assert result["requiredSkill"] == {"skill": "ftthRepair", "minLevel": 2}
    assert result["relatedPlace"]["id"] == world.address_id
    assert _caps(result)["09"] == 1
