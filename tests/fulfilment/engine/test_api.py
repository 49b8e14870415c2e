"""The process administration API /api/fulfilment/v1."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.fulfilment.engine import service
from tests.fulfilment.engine.conftest import BPMN, Recorder

API = "/api/fulfilment/v1"
Headers = Callable[..., dict[str, str]]


def test_deploy_start_and_administer(
    client: TestClient, auth_headers: Headers, session: Session, rec: Recorder
) -> None:
    admin = auth_headers("admin")
    r = client.post(
        f"{API}/processDefinitions",
        content=BPMN.read_bytes(),
        headers={**admin, "Content-Type": "application/xml"},
    )
    assert r.status_code == 201, r.text
    assert r.json()[0]["key"] == "engineTest" and r.json()[0]["version"] == 1
    # multipart upload of the same content: same version
    r = client.post(
        f"{API}/processDefinitions",
        files={"file": ("t.bpmn", BPMN.read_bytes(), "application/xml")},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()[0]["version"] == 1
    r = client.get(f"{API}/processDefinitions/engineTest", headers=auth_headers("noc"))
    assert r.status_code == 200 and "<bpmn:definitions" in r.json()["xml"]
    assert client.get(f"{API}/processDefinitions", headers=admin).json()[0]["key"] == "engineTest"

    iid = service.start(
        session, "engineTest", business_key="SO-API", data={"mode": "manual", "delay": "PT0S"}
    ).id
    service.run(session, iid)
    session.flush()
    r = client.get(f"{API}/processInstances", params={"businessKey": "SO-API"}, headers=admin)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "1"
    assert r.json()[0]["status"] == "waiting"
    view = client.get(f"{API}/processInstances/{iid}", headers=auth_headers("dispatcher")).json()
    assert view["currentTaskIds"] == ["check"] and "reserve" in view["doneTaskIds"]

    desks = client.get(f"{API}/deskTasks", params={"businessKey": "SO-API"}, headers=admin).json()
    assert len(desks) == 1
    r = client.post(f"{API}/deskTasks/{desks[0]['id']}/complete", json={"ok": True}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "completed"
    view = client.get(f"{API}/processInstances/{iid}", headers=admin).json()
    assert view["currentTaskIds"] == ["waitWorkOrder"] and view["data"]["ok"] is True

    r = client.post(
        f"{API}/messages",
        json={"message": "workOrderClosed", "correlationKey": "WO-SO-API", "payload": {"a": 1}},
        headers=admin,
    )
    assert r.json() == {"instanceIds": [iid], "buffered": False}
    r = client.post(f"{API}/processInstances/{iid}/retry", headers=admin)
    assert r.status_code == 409 and r.json()["code"]
    r = client.post(
        f"{API}/processInstances/{iid}/skip", json={"taskId": "nope", "reason": "x"}, headers=admin
    )
    assert r.status_code == 409
    r = client.post(f"{API}/processInstances/{iid}/cancel", json={"reason": "test"}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert rec.names()[-2:] == ["deactivate", "unreserve"]


def test_errors_and_roles(client: TestClient, auth_headers: Headers, rec: Recorder) -> None:
    admin = auth_headers("admin")
    r = client.post(
        f"{API}/processDefinitions",
        content=b"<nope",
        headers={**admin, "Content-Type": "application/xml"},
    )
    assert r.status_code == 400 and "file" in r.text
    bad = BPMN.read_text().replace("test.finish", "missing.handler")
    r = client.post(
        f"{API}/processDefinitions",
        content=bad.encode(),
        headers={**admin, "Content-Type": "application/xml"},
    )
    assert r.status_code == 400 and "finish" in r.json()["message"]
    r = client.post(
        f"{API}/processDefinitions",
        content=BPMN.read_bytes(),
        headers={**auth_headers("noc"), "Content-Type": "application/xml"},
    )
    assert r.status_code == 403
    assert client.get(f"{API}/processInstances", headers=auth_headers("csr")).status_code == 403
    assert client.get(f"{API}/processInstances/nope", headers=admin).status_code == 404
    r = client.get(f"{API}/processInstances", params={"state": "bogus"}, headers=admin)
    assert r.status_code == 400
    assert client.get(f"{API}/processDefinitions/nope", headers=admin).status_code == 404
