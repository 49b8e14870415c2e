"""Explicit state machines: one table of allowed transitions per entity.

An illegal transition raises :class:`IllegalTransition` (HTTP 409) naming the
entity, the current state and the states that are allowed from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from openboss.kit.errors import IllegalTransition, ValidationFailed


class StateMachine:
    def __init__(
        self,
        entity: str,
        transitions: Mapping[str, Iterable[str]],
        initial: str,
    ) -> None:
        self.entity = entity
        self.transitions = {s: frozenset(t) for s, t in transitions.items()}
        self.initial = initial
        states = set(self.transitions)
        for targets in self.transitions.values():
            states |= targets
        self.states = frozenset(states)
        if initial not in self.states:
            raise ValueError(f"initial state {initial!r} is not a state of {entity}")

    def allowed(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def is_final(self, state: str) -> bool:
        return not self.allowed(state)

    def check(self, current: str, target: str, *, field: str = "state") -> None:
        """Raise unless ``current -> target`` is allowed (a no-op move is allowed)."""
        if target not in self.states:
            raise ValidationFailed(
                f"{field} '{target}' is not a {self.entity} state; "
                f"expected one of: {', '.join(sorted(self.states))}",
                field=field,
            )
        if target == current:
            return
        if target not in self.allowed(current):
            allowed = ", ".join(sorted(self.allowed(current))) or "none (final state)"
            raise IllegalTransition(
                f"{self.entity} cannot move from '{current}' to '{target}'; "
                f"allowed from '{current}': {allowed}",
                field=field,
                details={"from": current, "to": target},
            )
