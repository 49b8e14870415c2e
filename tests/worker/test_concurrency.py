"""Several workers on one database: work is shared and done once, a dead
worker's leases are taken over, shutdown is graceful."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.events import publish
from openboss.events.models import DEAD, DONE, PENDING, RUNNING, OutboxEvent
from openboss.kit.clock import FrozenClock, utcnow
from openboss.worker import enqueue
from openboss.worker.claim import claim, own
from openboss.worker.models import Job
from openboss.worker.runner import Worker

Register = Callable[[Callable[[Session, dict[str, Any]], None]], str]


def _run_together(workers: list[Worker]) -> None:
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(w: Worker) -> None:
        try:
            barrier.wait()
            w.run_once()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,), name=w.name) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_two_workers_share_200_jobs_each_done_exactly_once(
    committed_database: Database, make_worker: Callable[..., Worker], job_kind: Register
) -> None:
    lock = threading.Lock()
    runs: list[tuple[int, str]] = []

    def handler(_s: Session, payload: dict[str, Any]) -> None:
        with lock:
            runs.append((payload["n"], threading.current_thread().name))

    kind = job_kind(handler)
    with committed_database.transaction() as s:
        for n in range(200):
            enqueue(s, kind, {"n": n})
    workers = [make_worker(committed_database, name=f"w{i}", batch_size=10) for i in (1, 2)]
    _run_together(workers)

    assert sorted(n for n, _ in runs) == list(range(200))  # each exactly once
    per_worker = Counter(name for _, name in runs)
    assert set(per_worker) == {"w1", "w2"}, f"both workers took a share: {per_worker}"
    with committed_database.session() as s:
        rows = s.execute(
            select(Job.status, Job.attempts, func.count()).group_by(Job.status, Job.attempts)
        ).all()
    assert [tuple(r) for r in rows] == [(DONE, 1, 200)]


def test_three_workers_dispatch_each_event_once_without_delay(
    committed_database: Database, make_worker: Callable[..., Worker], on_event: Any
) -> None:
    """Every event is dispatched in the same run, none twice. (Regression: a
    worker must not mistake a row briefly locked by another worker's claim
    query for a lost lease — that left whole chunks waiting for the lease.)"""
    lock = threading.Lock()
    seen: list[str] = []

    def record(_s: Session, env: dict[str, Any]) -> None:
        with lock:
            seen.append(env["eventId"])

    on_event("LoadTestEvent", record)
    with committed_database.transaction() as s:
        ids = [publish(s, "LoadTestEvent", "item", {"id": str(n)}).event_id for n in range(300)]
    _run_together([make_worker(committed_database, name=f"e{i}", batch_size=5) for i in (1, 2, 3)])
    assert sorted(seen) == sorted(ids)
    with committed_database.session() as s:
        done = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == DONE)
        assert s.scalar(done) == 300


def test_work_of_a_dead_worker_is_taken_over_when_its_lease_expires(
    committed_database: Database,
    make_worker: Callable[..., Worker],
    job_kind: Register,
    clock: FrozenClock,
) -> None:
    runs: list[str] = []
    kind = job_kind(lambda _s, p: runs.append(p["x"]))
    with committed_database.transaction() as s:
        job_id = enqueue(s, kind, {"x": "a"}).id
    # A worker claims the job and dies before running it.
    with committed_database.claim_transaction() as s:
        claimed = claim(
            s,
            Job,
            worker="crashed",
            now=utcnow(),
            lease=timedelta(seconds=60),
            limit=10,
            due_column=Job.run_at,
            order_by=[Job.run_at],
        )
    assert claimed == [job_id]
    survivor = make_worker(committed_database, name="survivor", lease_seconds=60)
    assert survivor.run_once() == 0, "the lease still holds"
    clock.advance(seconds=61)
    assert survivor.run_once() == 1
    assert runs == ["a"]
    with committed_database.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        assert (job.status, job.attempts) == (DONE, 2)
        # Were the crashed worker to come back, it no longer owns the job.
        assert own(s, Job, job_id, worker="crashed") is None


def test_a_job_that_keeps_killing_its_worker_ends_dead(
    committed_database: Database,
    make_worker: Callable[..., Worker],
    job_kind: Register,
    clock: FrozenClock,
) -> None:
    kind = job_kind(lambda _s, _p: None)
    with committed_database.transaction() as s:
        job_id = enqueue(s, kind, {}, max_attempts=2).id
    for _ in range(2):  # claimed twice, each time the worker "dies"
        with committed_database.claim_transaction() as s:
            claim(
                s,
                Job,
                worker="doomed",
                now=utcnow(),
                lease=timedelta(seconds=60),
                limit=1,
                due_column=Job.run_at,
                order_by=[Job.run_at],
            )
        clock.advance(seconds=61)
    make_worker(committed_database).run_once()
    with committed_database.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        assert (job.status, job.attempts) == (DEAD, 3)
        assert "never finished" in (job.last_error or "")


def test_graceful_stop_finishes_the_current_job_and_releases_the_rest(
    committed_database: Database,
    make_worker: Callable[..., Worker],
    job_kind: Register,
    clock: FrozenClock,
) -> None:
    started = threading.Event()
    proceed = threading.Event()
    runs: list[int] = []

    def slow(_s: Session, payload: dict[str, Any]) -> None:
        started.set()
        assert proceed.wait(30), "test did not release the handler"
        runs.append(payload["n"])

    kind = job_kind(slow)
    with committed_database.transaction() as s:
        ids = [
            enqueue(s, kind, {"n": n}, run_at=clock() + timedelta(seconds=n)).id for n in range(3)
        ]
    clock.advance(seconds=5)
    worker = make_worker(committed_database, name="stopping")
    thread = worker.start_in_thread()
    assert started.wait(30), "the worker did not start the first job"
    stopper = threading.Thread(target=worker.stop, kwargs={"timeout": 30})
    stopper.start()
    while not worker.stopping:  # stop() has set the flag before joining
        threading.Event().wait(0.01)
    proceed.set()
    stopper.join()
    thread.join(30)
    assert not thread.is_alive()
    assert runs == [0]
    with committed_database.session() as s:
        jobs = {j.id: j for j in s.scalars(select(Job))}
    assert (jobs[ids[0]].status, jobs[ids[0]].attempts) == (DONE, 1)
    for job_id in ids[1:]:
        assert (jobs[job_id].status, jobs[job_id].attempts, jobs[job_id].locked_by) == (
            PENDING,
            0,
            None,
        )
    # Released work is immediately available to the next worker.
    assert make_worker(committed_database, name="next").run_once() == 2
    assert sorted(runs) == [0, 1, 2]


def test_sigterm_stops_run_forever_in_the_main_thread(
    committed_database: Database, make_worker: Callable[..., Worker]
) -> None:
    assert threading.current_thread() is threading.main_thread()
    worker = make_worker(committed_database, poll_seconds=3600.0)
    before = signal.getsignal(signal.SIGTERM)

    went_idle: list[bool] = []

    def terminate() -> None:
        went_idle.append(worker.wait_idle(30))
        if went_idle[0]:
            os.kill(os.getpid(), signal.SIGTERM)  # may land on any thread of the process
        else:
            worker.stop()  # never leave the test hanging

    killer = threading.Thread(target=terminate)
    killer.start()
    worker.run_forever()  # returns once SIGTERM was handled
    killer.join()
    assert went_idle == [True]
    assert worker.stopping
    assert signal.getsignal(signal.SIGTERM) is before


def test_running_rows_are_not_claimed_twice(
    committed_database: Database, clock: FrozenClock
) -> None:
    with committed_database.transaction() as s:
        publish(s, "X", "item", {"id": "1"})
    args: dict[str, Any] = {
        "now": utcnow(),
        "lease": timedelta(seconds=60),
        "limit": 10,
        "due_column": OutboxEvent.next_attempt_at,
        "order_by": [OutboxEvent.seq],
    }
    with committed_database.claim_transaction() as s:
        first = claim(s, OutboxEvent, worker="a", **args)
    with committed_database.claim_transaction() as s:
        second = claim(s, OutboxEvent, worker="b", **args)
    assert len(first) == 1 and second == []
    with committed_database.session() as s:
        row = s.get(OutboxEvent, first[0])
        assert row is not None
        assert (row.status, row.locked_by, row.attempts) == (RUNNING, "a", 1)
