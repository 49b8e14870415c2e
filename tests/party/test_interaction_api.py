"""TMF683 party interactions end to end, on SQLite and PostgreSQL: create, read,
list with filters and fields, merge patch with the status machine, delete,
hub, region scope (eTOM 1.1.1.2 customer interface management)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.events.models import OutboxEvent
from openboss.kit.clock import utcnow
from openboss.kit.ids import new_id
from openboss.party.customer.models import Customer
from openboss.party.interaction.taxonomy import seed_default_reasons
from openboss.party.region import service as region_service

BASE = "/tmf-api/partyInteraction/v4"
ITEMS = f"{BASE}/partyInteraction"
TASKS = "/api/party/v1/partyInteraction"
MERGE = {"Content-Type": "application/merge-patch+json"}
WEST, RIVER = "330106", "330108"

Headers = Callable[..., dict[str, str]]


def seed_world(session: Session) -> dict[str, str]:
    """Regions, the default reasons and two customers (one per district)."""
    region_service.create_region(
        session, id="330000", parent_id=None, level="province", name="浙江省"
    )
    region_service.create_region(
        session, id="330100", parent_id="330000", level="city", name="杭州市"
    )
    for code, name in ((WEST, "西湖区"), (RIVER, "滨江区")):
        region_service.create_region(
            session, id=code, parent_id="330100", level="district", name=name
        )
    seed_default_reasons(session)
    customers = {
        "west": add_customer(session, "李雷", WEST),
        "river": add_customer(session, "韩梅梅", RIVER),
    }
    session.commit()
    return customers


def add_customer(session: Session, name: str, region: str) -> str:
    """A customer row (the customer domain's own API is tested in its tests)."""
    now = utcnow()
    row = Customer(
        id=new_id(),
        name=name,
        search_name=name,
        status="active",
        customer_type="household",
        engaged_party_id=new_id(),
        engaged_party_type="Individual",
        region_id=region,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    return seed_world(session)


@pytest.fixture
def csr(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("csr", regions=[WEST], name="amy")


def body(customer_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "description": "宽带无法上网",
        "direction": "inbound",
        "reason": "fault.noService",
        "status": "open",
        "channel": [{"id": "callCentre"}],
        "interactionDate": {"startDateTime": "2024-05-01T08:00:00+08:00"},
        "note": [{"text": "客户来电，光猫红灯"}],
    }
    if customer_id is not None:
        item["relatedParty"] = [
            {"id": customer_id, "role": "customer", "@referredType": "Customer"}
        ]
    item.update(overrides)
    return item


def create(client: TestClient, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    r = client.post(ITEMS, json=body(**kw), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def events_of(session: Session, ident: str) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.resource_id == ident)
            .order_by(OutboxEvent.seq)
        )
    )


# --------------------------------------------------------------------------- create and read


def test_create_with_a_customer_takes_the_customers_region(
    client: TestClient, csr: dict[str, str], world: dict[str, str], session: Session
) -> None:
    r = client.post(ITEMS, json=body(world["west"]), headers=csr)
    assert r.status_code == 201, r.text
    item = r.json()
    assert r.headers["Location"] == f"http://testserver{ITEMS}/{item['id']}" == item["href"]
    assert item["@type"] == "PartyInteraction"
    assert item["status"] == "open"
    assert item["direction"] == "inbound"
    assert item["reason"] == "fault.noService"
    assert item["channel"] == [
        {"id": "callCentre", "name": "Call centre", "@referredType": "Channel"}
    ]
    assert item["interactionDate"] == {"startDateTime": "2024-05-01T00:00:00.000Z"}
    assert item["relatedParty"] == [
        {"id": world["west"], "name": "李雷", "role": "customer", "@referredType": "Customer"}
    ]
    assert item["regionId"] == WEST
    assert item["handledBy"] == "amy"
    assert item["escalated"] is False
    assert item["note"][0]["author"] == "amy" and item["note"][0]["id"]
    assert "outcome" not in item and "closure" not in item
    assert client.get(f"{ITEMS}/{item['id']}", headers=csr).json() == item
    assert events_of(session, item["id"]) == ["PartyInteractionCreateEvent"]


def test_anonymous_contact_needs_a_region(
    client: TestClient, auth_headers: Headers, world: dict[str, str]
) -> None:
    admin = auth_headers("admin")
    r = client.post(ITEMS, json=body(), headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "regionId")
    r = client.post(ITEMS, json=body(regionId="999999"), headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "regionId")
    item = create(client, admin, regionId=RIVER)
    assert item["regionId"] == RIVER and "relatedParty" not in item
    # a single-region csr gets their region
    item = create(client, auth_headers("csr", regions=[WEST]))
    assert item["regionId"] == WEST


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "no.such.reason"}, "reason"),
        ({"channel": [{"id": "pigeon"}]}, "channel.0.id"),
        ({"channel": []}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"status": "cancelled"}, "status"),
        ({"outcome": "resolved"}, "outcome"),
        ({"status": "completed", "outcome": "bogus"}, "outcome"),
        ({"relatedParty": [{"id": "nobody", "role": "customer", "@referredType": "Customer"}]},
         "relatedParty.0.id"),
        ({"interactionDate": {"startDateTime": "2024-05-02T00:00:00Z",
                              "endDateTime": "2024-05-01T00:00:00Z"}}, "interactionDate"),
        ({"regionId": RIVER}, "regionId"),
        ({"colour": "blue"}, "colour"),
        ({"id": "mine"}, "id"),
    ],
)  # fmt: skip
def test_create_validation_is_400_naming_the_field(
    client: TestClient,
    csr: dict[str, str],
    world: dict[str, str],
    session: Session,
    overrides: dict[str, Any],
    field: str,
) -> None:
    r = client.post(ITEMS, json=body(world["west"], **overrides), headers=csr)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field
    assert not session.scalars(
        select(OutboxEvent.seq).where(OutboxEvent.event_type.startswith("PartyInteraction"))
    ).all()


