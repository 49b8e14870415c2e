"""TMF630 hub: listener registration, delivery to a real HTTP listener,
retries with back-off, dead letters and their administration."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from openboss.app import create_app
from openboss.config import Settings
from openboss.db import Database
from openboss.events import publish
from openboss.events.dispatch import fan_out
from openboss.events.hub import make_hub_router
from openboss.events.models import DEAD, DONE, FAILED, EventDelivery, HubSubscription, OutboxEvent
from openboss.kit.clock import FrozenClock
from openboss.worker.models import Job
from openboss.worker.runner import Worker
from tests.events.support import Listener

API = "/tmf-api/sample/v4"
OTHER_API = "/tmf-api/other/v4"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def hub_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hub_max_attempts": 3, "hub_timeout_seconds": 5.0})


@pytest.fixture
def hub_app(hub_settings: Settings, database: Database) -> FastAPI:
    app = create_app(hub_settings, db=database)
    app.include_router(make_hub_router(API))
    app.include_router(make_hub_router(OTHER_API))
    return app


@pytest.fixture
def api(hub_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(hub_app) as c:
        yield c


def _publish(db: Database, event_type: str, state: str, *, api: str = API) -> str:
    with db.transaction() as s:
        row = publish(s, event_type, "sampleItem", {"id": "s1", "state": state}, api=api)
    return row.event_id


def _deliveries(db: Database) -> list[EventDelivery]:
    with db.session() as s:
        return list(s.scalars(select(EventDelivery).order_by(EventDelivery.created_at)))


def test_hub_endpoints_are_documented_per_api(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    for base in (API, OTHER_API):
        assert set(spec["paths"][f"{base}/hub"]) == {"post"}
        assert set(spec["paths"][f"{base}/hub/{{subscription_id}}"]) == {"delete"}
    ops = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops)), "operation ids must be unique"


def test_register_validates_and_needs_a_token(api: TestClient, auth_headers: Headers) -> None:
    body = {"callback": "http://127.0.0.1:9/listener"}
    assert api.post(f"{API}/hub", json=body).status_code == 401
    r = api.post(f"{API}/hub", json=body, headers=auth_headers("csr"))
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"id", "callback"}
    assert r.headers["location"] == f"{API}/hub/{r.json()['id']}"
    for bad in ("ftp://x/y", "/relative/path", "http://", "not a url", ""):
        r = api.post(f"{API}/hub", json={"callback": bad}, headers=auth_headers("csr"))
        assert r.status_code == 400, bad
        assert r.json()["field"] == "callback"
    r = api.post(f"{API}/hub", json={"query": "eventType=X"}, headers=auth_headers("csr"))
    assert (r.status_code, r.json()["field"]) == (400, "callback")
    r = api.post(
        f"{API}/hub", json={**body, "query": "eventType=X&broken"}, headers=auth_headers("csr")
    )
    assert (r.status_code, r.json()["field"]) == (400, "query")
    assert "broken" in r.json()["message"]


def test_delete_hub(api: TestClient, auth_headers: Headers, database: Database) -> None:
    owner = auth_headers("csr", name="alice")
    sub_id = api.post(
        f"{API}/hub", json={"callback": "https://crm.example.com/l"}, headers=owner
    ).json()["id"]
    assert api.delete(f"{API}/hub/{sub_id}").status_code == 401
    # Another API's hub, another (non-admin) caller and an unknown id: 404.
    assert api.delete(f"{OTHER_API}/hub/{sub_id}", headers=owner).status_code == 404
    assert (
        api.delete(f"{API}/hub/{sub_id}", headers=auth_headers("csr", name="bob")).status_code
        == 404
    )
    r = api.delete(f"{API}/hub/no-such-id", headers=owner)
    assert (r.status_code, r.json()["@type"]) == (404, "Error")
    r = api.delete(f"{API}/hub/{sub_id}", headers=owner)
    assert (r.status_code, r.content) == (204, b"")
    assert api.delete(f"{API}/hub/{sub_id}", headers=owner).status_code == 404
    with database.session() as s:
        assert s.get(HubSubscription, sub_id) is None


def test_events_reach_matching_listeners_of_their_api(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    listener: Listener,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
) -> None:
    query = "eventType=SampleItemStateChangeEvent&event.sampleItem.state=active"
    r = api.post(
        f"{API}/hub", json={"callback": listener.url, "query": query}, headers=auth_headers("csr")
    )
    assert r.status_code == 201
    assert r.json()["query"] == query
    wanted = _publish(database, "SampleItemStateChangeEvent", "active")
    _publish(database, "SampleItemStateChangeEvent", "inactive")  # state filtered out
    _publish(database, "SampleItemCreateEvent", "active")  # type filtered out
    _publish(database, "SampleItemStateChangeEvent", "active", api=OTHER_API)  # other API
    worker = make_worker(database, settings=hub_settings)
    worker.run_once()
    assert [e["eventId"] for e in listener.received] == [wanted]
    envelope = listener.received[0]
    assert envelope["eventType"] == "SampleItemStateChangeEvent"
    assert envelope["event"]["sampleItem"] == {"id": "s1", "state": "active"}
    assert listener.headers[0]["Content-Type"] == "application/json"
    assert listener.headers[0]["X-Event-Id"] == wanted
    [delivery] = _deliveries(database)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DONE, 1, 201)
    assert worker.run_once() == 0
    assert len(listener.received) == 1


def test_failing_listener_is_retried_then_dead_lettered_and_retried_by_an_admin(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    listener: Listener,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
    clock: FrozenClock,
) -> None:
    listener.status = 500
    api.post(f"{API}/hub", json={"callback": listener.url}, headers=auth_headers("csr"))
    event_id = _publish(database, "SampleItemStateChangeEvent", "active")
    worker = make_worker(database, settings=hub_settings)

    worker.run_once()
    [d] = _deliveries(database)
    assert (d.status, d.attempts, d.last_status_code) == (FAILED, 1, 500)
    assert "HTTP 500" in (d.last_error or "")
    first_delay = d.next_attempt_at - clock()
    assert first_delay.total_seconds() > 0
    assert worker.run_once() == 0, "no retry before the back-off has passed"

    clock.advance(seconds=first_delay.total_seconds())
    worker.run_once()
    [d] = _deliveries(database)
    assert (d.status, d.attempts) == (FAILED, 2)
    second_delay = d.next_attempt_at - clock()
    assert second_delay > first_delay / 2  # exponential: ceiling doubles, jitter keeps ≥ half
    clock.advance(hours=2)
    worker.run_once()
    [d] = _deliveries(database)
    assert (d.status, d.attempts) == (DEAD, 3)
    assert len(listener.received) == 3
    clock.advance(hours=2)
    assert worker.run_once() == 0, "a dead delivery is not retried by itself"

    assert api.get("/api/admin/deadLetters", headers=auth_headers("csr")).status_code == 403
    r = api.get("/api/admin/deadLetters", headers=auth_headers("admin"))
    assert r.status_code == 200, r.text
    assert r.headers["X-Total-Count"] == "1"
    [item] = r.json()
    assert item["kind"] == "delivery"
    assert (item["id"], item["eventId"], item["target"]) == (d.id, event_id, listener.url)
    assert (item["status"], item["attempts"], item["name"]) == (
        "dead",
        3,
        "SampleItemStateChangeEvent",
    )
    assert "HTTP 500" in item["lastError"]
    assert item["failedAt"] is not None

    r = api.post(f"/api/admin/deadLetters/{d.id}/retry", headers=auth_headers("admin"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
    r = api.post(f"/api/admin/deadLetters/{d.id}/retry", headers=auth_headers("admin"))
    assert r.status_code == 409  # no longer dead
    assert (
        api.post("/api/admin/deadLetters/nope/retry", headers=auth_headers("admin")).status_code
        == 404
    )
    assert (
        api.get("/api/admin/deadLetters?limit=0", headers=auth_headers("admin")).status_code == 400
    )

    listener.status = 200
    worker.run_once()
    [d] = _deliveries(database)
    assert (d.status, d.attempts, d.last_error) == (DONE, 1, None)
    assert len(listener.received) == 4
    r = api.get("/api/admin/deadLetters", headers=auth_headers("admin"))
    assert (r.json(), r.headers["X-Total-Count"]) == ([], "0")


def test_unreachable_listener_counts_as_failed_attempt(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
) -> None:
    closed = Listener()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    api.post(f"{API}/hub", json={"callback": url}, headers=auth_headers("csr"))
    _publish(database, "SampleItemStateChangeEvent", "active")
    make_worker(database, settings=hub_settings).run_once()
    [d] = _deliveries(database)
    assert (d.status, d.last_status_code) == (FAILED, None)
    assert "ConnectError" in (d.last_error or "")


def test_unregistering_drops_undelivered_events_but_keeps_dead_letters(
    api: TestClient,
    auth_headers: Headers,
    database: Database,
    listener: Listener,
    make_worker: Callable[..., Worker],
    hub_settings: Settings,
    clock: FrozenClock,
) -> None:
    listener.status = 503
    headers = auth_headers("csr")
    sub_id = api.post(f"{API}/hub", json={"callback": listener.url}, headers=headers).json()["id"]
    _publish(database, "SampleItemStateChangeEvent", "active")
    worker = make_worker(database, settings=hub_settings)
    for _ in range(3):
        worker.run_once()
        clock.advance(hours=2)
    _publish(database, "SampleItemStateChangeEvent", "inactive")
    with database.transaction() as s:
        # fan out the second event without delivering it yet
        ev = s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq.desc())).first()
        assert ev is not None
        fan_out(s, ev, max_attempts=3, now=clock())
        ev.fanned_out_at = clock()
    assert sorted(d.status for d in _deliveries(database)) == [DEAD, "pending"]
    assert api.delete(f"{API}/hub/{sub_id}", headers=headers).status_code == 204
    [dead] = _deliveries(database)
    assert (dead.status, dead.subscription_id) == (DEAD, None)
    r = api.post(f"/api/admin/deadLetters/{dead.id}/retry", headers=auth_headers("admin"))
    assert r.status_code == 409
    assert "unregistered" in r.json()["message"]


def test_dead_letter_list_pages(
    api: TestClient, auth_headers: Headers, database: Database, clock: FrozenClock
) -> None:
    with database.transaction() as s:
        for i in range(5):
            clock.advance(minutes=1)
            s.add(
                Job(
                    kind=f"k{i}",
                    payload={},
                    status=DEAD,
                    attempts=5,
                    finished_at=clock(),
                    last_error="boom",
                )
            )
    admin = auth_headers("admin")
    r = api.get("/api/admin/deadLetters?offset=1&limit=2", headers=admin)
    assert r.headers["X-Total-Count"] == "5"
    assert [i["name"] for i in r.json()] == ["k3", "k2"]  # newest failure first
    one = r.json()[0]
    r = api.get(f"/api/admin/deadLetters/{one['id']}", headers=admin)
    assert (r.status_code, r.json()["kind"]) == (200, "job")
