"""In-life changes of an installed FTTH broadband through the shipped flows: suspend
(RADIUS rejects), resume, bandwidth change, IPTV and a static IP on top, terminate
(resources released, CPE recovered with a work order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.activation.models import RadCheck, RadReply
from openboss.fulfilment.flows import process_for
from openboss.fulfilment.inventory import service as inventory
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service as resource_inventory
from openboss.resource.pools import stock
from tests.scenarios.conftest import (
    World,
    advance,
    milestones,
    request_for,
    submit,
    work_orders_of,
)
from tests.scenarios.test_fulfilment_tour import _close, _open_order

Headers = Callable[..., dict[str, str]]


def _installed(session: Session, client: TestClient, auth_headers: Headers, world: World) -> Any:
    request = request_for(world)
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")
    _close(client, auth_headers("dispatcher"), wo["id"], {"ontSerial": "HWTC0000LIFE"})
    advance(session, so)
    dial = _open_order(session, request.product_order_id, "remoteDialTest")
    _close(client, auth_headers("noc"), dial["id"], {"dialTestResult": "pass"})
    assert advance(session, so).status == "completed"
    return request


def _change(session: Session, world: World, original: Any, action: str, **kw: Any) -> Any:
    request = request_for(
        world,
        action=action,
        process_key=process_for(action),
        product_id=original.product_id,
        characteristics={**original.characteristics, **kw.pop("characteristics", {})},
        secrets={},
        **kw,
    )
    so = submit(session, request)
    return request, advance(session, so)


def _rejects(session: Session, account: str) -> bool:
    rows = session.scalars(select(RadCheck).where(RadCheck.username == account))
    return any(r.attribute == "Auth-Type" and r.value == "Reject" for r in rows)


def test_suspend_resume_modify_and_terminate(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    original = _installed(session, client, auth_headers, world)
    account = original.characteristics["accessAccount"]
    facts = {
        c["name"]: c.get("value")
        for s in inventory.services_of_product(session, str(original.product_id))
        for c in s.service_characteristic or []
    }
    assert facts["accessAccount"] == account and facts["ontSerial"] == "HWTC0000LIFE"

    _req, inst = _change(session, world, original, "suspend")
    assert inst.status == "completed", inst.last_error
    assert _rejects(session, account)
    _req, inst = _change(session, world, original, "resume")
    assert inst.status == "completed", inst.last_error
    assert not _rejects(session, account)

    _req, inst = _change(
        session, world, original, "modify", characteristics={"downloadSpeed": 1000}
    )
    assert inst.status == "completed", inst.last_error
    down = session.scalars(
        select(RadReply.value).where(
            RadReply.username == account, RadReply.attribute == "WISPr-Bandwidth-Max-Down"
        )
    ).one()
    assert down == str(1000 * 1_000_000)

    request, inst = _change(session, world, original, "delete")
    assert inst.status == "waiting"  # for the CPE recovery
    recovery = _open_order(session, request.product_order_id, "cpeRecovery")
    assert session.scalars(select(RadCheck).where(RadCheck.username == account)).first() is None
    olt = [c["command"] for c in activation.call_log(session, element="olt")]
    assert olt[-1] == "deactivate"
    used = resource_inventory.usage_of_service(session, str(original.product_id))
    assert [r.spec_id for _u, r in used] == ["cpe"]  # the port is free again
    _close(client, auth_headers("dispatcher"), recovery["id"], {"recoveredSerial": "SCONT00000"})
    inst = advance(session, _so(session, request))
    assert inst.status == "completed", inst.last_error
    assert resource_inventory.usage_of_service(session, str(original.product_id)) == []
    levels = {
        (lv["kind"], lv["model"]): lv["available"]
        for lv in stock.levels(
            session, SYSTEM_SCOPE, stock.list_warehouses(session, SYSTEM_SCOPE)[0].id
        )
    }
    assert levels[("ont", "HG8245H")] == 3
    assert "cpeRecovered" in milestones(session, request.product_order_id)
    assert [o.kind for o in work_orders_of(session, request.product_order_id)] == ["cpeRecovery"]


def _so(session: Session, request: Any) -> str:
    from openboss.fulfilment.serviceorder import service as serviceorder

    (order,) = serviceorder.service_orders_of(session, request.product_order_id)
    return str(order["id"])


def test_iptv_and_static_ip_ride_on_the_broadband(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    original = _installed(session, client, auth_headers, world)
    iptv = request_for(
        world,
        product_offering_id="po-iptv-basic",
        product_offering_name="IPTV Basic",
        product_spec_id="ps-iptv",
        process_key="iptv-activation",
        delivery_mode="instant",
        cfs_specs=("cfs-iptv",),
        characteristics={"channelPackage": "basic-120"},
        secrets={},
    )
    inst = advance(session, submit(session, iptv))
    assert inst.status == "completed", inst.last_error
    assert inst.data["serviceCharacteristics"]["stbSerial"] == "SCSTB00001"
    olt = activation.call_log(session, element="olt")
    assert olt[-1]["command"] == "modify" and olt[-1]["params"]["vlan"] == 45

    static = request_for(
        world,
        product_offering_id="po-static-ip-addon",
        product_offering_name="Static IP Add-on",
        product_spec_id="ps-static-ip",
        process_key="static-ip-activation",
        delivery_mode="instant",
        cfs_specs=("cfs-static-ip",),
        characteristics={"addressCount": 1},
        secrets={},
    )
    inst = advance(session, submit(session, static))
    assert inst.status == "completed", inst.last_error
    ip = session.scalars(
        select(RadReply.value).where(
            RadReply.username == original.characteristics["accessAccount"],
            RadReply.attribute == "Framed-IP-Address",
        )
    ).one()
    assert ip == inst.data["serviceCharacteristics"]["staticIp"]
    assert ip.startswith("61.164.10.")
