"""Service orders through the fulfilment interface (submit, complete, cancel,
dependencies, inventories, milestones) with the real process engine, on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.inventory import service as inventory
from openboss.fulfilment.serviceorder import service as so
from openboss.fulfilment.serviceorder.models import ServiceOrder
from openboss.kit.errors import Conflict, ValidationFailed
from tests.fulfilment.serviceorder.conftest import COMPENSATED, HookLog, request, run

pytestmark = pytest.mark.usefixtures("processes")


def _chars(entity: dict[str, Any], key: str) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in entity.get(key, [])}


def test_add_runs_the_process_and_fills_both_inventories(
    session: Session, hook_log: HookLog
) -> None:
    [order] = so.submit(session, [request()])
    assert order["state"] == "inProgress"
    assert order["@type"] == "ServiceOrder"
    assert order["externalId"] == "PO-1"
    assert {"name": "PO-1", "externalReferenceType": "ProductOrder"} in order["externalReference"]
    assert order["orderRelationship"][0]["@referredType"] == "ProductOrder"
    assert order["relatedParty"] == [
        {"id": "CUST-1", "role": "customer", "@referredType": "Customer"}
    ]
    items = order["serviceOrderItem"]
    assert [i["service"]["serviceSpecification"]["id"] for i in items] == [
        "cfs-internet",
        "cfs-voip",
    ]
    assert {i["action"] for i in items} == {"add"} and {i["state"] for i in items} == {"inProgress"}
    svc = items[0]["service"]
    assert svc["place"] == [
        {"id": "ADDR-1", "role": "installationAddress", "@referredType": "GeographicAddress"}
    ]
    assert {
        "id": "PO-1",
        "name": "item 1",
        "role": "productOrder",
        "@referredType": "ProductOrder",
    } in svc["relatedEntity"]
    assert _chars(svc, "serviceCharacteristic") == {
        "bandwidthDown": 300,
        "accessAccount": "hz0001@fttx",
    }
    # the product exists from the start, pending while the order runs
    assert inventory.product_view(session, "PRD-1")["status"] == "pendingActive"
    instance = engine.get_instance(session, order["processInstanceId"])
    assert instance.business_key == order["id"]
    assert instance.data["serviceOrderId"] == order["id"]
    assert instance.data["productOrderId"] == "PO-1" and instance.data["itemId"] == "1"

    run(session, order)

    [done] = so.service_orders_of(session, "PO-1")
    assert done["state"] == "completed" and "completionDate" in done
    assert {i["state"] for i in done["serviceOrderItem"]} == {"completed"}
    product = inventory.product_view(session, "PRD-1")
    assert product["status"] == "active" and "startDate" in product
    assert product["productOffering"] == {
        "id": "PO-BB-300",
        "name": "Home Broadband 300M",
        "@referredType": "ProductOffering",
    }
    assert product["productSpecification"]["id"] == "PS-BB"
    assert _chars(product, "productCharacteristic") == {
        "bandwidthDown": 300,
        "accessAccount": "hz0001@fttx",
    }
    assert product["place"][0]["role"] == "installationAddress"
    assert product["billingAccount"]["id"] == "BA-1"
    assert product["relatedParty"][0]["id"] == "CUST-1"
    assert product["productPrice"][0]["priceType"] == "recurring"
    assert product["regionId"] == "330106"
    cfs_ids = [i["service"]["id"] for i in done["serviceOrderItem"]]
    assert [s["id"] for s in product["realizingService"]] == cfs_ids
    internet = inventory.service_view(session, cfs_ids[0])
    assert internet["state"] == "active" and internet["category"] == "CFS"
    assert _chars(internet, "serviceCharacteristic") == {
        "bandwidthDown": 300,
        "accessAccount": "hz0001@fttx",
        "ontSerial": "ZTEG00001234",
        "vlan": 101,
    }
    voip = inventory.service_view(session, cfs_ids[1])
    assert "vlan" not in _chars(voip, "serviceCharacteristic")
    assert [r["id"] for r in internet["supportingResource"]] == ["RES-PORT-1", "RES-ONT-7"]
    [rfs_ref] = internet["supportingService"]
    rfs = inventory.service_view(session, rfs_ref["id"])
    assert rfs["category"] == "RFS" and rfs["serviceSpecification"]["id"] == "rfs-gpon"
    assert {"id": "PRD-1", "role": "product", "@referredType": "Product"} in internet[
        "relatedEntity"
    ]
    assert [p["id"] for p in inventory.products_of_customer(session, "CUST-1")] == ["PRD-1"]
    # order handling heard of it once, with the product and services
    assert len(hook_log.closed) == 1
    po, item, outcome, detail = hook_log.closed[0]
    assert (po, item, outcome) == ("PO-1", "1", "completed")
    assert detail["productId"] == "PRD-1" and detail["serviceIds"] == cfs_ids
    names = [m.name for _, m in hook_log.milestones]
    assert names == ["serviceOrderCreated", "activated", "completed"]
    assert [m.name for m in so.progress(session, "PO-1")] == names
    assert so.progress(session, "PO-1")[1].detail == {"element": "olt"}
    # closing again changes nothing
    so.complete_item(session, done["id"], outcome="failed", detail={})
    assert so.service_orders_of(session, "PO-1")[0]["state"] == "completed"
    assert len(hook_log.closed) == 1


def test_request_round_trips_without_secrets(session: Session) -> None:
    [order] = so.submit(session, [request(depends_on=())])
    back = so.request_of(session, order["id"])
    assert back == request(secrets={}, characteristics=request().characteristics)
    assert back.secrets == {}
    stored = so.secret_of(session, order["id"], "accessPassword")
    assert stored is not None and stored.startswith("{ssha256}")
    assert so.secret_of(session, order["id"], "nothing") is None


def test_dependant_is_held_until_its_dependency_completes(
    session: Session, hook_log: HookLog
) -> None:
    first, second = so.submit(
        session,
        [
            request("2", depends_on=("1",), product_offering_name="IPTV", product_id="PRD-2"),
            request("1"),
        ],
    )
    assert first["state"] == "held" and "processInstanceId" not in first
    assert second["state"] == "inProgress"
    assert inventory.product_view(session, "PRD-2")["status"] == "created"
    run(session, second)
    orders = {o["externalReference"][1]["name"]: o for o in so.service_orders_of(session, "PO-1")}
    assert orders["PO-1/1"]["state"] == "completed"
    released = orders["PO-1/2"]
    assert released["state"] == "inProgress" and released["processInstanceId"]
    run(session, released)
    assert so.service_orders_of(session, "PO-1")[1]["state"] == "completed"
    assert [(i, o) for _, i, o, _ in hook_log.closed] == [("1", "completed"), ("2", "completed")]
    assert "held" in [m.name for m in so.progress(session, "PO-1")]


def test_dependant_fails_when_its_dependency_fails(session: Session, hook_log: HookLog) -> None:
    failing = request("1", characteristics={"testOutcome": "fail"})
    first, _second = so.submit(session, [failing, request("2", depends_on=("1",))])
    run(session, first)
    orders = so.service_orders_of(session, "PO-1")
    assert [o["state"] for o in orders] == ["failed", "failed"]
    assert orders[0]["failureReason"] == "no free PON port"  # the flow's own reason
    assert orders[0]["id"] in orders[1]["failureReason"]
    assert inventory.product_view(session, "PRD-1")["status"] == "cancelled"
    assert inventory.product_view(session, "PRD-2")["status"] == "cancelled"
    assert [(i, o) for _, i, o, _ in hook_log.closed] == [("1", "failed"), ("2", "failed")]
    assert hook_log.closed[0][3]["reason"]


def test_cancel_for_product_order_compensates_and_cascades(
    session: Session, hook_log: HookLog
) -> None:
    first, _second = so.submit(
        session,
        [request("1", process_key="soTestWait"), request("2", depends_on=("1",))],
    )
    run(session, first)  # the work task ran; the instance waits for soTestGo
    assert engine.get_instance(session, first["processInstanceId"]).status == "waiting"
    out = so.cancel_for_product_order(session, "PO-1", "customer changed mind")
    assert {o["state"] for o in out} == {"cancelled"}
    assert [first["id"]] == COMPENSATED
    assert engine.get_instance(session, first["processInstanceId"]).status == "cancelled"
    cancelled = so.service_orders_of(session, "PO-1")
    assert cancelled[0]["cancellationReason"] == "customer changed mind"
    assert "cancellationDate" in cancelled[0]
    assert inventory.product_view(session, "PRD-1")["status"] == "cancelled"
    assert inventory.product_view(session, "PRD-2")["status"] == "cancelled"
    assert sorted((i, o) for _, i, o, _ in hook_log.closed) == [
        ("1", "cancelled"),
        ("2", "cancelled"),
    ]
    # the TMF641 path went through the cancellation states
    assert so.cancel_for_product_order(session, "PO-1", "again") == cancelled


def test_change_suspend_resume_and_terminate(session: Session) -> None:
    [added] = so.submit(session, [request()])
    run(session, added)
    cfs = [i["service"]["id"] for i in so.service_orders_of(session, "PO-1")[0]["serviceOrderItem"]]

    def step(po: str, action: str, **kw: Any) -> dict[str, Any]:
        [order] = so.submit(
            session,
            [
                request(
                    "1",
                    product_order_id=po,
                    action=action,
                    product_id="PRD-1",
                    secrets={},
                    **kw,
                )
            ],
        )
        assert [i["service"]["id"] for i in order["serviceOrderItem"]] == cfs
        run(session, order)
        assert so.service_orders_of(session, po)[0]["state"] == "completed"
        return inventory.product_view(session, "PRD-1")

    product = step("PO-2", "modify", characteristics={"bandwidthDown": 500})
    assert _chars(product, "productCharacteristic")["bandwidthDown"] == 500
    assert _chars(product, "productCharacteristic")["accessAccount"] == "hz0001@fttx"
    internet = inventory.service_view(session, cfs[0])
    assert _chars(internet, "serviceCharacteristic")["bandwidthDown"] == 500
    assert step("PO-3", "suspend", characteristics={})["status"] == "suspended"
    assert inventory.service_view(session, cfs[0])["state"] == "inactive"
    assert inventory.service_view(session, cfs[0])["isServiceEnabled"] is False
    assert step("PO-4", "resume", characteristics={})["status"] == "active"
    assert inventory.service_view(session, cfs[0])["state"] == "active"
    product = step("PO-5", "delete", characteristics={})
    assert product["status"] == "terminated" and "terminationDate" in product
    for sid in cfs:
        assert inventory.service_view(session, sid)["state"] == "terminated"
    rfs = inventory.service_view(session, cfs[0])["supportingService"][0]["id"]
    assert inventory.service_view(session, rfs)["state"] == "terminated"


def test_delete_that_fails_restores_the_product(session: Session) -> None:
    [added] = so.submit(session, [request()])
    run(session, added)
    [order] = so.submit(
        session,
        [
            request(
                product_order_id="PO-2",
                action="delete",
                characteristics={"testOutcome": "fail"},
                secrets={},
            )
        ],
    )
    assert inventory.product_view(session, "PRD-1")["status"] == "pendingTerminate"
    run(session, order)
    assert so.service_orders_of(session, "PO-2")[0]["state"] == "failed"
    assert inventory.product_view(session, "PRD-1")["status"] == "active"


def test_submit_validates_and_writes_nothing_on_error(session: Session) -> None:
    cases: list[tuple[Any, type[Exception], str]] = [
        ([request(process_key="")], ValidationFailed, "process_key"),
        ([request(action="modify", product_id="NOPE")], ValidationFailed, "product_id"),
        ([request(depends_on=("9",))], ValidationFailed, "depends_on"),
        ([request(depends_on=("1",))], ValidationFailed, "depends_on"),
        (
            [request("1", depends_on=("2",)), request("2", depends_on=("1",))],
            ValidationFailed,
            "depends_on",
        ),
        ([request(), request()], ValidationFailed, "requests"),
    ]
    for requests, error, field in cases:
        nested = session.begin_nested()
        with pytest.raises(error) as err:
            so.submit(session, requests)
        nested.rollback()
        assert err.value.field == field, (requests, err.value)  # type: ignore[attr-defined]
    assert session.scalars(select(ServiceOrder)).first() is None
    so.submit(session, [request()])
    with pytest.raises(Conflict):
        so.submit(session, [request()])
    with pytest.raises(ValidationFailed):
        so.submit(session, [request("7", process_key="noSuchProcess", product_id="PRD-7")])
    assert so.submit(session, []) == []


def test_milestones_need_a_known_order(session: Session) -> None:
    from openboss.kit.errors import NotFound

    with pytest.raises(NotFound):
        so.record_milestone(session, "missing", "activated")
    with pytest.raises(NotFound):
        so.request_of(session, "missing")
