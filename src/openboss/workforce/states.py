"""The lifecycle of a TMF697 work order: the TMF state with an explicit
transition table, and the field sub-states of the crew.

eTOM 1.5.2 resource provisioning / 1.4.2 workforce management: the state of a
job in the field.

TMF697 states (``WorkOrderStateType``)::

    acknowledged ──► pending ──► inProgress ──► completed | failed | partial
         │   │          ▲  │         │  ▲
         │   └──► held ◄┘  └─► held ◄┘  │ (held ⇄ pending/inProgress)
         ├──► rejected
         └─┬─► assessingCancellation ──► pendingCancellation ──► cancelled
           └─► cancelled   (acknowledged, pending, held: cancelled at once)

``rejected``, ``cancelled``, ``completed``, ``failed`` and ``partial`` are
final. ``assessingCancellation`` goes back to the state the order came from
when a cancellation is refused (any of acknowledged, pending, held,
inProgress).

Field sub-states (``fieldState``, an OpenBOSS extension) record where the
crew is while the order is open::

    (none) ──► dispatched ──► accepted ──► enRoute ──► onSite
                  ▲  │           │            │
                  └──┴───────────┴────────────┘  (reassigned / declined: dispatched again)

Entering ``enRoute`` or ``onSite`` starts the order (``inProgress``).
"""

from __future__ import annotations

from typing import Final

from openboss.kit.errors import Conflict
from openboss.kit.statemachine import StateMachine

WORK_ORDER: Final = StateMachine(
    "workOrder",
    {
        "acknowledged": [
            "pending",
            "inProgress",
            "held",
            "rejected",
            "assessingCancellation",
            "cancelled",
        ],
        "pending": ["inProgress", "held", "assessingCancellation", "cancelled"],
        "held": ["pending", "inProgress", "assessingCancellation", "cancelled"],
        "inProgress": ["completed", "failed", "partial", "held", "assessingCancellation"],
        "assessingCancellation": [
            "pendingCancellation",
            "acknowledged",
            "pending",
            "held",
            "inProgress",
        ],
        "pendingCancellation": ["cancelled"],
        "rejected": [],
        "cancelled": [],
        "completed": [],
        "failed": [],
        "partial": [],
    },
    initial="acknowledged",
)

#: States in which nobody works on the order any more.
FINAL: Final = frozenset(s for s in WORK_ORDER.states if WORK_ORDER.is_final(s))

#: Final states and the outcome a waiting process is resumed with
#: (``rejected`` and ``partial`` did not deliver the job: failed).
OUTCOMES: Final[dict[str, str]] = {
    "completed": "completed",
    "failed": "failed",
    "partial": "failed",
    "rejected": "failed",
    "cancelled": "cancelled",
}

#: States in which the crew may move through the field sub-states.
FIELD_OPEN: Final = frozenset({"acknowledged", "pending", "held", "inProgress"})

FIELD_STATES: Final = ("dispatched", "accepted", "enRoute", "onSite")

FIELD: Final = StateMachine(
    "workOrder fieldState",
    {
        "none": ["dispatched"],
        "dispatched": ["accepted", "dispatched"],
        "accepted": ["enRoute", "dispatched"],
        "enRoute": ["onSite", "dispatched"],
        "onSite": ["dispatched"],
    },
    initial="none",
)

#: Field sub-states that mean the crew has started: the order is inProgress.
STARTED: Final = frozenset({"enRoute", "onSite"})


def check_field_move(state: str, current: str | None, target: str) -> None:
    """Raise 409 unless the crew may go from ``current`` to ``target`` now."""
    if state not in FIELD_OPEN:
        raise Conflict(
            f"workOrder is {state}; the field sub-state can change only while it is "
            + ", ".join(sorted(FIELD_OPEN)),
            field="fieldState",
            code="ILLEGAL_STATE_TRANSITION",
            details={"from": current or "none", "to": target, "state": state},
        )
    FIELD.check(current or "none", target, field="fieldState")
