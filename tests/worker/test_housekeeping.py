"""Purging finished work, queue gauges, the worker inside the API process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from openboss.app import create_app
from openboss.config import Settings
from openboss.db import Database
from openboss.events import publish
from openboss.events.models import DEAD, DONE, FAILED, EventDelivery, HubSubscription, OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.worker import enqueue
from openboss.worker.housekeeping import purge_finished, queue_depths
from openboss.worker.models import Job
from openboss.worker.runner import Worker


def test_finished_rows_are_purged_after_retention_dead_and_open_ones_kept(
    database: Database, make_worker: Callable[..., Worker], clock: FrozenClock
) -> None:
    with database.transaction() as s:
        sub = HubSubscription(api="/a", callback="http://127.0.0.1:9/x", owner="t")
        s.add(sub)
        old_done = publish(s, "E", "item", {"id": "1"}, api="/a")
        open_delivery = publish(s, "E", "item", {"id": "2"}, api="/a")
        dead = publish(s, "E", "item", {"id": "3"})
        s.flush()
        for ev in (old_done, open_delivery):
            ev.status, ev.dispatched_at = DONE, clock()
        dead.status = DEAD
        s.add(
            EventDelivery(
                event_seq=old_done.seq,
                subscription_id=sub.id,
                callback=sub.callback,
                status=DONE,
                max_attempts=3,
                finished_at=clock(),
            )
        )
        s.add(
            EventDelivery(
                event_seq=open_delivery.seq,
                subscription_id=sub.id,
                callback=sub.callback,
                status=FAILED,
                max_attempts=3,
            )
        )
        s.add(Job(kind="k", payload={}, status=DONE, finished_at=clock()))
        s.add(Job(kind="k", payload={}, status=DEAD, finished_at=clock()))
    with database.transaction() as s:
        assert purge_finished(s, clock() - timedelta(days=7)) == 0  # too young
    clock.advance(days=8)
    with database.transaction() as s:
        assert purge_finished(s, clock() - timedelta(days=7)) == 2
    with database.session() as s:
        assert sorted(str(r) for r in s.scalars(select(OutboxEvent.resource_id))) == ["2", "3"]
        assert [d.status for d in s.scalars(select(EventDelivery))] == [FAILED]
        assert list(s.scalars(select(Job.status))) == [DEAD]


def test_queue_depths_and_gauges(
    database: Database, make_worker: Callable[..., Worker], clock: FrozenClock
) -> None:
    with database.transaction() as s:
        publish(s, "E", "item", {"id": "1"})
        enqueue(s, "k", {})
        enqueue(s, "k", {}, run_at=clock() + timedelta(hours=1))  # a timer: not due yet
    with database.session() as s:
        assert queue_depths(s, clock()) == {"events": 1, "deliveries": 0, "jobs": 1}
    depths = make_worker(database).update_metrics()
    assert depths["jobs"] == 1
    assert REGISTRY.get_sample_value("openboss_worker_queue_depth", {"queue": "events"}) == 1.0
    assert REGISTRY.get_sample_value("openboss_dead_letters", {"queue": "jobs"}) == 0.0


def test_the_api_process_runs_a_worker_when_asked(
    committed_database: Database, settings: Settings
) -> None:
    app = create_app(settings, db=committed_database, run_worker=True)
    with TestClient(app):
        worker = app.state.worker
        assert isinstance(worker, Worker)
        assert worker.name == "in-process"
        with committed_database.transaction() as s:
            publish(s, "E", "item", {"id": "1"})
        assert worker.wait_idle(30)
    assert worker.stopping
    with committed_database.session() as s:
        assert s.scalar(select(OutboxEvent.status)) == DONE
