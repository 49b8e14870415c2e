"""TMF640 v4 Service Activation and Configuration: conformance with the swagger,
state moves running element commands, monitors, errors naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service
from openboss.fulfilment.activation.models import ElementState, RadCheck, RadReply

SWAGGER = json.loads(
    Path(
        "/work/shared/tmf-specs/TMF640-ServiceActivationConfiguration-v4.0.0.swagger.json"
    ).read_text()
)
DEFS = SWAGGER["definitions"]
TMF = "/tmf-api/ServiceActivationAndConfiguration/v4"
Headers = Callable[..., dict[str, str]]
EXTENSIONS = {"networkElement"}


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("noc")


def _chars(**values: Any) -> list[dict[str, Any]]:
    return [{"name": k, "value": v} for k, v in values.items()]


def ip_session(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Broadband 100M",
        "state": "active",
        "serviceSpecification": {"id": "rfs-ip-session", "name": "IP session"},
        "serviceCharacteristic": _chars(
            account="gz0042@fttx", password="s3cret!", bandwidthDownMbps=100, bandwidthUpMbps=20
        ),
        "relatedParty": [{"id": "C-1", "role": "customer", "@referredType": "Individual"}],
    }
    body.update(over)
    return body


def check_service(item: dict[str, Any]) -> None:
    props = DEFS["Service"]["properties"]
    for name in item:
        assert name in props or name in EXTENSIONS, name
    assert item["@type"] == "Service"
    assert item["state"] in DEFS["ServiceStateType"]["enum"]
    assert item["href"].endswith(f"{TMF}/service/{item['id']}")
    for name in DEFS["ServiceSpecificationRef"]["required"]:
        assert name in item["serviceSpecification"]


def check_monitor(item: dict[str, Any]) -> None:
    props = DEFS["Monitor"]["properties"]
    for name in item:
        assert name in props or name == "creationDate", name
    assert item["@type"] == "Monitor"
    assert item["state"] in ("InProgress", "InError", "Completed")
    for part, schema in (("request", "Request"), ("response", "Response")):
        for name in DEFS[schema]["required"]:
            assert name in item[part], (part, name)
        assert len(item[part]["header"]) >= 1
        for header in item[part]["header"]:
            assert set(DEFS["HeaderItem"]["required"]) <= set(header)


def test_every_swagger_operation_is_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, ops in SWAGGER["paths"].items():
        if path.startswith("/listener"):
            continue  # the listener endpoints live on the client side
        served = paths.get(TMF + path.replace("hub/{id}", "hub/{subscription_id}"))
        assert served is not None, path
        for method in ops:
            if method in ("get", "post", "patch", "delete"):
                assert method in served, (path, method)


def test_create_activates_and_records_a_monitor(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    r = client.post(f"{TMF}/service", json=ip_session(), headers=admin)
    assert r.status_code == 201, r.text
    item = r.json()
    check_service(item)
    assert r.headers["Location"] == item["href"]
    assert item["state"] == "active" and item["networkElement"] == ["radius"]
    chars = {c["name"]: c["value"] for c in item["serviceCharacteristic"]}
    assert chars["password"] == "***"  # never stored nor returned
    check = session.scalars(select(RadCheck).where(RadCheck.username == "gz0042@fttx")).one()
    assert check.attribute == "SSHA2-256-Password" and "s3cret" not in check.value

    got = client.get(f"{TMF}/service/{item['id']}", headers=admin).json()
    assert got == item
    monitors = client.get(
        f"{TMF}/monitor", params={"sourceHref": item["href"]}, headers=admin
    ).json()
    assert len(monitors) == 1
    check_monitor(monitors[0])
    assert monitors[0]["state"] == "Completed"
    assert "s3cret" not in json.dumps(monitors[0])
    response = json.loads(monitors[0]["response"]["body"])
    assert response["activation"][0]["elements"][0]["outcome"] == "done"
    one = client.get(f"{TMF}/monitor/{monitors[0]['id']}", headers=admin)
    assert one.status_code == 200 and one.json() == monitors[0]


def test_state_moves_run_the_commands(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    sid = client.post(f"{TMF}/service", json=ip_session(), headers=admin).json()["id"]
    url = f"{TMF}/service/{sid}"

    def rejected() -> bool:
        rows = session.scalars(select(RadCheck).where(RadCheck.attribute == "Auth-Type")).all()
        return bool(rows)

    r = client.patch(url, json={"state": "inactive"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "inactive" and rejected()
    assert client.patch(url, json={"state": "active"}, headers=admin).json()["state"] == "active"
    assert not rejected()

    chars = _chars(account="gz0042@fttx", password="***", bandwidthDownMbps=300, bandwidthUpMbps=20)
    r = client.patch(url, json={"serviceCharacteristic": chars}, headers=admin)
    assert r.status_code == 200, r.text
    down = session.scalars(
        select(RadReply).where(RadReply.attribute == "WISPr-Bandwidth-Max-Down")
    ).one()
    assert down.value == "300000000"
    # the masked password was kept: the hash did not change
    log = service.call_log(session, service_id=sid, element="radius")
    assert [c["command"] for c in log] == ["activate", "suspend", "resume", "modify"]

    r = client.patch(url, json={"state": "terminated"}, headers=admin)
    assert r.json()["state"] == "terminated" and "endDate" in r.json()
    assert session.scalars(select(RadCheck)).all() == []
    r = client.patch(url, json={"state": "active"}, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "ILLEGAL_STATE_TRANSITION"
    monitors = client.get(f"{TMF}/monitor", params={"sourceHref": r.url}, headers=admin)
    assert monitors.status_code == 200


def test_designed_then_activated_and_delete_deactivates(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    body = {
        "state": "designed",
        "serviceSpecification": {"id": "rfs-fixed-mobile-bundle"},
        "serviceCharacteristic": _chars(
            elements=["olt", "hlr"],
            ontSerial="HWTC0000AA01",
            oltId="OLT-1",
            ponPort="0/1/1",
            profile="P1",
            msisdn="8613900000001",
            imsi="460009876543210",
            iccid="8986001",
        ),
    }
    r = client.post(f"{TMF}/service", json=body, headers=admin)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["networkElement"] == ["olt", "hlr"]
    assert session.scalars(select(ElementState)).all() == []
    r = client.patch(f"{TMF}/service/{sid}", json={"state": "active"}, headers=admin)
    assert r.status_code == 200, r.text
    assert {e.element for e in session.scalars(select(ElementState))} == {"olt", "hlr"}
    assert client.delete(f"{TMF}/service/{sid}", headers=admin).status_code == 204
    assert session.scalars(select(ElementState)).all() == []
    assert client.get(f"{TMF}/service/{sid}", headers=admin).status_code == 404
    log = service.call_log(session, service_id=sid)
    assert [(c["element"], c["command"]) for c in log][-2:] == [
        ("olt", "deactivate"),
        ("hlr", "deactivate"),
    ]


def test_element_failure_is_409_and_nothing_is_kept(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    service.clear_failures(session)
    service.inject_failure(session, "radius", "activate")
    body = ip_session(
        serviceSpecification={"id": "rfs-broadband"},
        serviceCharacteristic=_chars(
            account="gz9@fttx",
            password="x",
            bandwidthDownMbps=100,
            bandwidthUpMbps=20,
            ontSerial="ZTEG0000BB02",
            oltId="OLT-1",
            ponPort="0/1/2",
            profile="P1",
        ),
    )
    r = client.post(f"{TMF}/service", json=body, headers=admin)
    assert r.status_code == 409, r.text
    error = r.json()
    assert error["code"] == "ACTIVATION_FAILED" and "radius" in error["message"]
    assert error["details"]["element"] == "radius" and error["details"]["undone"] == ["olt"]
    assert client.get(f"{TMF}/service", headers=admin).json() == []
    assert session.scalars(select(ElementState)).all() == []
    # the failed request leaves an InError monitor
    monitor = client.get(error["details"]["monitor"], headers=admin).json()
    check_monitor(monitor)
    assert monitor["state"] == "InError" and monitor["response"]["statusCode"] == "409"
    assert monitor["sourceHref"].endswith(f"{TMF}/service")
    assert "ACTIVATION_FAILED" in monitor["response"]["body"]
    assert '"x"' not in monitor["request"]["body"]  # the password is masked

    # a failing PATCH keeps the service as it was, with an InError monitor
    r = client.post(f"{TMF}/service", json=ip_session(), headers=admin)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    service.inject_failure(session, "radius", "suspend")
    r = client.patch(f"{TMF}/service/{sid}", json={"state": "inactive"}, headers=admin)
    assert r.status_code == 409, r.text
    assert client.get(f"{TMF}/service/{sid}", headers=admin).json()["state"] == "active"
    href = client.get(f"{TMF}/service/{sid}", headers=admin).json()["href"]
    states = [
        m["state"]
        for m in client.get(f"{TMF}/monitor", params={"sourceHref": href}, headers=admin).json()
    ]
    assert sorted(states) == ["Completed", "InError"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": None}, "state"),
        ({"state": "suspended"}, "state"),
        ({"state": "terminated"}, "state"),
        ({"serviceSpecification": {"id": "rfs-unknown"}}, "serviceSpecification.id"),
        ({"serviceSpecification": None}, "serviceSpecification"),
        (
            {"serviceCharacteristic": _chars(account="a", password="p", bandwidthDownMbps=-5)},
            "params.bandwidthDownMbps",
        ),
        ({"serviceCharacteristic": _chars(elements=["pcrf"])}, "elements"),
        ({"serviceCharacteristic": [{"name": "account"}]}, "serviceCharacteristic"),
    ],
)
def test_validation_names_the_field(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    data = {k: v for k, v in ip_session(**body).items() if v is not None}
    r = client.post(f"{TMF}/service", json=data, headers=admin)
    assert r.status_code == 400, r.text
    assert field in r.json()["message"] or field in json.dumps(r.json()), r.json()


def test_list_filters_and_roles(
    client: TestClient, admin: dict[str, str], auth_headers: Headers
) -> None:
    client.post(f"{TMF}/service", json=ip_session(), headers=admin)
    found = client.get(
        f"{TMF}/service",
        params={"serviceSpecification.id": "rfs-ip-session", "fields": "state"},
        headers=admin,
    )
    assert found.status_code == 200 and found.headers["X-Total-Count"] == "1"
    assert set(found.json()[0]) == {"id", "href", "@type", "state"}
    assert client.get(f"{TMF}/service", params={"state": "inactive"}, headers=admin).json() == []
    assert client.get(f"{TMF}/service", params={"nope": "1"}, headers=admin).status_code == 400
    csr = auth_headers("csr")
    assert client.post(f"{TMF}/service", json=ip_session(), headers=csr).status_code == 403
    assert client.get(f"{TMF}/service/unknown", headers=admin).status_code == 404


def test_hub_registration(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(f"{TMF}/hub", json={"callback": "http://127.0.0.1:9/listener"}, headers=admin)
    assert r.status_code == 201, r.text
    assert client.delete(f"{TMF}/hub/{r.json()['id']}", headers=admin).status_code == 204
