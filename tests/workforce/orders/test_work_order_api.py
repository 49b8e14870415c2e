"""TMF697 work orders through the API: create, read, list, state machine,
field sub-states, assignment rules, completion data, deletion, events and the
closed-order hook (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.workforce.models import WorkOrderEvent
from tests.workforce.orders.conftest import MERGE, ORDERS, World, order_body

Headers = Callable[..., dict[str, str]]


def _create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(ORDERS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _patch(client: TestClient, headers: dict[str, str], ident: str, body: dict[str, Any]) -> Any:
    return client.patch(f"{ORDERS}/{ident}", json=body, headers={**headers, **MERGE})


def _events(session: Session, ident: str) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.resource_id == ident).order_by(OutboxEvent.seq)
    )
    return [r.event_type for r in rows]


def test_create_copies_place_and_answers_location(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    h = auth_headers("dispatcher")
    r = client.post(ORDERS, json=order_body(world), headers=h)
    assert r.status_code == 201, r.text
    wo = r.json()
    assert r.headers["Location"] == wo["href"]
    assert wo["@type"] == "WorkOrder"
    assert wo["state"] == "acknowledged"
    assert wo["workOrderKind"] == "installation"
    assert wo["place"]["id"] == world.address_id
    assert wo["place"]["@referredType"] == "GeographicAddress"
    assert "文三路" in wo["place"]["name"]
    assert float(wo["location"]["latitude"]) == 30.29
    assert wo["regionId"] == "330106-G01"  # the address's region
    assert wo["relatedEntity"][0] == {
        "id": "PO-1001",
        "role": "productOrder",
        "@referredType": "ProductOrder",
    }
    assert wo["workOrderItem"][0]["state"] == "acknowledged"
    assert client.get(wo["href"].replace("http://testserver", ""), headers=h).json() == wo
    assert _events(session, wo["id"]) == ["WorkOrderCreateEvent"]


def test_create_is_idempotent_with_a_key(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = {**auth_headers("dispatcher"), "Idempotency-Key": "wo-key-1"}
    first = client.post(ORDERS, json=order_body(world), headers=h)
    again = client.post(ORDERS, json=order_body(world), headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post(ORDERS, json=order_body(world, priority="1"), headers=h)
    assert other.status_code == 409


def test_create_validation_names_the_field(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    cases = {
        "place.id": order_body(world, place={"id": "no-such-address"}),
        "requiredSkill[0].skill": order_body(world, requiredSkill=[{"skill": "juggling"}]),
        "partnerId": order_body(world, partnerId="PARTNER-9"),
        "assignee.id": order_body(world, assignee={"id": "nobody"}),
    }
    for field, body in cases.items():
        r = client.post(ORDERS, json=body, headers=h)
        assert r.status_code == 400, (field, r.text)
        assert field in r.text, (field, r.text)
    bad_kind = order_body(world, workOrderKind="painting")
    assert client.post(ORDERS, json=bad_kind, headers=h).status_code == 400
    no_items = order_body(world, workOrderItem=[])
    assert client.post(ORDERS, json=no_items, headers=h).status_code == 400
    assert (
        client.post(ORDERS, json=order_body(world), headers=auth_headers("csr")).status_code == 403
    )


def test_list_filters_fields_and_counts(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    a = _create(client, h, order_body(world))
    _create(client, h, order_body(world, workOrderKind="repair", priority="1"))
    r = client.get(ORDERS, params={"workOrderKind": "installation"}, headers=h)
    assert r.status_code == 200
    assert [w["id"] for w in r.json()] == [a["id"]]
    assert r.headers["X-Total-Count"] == "1"
    r = client.get(ORDERS, params={"relatedEntity.id": "PO-1001", "fields": "state"}, headers=h)
    assert r.headers["X-Total-Count"] == "2"
    assert set(r.json()[0]) == {"id", "href", "@type", "state"}
    r = client.get(ORDERS, params={"limit": "1", "sort": "priority"}, headers=h)
    assert r.headers["X-Result-Count"] == "1" and r.json()[0]["priority"] == "1"
    assert client.get(ORDERS, params={"colour": "red"}, headers=h).status_code == 400
    assert client.get(f"{ORDERS}/missing", headers=h).status_code == 404


def test_illegal_state_move_is_409_naming_both_states(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("dispatcher")
    wo = _create(client, h, order_body(world))
    r = _patch(client, h, wo["id"], {"state": "completed"})
    assert r.status_code == 409
    assert "acknowledged" in r.text and "completed" in r.text
    r = _patch(client, h, wo["id"], {"state": "finished"})
    assert r.status_code == 400 and "state" in r.text
    r = _patch(client, h, wo["id"], {"workOrderItem": None})
    assert r.status_code == 400 and "workOrderItem" in r.text
    r = _patch(client, h, wo["id"], {"orderDate": "2020-01-01T00:00:00Z"})
    assert r.status_code == 400 and "orderDate" in r.text


def test_field_sub_states_are_recorded_and_start_the_order(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    h = auth_headers("dispatcher")
    wo = _create(client, h, order_body(world))
    r = _patch(client, h, wo["id"], {"fieldState": "accepted"})
    assert r.status_code == 409  # nobody assigned yet
    r = _patch(client, h, wo["id"], {"assignee": {"id": world.own_tech}})
    assert r.status_code == 200, r.text
    assert r.json()["fieldState"] == "dispatched"
    assert r.json()["assignee"] == {"id": world.own_tech, "name": "Tech E001"}
    r = _patch(client, h, wo["id"], {"fieldState": "onSite"})
    assert r.status_code == 409 and "dispatched" in r.text
    for step in ("accepted", "enRoute"):
        r = _patch(client, h, wo["id"], {"fieldState": step})
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "inProgress" and "startDate" in r.json()
    r = _patch(client, h, wo["id"], {"fieldState": "onSite"})
    assert r.json()["fieldState"] == "onSite"
    moves = [
        (e.from_state, e.to_state, e.from_field_state, e.to_field_state, e.actor)
        for e in session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == wo["id"])
            .order_by(WorkOrderEvent.id)
        )
    ]
    assert moves == [
        (None, "acknowledged", None, None, "tester"),
        ("acknowledged", "acknowledged", None, "dispatched", "tester"),
        ("acknowledged", "acknowledged", "dispatched", "accepted", "tester"),
        ("acknowledged", "inProgress", "accepted", "enRoute", "tester"),
        ("inProgress", "inProgress", "enRoute", "onSite", "tester"),
    ]
    assert "WorkOrderStateChangeEvent" in _events(session, wo["id"])


def test_assignment_rules(client: TestClient, auth_headers: Headers, world: World) -> None:
    h = auth_headers("dispatcher")
    wo = _create(client, h, order_body(world))
    r = _patch(client, h, wo["id"], {"assignee": {"id": world.own_novice}})
    assert r.status_code == 400 and "ftthInstall" in r.text
    r = _patch(client, h, wo["id"], {"assignee": {"id": world.p1_tech}})
    assert r.status_code == 400 and "assignee.id" in r.text
    day = wo["timeWindow"]["startDateTime"][:10]
    leave = client.post(
        f"/api/workforce/v1/technician/{world.own_tech}/leave",
        json={"startDate": day, "endDate": day, "reason": "sick"},
        headers=h,
    )
    assert leave.status_code == 201, leave.text
    r = _patch(client, h, wo["id"], {"assignee": {"id": world.own_tech}})
    assert r.status_code == 409 and "leave" in r.text
    sunday = order_body(world)
    start = sunday["timeWindow"]["startDateTime"]
    from datetime import datetime, timedelta

    sun = datetime.fromisoformat(start) + timedelta(
        days=(6 - datetime.fromisoformat(start).weekday())
    )
    sunday["timeWindow"] = {"startDateTime": sun.isoformat()}
    wo2 = _create(client, h, sunday)
    r = _patch(client, h, wo2["id"], {"assignee": {"id": world.own_tech}})
    assert r.status_code == 409 and "working day" in r.text


def _to_on_site(client: TestClient, h: dict[str, str], ident: str, tech: str) -> None:
    assert _patch(client, h, ident, {"assignee": {"id": tech}}).status_code == 200
    for step in ("accepted", "enRoute", "onSite"):
        r = _patch(client, h, ident, {"fieldState": step})
        assert r.status_code == 200, r.text


def test_completion_needs_the_kinds_characteristics(
    client: TestClient,
    auth_headers: Headers,
    world: World,
    session: Session,
    closed_calls: list[tuple[str, str]],
) -> None:
    h = auth_headers("dispatcher")
    wo = _create(client, h, order_body(world))
    _to_on_site(client, h, wo["id"], world.own_tech)
    r = _patch(client, h, wo["id"], {"state": "completed"})
    assert r.status_code == 400 and "ontSerial" in r.text
    assert closed_calls == []
    items = [
        {
            "id": "1",
            "action": "add",
            "characteristic": [
                {"name": "ontSerial", "value": "ZTEG12345678"},
                {"name": "notes", "value": "fibre via stairwell"},
            ],
            "attachment": [{"name": "ont.jpg", "url": "https://files.example/ont.jpg"}],
        }
    ]
    r = _patch(client, h, wo["id"], {"state": "completed", "workOrderItem": items})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "completed" and "completionDate" in done
    assert done["workOrderItem"][0]["state"] == "completed"
    assert closed_calls == [(wo["id"], "completed")]
    # no move out of a final state; listeners are not called again
    assert _patch(client, h, wo["id"], {"state": "inProgress"}).status_code == 409
    assert _patch(client, h, wo["id"], {"description": "x"}).status_code == 200
    assert closed_calls == [(wo["id"], "completed")]
    assert _events(session, wo["id"]).count("WorkOrderStateChangeEvent") == 2


def test_dial_test_result_must_be_pass_or_fail(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    h = auth_headers("noc")
    wo = _create(client, h, order_body(world, workOrderKind="remoteDialTest", requiredSkill=[]))
    assert _patch(client, h, wo["id"], {"state": "inProgress"}).status_code == 200

    def items(value: str) -> list[dict[str, Any]]:
        return [
            {
                "id": "1",
                "action": "add",
                "characteristic": [{"name": "dialTestResult", "value": value}],
            }
        ]

    r = _patch(client, h, wo["id"], {"state": "completed", "workOrderItem": items("maybe")})
    assert r.status_code == 400 and "dialTestResult" in r.text
    r = _patch(client, h, wo["id"], {"state": "completed", "workOrderItem": items("pass")})
    assert r.status_code == 200


def test_failing_needs_a_reason_and_resumes_the_process(
    client: TestClient,
    auth_headers: Headers,
    world: World,
    closed_calls: list[tuple[str, str]],
) -> None:
    h = auth_headers("dispatcher")
    wo = _create(client, h, order_body(world))
    _to_on_site(client, h, wo["id"], world.own_tech)
    r = _patch(client, h, wo["id"], {"state": "failed"})
    assert r.status_code == 400 and "failureReason" in r.text
    r = _patch(client, h, wo["id"], {"state": "failed", "failureReason": "customer absent"})
    assert r.status_code == 200
    assert r.json()["failureReason"] == "customer absent"
    assert closed_calls == [(wo["id"], "failed")]


def test_cancellation_path_and_hook(
    client: TestClient,
    auth_headers: Headers,
    world: World,
    closed_calls: list[tuple[str, str]],
) -> None:
    h = auth_headers("manager")
    wo = _create(client, h, order_body(world))
    for state in ("pending", "held", "assessingCancellation", "pendingCancellation"):
        r = _patch(client, h, wo["id"], {"state": state})
        assert r.status_code == 200, r.text
    assert closed_calls == []
    r = _patch(client, h, wo["id"], {"state": "cancelled", "cancellationReason": "order withdrawn"})
    assert r.status_code == 200
    assert "cancellationDate" in r.json()
    assert closed_calls == [(wo["id"], "cancelled")]


def test_delete_only_never_started(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    h = auth_headers("dispatcher")
    fresh = _create(client, h, order_body(world))
    started = _create(client, h, order_body(world))
    _to_on_site(client, h, started["id"], world.own_tech)
    r = client.delete(f"{ORDERS}/{started['id']}", headers=h)
    assert r.status_code == 409 and "inProgress" in r.text
    assert client.delete(f"{ORDERS}/{fresh['id']}", headers=h).status_code == 204
    assert client.get(f"{ORDERS}/{fresh['id']}", headers=h).status_code == 404
    assert client.delete(f"{ORDERS}/{fresh['id']}", headers=h).status_code == 404
    assert _events(session, fresh["id"]) == ["WorkOrderCreateEvent", "WorkOrderDeleteEvent"]
