"""SLA clocks: deadline and jeopardy from the catalog SLA, worker timers that move
the clock, business alarms and events, stopping with a verdict; the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.events.models import OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.scope import SYSTEM_SCOPE, Scope
from openboss.ordering.sla import service as sla
from openboss.worker.models import Job
from openboss.worker.runner import Worker

API = "/api/ordering/v1"


def _jobs(session: Session, order_id: str) -> dict[str, Job]:
    rows = session.scalars(select(Job).where(Job.dedup_key.like(f"sla.%:{order_id}")))
    return {j.kind: j for j in rows}


def _events(session: Session, order_id: str) -> list[str]:
    rows = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.resource_id == order_id)
        .order_by(OutboxEvent.created_at, OutboxEvent.event_id)
    )
    return [e.event_type for e in rows]


def test_start_clock_sets_deadline_and_timers(session: Session) -> None:
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    clock = sla.start_clock(
        session,
        product_order_id="po-1",
        completion_hours=48,
        jeopardy_percent=75,
        started_at=start,
        region_id="330106",
    )
    assert clock["state"] == "running"
    assert clock["deadline"] == "2026-03-04T08:00:00.000Z"
    assert clock["jeopardyAt"] == "2026-03-03T20:00:00.000Z"
    assert clock["regionId"] == "330106"
    timers = _jobs(session, "po-1")
    assert timers["sla.jeopardy"].run_at == start + timedelta(hours=36)
    assert timers["sla.breach"].run_at == start + timedelta(hours=48)
    # idempotent: a second start keeps the first clock
    again = sla.start_clock(
        session, product_order_id="po-1", completion_hours=4, jeopardy_percent=50
    )
    assert again["deadline"] == clock["deadline"]
    assert len(_jobs(session, "po-1")) == 2


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"completion_hours": 0, "jeopardy_percent": 80}, "completionHours"),
        ({"completion_hours": 8, "jeopardy_percent": 0}, "jeopardyPercent"),
        ({"completion_hours": 8, "jeopardy_percent": 101}, "jeopardyPercent"),
    ],
)
def test_start_clock_refuses_bad_terms(session: Session, kw: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        sla.start_clock(session, product_order_id="po-x", **kw)
    assert err.value.field == field


def test_stop_before_deadline_is_met_and_cancels_timers(
    session: Session, clock: FrozenClock
) -> None:
    sla.start_clock(session, product_order_id="po-2", completion_hours=8, jeopardy_percent=80)
    clock.advance(hours=3)
    stopped = sla.stop_clock(session, "po-2", "completed")
    assert stopped is not None
    assert stopped["state"] == "met"
    assert stopped["secondsLeft"] == 5 * 3600
    assert _jobs(session, "po-2") == {}
    # stopping again changes nothing; an unknown order has no clock
    assert sla.stop_clock(session, "po-2", "failed") == stopped
    assert sla.stop_clock(session, "po-none", "completed") is None
    assert sla.clock_of(session, "po-none") is None


def test_cancelled_order_stops_without_verdict(session: Session) -> None:
    sla.start_clock(session, product_order_id="po-3", completion_hours=8, jeopardy_percent=80)
    stopped = sla.stop_clock(session, "po-3", "cancelled")
    assert stopped is not None and stopped["state"] == "stopped"
    assert stopped["outcome"] == "cancelled"


def test_timers_raise_jeopardy_then_breach(
    committed_database: Database,
    clock: FrozenClock,
    make_worker: Callable[..., Worker],
) -> None:
    db = committed_database
    with db.transaction() as s:
        sla.start_clock(
            s,
            product_order_id="po-4",
            completion_hours=10,
            jeopardy_percent=80,
            region_id="330106",
        )
    worker = make_worker(db)
    worker.run_once()
    with db.transaction() as s:
        assert sla.clock_of(s, "po-4")["state"] == "running"  # type: ignore[index]
        assert sla.alarms(s, SYSTEM_SCOPE) == []

    clock.advance(hours=8)
    worker.run_once()
    with db.transaction() as s:
        view = sla.clock_of(s, "po-4")
        assert view is not None and view["state"] == "jeopardy"
        assert view["secondsLeft"] == 2 * 3600
        (alarm,) = sla.alarms(s, SYSTEM_SCOPE, state="raised")
        assert alarm["kind"] == "orderJeopardy" and alarm["severity"] == "minor"
        assert alarm["object"] == {"id": "po-4", "@referredType": "ProductOrder"}
        assert _events(s, "po-4") == ["OrderSlaJeopardyEvent"]

    clock.advance(hours=2)
    worker.run_once()
    with db.transaction() as s:
        view = sla.clock_of(s, "po-4")
        assert view is not None and view["state"] == "breached"
        open_alarms = sla.alarms(s, SYSTEM_SCOPE, state="open")
        assert [a["kind"] for a in open_alarms] == ["orderBreach"]
        cleared = sla.alarms(s, SYSTEM_SCOPE, state="cleared")
        assert [a["kind"] for a in cleared] == ["orderJeopardy"]
        assert _events(s, "po-4") == ["OrderSlaJeopardyEvent", "OrderSlaBreachEvent"]
        # a region outside the order's sees none of it
        assert sla.alarms(s, Scope(regions=frozenset({"110000"}))) == []

    # a late timer run (redelivery) changes nothing
    with db.transaction() as s:
        assert sla.fire_breach(s, "po-4") is False
        assert sla.fire_jeopardy(s, "po-4") is False

    clock.advance(hours=1)
    with db.transaction() as s:
        stopped = sla.stop_clock(s, "po-4", "completed")
        assert stopped is not None and stopped["state"] == "missed"
        assert stopped["secondsLeft"] == -3600
        assert sla.alarms(s, SYSTEM_SCOPE, state="open") == []


def test_acknowledge(session: Session, clock: FrozenClock) -> None:
    sla.start_clock(session, product_order_id="po-5", completion_hours=4, jeopardy_percent=50)
    clock.advance(hours=2)
    assert sla.fire_jeopardy(session, "po-5") is True
    (alarm,) = sla.alarms(session, SYSTEM_SCOPE)
    acked = sla.acknowledge(session, SYSTEM_SCOPE, alarm["id"], by="lee")
    assert acked["state"] == "acknowledged" and acked["acknowledgedBy"] == "lee"
    with pytest.raises(Conflict):
        sla.acknowledge(session, SYSTEM_SCOPE, alarm["id"], by="wang")
    with pytest.raises(NotFound):
        sla.acknowledge(session, Scope(regions=frozenset({"x"})), "nope", by="wang")
    with pytest.raises(ValidationFailed) as err:
        sla.alarms(session, SYSTEM_SCOPE, state="bogus")
    assert err.value.field == "state"


def test_api(
    session: Session,
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    clock: FrozenClock,
) -> None:
    sla.start_clock(
        session,
        product_order_id="po-6",
        completion_hours=4,
        jeopardy_percent=50,
        region_id="330106",
    )
    clock.advance(hours=4)
    sla.fire_breach(session, "po-6")
    session.flush()
    noc = auth_headers("noc")
    got = client.get(f"{API}/slaClocks/po-6", headers=noc)
    assert got.status_code == 200, got.text
    assert got.json()["state"] == "breached"
    other = auth_headers("noc", regions=["110000"])
    assert client.get(f"{API}/slaClocks/po-6", headers=other).status_code == 404
    assert client.get(f"{API}/slaClocks/po-unknown", headers=noc).status_code == 404
    assert (
        client.get(f"{API}/slaClocks/po-6", headers=auth_headers("technician")).status_code == 403
    )

    listed = client.get(f"{API}/businessAlarms", params={"state": "raised"}, headers=noc)
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "1"
    (alarm,) = listed.json()
    assert alarm["kind"] == "orderBreach"
    assert client.get(f"{API}/businessAlarms", headers=other).json() == []
    bad = client.get(f"{API}/businessAlarms", params={"state": "nope"}, headers=noc)
    assert bad.status_code == 400

    ack = client.post(f"{API}/businessAlarms/{alarm['id']}/acknowledge", headers=noc)
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    again = client.post(f"{API}/businessAlarms/{alarm['id']}/acknowledge", headers=noc)
    assert again.status_code == 409
    assert client.post(f"{API}/businessAlarms/nope/acknowledge", headers=noc).status_code == 404
    by_order: list[dict[str, Any]] = client.get(
        f"{API}/businessAlarms", params={"orderId": "po-6"}, headers=noc
    ).json()
    assert [a["state"] for a in by_order] == ["acknowledged"]