def test_customer_outside_the_callers_scope_is_refused(
    client: TestClient, csr: dict[str, str], world: dict[str, str]
) -> None:
    r = client.post(ITEMS, json=body(world["river"]), headers=csr)
    assert (r.status_code, r.json()["field"]) == (400, "relatedParty.0.id")


def test_inactive_reasons_are_not_offered(
    client: TestClient, auth_headers: Headers, world: dict[str, str]
) -> None:
    manager = auth_headers("manager")
    r = client.patch(
        "/api/party/v1/interactionReasons/fault.slow",
        json={"active": False},
        headers=MERGE | manager,
    )
    assert r.status_code == 200, r.text
    r = client.post(ITEMS, json=body(world["west"], reason="fault.slow"), headers=manager)
    assert (r.status_code, r.json()["field"]) == (400, "reason")


def test_roles(client: TestClient, auth_headers: Headers, world: dict[str, str]) -> None:
    item = create(client, auth_headers("csr"), customer_id=world["west"])
    assert client.get(ITEMS, headers=auth_headers("billing")).status_code == 200
    assert client.get(f"{ITEMS}/{item['id']}", headers=auth_headers("marketing")).status_code == 200
    assert client.get(ITEMS, headers=auth_headers("technician")).status_code == 403
    r = client.post(ITEMS, json=body(world["west"]), headers=auth_headers("marketing"))
    assert r.status_code == 403
    assert client.get(ITEMS).status_code == 401


def test_unknown_id_is_404(client: TestClient, csr: dict[str, str], world: dict[str, str]) -> None:
    r = client.get(f"{ITEMS}/nope", headers=csr)
    assert r.status_code == 404
    assert r.json()["@type"] == "Error"


# --------------------------------------------------------------------------- list


