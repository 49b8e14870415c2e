"""Fixtures of the service-order tests: two tiny test processes (one runs
straight through, one waits for a message), the handler their service task
binds to, fulfilment requests, and recorders of the fulfilment hooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.fulfilment import hooks
from openboss.fulfilment.contracts import FulfilmentRequest, Milestone
from openboss.fulfilment.engine import service as engine
from openboss.fulfilment.engine.handlers import BpmnError, TaskContext, compensation, service_task
from openboss.fulfilment.serviceorder import service as so

BPMN = Path(__file__).with_name("so_test.bpmn")
SPECS = Path("/work/shared/tmf-specs")
REGION = "330106"
PASSWORD = "Zz-clear-pass-9183"


def swagger(name: str) -> dict[str, Any]:
    return dict(json.loads((SPECS / name).read_text()))


COMPENSATED: list[str] = []


@service_task("sotest.work")
def _work(ctx: TaskContext) -> None:
    """Reads the request, fails on ``testOutcome=fail``, leaves flow results in
    the instance data and records a milestone (what FLOWS handlers do)."""
    request = so.request_of(ctx.session, ctx.business_key)
    if request.characteristics.get("testOutcome") == "fail":
        ctx.data["failure"] = {"task": ctx.task_id, "reason": "no free PON port"}
        raise BpmnError("SO_TEST_FAIL", "injected failure")
    ctx.data["serviceCharacteristics"] = {
        "ontSerial": "ZTEG00001234",
        "accessAccount": request.characteristics.get("accessAccount"),
        "cfs-internet": {"vlan": 101},
    }
    ctx.data["resources"] = ["RES-PORT-1", {"id": "RES-ONT-7", "name": "ONT"}]
    ctx.data["hasSecret"] = (
        so.secret_of(ctx.session, ctx.business_key, "accessPassword") is not None
    )
    so.record_milestone(ctx.session, ctx.business_key, "activated", holder="system", element="olt")
    if ctx.process_key == "soTestWait":
        ctx.expect("soTestGo", ctx.business_key)


#: Set by a test: instances of ``soTestBarrier`` wait here for each other.
BARRIER: list[threading.Barrier] = []


@service_task("sotest.barrier")
def _meet(ctx: TaskContext) -> None:
    if BARRIER:
        BARRIER[0].wait(timeout=30)


@compensation("sotest.work")
def _undo(ctx: TaskContext) -> None:
    COMPENSATED.append(ctx.business_key)


@pytest.fixture
def processes(session: Session) -> None:
    engine.deploy(session, BPMN.read_bytes(), source="test")
    session.commit()
    COMPENSATED.clear()


def request(item: str = "1", **kw: Any) -> FulfilmentRequest:
    base = FulfilmentRequest(
        product_order_id="PO-1",
        product_order_item_id=item,
        action="add",
        product_offering_id="PO-BB-300",
        product_offering_name="Home Broadband 300M",
        product_spec_id="PS-BB",
        process_key="soTestInstant",
        delivery_mode="instant",
        customer_id="CUST-1",
        billing_account_id="BA-1",
        product_id=f"PRD-{item}",
        product_name="Home Broadband 300M",
        place_id="ADDR-1",
        region_id=REGION,
        coverage_type="ownFtth",
        sla_completion_hours=48,
        cfs_specs=("cfs-internet", "cfs-voip"),
        rfs_specs=("rfs-gpon",),
        characteristics={"bandwidthDown": 300, "accessAccount": "hz0001@fttx"},
        secrets={"accessPassword": PASSWORD},
        product_price=(
            {
                "name": "monthly",
                "priceType": "recurring",
                "recurringChargePeriod": "month",
                "price": {"taxIncludedAmount": {"unit": "CNY", "value": 99}},
            },
        ),
        contact={"phone": "13900001111", "name": "张三"},
    )
    return replace(base, **kw)


@dataclass
class HookLog:
    closed: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    milestones: list[tuple[str, Milestone]] = field(default_factory=list)


@pytest.fixture
def hook_log() -> Iterator[HookLog]:
    log = HookLog()

    def closed(_s: Session, po: str, item: str, outcome: str, detail: Any) -> None:
        log.closed.append((po, item, outcome, dict(detail)))

    def milestone(_s: Session, po: str, reached: Milestone) -> None:
        log.milestones.append((po, reached))

    hooks.on_item_closed(closed)
    hooks.on_milestone(milestone)
    try:
        yield log
    finally:
        hooks.remove_listener(closed)
        hooks.remove_listener(milestone)


def run(session: Session, order: dict[str, Any]) -> None:
    """Advance the order's process instance now (what the worker does)."""
    engine.run(session, order["processInstanceId"])
    session.flush()
