"""Dispatching one outbox event: hub fan-out, NATS, in-process subscribers.

The worker calls :func:`dispatch_event` inside a transaction that holds the
event (locked on PostgreSQL, leased on both databases; several events share
one transaction, each isolated by savepoints). Two parts are done and
recorded separately, each under a savepoint, so that a retry repeats only
what failed:

1. *fan-out* (``fanned_out_at``): one ``event_delivery`` row per hub listener
   of the event's API whose scope covers the event's row (its ``partner_id``
   and ``region_id``) and whose query matches, then — with NATS configured — the
   JetStream publish. A NATS failure rolls the fan-out back and leaves the
   event to be retried; it does not count towards dead-lettering (NATS is
   infrastructure: the outbox is the buffer while it is away).
2. *handling* (``handled_at``): every in-process subscriber, in order. An
   exception rolls all their changes back; after ``max_attempts`` failed
   attempts the event is dead.

The caller commits; the changes of the subscribers, the deliveries and the
event's new state are one atomic step.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
import structlog
from sqlalchemy.orm import Session

from openboss.events.hub import in_listener_scope, listeners_for
from openboss.events.models import EventDelivery, HubSubscription, OutboxEvent
from openboss.events.nats import NatsPublisher, NatsUnavailable
from openboss.events.query import InvalidQuery, parse_query
from openboss.events.subscribers import subscribers_for

log = structlog.get_logger("openboss.events")


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """What one dispatch attempt achieved."""

    done: bool
    #: Failure of a subscriber (or of the fan-out itself): counts towards dead-lettering.
    error: str | None = None
    #: NATS did not acknowledge: retried, never dead-lettered for this.
    nats_error: str | None = None
    deliveries: int = 0


def _wanted(sub: HubSubscription, event: OutboxEvent) -> bool:
    """The listener may see the event's row (its scope) and asked for it (its query)."""
    if not in_listener_scope(sub, event):
        return False
    try:
        return parse_query(sub.query).matches(event.payload)
    except InvalidQuery:  # validated at registration; never fail an event for it
        log.warning("hub_query_invalid", subscription=sub.id, query=sub.query)
        return False


def fan_out(
    session: Session,
    event: OutboxEvent,
    *,
    max_attempts: int,
    now: datetime,
    listeners: Sequence[HubSubscription] | None = None,
) -> int:
    """Create a pending delivery for every listener on ``event.api`` whose scope
    covers the event and whose query matches the envelope; returns how many.
    ``listeners`` (all listeners of the event's API) saves the query when the
    caller already has them."""
    subs = listeners if listeners is not None else listeners_for(session, event.api)
    created = 0
    for sub in subs:
        if _wanted(sub, event):
            session.add(
                EventDelivery(
                    event_seq=event.seq,
                    subscription_id=sub.id,
                    callback=sub.callback,
                    max_attempts=max_attempts,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            created += 1
    if created:
        session.flush()
    return created


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def dispatch_event(
    session: Session,
    event: OutboxEvent,
    *,
    now: datetime,
    max_attempts: int,
    nats: NatsPublisher | None = None,
    listeners: Sequence[HubSubscription] | None = None,
) -> DispatchResult:
    """Run what is left of ``event``'s dispatch (see the module docstring).

    ``listeners`` are the hub listeners of the event's API when the caller
    has them at hand (the worker loads them once per batch).
    """
    error: str | None = None
    nats_error: str | None = None
    deliveries = 0
    if event.fanned_out_at is None:
        subs = listeners if listeners is not None else listeners_for(session, event.api)
        matching = [sub for sub in subs if _wanted(sub, event)]
        if not matching and nats is None:
            event.fanned_out_at = now  # nothing to do: no savepoint needed
        else:
            try:
                with session.begin_nested():
                    deliveries = fan_out(
                        session, event, max_attempts=max_attempts, now=now, listeners=matching
                    )
                    if nats is not None:
                        nats.publish(event.event_type, event.event_id, orjson.dumps(event.payload))
                event.fanned_out_at = now
            except NatsUnavailable as exc:
                nats_error = str(exc)
                deliveries = 0
            except Exception as exc:
                log.exception("event_fan_out_failed", event_id=event.event_id)
                error = f"fan-out: {_describe(exc)}"
                deliveries = 0
    if event.handled_at is None:
        subscribers = subscribers_for(event.event_type)
        current = "?"
        try:
            if subscribers:
                with session.begin_nested():
                    for fn in subscribers:
                        current = f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"
                        fn(session, copy.deepcopy(event.payload))
                    session.flush()
            event.handled_at = now
        except Exception as exc:
            log.warning(
                "event_subscriber_failed",
                event_id=event.event_id,
                event_type=event.event_type,
                subscriber=current,
                error=repr(exc),
            )
            if error is None:
                error = f"subscriber {current}: {_describe(exc)}"
    done = event.fanned_out_at is not None and event.handled_at is not None
    return DispatchResult(done=done, error=error, nats_error=nats_error, deliveries=deliveries)
