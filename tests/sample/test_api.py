"""The sample TMF API end to end, on SQLite and PostgreSQL: every rule of the
TMF kit as a client sees it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.db import Database
from openboss.events.models import OutboxEvent
from openboss.sample.models import RESOURCE, SampleItem

BASE = "/tmf-api/openbossSample/v4"
ITEMS = f"{BASE}/sampleItem"
MERGE = {"Content-Type": "application/merge-patch+json"}

Headers = Callable[..., dict[str, str]]


def body(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": "Fibre 500M home",
        "description": "FTTH access, 500 Mbit/s",
        "quantity": 2,
        "price": {"unit": "CNY", "value": 199.5},
        "validFor": {"startDateTime": "2024-05-01T08:00:00.123456+08:00"},
        "relatedParty": [
            {"id": "cust-1", "role": "customer", "name": "Li Lei", "@referredType": "Individual"},
            {"id": "org-9", "role": "reseller", "@referredType": "Organization"},
        ],
        "characteristic": [
            {"name": "bandwidth", "value": 500, "valueType": "integer"},
            {"name": "technology", "value": "XGS-PON", "valueType": "string"},
        ],
    }
    item.update(overrides)
    return item


@pytest.fixture
def admin(auth_headers: Headers) -> dict[str, str]:
    return auth_headers("admin")


def create(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    r = client.post(ITEMS, json=body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def events_of(session: Session, ident: str) -> list[tuple[str, dict[str, Any]]]:
    session.expire_all()
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.resource_id == ident).order_by(OutboxEvent.seq)
    ).all()
    return [(r.event_type, r.payload) for r in rows]


# --------------------------------------------------------------------------- create and read


def test_create_is_201_with_location_and_the_tmf_representation(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    r = client.post(ITEMS, json=body(), headers=admin)
    assert r.status_code == 201, r.text
    item = r.json()
    href = f"http://testserver{ITEMS}/{item['id']}"
    assert r.headers["Location"] == href
    assert item["href"] == href
    assert item["@type"] == "SampleItem"
    assert item["state"] == "initialized"
    assert item["price"] == {"unit": "CNY", "value": 199.5}
    # stored in UTC, to the millisecond
    assert item["validFor"] == {"startDateTime": "2024-05-01T00:00:00.123Z"}
    assert item["relatedParty"][0] == {
        "id": "cust-1", "role": "customer", "name": "Li Lei", "@referredType": "Individual"
    }  # fmt: skip
    assert item["creationDate"] == item["lastUpdate"]
    assert "description" in item and "regionId" not in item  # absent attributes are omitted
    assert client.get(f"{ITEMS}/{item['id']}", headers=admin).json() == item
    [(kind, payload)] = events_of(session, item["id"])
    assert kind == "SampleItemCreateEvent"
    assert payload["event"]["sampleItem"] == item
    outbox = session.scalars(select(OutboxEvent).where(OutboxEvent.resource_id == item["id"])).one()
    assert outbox.api == BASE


def test_href_follows_the_requests_base_url(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    r = client.get(f"{ITEMS}/{item['id']}", headers={**admin, "Host": "bss.example.net:8443"})
    assert r.json()["href"] == f"http://bss.example.net:8443{ITEMS}/{item['id']}"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"price": {"unit": "CNY", "value": 1.005}}, "price"),
        ({"price": {"unit": "XYZ", "value": 1}}, "price"),
        ({"validFor": {"startDateTime": "2024-02-01T00:00:00Z",
                       "endDateTime": "2024-01-01T00:00:00Z"}}, "validFor"),
        ({"relatedParty": [{"id": "x", "role": "customer"}]}, "relatedParty.0.@referredType"),
        ({"colour": "blue"}, "colour"),
        ({"id": "chosen-by-client"}, "id"),
        ({"@type": "OtherThing"}, "@type"),
        ({"state": "active"}, "state"),
    ],
)  # fmt: skip
def test_create_validation_is_400_naming_the_field(
    client: TestClient, admin: dict[str, str], overrides: dict[str, Any], field: str
) -> None:
    r = client.post(ITEMS, json=body(**overrides), headers=admin)
    assert r.status_code == 400, r.text
    error = r.json()
    assert error["@type"] == "Error"
    assert error["status"] == "400"
    assert error["field"] == field
    r = client.post(ITEMS, json={"quantity": 1}, headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "name")


def test_malformed_json_is_400_naming_the_body(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(
        ITEMS, content=b'{"name": "x",', headers={**admin, "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "body"
    assert "not valid JSON" in r.json()["message"]


def test_unknown_id_is_404_and_a_token_is_required(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.get(f"{ITEMS}/no-such-item", headers=admin)
    assert r.status_code == 404
    assert r.json()["code"] == "NOT_FOUND"
    assert r.json()["@type"] == "Error"
    assert client.get(ITEMS).status_code == 401
    assert client.post(ITEMS, json=body()).status_code == 401


def test_wrong_method_is_405_in_tmf_shape(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    for method, url in [("PUT", f"{ITEMS}/{item['id']}"), ("DELETE", ITEMS), ("PATCH", ITEMS)]:
        r = client.request(method, url, headers=admin, json={})
        assert r.status_code == 405, (method, url)
        assert r.json()["@type"] == "Error"
        assert r.json()["status"] == "405"


def test_trailing_slashes_are_accepted(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    assert client.get(f"{ITEMS}/", headers=admin).headers["X-Total-Count"] == "1"
    assert client.get(f"{ITEMS}/{item['id']}/", headers=admin).json()["id"] == item["id"]
    r = client.post(f"{ITEMS}/", json=body(name="second"), headers=admin)
    assert r.status_code == 201


def test_get_by_id_with_fields(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    r = client.get(f"{ITEMS}/{item['id']}?fields=name,price.value", headers=admin)
    assert r.json() == {
        "id": item["id"], "href": item["href"], "@type": "SampleItem",
        "name": item["name"], "price": {"value": 199.5},
    }  # fmt: skip
    r = client.get(f"{ITEMS}/{item['id']}?fields=nonsense", headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "fields")


# --------------------------------------------------------------------------- list


@pytest.fixture
def catalogue(client: TestClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    """Six items in several states, quantities, prices, parties, characteristics."""
    specs = [
        ("Alpha", 1, "9.90", "customer", 100, None),
        ("Bravo", 5, "19.90", "owner", 300, "active"),
        ("Charlie", 10, "29.90", "customer", 500, "active"),
        ("Delta", 20, "99.00", "payer", 1000, "suspended"),
        ("Echo", 50, None, "customer", 100, "terminated"),
        ("Foxtrot", 0, "0.50", "owner", 50, None),
    ]
    items = []
    for name, qty, price, role, bandwidth, target in specs:
        item = create(
            client,
            admin,
            name=name,
            quantity=qty,
            price={"unit": "CNY", "value": price} if price else None,
            relatedParty=[{"id": f"p-{name}", "role": role, "@referredType": "Individual"}],
            characteristic=[{"name": "bandwidth", "value": bandwidth, "valueType": "integer"}],
        )
        path = ["active", "suspended"] if target == "suspended" else [target] if target else []
        for state in path:
            r = client.patch(f"{ITEMS}/{item['id']}", json={"state": state}, headers=admin)
            assert r.status_code == 200, r.text
            item = r.json()
        items.append(item)
    return items


def names(r: Any) -> list[str]:
    return [i["name"] for i in r.json()]


def test_list_headers_paging_and_default_order(
    client: TestClient, admin: dict[str, str], catalogue: list[dict[str, Any]]
) -> None:
    r = client.get(ITEMS, headers=admin)
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "6"
    assert r.headers["X-Result-Count"] == "6"
    assert r.json() == sorted(catalogue, key=lambda i: i["id"])
    r = client.get(f"{ITEMS}?offset=2&limit=3&sort=name", headers=admin)
    assert names(r) == ["Charlie", "Delta", "Echo"]
    assert (r.headers["X-Total-Count"], r.headers["X-Result-Count"]) == ("6", "3")
    r = client.get(f"{ITEMS}?offset=10", headers=admin)
    assert (r.json(), r.headers["X-Total-Count"], r.headers["X-Result-Count"]) == ([], "6", "0")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=active", ["Bravo", "Charlie"]),
        ("state=active,suspended", ["Bravo", "Charlie", "Delta"]),
        ("state.ne=active,initialized", ["Delta", "Echo"]),
        ("quantity.gt=5", ["Charlie", "Delta", "Echo"]),
        ("quantity.gte=5&quantity.lt=20", ["Bravo", "Charlie"]),
        ("quantity.lte=1", ["Alpha", "Foxtrot"]),
        ("relatedParty.role=customer", ["Alpha", "Charlie", "Echo"]),
        ("relatedParty.role.ne=customer", ["Bravo", "Delta", "Foxtrot"]),
        ("characteristic.value=100", ["Alpha", "Echo"]),
        ("characteristic.value.gte=500", ["Charlie", "Delta"]),
        ("characteristic.name=bandwidth&characteristic.value.lt=100", ["Foxtrot"]),
        ("price.value.gte=19.9", ["Bravo", "Charlie", "Delta"]),
        ("price.value=0.5", ["Foxtrot"]),
        ("price.value.ne=9.9", ["Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
        ("name=Alpha,Echo", ["Alpha", "Echo"]),
        ("name.gt=D", ["Delta", "Echo", "Foxtrot"]),
        ("@type=SampleItem&state=terminated", ["Echo"]),
        ("@type=Other", []),
    ],
)
def test_list_filters(
    client: TestClient,
    admin: dict[str, str],
    catalogue: list[dict[str, Any]],
    query: str,
    expected: list[str],
) -> None:
    r = client.get(f"{ITEMS}?{query}&sort=name", headers=admin)
    assert r.status_code == 200, r.text
    assert names(r) == expected
    assert r.headers["X-Total-Count"] == str(len(expected))


def test_list_sort_and_fields(
    client: TestClient, admin: dict[str, str], catalogue: list[dict[str, Any]]
) -> None:
    r = client.get(f"{ITEMS}?sort=-quantity&fields=name,quantity", headers=admin)
    assert names(r) == ["Echo", "Delta", "Charlie", "Bravo", "Alpha", "Foxtrot"]
    assert all(set(i) == {"id", "href", "@type", "name", "quantity"} for i in r.json())
    r = client.get(f"{ITEMS}?sort=-price.value,name&fields=price", headers=admin)
    assert [i.get("price", {}).get("value") for i in r.json()] == [None, 99, 29.9, 19.9, 9.9, 0.5]
    r = client.get(f"{ITEMS}?sort=state,-creationDate&fields=state", headers=admin)
    assert [i["state"] for i in r.json()] == sorted(i["state"] for i in catalogue)
    r = client.get(f"{ITEMS}?fields=relatedParty.role&sort=name&limit=1", headers=admin)
    assert r.json()[0]["relatedParty"] == [{"role": "customer"}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("quantity.gt=abc", "quantity.gt"),
        ("quantity.between=1", "quantity.between"),
        ("creationDate.gt=last-week", "creationDate.gt"),
        ("relatedParty.colour=red", "relatedParty.colour"),
        ("sort=colour", "sort"),
        ("sort=relatedParty.role", "sort"),
        ("fields=colour", "fields"),
        ("limit=1001", "limit"),
        ("limit=-1", "limit"),
        ("offset=-1", "offset"),
        ("offset=first", "offset"),
    ],
)
def test_list_errors_are_400_naming_the_parameter(
    client: TestClient, admin: dict[str, str], query: str, field: str
) -> None:
    r = client.get(f"{ITEMS}?{query}", headers=admin)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field
    assert r.json()["@type"] == "Error"


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine, "before_cursor_execute", record)


def test_list_statement_count_is_fixed(
    client: TestClient, admin: dict[str, str], statements: list[str]
) -> None:
    query = f"{ITEMS}?relatedParty.role=customer&quantity.gte=0&sort=-creationDate&limit=100"
    counts = []
    for batch in (2, 10):
        for i in range(batch):
            create(client, admin, name=f"Item {batch}-{i}")
        statements.clear()
        r = client.get(query, headers=admin)
        assert r.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    page_queries = [s for s in statements if "sample_item" in s]
    assert len(page_queries) == 1  # page and total in one statement


# --------------------------------------------------------------------------- patch


def test_merge_patch_changes_removes_and_publishes(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    item = create(client, admin)
    patch = {
        "description": None,  # removes
        "quantity": 3,
        "validFor": {"endDateTime": "2025-05-01T00:00:00Z"},  # merges into the object
        "price": {"value": 249},  # merges: the unit stays
        "characteristic": [{"name": "bandwidth", "value": 1000}],  # arrays replace
    }
    r = client.patch(
        f"{ITEMS}/{item['id']}", content=orjson.dumps(patch), headers={**admin, **MERGE}
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert "description" not in after
    assert after["quantity"] == 3
    assert after["validFor"] == {
        "startDateTime": "2024-05-01T00:00:00.123Z", "endDateTime": "2025-05-01T00:00:00.000Z"
    }  # fmt: skip
    assert after["price"] == {"unit": "CNY", "value": 249}
    assert after["characteristic"] == [{"name": "bandwidth", "value": 1000}]
    assert after["lastUpdate"] >= item["lastUpdate"]
    assert client.get(f"{ITEMS}/{item['id']}", headers=admin).json() == after
    kinds = [k for k, _ in events_of(session, item["id"])]
    assert kinds == ["SampleItemCreateEvent", "SampleItemAttributeValueChangeEvent"]


def test_plain_json_patch_and_state_change_event(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    item = create(client, admin)
    r = client.patch(f"{ITEMS}/{item['id']}", json={"state": "active"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "active"
    [(_, _), (kind, payload)] = events_of(session, item["id"])
    assert kind == "SampleItemStateChangeEvent"
    assert payload["event"]["sampleItem"]["state"] == "active"
    # a patch that changes nothing publishes nothing
    r = client.patch(f"{ITEMS}/{item['id']}", json={"name": item["name"]}, headers=admin)
    assert r.status_code == 200
    assert len(events_of(session, item["id"])) == 2


def test_illegal_state_transition_is_409_and_changes_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    item = create(client, admin)
    r = client.patch(
        f"{ITEMS}/{item['id']}", json={"state": "suspended", "quantity": 9}, headers=admin
    )
    assert r.status_code == 409
    error = r.json()
    assert error["code"] == "ILLEGAL_STATE_TRANSITION"
    assert "initialized" in error["message"] and "suspended" in error["message"]
    assert error["field"] == "state"
    assert client.get(f"{ITEMS}/{item['id']}", headers=admin).json() == item
    r = client.patch(f"{ITEMS}/{item['id']}", json={"state": "sleeping"}, headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "state")


@pytest.mark.parametrize(
    ("patch", "status", "field"),
    [
        ({"id": "other"}, 400, "id"),
        ({"href": "http://x"}, 400, "href"),
        ({"@type": "SampleItem"}, 400, "@type"),
        ({"creationDate": "2024-01-01T00:00:00Z"}, 400, "creationDate"),
        ({"lastUpdate": "2024-01-01T00:00:00Z"}, 400, "lastUpdate"),
        ({"regionId": "r9"}, 400, "regionId"),
        ({"name": None}, 400, "name"),
        ({"quantity": "lots"}, 400, "quantity"),
        ({"price": {"unit": "CNY", "value": "1.001"}}, 400, "price"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_patch_errors_name_the_field(
    client: TestClient, admin: dict[str, str], patch: dict[str, Any], status: int, field: str
) -> None:
    item = create(client, admin)
    r = client.patch(
        f"{ITEMS}/{item['id']}", content=orjson.dumps(patch), headers={**admin, **MERGE}
    )
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_patch_media_types(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    url = f"{ITEMS}/{item['id']}"
    r = client.patch(
        url, content=b"[]", headers={**admin, "Content-Type": "application/json-patch+json"}
    )
    assert r.status_code == 415
    assert r.json()["@type"] == "Error"
    assert r.json()["reason"] == "Unsupported Media Type"
    r = client.patch(url, content=b"name=x", headers={**admin, "Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.patch(url, content=b"{oops", headers={**admin, **MERGE})
    assert (r.status_code, r.json()["field"]) == (400, "body")
    assert client.patch(f"{ITEMS}/missing", json={"quantity": 1}, headers=admin).status_code == 404


# --------------------------------------------------------------------------- delete


def test_delete_is_204_then_404_and_publishes(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    item = create(client, admin)
    r = client.delete(f"{ITEMS}/{item['id']}", headers=admin)
    assert r.status_code == 204
    assert r.content == b""
    assert client.get(f"{ITEMS}/{item['id']}", headers=admin).status_code == 404
    assert client.delete(f"{ITEMS}/{item['id']}", headers=admin).status_code == 404
    kinds = [k for k, _ in events_of(session, item["id"])]
    assert kinds == ["SampleItemCreateEvent", "SampleItemDeleteEvent"]


def test_an_item_in_use_cannot_be_deleted(client: TestClient, admin: dict[str, str]) -> None:
    item = create(client, admin)
    client.patch(f"{ITEMS}/{item['id']}", json={"state": "active"}, headers=admin)
    r = client.delete(f"{ITEMS}/{item['id']}", headers=admin)
    assert r.status_code == 409
    assert r.json()["field"] == "state"
    client.patch(f"{ITEMS}/{item['id']}", json={"state": "terminated"}, headers=admin)
    assert client.delete(f"{ITEMS}/{item['id']}", headers=admin).status_code == 204


# --------------------------------------------------------------------------- row scope


def test_region_scope_hides_other_regions_rows(client: TestClient, auth_headers: Headers) -> None:
    gz = auth_headers("csr", name="gz-agent", regions=["gz"])
    sz = auth_headers("csr", name="sz-agent", regions=["sz"])
    central = create(client, auth_headers("admin"), name="Central")  # no region: visible to all
    mine = create(client, gz, name="Mine")
    theirs = create(client, sz, name="Theirs")
    assert mine["regionId"] == "gz"  # a single-region caller's items land in their region
    r = client.get(f"{ITEMS}?sort=name", headers=gz)
    assert names(r) == ["Central", "Mine"]
    assert r.headers["X-Total-Count"] == "2"
    url = f"{ITEMS}/{theirs['id']}"
    assert client.get(url, headers=gz).status_code == 404
    assert client.patch(url, json={"quantity": 1}, headers=gz).status_code == 404
    assert client.delete(url, headers=gz).status_code == 404
    assert client.get(f"{ITEMS}/{central['id']}", headers=gz).status_code == 200
    r = client.post(ITEMS, json=body(regionId="sz"), headers=gz)
    assert (r.status_code, r.json()["field"]) == (403, "regionId")
    both = auth_headers("csr", name="two-regions", regions=["gz", "sz"])
    r = client.post(ITEMS, json=body(), headers=both)
    assert (r.status_code, r.json()["field"]) == (400, "regionId")
    assert len(client.get(ITEMS, headers=both).json()) == 3
    assert len(client.get(ITEMS, headers=auth_headers("admin")).json()) == 3


def test_partner_scope(client: TestClient, auth_headers: Headers) -> None:
    p1 = auth_headers("partner", name="p1", partner_id="P1")
    p2 = auth_headers("partner", name="p2", partner_id="P2")
    own = create(client, auth_headers("admin"), name="Operator's own")
    item = create(client, p1, name="P1 item")
    assert item["partnerId"] == "P1"
    assert names(client.get(ITEMS, headers=p1)) == ["P1 item"]
    assert client.get(ITEMS, headers=p2).json() == []
    assert client.get(f"{ITEMS}/{item['id']}", headers=p2).status_code == 404
    assert client.get(f"{ITEMS}/{own['id']}", headers=p1).status_code == 404
    r = client.post(ITEMS, json=body(partnerId="P2"), headers=p1)
    assert (r.status_code, r.json()["field"]) == (403, "partnerId")


# --------------------------------------------------------------------------- idempotency


def test_idempotency_key_replays_and_refuses_a_different_body(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    headers = {**admin, "Idempotency-Key": "order-7f3a"}
    first = client.post(ITEMS, json=body(name="Once"), headers=headers)
    again = client.post(ITEMS, json=body(name="Once"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get(f"{ITEMS}?name=Once", headers=admin).headers["X-Total-Count"] == "1"
    r = client.post(ITEMS, json=body(name="Twice"), headers=headers)
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["field"]) == ("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert len([k for k, _ in events_of(session, first.json()["id"])]) == 1


# --------------------------------------------------------------------------- audit, storage, docs


def test_changes_are_audited_without_the_stored_document(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    item = create(client, admin)
    client.patch(f"{ITEMS}/{item['id']}", json={"state": "active"}, headers=admin)
    client.patch(f"{ITEMS}/{item['id']}", json={"state": "terminated"}, headers=admin)
    client.delete(f"{ITEMS}/{item['id']}", headers=admin)
    session.expire_all()
    logs = session.scalars(
        select(AuditLog).where(AuditLog.entity_id == item["id"]).order_by(AuditLog.id)
    ).all()
    assert [log.action for log in logs] == ["create", "state_change", "state_change", "delete"]
    assert logs[1].after is not None and logs[1].after["state"] == "active"
    assert logs[0].actor == "tester"
    assert all("doc" not in (log.after or {}) and "doc" not in (log.before or {}) for log in logs)


def test_stored_document_matches_the_columns(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    item = create(client, admin)
    client.patch(f"{ITEMS}/{item['id']}", json={"quantity": 7, "price": None}, headers=admin)
    session.expire_all()
    row = session.get(SampleItem, item["id"])
    assert row is not None
    values = {c.key: getattr(row, c.key) for c in SampleItem.__table__.c}
    # the same document (PostgreSQL's JSONB may hand nested keys back in another order)
    assert orjson.loads(row.doc) == orjson.loads(RESOURCE.render_document(values))
    assert row.price_minor is None and '"price"' not in row.doc


def test_openapi_documents_the_resource(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    item_ops = spec["paths"][f"{ITEMS}/{{id}}"]
    assert set(item_ops) == {"get", "patch", "delete"}
    assert set(item_ops["patch"]["requestBody"]["content"]) == {
        "application/merge-patch+json", "application/json"
    }  # fmt: skip
    listing = spec["paths"][ITEMS]["get"]
    assert {"X-Total-Count", "X-Result-Count"} <= set(listing["responses"]["200"]["headers"])
    assert {p["name"] for p in listing["parameters"]} >= {"fields", "offset", "limit", "sort"}
    for name in ("SampleItem", "SampleItemCreate", "SampleItemUpdate"):
        props = spec["components"]["schemas"][name]["properties"]
        assert all(p.get("description") for p in props.values()), name
    assert f"{BASE}/hub" in spec["paths"]


# --------------------------------------------------------------------------- never a 500


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("name=a%00b", "name"),
        ("relatedParty.role=%00", "relatedParty.role"),
        ("quantity.gt=99999999999999999999", "quantity.gt"),
        ("price.value.gt=1e400", "price.value.gt"),
        ("price.value=NaN", "price.value"),
        ("characteristic.value=1e400", "characteristic.value"),
        ("characteristic.value.gt=99999999999999999999999", "characteristic.value.gt"),
        ("offset=100000000000000000000", "offset"),
    ],
)
def test_out_of_range_and_unstorable_query_values_are_400(
    client: TestClient, admin: dict[str, str], query: str, field: str
) -> None:
    r = client.get(f"{ITEMS}?{query}", headers=admin)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_values_beyond_a_columns_width_simply_match_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    create(client, admin)
    for query in ("quantity=3000000000", "quantity.gt=3000000000", "quantity=-0"):
        r = client.get(f"{ITEMS}?{query}", headers=admin)
        assert (r.status_code, r.json()) == (200, []), query
    r = client.get(f"{ITEMS}?quantity.lt=3000000000", headers=admin)
    assert r.headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"description": "\u0000"}, "description"),
        ({"relatedParty": [{"id": "\u0000", "@referredType": "Individual"}]}, "relatedParty.0.id"),
        ({"characteristic": [{"name": "n", "value": 10**30}]}, "characteristic.0.value"),
        ({"characteristic": [{"name": "n", "value": {"k\u0000": 1}}]}, "characteristic.0.value"),
        ({"price": {"unit": "CNY", "value": 1e300}}, "price"),
        ({"validFor": {"startDateTime": "0001-01-01T00:00:00+01:00"}}, "validFor.startDateTime"),
    ],
)
def test_unstorable_bodies_are_400_naming_the_field(
    client: TestClient, admin: dict[str, str], overrides: dict[str, Any], field: str
) -> None:
    # the standard library writes what orjson refuses to (10**30)
    content = json.dumps(body(**overrides)).encode()
    r = client.post(ITEMS, content=content, headers={**admin, "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_control_characters_in_an_id_are_400(client: TestClient, admin: dict[str, str]) -> None:
    r = client.get(f"{ITEMS}/%00", headers=admin)
    assert (r.status_code, r.json()["field"]) == (400, "id")


def test_listeners_register_on_this_apis_hub(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(
        f"{BASE}/hub",
        json={
            "callback": "https://listener.example/events",
            "query": "eventType=SampleItemCreateEvent",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    subscription = r.json()
    assert subscription["callback"] == "https://listener.example/events"
    assert client.delete(f"{BASE}/hub/{subscription['id']}", headers=admin).status_code == 204
    assert client.delete(f"{BASE}/hub/{subscription['id']}", headers=admin).status_code == 404


def test_events_carry_the_items_row_scope(
    client: TestClient, session: Session, auth_headers: Headers
) -> None:
    """Partner and regional hub listeners are filtered on the outbox row's scope."""
    partner = auth_headers("partner", partner_id="P7", regions=["gz"])
    item = create(client, partner, regionId="gz")
    row = session.scalars(select(OutboxEvent).where(OutboxEvent.resource_id == item["id"])).one()
    assert (row.partner_id, row.region_id) == ("P7", "gz")
