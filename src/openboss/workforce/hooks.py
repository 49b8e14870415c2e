"""The contract by which a closed work order resumes whoever waits for it.

eTOM 1.5.2 resource provisioning: hand-back of field work to the process.

The process engine (issue 6) does not exist yet. A flow that creates a work
order and waits for it registers a listener here::

    from openboss.workforce.hooks import on_work_order_closed

    def resume(session, work_order, outcome):   # outcome: completed | failed | cancelled
        order_id = next(e["id"] for e in work_order.get("relatedEntity", [])
                        if e.get("role") == "productOrder")
        ...

    on_work_order_closed(resume)

Listeners run in the transaction that closes the order (so a failing
listener rolls the closure back), exactly once per closure, never on other
moves. ``work_order`` is the TMF697 representation (a dict) after the change.
The same closure is also published on the outbox as a
``WorkOrderStateChangeEvent`` for systems outside this process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final, Literal

from sqlalchemy.orm import Session

Outcome = Literal["completed", "failed", "cancelled"]
ClosedListener = Callable[[Session, dict[str, Any], Outcome], None]

OUTCOMES: Final = ("completed", "failed", "cancelled")

_lock = threading.Lock()
_listeners: list[ClosedListener] = []


def on_work_order_closed(fn: ClosedListener) -> ClosedListener:
    """Register ``fn`` (usable as a decorator); registering twice keeps one."""
    with _lock:
        if fn not in _listeners:
            _listeners.append(fn)
    return fn


def remove_listener(fn: ClosedListener) -> None:
    """Unregister ``fn`` (tests, reloads); unknown listeners are ignored."""
    with _lock:
        if fn in _listeners:
            _listeners.remove(fn)


def notify_closed(session: Session, work_order: dict[str, Any], outcome: Outcome) -> None:
    """Call every listener (the work-order service does, once per closure)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {outcome!r} is not one of {OUTCOMES}")
    with _lock:
        listeners = list(_listeners)
    for fn in listeners:
        fn(session, work_order, outcome)
