"""In-process event subscribers.

A subscriber is a function ``fn(session, envelope)`` that reacts to an event
inside OpenBOSS (billing starts recurring charges on a product inventory
event, assurance opens a ticket on an alarm). It runs in the worker's
*dispatch transaction*: its database changes commit together with the mark
that the event was handled, so a subscriber that only writes to the database
takes effect exactly once. If any subscriber of an event raises, the whole
transaction rolls back and all of them run again on the next attempt
(exponential back-off; after ``hub_max_attempts`` the event is dead-lettered).
Subscribers must therefore not commit, and side effects outside the database
belong in a job (:func:`openboss.worker.jobs.enqueue`) or an event of their own.

Register with the decorator ``@subscribe("ProductOrderStateChangeEvent")`` or
:func:`register_subscriber`. ``"*"`` subscribes to every event type.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

#: ``fn(session, envelope)``: the envelope is the TMF688 event (``OutboxEvent.payload``).
Subscriber = Callable[[Session, dict[str, Any]], None]

#: Subscribe to every event type.
ALL_EVENTS = "*"

_lock = threading.Lock()
_subscribers: dict[str, list[Subscriber]] = {}


def register_subscriber(event_type: str, fn: Subscriber) -> Subscriber:
    """Call ``fn(session, envelope)`` for every event of ``event_type``.

    Registering the same function twice for one type has no further effect;
    subscribers run in registration order.
    """
    if not event_type or not event_type.strip():
        raise ValueError("event_type must be a non-empty event type name or '*'")
    with _lock:
        registered = _subscribers.setdefault(event_type, [])
        if fn not in registered:
            registered.append(fn)
    return fn


def unregister_subscriber(event_type: str, fn: Subscriber) -> bool:
    """Remove ``fn`` from ``event_type``; True when it was registered."""
    with _lock:
        registered = _subscribers.get(event_type, [])
        if fn in registered:
            registered.remove(fn)
            return True
        return False


def subscribe(event_type: str) -> Callable[[Subscriber], Subscriber]:
    """Decorator form of :func:`register_subscriber`."""

    def decorator(fn: Subscriber) -> Subscriber:
        return register_subscriber(event_type, fn)

    return decorator


def subscribers_for(event_type: str) -> list[Subscriber]:
    """The subscribers of ``event_type`` (specific ones first, then ``"*"``)."""
    with _lock:
        specific = list(_subscribers.get(event_type, ()))
        wildcard = [f for f in _subscribers.get(ALL_EVENTS, ()) if f not in specific]
    return specific + wildcard


def has_subscribers(event_type: str) -> bool:
    with _lock:
        return bool(_subscribers.get(event_type) or _subscribers.get(ALL_EVENTS))
