"""Customer 360 (API and console), contributed panels, and the customer search
by account number and by address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.panels import (
    CustomerPanel,
    PanelColumn,
    PanelData,
    register_customer_panel,
    unregister_customer_panel,
)
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.party.customer import search
from openboss.party.interaction import service as interaction_service
from openboss.party.region import service as regions
from tests.conftest import token_for
from tests.party.test_party_api import INDIVIDUALS, person, post

CUSTOMERS = "/tmf-api/customerManagement/v4/customer"
ACCOUNTS = "/tmf-api/accountManagement/v4/billingAccount"
INTERACTIONS = "/tmf-api/partyInteraction/v4/partyInteraction"
SITES = "/tmf-api/geographicSiteManagement/v4/geographicSite"
ADDRESSES = "/tmf-api/geographicAddressManagement/v4/geographicAddress"
API = "/api/party/v1/customer360"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def world(client: TestClient, auth_headers: Headers, session: Session) -> dict[str, Any]:
    """A household customer in 西湖区 with an installation address, an account and a contact."""
    regions.create_region(session, id="330000", parent_id=None, level="province", name="浙江省")
    regions.create_region(session, id="330100", parent_id="330000", level="city", name="杭州市")
    for code, name in (("330106", "西湖区"), ("330108", "滨江区")):
        regions.create_region(session, id=code, parent_id="330100", level="district", name=name)
        regions.create_region(
            session, id=f"{code}-G01", parent_id=code, level="grid", name=name + "一网格"
        )
    interaction_service.seed_default_reasons(session)
    session.commit()
    csr = auth_headers("csr", regions=["330106"])
    site = post(
        client,
        SITES,
        {
            "streetName": "文三路",
            "streetNr": "90号",
            "compound": "翠苑一区",
            "buildingName": "3幢",
            "regionId": "330106-G01",
        },
        csr,
    )
    address = post(
        client,
        ADDRESSES,
        {
            "siteId": site["id"],
            "geographicSubAddress": [{"subUnitNumber": "2", "roomNumber": "501"}],
        },
        csr,
    )
    party = post(client, INDIVIDUALS, person(), csr)
    customer = post(
        client,
        CUSTOMERS,
        {
            "name": party["fullName"],
            "engagedParty": {"id": party["id"], "@referredType": "Individual"},
            "customerType": "household",
            "grade": "vipSilver",
            "regionId": "330106-G01",
            "place": [{"id": address["id"], "role": "installation"}],
        },
        csr,
    )
    account = post(
        client,
        ACCOUNTS,
        {"name": "家庭账户", "relatedParty": [{"id": customer["id"], "role": "customer"}]},
        csr,
    )
    contact = post(
        client,
        INTERACTIONS,
        {
            "description": "咨询宽带升级",
            "direction": "inbound",
            "reason": "fault.noService",
            "status": "open",
            "channel": [{"id": "callCentre"}],
            "interactionDate": {"startDateTime": "2026-05-01T08:00:00+08:00"},
            "relatedParty": [
                {"id": customer["id"], "role": "customer", "@referredType": "Customer"}
            ],
        },
        csr,
    )
    return {
        "csr": csr,
        "party": party,
        "customer": customer,
        "account": account,
        "address": address,
        "contact": contact,
    }


@pytest.fixture
def orders_panel() -> Iterator[list[str]]:
    """A panel as the ordering domain would contribute it."""
    calls: list[str] = []

    def load(session: Session, scope: Scope, customer_id: str) -> PanelData:
        calls.append(customer_id)
        return PanelData(rows=[{"id": "PO-1", "state": "inProgress"}], total=1)

    register_customer_panel(
        CustomerPanel(
            key="test-orders",
            title="Orders",
            columns=(PanelColumn("id", "Order"), PanelColumn("state", "State")),
            load=load,
            order=30,
            roles=frozenset({"csr"}),
        )
    )
    yield calls
    unregister_customer_panel("test-orders")


def test_api_shows_the_whole_customer(
    client: TestClient, world: dict[str, Any], orders_panel: list[str]
) -> None:
    cid = world["customer"]["id"]
    r = client.get(f"{API}/{cid}", headers=world["csr"])
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["customer"]["id"] == cid
    assert view["engagedParty"]["id"] == world["party"]["id"]
    full = world["party"]["individualIdentification"][0]["identificationId"]
    assert view["engagedParty"]["individualIdentification"][0]["identificationId"] == full
    assert [r["id"] for r in view["regionPath"]] == ["330000", "330100", "330106", "330106-G01"]
    assert view["addresses"][0]["role"] == "installation"
    assert "文三路" in view["addresses"][0]["formatted"]
    assert "501" in view["addresses"][0]["formatted"]
    assert [a["id"] for a in view["accounts"]] == [world["account"]["id"]]
    assert view["accounts"][0]["accountNumber"] == world["account"]["accountNumber"]
    assert [c["id"] for c in view["contacts"]] == [world["contact"]["id"]]
    assert view["flags"] == {"blacklisted": False, "blacklistReason": None, "validDocument": True}
    panel = next(p for p in view["panels"] if p["key"] == "test-orders")
    assert panel["rows"] == [{"id": "PO-1", "state": "inProgress"}] and panel["total"] == 1
    assert orders_panel == [cid]


def test_roles_mask_documents_and_hide_panels(
    client: TestClient, world: dict[str, Any], orders_panel: list[str], auth_headers: Headers
) -> None:
    cid = world["customer"]["id"]
    billing = auth_headers("billing", regions=["330106"])
    view = client.get(f"{API}/{cid}", headers=billing).json()
    shown = view["engagedParty"]["individualIdentification"][0]["identificationId"]
    full = world["party"]["individualIdentification"][0]["identificationId"]
    assert shown != full and "*" in shown and shown[:3] == full[:3]
    assert "test-orders" not in [p["key"] for p in view["panels"]]
    assert client.get(f"{API}/{cid}", headers=auth_headers("technician")).status_code == 403


def test_another_districts_csr_gets_404(
    client: TestClient, world: dict[str, Any], auth_headers: Headers
) -> None:
    cid = world["customer"]["id"]
    binjiang = auth_headers("csr", regions=["330108"])
    assert client.get(f"{API}/{cid}", headers=binjiang).status_code == 404
    client.cookies.set(SESSION_COOKIE, token_for("csr", regions=["330108"]))
    assert client.get(f"/console/party/customers/{cid}").status_code == 404
    city = auth_headers("csr", regions=["330100"])
    assert client.get(f"{API}/{cid}", headers=city).status_code == 200


@pytest.mark.parametrize(("lang", "text"), [("zh_CN", "客户 360"), ("en", "Customer 360")])
def test_console_page_in_both_languages(
    client: TestClient, world: dict[str, Any], orders_panel: list[str], lang: str, text: str
) -> None:
    cid = world["customer"]["id"]
    client.cookies.set(SESSION_COOKIE, token_for("csr", regions=["330106"]))
    page = client.get(f"/console/party/customers/{cid}?lang={lang}")
    assert page.status_code == 200, page.text
    html = page.text
    assert text in html
    assert world["account"]["accountNumber"] in html
    assert "咨询宽带升级" in html
    assert 'id="panel-test-orders"' in html and "PO-1" in html
    full = world["party"]["individualIdentification"][0]["identificationId"]
    assert full in html  # customer service sees the document in full
    client.cookies.set(SESSION_COOKIE, token_for("marketing", regions=["330106"]))
    masked = client.get(f"/console/party/customers/{cid}?lang={lang}").text
    assert full not in masked


def test_search_by_account_number_and_by_address(session: Session, world: dict[str, Any]) -> None:
    cid = world["customer"]["id"]
    number = world["account"]["accountNumber"]
    assert search.detect_kind(number) == "account"
    assert [h.id for h in search.search_customers(session, SYSTEM_SCOPE, number)] == [cid]
    hits = search.search_customers(session, SYSTEM_SCOPE, "翠苑一区 3幢", kind="address")
    assert [h.id for h in hits] == [cid]
    other = Scope(regions=frozenset({"330108"}))
    assert search.search_customers(session, other, number) == []


def test_party_api_masks_documents_for_billing_and_marketing(
    client: TestClient, world: dict[str, Any], auth_headers: Headers
) -> None:
    party = world["party"]
    full = party["individualIdentification"][0]["identificationId"]
    one = f"{INDIVIDUALS}/{party['id']}"
    assert (
        client.get(one, headers=world["csr"]).json()["individualIdentification"][0][
            "identificationId"
        ]
        == full
    )
    for role in ("billing", "marketing"):
        headers = auth_headers(role)
        shown = client.get(one, headers=headers).json()["individualIdentification"][0]
        assert shown["identificationId"] != full and "*" in shown["identificationId"]
        listed = client.get(INDIVIDUALS, headers=headers)
        assert listed.status_code == 200 and full not in listed.text
        assert listed.headers["X-Total-Count"] == "1"