def test_list_filters_and_fields(
    client: TestClient, auth_headers: Headers, world: dict[str, str]
) -> None:
    admin = auth_headers("admin")
    a = create(client, admin, customer_id=world["west"])
    b = create(
        client,
        admin,
        customer_id=world["west"],
        channel=[{"id": "email"}],
        reason="billing.invoice",
    )
    c = create(client, admin, customer_id=world["river"], status="completed", outcome="resolved")

    def ids(query: str) -> list[str]:
        r = client.get(f"{ITEMS}?{query}", headers=admin)
        assert r.status_code == 200, r.text
        return sorted(i["id"] for i in r.json())

    assert ids("status=open") == sorted([a["id"], b["id"]])
    assert ids("channel.id=email") == [b["id"]]
    assert ids("reason=billing.invoice") == [b["id"]]
    assert ids(f"relatedParty.id={world['river']}") == [c["id"]]
    assert ids("outcome=resolved") == [c["id"]]
    assert ids("escalated=false") == sorted([a["id"], b["id"], c["id"]])
    assert ids(f"regionId={RIVER}") == [c["id"]]
    r = client.get(f"{ITEMS}?fields=status,channel", headers=admin)
    assert r.headers["X-Total-Count"] == "3"
    assert all(set(i) == {"id", "href", "@type", "status", "channel"} for i in r.json())
    one = client.get(f"{ITEMS}/{c['id']}?fields=closure,interactionDate", headers=admin).json()
    assert set(one) == {"id", "href", "@type", "closure", "interactionDate"}
    assert set(one["closure"]) == {"closedBy", "closedAt"}
    assert one["interactionDate"]["endDateTime"]
    r = client.get(f"{ITEMS}?colour=blue", headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "colour")


def test_region_scope_hides_other_districts(
    client: TestClient, auth_headers: Headers, world: dict[str, str]
) -> None:
    admin = auth_headers("admin")
    theirs = create(client, admin, customer_id=world["river"])
    mine = create(client, admin, customer_id=world["west"])
    csr = auth_headers("csr", regions=[WEST])
    assert [i["id"] for i in client.get(ITEMS, headers=csr).json()] == [mine["id"]]
    assert client.get(f"{ITEMS}/{theirs['id']}", headers=csr).status_code == 404
    r = client.patch(f"{ITEMS}/{theirs['id']}", json={"description": "x"}, headers=MERGE | csr)
    assert r.status_code == 404
    assert (
        client.post(
            f"{TASKS}/{theirs['id']}/close", json={"outcome": "resolved"}, headers=csr
        ).status_code
        == 404
    )


# --------------------------------------------------------------------------- patch, status, delete


def test_merge_patch_changes_and_publishes(
    client: TestClient, csr: dict[str, str], world: dict[str, str], session: Session
) -> None:
    item = create(client, csr, customer_id=world["west"])
    r = client.patch(
        f"{ITEMS}/{item['id']}",
        json={"description": "光猫更换后恢复", "reason": "fault.slow", "escalated": True},
        headers=MERGE | csr,
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["description"], changed["reason"], changed["escalated"]) == (
        "光猫更换后恢复", "fault.slow", True
    )  # fmt: skip
    assert changed["status"] == "open"
    r = client.patch(f"{ITEMS}/{item['id']}", json={"status": "inProgress"}, headers=csr)
    assert r.status_code == 200
    assert r.json()["statusChangeDate"] >= changed["statusChangeDate"]
    r = client.patch(
        f"{ITEMS}/{item['id']}", json={"status": "completed", "outcome": "resolved"}, headers=csr
    )
    done = r.json()
    assert done["status"] == "completed" and done["outcome"] == "resolved"
    assert done["interactionDate"]["endDateTime"]
    assert done["closure"]["closedBy"] == "amy"
    assert events_of(session, item["id"]) == [
        "PartyInteractionCreateEvent",
        "PartyInteractionAttributeValueChangeEvent",
        "PartyInteractionStatusChangeEvent",
        "PartyInteractionAttributeValueChangeEvent",
        "PartyInteractionStatusChangeEvent",
    ]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"regionId": RIVER}, "regionId"),
        ({"relatedParty": []}, "relatedParty"),
        ({"direction": "outbound"}, "direction"),
        ({"reason": None}, "reason"),
        ({"status": "paused"}, "status"),
        ({"channel": [{"id": "pigeon"}]}, "channel.0.id"),
        ({"outcome": "resolved"}, "outcome"),
    ],
)
def test_patch_errors_name_the_field(
    client: TestClient,
    csr: dict[str, str],
    world: dict[str, str],
    patch: dict[str, Any],
    field: str,
) -> None:
    item = create(client, csr, customer_id=world["west"])
    r = client.patch(f"{ITEMS}/{item['id']}", json=patch, headers=MERGE | csr)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field
    assert client.get(f"{ITEMS}/{item['id']}", headers=csr).json() == item


