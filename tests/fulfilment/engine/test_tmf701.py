"""TMF701 Process Flow Management over the engine: /tmf-api/processFlowManagement/v4."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.fulfilment.engine import service
from tests.fulfilment.engine.conftest import Recorder

API = "/tmf-api/processFlowManagement/v4"
Headers = Callable[..., dict[str, str]]
SPEC = Path(__file__).parents[3] / "../shared/tmf-specs/TMF701-ProcessFlow-v4.0.0.swagger.json"


def _events(session: Session, event_type: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type))
    return [r.payload for r in rows]


def test_start_follow_complete_desk_task_and_end(
    client: TestClient, auth_headers: Headers, session: Session, deployed: Any, rec: Recorder
) -> None:
    admin = auth_headers("admin")
    r = client.post(
        f"{API}/processFlow",
        json={
            "processFlowSpecification": "engineTest",
            "characteristic": [
                {"name": "mode", "value": "manual"},
                {"name": "delay", "value": "PT0S"},
                {"name": "noPort", "value": False},
            ],
            "relatedEntity": [{"id": "SO-701", "@referredType": "ServiceOrder"}],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    flow = r.json()
    assert r.headers["Location"] == flow["href"] and flow["href"].endswith(flow["id"])
    assert flow["@type"] == "ProcessFlow" and flow["state"] == "active"
    assert flow["processFlowSpecification"] == "engineTest:1"
    assert {"id": "SO-701", "role": "businessKey", "@referredType": "BusinessKey"} in flow[
        "relatedEntity"
    ]
    assert _events(session, "ProcessFlowCreateEvent")
    service.run(session, flow["id"])
    session.flush()

    # the flow now waits at the desk task "check": an active taskFlow
    tasks = client.get(f"{API}/processFlow/{flow['id']}/taskFlow", headers=admin)
    assert tasks.status_code == 200
    active = [t for t in tasks.json() if t["state"] == "active"]
    assert len(active) == 1 and active[0]["taskFlowSpecification"] == "check"
    assert active[0]["completionMethod"] == "manual"
    done = [t for t in tasks.json() if t["state"] == "completed"]
    assert "reserve" in {t["taskFlowSpecification"] for t in done}
    assert tasks.headers["X-Result-Count"] == str(len(tasks.json()))

    one = client.get(active[0]["href"].split("testserver")[-1], headers=admin)
    assert one.status_code == 200 and one.json()["id"] == active[0]["id"]

    # only "completed" may be set
    r = client.patch(
        f"{API}/processFlow/{flow['id']}/taskFlow/{active[0]['id']}",
        json={"state": "hold"},
        headers=admin,
    )
    assert r.status_code == 400 and "state" in r.json()["message"]
    # a task that already ran cannot change
    r = client.patch(
        f"{API}/processFlow/{flow['id']}/taskFlow/{done[0]['id']}",
        json={"state": "completed"},
        headers=admin,
    )
    assert r.status_code == 409
    r = client.patch(
        f"{API}/processFlow/{flow['id']}/taskFlow/{active[0]['id']}",
        json={"state": "completed", "characteristic": [{"name": "ok", "value": True}]},
        headers={**auth_headers("dispatcher"), "Content-Type": "application/merge-patch+json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "completed"
    assert {"name": "ok", "value": True} in r.json()["characteristic"]
    assert _events(session, "TaskFlowStateChangeEvent")
    session.expire_all()
    view = service.instance_view(session, flow["id"])
    assert view["data"]["ok"] is True and view["currentTaskIds"] == ["waitWorkOrder"]

    # the filters
    r = client.get(
        f"{API}/processFlow",
        params={"relatedEntity.id": "SO-701", "state": "active"},
        headers=admin,
    )
    assert r.headers["X-Total-Count"] == "1" and r.json()[0]["id"] == flow["id"]
    r = client.get(f"{API}/processFlow", params={"state": "completed"}, headers=admin)
    assert flow["id"] not in {f["id"] for f in r.json()}
    r = client.get(
        f"{API}/processFlow",
        params={"processFlowSpecification": "engineTest:1", "fields": "state"},
        headers=auth_headers("noc"),
    )
    assert r.status_code == 200
    assert set(r.json()[0]) == {"id", "href", "@type", "state"}

    # DELETE cancels with compensation; then the ended flow is kept (409)
    r = client.delete(f"{API}/processFlow/{flow['id']}", headers=admin)
    assert r.status_code == 204
    assert rec.names()[-2:] == ["deactivate", "unreserve"]
    got = client.get(f"{API}/processFlow/{flow['id']}", headers=admin).json()
    assert got["state"] == "cancelled"
    assert {"name": "engineStatus", "value": "cancelled"} in got["characteristic"]
    changes = _events(session, "ProcessFlowStateChangeEvent")
    assert any(e["event"]["processFlow"]["id"] == flow["id"] for e in changes)
    r = client.delete(f"{API}/processFlow/{flow['id']}", headers=admin)
    assert r.status_code == 409


def test_errors_and_roles(
    client: TestClient, auth_headers: Headers, session: Session, deployed: Any
) -> None:
    admin = auth_headers("admin")
    r = client.post(f"{API}/processFlow", json={}, headers=admin)
    assert r.status_code == 400 and "processFlowSpecification" in r.text
    r = client.post(f"{API}/processFlow", json={"processFlowSpecification": "nope"}, headers=admin)
    assert r.status_code == 400 and "processFlowSpecification" in r.text
    r = client.post(
        f"{API}/processFlow", json={"processFlowSpecification": "engineTest:x"}, headers=admin
    )
    assert r.status_code == 400
    r = client.post(
        f"{API}/processFlow",
        json={
            "processFlowSpecification": "engineTest",
            "characteristic": [{"name": "a", "value": 1}, {"name": "a", "value": 2}],
        },
        headers=admin,
    )
    assert r.status_code == 400 and "characteristic[1].name" in r.text
    assert client.get(f"{API}/processFlow?state=open", headers=admin).status_code == 400
    assert client.get(f"{API}/processFlow/nope", headers=admin).status_code == 404
    assert client.get(f"{API}/processFlow/nope/taskFlow", headers=admin).status_code == 404
    # writes need admin; a CSR reads nothing
    r = client.post(
        f"{API}/processFlow",
        json={"processFlowSpecification": "engineTest"},
        headers=auth_headers("dispatcher"),
    )
    assert r.status_code == 403
    assert client.get(f"{API}/processFlow", headers=auth_headers("csr")).status_code == 403
    # nothing was started by the refused requests
    assert service.list_instances(session)[1] == 0
    # a flow without a related entity is its own business key; unknown task → 404
    r = client.post(
        f"{API}/processFlow",
        json={
            "processFlowSpecification": "engineTest",
            "characteristic": [{"name": "mode", "value": "auto"}],
        },
        headers=admin,
    )
    assert r.status_code == 201
    flow = r.json()
    assert flow["relatedEntity"][0]["id"] == flow["id"]
    r = client.get(f"{API}/processFlow/{flow['id']}/taskFlow/nope", headers=admin)
    assert r.status_code == 404


def test_representation_names_match_the_spec() -> None:
    """Every attribute we send exists in the v4 ProcessFlow / TaskFlow definitions,
    and the states are the spec's enums."""
    from openboss.fulfilment.engine import tmf701

    spec = json.loads(SPEC.resolve().read_text())
    assert spec["basePath"].rstrip("/") == tmf701.BASE_PATH
    flow_props = set(spec["definitions"]["ProcessFlow"]["properties"])
    task_props = set(spec["definitions"]["TaskFlow"]["properties"])
    assert set(tmf701.FLOW_STATE.values()) <= set(
        spec["definitions"]["ProcessFlowStateType"]["enum"]
    )
    assert set(tmf701.TASK_STATE.values()) | {"active"} <= set(
        spec["definitions"]["TaskFlowStateType"]["enum"]
    )
    sent_flow = {
        "id",
        "href",
        "processFlowDate",
        "processFlowSpecification",
        "state",
        "characteristic",
        "relatedEntity",
        "taskFlow",
        "@type",
        "@schemaLocation",
    }
    sent_task = {
        "id",
        "href",
        "taskFlowSpecification",
        "completionMethod",
        "isMandatory",
        "priority",
        "state",
        "characteristic",
        "@type",
        "@schemaLocation",
    }
    assert sent_flow <= flow_props
    assert sent_task <= task_props
