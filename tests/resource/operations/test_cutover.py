"""Cutover: planning (affected services, compatibility), approval, batches
with per-item results and partial failure, events, and exact rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.auth.principal import Principal
from openboss.events.models import OutboxEvent
from openboss.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.resource.inventory import lifecycle
from openboss.resource.inventory.models import Resource, ResourceUsage
from openboss.resource.operations import cutover
from tests.resource.operations.conftest import Net

MANAGER = Principal(subject="m", name="boss", roles=frozenset({"manager"}))


def _state(session: Session) -> dict[str, Any]:
    """Every usage and every resource's lifecycle, parent, site and reservation."""
    session.flush()
    session.expire_all()
    usages = {
        (u.resource_id, u.service_id, u.customer_id, u.started_at, u.ended_at)
        for u in session.scalars(select(ResourceUsage))
    }
    resources = {
        r.id: (r.lifecycle_status, r.parent_id, r.site_id, r.reservation_id)
        for r in session.scalars(select(Resource))
    }
    return {"usages": usages, "resources": resources}


def _olt_plan(session: Session, **kw: Any) -> cutover.CutoverPlan:
    return cutover.create_plan(
        session,
        SYSTEM_SCOPE,
        name="Replace OLT-A",
        actor="planner",
        source_olt="OLT-A",
        target_olt="OLT-B",
        **kw,
    )


@pytest.fixture
def olt_b(ftth: Net, build_olt: Callable[..., Net]) -> Net:
    return build_olt("OLT-B", ports=3, site_id=ftth.site)


def test_planning_lists_affected_services_and_customers(
    session: Session, ftth: Net, olt_b: Net
) -> None:
    plan = _olt_plan(session)
    doc = cutover.plan_doc(session, plan)
    assert doc["state"] == "draft"
    pairs = [(i["fromResource"]["value"], i["toResource"]["value"]) for i in doc["items"]]
    assert pairs == [("OLT-A/0/1", "OLT-B/0/1"), ("OLT-A/0/2", "OLT-B/0/2")]  # ports in use
    first = {(a["serviceId"], a["customerId"]) for a in doc["items"][0]["affected"]}
    assert first == {("SVC-1", "CUST-1"), ("SVC-2", "CUST-2")}  # under the splitter
    assert doc["affectedCustomers"] == ["CUST-1", "CUST-2", "CUST-3"]


def test_target_must_be_available_and_compatible(session: Session, ftth: Net, olt_b: Net) -> None:
    with pytest.raises(Conflict, match="not compatible"):
        cutover.create_plan(
            session,
            SYSTEM_SCOPE,
            name="x",
            actor="p",
            pairs=[cutover.Pair(ftth.ports[1].id, ftth.splitters["SPL-A1"].id)],
        )
    lifecycle.set_lifecycle(olt_b.ports[0], "planned")
    with pytest.raises(Conflict, match="not available"):
        cutover.create_plan(
            session,
            SYSTEM_SCOPE,
            name="x",
            actor="p",
            pairs=[cutover.Pair("OLT-A/0/2", "OLT-B/0/1")],
        )
    lifecycle.set_lifecycle(olt_b.ports[2], "planned")
    with pytest.raises(Conflict, match="1 free PON ports; 2 are needed"):
        _olt_plan(session)
    with pytest.raises(NotFound):
        cutover.create_plan(
            session, SYSTEM_SCOPE, name="x", actor="p", pairs=[cutover.Pair("nope", "OLT-B/0/2")]
        )
    with pytest.raises(ValidationFailed):
        cutover.create_plan(session, SYSTEM_SCOPE, name="x", actor="p", pairs=[])
    with pytest.raises(ValidationFailed, match="twice"):
        cutover.create_plan(
            session,
            SYSTEM_SCOPE,
            name="x",
            actor="p",
            pairs=[cutover.Pair("OLT-A/0/2", "OLT-B/0/2"), cutover.Pair("OLT-A/0/1", "OLT-B/0/2")],
        )


def test_approval_rules(session: Session, ftth: Net, olt_b: Net) -> None:
    plan = _olt_plan(session)
    with pytest.raises(Conflict, match="approved to execute"):
        cutover.execute(session, plan.id)
    planner = Principal(subject="p", name="planner", roles=frozenset({"manager", "noc"}))
    with pytest.raises(Forbidden, match="own"):
        cutover.approve(session, plan.id, planner)
    noc = Principal(subject="n", name="other", roles=frozenset({"noc"}))
    with pytest.raises(Forbidden):
        cutover.approve(session, plan.id, noc)
    cutover.approve(session, plan.id, MANAGER)
    assert plan.state == "approved" and plan.approved_by == "boss"
    with pytest.raises(Conflict):
        cutover.approve(session, plan.id, MANAGER)


