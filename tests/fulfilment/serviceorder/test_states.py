"""The state tables of service orders, products and services against the v4
enums of TMF641, TMF637 and TMF638 (no database)."""

from __future__ import annotations

from collections import deque

import pytest

from openboss.fulfilment.inventory import states as inv_states
from openboss.fulfilment.serviceorder import states
from openboss.kit.errors import IllegalTransition, ValidationFailed
from openboss.kit.statemachine import StateMachine
from tests.fulfilment.serviceorder.conftest import swagger


def _enum(spec: str, name: str) -> set[str]:
    return {e.strip() for e in swagger(spec)["definitions"][name]["enum"]}


def _reachable(machine: StateMachine) -> set[str]:
    seen, todo = {machine.initial}, deque([machine.initial])
    while todo:
        for nxt in machine.allowed(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_service_order_states_are_the_tmf641_enum() -> None:
    enum = _enum("TMF641-ServiceOrdering-v4.0.0.swagger.json", "ServiceOrderStateType")
    assert states.SERVICE_ORDER.states == enum
    assert _reachable(states.SERVICE_ORDER) == enum
    assert {"rejected", "cancelled", "completed", "failed", "partial"} == states.FINAL
    item_enum = _enum("TMF641-ServiceOrdering-v4.0.0.swagger.json", "ServiceOrderItemStateType")
    assert states.SERVICE_ORDER.states == item_enum
    assert set(states.TASK_STATES) == _enum(
        "TMF641-ServiceOrdering-v4.0.0.swagger.json", "TaskStateType"
    )


def test_product_and_service_states_are_the_v4_enums() -> None:
    product_enum = _enum("TMF637-ProductInventory-v4.0.0.swagger.json", "ProductStatusType")
    assert inv_states.PRODUCT.states == product_enum - {"aborted"}
    assert _reachable(inv_states.PRODUCT) == inv_states.PRODUCT.states
    service_enum = _enum("TMF638-ServiceInventory-v4.0.0.swagger.json", "ServiceStateType")
    assert inv_states.SERVICE.states == service_enum
    assert "suspended" not in service_enum  # v4 has none: suspension is inactive
    assert _reachable(inv_states.SERVICE) == service_enum


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("completed", "inProgress"),
        ("inProgress", "cancelled"),  # through assessingCancellation
        ("held", "completed"),
        ("cancelled", "acknowledged"),
    ],
)
def test_illegal_moves_name_both_states(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as err:
        states.SERVICE_ORDER.check(current, target)
    assert current in err.value.message and target in err.value.message
    assert err.value.status == 409


def test_unknown_state_is_a_400() -> None:
    with pytest.raises(ValidationFailed):
        states.SERVICE_ORDER.check("acknowledged", "done")
    with pytest.raises(ValidationFailed):
        inv_states.SERVICE.check("active", "suspended")
    with pytest.raises(IllegalTransition):
        inv_states.PRODUCT.check("terminated", "active")
