"""Lifecycles of inventory products (TMF637) and services (TMF638).

Product (``ProductStatusType``)::

    created ──► pendingActive ──► active ◄──► suspended
       │             │             │  ▲          │
       └──► cancelled ◄┘           ▼  │          ▼
                             pendingTerminate ──► terminated

``created`` is how an ordered product starts (its id exists from the order
on); ``pendingActive`` while its service order runs; ``cancelled`` when the
order is cancelled or fails before activation. ``terminated`` and
``cancelled`` are final. The spec's ``aborted`` value is not used.

Service (``ServiceStateType`` of TMF638 v4; there is no ``suspended`` state in
v4 — a suspended service is ``inactive`` with ``isServiceEnabled`` false)::

    feasibilityChecked ──► designed ──► reserved ──► inactive ◄──► active
                                                         │            │
                                                         └► terminated ◄┘
"""

from __future__ import annotations

from typing import Final

from openboss.kit.statemachine import StateMachine

PRODUCT: Final = StateMachine(
    "product",
    {
        "created": ["pendingActive", "active", "cancelled"],
        "pendingActive": ["active", "cancelled", "created"],
        "active": ["suspended", "pendingTerminate", "terminated"],
        "suspended": ["active", "pendingTerminate", "terminated"],
        "pendingTerminate": ["terminated", "active", "suspended"],
        "terminated": [],
        "cancelled": [],
    },
    initial="created",
)

SERVICE: Final = StateMachine(
    "service",
    {
        "feasibilityChecked": ["designed", "reserved", "inactive", "active", "terminated"],
        "designed": ["reserved", "inactive", "active", "terminated"],
        "reserved": ["inactive", "active", "terminated"],
        "inactive": ["active", "terminated"],
        "active": ["inactive", "terminated"],
        "terminated": [],
    },
    initial="feasibilityChecked",
)
