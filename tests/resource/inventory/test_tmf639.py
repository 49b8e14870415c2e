"""TMF639 v4 Resource Inventory over HTTP on SQLite and PostgreSQL: the
conformance basics against the v4 swagger (base path, required fields,
enums, references), filters, lifecycle through PATCH, DELETE rules, row
scope of partners, validation of types, containment, places and owners."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service
from openboss.resource.inventory.models import RESOURCE_BASE_PATH
from tests.resource.inventory.conftest import (
    MERGE,
    TMF,
    Headers,
    Network,
    add_partner,
    build_network,
)

SWAGGER = json.loads(
    Path("/work/shared/tmf-specs/TMF639-ResourceInventory-v4.0.0.swagger.json").read_text()
)
DEFS = SWAGGER["definitions"]


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("admin")


def place(site: str) -> dict[str, Any]:
    return {"id": site, "role": "installationSite", "@referredType": "GeographicSite"}


def post(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], path: str = "resource"
) -> Any:
    r = client.post(f"{TMF}/{path}", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def check_against_swagger(item: dict[str, Any]) -> None:
    """Required fields, enums and reference shapes of the v4 ``Resource``."""
    schema = DEFS["Resource"]
    for name in schema["required"]:
        assert name in item, name
    props = schema["properties"]
    for name in item:
        if name in (
            "lifecycleStatus",
            "ownershipTerms",
            "ownerPartnerId",
            "grade",
            "capacity",
            "parentResource",
            "siteId",
            "regionId",
            "reservationId",
            "holdUntil",
            "value",
            "creationDate",
            "lastUpdate",
        ):
            continue  # OpenBOSS extensions (value is LogicalResource's)
        assert name in props, f"{name} is not a TMF639 Resource attribute"
    for attr, enum in (
        ("resourceStatus", "ResourceStatusType"),
        ("administrativeState", "ResourceAdministrativeStateType"),
        ("operationalState", "ResourceOperationalStateType"),
        ("usageState", "ResourceUsageStateType"),
    ):
        assert item[attr] in DEFS[enum]["enum"], attr
    for name in DEFS["ResourceSpecificationRef"]["required"]:
        assert name in item["resourceSpecification"]
    if "place" in item:
        assert isinstance(item["place"], dict)
        for name in DEFS["RelatedPlaceRefOrValue"]["required"]:
            assert name in item["place"]
    for party in item.get("relatedParty", []):
        for name in DEFS["RelatedParty"]["required"]:
            assert name in party
    for char in item.get("resourceCharacteristic", []):
        for name in DEFS["Characteristic"]["required"]:
            assert name in char
    for rel in item.get("resourceRelationship", []):
        assert set(rel) <= set(DEFS["ResourceRelationship"]["properties"])


def test_base_path_is_the_specs() -> None:
    assert SWAGGER["basePath"].rstrip("/") == RESOURCE_BASE_PATH
    for path in ("/resource", "/physicalResource", "/logicalResource", "/hub"):
        assert path in SWAGGER["paths"]


def test_create_get_list_patch_delete_conform(
    client: TestClient, admin: dict[str, str], network: Network, session: Session
) -> None:
    add_partner(session)
    session.commit()
    body = {
        "name": "SPL-2",
        "resourceSpecification": {"id": "splitter"},
        "resourceCharacteristic": [{"name": "ratio", "value": 8}],
        "resourceRelationship": [{"relationshipType": "isContainedIn", "id": network.pon}],
        "relatedParty": [{"id": "PARTNER-1", "role": "owner", "@referredType": "Organization"}],
        "lifecycleStatus": "planned",
    }
    created = client.post(f"{TMF}/resource", json=body, headers=admin)
    assert created.status_code == 201, created.text
    item = created.json()
    href = f"http://testserver{TMF}/resource/{item['id']}"
    assert created.headers["Location"] == href == item["href"]
    check_against_swagger(item)
    assert item["@type"] == "PhysicalResource" and item["@baseType"] == "Resource"
    assert item["resourceSpecification"]["id"] == "splitter"
    assert item["resourceSpecification"]["name"] == "Splitter"
    assert item["resourceSpecification"]["@referredType"] == "ResourceSpecification"
    # containment: the parent's building, the isContainedIn relationship
    assert item["place"]["id"] == network.site
    assert item["place"]["role"] == "installationSite"
    assert {"id": network.pon, "relationshipType": "isContainedIn"}.items() <= item[
        "resourceRelationship"
    ][0].items()
    assert item["relatedParty"] == [
        {
            "id": "PARTNER-1",
            "href": "/api/resource/v1/partners/PARTNER-1",
            "role": "owner",
            "@referredType": "Organization",
        }
    ]
    assert item["ownershipTerms"] == "revenueShare"  # the partner's default terms
    assert {"name": "level", "valueType": "integer", "value": 1} in item["resourceCharacteristic"]
    assert item["resourceStatus"] == "standby" and item["administrativeState"] == "locked"

    got = client.get(href, headers=admin)
    assert got.status_code == 200 and got.json() == item
    physical = client.get(f"{TMF}/physicalResource/{item['id']}", headers=admin).json()
    assert physical["href"].endswith(f"/physicalResource/{item['id']}")
    assert client.get(f"{TMF}/logicalResource/{item['id']}", headers=admin).status_code == 404

    listed = client.get(
        f"{TMF}/resource",
        params={"resourceSpecification.id": "splitter", "fields": "name,place"},
        headers=admin,
    )
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "2"
    assert {r["name"] for r in listed.json()} == {"SPL-1", "SPL-2"}
    assert set(listed.json()[0]) == {"id", "href", "@type", "name", "place"}
    owned = client.get(f"{TMF}/resource", params={"relatedParty.id": "PARTNER-1"}, headers=admin)
    assert [r["id"] for r in owned.json()] == [item["id"]]
    at_site = client.get(
        f"{TMF}/resource",
        params={"place.id": network.site, "lifecycleStatus": "available", "limit": 3},
        headers=admin,
    )
    assert at_site.headers["X-Total-Count"] == "13" and len(at_site.json()) == 3

    patched = client.patch(
        href, json={"name": "SPL-2b", "lifecycleStatus": "available"}, headers=admin | MERGE
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "SPL-2b"
    assert patched.json()["resourceStatus"] == "available"
    assert patched.json()["administrativeState"] == "unlocked"

    events = session.scalars(select(OutboxEvent.event_type)).all()
    assert "ResourceCreateEvent" in events
    assert "ResourceStateChangeEvent" in events
    assert "ResourceAttributeValueChangeEvent" in events

    # available cannot be deleted; retired can
    assert client.delete(href, headers=admin).status_code == 409
    assert (
        client.patch(href, json={"lifecycleStatus": "retired"}, headers=admin | MERGE).status_code
        == 200
    )
    assert client.delete(href, headers=admin).status_code == 204
    assert client.get(href, headers=admin).status_code == 404
    assert "ResourceDeleteEvent" in session.scalars(select(OutboxEvent.event_type)).all()


def test_logical_resource_collection(
    client: TestClient, admin: dict[str, str], builtin_specs: None, session: Session
) -> None:
    session.commit()
    pool = post(
        client,
        admin,
        {"name": "Pool", "resourceSpecification": {"id": "numberPool"}},
        "logicalResource",
    )
    assert pool["@type"] == "LogicalResource"
    number = post(
        client,
        admin,
        {
            "name": "13800000001",
            "value": "13800000001",
            "resourceSpecification": {"id": "number"},
            "parentResource": {"id": pool["id"]},
            "grade": "gold",
        },
        "logicalResource",
    )
    assert number["value"] == "13800000001"
    check_against_swagger(number)
    # a physical type is not a logical resource
    r = client.post(
        f"{TMF}/logicalResource",
        json={"name": "x", "resourceSpecification": {"id": "olt"}},
        headers=admin,
    )
    assert r.status_code == 400 and "resourceSpecification" in r.json()["message"] + r.text
    # the value is unique per type
    r = client.post(
        f"{TMF}/resource",
        json={"name": "dup", "value": "13800000001", "resourceSpecification": {"id": "number"}},
        headers=admin,
    )
    assert r.status_code == 409
    listed = client.get(f"{TMF}/logicalResource", headers=admin)
    assert {i["@type"] for i in listed.json()} == {"LogicalResource"}
    assert client.get(f"{TMF}/physicalResource", headers=admin).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resourceSpecification": {"id": "nope"}}, "resourceSpecification.id"),
        ({"resourceSpecification": {"id": "splitter"}}, "resourceCharacteristic.ratio"),
        (
            {
                "resourceSpecification": {"id": "splitter"},
                "resourceCharacteristic": [{"name": "ratio", "value": 16}],
            },
            "resourceCharacteristic.ratio",
        ),
        (
            {
                "resourceSpecification": {"id": "splitter"},
                "resourceCharacteristic": [{"name": "ratio", "value": "32"}],
            },
            "resourceCharacteristic.ratio",
        ),
        (
            {
                "resourceSpecification": {"id": "oltCard"},
                "resourceCharacteristic": [{"name": "slot", "value": -1}],
            },
            "resourceCharacteristic.slot",
        ),
        (
            {
                "resourceSpecification": {"id": "olt"},
                "resourceCharacteristic": [{"name": "colour", "value": "red"}],
            },
            "resourceCharacteristic.colour",
        ),
        ({"resourceSpecification": {"id": "olt"}, "place": {"id": "no-such-building"}}, "place"),
        (
            {
                "resourceSpecification": {"id": "olt"},
                "relatedParty": [{"id": "NOPE", "role": "owner", "@referredType": "Organization"}],
            },
            "relatedParty",
        ),
        (
            {
                "resourceSpecification": {"id": "olt"},
                "relatedParty": [
                    {"id": "PARTNER-OFF", "role": "owner", "@referredType": "Organization"}
                ],
            },
            "relatedParty",
        ),
        ({"resourceSpecification": {"id": "olt"}, "ownershipTerms": "lease"}, "ownershipTerms"),
        (
            {"resourceSpecification": {"id": "olt"}, "lifecycleStatus": "allocated"},
            "lifecycleStatus",
        ),
        (
            {
                "resourceSpecification": {"id": "mstpCircuit"},
                "resourceRelationship": [{"relationshipType": "aEnd", "id": "nope"}],
            },
            "resourceRelationship",
        ),
    ],
)
def test_invalid_resources_are_400_naming_the_field(
    client: TestClient,
    admin: dict[str, str],
    builtin_specs: None,
    session: Session,
    body: dict[str, Any],
    field: str,
) -> None:
    add_partner(session, "PARTNER-OFF", status="inactive")
    session.commit()
    r = client.post(f"{TMF}/resource", json={"name": "x", **body}, headers=admin)
    assert r.status_code == 400, r.text
    assert field in r.text


def test_containment_is_checked(
    client: TestClient, admin: dict[str, str], network: Network
) -> None:
    r = client.post(
        f"{TMF}/resource",
        json={
            "name": "ONT",
            "resourceSpecification": {"id": "ont"},
            "parentResource": {"id": network.olt},
        },
        headers=admin,
    )
    assert r.status_code == 400 and "parentResource" in r.text
    r = client.post(
        f"{TMF}/resource",
        json={
            "name": "ONT",
            "resourceSpecification": {"id": "ont"},
            "parentResource": {"id": "missing"},
        },
        headers=admin,
    )
    assert r.status_code == 400 and "parentResource" in r.text
    # a cascade: a level-2 splitter in a splitter port
    ok = client.post(
        f"{TMF}/resource",
        json={
            "name": "SPL-L2",
            "resourceSpecification": {"id": "splitter"},
            "parentResource": {"id": network.ports[0]},
            "resourceCharacteristic": [
                {"name": "ratio", "value": 8},
                {"name": "level", "value": 2},
            ],
        },
        headers=admin,
    )
    assert ok.status_code == 201, ok.text


def test_patch_rules(
    client: TestClient, admin: dict[str, str], network: Network, session: Session
) -> None:
    href = f"{TMF}/resource/{network.ports[0]}"
    for read_only in (
        "resourceStatus",
        "usageState",
        "administrativeState",
        "resourceSpecification",
        "id",
    ):
        r = client.patch(href, json={read_only: "x"}, headers=admin | MERGE)
        assert r.status_code == 400 and read_only in r.text, read_only
    # reserved/allocated only through reservations
    r = client.patch(href, json={"lifecycleStatus": "allocated"}, headers=admin | MERGE)
    assert r.status_code == 409
    # TRANSITIONS: planned cannot go to released; retired is final
    assert (
        client.patch(href, json={"lifecycleStatus": "planned"}, headers=admin | MERGE).status_code
        == 200
    )
    r = client.patch(href, json={"lifecycleStatus": "released"}, headers=admin | MERGE)
    assert r.status_code == 409
    assert (
        client.patch(href, json={"lifecycleStatus": "retired"}, headers=admin | MERGE).status_code
        == 200
    )
    r = client.patch(href, json={"lifecycleStatus": "available"}, headers=admin | MERGE)
    assert r.status_code == 409
    # characteristics are validated on change too
    r = client.patch(
        f"{TMF}/resource/{network.splitter}",
        json={"resourceCharacteristic": [{"name": "ratio", "value": 12}]},
        headers=admin | MERGE,
    )
    assert r.status_code == 400 and "resourceCharacteristic.ratio" in r.text
    r = client.patch(f"{TMF}/resource/nope", json={"name": "x"}, headers=admin | MERGE)
    assert r.status_code == 404


def test_delete_refuses_used_resources(
    client: TestClient, admin: dict[str, str], network: Network, session: Session
) -> None:
    port = network.ports[0]
    service.allocate_now(session, SYSTEM_SCOPE, resource_ids=[port], service_id="SVC-1")
    service.release(session, SYSTEM_SCOPE, [port], "moved out")
    session.commit()
    href = f"{TMF}/resource/{port}"
    assert (
        client.patch(href, json={"lifecycleStatus": "retired"}, headers=admin | MERGE).status_code
        == 200
    )
    r = client.delete(href, headers=admin)
    assert r.status_code == 409 and "usage history" in r.text
    # a container with contents cannot go either
    assert (
        client.patch(
            f"{TMF}/resource/{network.room}",
            json={"lifecycleStatus": "retired"},
            headers=admin | MERGE,
        ).status_code
        == 200
    )
    assert client.delete(f"{TMF}/resource/{network.room}", headers=admin).status_code == 409


def test_partner_sees_only_its_own_network(
    client: TestClient,
    auth_headers: Headers,
    network: Network,
    session: Session,
    make_site: Callable[..., str],
) -> None:
    add_partner(session)
    theirs = build_network(session, make_site("9幢"), ports=2, owner="PARTNER-1")
    session.commit()
    partner = auth_headers("partner", partner_id="PARTNER-1")
    listed = client.get(f"{TMF}/resource", headers=partner)
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "7"
    assert {r["relatedParty"][0]["id"] for r in listed.json()} == {"PARTNER-1"}
    assert client.get(f"{TMF}/resource/{network.olt}", headers=partner).status_code == 404
    assert client.get(f"{TMF}/resource/{theirs.olt}", headers=partner).status_code == 200
    # a partner reads, it does not write
    r = client.post(
        f"{TMF}/resource",
        json={"name": "x", "resourceSpecification": {"id": "olt"}},
        headers=partner,
    )
    assert r.status_code == 403
    # and it sees its own partner row only
    assert [p["id"] for p in client.get("/api/resource/v1/partners", headers=partner).json()] == [
        "PARTNER-1"
    ]


def test_roles(client: TestClient, auth_headers: Headers, network: Network) -> None:
    assert client.get(f"{TMF}/resource", headers=auth_headers("csr")).status_code == 200
    assert client.get(f"{TMF}/resource", headers=auth_headers("billing")).status_code == 403
    r = client.post(
        f"{TMF}/resource",
        json={"name": "x", "resourceSpecification": {"id": "olt"}},
        headers=auth_headers("csr"),
    )
    assert r.status_code == 403
    assert client.get(f"{TMF}/resource").status_code == 401


def test_hub_is_mounted(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(f"{TMF}/hub", json={"callback": "http://127.0.0.1:9/listener"}, headers=admin)
    assert r.status_code == 201, r.text
