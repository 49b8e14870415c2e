"""Service-task handlers of the process engine.

A BPMN ``serviceTask`` names its handler in the standard ``implementation``
attribute; the handler is a Python function registered under that name::

    @service_task("radius.activate")
    def activate_radius(ctx: TaskContext) -> None:
        activation.execute(ctx.session, command="activate", ..., key=ctx.key)

    @compensation("radius.activate")
    def undo_radius(ctx: TaskContext) -> None: ...

Handlers run inside the transaction that advances the instance. They must be
idempotent for anything outside the database, using ``ctx.key``: it is the same
when a task is retried after an incident or re-run after a crash, and different
for a second iteration of a loop. Raise :class:`BpmnError` for a business error
modelled in the diagram (an error boundary event or an error end); any other
exception is an *incident* (the instance waits for a retry).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from collections.abc import MutableMapping


class BpmnError(Exception):
    """A business error: caught by an error boundary event whose errorCode == code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message


@dataclass(slots=True)
class TaskContext:
    """What a service-task handler gets (see the module docstring)."""

    session: Session
    instance_id: str
    process_key: str
    business_key: str
    task_id: str
    task_name: str
    key: str
    data: dict[str, Any]
    _expectations: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def expect(self, message: str, correlation_key: str) -> None:
        """Wait for ``message`` with ``correlation_key`` at the instance's next
        message catch event or receive task. A message correlated before the
        instance gets there is kept and delivered when it does."""
        if not message or not correlation_key:
            raise ValueError("message and correlation_key must not be empty")
        self._expectations.append((message, str(correlation_key)))


Handler = Callable[[TaskContext], None]

_lock = threading.Lock()
_handlers: dict[str, Handler] = {}
_compensations: dict[str, Handler] = {}


def _register(registry: MutableMapping[str, Handler], name: str, fn: Handler) -> Handler:
    if not name or len(name) > 128:
        raise ValueError("a handler name must be 1..128 characters")
    with _lock:
        existing = registry.get(name)
        if existing is not None and existing is not fn and existing.__qualname__ != fn.__qualname__:
            raise ValueError(f"a handler named {name!r} is already registered: {existing!r}")
        registry[name] = fn
    return fn


def service_task(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn(ctx)`` as the handler of service tasks with ``implementation=name``."""

    def decorator(fn: Handler) -> Handler:
        return _register(_handlers, name, fn)

    return decorator


def compensation(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn(ctx)`` as the undo of the service task ``name``: run in
    reverse order of completion when the instance is cancelled."""

    def decorator(fn: Handler) -> Handler:
        return _register(_compensations, name, fn)

    return decorator


def handler_for(name: str) -> Handler | None:
    with _lock:
        return _handlers.get(name)


def compensation_for(name: str) -> Handler | None:
    with _lock:
        return _compensations.get(name)


def registered() -> list[str]:
    with _lock:
        return sorted(_handlers)


def unregister(name: str) -> None:
    """Remove a handler and its compensation (tests)."""
    with _lock:
        _handlers.pop(name, None)
        _compensations.pop(name, None)
