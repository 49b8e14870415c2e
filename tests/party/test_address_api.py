"""Sites (TMF674-style) and addresses (TMF673) through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.party.address.models import GeographicAddress, GeographicSite
from openboss.party.region.service import create_region

SITES = "/tmf-api/geographicSiteManagement/v4/geographicSite"
ADDRESSES = "/tmf-api/geographicAddressManagement/v4/geographicAddress"
VALIDATIONS = "/tmf-api/geographicAddressManagement/v4/geographicAddressValidation"
MERGE = {"Content-Type": "application/merge-patch+json"}

Headers = Callable[..., dict[str, str]]

#: 西湖区 (district A) with a grid, and 拱墅区 (district B)
XIHU, GRID, GONGSHU = "330106", "330106-G01", "330105"


@pytest.fixture(autouse=True)
def regions(session: Session) -> None:
    create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    create_region(session, id=XIHU, parent_id="330100", level="district", name="西湖区")
    create_region(session, id=GRID, parent_id=XIHU, level="grid", name="翠苑网格")
    create_region(session, id=GONGSHU, parent_id="330100", level="district", name="拱墅区")
    session.commit()


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("admin")


def site_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "street": "西溪街道",
        "streetName": "文三路",
        "streetNr": "90号",
        "compound": "翠苑一区",
        "buildingName": "3幢",
        "postcode": "310012",
        "latitude": 30.2789,
        "longitude": 120.1315,
        "regionId": GRID,
    }
    body.update(overrides)
    return body


def create_site(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    r = client.post(SITES, json=site_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def create_address(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post(ADDRESSES, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(GeographicSite)) or 0,
        session.scalar(select(func.count()).select_from(GeographicAddress)) or 0,
        session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
    )


# --------------------------------------------------------------------------- sites


def test_create_site_fills_the_region_parts_and_its_own_address(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    r = client.post(SITES, json=site_body(), headers=admin)
    assert r.status_code == 201, r.text
    site = r.json()
    assert r.headers["Location"] == f"http://testserver{SITES}/{site['id']}"
    assert site["href"] == r.headers["Location"]
    assert site["@type"] == "GeographicSite"
    assert site["name"] == "翠苑一区 3幢"
    assert site["status"] == "active"
    # province, city and district come from the region's path
    assert (site["stateOrProvince"], site["city"], site["locality"]) == (
        "浙江省",
        "杭州市",
        "西湖区",
    )
    assert site["regionId"] == GRID
    assert site["latitude"] == pytest.approx(30.2789)
    [place] = site["place"]
    assert place["@referredType"] == "GeographicAddress"
    own = client.get(f"{ADDRESSES}/{place['id']}", headers=admin).json()
    assert own["siteId"] == site["id"]
    assert own["country"] == "CN"
    assert own["streetName"] == "文三路" and own["streetNr"] == "90号"
    assert own["geographicLocation"] == {
        "id": site["id"],
        "@type": "GeoJsonPoint",
        "geoJson": {"type": "Point", "coordinates": [120.1315, 30.2789]},
    }
    assert own["geographicSubAddress"][0]["buildingName"] == "3幢"
    events = [e for (e,) in session.execute(select(OutboxEvent.event_type))]
    assert sorted(events) == ["GeographicAddressCreateEvent", "GeographicSiteCreateEvent"]


@pytest.mark.parametrize(
    "spelling",
    [
        {"buildingName": "三幢"},
        {"buildingName": "3栋", "streetNr": "九十号"},
        {"buildingName": "３号楼", "streetName": "文三路 "},
        {"buildingName": "3", "compound": "翠苑1区", "streetNr": "９０"},
        {"buildingName": "3#", "compound": None},
    ],
)
def test_the_same_building_twice_is_409_naming_it_and_writes_nothing(
    client: TestClient, admin: dict[str, str], session: Session, spelling: dict[str, Any]
) -> None:
    first = create_site(client, admin)
    before = counts(session)
    body = {k: v for k, v in site_body(**spelling).items() if v is not None}
    r = client.post(SITES, json=body, headers=admin)
    assert r.status_code == 409, r.text
    assert first["id"] in r.json()["message"]
    assert counts(session) == before


def test_site_input_is_checked(client: TestClient, admin: dict[str, str]) -> None:
    for bad, field in (
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"regionId": "999999"}, "regionId"),
        ({"postcode": "31001"}, "postcode"),
    ):
        r = client.post(SITES, json=site_body(**bad), headers=admin)
        assert r.status_code == 400, (bad, r.text)
        assert field in r.text
    r = client.post(SITES, json=site_body(streetName=None, compound=None), headers=admin)
    assert r.status_code == 400
    r = client.post(SITES, json=site_body(regionId=None), headers=admin)
    assert r.status_code == 400 and "regionId" in r.text


def test_site_list_filters_fields_and_404(client: TestClient, admin: dict[str, str]) -> None:
    a = create_site(client, admin)
    b = create_site(client, admin, buildingName="4幢", status="planned")
    create_site(client, admin, regionId=GONGSHU, streetName="莫干山路", streetNr="1")
    r = client.get(SITES, params={"locality": "西湖区", "sort": "buildingName"}, headers=admin)
    assert r.status_code == 200
    assert [s["id"] for s in r.json()] == [a["id"], b["id"]]
    assert r.headers["X-Total-Count"] == "2"
    r = client.get(SITES, params={"status": "planned", "fields": "name"}, headers=admin)
    assert r.json() == [
        {"id": b["id"], "href": b["href"], "@type": "GeographicSite", "name": "翠苑一区 4幢"}
    ]
    assert client.get(f"{SITES}/nope", headers=admin).status_code == 404
    assert client.get(SITES, params={"colour": "red"}, headers=admin).status_code == 400


def test_patch_site_moves_status_and_reaches_its_addresses(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    site = create_site(client, admin, status="planned")
    flat = create_address(
        client,
        admin,
        siteId=site["id"],
        geographicSubAddress=[{"subUnitNumber": "2", "roomNumber": "501"}],
    )
    r = client.patch(
        f"{SITES}/{site['id']}",
        json={"status": "active", "streetNr": "92号", "latitude": None, "longitude": None},
        headers={**admin, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active" and r.json()["streetNr"] == "92号"
    assert "latitude" not in r.json()
    moved = client.get(f"{ADDRESSES}/{flat['id']}", headers=admin).json()
    assert moved["streetNr"] == "92号"
    assert "geographicLocation" not in moved
    assert (
        client.patch(
            f"{SITES}/{site['id']}", json={"status": "planned"}, headers={**admin, **MERGE}
        ).status_code
        == 409
    )
    assert (
        client.patch(
            f"{SITES}/{site['id']}", json={"city": None}, headers={**admin, **MERGE}
        ).status_code
        == 400
    )
    assert (
        client.patch(
            f"{SITES}/{site['id']}", json={"place": []}, headers={**admin, **MERGE}
        ).status_code
        == 400
    )
    kinds = [e for (e,) in session.execute(select(OutboxEvent.event_type))]
    assert "GeographicSiteStatusChangeEvent" in kinds
    assert "GeographicAddressAttributeValueChangeEvent" in kinds


def test_patch_site_into_a_duplicate_is_409(client: TestClient, admin: dict[str, str]) -> None:
    a = create_site(client, admin)
    b = create_site(client, admin, buildingName="4幢")
    r = client.patch(
        f"{SITES}/{b['id']}", json={"buildingName": "三栋"}, headers={**admin, **MERGE}
    )
    assert r.status_code == 409 and a["id"] in r.json()["message"]


def test_region_scope_hides_other_districts(
    client: TestClient, admin: dict[str, str], auth_headers: Headers
) -> None:
    gongshu = create_site(client, admin, regionId=GONGSHU, streetName="莫干山路", streetNr="1")
    xihu = create_site(client, admin)
    # a district A user (scope expanded to its grids, as auth does)
    district_a = auth_headers("csr", regions=[XIHU, GRID])
    assert client.get(f"{SITES}/{gongshu['id']}", headers=district_a).status_code == 404
    assert client.get(f"{SITES}/{xihu['id']}", headers=district_a).status_code == 200
    own_b = gongshu["place"][0]["id"]
    assert client.get(f"{ADDRESSES}/{own_b}", headers=district_a).status_code == 404
    listed = client.get(SITES, headers=district_a).json()
    assert [s["id"] for s in listed] == [xihu["id"]]
    r = client.patch(
        f"{SITES}/{gongshu['id']}", json={"name": "x"}, headers={**district_a, **MERGE}
    )
    assert r.status_code == 404
    r = client.post(SITES, json=site_body(regionId=GONGSHU, streetNr="5"), headers=district_a)
    assert r.status_code == 403


def test_roles(client: TestClient, auth_headers: Headers) -> None:
    assert client.get(SITES, headers=auth_headers("customer")).status_code == 403
    assert client.get(SITES, headers=auth_headers("billing")).status_code == 200
    r = client.post(SITES, json=site_body(), headers=auth_headers("billing"))
    assert r.status_code == 403


# --------------------------------------------------------------------------- addresses


def test_address_at_a_site_and_its_sub_address(client: TestClient, admin: dict[str, str]) -> None:
    site = create_site(client, admin)
    r = client.post(
        ADDRESSES,
        json={
            "siteId": site["id"],
            "name": "DEMO-HH-1",
            "geographicSubAddress": [
                {"subUnitNumber": "2", "levelNumber": "5", "roomNumber": "501"}
            ],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    address = r.json()
    assert address["name"] == "DEMO-HH-1"
    assert address["regionId"] == GRID
    assert address["compound"] == "翠苑一区" and address["street"] == "西溪街道"
    [sub] = address["geographicSubAddress"]
    assert sub == {
        "id": address["id"],
        "subAddressType": "subUnit",
        "name": "3幢2单元501室",
        "buildingName": "3幢",
        "subUnitType": "unit",
        "subUnitNumber": "2",
        "levelType": "floor",
        "levelNumber": "5",
        "roomNumber": "501",
        "@type": "GeographicSubAddress",
    }
    subs = client.get(f"{ADDRESSES}/{address['id']}/geographicSubAddress", headers=admin)
    assert subs.status_code == 200
    href = f"http://testserver{ADDRESSES}/{address['id']}/geographicSubAddress/{address['id']}"
    assert subs.json() == [{**sub, "href": href}]
    one = client.get(
        f"{ADDRESSES}/{address['id']}/geographicSubAddress/{address['id']}", headers=admin
    )
    assert one.json()["roomNumber"] == "501"
    assert (
        client.get(
            f"{ADDRESSES}/{address['id']}/geographicSubAddress/other", headers=admin
        ).status_code
        == 404
    )
    found = client.get(ADDRESSES, params={"name": "DEMO-HH-1"}, headers=admin).json()
    assert [a["id"] for a in found] == [address["id"]]
    r = client.get(
        ADDRESSES,
        params={"geographicSubAddress.roomNumber": "501", "fields": "streetName"},
        headers=admin,
    )
    assert r.json() == [
        {
            "id": address["id"],
            "href": address["href"],
            "@type": "GeographicAddress",
            "streetName": "文三路",
        }
    ]


def test_duplicate_address_is_409_and_unit_spellings_collide(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    site = create_site(client, admin)
    first = create_address(
        client,
        admin,
        siteId=site["id"],
        geographicSubAddress=[{"subUnitNumber": "2单元", "roomNumber": "501室"}],
    )
    before = counts(session)
    r = client.post(
        ADDRESSES,
        json={
            "siteId": site["id"],
            "geographicSubAddress": [{"subUnitNumber": "二", "roomNumber": "五〇一"}],
        },
        headers=admin,
    )
    assert r.status_code == 409 and first["id"] in r.json()["message"]
    assert counts(session) == before


def test_address_from_structured_parts_finds_or_creates_the_building(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    site = create_site(client, admin)
    parts = {
        "streetName": "文三路",
        "streetNr": "90",
        "regionId": GRID,
        "geographicSubAddress": [
            {"buildingName": "三栋", "subUnitNumber": "1", "roomNumber": "101"}
        ],
    }
    found = create_address(client, admin, **parts)
    assert found["siteId"] == site["id"]
    new = create_address(
        client,
        admin,
        **{
            **parts,
            "geographicSubAddress": [{"buildingName": "9幢", "roomNumber": "101"}],
            "geographicLocation": {
                "@type": "GeoJsonPoint",
                "geoJson": {"type": "Point", "coordinates": [120.13, 30.28]},
            },
        },
    )
    assert new["siteId"] != site["id"]
    created = client.get(f"{SITES}/{new['siteId']}", headers=admin).json()
    assert created["buildingName"] == "9幢" and created["latitude"] == 30.28
    # the building itself, new: its own address carries the label
    house = create_address(
        client, admin, name="DEMO-HOUSE", streetName="文一路", streetNr="7号", regionId=GRID
    )
    assert house["name"] == "DEMO-HOUSE" and "subUnitNumber" not in house["geographicSubAddress"][0]
    house_site = client.get(f"{SITES}/{house['siteId']}", headers=admin).json()
    assert house_site["place"][0]["id"] == house["id"]
    # ... and again: the building's own address exists
    r = client.post(
        ADDRESSES,
        json={"streetName": "文一路", "streetNr": "七号", "regionId": GRID},
        headers=admin,
    )
    assert r.status_code == 409 and house["id"] in r.json()["message"]
    r = client.post(ADDRESSES, json={"regionId": GRID}, headers=admin)
    assert r.status_code == 400 and "siteId" in r.text
    r = client.post(ADDRESSES, json={"siteId": "missing"}, headers=admin)
    assert r.status_code == 400 and "siteId" in r.text


def test_patch_address(client: TestClient, admin: dict[str, str]) -> None:
    site = create_site(client, admin)
    a = create_address(
        client, admin, siteId=site["id"], geographicSubAddress=[{"roomNumber": "101"}]
    )
    b = create_address(
        client, admin, siteId=site["id"], geographicSubAddress=[{"roomNumber": "102"}]
    )
    r = client.patch(
        f"{ADDRESSES}/{a['id']}",
        json={"name": "DEMO-HH-2", "geographicSubAddress": [{"roomNumber": "103"}]},
        headers={**admin, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "DEMO-HH-2"
    assert r.json()["geographicSubAddress"][0]["roomNumber"] == "103"
    r = client.patch(
        f"{ADDRESSES}/{a['id']}",
        json={"geographicSubAddress": [{"roomNumber": "102室"}]},
        headers={**admin, **MERGE},
    )
    assert r.status_code == 409 and b["id"] in r.json()["message"]
    r = client.patch(f"{ADDRESSES}/{a['id']}", json={"city": "上海市"}, headers={**admin, **MERGE})
    assert r.status_code == 400
    assert (
        client.patch(
            f"{ADDRESSES}/nope", json={"name": "x"}, headers={**admin, **MERGE}
        ).status_code
        == 404
    )


def test_retired_building_takes_no_addresses(client: TestClient, admin: dict[str, str]) -> None:
    site = create_site(client, admin)
    client.patch(f"{SITES}/{site['id']}", json={"status": "retired"}, headers={**admin, **MERGE})
    r = client.post(
        ADDRESSES,
        json={"siteId": site["id"], "geographicSubAddress": [{"roomNumber": "1"}]},
        headers=admin,
    )
    assert r.status_code == 409


# --------------------------------------------------------------------------- validation


def test_address_validation(client: TestClient, admin: dict[str, str]) -> None:
    site = create_site(client, admin)
    flat = create_address(
        client,
        admin,
        siteId=site["id"],
        geographicSubAddress=[{"subUnitNumber": "2", "roomNumber": "501"}],
    )
    submitted = {
        "stateOrProvince": "浙江",
        "city": "杭州",
        "locality": "西湖区",
        "streetName": "文三路",
        "streetNr": "90号",
        "geographicSubAddress": [
            {"buildingName": "三号楼", "subUnitNumber": "二单元", "roomNumber": "501"}
        ],
    }
    r = client.post(
        VALIDATIONS,
        json={"provideAlternative": False, "submittedGeographicAddress": submitted},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["validationResult"] == "success" and done["state"] == "done"
    assert done["validGeographicAddress"]["id"] == flat["id"]
    assert r.headers["Location"] == done["href"]
    again = client.get(f"{VALIDATIONS}/{done['id']}", headers=admin).json()
    assert again == done
    # the building is known, not the room
    other_room = {**submitted, "geographicSubAddress": [{"buildingName": "3幢", "roomNumber": "9"}]}
    r = client.post(
        VALIDATIONS,
        json={"provideAlternative": False, "submittedGeographicAddress": other_room},
        headers=admin,
    )
    assert r.json()["validationResult"] == "partial"
    assert r.json()["validGeographicAddress"]["id"] == site["place"][0]["id"]
    # the place is known, not the building: alternatives
    other_building = {**submitted, "geographicSubAddress": [{"buildingName": "8幢"}]}
    r = client.post(
        VALIDATIONS,
        json={"provideAlternative": True, "submittedGeographicAddress": other_building},
        headers=admin,
    )
    assert r.json()["validationResult"] == "partial"
    assert [a["id"] for a in r.json()["alternateGeographicAddress"]] == [site["place"][0]["id"]]
    unknown = {**submitted, "streetName": "不存在路"}
    r = client.post(
        VALIDATIONS,
        json={"provideAlternative": True, "submittedGeographicAddress": unknown},
        headers=admin,
    )
    assert r.json()["validationResult"] == "fails"
    assert "validGeographicAddress" not in r.json()
    listed = client.get(VALIDATIONS, params={"validationResult": "partial"}, headers=admin)
    assert listed.headers["X-Total-Count"] == "2"
    assert (
        client.post(VALIDATIONS, json={"provideAlternative": True}, headers=admin).status_code
        == 400
    )


def test_hubs_exist_for_both_apis(client: TestClient, admin: dict[str, str]) -> None:
    for base in ("/tmf-api/geographicSiteManagement/v4", "/tmf-api/geographicAddressManagement/v4"):
        r = client.post(
            f"{base}/hub", json={"callback": "http://127.0.0.1:9/listener"}, headers=admin
        )
        assert r.status_code == 201, r.text
        assert client.delete(f"{base}/hub/{r.json()['id']}", headers=admin).status_code == 204


def test_site_creation_is_retry_safe(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    headers = {**admin, "Idempotency-Key": "site-1"}
    first = client.post(SITES, json=site_body(), headers=headers)
    again = client.post(SITES, json=site_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert counts(session)[0] == 1
