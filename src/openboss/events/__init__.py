"""Events: the transactional outbox and its dispatch.

A business transaction writes its events with :func:`publish` into the
``outbox_event`` table, in the same transaction as the change; after commit
the worker dispatches them to in-process subscribers, TMF hub listeners
(webhooks with retries and a dead-letter list) and, when configured, NATS
JetStream. Nothing is published for a transaction that rolled back, and
nothing committed is lost in a crash.
"""

from openboss.events.outbox import publish

__all__ = ["publish"]
