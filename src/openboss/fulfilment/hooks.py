"""How fulfilment tells whoever placed the work (order handling) what happened,
without importing it.

The ordering domain registers listeners at import::

    from openboss.fulfilment import hooks

    @hooks.on_item_closed
    def item_closed(session, product_order_id, item_id, outcome, detail): ...

    @hooks.on_milestone
    def milestone(session, product_order_id, milestone): ...

Listeners run in the transaction that made the change (a failing listener
rolls it back), once per change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from openboss.fulfilment.contracts import Milestone, Outcome

ItemClosed = Callable[[Session, str, str, Outcome, Mapping[str, Any]], None]
MilestoneListener = Callable[[Session, str, Milestone], None]

_lock = threading.Lock()
_closed: list[ItemClosed] = []
_milestones: list[MilestoneListener] = []


def on_item_closed(fn: ItemClosed) -> ItemClosed:
    """Register ``fn(session, product_order_id, item_id, outcome, detail)``."""
    with _lock:
        if fn not in _closed:
            _closed.append(fn)
    return fn


def on_milestone(fn: MilestoneListener) -> MilestoneListener:
    """Register ``fn(session, product_order_id, milestone)``."""
    with _lock:
        if fn not in _milestones:
            _milestones.append(fn)
    return fn


def remove_listener(fn: Callable[..., None]) -> None:
    """Unregister ``fn`` from both lists (tests); unknown listeners are ignored."""
    with _lock:
        for registry in (_closed, _milestones):
            if fn in registry:
                registry.remove(fn)


def item_closed(
    session: Session,
    product_order_id: str,
    item_id: str,
    outcome: Outcome,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Called by fulfilment once when an item's service order ends."""
    with _lock:
        listeners = list(_closed)
    for fn in listeners:
        fn(session, product_order_id, item_id, outcome, detail or {})


def milestone(session: Session, product_order_id: str, reached: Milestone) -> None:
    """Called by fulfilment when an item reaches a milestone."""
    with _lock:
        listeners = list(_milestones)
    for fn in listeners:
        fn(session, product_order_id, reached)
