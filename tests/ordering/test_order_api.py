"""TMF622 product orders through the API: create and accept, read, list,
idempotency, modification, hold and release, cancellation, deletion, scope
and roles, fulfilment reports (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.fulfilment import hooks
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.clock import utcnow
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.ordering.models import ProductOrder
from tests.ordering.conftest import (
    CANCELS,
    MERGE,
    ORDERS,
    World,
    item,
    open_account,
    order_body,
)
from tests.party.test_account_api import make_customer

Headers = Callable[..., dict[str, str]]


def _create(client: TestClient, h: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(ORDERS, json=body, headers=h)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _events(session: Session, ident: str) -> list[str]:
    session.expire_all()
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.resource_id == ident).order_by(OutboxEvent.seq)
    )
    return [r.event_type for r in rows]


def _path(href: str) -> str:
    return href.replace("http://testserver", "")


def test_create_accepts_and_hands_items_to_fulfilment(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    h = auth_headers("csr")
    body = order_body(
        world,
        item("1", "po-hbb-300m", address=world.ftth_address),
        item("2", "po-iptv-basic", address=world.ftth_address),
    )
    po = _create(client, h, body)
    assert po["@type"] == "ProductOrder"
    assert po["state"] == "inProgress"
    assert po["regionId"] == "330106-G01"
    assert [i["state"] for i in po["productOrderItem"]] == ["inProgress", "inProgress"]
    bb, tv = po["productOrderItem"]
    chars = {c["name"]: c["value"] for c in bb["product"]["productCharacteristic"]}
    assert chars["downloadSpeed"] == 300
    assert chars["accessAccount"].startswith("bb")
    assert "accessPassword" not in chars
    assert bb["product"]["id"]  # chosen by the order
    # IPTV relies on the broadband of the same address (implicit dependency)
    assert tv["productOrderItemRelationship"] == [{"id": "1", "relationshipType": "reliesOn"}]
    assert po["orderTotalPrice"][1]["price"]["taxIncludedAmount"] == {"unit": "CNY", "value": 149.0}
    assert client.get(_path(po["href"]), headers=h).json() == po
    orders = serviceorder.service_orders_of(session, po["id"])
    assert len(orders) == 2
    assert _events(session, po["id"])[:2] == [
        "ProductOrderCreateEvent",
        "ProductOrderStateChangeEvent",
    ]


def test_idempotency_key_replays_the_first_answer(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    h = {**auth_headers("csr"), "Idempotency-Key": "po-key-1"}
    first = client.post(ORDERS, json=order_body(world), headers=h)
    again = client.post(ORDERS, json=order_body(world), headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post(ORDERS, json=order_body(world, description="other"), headers=h)
    assert other.status_code == 409


def test_all_problems_in_one_400(client: TestClient, auth_headers: Headers, world: World) -> None:
    body = order_body(
        world,
        item("1", "po-hbb-100m", address=world.none_address),
        item("2", "po-hbb-300m", address=world.ftth_address, chars={"downloadSpeed": 5}),
    )
    r = client.post(ORDERS, json=body, headers=auth_headers("csr"))
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["code"] == "INVALID_FIELD"
    assert [p["field"] for p in err["details"]["problems"]] == [
        "productOrderItem[1].product.productCharacteristic[downloadSpeed]",
        "productOrderItem[0].product.place",
    ]
    assert "noCoverage" in err["message"]


def test_referred_credit_holds_the_order_until_released(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    customer = make_customer(session, region_id="330106-G01", documents=[])  # NO_DOCUMENT
    world.customer_id, world.account_id = customer, open_account(session, customer)
    h = auth_headers("csr")
    po = _create(client, h, order_body(world))
    assert po["state"] == "held"
    assert "NO_DOCUMENT" not in po["stateReason"] and "no identity document" in po["stateReason"]
    assert serviceorder.service_orders_of(session, po["id"]) == []
    r = client.patch(_path(po["href"]), json={"state": "inProgress"}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "inProgress"
    assert len(serviceorder.service_orders_of(session, po["id"])) == 1


def test_rejected_credit_is_a_409(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    customer = make_customer(session, region_id="330106-G01", blacklisted=True)
    world.customer_id, world.account_id = customer, open_account(session, customer)
    r = client.post(ORDERS, json=order_body(world), headers=auth_headers("csr"))
    assert r.status_code == 409
    assert r.json()["code"] == "CREDIT_REJECTED"
    assert session.scalars(select(ProductOrder)).first() is None


def test_a_pending_order_is_modified_then_cancelled(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    h = auth_headers("csr")
    later = (utcnow() + timedelta(days=3)).isoformat()
    po = _create(client, h, order_body(world, requestedStartDate=later))
    assert po["state"] == "pending"
    change = {
        "productOrderItem": [
            item("1", "po-hbb-1000m", address=world.ftth_address),
            item("2", "po-mobile-5g-59"),
        ]
    }
    r = client.patch(_path(po["href"]), json=change, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert [i["productOffering"]["id"] for i in changed["productOrderItem"]] == [
        "po-hbb-1000m",
        "po-mobile-5g-59",
    ]
    recurring = next(t for t in changed["orderTotalPrice"] if t["priceType"] == "recurring")
    assert recurring["price"]["taxIncludedAmount"]["value"] == 258.0  # 199 + 59
    bad = client.patch(
        _path(po["href"]),
        json={"productOrderItem": [item("1", "po-hbb-1000m", address=world.none_address)]},
        headers={**h, **MERGE},
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "productOrderItem[0].product.place"
    r = client.post(
        CANCELS,
        json={"productOrder": {"id": po["id"]}, "cancellationReason": "changed my mind"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    cancel = r.json()
    assert (cancel["state"], cancel["@type"]) == ("done", "CancelProductOrder")
    got = client.get(_path(po["href"]), headers=h).json()
    assert got["state"] == "cancelled"
    assert got["cancellationReason"] == "changed my mind"
    assert all(i["state"] == "cancelled" for i in got["productOrderItem"])
    assert client.get(_path(cancel["href"]), headers=h).json() == cancel
    listed = client.get(CANCELS, headers=h, params={"productOrder.id": po["id"]})
    assert [c["id"] for c in listed.json()] == [cancel["id"]]
    assert client.delete(_path(po["href"]), headers=h).status_code == 204
    assert client.get(_path(po["href"]), headers=h).status_code == 404


def test_items_of_a_started_order_do_not_change(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    h = auth_headers("csr")
    po = _create(client, h, order_body(world))
    r = client.patch(
        _path(po["href"]),
        json={"productOrderItem": [item("1", "po-hbb-100m", address=world.ftth_address)]},
        headers={**h, **MERGE},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "NOT_MODIFIABLE"
    assert client.delete(_path(po["href"]), headers=h).status_code == 409
    r = client.patch(_path(po["href"]), json={"state": "completed"}, headers={**h, **MERGE})
    assert r.status_code == 409


def test_cancelling_an_order_in_progress_cancels_its_service_orders(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    h = auth_headers("csr")
    po = _create(client, h, order_body(world))
    r = client.patch(
        _path(po["href"]),
        json={"state": "cancelled", "cancellationReason": "moving"},
        headers={**h, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "cancelled"
    states = [o["state"] for o in serviceorder.service_orders_of(session, po["id"])]
    assert states == ["cancelled"]
    events = _events(session, po["id"])
    assert "ProductOrderStateChangeEvent" in events


def test_fulfilment_reports_close_the_order(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    h = auth_headers("csr")
    po = _create(
        client,
        h,
        order_body(
            world,
            item("1", "po-hbb-300m", address=world.ftth_address),
            item("2", "po-mobile-5g-59"),
        ),
    )
    hooks.item_closed(session, po["id"], "1", "completed", {})
    assert client.get(_path(po["href"]), headers=h).json()["state"] == "inProgress"
    hooks.item_closed(session, po["id"], "2", "failed", {"reason": "no SIM"})
    got = client.get(_path(po["href"]), headers=h).json()
    assert got["state"] == "partial"
    assert [i["state"] for i in got["productOrderItem"]] == ["completed", "failed"]
    assert got["completionDate"]
    r = client.post(CANCELS, json={"productOrder": {"id": po["id"]}}, headers=h)
    assert r.status_code == 409
    assert "partial" in r.json()["message"]


def test_a_completed_order_cannot_be_cancelled(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    h = auth_headers("csr")
    po = _create(client, h, order_body(world))
    hooks.item_closed(session, po["id"], "1", "completed", {})
    hooks.item_closed(session, po["id"], "1", "completed", {})  # reported twice: once
    assert client.get(_path(po["href"]), headers=h).json()["state"] == "completed"
    r = client.post(CANCELS, json={"productOrder": {"id": po["id"]}}, headers=h)
    assert r.status_code == 409
    assert r.json()["code"] == "NOT_CANCELLABLE"


def test_list_filters_and_scope(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    po = _create(client, auth_headers("csr"), order_body(world))
    h = auth_headers("noc")
    r = client.get(ORDERS, headers=h, params={"state": "inProgress", "fields": "state"})
    assert r.status_code == 200
    assert r.json() == [
        {"id": po["id"], "href": po["href"], "@type": "ProductOrder", "state": "inProgress"}
    ]
    assert r.headers["X-Total-Count"] == "1"
    by_customer = client.get(ORDERS, headers=h, params={"relatedParty.id": world.customer_id})
    assert [o["id"] for o in by_customer.json()] == [po["id"]]
    other_region = auth_headers("csr", regions=["330105"])
    assert client.get(ORDERS, headers=other_region).json() == []
    assert client.get(_path(po["href"]), headers=other_region).status_code == 404
    partner = auth_headers("partner", partner_id="PARTNER-1")
    assert client.get(ORDERS, headers=partner).status_code == 403
    assert (
        client.post(ORDERS, json=order_body(world), headers=auth_headers("noc")).status_code == 403
    )
    bv = client.get(f"/api/ordering/v1/productOrders/{po['id']}/businessView", headers=h)
    assert bv.status_code == 200, bv.text
    view = bv.json()
    assert view["state"] == "inProgress"
    assert view["items"][0]["milestones"][0]["name"] == "serviceOrderCreated"
    assert view["sla"]["state"] == "running"
    assert view["secondsLeft"] > 0


@pytest.mark.parametrize("reader", ["dispatcher", "manager", "admin"])
def test_readers(client: TestClient, auth_headers: Headers, reader: str) -> None:
    assert client.get(ORDERS, headers=auth_headers(reader)).status_code == 200


def test_a_pending_order_starts_when_its_timer_fires(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    from openboss.ordering import service
    from openboss.worker import jobs

    later = utcnow() + timedelta(days=2)
    po = _create(
        client, auth_headers("csr"), order_body(world, requestedStartDate=later.isoformat())
    )
    assert po["state"] == "pending"
    queued, total = jobs.list_jobs(session, kind=service.START_JOB)
    assert total == 1 and queued[0].run_at >= later.replace(microsecond=0)
    handler = jobs.handler_for(service.START_JOB)
    assert handler is not None
    handler(session, {"productOrderId": po["id"]})
    handler(session, {"productOrderId": po["id"]})  # a second firing does nothing
    got = client.get(_path(po["href"]), headers=auth_headers("csr")).json()
    assert got["state"] == "inProgress"
    assert len(serviceorder.service_orders_of(session, po["id"])) == 1


def test_an_appointment_milestone_is_told_to_the_customer(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    from openboss.engagement.communication.models import CommunicationMessage
    from openboss.fulfilment.contracts import Milestone

    po = _create(client, auth_headers("csr"), order_body(world))
    hooks.milestone(
        session,
        po["id"],
        Milestone(
            "1",
            "appointmentBooked",
            "2026-11-23T01:00:00Z",
            holder="team-1",
            detail={"when": "2026-11-23 09:00-11:00", "address": "翠苑一区 1幢"},
        ),
    )
    session.expire_all()
    sent = session.scalars(
        select(CommunicationMessage).where(CommunicationMessage.template == "order.appointment")
    ).all()
    assert len(sent) == 1
    assert "2026-11-23 09:00-11:00" in sent[0].content
    templates = {m.template for m in session.scalars(select(CommunicationMessage)).all()}
    assert {"order.acknowledged", "order.accessCredentials", "order.appointment"} <= templates


def test_a_regional_agent_orders_inside_their_region_only(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    xihu = auth_headers("csr", regions=["330106"])
    po = _create(client, xihu, order_body(world))
    assert po["regionId"] == "330106-G01"
    assert client.get(_path(po["href"]), headers=xihu).status_code == 200
    gongshu = auth_headers("csr", regions=["330105"])
    r = client.post(ORDERS, json=order_body(world), headers=gongshu)
    assert r.status_code == 400, r.text  # neither the customer nor the address exist for them
    problems = {p["field"] for p in r.json()["details"]["problems"]}
    assert {"relatedParty[0].id", "productOrderItem[0].product.place[0].id"} <= problems


def test_the_service_is_idempotent_with_a_key(session: Session, world: World, flows: None) -> None:
    from openboss.kit.errors import Conflict
    from openboss.kit.scope import SYSTEM_SCOPE
    from openboss.ordering import service
    from openboss.ordering.schemas import ProductOrderCreate

    data = ProductOrderCreate.model_validate(order_body(world))
    first = service.create_order(session, SYSTEM_SCOPE, data, idempotency_key="w-1", actor="u1")
    again = service.create_order(session, SYSTEM_SCOPE, data, idempotency_key="w-1", actor="u1")
    assert first["id"] == again["id"]
    assert len(session.scalars(select(ProductOrder)).all()) == 1
    other = ProductOrderCreate.model_validate(order_body(world, description="another"))
    with pytest.raises(Conflict):
        service.create_order(session, SYSTEM_SCOPE, other, idempotency_key="w-1", actor="u1")


def test_without_a_contact_the_customer_phone_is_used(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    import random

    from openboss.party import demodata
    from openboss.party.customer import party_service
    from openboss.party.customer import service as customer_service
    from openboss.party.customer.schemas import CustomerCreate, IndividualCreate

    p = demodata.person(random.Random(5), "330106")
    party = party_service.create_party(
        session,
        "individual",
        IndividualCreate.model_validate(
            {
                "familyName": p.family_name,
                "givenName": p.given_name,
                "individualIdentification": [
                    {"identificationType": "residentIdCard", "identificationId": p.resident_id}
                ],
                "contactMedium": [
                    {
                        "mediumType": "phone",
                        "preferred": True,
                        "characteristic": {"phoneNumber": "13912345678"},
                    }
                ],
            }
        ),
        "http://testserver",
    )
    customer = customer_service.create_customer(
        session,
        SYSTEM_SCOPE,
        CustomerCreate.model_validate(
            {
                "name": p.family_name + p.given_name,
                "engagedParty": {"id": party.party.id, "@referredType": "Individual"},
                "status": "active",
                "customerType": "household",
                "regionId": "330106-G01",
            }
        ),
        "http://testserver",
    ).customer.id
    world.customer_id, world.account_id = customer, open_account(session, customer)
    body = order_body(world)
    del body["notificationContact"]
    po = _create(client, auth_headers("csr"), body)
    assert po["notificationContact"] == "+8613912345678"
