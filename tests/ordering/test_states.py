"""The product order, item and cancellation state tables against the TMF622
enums, and how an order's state derives from its items (no database)."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import IllegalTransition, ValidationFailed
from openboss.kit.statemachine import StateMachine
from openboss.ordering import states

SPEC = json.loads(
    Path("/work/shared/tmf-specs/TMF622-ProductOrdering-v4.0.0.swagger.json").read_text()
)["definitions"]


def _reachable(machine: StateMachine) -> set[str]:
    seen, todo = {machine.initial}, deque([machine.initial])
    while todo:
        for nxt in machine.allowed(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize(
    ("machine", "enum"),
    [
        (states.ORDER, "ProductOrderStateType"),
        (states.ITEM, "ProductOrderItemStateType"),
        (states.CANCEL, "TaskStateType"),
    ],
)
def test_states_are_exactly_the_spec_enum_and_all_reachable(
    machine: StateMachine, enum: str
) -> None:
    assert machine.states == set(SPEC[enum]["enum"])
    assert _reachable(machine) == machine.states


def test_final_and_modifiable_states() -> None:
    assert {"rejected", "cancelled", "completed", "failed", "partial"} == states.FINAL
    assert {"acknowledged", "pending", "held"} == states.MODIFIABLE
    assert "completed" not in states.CANCELLABLE


def test_a_completed_order_cannot_be_cancelled_by_the_table() -> None:
    with pytest.raises(IllegalTransition) as err:
        states.ORDER.check("completed", "assessingCancellation")
    assert err.value.status == 409
    assert "completed" in err.value.message
    with pytest.raises(ValidationFailed):
        states.ORDER.check("acknowledged", "done")


@pytest.mark.parametrize(
    ("items", "order"),
    [
        (["completed", "completed"], "completed"),
        (["completed", "failed"], "partial"),
        (["failed", "failed"], "failed"),
        (["failed", "cancelled"], "failed"),
        (["completed", "cancelled"], "completed"),
        (["cancelled", "cancelled"], "cancelled"),
        (["completed", "inProgress"], None),
        ([], None),
    ],
)
def test_order_state_derives_from_items(items: list[str], order: str | None) -> None:
    assert states.derive(items) == order


@given(st.lists(st.sampled_from(sorted(states.ORDER.states)), max_size=30))
def test_random_walks_follow_the_table(targets: list[str]) -> None:
    current = states.ORDER.initial
    for target in targets:
        legal = target == current or target in states.ORDER.allowed(current)
        try:
            states.ORDER.check(current, target)
        except IllegalTransition:
            assert not legal
        else:
            assert legal
            current = target
