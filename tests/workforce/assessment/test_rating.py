"""Customer rating by one-time link: created when a work order completes
(hook, same transaction), hash-only storage, once-only, expiry, zh-CN/en pages,
and the stars feeding the customerRating indicator (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events.models import OutboxEvent
from openboss.kit.clock import utcnow
from openboss.workforce.assessment import indicators as ind
from openboss.workforce.assessment.models import RatingInvitation
from tests.workforce.orders.conftest import MERGE, ORDERS, World, order_body

Headers = Callable[..., dict[str, str]]
ITEMS = [{"id": "1", "action": "add", "characteristic": [{"name": "ontSerial", "value": "HW1"}]}]


def _complete(client: TestClient, h: dict[str, str], world: World, **extra: Any) -> str:
    r = client.post(ORDERS, json=order_body(world, **extra), headers=h)
    assert r.status_code == 201, r.text
    ident = str(r.json()["id"])

    def patch(body: dict[str, Any]) -> None:
        res = client.patch(f"{ORDERS}/{ident}", json=body, headers={**h, **MERGE})
        assert res.status_code == 200, res.text

    patch({"assignee": {"id": world.own_tech}})
    for step in ("accepted", "enRoute", "onSite"):
        patch({"fieldState": step})
    patch({"state": "completed", "workOrderItem": ITEMS})
    return ident


def _link(session: Session, order_id: str) -> str:
    for event in session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == "RatingInvitationCreateEvent")
    ):
        body = event.payload["event"]["ratingInvitation"]
        if body["workOrder"]["id"] == order_id:
            return str(body["link"])
    raise AssertionError("no rating invitation event")


def test_completion_creates_one_invitation_storing_only_the_hash(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    h = auth_headers("dispatcher")
    ident = _complete(client, h, world)
    link = _link(session, ident)
    assert link.startswith("/rate/")
    token = link.removeprefix("/rate/")
    rows = session.scalars(select(RatingInvitation)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.work_order_id == ident and row.technician_id == world.own_tech
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert row.expires_at - row.created_at == timedelta(days=14)
    # a failed order gets no invitation
    r = client.post(ORDERS, json=order_body(world), headers=h)
    failed = r.json()["id"]
    client.patch(
        f"{ORDERS}/{failed}", json={"assignee": {"id": world.own_tech}}, headers={**h, **MERGE}
    )
    client.patch(f"{ORDERS}/{failed}", json={"fieldState": "accepted"}, headers={**h, **MERGE})
    client.patch(f"{ORDERS}/{failed}", json={"fieldState": "enRoute"}, headers={**h, **MERGE})
    r = client.patch(
        f"{ORDERS}/{failed}",
        json={"state": "failed", "failureReason": "no access"},
        headers={**h, **MERGE},
    )
    assert r.status_code == 200
    session.expire_all()
    assert len(session.scalars(select(RatingInvitation)).all()) == 1


def test_rating_page_once_only(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    ident = _complete(client, auth_headers("dispatcher"), world)
    link = _link(session, ident)
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Rate our service" in page.text and "Tech E001" in page.text
    zh = client.get(link + "?lang=zh-CN")
    assert zh.status_code == 200 and zh.headers["Content-Language"] == "zh-CN"
    assert 'lang="zh-CN"' in zh.text or "zh-CN" in zh.headers["Content-Language"]
    # no stars: shown again with a message, nothing recorded
    bad = client.post(f"{link}?lang=en", data={"stars": "9"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 400 and "Choose 1 to 5 stars" in bad.text
    done = client.post(
        link, data={"stars": "4", "comment": "准时，专业"}, headers={"Accept-Language": "en"}
    )
    assert done.status_code == 200 and "Thank you" in done.text
    session.expire_all()
    row = session.scalars(select(RatingInvitation)).one()
    assert (row.stars, row.comment) == (4, "准时，专业") and row.rated_at is not None
    again = client.post(link, data={"stars": "1"}, headers={"Accept-Language": "en"})
    assert again.status_code == 410 and "already been rated" in again.text
    assert client.get(link, headers={"Accept-Language": "en"}).status_code == 410
    session.expire_all()
    assert session.scalars(select(RatingInvitation)).one().stars == 4
    # the API endpoint answers 410 as well
    token = link.removeprefix("/rate/")
    r = client.post(f"/api/workforce/v1/ratingInvitation/{token}", json={"stars": 5})
    assert r.status_code == 410
    unknown = client.get("/rate/not-a-token", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and "not valid" in unknown.text
    # the rating feeds the indicator
    now = utcnow()
    period = ind.Period(now - timedelta(days=1), now + timedelta(days=1))
    figures = ind.INDICATORS["customerRating"].compute(session, period, "technician")
    assert {k: (f.numerator, f.denominator) for k, f in figures.items()} == {world.own_tech: (4, 1)}


def test_expired_link(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    ident = _complete(client, auth_headers("dispatcher"), world)
    link = _link(session, ident)
    row = session.scalars(select(RatingInvitation)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 410 and "expired" in page.text
    r = client.post(link, data={"stars": "5"}, headers={"Accept-Language": "en"})
    assert r.status_code == 410 and "expired" in r.text
    zh = client.get(link + "?lang=zh-CN")
    assert zh.status_code == 410 and zh.headers["Content-Language"] == "zh-CN"
    session.expire_all()
    assert session.scalars(select(RatingInvitation)).one().stars is None


def test_api_rating(
    client: TestClient, auth_headers: Headers, world: World, session: Session
) -> None:
    ident = _complete(client, auth_headers("dispatcher"), world)
    token = _link(session, ident).removeprefix("/rate/")
    url = f"/api/workforce/v1/ratingInvitation/{token}"
    assert client.post(url, json={"stars": 0}).status_code == 400
    assert client.post(url, json={"stars": 5, "comment": "x" * 1001}).status_code == 400
    r = client.post(url, json={"stars": 5})
    assert r.status_code == 200 and r.json()["stars"] == 5
    assert client.post(url, json={"stars": 5}).status_code == 410
    assert (
        client.post("/api/workforce/v1/ratingInvitation/nope", json={"stars": 5}).status_code == 404
    )
