"""The fulfilment mapping over HTTP: service/resource specifications and
delivery rules at /api/catalog/v1 (eTOM 1.1.1.1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.catalog.conftest import Headers

API = "/api/catalog/v1"


def test_specs_and_rules_read_by_anyone_signed_in(
    client: TestClient, demo: Session, auth_headers: Headers
) -> None:
    csr = auth_headers("csr")
    cfs = client.get(f"{API}/serviceSpecifications", params={"kind": "CFS"}, headers=csr)
    assert cfs.status_code == 200
    ids = {s["id"] for s in cfs.json()}
    assert "cfs-internet-access" in ids and all(s["kind"] == "CFS" for s in cfs.json())
    one = client.get(f"{API}/serviceSpecifications/cfs-internet-access", headers=csr).json()
    assert "rfs-gpon-access" in one["rfs"]
    rs = client.get(f"{API}/resourceSpecifications/rs-gpon-port", headers=csr).json()
    assert rs["category"] == "port"
    rules = client.get(
        f"{API}/deliveryRules",
        params={"productSpecification": "ps-home-broadband", "coverageType": "ownFtth"},
        headers=csr,
    ).json()
    assert rules and all(r["coverageType"] == "ownFtth" for r in rules)
    assert client.get(f"{API}/serviceSpecifications/nope", headers=csr).status_code == 404
    assert client.get(f"{API}/resourceSpecifications/nope", headers=csr).status_code == 404
    bad = client.get(f"{API}/deliveryRules", params={"coverageType": "x"}, headers=csr)
    assert bad.status_code == 400 and "coverageType" in bad.text
    assert client.get(f"{API}/deliveryRules").status_code == 401


def test_rule_upsert_and_delete_by_marketing(
    client: TestClient, demo: Session, marketing: dict[str, str], auth_headers: Headers
) -> None:
    body = {
        "productSpecification": "ps-home-broadband",
        "regionId": "330105",
        "coverageType": "partnerCable",
        "deliveryMode": "partner",
        "processKey": "broadband-partner",
        "slaCompletionHours": 72,
        "slaJeopardyPercent": 80,
    }
    assert (
        client.post(f"{API}/deliveryRules", json=body, headers=auth_headers("csr")).status_code
        == 403
    )
    made = client.post(f"{API}/deliveryRules", json=body, headers=marketing)
    assert made.status_code == 200, made.text
    rule = made.json()
    assert rule["regionId"] == "330105" and rule["slaCompletionHours"] == 72
    again = client.post(
        f"{API}/deliveryRules", json={**body, "slaCompletionHours": 96}, headers=marketing
    ).json()
    assert again["id"] == rule["id"] and again["slaCompletionHours"] == 96
    bad = client.post(
        f"{API}/deliveryRules", json={**body, "regionId": "Hangzhou"}, headers=marketing
    )
    assert bad.status_code == 400 and "regionId" in bad.text
    unknown = client.post(
        f"{API}/deliveryRules", json={**body, "productSpecification": "ps-x"}, headers=marketing
    )
    assert unknown.status_code == 400 and "productSpecification" in unknown.text
    assert client.delete(f"{API}/deliveryRules/{rule['id']}", headers=marketing).status_code == 204
    assert client.delete(f"{API}/deliveryRules/{rule['id']}", headers=marketing).status_code == 404


def test_service_spec_put_validates_the_chain(
    client: TestClient, demo: Session, marketing: dict[str, str]
) -> None:
    made = client.put(
        f"{API}/serviceSpecifications/rfs-test",
        json={"kind": "RFS", "name": "Test RFS", "resourceSpecs": ["rs-gpon-port"]},
        headers=marketing,
    )
    assert made.status_code == 200 and made.json()["resourceSpecs"] == ["rs-gpon-port"]
    wrong = client.put(
        f"{API}/serviceSpecifications/cfs-test",
        json={"kind": "CFS", "name": "Test CFS", "rfs": ["rfs-nope"]},
        headers=marketing,
    )
    assert wrong.status_code == 400 and "rfs" in wrong.text
    clash = client.put(
        f"{API}/serviceSpecifications/cfs-test",
        json={"id": "other", "kind": "CFS", "name": "Test CFS"},
        headers=marketing,
    )
    assert clash.status_code == 400 and "id" in clash.text
    rs = client.put(
        f"{API}/resourceSpecifications/rs-test",
        json={"name": "Test port", "category": "port"},
        headers=marketing,
    )
    assert rs.status_code == 200 and rs.json()["name"] == "Test port"
