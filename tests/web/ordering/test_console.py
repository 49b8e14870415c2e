"""The order console over HTTP (TestClient): the wizard step by step with its
field errors, submit once per draft, the order list and detail (business and IT
view), cancellation, SLA alarms."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.clock import FrozenClock
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.ordering.sla import service as sla
from tests.conftest import token_for
from tests.events.support import clock
from tests.web.ordering.conftest import World

__all__ = ["clock"]

WIZARD = "/console/ordering/new"
ORDERS = "/console/ordering/orders"
ALARMS = "/console/ordering/alarms"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_DRAFT = re.compile(r'name="draft" value="([^"]*)"')


class Wizard:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        page = client.get(WIZARD)
        assert page.status_code == 200, page.text
        self.page = page.text

    def post(self, step: str, action: str = "next", **fields: str) -> Response:
        data = {
            "csrf_token": _CSRF.search(self.page).group(1),  # type: ignore[union-attr]
            "draft": html.unescape(_DRAFT.search(self.page).group(1)),  # type: ignore[union-attr]
            "step": step,
            "action": action,
            **fields,
        }
        r = self.client.post(WIZARD, data=data, headers={"HX-Request": "true"})
        if r.headers.get("content-type", "").startswith("text/html"):
            self.page = r.text
        return r


@pytest.fixture
def csr(client: TestClient) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for("csr", name="wang"))
    return client


def _to_summary(session: Session, csr: TestClient, world: World) -> Wizard:
    w = Wizard(csr)
    assert "1.1.1.5" in w.page
    r = w.post("customer", "search", q=world.customer_id)
    assert world.customer_id in r.text
    r = w.post("customer", customer_id=world.customer_id)
    assert 'value="address"' in r.text
    r = w.post("address", "qualify", address_id=world.ftth_address)
    assert 'id="qualification"' in r.text
    r = w.post("address", address_id=world.ftth_address)
    assert 'id="o-po-hbb-300m"' in r.text, r.text
    r = w.post("offer", offering_id="po-hbb-300m")
    assert 'value="characteristics"' in r.text
    r = w.post("characteristics")
    assert r.status_code == 200, r.text
    assert 'value="appointment"' in r.text
    r = w.post("appointment")
    assert 'id="price-summary"' in r.text
    return w


def test_wizard_creates_one_order_and_shows_it(
    session: Session, csr: TestClient, world: World, flows: None
) -> None:
    w = _to_summary(session, csr, world)
    missing = w.post("summary", "submit", account_id=world.account_id, contact="")
    assert missing.status_code == 400
    assert 'id="contact-error"' in missing.text
    draft_page = w.page
    first = w.post("summary", "submit", account_id=world.account_id, contact="13800138000")
    assert first.status_code == 200, first.text
    location = first.headers["HX-Redirect"]
    assert location.startswith(f"{ORDERS}/")
    # a double click posts the same draft again: the same order, no second one
    w.page = draft_page
    again = w.post("summary", "submit", account_id=world.account_id, contact="13800138000")
    assert again.headers["HX-Redirect"] == location
    order_id = location.split("/")[-1].split("?")[0]

    detail = csr.get(location)
    assert detail.status_code == 200, detail.text
    assert order_id in detail.text and 'id="sla-clock"' in detail.text
    assert 'id="items"' in detail.text
    it = csr.get(f"{ORDERS}/{order_id}?tab=it")
    assert it.status_code == 200 and 'id="it-view"' in it.text
    assert "/console/fulfilment/instances/" in it.text
    # ENGINE's diagram include shows the process to noc / dispatch (not to a CSR)
    csr.cookies.set(SESSION_COOKIE, token_for("noc"))
    it = csr.get(f"{ORDERS}/{order_id}?tab=it")
    assert 'id="process-diagram-' in it.text
    csr.cookies.set(SESSION_COOKIE, token_for("csr", name="wang"))

    listed = csr.get(ORDERS)
    assert listed.status_code == 200 and f'id="order-{order_id}"' in listed.text
    assert csr.get(ORDERS, params={"state": "completed"}).text.count('<tr id="order-') == 0
    only = csr.get(ORDERS, params={"customer": world.customer_id})
    assert f'id="order-{order_id}"' in only.text
    assert only.text.count('<tr id="order-') == 1  # the double submit made one order
    clock = sla.clock_of(session, order_id)
    assert clock is not None and clock["state"] == "running"  # the catalog SLA
    running = csr.get(ORDERS, params={"sla_state": "running"})
    assert f'id="order-{order_id}"' in running.text
    assert csr.get(ORDERS, params={"sla_state": "breached"}).text.count('<tr id="order-') == 0

    page = csr.get(f"{ORDERS}/{order_id}").text
    token = _CSRF.search(page).group(1)  # type: ignore[union-attr]
    no_reason = csr.post(f"{ORDERS}/{order_id}/cancel", data={"csrf_token": token, "reason": ""})
    assert no_reason.status_code == 400 and 'id="reason-error"' in no_reason.text


def test_wizard_field_errors(session: Session, csr: TestClient, world: World) -> None:
    w = Wizard(csr)
    r = w.post("customer")
    assert r.status_code == 400 and 'id="customer_id-error"' in r.text
    r = w.post("customer", "search", q="nobody-like-this")
    assert 'id="q-error"' in r.text
    w.post("customer", customer_id=world.customer_id)
    r = w.post("address", address_id=world.none_address)
    assert r.status_code == 400 and 'id="address_id-error"' in r.text
    assert "noCoverage" in r.text or "coverage" in r.text.lower()
    w.post("address", address_id=world.ftth_address)
    r = w.post("offer", offering_id="po-does-not-exist")
    assert r.status_code == 400 and 'id="offering_id-error"' in r.text
    w.post("offer", offering_id="po-hbb-300m")
    r = w.post("characteristics", char_accessAccount="x")
    assert r.status_code == 400 and 'id="char_accessAccount-error"' in r.text


def test_chinese_labels(session: Session, client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, token_for("csr"))
    page = client.get(WIZARD, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.text


def test_alarms_screen_and_acknowledge(
    session: Session, client: TestClient, clock: FrozenClock
) -> None:
    sla.start_clock(session, product_order_id="po-a1", completion_hours=4, jeopardy_percent=50)
    clock.advance(hours=2)
    sla.fire_jeopardy(session, "po-a1")
    session.commit()
    client.cookies.set(SESSION_COOKIE, token_for("noc", name="zhao"))
    page = client.get(ALARMS)
    assert page.status_code == 200 and "po-a1" in page.text
    (alarm,) = sla.alarms(session, SYSTEM_SCOPE)
    token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"{ALARMS}/{alarm['id']}/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and "done=acknowledged" in r.headers["location"]
    acked: list[dict[str, Any]] = sla.alarms(session, SYSTEM_SCOPE, state="acknowledged")
    assert acked[0]["acknowledgedBy"] == "zhao"
    r = client.post(
        f"{ALARMS}/{alarm['id']}/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    assert "error=ALREADY_ACKNOWLEDGED" in r.headers["location"]
    assert client.get(ALARMS, params={"state": "cleared"}).text.count('<tr id="alarm-') == 0
    client.cookies.set(SESSION_COOKIE, token_for("technician"))
    assert client.get(ALARMS).status_code == 403


@pytest.mark.parametrize(
    ("step", "action", "fields"),
    [
        ("summary", "submit", {"contact": "13800138000"}),
        ("appointment", "slots", {}),
        ("offer", "next", {"offering_id": "po-hbb-300m"}),
        ("characteristics", "next", {"char_x": "1"}),
        ("nonsense", "next", {}),
    ],
)
def test_tampered_drafts_are_refused_not_crashed(
    session: Session, csr: TestClient, step: str, action: str, fields: dict[str, str]
) -> None:
    w = Wizard(csr)
    token = _CSRF.search(w.page).group(1)  # type: ignore[union-attr]
    for draft in ("not json", '{"customer_id": "x", "address_id": 5, "slot_start": "nope"}'):
        r = csr.post(
            WIZARD,
            data={"csrf_token": token, "draft": draft, "step": step, "action": action, **fields},
            headers={"HX-Request": "true"},
        )
        assert r.status_code < 500, r.text
        assert "HX-Redirect" not in r.headers
