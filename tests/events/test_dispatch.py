"""Outbox dispatch to in-process subscribers: after commit only, at least once,
retried with back-off, dead-lettered when a subscriber keeps failing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.config import Settings
from openboss.db import Database
from openboss.events import publish, subscribe, unregister_subscriber
from openboss.events.models import DEAD, DONE, FAILED, OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.worker.deadletters import list_dead_letters, retry_dead_letter
from openboss.worker.jobs import enqueue
from openboss.worker.models import Job
from openboss.worker.runner import Worker

API = "/tmf-api/sample/v4"
Recorder = Callable[[str, Any], Any]


def _publish(db: Database, event_type: str = "SampleItemCreateEvent", **item: Any) -> str:
    with db.transaction() as s:
        row = publish(s, event_type, "sampleItem", {"id": "s1", "state": "new", **item}, api=API)
    return row.event_id


def _publish_then_fail(db: Database) -> None:
    with db.transaction() as s:
        publish(s, "SampleItemCreateEvent", "sampleItem", {"id": "rolled-back"}, api=API)
        raise RuntimeError("the business transaction fails")


def _event(db: Database, event_id: str) -> OutboxEvent:
    with db.session() as s:
        row = s.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
        assert row is not None
        return row


def test_rolled_back_events_are_never_dispatched_committed_ones_once(
    committed_database: Database, make_worker: Callable[..., Worker], on_event: Recorder
) -> None:
    seen: list[dict[str, Any]] = []
    on_event("SampleItemCreateEvent", lambda _s, env: seen.append(env))
    with pytest.raises(RuntimeError, match="business transaction fails"):
        _publish_then_fail(committed_database)
    worker = make_worker(committed_database)
    assert worker.run_once() == 0
    assert seen == []

    event_id = _publish(committed_database)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert [e["eventId"] for e in seen] == [event_id]
    assert seen[0]["event"]["sampleItem"]["id"] == "s1"
    row = _event(committed_database, event_id)
    assert (row.status, row.attempts, row.locked_by) == (DONE, 1, None)
    assert row.dispatched_at is not None and row.handled_at is not None


def test_subscriber_changes_commit_with_the_dispatch(
    database: Database, make_worker: Callable[..., Worker], on_event: Recorder
) -> None:
    """A subscriber may write (here: enqueue a job and publish a follow-up
    event); its changes and the event's completion are one commit."""
    follow_ups: list[str] = []

    def start_billing(session: Session, env: dict[str, Any]) -> None:
        item = env["event"]["sampleItem"]
        enqueue(session, "noop.kind", {"item": item["id"]}, dedup_key=f"bill:{item['id']}")
        publish(session, "SampleItemBilledEvent", "sampleItem", item, api=API)

    on_event("SampleItemCreateEvent", start_billing)
    on_event("SampleItemBilledEvent", lambda _s, env: follow_ups.append(env["eventType"]))
    _publish(database)
    make_worker(database).run_once()
    assert follow_ups == ["SampleItemBilledEvent"]  # chained event dispatched in the same run
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 1


def test_failing_subscriber_is_retried_with_backoff_then_dead_lettered(
    database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    on_event: Recorder,
    clock: FrozenClock,
) -> None:
    calls: list[str] = []
    healthy: list[str] = []
    broken = {"on": True}

    def flaky(session: Session, env: dict[str, Any]) -> None:
        calls.append(env["eventId"])
        # Written before failing: must be rolled back with the failure.
        session.add(
            AuditLog(
                at=clock(),
                actor="t",
                actor_kind="system",
                action="x",
                entity_type="t",
                entity_id="1",
            )
        )
        if broken["on"]:
            raise ValueError("downstream system refused")

    on_event("SampleItemCreateEvent", lambda _s, env: healthy.append(env["eventId"]))
    on_event("SampleItemCreateEvent", flaky)
    worker = make_worker(database, settings=settings.model_copy(update={"hub_max_attempts": 3}))
    event_id = _publish(database)

    assert worker.run_once() == 1
    row = _event(database, event_id)
    assert (row.status, row.attempts) == (FAILED, 1)
    assert "ValueError: downstream system refused" in (row.last_error or "")
    assert row.next_attempt_at > clock()
    assert worker.run_once() == 0, "not due before its back-off has passed"

    for attempt in (2, 3):
        clock.advance(hours=1)
        assert worker.run_once() == 1
        assert _event(database, event_id).attempts == attempt
    row = _event(database, event_id)
    assert row.status == DEAD
    assert len(calls) == 3
    with database.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "t")) == 0
        )
        page = list_dead_letters(s, 0, 10)
    assert [(d.kind, d.id, d.name) for d in page.items] == [
        ("event", event_id, "SampleItemCreateEvent")
    ]
    assert page.total == 1

    broken["on"] = False
    with database.transaction() as s:
        retried = retry_dead_letter(s, event_id)
    assert (retried.status, retried.attempts) == ("pending", 0)
    assert worker.run_once() == 1
    assert _event(database, event_id).status == DONE
    assert len(calls) == 4
    assert healthy == [event_id] * 4  # all subscribers re-run together (at-least-once)
    with database.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "t")) == 1
        )
        assert list_dead_letters(s, 0, 10).total == 0


def test_decorator_and_wildcard_subscribers(
    database: Database, make_worker: Callable[..., Worker]
) -> None:
    seen: list[str] = []

    @subscribe("*")
    def everything(_s: Session, env: dict[str, Any]) -> None:
        seen.append(env["eventType"])

    try:
        _publish(database, "SampleItemCreateEvent")
        _publish(database, "SampleItemDeleteEvent")
        make_worker(database).run_once()
    finally:
        unregister_subscriber("*", everything)
    assert sorted(seen) == ["SampleItemCreateEvent", "SampleItemDeleteEvent"]


def test_a_commit_with_events_wakes_the_worker(
    committed_database: Database,
    settings: Settings,
    make_worker: Callable[..., Worker],
    on_event: Recorder,
) -> None:
    arrived = threading.Event()
    on_event("SampleItemCreateEvent", lambda _s, _env: arrived.set())
    worker = make_worker(committed_database, poll_seconds=3600.0)
    worker.start_in_thread()
    assert worker.wait_idle(30), "the worker did not go idle"
    _publish(committed_database)
    # With an hour-long poll interval only the after-commit hook can explain a prompt dispatch.
    assert arrived.wait(30), "the worker was not woken by the commit"
    assert worker.stop(timeout=30)
