"""Jobs and timers: enqueued in the business transaction, run by the worker,
retried with back-off, dead-lettered, cancelled by their dedup key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.db import Database
from openboss.events.models import DEAD, DONE, FAILED, PENDING
from openboss.kit.clock import FrozenClock, utcnow
from openboss.kit.errors import ValidationFailed
from openboss.worker import cancel, enqueue, job_handler
from openboss.worker.deadletters import list_dead_letters, retry_dead_letter
from openboss.worker.jobs import register_job_handler, unregister_job_handler
from openboss.worker.models import Job
from openboss.worker.runner import Worker

Register = Callable[[Callable[[Session, dict[str, Any]], None]], str]


def _enqueue_then_fail(db: Database, kind: str) -> None:
    with db.transaction() as s:
        enqueue(s, kind, {"n": 0})
        raise RuntimeError("business transaction rolled back")


def _job(db: Database, job_id: str) -> Job:
    with db.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_a_job_runs_once_after_commit_with_its_changes(
    database: Database, make_worker: Callable[..., Worker], job_kind: Register
) -> None:
    runs: list[dict[str, Any]] = []

    def handler(session: Session, payload: dict[str, Any]) -> None:
        runs.append(payload)
        session.add(
            AuditLog(
                at=utcnow(),
                actor="job",
                actor_kind="system",
                action="x",
                entity_type="t",
                entity_id=str(payload["n"]),
            )
        )

    kind = job_kind(handler)
    with pytest.raises(RuntimeError, match="rolled back"):
        _enqueue_then_fail(database, kind)
    with database.transaction() as s:
        job_id = enqueue(s, kind, {"n": 1}).id
    worker = make_worker(database)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert runs == [{"n": 1}]
    job = _job(database, job_id)
    assert (job.status, job.attempts, job.locked_by, job.last_error) == (DONE, 1, None, None)
    assert job.finished_at is not None
    with database.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "job")) == 1
        )


def test_timers_wait_for_their_time_and_can_be_cancelled(
    database: Database, make_worker: Callable[..., Worker], job_kind: Register, clock: FrozenClock
) -> None:
    fired: list[str] = []
    kind = job_kind(lambda _s, p: fired.append(p["order"]))
    with database.transaction() as s:
        enqueue(s, kind, {"order": "o1"}, run_at=clock() + timedelta(hours=20), dedup_key="sla:o1")
        enqueue(s, kind, {"order": "o2"}, run_at=clock() + timedelta(hours=20), dedup_key="sla:o2")
    worker = make_worker(database)
    clock.advance(hours=19, minutes=59)
    assert worker.run_once() == 0
    with database.transaction() as s:
        assert cancel(s, "sla:o2") is True  # o2 completed in time
        assert cancel(s, "sla:o2") is False
        assert cancel(s, "no-such-key") is False
    clock.advance(minutes=1)
    assert worker.run_once() == 1
    assert fired == ["o1"]
    with database.transaction() as s:
        assert cancel(s, "sla:o1") is False  # already done: nothing to cancel
        # the cancelled key is free again: a new timer can be set
        again = enqueue(s, kind, {"order": "o2"}, run_at=clock(), dedup_key="sla:o2")
        assert again.status == PENDING


def test_enqueue_is_idempotent_by_dedup_key(database: Database, job_kind: Register) -> None:
    kind = job_kind(lambda _s, _p: None)
    with database.transaction() as s:
        first = enqueue(s, kind, {"v": 1}, dedup_key="once")
        second = enqueue(s, kind, {"v": 2}, dedup_key="once")
        assert second.id == first.id
    with database.transaction() as s:
        third = enqueue(s, kind, {"v": 3}, dedup_key="once")
        assert third.id == first.id
        assert third.payload == {"v": 1}
        assert s.scalar(select(func.count()).select_from(Job)) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"kind": "k" * 97}, "kind"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"run_at": datetime(2030, 1, 1)}, "run_at"),  # naive: the point of the test
        ({"dedup_key": ""}, "dedup_key"),
        ({"payload": {"when": datetime(2030, 1, 1).date()}}, "payload"),
        ({"payload": ["not", "an", "object"]}, "payload"),
    ],
)
def test_enqueue_rejects_bad_input_naming_the_field(
    session: Session, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"kind": "ok", "payload": {}} | kwargs
    with pytest.raises(ValidationFailed) as err:
        enqueue(session, **args)
    assert err.value.field == field


def test_failing_job_is_retried_with_backoff_then_dead_and_retried_by_an_admin(
    database: Database, make_worker: Callable[..., Worker], job_kind: Register, clock: FrozenClock
) -> None:
    state = {"fail": True, "runs": 0}

    def flaky(session: Session, _payload: dict[str, Any]) -> None:
        state["runs"] += 1
        session.add(
            AuditLog(
                at=clock(),
                actor="flaky",
                actor_kind="system",
                action="x",
                entity_type="t",
                entity_id="1",
            )
        )
        if state["fail"]:
            raise ConnectionError("billing system down")

    kind = job_kind(flaky)
    with database.transaction() as s:
        job_id = enqueue(s, kind, {}, max_attempts=3).id
    worker = make_worker(database)
    assert worker.run_once() == 1
    job = _job(database, job_id)
    assert (job.status, job.attempts) == (FAILED, 1)
    assert job.last_error == "ConnectionError: billing system down"
    delay1 = job.run_at - clock()
    assert timedelta(seconds=1) <= delay1 <= timedelta(seconds=2)
    assert worker.run_once() == 0
    clock.advance(seconds=2)
    assert worker.run_once() == 1
    delay2 = _job(database, job_id).run_at - clock()
    assert timedelta(seconds=2) <= delay2 <= timedelta(seconds=4)
    clock.advance(seconds=4)
    assert worker.run_once() == 1
    job = _job(database, job_id)
    assert (job.status, job.attempts, state["runs"]) == (DEAD, 3, 3)
    clock.advance(days=1)
    assert worker.run_once() == 0
    with database.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "flaky"))
            == 0
        )
        [dead] = list_dead_letters(s, 0, 10).items
    assert (dead.kind, dead.id, dead.name, dead.attempts) == ("job", job_id, kind, 3)

    state["fail"] = False
    with database.transaction() as s:
        retry_dead_letter(s, job_id)
    assert worker.run_once() == 1
    assert _job(database, job_id).status == DONE


def test_a_job_without_handler_ends_dead(
    database: Database, make_worker: Callable[..., Worker], clock: FrozenClock
) -> None:
    with database.transaction() as s:
        job_id = enqueue(s, "nobody.handles.this", {}, max_attempts=2).id
    worker = make_worker(database)
    worker.run_once()
    clock.advance(hours=1)
    worker.run_once()
    job = _job(database, job_id)
    assert job.status == DEAD
    assert "no handler registered for job kind 'nobody.handles.this'" in (job.last_error or "")


def test_handler_registry() -> None:
    @job_handler("test.registry")
    def one(_s: Session, _p: dict[str, Any]) -> None:
        return None

    try:
        register_job_handler("test.registry", one)  # same function again: fine
        with pytest.raises(ValueError, match="already registered"):
            register_job_handler("test.registry", lambda _s, _p: None)
    finally:
        assert unregister_job_handler("test.registry") is True
    assert unregister_job_handler("test.registry") is False
