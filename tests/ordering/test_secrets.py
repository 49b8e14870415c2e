"""The broadband access password is write-only: never stored in clear, never
returned, never in events or the audit log; a generated one reaches the
customer by SMS only."""

from __future__ import annotations

import re
from collections.abc import Callable

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from openboss.engagement.communication.models import CommunicationMessage
from openboss.fulfilment.serviceorder import service as serviceorder
from tests.ordering.conftest import ORDERS, PHONE, World, item, order_body

Headers = Callable[..., dict[str, str]]
GIVEN = "Given-Secret-8812"


def _dump(session: Session, table: str, columns: str = "*") -> str:
    rows = session.execute(text(f"SELECT {columns} FROM {table}")).all()  # noqa: S608
    return "\n".join(repr(tuple(r)) for r in rows)


def _everything_but_the_message_queue(session: Session) -> str:
    return "\n".join(
        [
            _dump(session, "audit_log"),
            _dump(session, "outbox_event"),
            _dump(session, "product_order"),
            _dump(session, "cancel_product_order"),
            _dump(session, "credit_check"),
            _dump(session, "service_order", "id, request, doc"),
            _dump(session, "communication_message", "id, content, doc"),
        ]
    )


def test_given_and_generated_passwords_stay_secret(
    client: TestClient, auth_headers: Headers, world: World, flows: None, session: Session
) -> None:
    h = auth_headers("csr")
    body = order_body(
        world,
        item(
            "1",
            "po-hbb-300m",
            address=world.ftth_address,
            chars={"accessAccount": "zhang.san@hz", "accessPassword": GIVEN},
        ),
        item("2", "po-hbb-100m", address=world.partner_address),
    )
    r = client.post(ORDERS, json=body, headers=h)
    assert r.status_code == 201, r.text
    po = r.json()
    assert GIVEN not in r.text
    assert "accessPassword" not in r.text
    listed = client.get(ORDERS, headers=h).text
    assert GIVEN not in listed
    # the generated password of item 2 went out by SMS, masked in what is kept
    session.expire_all()
    messages = session.scalars(
        select(CommunicationMessage).where(
            CommunicationMessage.template == "order.accessCredentials"
        )
    ).all()
    assert len(messages) == 1
    sms = messages[0]
    assert sms.receiver[0]["phoneNumber"].endswith(PHONE)
    assert "******" in sms.content
    assert sms.secret_content is not None
    # the message is in the customer's language (zh-CN by default): "密码 Ab3…" / "password Ab3…"
    generated = re.search(r"(?:password|密码)\W*([A-Za-z0-9]{12})", sms.secret_content)
    assert generated is not None, sms.secret_content
    secret = generated.group(1)
    kept = _everything_but_the_message_queue(session)
    assert GIVEN not in kept
    assert secret not in kept
    # fulfilment keeps a hash of each
    orders = {o["id"]: o for o in serviceorder.service_orders_of(session, po["id"])}
    assert len(orders) == 2
    for ident in orders:
        stored = serviceorder.secret_of(session, ident, "accessPassword")
        assert stored and stored not in (GIVEN, secret)
    chars = {
        c["name"]: c["value"] for c in po["productOrderItem"][0]["product"]["productCharacteristic"]
    }
    assert chars["accessAccount"] == "zhang.san@hz"
    assert orjson.dumps(po).count(b"accessAccount") == 2


def test_an_access_account_is_unique(
    client: TestClient, auth_headers: Headers, world: World, flows: None
) -> None:
    h = auth_headers("csr")
    body = order_body(
        world,
        item("1", "po-hbb-300m", address=world.ftth_address, chars={"accessAccount": "dup-1"}),
    )
    assert client.post(ORDERS, json=body, headers=h).status_code == 201
    again = client.post(ORDERS, json=body, headers=h)
    assert again.status_code == 400
    assert (
        again.json()["field"] == "productOrderItem[0].product.productCharacteristic[accessAccount]"
    )
