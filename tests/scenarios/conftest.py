"""The world of the end-to-end fulfilment scenarios, built through the owning domains'
services as the demo does: Hangzhou's regions, three buildings (own FTTH with free
splitter ports, partner cable only, nothing — like DEMO-HH-1..3), a customer, a
warehouse with ONTs and set-top boxes, number pools, the field crews (workforce demo)
and the shipped flows deployed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

import openboss.fulfilment.flows.handlers  # noqa: F401 - handlers and the closure hook
from openboss.fulfilment.contracts import FulfilmentRequest
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.ids import new_id
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.demo import CABLE_PARTNER
from openboss.resource.pools import ip, numbers, stock
from openboss.resource.publishing import availability
from openboss.resource.publishing.coverage import create_coverage
from openboss.resource.publishing.schemas import PartnerCoverageCreate
from openboss.workforce.demo import load_workforce_demo
from tests.party.test_account_api import make_customer
from tests.resource.conftest import make_flat, make_site, regions  # noqa: F401 - fixtures
from tests.resource.publishing.conftest import Ftth, build_ftth, publishing  # noqa: F401

WORK_ORDERS = "/tmf-api/workOrderManagement/v4/workOrder"
PRODUCTS = "/tmf-api/productInventory/v4/product"
MERGE = {"Content-Type": "application/merge-patch+json"}
PASSWORD = "Broadband-2026"


@dataclass
class World:
    customer_id: str
    ftth_address: str
    partner_address: str
    none_address: str
    ftth: Ftth
    onts: list[str] = field(default_factory=list)


@pytest.fixture
def world(
    session: Session,
    make_site: Callable[..., str],  # noqa: F811
    make_flat: Callable[..., str],  # noqa: F811
    build_ftth: Callable[..., Ftth],  # noqa: F811
) -> World:
    ftth_site = make_site("1幢", compound="翠苑一区", code="S-B-FTTH")
    ftth = build_ftth(ftth_site, used=1)
    partner_site = make_site("2幢", compound="古荡新村", code="S-B-PARTNER")
    create_coverage(
        session,
        SYSTEM_SCOPE,
        PartnerCoverageCreate.model_validate(
            {"siteId": partner_site, "partnerId": CABLE_PARTNER, "capacity": 100, "used": 0}
        ),
    )
    none_site = make_site("3幢", compound="府苑新村", code="S-B-NONE")
    availability.refresh_sites(session, [ftth_site, partner_site, none_site])
    customer = make_customer(session, region_id="330106-G01", grade="regular")
    house = stock.create_warehouse(
        session, SYSTEM_SCOPE, code="WH-S", name="西湖仓", region_id="330106", low_stock_threshold=1
    )
    onts = [f"SCONT{n:05d}" for n in range(3)]
    stock.receive(session, SYSTEM_SCOPE, house.id, model="HG8245H", kind="ont", serials=onts)
    stock.receive(
        session, SYSTEM_SCOPE, house.id, model="EC6108V9", kind="stb", serials=["SCSTB00001"]
    )
    numbers.create_pool(
        session,
        SYSTEM_SCOPE,
        name="杭州移动 test",
        kind="msisdn",
        region_id="330100",
        range_start="13757100000",
        range_end="13757100009",
    )
    numbers.create_pool(
        session,
        SYSTEM_SCOPE,
        name="杭州固话 test",
        kind="fixed",
        region_id="330100",
        range_start="057188000000",
        range_end="057188000009",
    )
    ip.create_pool(
        session,
        SYSTEM_SCOPE,
        cidr="61.164.10.0/28",
        purpose="staticBusiness",
        name="政企静态地址池 test",
        region_id="330100",
    )
    load_workforce_demo(session)
    engine.deploy_builtin(session)
    session.flush()
    return World(
        customer_id=customer,
        ftth_address=make_flat(ftth_site, "1", "101"),
        partner_address=make_flat(partner_site, "1", "201"),
        none_address=make_flat(none_site, "1", "301"),
        ftth=ftth,
        onts=onts,
    )


def request_for(world: World, **kw: Any) -> FulfilmentRequest:
    """A Home Broadband 300M item at the own-FTTH flat (override with ``kw``)."""
    base = FulfilmentRequest(
        product_order_id=f"PO-{new_id()[-8:]}",
        product_order_item_id="1",
        action="add",
        product_offering_id="po-hbb-300m",
        product_offering_name="Home Broadband 300M",
        product_spec_id="ps-home-broadband",
        process_key="broadband-ftth-install",
        delivery_mode="ownConstruction",
        customer_id=world.customer_id,
        product_id=new_id(),
        product_name="Home Broadband 300M",
        place_id=world.ftth_address,
        region_id="330106-G01",
        coverage_type="ownFtth",
        sla_completion_hours=48,
        sla_jeopardy_percent=75,
        cfs_specs=("cfs-internet-access",),
        rfs_specs=("rfs-gpon-access", "rfs-ip-session"),
        characteristics={"downloadSpeed": 300, "accessAccount": f"hz{new_id()[-10:]}"},
        secrets={"accessPassword": PASSWORD},
        contact={"phone": "13800138000", "name": "Li Lei"},
    )
    return replace(base, **kw)


def submit(session: Session, request: FulfilmentRequest) -> str:
    """Submit one request; return its service order id."""
    (order,) = serviceorder.submit(session, [request])
    return str(order["id"])


def instance_of(session: Session, service_order_id: str) -> Any:
    (inst,) = engine.instances_of(session, service_order_id)
    return inst


def advance(session: Session, service_order_id: str) -> Any:
    """Run the service order's instance until it waits or ends (what the worker does)."""
    session.expire_all()  # the API changed things in its own session
    inst = instance_of(session, service_order_id)
    engine.run(session, inst.id)
    session.flush()
    return instance_of(session, service_order_id)


def work_orders_of(session: Session, product_order_id: str) -> list[Any]:
    from openboss.workforce import service as workforce

    return [
        o
        for o in workforce.search_work_orders(session, SYSTEM_SCOPE, limit=500)
        if any(e.get("id") == product_order_id for e in o.related_entity or [])
    ]


def completion(chars: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": "1",
            "action": "add",
            "characteristic": [{"name": k, "value": v} for k, v in chars.items()],
        }
    ]


def milestones(session: Session, product_order_id: str) -> Sequence[str]:
    return [m.name for m in serviceorder.progress(session, product_order_id)]
