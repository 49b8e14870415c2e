"""Hub listeners see only events of rows in their registrant's scope, and a
listener answering ``410 Gone`` is unregistered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import select

from openboss.app import create_app
from openboss.audit.models import AuditLog
from openboss.config import Settings
from openboss.db import Database
from openboss.events import publish
from openboss.events.dispatch import fan_out
from openboss.events.hub import in_listener_scope, make_hub_router
from openboss.events.models import DONE, FAILED, EventDelivery, HubSubscription, OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.worker.runner import Worker
from tests.events.support import Listener

API = "/tmf-api/sample/v4"
GONE_METRIC = "openboss_hub_deliveries_total"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def hub_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hub_max_attempts": 3, "hub_timeout_seconds": 5.0})


@pytest.fixture
def api(hub_settings: Settings, database: Database) -> Iterator[TestClient]:
    app: FastAPI = create_app(hub_settings, db=database)
    app.include_router(make_hub_router(API))
    with TestClient(app) as c:
        yield c


def _register(api: TestClient, callback: str, headers: dict[str, str]) -> str:
    r = api.post(f"{API}/hub", json={"callback": callback}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _publish(db: Database, name: str, *, partner: str | None, region: str | None) -> str:
    with db.transaction() as s:
        publish(
            s,
            "SampleItemCreateEvent",
            "sampleItem",
            {"id": name},
            api=API,
            partner_id=partner,
            region_id=region,
        )
    return name


def _delivered_items(db: Database) -> dict[str, set[str]]:
    """Resource ids each listener got a delivery for."""
    with db.session() as s:
        rows = s.execute(
            select(EventDelivery.subscription_id, OutboxEvent.payload).join(
                OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq
            )
        ).all()
    out: dict[str, set[str]] = {}
    for sub_id, payload in rows:
        out.setdefault(sub_id, set()).add(payload["event"]["sampleItem"]["id"])
    return out


def test_listeners_receive_only_events_in_their_registrants_scope(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    listener: Listener,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
) -> None:
    subs = {
        "p1": _register(api, listener.url, auth_headers("partner", partner_id="p1")),
        "p2": _register(api, listener.url, auth_headers("partner", partner_id="p2")),
        "p1-sz": _register(
            api, listener.url, auth_headers("partner", partner_id="p1", regions=["sz"])
        ),
        "gz": _register(api, listener.url, auth_headers("csr", regions=["gz"])),
        "gz+sz": _register(api, listener.url, auth_headers("csr", regions=["sz", "gz"])),
        "none": _register(api, listener.url, auth_headers("csr", regions=[])),
        "all": _register(api, listener.url, auth_headers("csr")),
    }
    with database.session() as s:
        stored = s.get(HubSubscription, subs["gz+sz"])
        assert stored is not None
        assert (stored.partner_id, stored.region_ids) == (None, ["gz", "sz"])
        stored = s.get(HubSubscription, subs["p1-sz"])
        assert stored is not None
        assert (stored.partner_id, stored.region_ids) == ("p1", ["sz"])
        stored = s.get(HubSubscription, subs["all"])
        assert stored is not None
        assert (stored.partner_id, stored.region_ids) == (None, None)

    _publish(database, "p1-gz", partner="p1", region="gz")
    _publish(database, "p1-central", partner="p1", region=None)
    _publish(database, "p2-sz", partner="p2", region="sz")
    _publish(database, "own-central", partner=None, region=None)
    _publish(database, "own-sz", partner=None, region="sz")
    make_worker(database, settings=hub_settings).run_once()

    got = _delivered_items(database)
    expected = {
        "p1": {"p1-gz", "p1-central"},
        "p2": {"p2-sz"},
        "p1-sz": {"p1-central"},
        "gz": {"p1-gz", "p1-central", "own-central"},
        "gz+sz": {"p1-gz", "p1-central", "p2-sz", "own-central", "own-sz"},
        "none": {"p1-central", "own-central"},
        "all": {"p1-gz", "p1-central", "p2-sz", "own-central", "own-sz"},
    }
    assert {name: got.get(sub_id, set()) for name, sub_id in subs.items()} == expected
    assert len(listener.received) == sum(len(v) for v in expected.values())


def test_scope_rule_matches_the_kit_rule() -> None:
    def sub(partner: str | None, regions: list[str] | None) -> HubSubscription:
        return HubSubscription(
            api=API, callback="http://x/", partner_id=partner, region_ids=regions
        )

    def event(partner: str | None, region: str | None) -> OutboxEvent:
        return OutboxEvent(partner_id=partner, region_id=region)

    assert in_listener_scope(sub(None, None), event("p1", "gz"))
    assert in_listener_scope(sub("p1", None), event("p1", "gz"))
    assert not in_listener_scope(sub("p1", None), event("p2", "gz"))
    assert not in_listener_scope(sub("p1", None), event(None, None))  # the operator's own rows
    assert in_listener_scope(sub(None, ["gz"]), event(None, None))  # central data
    assert not in_listener_scope(sub(None, ["gz"]), event(None, "sz"))
    assert not in_listener_scope(sub("p1", ["gz"]), event("p1", "sz"))
    assert in_listener_scope(sub("p1", ["gz"]), event("p1", "gz"))


def test_publish_without_scope_stays_compatible(database: Database) -> None:
    with database.transaction() as s:
        row = publish(s, "E", "item", {"id": "1"}, api=API)
    assert (row.partner_id, row.region_id) == (None, None)
    assert "partner_id" not in row.payload and "partnerId" not in row.payload


def test_listener_answering_410_is_unregistered_and_its_pending_deliveries_dropped(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
    clock: FrozenClock,
) -> None:
    gone, alive = Listener(), Listener()
    try:
        owner = auth_headers("csr", name="alice")
        gone_id = _register(api, gone.url, owner)
        alive_id = _register(api, alive.url, owner)
        worker = make_worker(database, settings=hub_settings)
        _publish(database, "e0", partner=None, region=None)
        worker.run_once()  # both listeners accept e0
        assert len(gone.received) == len(alive.received) == 1

        gone.status = 410
        _publish(database, "e1", partner=None, region=None)
        _publish(database, "e2", partner=None, region=None)
        with database.transaction() as s:
            # e1 and e2 fanned out; e2's delivery to the gone listener waits in back-off
            for ev in s.scalars(select(OutboxEvent).where(OutboxEvent.fanned_out_at.is_(None))):
                fan_out(s, ev, max_attempts=3, now=clock())
                ev.fanned_out_at = clock()
            s.flush()
            waiting = s.scalars(
                select(EventDelivery)
                .join(OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq)
                .where(EventDelivery.subscription_id == gone_id, OutboxEvent.resource_id == "e2")
            ).one()
            waiting.status, waiting.attempts = FAILED, 1
            waiting.next_attempt_at = clock() + timedelta(hours=1)

        gone_before = REGISTRY.get_sample_value(GONE_METRIC, {"outcome": "gone"}) or 0.0
        worker.run_once()
        assert REGISTRY.get_sample_value(GONE_METRIC, {"outcome": "gone"}) == gone_before + 1
        assert [e["event"]["sampleItem"]["id"] for e in gone.received] == ["e0", "e1"]
        assert sorted(e["event"]["sampleItem"]["id"] for e in alive.received) == [
            "e0",
            "e1",
            "e2",
        ]
        with database.session() as s:
            assert s.get(HubSubscription, gone_id) is None
            assert s.get(HubSubscription, alive_id) is not None
            left = s.execute(
                select(EventDelivery.subscription_id, EventDelivery.status, OutboxEvent.resource_id)
                .join(OutboxEvent, OutboxEvent.seq == EventDelivery.event_seq)
                .order_by(OutboxEvent.resource_id, EventDelivery.subscription_id)
            ).all()
            # the delivered e0 stays for the record; e1 (410) and e2 (waiting) are dropped
            assert sorted((sub or "", status, rid) for sub, status, rid in left) == sorted(
                [
                    ("", DONE, "e0"),
                    (alive_id, DONE, "e0"),
                    (alive_id, DONE, "e1"),
                    (alive_id, DONE, "e2"),
                ]
            )
            [audit] = s.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "hub_subscription",
                    AuditLog.entity_id == gone_id,
                    AuditLog.action == "delete",
                )
            ).all()
            assert audit.actor.startswith("worker:")
        assert api.delete(f"{API}/hub/{gone_id}", headers=owner).status_code == 404
        r = api.get("/api/admin/deadLetters", headers=auth_headers("admin"))
        assert r.headers["X-Total-Count"] == "0"  # a gone listener is not a failure

        clock.advance(hours=2)
        _publish(database, "e3", partner=None, region=None)
        worker.run_once()
        assert len(gone.received) == 2
        assert len(alive.received) == 4
        assert worker.run_once() == 0
    finally:
        gone.close()
        alive.close()
