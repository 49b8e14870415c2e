"""The runner: due instances claimed and advanced by several workers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from openboss.config import Settings
from openboss.db import Database
from openboss.fulfilment.engine import runner, service
from openboss.fulfilment.engine.models import ProcessInstance
from openboss.worker.runner import Worker
from tests.fulfilment.engine.conftest import BPMN, Recorder, start


def _drain(database: Database, name: str, errors: list[BaseException]) -> None:
    try:
        for _ in range(200):
            if runner.run_due(database, worker=name, limit=5) == 0:
                return
    except BaseException as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def test_two_workers_share_instances(committed_database: Database, rec: Recorder) -> None:
    n = 30
    with committed_database.transaction() as s:
        service.deploy(s, BPMN.read_bytes())
        ids = [start(s, f"SO-R{i}") for i in range(n)]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_drain, args=(committed_database, f"w{i}", errors))
        for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    with committed_database.transaction() as s:
        statuses = dict(s.execute(select(ProcessInstance.id, ProcessInstance.status)).all())
        assert {statuses[i] for i in ids} == {"waiting"}
        # every task ran exactly once: no instance was advanced twice
        keys = [k for _, k in rec.calls]
        assert len(keys) == len(set(keys)) == 2 * n
        for i in range(n):
            assert service.correlate(s, "workOrderClosed", f"WO-SO-R{i}", {}) != []
    _drain(committed_database, "w0", errors)
    with committed_database.transaction() as s:
        rows = s.scalars(select(ProcessInstance.status)).all()
        assert set(rows) == {"completed"}
        assert (
            s.scalar(select(ProcessInstance.locked_by).where(ProcessInstance.locked_by.isnot(None)))
            is None
        )


def test_incident_backs_off_and_lost_lease_is_taken_over(
    committed_database: Database, rec: Recorder
) -> None:
    with committed_database.transaction() as s:
        service.deploy(s, BPMN.read_bytes())
        iid = start(s, "SO-INC")
    rec.fail["activate"] = [RuntimeError("down")]
    assert runner.run_due(committed_database, worker="w1") == 1
    with committed_database.transaction() as s:
        inst = service.get_instance(s, iid)
        assert inst.status == "incident" and inst.attempts == 1
        assert inst.due_at is not None and inst.due_at > inst.updated_at
    # not due yet: nothing to do
    assert runner.run_due(committed_database, worker="w1") == 0
    # a worker claimed it and died: after its lease expires another one runs it
    with committed_database.transaction() as s:
        inst = service.get_instance(s, iid)
        inst.due_at = inst.updated_at
    assert runner.claim_due(committed_database, worker="dead", lease=timedelta(0), limit=5) == [iid]
    assert runner.run_due(committed_database, worker="w2") == 1
    with committed_database.transaction() as s:
        assert service.get_instance(s, iid).status == "waiting"


def test_a_failing_listener_holds_back_its_instance_only(
    committed_database: Database, rec: Recorder
) -> None:
    def refuse(session: object, inst: ProcessInstance, outcome: str) -> None:
        if inst.business_key == "SO-BAD":
            raise RuntimeError("listener down")

    with committed_database.transaction() as s:
        service.deploy(s, BPMN.read_bytes())
        good = [start(s, f"SO-OK{i}", noPort=True) for i in range(3)]
        bad = start(s, "SO-BAD", noPort=True)
    service.on_instance_closed(refuse)
    try:
        assert runner.run_due(committed_database, worker="w1") == 4
    finally:
        service.remove_instance_listener(refuse)
    with committed_database.transaction() as s:
        assert {service.get_instance(s, i).status for i in good} == {"completed"}
        held = service.get_instance(s, bad)
        # rolled back: still due, leased until the lease expires, then retried
        assert held.status == "running" and held.locked_by == "w1"


def test_the_worker_runs_due_instances(
    committed_database: Database, settings: Settings, rec: Recorder
) -> None:
    with committed_database.transaction() as s:
        service.deploy(s, BPMN.read_bytes())
        iid = start(s, "SO-W", noPort=True)
    worker = Worker(committed_database, settings, name="engine-test")
    try:
        assert worker.run_once() >= 1
    finally:
        worker.stop()
    with committed_database.transaction() as s:
        assert service.get_instance(s, iid).status == "completed"
