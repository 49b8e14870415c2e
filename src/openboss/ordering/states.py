"""The lifecycle of a TMF622 product order and of its items, and of a
cancellation request — eTOM 1.1.1.5 order handling.

Product order (``ProductOrderStateType``)::

    acknowledged ──► inProgress ──► completed | failed | partial
      │  │  │           ▲   │
      │  │  └─► pending ┤   └──► assessingCancellation ──► pendingCancellation ──► cancelled
      │  └────► held ───┘            (refused: back to where it came from)
      └──► rejected
    acknowledged, pending, held ──► assessingCancellation | cancelled

* ``acknowledged``: received and validated; ``pending``: accepted, waiting for
  its ``requestedStartDate``; ``held``: waiting for a manual decision (a
  referred credit check); ``inProgress``: handed to fulfilment.
* The order state is derived from its items when fulfilment reports
  (:func:`derive`): every item completed → ``completed``; every item failed →
  ``failed``; some completed and some failed → ``partial``.
* ``rejected``, ``cancelled``, ``completed``, ``failed`` and ``partial`` are final.

Items (``ProductOrderItemStateType``) follow the same table without ``partial``.

Cancellation request (``TaskStateType``)::

    acknowledged ──► inProgress ──► done | terminatedWithError
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from openboss.kit.statemachine import StateMachine

ORDER: Final = StateMachine(
    "productOrder",
    {
        "acknowledged": [
            "pending",
            "held",
            "inProgress",
            "rejected",
            "assessingCancellation",
            "cancelled",
        ],
        "pending": ["held", "inProgress", "assessingCancellation", "cancelled"],
        "held": ["pending", "inProgress", "assessingCancellation", "cancelled", "rejected"],
        "inProgress": ["completed", "failed", "partial", "assessingCancellation"],
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

ITEM: Final = StateMachine(
    "productOrderItem",
    {
        "acknowledged": [
            "pending",
            "held",
            "inProgress",
            "rejected",
            "assessingCancellation",
            "cancelled",
        ],
        "pending": ["held", "inProgress", "assessingCancellation", "cancelled"],
        "held": ["pending", "inProgress", "assessingCancellation", "cancelled", "rejected"],
        "inProgress": ["completed", "failed", "assessingCancellation", "held"],
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
    },
    initial="acknowledged",
)

CANCEL: Final = StateMachine(
    "cancelProductOrder",
    {
        "acknowledged": ["inProgress", "terminatedWithError"],
        "inProgress": ["done", "terminatedWithError"],
        "done": [],
        "terminatedWithError": [],
    },
    initial="acknowledged",
)

#: Final order states.
FINAL: Final = frozenset(s for s in ORDER.states if ORDER.is_final(s))
#: States in which the items of an order may still be added, removed or changed.
MODIFIABLE: Final = frozenset({"acknowledged", "pending", "held"})
#: States from which a cancellation is assessed (everything open).
CANCELLABLE: Final = frozenset({"acknowledged", "pending", "held", "inProgress"})
#: Item states that count as closed.
ITEM_CLOSED: Final = frozenset({"completed", "failed", "cancelled", "rejected"})


def derive(item_states: Iterable[str]) -> str | None:
    """The order state its items imply once all are closed (``None``: still open).

    All completed → completed; none completed → failed; a mix → partial.
    Cancelled items count as neither (an order whose every item was cancelled
    is cancelled).
    """
    states = list(item_states)
    if not states or any(s not in ITEM_CLOSED for s in states):
        return None
    done = [s for s in states if s != "cancelled"]
    if not done:
        return "cancelled"
    completed = sum(1 for s in done if s == "completed")
    if completed == len(done):
        return "completed"
    if completed == 0:
        return "failed"
    return "partial"
