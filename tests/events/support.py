"""Fixtures shared by the event and worker tests: a frozen clock, a real HTTP
listener, workers that are stopped after the test, throw-away handlers."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from openboss.config import Settings
from openboss.db import Database
from openboss.events.subscribers import Subscriber, register_subscriber, unregister_subscriber
from openboss.kit.clock import FrozenClock, set_clock
from openboss.worker.jobs import JobHandler, register_job_handler, unregister_job_handler
from openboss.worker.runner import Worker


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """Business time standing still until the test moves it. It starts at the
    wall-clock time because access tokens are verified against the wall clock."""
    c = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    set_clock(c)
    try:
        yield c
    finally:
        set_clock(None)


class Listener:
    """A hub listener on 127.0.0.1: records every POST, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 201
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with owner.lock:
                    owner.received.append(json.loads(body))
                    owner.headers.append(dict(self.headers.items()))
                    status = owner.status
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the worker opens many connections at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/listener"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def make_worker(settings: Settings) -> Iterator[Callable[..., Worker]]:
    """``make_worker(database, name=..., settings=...)``; every worker is stopped afterwards."""
    workers: list[Worker] = []

    def make(database: Database, **kw: Any) -> Worker:
        worker_settings = kw.pop("settings", settings)
        w = Worker(database, worker_settings, **kw)
        workers.append(w)
        return w

    yield make
    for w in workers:
        w.stop()


@pytest.fixture
def on_event() -> Iterator[Callable[[str, Subscriber], Subscriber]]:
    """Register an in-process subscriber for the duration of the test."""
    registered: list[tuple[str, Subscriber]] = []

    def register(event_type: str, fn: Subscriber) -> Subscriber:
        register_subscriber(event_type, fn)
        registered.append((event_type, fn))
        return fn

    yield register
    for event_type, fn in registered:
        unregister_subscriber(event_type, fn)


@pytest.fixture
def job_kind() -> Iterator[Callable[[JobHandler], str]]:
    """Register a handler under a fresh job kind; returns the kind."""
    kinds: list[str] = []

    def register(fn: JobHandler) -> str:
        kind = f"test.{uuid.uuid4().hex[:12]}"
        register_job_handler(kind, fn)
        kinds.append(kind)
        return kind

    yield register
    for kind in kinds:
        unregister_job_handler(kind)
