"""Handlers are idempotent on ``ctx.key``: the same task execution run again (a retry
after an incident, a re-run after a crash) neither reserves nor activates twice; a new
key (a second loop iteration) does the work again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from openboss.fulfilment.activation import service as activation
from openboss.fulfilment.engine.handlers import TaskContext
from openboss.fulfilment.flows import handlers
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import service as resource_inventory
from tests.scenarios.conftest import World, request_for, submit


def _ctx(session: Session, so: str, key: str, task: str, data: dict[str, Any]) -> TaskContext:
    return TaskContext(
        session=session,
        instance_id="test-instance",
        process_key="broadband-ftth-install",
        business_key=so,
        task_id=task,
        task_name=task,
        key=key,
        data=data,
    )


def test_reserve_and_activate_run_once_per_key(session: Session, world: World) -> None:
    so = submit(session, request_for(world))
    data: dict[str, Any] = {}
    handlers.reserve_resources(_ctx(session, so, "k:reserve:1", "reserve", data))
    handlers.reserve_resources(_ctx(session, so, "k:reserve:1", "reserve", data))
    assert len(data["reservations"]) == 1
    held = resource_inventory.list_reservations(session, SYSTEM_SCOPE, state="active")
    assert len([r for r in held if r.id == data["reservations"][0]["id"]]) == 1
    assert len(held) == 1  # the port; the ONT was issued (allocated) at once

    data["closures"] = {"installation": {"characteristics": {"ontSerial": "HWTC0000IDEM"}}}
    for _ in range(2):
        handlers.register_ont(_ctx(session, so, "k:olt:1", "olt", data))
        handlers.activate_radius(_ctx(session, so, "k:radius:1", "radius", data))
    calls = activation.call_log(session)
    assert [(c["element"], c["command"]) for c in calls] == [
        ("olt", "activate"),
        ("radius", "activate"),
    ]
    # the platform itself is keyed too: with the step record lost, no second call
    data["steps"].pop("k:radius:1")
    handlers.activate_radius(_ctx(session, so, "k:radius:1", "radius", data))
    assert len(activation.call_log(session)) == 2

    # rollback undoes both activations and the reservation, once
    handlers.rollback(_ctx(session, so, "k:rollback:1", "rollback", data))
    handlers.rollback(_ctx(session, so, "k:rollback:1", "rollback", data))
    undo = [(c["element"], c["command"]) for c in activation.call_log(session)][2:]
    assert undo == [("radius", "deactivate"), ("olt", "deactivate")]
    assert resource_inventory.list_reservations(session, SYSTEM_SCOPE, state="active") == []
    assert data["undo"] == []


def test_escalation_raises_the_open_work_order_to_priority_1(
    session: Session, world: World
) -> None:
    from openboss.workforce import service as workforce

    so = submit(session, request_for(world))
    data: dict[str, Any] = {}
    ctx = _ctx(session, so, "k:wo:1", "wo_installation", data)
    handlers.create_work_order(ctx)
    wo_id = data["workOrders"]["installation"]
    assert workforce.get_work_order(session, SYSTEM_SCOPE, wo_id).priority == "2"
    handlers.escalate_work_order(_ctx(session, so, "k:esc:1", "escalate_installation", data))
    assert workforce.get_work_order(session, SYSTEM_SCOPE, wo_id).priority == "1"
    # the compensation of the work-order task (an order cancelled) cancels it
    handlers._compensate_task(_ctx(session, so, "k:wo:1:compensate", "wo_installation", data))
    assert workforce.get_work_order(session, SYSTEM_SCOPE, wo_id).state == "cancelled"
