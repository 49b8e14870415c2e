"""TMF622 v4 conformance: base path and operations, the representation's
attributes, required fields, enums and ``@type`` against the specification."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from openboss.ordering.models import BASE_PATH
from openboss.ordering.schemas import CancelProductOrderCreate, ProductOrderCreate
from tests.ordering.conftest import CANCELS, ORDERS, World, item, order_body

Headers = Callable[..., dict[str, str]]
SWAGGER = json.loads(
    Path("/work/shared/tmf-specs/TMF622-ProductOrdering-v4.0.0.swagger.json").read_text()
)
DEFS = SWAGGER["definitions"]
#: OpenBOSS extensions, documented in docs/ordering.md.
EXTENSIONS = {"stateReason", "regionId", "stateChangeDate", "lastUpdate"}
#: Item actions beyond the specification's enum (docs/ordering.md).
EXTRA_ACTIONS = {"suspend", "resume"}


def test_base_path_and_operations(client: TestClient) -> None:
    assert SWAGGER["basePath"].rstrip("/") == BASE_PATH
    paths = client.get("/openapi.json").json()["paths"]
    for path, ops in SWAGGER["paths"].items():
        if path.startswith("/listener"):
            continue  # the client's side
        ours = paths.get(BASE_PATH + path.replace("/hub/{id}", "/hub/{subscription_id}"))
        assert ours is not None, path
        assert set(ops) <= set(ours), (path, sorted(ops), sorted(ours))


def test_input_models_name_only_spec_attributes() -> None:
    create = DEFS["ProductOrder_Create"]["properties"]
    for field in ProductOrderCreate.model_fields.values():
        assert field.alias in create, field.alias
    cancel = DEFS["CancelProductOrder_Create"]["properties"]
    for field in CancelProductOrderCreate.model_fields.values():
        assert field.alias in cancel, field.alias
    spec_actions = set(DEFS["OrderItemActionType"]["enum"])
    from typing import get_args

    from openboss.ordering.schemas import ItemAction

    assert set(get_args(ItemAction)) == spec_actions | EXTRA_ACTIONS


def _check_item(item: dict[str, Any]) -> None:
    schema = DEFS["ProductOrderItem"]
    for name in schema["required"]:
        assert name in item, name
    for name in item:
        assert name in schema["properties"], name
    assert item["@type"] == "ProductOrderItem"
    assert item["state"] in DEFS["ProductOrderItemStateType"]["enum"]
    assert item["action"] in set(DEFS["OrderItemActionType"]["enum"]) | EXTRA_ACTIONS
    for name in item.get("product", {}):
        assert name in DEFS["ProductRefOrValue"]["properties"], name
    for price in item.get("itemPrice", []) + item.get("itemTotalPrice", []):
        for name in price:
            assert name in DEFS["OrderPrice"]["properties"], name
        for name in price["price"]:
            assert name in DEFS["Price"]["properties"], name
        for alt in price.get("priceAlteration", []):
            for name in DEFS["PriceAlteration"]["required"]:
                assert name in alt, name
            for name in alt:
                assert name in DEFS["PriceAlteration"]["properties"], name
    for term in item.get("itemTerm", []):
        for name in term:
            assert name in DEFS["OrderTerm"]["properties"], name
    for sub in item.get("productOrderItem", []):
        _check_item(sub)


def check_order(order: dict[str, Any]) -> None:
    schema = DEFS["ProductOrder"]
    for name in schema["required"]:
        assert name in order, name
    for name in order:
        assert name in schema["properties"] or name in EXTENSIONS, name
    assert order["@type"] == "ProductOrder"
    assert order["state"] in DEFS["ProductOrderStateType"]["enum"]
    for party in order["relatedParty"]:
        for name in DEFS["RelatedParty"]["required"]:
            assert name in party, name
    for price in order.get("orderTotalPrice", []):
        for name in price:
            assert name in DEFS["OrderPrice"]["properties"], name
    for it in order["productOrderItem"]:
        _check_item(it)


def test_representations_follow_the_spec(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    h = auth_headers("csr")
    body = order_body(
        world,
        item("1", "po-family-1000m", address=world.ftth_address),
        item("2", "po-mobile-5g-59"),
        externalId="crm-42",
        priority="1",
        channel=[{"id": "shop", "name": "营业厅"}],
        note=[{"text": "call before the visit"}],
    )
    r = client.post(ORDERS, json=body, headers=h)
    assert r.status_code == 201, r.text
    order = r.json()
    check_order(order)
    bundle = order["productOrderItem"][0]
    assert bundle["product"]["isBundle"] is True
    assert len(bundle["productOrderItem"]) == 4  # the default selection
    assert order["orderDate"].endswith("Z")
    assert r.headers["Location"] == order["href"]
    assert order["href"].endswith(f"{BASE_PATH}/productOrder/{order['id']}")
    listed = client.get(ORDERS, headers=h).json()
    check_order(listed[0])
    cancel = client.post(CANCELS, json={"productOrder": {"id": order["id"]}}, headers=h)
    assert cancel.status_code == 201, cancel.text
    doc = cancel.json()
    schema = DEFS["CancelProductOrder"]
    for name in schema["required"]:
        assert name in doc
    for name in doc:
        assert name in schema["properties"] or name in {"stateReason", "creationDate"}, name
    assert doc["state"] in DEFS["TaskStateType"]["enum"]


def test_hub_registers_a_listener(client: TestClient, auth_headers: Headers) -> None:
    h = auth_headers("admin")
    r = client.post(
        f"{BASE_PATH}/hub",
        json={
            "callback": "https://example.test/listener",
            "query": "eventType=ProductOrderStateChangeEvent",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert client.delete(f"{BASE_PATH}/hub/{r.json()['id']}", headers=h).status_code == 204
