"""The tour of issue 6 through the APIs: a TMF622 order for Home Broadband 300M at a
flat with own FTTH → the installation work order appears (TMF697) → the technician
completes it with an ONT serial, the NOC passes the dial test → the order is completed
and the product active (TMF637) with its RADIUS account; the same order at a flat with
no coverage is refused with the qualification reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation.models import RadReply
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.account import service as account_service
from openboss.party.account.schemas import BillingAccountCreate
from tests.scenarios.conftest import PRODUCTS, World, advance
from tests.scenarios.test_fulfilment_tour import _close, _open_order

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
Headers = Callable[..., dict[str, str]]


def _account(session: Session, customer_id: str) -> str:
    body: dict[str, Any] = {
        "name": "家庭账户",
        "relatedParty": [{"id": customer_id, "role": "customer"}],
        "defaultPaymentMethod": {"id": "alipay"},
        "creditLimit": {"unit": "CNY", "value": 5000},
    }
    written = account_service.create_account(
        session, SYSTEM_SCOPE, BillingAccountCreate.model_validate(body), "http://testserver"
    )
    account_service.change_state(
        session, SYSTEM_SCOPE, written.account.id, "active", "http://testserver"
    )
    return str(written.account.id)


def _order(world: World, account: str, address: str) -> dict[str, Any]:
    return {
        "relatedParty": [
            {"id": world.customer_id, "role": "customer", "@referredType": "Customer"}
        ],
        "billingAccount": {"id": account},
        "notificationContact": "13800138000",
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "productOffering": {"id": "po-hbb-300m"},
                "product": {
                    "place": [
                        {
                            "id": address,
                            "role": "installationAddress",
                            "@referredType": "GeographicAddress",
                        }
                    ]
                },
            }
        ],
    }


def test_tmf622_order_to_active_product(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    from openboss.catalog import yaml_io

    yaml_io.load_demo_catalog(session)
    account = _account(session, world.customer_id)
    csr = auth_headers("csr")
    refused = client.post(ORDERS, json=_order(world, account, world.none_address), headers=csr)
    assert refused.status_code == 400, refused.text
    assert "noCoverage" in refused.text

    r = client.post(ORDERS, json=_order(world, account, world.ftth_address), headers=csr)
    assert r.status_code == 201, r.text
    po = r.json()
    assert "accessPassword" not in r.text
    (so,) = serviceorder.service_orders_of(session, po["id"])
    assert advance(session, so["id"]).status == "waiting"
    wo = _open_order(session, po["id"], "installation")
    _close(client, auth_headers("dispatcher"), wo["id"], {"ontSerial": "HWTC7777TOUR"})
    advance(session, so["id"])
    dial = _open_order(session, po["id"], "remoteDialTest")
    _close(client, auth_headers("noc"), dial["id"], {"dialTestResult": "pass"})
    inst = advance(session, so["id"])
    assert inst.status == "completed", inst.last_error

    session.expire_all()
    r = client.get(f"{ORDERS}/{po['id']}", headers=csr)
    assert r.status_code == 200
    assert r.json()["state"] == "completed", r.json()
    product_id = r.json()["productOrderItem"][0]["product"]["id"]
    product = client.get(f"{PRODUCTS}/{product_id}", headers=csr).json()
    assert product["status"] == "active"
    chars = {c["name"]: c["value"] for c in product.get("productCharacteristic", [])}
    account_name = chars["accessAccount"]
    down = session.scalars(
        select(RadReply.value).where(
            RadReply.username == account_name, RadReply.attribute == "WISPr-Bandwidth-Max-Down"
        )
    ).one()
    assert down == str(300 * 1_000_000)
