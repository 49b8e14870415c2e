"""Book, reschedule, cancel: the slot is re-checked, the work order follows,
history is kept, events and the customer's SMS are in the outbox; 400, 404,
409 paths; partner scope (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from tests.workforce.appointments.conftest import (
    APPOINTMENTS,
    MERGE,
    ORDERS,
    SEARCH,
    World,
    booking,
    next_weekday,
    order_body,
    search_body,
    slot,
)

Headers = Callable[..., dict[str, str]]


def _order(client: TestClient, h: dict[str, str], world: World, **kw: Any) -> str:
    r = client.post(ORDERS, json=order_body(world, **kw), headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _events(session: Session, event_type: str) -> list[dict[str, Any]]:
    session.expire_all()
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == event_type).order_by(OutboxEvent.seq)
    )
    return [dict(r.payload) for r in rows]


def _offered(client: TestClient, h: dict[str, str], world: World, day: Any) -> list[str]:
    r = client.post(SEARCH, json=search_body(world, day), headers=h)
    return [s["validFor"]["startDateTime"] for s in r.json().get("availableTimeSlot", [])]


def test_book_reschedule_cancel_with_work_order(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    world.tech()
    h = auth_headers("csr")
    day = next_weekday(2)
    order = _order(client, auth_headers("dispatcher"), world)

    r = client.post(APPOINTMENTS, json=booking(world, day, 9, order), headers=h)
    assert r.status_code == 201, r.text
    appt = r.json()
    assert appt["status"] == "confirmed"
    assert r.headers["Location"].endswith(appt["id"])
    assert appt["relatedEntity"][0]["@referredType"] == "WorkOrder"
    assert appt["relatedPlace"]["id"] == world.address_id
    assert appt["history"][0]["action"] == "booked"
    # the work order holds the appointment and its window
    wo = client.get(f"{ORDERS}/{order}", headers=h).json()
    assert wo["appointment"]["id"] == appt["id"]
    assert wo["timeWindow"]["startDateTime"] == slot(day, 9)["startDateTime"]
    # the slot is gone; a second booking of it is refused
    assert slot(day, 9)["startDateTime"] not in _offered(client, h, world, day)
    again = client.post(APPOINTMENTS, json=booking(world, day, 9), headers=h)
    assert again.status_code == 409, again.text
    assert "no longer available" in again.text
    # a second appointment for the same work order is refused
    dup = client.post(APPOINTMENTS, json=booking(world, day, 14, order), headers=h)
    assert dup.status_code == 409
    # events and the customer's SMS
    assert _events(session, "AppointmentCreateEvent")
    sms = _events(session, "AppointmentNotification")
    assert len(sms) == 1
    text = orjson.dumps(sms[0]).decode()
    assert "13900001111" in text and "已确认" in text and "09:00-11:00" in text

    # reschedule to 14–16: re-checked, history kept, work order follows, SMS
    url = f"{APPOINTMENTS}/{appt['id']}"
    r = client.patch(url, json={"validFor": slot(day, 14)}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["validFor"]["startDateTime"] == slot(day, 14)["startDateTime"]
    assert [x["action"] for x in moved["history"]] == ["booked", "rescheduled"]
    wo = client.get(f"{ORDERS}/{order}", headers=h).json()
    assert wo["timeWindow"]["startDateTime"] == slot(day, 14)["startDateTime"]
    assert slot(day, 9)["startDateTime"] in _offered(client, h, world, day)
    sms = _events(session, "AppointmentNotification")
    assert len(sms) == 2 and "改约" in orjson.dumps(sms[1]).decode()
    assert _events(session, "AppointmentAttributeValueChangeEvent")

    # not a slot: 400; a taken slot: 409
    bad = {
        "startDateTime": slot(day, 9)["startDateTime"],
        "endDateTime": slot(day, 10)["startDateTime"],
    }
    r = client.patch(url, json={"validFor": bad}, headers={**h, **MERGE})
    assert r.status_code == 400 and "validFor" in r.text
    other = client.post(APPOINTMENTS, json=booking(world, day, 16), headers=h)
    assert other.status_code == 201
    r = client.patch(url, json={"validFor": slot(day, 16)}, headers={**h, **MERGE})
    assert r.status_code == 409

    # cancel: a reason is required; the work order loses its appointment
    r = client.patch(url, json={"status": "cancelled"}, headers={**h, **MERGE})
    assert r.status_code == 400 and "cancellationReason" in r.text
    r = client.patch(
        url,
        json={"status": "cancelled", "cancellationReason": "客户出差"},
        headers={**h, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["history"][-1] == {
        **r.json()["history"][-1],
        "action": "status",
        "from": "confirmed",
        "to": "cancelled",
        "reason": "客户出差",
    }
    wo = client.get(f"{ORDERS}/{order}", headers=h).json()
    assert "appointment" not in wo and "timeWindow" not in wo
    assert _events(session, "AppointmentStateChangeEvent")
    assert "已取消" in orjson.dumps(_events(session, "AppointmentNotification")[-1]).decode()
    # a cancelled appointment neither moves back nor reschedules
    r = client.patch(url, json={"status": "confirmed"}, headers={**h, **MERGE})
    assert r.status_code == 409
    r = client.patch(url, json={"validFor": slot(day, 11)}, headers={**h, **MERGE})
    assert r.status_code == 409
    # now the work order can be booked again
    r = client.post(APPOINTMENTS, json=booking(world, day, 14, order), headers=h)
    assert r.status_code == 201, r.text
    # delete: only closed appointments
    assert client.delete(f"{APPOINTMENTS}/{r.json()['id']}", headers=h).status_code == 409
    assert client.delete(url, headers=h).status_code == 204
    assert client.get(url, headers=h).status_code == 404


def test_status_moves(client: TestClient, auth_headers: Headers, world: World) -> None:
    world.tech()
    h = auth_headers("dispatcher")
    day = next_weekday(3)
    r = client.post(APPOINTMENTS, json=booking(world, day, 9, status="initialized"), headers=h)
    assert r.status_code == 201
    url = f"{APPOINTMENTS}/{r.json()['id']}"
    # an initialized appointment holds its slot too
    again = client.post(APPOINTMENTS, json=booking(world, day, 9), headers=h)
    assert again.status_code == 409
    assert (
        client.patch(url, json={"status": "completed"}, headers={**h, **MERGE}).status_code == 409
    )
    assert (
        client.patch(url, json={"status": "confirmed"}, headers={**h, **MERGE}).status_code == 200
    )
    assert client.patch(url, json={"status": "nonsense"}, headers={**h, **MERGE}).status_code == 400
    assert (
        client.patch(url, json={"status": "completed"}, headers={**h, **MERGE}).status_code == 200
    )
    assert client.patch(url, json={"status": "failed"}, headers={**h, **MERGE}).status_code == 409
    listed = client.get(APPOINTMENTS, params={"status": "completed"}, headers=h)
    assert [a["id"] for a in listed.json()] == [r.json()["id"]]


def test_booking_errors(client: TestClient, auth_headers: Headers, world: World) -> None:
    world.tech()
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    assert client.get(f"{APPOINTMENTS}/missing", headers=h).status_code == 404
    r = client.patch(
        f"{APPOINTMENTS}/missing", json={"status": "cancelled"}, headers={**h, **MERGE}
    )
    assert r.status_code == 404
    off_slot = booking(world, day, 9)
    off_slot["validFor"] = {
        "startDateTime": slot(day, 9)["startDateTime"],
        "endDateTime": slot(day, 16)["startDateTime"],
    }
    assert client.post(APPOINTMENTS, json=off_slot, headers=h).status_code == 400
    past = booking(world, day, 9)
    past["validFor"] = {
        "startDateTime": "2020-01-01T01:00:00Z",
        "endDateTime": "2020-01-01T03:00:00Z",
    }
    assert client.post(APPOINTMENTS, json=past, headers=h).status_code == 400
    assert (
        client.post(
            APPOINTMENTS, json={"relatedPlace": {"id": world.address_id}}, headers=h
        ).status_code
        == 400
    )
    no_one = booking(world, next_weekday(6), 9)  # nobody works on Sunday
    assert client.post(APPOINTMENTS, json=no_one, headers=h).status_code == 409
    unknown = booking(world, day, 9, requiredSkill={"skill": "juggling"})
    assert client.post(APPOINTMENTS, json=unknown, headers=h).status_code == 400
    extra = booking(world, day, 9, colour="red")
    assert client.post(APPOINTMENTS, json=extra, headers=h).status_code == 400
    # a closed work order takes no appointment
    order = _order(client, h, world)
    r = client.patch(f"{ORDERS}/{order}", json={"state": "cancelled"}, headers={**h, **MERGE})
    assert r.status_code == 200
    assert (
        client.post(APPOINTMENTS, json=booking(world, day, 9, order), headers=h).status_code == 409
    )
    # read-only attributes
    ok = client.post(APPOINTMENTS, json=booking(world, day, 11), headers=h)
    url = f"{APPOINTMENTS}/{ok.json()['id']}"
    assert client.patch(url, json={"regionId": "x"}, headers={**h, **MERGE}).status_code == 400
    # roles: a partner or the NOC may read but not book
    assert (
        client.post(
            APPOINTMENTS, json=booking(world, day, 14), headers=auth_headers("noc")
        ).status_code
        == 403
    )


def test_partner_sees_only_its_own_appointments(
    client: TestClient, auth_headers: Headers, world: World
) -> None:
    world.tech()
    world.tech(partner="PARTNER-1")
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    own = client.post(APPOINTMENTS, json=booking(world, day, 9), headers=h).json()["id"]
    p1_order = _order(client, h, world, partnerId="PARTNER-1")
    r = client.post(APPOINTMENTS, json=booking(world, day, 9, p1_order), headers=h)
    assert r.status_code == 201, r.text
    p1_appt = r.json()["id"]
    assert r.json()["partnerId"] == "PARTNER-1"
    p1 = auth_headers("partner", partner_id="PARTNER-1")
    p2 = auth_headers("partner", partner_id="PARTNER-2")
    assert [a["id"] for a in client.get(APPOINTMENTS, headers=p1).json()] == [p1_appt]
    assert client.get(APPOINTMENTS, headers=p2).json() == []
    assert client.get(f"{APPOINTMENTS}/{own}", headers=p1).status_code == 404
    assert client.get(f"{APPOINTMENTS}/{p1_appt}", headers=p2).status_code == 404
    assert client.get(f"{APPOINTMENTS}/{p1_appt}", headers=p1).status_code == 200
    # the partner's crew is full at 09:00 now; the operator's own still too
    again = client.post(APPOINTMENTS, json=booking(world, day, 9, partnerId="PARTNER-1"), headers=h)
    assert again.status_code == 409
    assert client.post(APPOINTMENTS, json=booking(world, day, 9), headers=h).status_code == 409


def test_the_appointment_follows_its_work_order_when_it_closes(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    world.tech()
    h = auth_headers("dispatcher")
    day = next_weekday(2)
    kept = _order(client, h, world)
    dropped = _order(client, h, world)
    first = client.post(APPOINTMENTS, json=booking(world, day, 9, kept), headers=h).json()
    second = client.post(APPOINTMENTS, json=booking(world, day, 14, dropped), headers=h).json()

    # the order goes ahead (in progress, then failed with a reason): its appointment fails too
    for patch in (
        {"state": "inProgress"},
        {"state": "failed", "failureReason": "customer not at home"},
    ):
        r = client.patch(f"{ORDERS}/{kept}", json=patch, headers={**h, **MERGE})
        assert r.status_code == 200, r.text
    followed = client.get(f"{APPOINTMENTS}/{first['id']}", headers=h).json()
    assert followed["status"] == "failed"
    assert followed["history"][-1]["workOrder"] == kept
    # the other order is cancelled: so is its appointment, with a reason
    r = client.patch(
        f"{ORDERS}/{dropped}",
        json={"state": "cancelled", "cancellationReason": "duplicate"},
        headers={**h, **MERGE},
    )
    assert r.status_code == 200, r.text
    gone = client.get(f"{APPOINTMENTS}/{second['id']}", headers=h).json()
    assert gone["status"] == "cancelled" and gone["cancellationReason"] == "work order cancelled"
    changes = [
        (e["event"]["appointment"]["id"], e["event"]["appointment"]["status"])
        for e in _events(session, "AppointmentStateChangeEvent")
    ]
    assert changes[-2:] == [(first["id"], "failed"), (second["id"], "cancelled")]
