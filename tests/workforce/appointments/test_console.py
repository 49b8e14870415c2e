"""Console: the appointments screen — search a building, the day × slot grid,
book for a work order, reschedule, cancel; zh-CN and en (TestClient)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.workforce.appointments.models import Appointment
from tests.conftest import token_for
from tests.workforce.appointments.conftest import ORDERS, World, order_body

UI = "/console/workforce/appointments"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _as(client: TestClient, roles: str, **kw: Any) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))
    return client


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match
    return match.group(1)


def test_search_book_reschedule_cancel(
    client: TestClient, world: World, session: Session, auth_headers: Any
) -> None:
    world.tech(work_days=list(range(7)))
    order = client.post(ORDERS, json=order_body(world), headers=auth_headers("dispatcher"))
    order_id = order.json()["id"]
    c = _as(client, "csr")
    page = c.get(UI, params={"q": "文三路"})
    assert page.status_code == 200
    assert world.address_id in page.text
    grid = c.get(UI, params={"address": world.address_id, "skill": "ftthInstall", "level": 3})
    assert grid.status_code == 200
    assert 'id="slot-grid"' in grid.text
    days = re.findall(r'name="day" value="(\d{4}-\d{2}-\d{2})"', grid.text)
    assert days, grid.text
    r = c.post(
        f"{UI}/book",
        data={
            "address": world.address_id,
            "skill": "ftthInstall",
            "level": "3",
            "day": days[0],
            "slot": "0",
            "work_order": order_id,
            "phone": "13900002222",
            "csrf_token": _csrf(grid.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.expire_all()
    appt = session.scalars(select(Appointment)).one()
    assert appt.work_order_id == order_id and appt.status == "confirmed"
    listing = c.get(UI)
    assert f"appointment-{appt.id}" in listing.text
    # booking the same work order again is refused with the reason shown
    again = c.post(
        f"{UI}/book",
        data={
            "address": world.address_id,
            "skill": "ftthInstall",
            "day": days[0],
            "slot": "1",
            "work_order": order_id,
            "csrf_token": _csrf(listing.text),
        },
    )
    assert again.status_code == 409
    assert "appointment-error" in again.text
    # reschedule to the 14:00 slot of the same day
    r = c.post(
        f"{UI}/{appt.id}/reschedule",
        data={"day": days[0], "slot": "2", "csrf_token": _csrf(listing.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.expire_all()
    assert session.get(Appointment, appt.id).valid_start.hour == 6  # 14:00 Shanghai
    # cancel with a reason
    r = c.post(
        f"{UI}/{appt.id}/cancel",
        data={"reason": "客户改期", "csrf_token": _csrf(listing.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    assert session.get(Appointment, appt.id).status == "cancelled"


def test_roles_and_languages(client: TestClient, world: World) -> None:
    assert _as(client, "technician").get(UI).status_code in (403, 404)
    en = _as(client, "dispatcher").get(UI, headers={"Accept-Language": "en"})
    assert en.status_code == 200 and "Upcoming appointments" in en.text
    zh = _as(client, "manager").get(UI, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
    assert 'lang="zh' in zh.text
