"""Events: the transactional outbox and its dispatch.

A business transaction writes its events with :func:`publish` into the
``outbox_event`` table, in the same transaction as the change; after commit
the worker dispatches them to in-process subscribers (:func:`subscribe`),
TMF hub listeners (webhooks with retries and a dead-letter list, see
:mod:`openboss.events.hub`) and, when configured, NATS JetStream. Nothing is
published for a transaction that rolled back, and nothing committed is lost
in a crash: delivery is at-least-once.
"""

from openboss.events.outbox import publish
from openboss.events.subscribers import register_subscriber, subscribe, unregister_subscriber

__all__ = ["publish", "register_subscriber", "subscribe", "unregister_subscriber"]
