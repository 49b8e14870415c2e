"""End to end through the shipped flows (the tour of issue 6): own FTTH with the work
orders completed through TMF697, partner cable completed by the partner's user and by
its system's callback, a mobile line activated at once, and a RADIUS failure that
undoes the OLT registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.activation.models import RadCheck, RadReply
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.serviceorder import service as serviceorder
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service as resource_inventory
from openboss.resource.publishing import qualification
from tests.scenarios.conftest import (
    MERGE,
    PASSWORD,
    PRODUCTS,
    WORK_ORDERS,
    World,
    advance,
    completion,
    milestones,
    request_for,
    submit,
    work_orders_of,
)

Headers = Callable[..., dict[str, str]]
#: What an instance ending in an error end event is reported as.
ENDED_BY_ERROR_END = ("failed",)


def _close(client: TestClient, h: dict[str, str], wo_id: str, chars: dict[str, str]) -> None:
    r = client.patch(f"{WORK_ORDERS}/{wo_id}", json={"state": "inProgress"}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    r = client.patch(
        f"{WORK_ORDERS}/{wo_id}",
        json={"state": "completed", "workOrderItem": completion(chars)},
        headers={**h, **MERGE},
    )
    assert r.status_code == 200, r.text


def _open_order(session: Session, product_order_id: str, kind: str) -> dict[str, str]:
    found = [o for o in work_orders_of(session, product_order_id) if o.kind == kind]
    assert len(found) == 1, [(o.kind, o.state) for o in work_orders_of(session, product_order_id)]
    wo = found[0]
    assert wo.state == "acknowledged"
    refs = {e["role"]: e for e in wo.related_entity}
    assert refs["productOrder"] == {
        "id": product_order_id,
        "role": "productOrder",
        "@referredType": "ProductOrder",
    }
    return {"id": wo.id, "partner": wo.partner_id or "", "skill": str(wo.required_skill)}


def test_own_ftth_order_completes_through_the_work_orders(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request = request_for(world)
    so = submit(session, request)
    inst = advance(session, so)
    assert inst.status == "waiting"
    wo = _open_order(session, request.product_order_id, "installation")
    assert "ftthInstall" in wo["skill"] and wo["partner"] == ""
    port = session.scalars(
        select(RadCheck).where(RadCheck.username == request.characteristics["accessAccount"])
    ).first()
    assert port is None  # nothing activated before the installation

    h = auth_headers("dispatcher")
    _close(client, h, wo["id"], {"ontSerial": "HWTC1234ABCD"})
    inst = advance(session, so)
    assert inst.status == "waiting"
    dial = _open_order(session, request.product_order_id, "remoteDialTest")
    _close(client, auth_headers("noc"), dial["id"], {"dialTestResult": "pass"})
    inst = advance(session, so)
    assert inst.status == "completed", (inst.status, inst.last_error)

    account = request.characteristics["accessAccount"]
    replies = {
        r.attribute: r.value
        for r in session.scalars(select(RadReply).where(RadReply.username == account))
    }
    assert replies["WISPr-Bandwidth-Max-Down"] == str(300 * 1_000_000)
    assert replies["WISPr-Bandwidth-Max-Up"] == str(30 * 1_000_000)
    checks = list(session.scalars(select(RadCheck).where(RadCheck.username == account)))
    assert checks and all(PASSWORD not in c.value for c in checks)
    olt = activation.call_log(session, element="olt")
    assert [c["command"] for c in olt if c.get("outcome") == "done"] == ["activate"]

    r = client.get(f"{PRODUCTS}/{request.product_id}", headers=auth_headers("csr"))
    assert r.status_code == 200, r.text
    product = r.json()
    assert product["status"] == "active"
    # the splitter port is allocated to the product
    used = resource_inventory.usage_of_service(session, str(request.product_id))
    assert {res.spec_id for _u, res in used} == {"splitterPort", "cpe"}
    names = milestones(session, request.product_order_id)
    for step in (
        "resourcesReserved",
        "workOrderCreated",
        "workOrderCompleted",
        "ontRegistered",
        "accountActivated",
        "accepted",
        "resourcesAllocated",
        "activated",
    ):
        assert step in names, names
    view = engine.instance_view(session, inst.id)
    assert view["status"] == "completed"


def test_partner_cable_is_completed_by_the_partner_user(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request = request_for(
        world,
        place_id=world.partner_address,
        process_key="broadband-partner-cable",
        delivery_mode="partner",
        coverage_type="partnerCable",
        rfs_specs=("rfs-cable-access", "rfs-ip-session"),
    )
    so = submit(session, request)
    assert advance(session, so).status == "waiting"
    wo = _open_order(session, request.product_order_id, "installation")
    assert wo["partner"] == "PARTNER-1" and "cableInstall" in wo["skill"]
    partner = auth_headers("partner", partner_id="PARTNER-1", name="partner1")
    other = auth_headers("partner", partner_id="PARTNER-2", name="partner2")
    r = client.get(f"{WORK_ORDERS}/{wo['id']}", headers=other)
    assert r.status_code == 404
    _close(client, partner, wo["id"], {"ontSerial": "CATV0000PART"})
    inst = advance(session, so)
    assert inst.status == "completed", (inst.status, inst.last_error)
    account = request.characteristics["accessAccount"]
    assert session.scalars(select(RadReply).where(RadReply.username == account)).first()
    assert serviceorder.service_orders_of(session, request.product_order_id)[0]["state"] == (
        "completed"
    )


def test_partner_system_callback_resumes_the_flow(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request = request_for(
        world,
        place_id=world.partner_address,
        process_key="broadband-partner-cable",
        delivery_mode="partner",
        coverage_type="partnerCable",
    )
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")
    url = "/api/fulfilment/v1/partnerCallbacks"
    partner = auth_headers("partner", partner_id="PARTNER-1", name="p1-system")
    other = auth_headers("partner", partner_id="PARTNER-2", name="p2-system")
    body = {"workOrderId": wo["id"], "outcome": "completed", "characteristics": {}}
    assert client.post(url, json=body, headers=other).status_code == 404
    r = client.post(url, json=body, headers=partner)
    assert r.status_code == 400 and "characteristics.ontSerial" in r.text
    body["characteristics"] = {"ontSerial": "CATV0000CALL"}
    r = client.post(url, json=body, headers=partner)
    assert r.status_code == 202, r.text
    assert r.json()["delivered"] == "partnerCallback"
    inst = advance(session, so)
    assert inst.status == "completed", (inst.status, inst.last_error)
    # the partner's work order was closed by the flow, with the reported serial
    (closed,) = work_orders_of(session, request.product_order_id)
    assert closed.state == "completed"
    r = client.post(url, json=body, headers=partner)
    assert r.status_code == 409


def test_address_without_coverage_is_refused_with_the_reason(
    session: Session, world: World
) -> None:
    (result,) = qualification.qualify(
        session, SYSTEM_SCOPE, world.none_address, ["cfs-internet-access"]
    )
    assert result.result == "unqualified" and result.reasons == ("noCoverage",)
    # and a flow started anyway (a stale qualification) refuses without holding anything
    request = request_for(world, place_id=world.none_address)
    so = submit(session, request)
    inst = advance(session, so)
    assert inst.status in ENDED_BY_ERROR_END
    assert inst.done[-1] == "end_no_capacity"
    assert work_orders_of(session, request.product_order_id) == []
    assert resource_inventory.usage_of_service(session, str(request.product_id)) == []
    assert resource_inventory.list_reservations(session, SYSTEM_SCOPE, state="active") == []


def test_mobile_line_is_activated_at_once(session: Session, world: World) -> None:
    request = request_for(
        world,
        product_offering_id="po-mobile-5g-59",
        product_offering_name="Mobile 5G 59",
        product_spec_id="ps-mobile-5g",
        process_key="mobile-activation",
        delivery_mode="instant",
        coverage_type="mobile",
        place_id=None,
        cfs_specs=("cfs-mobile",),
        rfs_specs=("rfs-mobile-access",),
        characteristics={"includedDataGB": 30, "includedMinutes": 200, "includedSms": 100},
        secrets={},
    )
    so = submit(session, request)
    inst = advance(session, so)
    assert inst.status == "completed", (inst.status, inst.last_error)
    hlr = activation.call_log(session, element="hlr")
    ims = activation.call_log(session, element="ims")
    assert [c["command"] for c in hlr] == ["activate"]
    assert [c["command"] for c in ims] == ["activate"]
    msisdn = inst.data["serviceCharacteristics"]["msisdn"]
    assert msisdn.startswith("1375710")
    assert "numberAssigned" in milestones(session, request.product_order_id)


def _radius_failure(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> tuple[Any, Any]:
    request = request_for(world)
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")
    activation.inject_failure(session, "radius", "activate", times=1)
    _close(client, auth_headers("dispatcher"), wo["id"], {"ontSerial": "HWTC5678ABCD"})
    return request, advance(session, so)


def test_radius_failure_undoes_the_olt_registration(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request, inst = _radius_failure(session, client, auth_headers, world)
    assert inst.status in ENDED_BY_ERROR_END
    assert inst.done[-2:] == ["rollback", "end_failed"]
    olt = [c for c in activation.call_log(session, element="olt") if c.get("outcome") == "done"]
    assert [c["command"] for c in olt] == ["activate", "deactivate"]
    # the port reservation and the ONT went back
    assert resource_inventory.usage_of_service(session, str(request.product_id)) == []
    assert resource_inventory.list_reservations(session, SYSTEM_SCOPE, state="active") == []
    names = milestones(session, request.product_order_id)
    assert "activationFailed" in names and "failed" in names


def test_an_error_end_fails_the_order_item(
    session: Session, client: TestClient, auth_headers: Headers, world: World
) -> None:
    request, inst = _radius_failure(session, client, auth_headers, world)
    assert inst.status == "failed", (inst.status, inst.last_error)
    r = client.get(f"{PRODUCTS}/{request.product_id}", headers=auth_headers("csr"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_cancelling_a_waiting_order_compensates_in_reverse(session: Session, world: World) -> None:
    request = request_for(world)
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")
    assert len(resource_inventory.usage_of_service(session, str(request.product_id))) == 1  # ONT
    serviceorder.cancel_for_product_order(session, request.product_order_id, "customer moved")
    session.flush()
    session.expire_all()
    (closed,) = work_orders_of(session, request.product_order_id)
    assert closed.id == wo["id"] and closed.state == "cancelled"
    assert resource_inventory.usage_of_service(session, str(request.product_id)) == []
    held = resource_inventory.list_reservations(session, SYSTEM_SCOPE, state="active")
    assert held == []
    assert serviceorder.service_orders_of(session, request.product_order_id)[0]["state"] == (
        "cancelled"
    )


def test_a_late_installation_is_escalated_while_the_flow_waits(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    from openboss.workforce import service as workforce

    request = request_for(world)
    so = submit(session, request)
    advance(session, so)
    wo = _open_order(session, request.product_order_id, "installation")

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Later:  # type: ignore[override]
            real = datetime.now(UTC) + timedelta(days=1, hours=1)
            return cls.fromtimestamp(real.timestamp(), tz or UTC)

    monkeypatch.setattr(timer, "datetime", Later)  # a day and an hour later
    inst = advance(session, so)
    assert inst.status == "waiting"
    assert workforce.get_work_order(session, SYSTEM_SCOPE, wo["id"]).priority == "1"
    assert "workOrderEscalated" in milestones(session, request.product_order_id)
