"""The process engine on the test process: every BPMN construct the flows use."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.service import list_audit
from openboss.fulfilment.engine import service
from openboss.fulfilment.engine.models import ProcessInstance
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from tests.fulfilment.engine.conftest import BPMN, Recorder, start


def _inst(session: Session, instance_id: str) -> ProcessInstance:
    return service.get_instance(session, instance_id)


def test_happy_path_with_message_after_arrival(session: Session, deployed: Any, rec: Recorder):
    iid = start(session)
    inst = service.run(session, iid)
    assert inst.status == "waiting"
    assert inst.current == ["waitWorkOrder"]
    assert rec.names() == ["reserve", "activate"]
    assert inst.due_at is None
    assert inst.state is not None
    assert service.correlate(session, "workOrderClosed", "WO-SO-1", {"ok": 1}) == [iid]
    assert _inst(session, iid).due_at is not None
    inst = service.run(session, iid)
    assert inst.status == "completed", inst.last_error
    assert rec.names() == ["reserve", "activate", "finish"]
    assert inst.data["workOrderClosed"] == {"ok": 1}
    assert inst.data["finished"] is True and inst.data["reserved"] == 1
    assert inst.state is None and inst.ended_at is not None
    view = service.instance_view(session, iid)
    assert {
        "start",
        "reserve",
        "route",
        "activate",
        "waitWorkOrder",
        "pause",
        "finish",
        "end",
    } <= set(view["doneTaskIds"])
    assert "check" not in view["doneTaskIds"]
    outcomes = [(t["taskId"], t["outcome"]) for t in view["tasks"]]
    assert ("reserve", "completed") in outcomes and ("finish", "completed") in outcomes
    assert [t["seq"] for t in view["tasks"]] == sorted(t["seq"] for t in view["tasks"])


def test_message_correlated_before_arrival_is_kept(session: Session, deployed: Any, rec: Recorder):
    # nobody expects it yet: buffered
    assert service.correlate(session, "workOrderClosed", "WO-SO-2", {"early": True}) == []
    iid = start(session, "SO-2")
    inst = service.run(session, iid)
    assert inst.status == "completed", inst.last_error
    assert inst.data["workOrderClosed"] == {"early": True}


def test_message_by_business_key(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-3")
    service.run(session, iid)
    # correlated by the business key when no expectation matches
    assert service.correlate(session, "workOrderClosed", "SO-3", {"via": "bk"}) == [iid]
    assert service.run(session, iid).status == "completed"


def test_error_boundary_event(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-4", noPort=True)
    inst = service.run(session, iid)
    assert inst.status == "completed", inst.last_error
    assert rec.names() == ["reserve", "activate", "notify"]
    done = set(inst.done)
    assert {"noPort", "notify", "endNoPort"} <= done and "end" not in done
    log = [(t["taskId"], t["outcome"]) for t in service.instance_view(session, iid)["tasks"]]
    assert ("activate", "error") in log


def test_timer_waits_then_fires(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-5", delay="PT1S")
    service.run(session, iid)
    service.correlate(session, "workOrderClosed", "WO-SO-5", {})
    inst = service.run(session, iid)
    assert inst.status == "waiting" and inst.current == ["pause"]
    assert inst.due_at is not None and inst.due_at > inst.updated_at
    time.sleep(1.1)
    assert service.run(session, iid).status == "completed"


def test_user_task_desk(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-6", mode="manual")
    inst = service.run(session, iid)
    assert inst.status == "waiting" and inst.current == ["check"]
    assert rec.names() == ["reserve"]
    desks, total = service.list_desk_tasks(session, business_key="SO-6")
    assert total == 1 and desks[0].task_id == "check" and desks[0].status == "open"
    service.complete_desk_task(session, desks[0].id, {"checkedBy": "ops"}, actor="alice")
    inst = _inst(session, iid)
    assert inst.data["checkedBy"] == "ops"
    assert rec.names() == ["reserve", "activate"]
    assert service.get_desk_task(session, desks[0].id).status == "completed"
    with pytest.raises(Conflict):
        service.complete_desk_task(session, desks[0].id, {})


def test_cancel_compensates_in_reverse_order(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-7")
    service.run(session, iid)
    seen: list[str] = []
    service.on_instance_closed(lambda s, i, outcome: seen.append(f"{i.id}:{outcome}"))
    try:
        inst = service.cancel(session, iid, "customer withdrew")
    finally:
        service._closed_listeners.pop()
    assert inst.status == "cancelled"
    assert rec.names() == ["reserve", "activate", "deactivate", "unreserve"]
    assert seen == [f"{iid}:cancelled"]
    with pytest.raises(Conflict):
        service.cancel(session, iid, "again")
    # the expectation is gone: a late message is buffered, not delivered
    assert service.correlate(session, "workOrderClosed", "WO-SO-7", {}) == []


def test_version_pinning(session: Session, deployed: Any, rec: Recorder):
    old = start(session, "SO-8")
    service.run(session, old)
    changed = BPMN.read_text().replace('name="Finish"', 'name="Finish v2"')
    v2 = service.deploy(session, changed)
    assert v2[0].version == deployed.version + 1
    # same content again: no new version
    assert service.deploy(session, changed)[0].version == v2[0].version
    new = start(session, "SO-9")
    assert _inst(session, new).version == v2[0].version
    assert _inst(session, old).version == deployed.version
    service.correlate(session, "workOrderClosed", "WO-SO-8", {})
    assert service.run(session, old).status == "completed"
    names = {t["taskName"] for t in service.instance_view(session, old)["tasks"]}
    assert "Finish" in names and "Finish v2" not in names


class Crash(BaseException):
    """A worker killed mid-run: not an Exception, nothing catches it."""


def test_crash_rerun_is_idempotent(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-10")
    rec.fail["activate"] = [Crash()]
    with pytest.raises(Crash), session.begin_nested():
        service.run(session, iid)
    session.expire_all()
    inst = _inst(session, iid)
    assert inst.status == "running" and inst.state is None and inst.due_at is not None
    first = list(rec.calls)
    service.run(session, iid)
    # the re-run executes the same tasks with the same keys
    assert rec.calls[len(first) :] == first
    assert service.instance_view(session, iid)["tasks"][0]["taskId"] == "reserve"
    assert [t["taskId"] for t in service.instance_view(session, iid)["tasks"]].count("reserve") == 1


def test_loop_iterations_get_new_keys(session: Session, deployed: Any, rec: Recorder):
    one, two = start(session, "SO-11"), start(session, "SO-12")
    service.run(session, one)
    service.run(session, two)
    keys = [k for _, k in rec.calls]
    assert len(set(keys)) == len(keys)
    assert keys[0].endswith(":reserve:1")


def test_incident_then_retry(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-13")
    rec.fail["activate"] = [RuntimeError("OLT timeout")]
    inst = service.run(session, iid)
    assert inst.status == "incident"
    assert inst.error_task == "activate" and "OLT timeout" in (inst.last_error or "")
    assert inst.attempts == 1 and inst.due_at is not None
    # everything the failed run did was rolled back, only the incident is logged
    log = service.instance_view(session, iid)["tasks"]
    assert [(t["taskId"], t["outcome"]) for t in log] == [("activate", "incident")]
    rows, total = service.list_instances(session, status="incident")
    assert iid in [r.id for r in rows] and total >= 1
    inst = service.retry(session, iid)
    assert inst.status == "waiting" and inst.attempts == 0
    keys = [k for name, k in rec.calls if name == "activate"]
    assert len(keys) == 2 and keys[0] == keys[1]
    with pytest.raises(Conflict):
        service.retry(session, iid)
    audit, total = list_audit(session, entity_type="process_instance", entity_id=iid)
    assert total >= 1 and any("retry" in str(a.after) for a in audit)


def test_skip_failing_task(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-14")
    rec.fail["activate"] = [RuntimeError("boom")]
    service.run(session, iid)
    with pytest.raises(ValidationFailed):
        service.skip(session, iid, "activate", " ")
    inst = service.skip(session, iid, "activate", "done by hand on the OLT")
    assert inst.status == "waiting" and inst.current == ["waitWorkOrder"]
    assert rec.names() == ["reserve", "activate", "reserve"]
    log = [
        (t["taskId"], t["outcome"], t["detail"])
        for t in service.instance_view(session, iid)["tasks"]
    ]
    assert ("activate", "skipped", "done by hand on the OLT") in log


def test_skip_waiting_message(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-15")
    service.run(session, iid)
    with pytest.raises(Conflict):
        service.skip(session, iid, "finish", "not current")
    inst = service.skip(session, iid, "waitWorkOrder", "closed by phone")
    assert inst.status == "completed"


def test_deploy_rejects_invalid(session: Session, rec: Recorder):
    with pytest.raises(ValidationFailed) as err:
        service.deploy(session, b"<not-xml")
    assert err.value.field == "file"
    unknown = BPMN.read_text().replace("test.notify", "nobody.knows")
    with pytest.raises(ValidationFailed) as err:
        service.deploy(session, unknown)
    assert "notify" in err.value.message
    with pytest.raises(ValidationFailed):
        service.deploy(
            session, b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
        )
    with pytest.raises(NotFound):
        service.start(session, "nope", business_key="x", data={})


def test_list_and_stuck(session: Session, deployed: Any, rec: Recorder):
    iid = start(session, "SO-16")
    service.run(session, iid)
    rows, _ = service.list_instances(session, business_key="SO-16")
    assert [r.id for r in rows] == [iid]
    assert service.list_instances(session, business_key="SO-16", stuck_minutes=0)[1] == 1
    assert service.list_instances(session, business_key="SO-16", stuck_minutes=60)[1] == 0
    assert (
        session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == iid)) == "waiting"
    )


def test_receive_task_with_boundary_timer(session: Session, rec: Recorder):
    service.deploy(session, BPMN.with_name("engine_receive.bpmn").read_bytes())
    iid = service.start(session, "engineReceive", business_key="SO-20", data={}).id
    inst = service.run(session, iid)
    assert inst.status == "waiting" and "callback" in inst.current
    # the boundary timer (a bare ISO duration) makes the instance due in an hour
    assert inst.due_at is not None
    assert inst.due_at - inst.updated_at > timedelta(minutes=50)
    assert service.correlate(session, "partnerCallback", "SO-20", {"ok": True}) == [iid]
    inst = service.run(session, iid)
    assert inst.status == "completed", inst.last_error
    assert inst.data["partnerCallback"] == {"ok": True}
    assert "ok" in inst.done and "late" not in inst.done


def test_a_failing_condition_is_an_incident_naming_the_gateway(
    session: Session, deployed: Any, rec: Recorder
):
    iid = service.start(session, "engineTest", business_key="SO-21", data={"delay": "PT0S"}).id
    inst = service.run(session, iid)
    assert inst.status == "incident" and inst.error_task == "route"
    assert "mode" in (inst.last_error or "")
