"""Partner work orders: a partner's users and systems see and move only their
own company's orders, and their hub listeners receive only those orders'
events (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.dispatch import fan_out
from openboss.events.models import EventDelivery, HubSubscription, OutboxEvent
from openboss.kit.clock import utcnow
from openboss.workforce.models import BASE_PATH
from tests.workforce.orders.conftest import MERGE, ORDERS, World, order_body

Headers = Callable[..., dict[str, str]]


def _create(client: TestClient, h: dict[str, str], body: dict[str, Any]) -> str:
    r = client.post(ORDERS, json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_partner_sees_and_moves_only_its_orders(
    client: TestClient,
    auth_headers: Headers,
    world: World,
    closed_calls: list[tuple[str, str]],
) -> None:
    ops = auth_headers("dispatcher")
    own = _create(client, ops, order_body(world))
    p1_order = _create(client, ops, order_body(world, partnerId="PARTNER-1"))
    p2_order = _create(client, ops, order_body(world, partnerId="PARTNER-2"))
    p1 = auth_headers("partner", partner_id="PARTNER-1")
    p1_system = auth_headers("partner", name="partner1-system", partner_id="PARTNER-1")

    listed = client.get(ORDERS, headers=p1)
    assert [w["id"] for w in listed.json()] == [p1_order]
    assert listed.headers["X-Total-Count"] == "1"
    for other in (own, p2_order):
        assert client.get(f"{ORDERS}/{other}", headers=p1).status_code == 404
        r = client.patch(
            f"{ORDERS}/{other}", json={"fieldState": "accepted"}, headers={**p1, **MERGE}
        )
        assert r.status_code == 404
        assert client.delete(f"{ORDERS}/{other}", headers=p1).status_code == 404

    # the partner dispatches its own technician, moves through the field, completes
    def patch(body: dict[str, Any], h: dict[str, str] = p1) -> Any:
        return client.patch(f"{ORDERS}/{p1_order}", json=body, headers={**h, **MERGE})

    assert patch({"assignee": {"id": world.own_tech}}).status_code == 400
    assert patch({"assignee": {"id": world.p2_tech}}).status_code == 400
    assert patch({"assignee": {"id": world.p1_tech}}).status_code == 200
    r = patch({"priority": "1"})
    assert r.status_code == 403 and "priority" in r.text
    assert patch({"partnerId": "PARTNER-2"}).status_code == 403
    for step in ("accepted", "enRoute", "onSite"):
        assert patch({"fieldState": step}, p1_system).status_code == 200
    items = [
        {"id": "1", "action": "add", "characteristic": [{"name": "ontSerial", "value": "HWTC0001"}]}
    ]
    r = patch({"state": "completed", "workOrderItem": items}, p1_system)
    assert r.status_code == 200, r.text
    assert closed_calls == [(p1_order, "completed")]
    # the operator still sees everything
    assert client.get(ORDERS, headers=ops).headers["X-Total-Count"] == "3"
    # a partner cannot create orders for another partner
    r = client.post(ORDERS, json=order_body(world, partnerId="PARTNER-2"), headers=p1)
    assert r.status_code == 403


def test_partner_hub_listener_receives_only_its_orders_events(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    ops = auth_headers("dispatcher")
    hub = f"{BASE_PATH}/hub"
    subs = {}
    for name, h in {
        "p1": auth_headers("partner", partner_id="PARTNER-1"),
        "p2": auth_headers("partner", partner_id="PARTNER-2"),
        "ops": ops,
    }.items():
        r = client.post(hub, json={"callback": f"http://127.0.0.1:9/{name}"}, headers=h)
        assert r.status_code == 201, r.text
        subs[name] = r.json()["id"]
    own = _create(client, ops, order_body(world))
    p1_order = _create(client, ops, order_body(world, partnerId="PARTNER-1"))
    r = client.patch(
        f"{ORDERS}/{p1_order}", json={"assignee": {"id": world.p1_tech}}, headers={**ops, **MERGE}
    )
    assert r.status_code == 200

    session.expire_all()
    events = list(
        session.scalars(
            select(OutboxEvent).where(OutboxEvent.api == BASE_PATH).order_by(OutboxEvent.seq)
        )
    )
    assert {(e.resource_id, e.partner_id) for e in events} == {(own, None), (p1_order, "PARTNER-1")}
    listeners = list(
        session.scalars(select(HubSubscription).where(HubSubscription.api == BASE_PATH))
    )
    for event in events:
        fan_out(session, event, max_attempts=3, now=utcnow(), listeners=listeners)
    session.flush()
    got: dict[str, set[tuple[str, str]]] = {}
    for sub_id, payload in session.execute(
        select(EventDelivery.subscription_id, OutboxEvent.payload).join(
            OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq
        )
    ):
        got.setdefault(sub_id, set()).add(
            (payload["eventType"], payload["event"]["workOrder"]["id"])
        )
    assert got.get(subs["p1"]) == {
        ("WorkOrderCreateEvent", p1_order),
        ("WorkOrderAttributeValueChangeEvent", p1_order),
    }
    assert subs["p2"] not in got
    assert {i for _, i in got[subs["ops"]]} == {own, p1_order}
