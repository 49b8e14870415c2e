"""Test orders and launch readiness (eTOM 1.1.1.1 served by 1.1.1.5): an offering
In test can be ordered only by a test order (``category`` ``testOrder``); once
such an order has completed, the readiness check ``testOrder`` passes and the
offering may be launched; with ``OPENBOSS_CATALOG_TEST_ORDER_REQUIRED`` the
launch is refused until then."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.catalog import yaml_io
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.ordering import testorders
from tests.scenarios.conftest import World, advance
from tests.scenarios.test_tmf622_tour import _account

Headers = Callable[..., dict[str, str]]
CATALOG = "/tmf-api/productCatalogManagement/v4"
ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def required(session: Session) -> Iterator[None]:
    """The demo catalog (launched before the rule applies), then the rule on."""
    yaml_io.load_demo_catalog(session)
    testorders.REQUIRED = True
    try:
        yield
    finally:
        testorders.REQUIRED = None


def _offering_in_test(client: TestClient, h: dict[str, str]) -> str:
    body = {
        "name": "Mobile 5G 59 trial",
        "lifecycleStatus": "In test",
        "isBundle": False,
        "productSpecification": {"id": "ps-mobile-5g"},
        "productOfferingPrice": [{"id": "pop-5g59-monthly"}],
        "place": [{"id": "330000", "name": "Zhejiang"}],
        "marketSegment": [{"id": "individual"}],
    }
    r = client.post(f"{CATALOG}/productOffering", json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _order(world: World, account: str, offering: str, **extra: Any) -> dict[str, Any]:
    return {
        "relatedParty": [
            {"id": world.customer_id, "role": "customer", "@referredType": "Customer"}
        ],
        "billingAccount": {"id": account},
        "notificationContact": "13800138000",
        "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering}}],
        **extra,
    }


def _readiness(client: TestClient, h: dict[str, str], offering: str) -> dict[str, Any]:
    r = client.get(f"{CATALOG}/productOffering/{offering}/readiness", headers=h)
    assert r.status_code == 200, r.text
    found = [f for f in r.json()["findings"] if f["check"] == "testOrder"]
    assert len(found) == 1, r.json()
    return found[0]


def test_a_completed_test_order_lets_the_offering_launch(
    session: Session,
    client: TestClient,
    auth_headers: Headers,
    world: World,
    required: None,
) -> None:
    admin, csr = auth_headers("admin"), auth_headers("csr")
    offering = _offering_in_test(client, admin)
    account = _account(session, world.customer_id)

    # not ready: no test order yet, and the launch is refused naming the check
    assert _readiness(client, admin, offering)["status"] == "failed"
    r = client.patch(
        f"{CATALOG}/productOffering/{offering}",
        json={"lifecycleStatus": "Launched"},
        headers={**admin, **MERGE},
    )
    assert r.status_code == 409, r.text
    assert "test order" in r.text

    # an ordinary order cannot buy an offering In test
    r = client.post(ORDERS, json=_order(world, account, offering), headers=csr)
    assert r.status_code == 400, r.text
    assert "In test" in r.text

    # a test order can, and runs the real flow
    r = client.post(
        ORDERS, json=_order(world, account, offering, category="testOrder"), headers=csr
    )
    assert r.status_code == 201, r.text
    po = r.json()
    assert po["category"] == "testOrder"
    (so,) = serviceorder.service_orders_of(session, po["id"])
    assert advance(session, so["id"]).status == "completed"
    session.expire_all()
    assert client.get(f"{ORDERS}/{po['id']}", headers=csr).json()["state"] == "completed"

    finding = _readiness(client, admin, offering)
    assert finding["status"] == "passed" and po["id"] in finding["message"]
    r = client.patch(
        f"{CATALOG}/productOffering/{offering}",
        json={"lifecycleStatus": "Launched"},
        headers={**admin, **MERGE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["lifecycleStatus"] == "Launched"


def test_without_the_setting_the_check_is_pending_and_does_not_block(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    yaml_io.load_demo_catalog(session)
    admin = auth_headers("admin")
    offering = _offering_in_test(client, admin)
    finding = _readiness(client, admin, offering)
    assert finding["status"] == "pending"
    assert "OPENBOSS_CATALOG_TEST_ORDER_REQUIRED" in finding["message"]