def test_state_machine_409s(client: TestClient, csr: dict[str, str], world: dict[str, str]) -> None:
    item = create(client, csr, customer_id=world["west"])
    url = f"{ITEMS}/{item['id']}"
    assert (
        client.post(
            f"{TASKS}/{item['id']}/close", json={"outcome": "informationGiven"}, headers=csr
        ).status_code
        == 200
    )
    for patch in ({"status": "open"}, {"status": "cancelled"}, {"description": "changed"}):
        r = client.patch(url, json=patch, headers=MERGE | csr)
        assert r.status_code == 409, (patch, r.text)
    assert (
        client.post(
            f"{TASKS}/{item['id']}/close", json={"outcome": "resolved"}, headers=csr
        ).status_code
        == 409
    )
    assert client.post(f"{TASKS}/{item['id']}/cancel", json={}, headers=csr).status_code == 409
    assert client.post(f"{TASKS}/{item['id']}/escalate", json={}, headers=csr).status_code == 409
    assert client.post(f"{TASKS}/{item['id']}/route", json={}, headers=csr).status_code == 409
    # notes may still be added to a closed contact
    notes = [*client.get(url, headers=csr).json()["note"], {"text": "客户回访满意"}]
    r = client.patch(url, json={"note": notes}, headers=MERGE | csr)
    assert r.status_code == 200, r.text
    assert [n["text"] for n in r.json()["note"]][-1] == "客户回访满意"


def test_delete_only_cancelled(
    client: TestClient, csr: dict[str, str], world: dict[str, str], session: Session
) -> None:
    item = create(client, csr, customer_id=world["west"])
    assert client.delete(f"{ITEMS}/{item['id']}", headers=csr).status_code == 409
    r = client.post(f"{TASKS}/{item['id']}/cancel", json={"note": "误建"}, headers=csr)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["closure"]["closedBy"] == "amy"
    assert "endDateTime" not in r.json()["interactionDate"]
    assert client.delete(f"{ITEMS}/{item['id']}", headers=csr).status_code == 204
    assert client.get(f"{ITEMS}/{item['id']}", headers=csr).status_code == 404
    assert events_of(session, item["id"])[-1] == "PartyInteractionDeleteEvent"


def test_close_sets_outcome_end_and_closure(
    client: TestClient, csr: dict[str, str], world: dict[str, str], session: Session
) -> None:
    item = create(client, csr, customer_id=world["west"])
    r = client.post(f"{TASKS}/{item['id']}/close", json={"outcome": "bogus"}, headers=csr)
    assert (r.status_code, r.json()["field"]) == (400, "outcome")
    r = client.post(
        f"{TASKS}/{item['id']}/close",
        json={"outcome": "callbackPromised", "note": "明天回电"},
        headers=csr,
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "completed"
    assert done["outcome"] == "callbackPromised"
    assert done["interactionDate"]["endDateTime"] >= done["interactionDate"]["startDateTime"]
    assert done["closure"]["closedBy"] == "amy"
    assert done["note"][-1]["text"] == "明天回电"
    assert events_of(session, item["id"])[-1] == "PartyInteractionStatusChangeEvent"


def test_idempotent_create(client: TestClient, csr: dict[str, str], world: dict[str, str]) -> None:
    headers = {**csr, "Idempotency-Key": "k-1"}
    first = client.post(ITEMS, json=body(world["west"]), headers=headers)
    again = client.post(ITEMS, json=body(world["west"]), headers=headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_listeners_register_on_this_apis_hub(client: TestClient, auth_headers: Headers) -> None:
    admin = auth_headers("admin")
    r = client.post(
        f"{BASE}/hub",
        json={
            "callback": "http://127.0.0.1:9/listener",
            "query": "eventType=PartyInteractionCreateEvent",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert client.delete(f"{BASE}/hub/{r.json()['id']}", headers=admin).status_code == 204


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine, "before_cursor_execute", record)


def test_list_statement_count_is_fixed(
    client: TestClient, auth_headers: Headers, world: dict[str, str], statements: list[str]
) -> None:
    admin = auth_headers("admin")
    query = f"{ITEMS}?relatedParty.role=customer&status=open&sort=-creationDate&limit=100"
    counts = []
    for batch in (2, 10):
        for _ in range(batch):
            create(client, admin, customer_id=world["west"])
        statements.clear()
        r = client.get(query, headers=admin)
        assert r.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert len([s for s in statements if "party_interaction" in s]) == 1
