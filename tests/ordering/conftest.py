"""Fixtures of the ordering tests: the demo catalog, Hangzhou's regions, three
buildings (own FTTH, partner cable only, no coverage — like the demo's
DEMO-HH-1..3), a customer with an active billing account, and order bodies.

Everything is built through the owning domains' services, as the demo does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.catalog import yaml_io
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.party.account import service as account_service
from openboss.party.account.schemas import BillingAccountCreate
from openboss.resource.demo import CABLE_PARTNER
from openboss.resource.publishing import availability
from openboss.resource.publishing.coverage import create_coverage
from openboss.resource.publishing.schemas import PartnerCoverageCreate
from tests.party.test_account_api import make_customer
from tests.resource.conftest import make_flat, make_site, regions  # noqa: F401 - fixtures
from tests.resource.publishing.conftest import Ftth, build_ftth, publishing  # noqa: F401

BASE = "/tmf-api/productOrderingManagement/v4"
ORDERS = f"{BASE}/productOrder"
CANCELS = f"{BASE}/cancelProductOrder"
MERGE = {"Content-Type": "application/merge-patch+json"}
URL = "http://testserver"
PHONE = "13800138000"

Headers = Callable[..., dict[str, str]]


@dataclass
class World:
    customer_id: str
    account_id: str
    ftth_address: str
    partner_address: str
    none_address: str


def open_account(session: Session, customer_id: str, *, limit_minor: int | None = 500_000) -> str:
    body: dict[str, Any] = {
        "name": "家庭账户",
        "relatedParty": [{"id": customer_id, "role": "customer"}],
        "defaultPaymentMethod": {"id": "alipay"},
    }
    if limit_minor is not None:
        body["creditLimit"] = {"unit": "CNY", "value": limit_minor / 100}
    written = account_service.create_account(
        session, SYSTEM_SCOPE, BillingAccountCreate.model_validate(body), URL
    )
    account_service.change_state(session, SYSTEM_SCOPE, written.account.id, "active", URL)
    return written.account.id


@pytest.fixture
def world(
    session: Session,
    make_site: Callable[..., str],  # noqa: F811
    make_flat: Callable[..., str],  # noqa: F811
    build_ftth: Callable[..., Ftth],  # noqa: F811
) -> World:
    yaml_io.load_demo_catalog(session)
    ftth = make_site("1幢", compound="翠苑一区", code="T-B-FTTH")
    build_ftth(ftth, used=1)
    partner = make_site("2幢", compound="古荡新村", code="T-B-PARTNER")
    create_coverage(
        session,
        SYSTEM_SCOPE,
        PartnerCoverageCreate.model_validate(
            {"siteId": partner, "partnerId": CABLE_PARTNER, "capacity": 100, "used": 0}
        ),
    )
    none = make_site("3幢", compound="府苑新村", code="T-B-NONE")
    availability.refresh_sites(session, [ftth, partner, none])
    customer = make_customer(session, region_id="330106-G01", grade="regular")
    account = open_account(session, customer)
    session.flush()
    return World(
        customer_id=customer,
        account_id=account,
        ftth_address=make_flat(ftth, "1", "101"),
        partner_address=make_flat(partner, "1", "201"),
        none_address=make_flat(none, "1", "301"),
    )


def place(address_id: str) -> list[dict[str, Any]]:
    return [{"id": address_id, "role": "installationAddress", "@referredType": "GeographicAddress"}]


def item(
    ident: str,
    offering: str,
    *,
    address: str | None = None,
    action: str = "add",
    chars: dict[str, Any] | None = None,
    members: list[dict[str, Any]] | None = None,
    product_id: str | None = None,
    relies_on: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident, "action": action, "productOffering": {"id": offering}}
    product: dict[str, Any] = {}
    if address:
        product["place"] = place(address)
    if chars:
        product["productCharacteristic"] = [{"name": k, "value": v} for k, v in chars.items()]
    if product_id:
        product["id"] = product_id
    if product:
        out["product"] = product
    if members is not None:
        out["productOrderItem"] = members
    if relies_on:
        out["productOrderItemRelationship"] = [
            {"id": r, "relationshipType": "reliesOn"} for r in relies_on
        ]
    return out


def order_body(world: World, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "relatedParty": [
            {"id": world.customer_id, "role": "customer", "@referredType": "Customer"}
        ],
        "billingAccount": {"id": world.account_id},
        "notificationContact": PHONE,
        "productOrderItem": list(items) or [item("1", "po-hbb-300m", address=world.ftth_address)],
    }
    body.update(extra)
    return body


@pytest.fixture
def flows(session: Session) -> None:
    """The shipped BPMN processes, deployed with their handlers."""
    import openboss.fulfilment.flows.handlers  # noqa: F401 - registers the service tasks
    from openboss.fulfilment.engine import service as engine

    engine.deploy_builtin(session)
    session.flush()
