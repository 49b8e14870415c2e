"""The work-order state machine and field sub-states, without a database."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import Conflict, IllegalTransition, ValidationFailed
from openboss.workforce import kinds, states

TMF697_STATES = {
    "acknowledged",
    "rejected",
    "pending",
    "held",
    "inProgress",
    "cancelled",
    "completed",
    "failed",
    "partial",
    "assessingCancellation",
    "pendingCancellation",
}


def test_states_are_exactly_the_tmf697_enum_and_all_reachable() -> None:
    machine = states.WORK_ORDER
    assert machine.states == TMF697_STATES
    seen, todo = {machine.initial}, deque([machine.initial])
    while todo:
        for nxt in machine.allowed(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == TMF697_STATES
    assert {"rejected", "cancelled", "completed", "failed", "partial"} == states.FINAL
    assert set(states.OUTCOMES) == states.FINAL
    assert set(states.OUTCOMES.values()) <= {"completed", "failed", "cancelled"}


def test_illegal_move_names_both_states() -> None:
    with pytest.raises(IllegalTransition) as err:
        states.WORK_ORDER.check("acknowledged", "completed")
    assert "acknowledged" in err.value.message and "completed" in err.value.message
    assert err.value.status == 409
    with pytest.raises(ValidationFailed):
        states.WORK_ORDER.check("acknowledged", "done")


@given(st.lists(st.sampled_from(sorted(TMF697_STATES)), max_size=30))
def test_random_walks_follow_the_table(targets: list[str]) -> None:
    current = states.WORK_ORDER.initial
    for target in targets:
        legal = target == current or target in states.WORK_ORDER.allowed(current)
        try:
            states.WORK_ORDER.check(current, target)
        except IllegalTransition:
            assert not legal
        else:
            assert legal
            current = target


def test_field_moves() -> None:
    states.check_field_move("pending", None, "dispatched")
    states.check_field_move("pending", "dispatched", "accepted")
    states.check_field_move("inProgress", "enRoute", "onSite")
    states.check_field_move("inProgress", "onSite", "dispatched")  # reassigned
    with pytest.raises(IllegalTransition):
        states.check_field_move("pending", "dispatched", "onSite")
    with pytest.raises(Conflict) as err:
        states.check_field_move("completed", "onSite", "dispatched")
    assert "completed" in err.value.message


def test_completion_rules_per_kind() -> None:
    assert set(kinds.COMPLETION) == set(kinds.KINDS)
    item = {"id": "1", "characteristic": [{"name": "ontSerial", "value": "X1"}]}
    kinds.check_completion("installation", [item])
    with pytest.raises(ValidationFailed) as err:
        kinds.check_completion("installation", [{"id": "1"}])
    assert err.value.field == "workOrderItem.characteristic.ontSerial"
    with pytest.raises(ValidationFailed):
        kinds.check_completion(
            "survey", [{"id": "1", "characteristic": [{"name": "surveyResult", "value": "ok"}]}]
        )
    kinds.check_completion(
        "survey", [{"id": "1", "characteristic": [{"name": "surveyResult", "value": "feasible"}]}]
    )
