from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openboss.kit.errors import IllegalTransition, ValidationFailed
from openboss.kit.statemachine import StateMachine

SM = StateMachine(
    "sample",
    {
        "initialized": ["active", "terminated"],
        "active": ["suspended", "terminated"],
        "suspended": ["active", "terminated"],
    },
    initial="initialized",
)


def test_allowed_and_illegal_transitions() -> None:
    SM.check("initialized", "active")
    SM.check("active", "active")  # no-op
    with pytest.raises(IllegalTransition) as e:
        SM.check("terminated", "active")
    assert e.value.status == 409
    assert "allowed from 'terminated': none (final state)" in e.value.message
    with pytest.raises(ValidationFailed, match="'flying' is not a sample state"):
        SM.check("active", "flying")
    assert SM.is_final("terminated")


@given(st.lists(st.sampled_from(sorted(SM.states)), max_size=20))
def test_any_walk_either_follows_the_table_or_is_refused(targets: list[str]) -> None:
    state = SM.initial
    for target in targets:
        try:
            SM.check(state, target)
        except IllegalTransition:
            assert target not in SM.allowed(state)
            continue
        assert target == state or target in SM.allowed(state)
        state = target
