"""The lifecycle of a TMF641 service order, with an explicit transition table.

eTOM 1.4.1 service configuration & activation: where a service order is.

TMF641 states (``ServiceOrderStateType``)::

    acknowledged ──► inProgress ──► completed | failed | partial
         │  │  ▲         │  ▲
         │  └► held ─────┘  │     (held: waiting for another item of the same
         │      │  └────────┘      product order; failed / cancelled when it fails)
         ├──► pending ──► inProgress
         ├──► rejected
         └──► assessingCancellation ──► pendingCancellation ──► cancelled | failed

``acknowledged``, ``pending`` and ``held`` orders are cancelled at once;
an ``inProgress`` one goes through ``assessingCancellation`` and
``pendingCancellation`` while its process instance is compensated.
``rejected``, ``cancelled``, ``completed``, ``failed`` and ``partial`` are final.
"""

from __future__ import annotations

from typing import Final

from openboss.kit.statemachine import StateMachine

SERVICE_ORDER: Final = StateMachine(
    "serviceOrder",
    {
        "acknowledged": [
            "rejected",
            "pending",
            "held",
            "inProgress",
            "assessingCancellation",
            "cancelled",
            "failed",
        ],
        "pending": ["inProgress", "held", "assessingCancellation", "cancelled", "failed"],
        "held": ["pending", "inProgress", "assessingCancellation", "cancelled", "failed"],
        "inProgress": ["completed", "failed", "partial", "held", "assessingCancellation"],
        "assessingCancellation": [
            "pendingCancellation",
            "acknowledged",
            "pending",
            "held",
            "inProgress",
        ],
        "pendingCancellation": ["cancelled", "failed"],
        "rejected": [],
        "cancelled": [],
        "completed": [],
        "failed": [],
        "partial": [],
    },
    initial="acknowledged",
)

#: States in which nothing happens to the order any more.
FINAL: Final = frozenset(s for s in SERVICE_ORDER.states if SERVICE_ORDER.is_final(s))

#: Open states a cancellation moves straight to ``cancelled`` (no work started).
CANCEL_AT_ONCE: Final = frozenset({"acknowledged", "pending", "held"})

#: The TMF641 ``cancelServiceOrder`` task states (``TaskStateType``).
TASK_STATES: Final = ("accepted", "terminatedWithError", "inProgress", "done")
