"""Resource types (configured, not coded) and network partners, through the
service and ``/api/resource/v1``, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.resource.inventory.models import ResourceSpec
from openboss.resource.inventory.specs import BUILTIN_IDS, ensure_builtin_specs
from tests.resource.inventory.conftest import API, MERGE, TMF, Headers, add_partner

SPECS = f"{API}/resourceSpecifications"


def test_builtin_specs_are_seeded_once(session: Session) -> None:
    assert ensure_builtin_specs(session) == len(BUILTIN_IDS)
    assert ensure_builtin_specs(session) == 0
    assert {
        "equipmentRoom",
        "olt",
        "oltCard",
        "ponPort",
        "splitter",
        "splitterPort",
        "ont",
        "mstpNode",
        "mstpCircuit",
        "ipPool",
        "ipAddress",
        "ipBlock",
        "numberPool",
        "number",
        "warehouse",
        "cpe",
        "partnerAccessPort",
    } == set(BUILTIN_IDS)
    number = session.get(ResourceSpec, "number")
    assert number is not None and number.quarantine_days == 90
    assert number.localized_name == {"en": "Number", "zh-CN": "号码"}
    splitter = session.get(ResourceSpec, "splitter")
    assert splitter is not None and set(splitter.parent_specs) == {"ponPort", "splitterPort"}
    ratio = next(c for c in splitter.characteristics if c["name"] == "ratio")
    assert ratio["allowedValues"] == [8, 32, 64] and ratio["required"] is True
    port = session.get(ResourceSpec, "splitterPort")
    assert port is not None and port.quarantine_days == 0


def test_operators_add_their_own_types(
    client: TestClient, auth_headers: Headers, builtin_specs: None, session: Session
) -> None:
    session.commit()
    admin = auth_headers("admin")
    body = {
        "id": "odfPort",
        "name": "ODF port",
        "localizedName": {"en": "ODF port", "zh-CN": "ODF 端口"},
        "baseType": "PhysicalResource",
        "category": "port",
        "characteristics": [
            {"name": "fibre", "valueType": "integer", "min": 1, "max": 144, "required": True},
            {"name": "colour", "valueType": "string", "allowedValues": ["blue", "orange"]},
        ],
        "parentSpecs": ["equipmentRoom"],
    }
    r = client.post(SPECS, json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"{SPECS}/odfPort"
    assert client.post(SPECS, json=body, headers=admin).status_code == 409
    assert client.get(f"{SPECS}/odfPort", headers=auth_headers("csr")).json()["name"] == "ODF port"
    assert "odfPort" in {s["id"] for s in client.get(SPECS, headers=admin).json()}
    # a resource of the new type is validated against it
    ok = client.post(
        f"{TMF}/resource",
        json={
            "name": "ODF-1",
            "resourceSpecification": {"id": "odfPort"},
            "resourceCharacteristic": [{"name": "fibre", "value": 12}],
        },
        headers=admin,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["resourceSpecification"]["name"] == "ODF port"
    bad = client.post(
        f"{TMF}/resource",
        json={
            "name": "ODF-2",
            "resourceSpecification": {"id": "odfPort"},
            "resourceCharacteristic": [{"name": "fibre", "value": 200}],
        },
        headers=admin,
    )
    assert bad.status_code == 400 and "resourceCharacteristic.fibre" in bad.text
    # it can be changed, containment included
    r = client.patch(
        f"{SPECS}/odfPort", json={"parentSpecs": [], "quarantineDays": 3}, headers=admin | MERGE
    )
    assert r.status_code == 200 and r.json()["quarantineDays"] == 3
    # invalid definitions
    for broken, field in (
        (
            {**body, "id": "x1", "characteristics": [{"name": "a", "valueType": "blob"}]},
            "valueType",
        ),
        ({**body, "id": "x2", "parentSpecs": ["nope"]}, "parentSpecs"),
        ({**body, "id": "x3", "baseType": "Thing"}, "baseType"),
    ):
        r = client.post(SPECS, json=broken, headers=admin)
        assert r.status_code == 400 and field in r.text, r.text
    assert (
        client.post(SPECS, json={**body, "id": "x4"}, headers=auth_headers("csr")).status_code
        == 403
    )


def test_builtin_identity_and_containment_are_fixed(
    client: TestClient, auth_headers: Headers, builtin_specs: None, session: Session
) -> None:
    session.commit()
    admin = auth_headers("admin")
    for patch in ({"id": "spl"}, {"baseType": "LogicalResource"}, {"parentSpecs": ["olt"]}):
        r = client.patch(f"{SPECS}/splitter", json=patch, headers=admin | MERGE)
        assert r.status_code == 409, (patch, r.text)
    r = client.patch(f"{SPECS}/splitter", json={"name": "Optical splitter"}, headers=admin | MERGE)
    assert r.status_code == 200 and r.json()["name"] == "Optical splitter"
    r = client.patch(f"{SPECS}/splitter", json={"quarantineDays": -1}, headers=admin | MERGE)
    assert r.status_code == 400
    assert client.get(f"{SPECS}/nope", headers=admin).status_code == 404
    assert (
        client.patch(f"{SPECS}/nope", json={"name": "x"}, headers=admin | MERGE).status_code == 404
    )


def test_partners_api(client: TestClient, auth_headers: Headers, session: Session) -> None:
    add_partner(session, "PARTNER-1")
    session.commit()
    admin = auth_headers("admin")
    body = {
        "id": "PARTNER-2",
        "name": "Fixed line Co",
        "kind": "fixedLine",
        "defaultTerms": "lease",
    }
    r = client.post(f"{API}/partners", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/partners", json=body, headers=admin).status_code == 409
    r = client.post(
        f"{API}/partners",
        json={**body, "id": "PARTNER-3", "defaultTerms": "revenueShare"},
        headers=admin,
    )
    assert r.status_code == 400 and "revenueSharePercent" in r.text
    r = client.patch(f"{API}/partners/PARTNER-2", json={"status": "inactive"}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    assert {p["id"] for p in client.get(f"{API}/partners", headers=admin).json()} == {
        "PARTNER-1",
        "PARTNER-2",
    }
    partner = auth_headers("partner", partner_id="PARTNER-1")
    assert client.get(f"{API}/partners/PARTNER-2", headers=partner).status_code == 404
    assert client.get(f"{API}/partners/PARTNER-1", headers=partner).status_code == 200
    assert (
        client.patch(f"{API}/partners/PARTNER-1", json={"name": "x"}, headers=partner).status_code
        == 403
    )
    assert client.get(f"{API}/partners/nope", headers=admin).status_code == 404
