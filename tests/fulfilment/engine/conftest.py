"""Handlers of the test process (``engine_test.bpmn``) and helpers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.handlers import BpmnError, TaskContext, compensation, service_task

BPMN = Path(__file__).with_name("engine_test.bpmn")


class Recorder:
    """What the test handlers did, and what they should do next."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []
        #: handler name → exceptions to raise on its next calls
        self.fail: dict[str, list[BaseException]] = {}

    def hit(self, name: str, ctx: TaskContext) -> None:
        with self.lock:
            self.calls.append((name, ctx.key))
            queue = self.fail.get(name)
            exc = queue.pop(0) if queue else None
        if exc is not None:
            raise exc

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.fail.clear()


REC = Recorder()


@service_task("test.reserve")
def _reserve(ctx: TaskContext) -> None:
    REC.hit("reserve", ctx)
    ctx.data["reserved"] = ctx.data.get("reserved", 0) + 1


@compensation("test.reserve")
def _unreserve(ctx: TaskContext) -> None:
    REC.hit("unreserve", ctx)


@service_task("test.activate")
def _activate(ctx: TaskContext) -> None:
    REC.hit("activate", ctx)
    if ctx.data.get("noPort"):
        raise BpmnError("NO_PORT", "no free PON port")
    ctx.data["activated"] = True
    ctx.expect("workOrderClosed", f"WO-{ctx.business_key}")


@compensation("test.activate")
def _deactivate(ctx: TaskContext) -> None:
    REC.hit("deactivate", ctx)


@service_task("test.notify")
def _notify(ctx: TaskContext) -> None:
    REC.hit("notify", ctx)


@service_task("test.finish")
def _finish(ctx: TaskContext) -> None:
    REC.hit("finish", ctx)
    ctx.data["finished"] = True


@pytest.fixture
def rec() -> Iterator[Recorder]:
    REC.reset()
    yield REC
    REC.reset()


@pytest.fixture
def deployed(session: Session) -> Any:
    return service.deploy(session, BPMN.read_bytes(), source="test")[0]


def start(session: Session, key: str = "SO-1", **data: Any) -> str:
    base: dict[str, Any] = {"mode": "auto", "delay": "PT0S", "noPort": False}
    base.update(data)
    return service.start(session, "engineTest", business_key=key, data=base).id
