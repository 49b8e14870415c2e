"""NATS JetStream publishing against the local server (nats://127.0.0.1:4222).

Like PostgreSQL in ``tests/conftest.py``: an unreachable server skips these
tests locally and fails them with ``CI=true``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from openboss.config import Settings
from openboss.db import Database
from openboss.events import publish
from openboss.events.models import DONE, FAILED, PENDING, OutboxEvent
from openboss.events.nats import subject_for
from openboss.worker.runner import Worker
from tests.conftest import CI

NATS_URL = os.environ.get("OPENBOSS_TEST_NATS_URL", "nats://127.0.0.1:4222")


async def _with_js(fn: Callable[[Any], Any]) -> Any:
    import nats

    nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        return await fn(nc.jetstream())
    finally:
        await nc.close()


@pytest.fixture(scope="module")
def nats_url() -> str:
    async def ping(js: Any) -> Any:
        return await js.account_info()

    try:
        asyncio.run(_with_js(ping))
    except Exception as exc:
        msg = f"NATS JetStream unreachable at {NATS_URL}: {exc!r}"
        if CI:
            pytest.fail(f"{msg} (CI=true: the NATS tests are mandatory)", pytrace=False)
        pytest.skip(msg)
    return NATS_URL


@pytest.fixture
def nats_settings(settings: Settings, nats_url: str) -> Iterator[Settings]:
    tag = uuid.uuid4().hex[:10]
    stream = f"OB_TEST_{tag}"
    yield settings.model_copy(
        update={"nats_url": nats_url, "nats_stream": stream, "nats_subject_prefix": f"obtest.{tag}"}
    )

    async def drop(js: Any) -> None:
        from nats.js.errors import NotFoundError

        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)

    asyncio.run(_with_js(drop))


def test_events_reach_jetstream_once_even_when_dispatched_twice(
    database: Database, nats_settings: Settings, make_worker: Callable[..., Worker]
) -> None:
    with database.transaction() as s:
        event = publish(s, "SampleItemCreateEvent", "sampleItem", {"id": "n1"}, api="/tmf-api/x/v4")
    worker = make_worker(database, settings=nats_settings)
    assert worker.run_once() == 1
    # A crash after the publish but before the commit: the event is dispatched again.
    with database.transaction() as s:
        s.execute(
            update(OutboxEvent)
            .where(OutboxEvent.event_id == event.event_id)
            .values(status=PENDING, fanned_out_at=None)
        )
    assert worker.run_once() == 1
    with database.session() as s:
        assert (
            s.scalar(select(OutboxEvent.status).where(OutboxEvent.event_id == event.event_id))
            == DONE
        )

    subject = subject_for(nats_settings.nats_subject_prefix, "SampleItemCreateEvent")

    async def consume(js: Any) -> tuple[int, list[Any]]:
        info = await js.stream_info(nats_settings.nats_stream)
        sub = await js.pull_subscribe(
            f"{nats_settings.nats_subject_prefix}.>", stream=nats_settings.nats_stream
        )
        msgs = await sub.fetch(10, timeout=2)
        for m in msgs:
            await m.ack()
        return info.state.messages, msgs

    stored, msgs = asyncio.run(_with_js(consume))
    assert stored == 1
    assert len(msgs) == 1
    assert (
        msgs[0].subject == subject == f"{nats_settings.nats_subject_prefix}.SampleItemCreateEvent"
    )
    assert msgs[0].headers["Nats-Msg-Id"] == event.event_id
    body = orjson.loads(msgs[0].data)
    assert body["eventId"] == event.event_id
    assert body["event"]["sampleItem"]["id"] == "n1"


def test_unreachable_nats_leaves_the_event_pending_without_using_up_attempts(
    database: Database, settings: Settings, make_worker: Callable[..., Worker], on_event: Any
) -> None:
    seen: list[str] = []
    on_event("SampleItemCreateEvent", lambda _s, env: seen.append(env["eventId"]))
    down = settings.model_copy(
        update={"nats_url": "nats://127.0.0.1:1", "hub_timeout_seconds": 1.0}
    )
    with database.transaction() as s:
        event = publish(s, "SampleItemCreateEvent", "sampleItem", {"id": "n2"})
    make_worker(database, settings=down).run_once()
    with database.session() as s:
        row = s.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event.event_id))
        assert row is not None
        assert (row.status, row.attempts, row.fanned_out_at) == (FAILED, 0, None)
        assert "NATS" in (row.last_error or "") or "publish" in (row.last_error or "")
        assert row.handled_at is not None  # the subscribers ran once and are not repeated
    assert seen == [event.event_id]


def test_subject_names_are_single_safe_tokens() -> None:
    assert subject_for("openboss.events", "ProductOrderStateChangeEvent") == (
        "openboss.events.ProductOrderStateChangeEvent"
    )
    assert subject_for("p", "a.b *>c") == "p.a_b___c"
