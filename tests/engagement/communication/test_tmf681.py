"""TMF681 v4 communicationMessage over HTTP on SQLite and PostgreSQL: conformance
with the v4 swagger (base path, required fields, state enum, @type), create →
delivered by the worker, PATCH (change while initial, cancel), DELETE rules,
roles, hub."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openboss.db import Database
from openboss.engagement.communication import service
from openboss.worker.runner import Worker

SWAGGER = json.loads(
    Path("/work/shared/tmf-specs/TMF681-Communication-v4.0.0.swagger.json").read_text()
)
DEFS = SWAGGER["definitions"]
API = SWAGGER["basePath"].rstrip("/")
MESSAGES = f"{API}/communicationMessage"
MERGE = {"Content-Type": "application/merge-patch+json"}
EXTENSIONS = {
    "relatedEntity",
    "template",
    "language",
    "attempts",
    "deliveryError",
    "creationDate",
    "lastUpdate",
}


def body(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "content": "Your broadband will be upgraded tonight.",
        "messageType": "SMS",
        "receiver": [{"phoneNumber": "13900139000", "name": "Wang"}],
        "sender": {"name": "OpenBOSS"},
        "@type": "CommunicationMessage",
    }
    data.update(over)
    return data


def check(item: dict[str, Any]) -> None:
    props = DEFS["CommunicationMessage"]["properties"]
    for name in item:
        if name not in EXTENSIONS:
            assert name in props, f"{name} is not a TMF681 CommunicationMessage attribute"
    for name in DEFS["CommunicationMessage_Create"]["required"]:
        assert name in item, name
    assert item["state"] in DEFS["CommunicationMessageStateType"]["enum"]
    assert item["@type"] == "CommunicationMessage"
    assert item["href"].endswith(f"{MESSAGES}/{item['id']}")
    for receiver in item["receiver"]:
        assert set(receiver) <= set(DEFS["Receiver"]["properties"])
    assert set(item["sender"]) <= set(DEFS["Sender"]["properties"])


@pytest.fixture
def csr(auth_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return auth_headers("csr")


def test_create_get_list(client: TestClient, csr: dict[str, str]) -> None:
    r = client.post(MESSAGES, json=body(), headers=csr)
    assert r.status_code == 201, r.text
    item = r.json()
    check(item)
    assert r.headers["Location"] == item["href"]
    assert item["state"] == "initial" and item["tryTimes"] == 3
    got = client.get(f"{MESSAGES}/{item['id']}", headers=csr)
    assert got.status_code == 200 and got.json() == item
    listed = client.get(MESSAGES, params={"messageType": "SMS", "state": "initial"}, headers=csr)
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "1"
    check(listed.json()[0])
    fields = client.get(f"{MESSAGES}/{item['id']}", params={"fields": "state"}, headers=csr)
    assert set(fields.json()) == {"id", "href", "@type", "state"}


@pytest.mark.parametrize("missing", ["content", "receiver", "sender", "messageType"])
def test_required_fields(client: TestClient, csr: dict[str, str], missing: str) -> None:
    data = body()
    del data[missing]
    r = client.post(MESSAGES, json=data, headers=csr)
    assert r.status_code == 400
    assert missing in r.json()["message"] or missing in r.json().get("reason", "")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"messageType": "Fax"}, "messageType"),
        ({"state": "completed"}, "state"),
        ({"receiver": [{"name": "no number"}]}, "receiver[0].phoneNumber"),
        ({"messageType": "Email", "receiver": [{"phoneNumber": "1390"}]}, "receiver[0].email"),
        ({"receiver": []}, "receiver"),
    ],
)
def test_invalid_bodies(
    client: TestClient, csr: dict[str, str], over: dict[str, Any], field: str
) -> None:
    r = client.post(MESSAGES, json=body(**over), headers=csr)
    assert r.status_code == 400, r.text
    assert field.split("[")[0] in r.text


def test_delivery_patch_delete(
    client: TestClient,
    csr: dict[str, str],
    database: Database,
    make_worker: Callable[..., Worker],
) -> None:
    first = client.post(MESSAGES, json=body(), headers=csr).json()
    second = client.post(MESSAGES, json=body(content="second"), headers=csr).json()
    # change and cancel while initial
    changed = client.patch(
        f"{MESSAGES}/{second['id']}", json={"content": "changed text"}, headers={**csr, **MERGE}
    )
    assert changed.status_code == 200 and changed.json()["content"] == "changed text"
    cancelled = client.patch(
        f"{MESSAGES}/{second['id']}", json={"state": "cancelled"}, headers={**csr, **MERGE}
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    # the worker may not set states on a client's behalf
    r = client.patch(
        f"{MESSAGES}/{first['id']}", json={"state": "completed"}, headers={**csr, **MERGE}
    )
    assert r.status_code == 409
    # deliver the first (the test database is one connection: run the job inline)
    with database.session() as s:
        assert service.deliver(s, first["id"]) == "completed"
        (sms,) = service.sms_sink(s, message_id=first["id"])
        assert sms["to"] == "13900139000"
        assert sms["text"].endswith("Your broadband will be upgraded tonight.")
        s.commit()
    done = client.get(f"{MESSAGES}/{first['id']}", headers=csr).json()
    assert done["state"] == "completed" and done["attempts"] == 1
    r = client.patch(f"{MESSAGES}/{first['id']}", json={"content": "x"}, headers={**csr, **MERGE})
    assert r.status_code == 409
    r = client.patch(f"{MESSAGES}/{first['id']}", json={"id": "x"}, headers={**csr, **MERGE})
    assert r.status_code == 400
    assert client.delete(f"{MESSAGES}/{first['id']}", headers=csr).status_code == 204
    assert client.get(f"{MESSAGES}/{first['id']}", headers=csr).status_code == 404
    assert client.delete(f"{MESSAGES}/{first['id']}", headers=csr).status_code == 404


def test_roles_and_hub(client: TestClient, auth_headers: Callable[..., dict[str, str]]) -> None:
    assert client.get(MESSAGES, headers=auth_headers("technician")).status_code == 403
    assert client.post(MESSAGES, json=body(), headers=auth_headers("noc")).status_code == 403
    assert client.get(MESSAGES).status_code == 401
    hub = client.post(
        f"{API}/hub",
        json={
            "callback": "http://127.0.0.1:9/listener",
            "query": "eventType=CommunicationMessageStateChangeEvent",
        },
        headers=auth_headers("admin"),
    )
    assert hub.status_code == 201, hub.text
