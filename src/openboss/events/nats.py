"""Publishing events to NATS JetStream (when ``OPENBOSS_NATS_URL`` is set).

Each event goes to subject ``{nats_subject_prefix}.{eventType}`` on stream
``nats_stream`` (created on first use with subjects ``{prefix}.>``), with the
header ``Nats-Msg-Id = eventId``: JetStream drops a second copy within its
duplicate window, so an event the worker publishes twice (a crash between
the publish and the commit) reaches consumers once. Consumers outside
OpenBOSS should still be idempotent on ``eventId``: the window is finite.

A failed publish raises :class:`NatsUnavailable`; the event stays in the
outbox and is retried. After a failure the publisher refuses for a short
pause instead of waiting for a timeout on every event of the batch.
"""

from __future__ import annotations

import re
import time
from typing import Any

import structlog

from openboss.events.aio import LoopThread

log = structlog.get_logger("openboss.events.nats")

_SUBJECT_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


class NatsUnavailable(RuntimeError):
    """JetStream did not acknowledge the publish; the event will be retried."""


def subject_for(prefix: str, event_type: str) -> str:
    """The subject of ``event_type``: one token, characters NATS reserves replaced."""
    return f"{prefix}.{_SUBJECT_UNSAFE.sub('_', event_type) or '_'}"


class NatsPublisher:
    """One NATS connection (on the worker's :class:`LoopThread`) publishing to a stream."""

    def __init__(
        self,
        url: str,
        stream: str,
        subject_prefix: str,
        *,
        loop: LoopThread,
        timeout: float = 5.0,
        pause_after_failure: float = 5.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix.rstrip(".")
        self.timeout = timeout
        self.pause_after_failure = pause_after_failure
        self._loop = loop
        self._nc: Any = None
        self._js: Any = None
        self._stream_ready = False
        self._down_until = 0.0

    async def _connect(self) -> Any:
        import nats
        from nats.js.errors import NotFoundError

        if self._nc is None or self._nc.is_closed:
            self._nc = await nats.connect(
                self.url,
                connect_timeout=self.timeout,
                max_reconnect_attempts=3,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
                error_cb=self._on_error,
            )
            self._js = self._nc.jetstream(timeout=self.timeout)
            self._stream_ready = False
        if not self._stream_ready:
            try:
                await self._js.stream_info(self.stream)
            except NotFoundError:
                await self._js.add_stream(name=self.stream, subjects=[f"{self.subject_prefix}.>"])
                log.info("nats_stream_created", stream=self.stream, prefix=self.subject_prefix)
            self._stream_ready = True
        return self._js

    async def _on_error(self, exc: Exception) -> None:
        log.warning("nats_error", error=repr(exc))

    async def _publish(self, subject: str, event_id: str, body: bytes) -> bool:
        js = await self._connect()
        ack = await js.publish(
            subject,
            body,
            timeout=self.timeout,
            stream=self.stream,
            headers={"Nats-Msg-Id": event_id},
        )
        return bool(ack.duplicate)

    def publish(self, event_type: str, event_id: str, body: bytes) -> bool:
        """Publish one event; True when JetStream reports it as a duplicate."""
        if time.monotonic() < self._down_until:
            raise NatsUnavailable("NATS failed moments ago; retrying later")
        subject = subject_for(self.subject_prefix, event_type)
        try:
            return self._loop.run(self._publish(subject, event_id, body), timeout=self.timeout * 3)
        except Exception as exc:
            self._down_until = time.monotonic() + self.pause_after_failure
            raise NatsUnavailable(
                f"publish to {subject} failed: {type(exc).__name__}: {exc}"
            ) from exc

    def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is None or not self._loop.running:
            return

        async def drain() -> None:
            if not nc.is_closed:
                await nc.close()

        try:
            self._loop.run(drain(), timeout=self.timeout)
        except Exception as exc:  # closing a broken connection is best effort
            log.warning("nats_close_failed", error=repr(exc))