def test_execute_moves_usages_containment_and_lifecycle_then_rollback_restores(
    session: Session, ftth: Net, olt_b: Net
) -> None:
    before = _state(session)
    plan = _olt_plan(session)
    cutover.approve(session, plan.id, MANAGER)
    cutover.execute(session, plan.id, batch_size=1)
    assert plan.state == "executed"
    items = cutover.plan_items(session, plan.id)
    assert [(i.state, i.batch) for i in items] == [("done", 1), ("done", 2)]
    a1, a2 = ftth.ports[0], ftth.ports[1]
    b1, b2 = olt_b.ports[0], olt_b.ports[1]
    session.expire_all()
    assert ftth.splitters["SPL-A1"].parent_id == b1.id  # the ONTs' tree moved with the port
    assert a2.lifecycle_status == "available" and b2.lifecycle_status == "allocated"
    open_b2 = session.scalars(
        select(ResourceUsage).where(
            ResourceUsage.resource_id == b2.id, ResourceUsage.ended_at.is_(None)
        )
    ).one()
    assert (open_b2.service_id, open_b2.customer_id) == ("SVC-3", "CUST-3")
    closed = session.scalars(select(ResourceUsage).where(ResourceUsage.resource_id == a2.id)).one()
    assert closed.ended_at is not None
    events = session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == cutover.CUTOVER_EVENT)
    ).all()
    assert len(events) == 2
    assert a1.lifecycle_status == "available"  # it carried no usage itself

    cutover.rollback(session, plan.id)
    assert plan.state == "rolledBack"
    assert _state(session) == before
    with pytest.raises(Conflict):
        cutover.rollback(session, plan.id)


def test_partial_failure_in_a_batch_and_rollback(session: Session, ftth: Net, olt_b: Net) -> None:
    before = _state(session)
    plan = _olt_plan(session)
    cutover.approve(session, plan.id, MANAGER)
    lifecycle.set_lifecycle(olt_b.ports[1], "planned")  # the second target was taken since
    cutover.execute(session, plan.id, batch_size=10)
    assert plan.state == "partiallyExecuted"
    first, second = cutover.plan_items(session, plan.id)
    assert first.state == "done" and first.batch == second.batch == 1
    assert second.state == "failed" and "not available" in (second.message or "")
    session.expire_all()
    assert ftth.ports[1].lifecycle_status == "allocated"  # the failed item changed nothing
    cutover.rollback(session, plan.id)
    after = _state(session)
    planned = olt_b.ports[1].id
    before["resources"][planned] = ("planned", *before["resources"][planned][1:])
    assert after == before


def test_batches_limit_leaves_the_plan_executing(session: Session, ftth: Net, olt_b: Net) -> None:
    plan = _olt_plan(session)
    cutover.approve(session, plan.id, MANAGER)
    cutover.execute(session, plan.id, batch_size=1, max_batches=1)
    assert plan.state == "executing"
    cutover.execute(session, plan.id, batch_size=1)
    assert plan.state == "executed"
    with pytest.raises(ValidationFailed):
        cutover.execute(session, plan.id, batch_size=0)


def test_cutover_api(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    session: Session,
    ftth: Net,
    olt_b: Net,
) -> None:
    session.commit()
    url = "/api/resource/v1/cutovers"
    body = {"name": "Swap", "sourceOlt": "OLT-A", "targetOlt": "OLT-B", "reason": "EOL"}
    assert client.post(url, json=body, headers=auth_headers("csr")).status_code == 403
    made = client.post(url, json=body, headers=auth_headers("noc", name="planner"))
    assert made.status_code == 201, made.text
    plan = made.json()
    pid = plan["id"]
    own = client.post(f"{url}/{pid}/approve", headers=auth_headers("manager", name="planner"))
    assert own.status_code == 403
    assert client.post(f"{url}/{pid}/approve", headers=auth_headers("noc")).status_code == 403
    ok = client.post(f"{url}/{pid}/approve", headers=auth_headers("manager", name="boss"))
    assert ok.status_code == 200 and ok.json()["approvedBy"] == "boss"
    ran = client.post(f"{url}/{pid}/execute?batchSize=1", headers=auth_headers("noc"))
    assert ran.status_code == 200 and ran.json()["state"] == "executed"
    assert [i["batch"] for i in ran.json()["items"]] == [1, 2]
    back = client.post(f"{url}/{pid}/rollback", headers=auth_headers("noc"))
    assert back.status_code == 200 and back.json()["state"] == "rolledBack"
    assert client.post(f"{url}/{pid}/rollback", headers=auth_headers("noc")).status_code == 409
    assert client.get(url, headers=auth_headers("dispatcher")).json()[0]["id"] == pid
    assert client.get(f"{url}/nope", headers=auth_headers()).status_code == 404
    pairs = {"name": "P", "pairs": [{"from": "OLT-A/0/2", "to": "SPL-A1"}]}
    assert client.post(url, json=pairs, headers=auth_headers()).status_code == 409
    bad = {
        "name": "P",
        "windowStart": "2026-12-01T02:00:00Z",
        "windowEnd": "2026-12-01T01:00:00Z",
        "pairs": [{"from": "OLT-A/0/2", "to": "OLT-B/0/3"}],
    }
    assert client.post(url, json=bad, headers=auth_headers()).status_code == 400


def test_resources_outside_the_callers_region_do_not_exist(
    session: Session, ftth: Net, olt_b: Net
) -> None:
    from openboss.kit.scope import Scope

    gongshu = Scope(regions=frozenset({"330105"}))
    with pytest.raises(NotFound):
        cutover.create_plan(
            session, gongshu, name="x", actor="p", source_olt="OLT-A", target_olt="OLT-B"
        )
