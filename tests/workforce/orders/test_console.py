"""Console screens: the technician's jobs and the dispatcher's work orders
(TestClient; the phone layout in a real browser is test_phone_browser.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.clock import utcnow
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.workforce import repository, service
from openboss.workforce.schemas import WorkOrderCreate
from tests.conftest import token_for
from tests.workforce.orders.conftest import BASE, World, order_body

MY_JOBS = "/console/workforce/my-jobs"
ORDERS_UI = "/console/workforce/orders"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match
    return match.group(1)


def _as(client: TestClient, roles: str, **kw: Any) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))
    return client


def _today_order(session: Session, world: World, tech: str | None, **extra: Any) -> str:
    start = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    body = order_body(world, **extra)
    body["timeWindow"] = {"startDateTime": start.isoformat()}
    if tech:
        body["assignee"] = {"id": tech}
    # today may be a Sunday: give the technician every day so the test does not depend on it
    if tech:
        repository.get_technician(session, tech, SYSTEM_SCOPE).work_days = list(range(7))
    written = service.create_work_order(
        session,
        SYSTEM_SCOPE,
        WorkOrderCreate.model_validate(body),
        BASE,
        service.Actor("dispatcher"),
    )
    session.commit()
    return written.order.id


@pytest.fixture
def jobs(session: Session, world: World) -> dict[str, str]:
    return {
        "mine": _today_order(session, world, world.own_tech),
        "other": _today_order(session, world, world.own_novice, requiredSkill=[]),
        "p1": _today_order(session, world, world.p1_tech, partnerId="PARTNER-1"),
        "p2": _today_order(session, world, None, partnerId="PARTNER-2"),
    }


def test_technician_walks_a_job_to_completion(
    client: TestClient, world: World, jobs: dict[str, str], closed_calls: list[tuple[str, str]]
) -> None:
    c = _as(client, "technician", name="tech1")
    page = c.get(MY_JOBS, params={"lang": "en"})
    assert page.status_code == 200
    assert f'id="job-{jobs["mine"]}"' in page.text
    assert jobs["other"] not in page.text and jobs["p1"] not in page.text
    assert "张三" in page.text and "13900001111" in page.text and "文三路" in page.text
    assert "Accept" in page.text
    token = _csrf(page.text)
    url = f"{MY_JOBS}/{jobs['mine']}"
    for step in ("accepted", "enRoute", "onSite"):
        r = c.post(f"{url}/step", data={"step": step, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    page = c.get(MY_JOBS)
    assert "ontSerial" in page.text  # the completion form of an installation
    r = c.post(f"{url}/complete", data={"csrf_token": token, "ontSerial": ""})
    assert r.status_code == 400 and "job-error" in r.text
    r = c.post(
        f"{url}/step", data={"step": "accepted", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 409
    assert closed_calls == []
    r = c.post(
        f"{url}/complete",
        data={"csrf_token": token, "ontSerial": "ZTEG00000001", "notes": "ok"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert closed_calls == [(jobs["mine"], "completed")]
    # someone else's job is not there for this technician
    r = c.post(f"{MY_JOBS}/{jobs['other']}/step", data={"step": "accepted", "csrf_token": token})
    assert r.status_code == 404


def test_technician_reports_a_failure_with_a_reason(
    client: TestClient, world: World, jobs: dict[str, str], closed_calls: list[tuple[str, str]]
) -> None:
    c = _as(client, "technician", name="tech1")
    token = _csrf(c.get(MY_JOBS).text)
    url = f"{MY_JOBS}/{jobs['mine']}"
    for step in ("accepted", "enRoute", "onSite"):
        c.post(f"{url}/step", data={"step": step, "csrf_token": token})
    assert c.post(f"{url}/fail", data={"csrf_token": token, "reason": " "}).status_code == 400
    r = c.post(
        f"{url}/fail", data={"csrf_token": token, "reason": "no access"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert closed_calls == [(jobs["mine"], "failed")]


def test_unlinked_user_and_roles(client: TestClient, world: World, jobs: dict[str, str]) -> None:
    r = _as(client, "technician", name="stranger").get(MY_JOBS, params={"lang": "en"})
    assert r.status_code == 200 and 'id="no-technician"' in r.text
    assert _as(client, "csr", name="csr1").get(MY_JOBS).status_code == 403
    assert _as(client, "csr", name="csr1").get(ORDERS_UI).status_code == 403


def test_partner_technician_sees_only_its_job(
    client: TestClient, world: World, jobs: dict[str, str]
) -> None:
    c = _as(client, "partner", name="p1tech", partner_id="PARTNER-1")
    page = c.get(MY_JOBS)
    assert jobs["p1"] in page.text and jobs["mine"] not in page.text


def test_dispatcher_list_filters_and_partner_isolation(
    client: TestClient, world: World, jobs: dict[str, str]
) -> None:
    c = _as(client, "dispatcher")
    page = c.get(ORDERS_UI, params={"lang": "en"})
    assert page.status_code == 200
    assert all(f'id="order-{i}"' in page.text for i in jobs.values())
    page = c.get(ORDERS_UI, params={"unassigned": "1"})
    assert f'id="order-{jobs["p2"]}"' in page.text and f'id="order-{jobs["mine"]}"' not in page.text
    page = c.get(ORDERS_UI, params={"partner": "own"})
    assert f'id="order-{jobs["mine"]}"' in page.text and f'id="order-{jobs["p1"]}"' not in page.text
    page = c.get(ORDERS_UI, params={"sla": "1", "lang": "en"})  # deadlines a day away
    assert "No work orders match" in page.text
    page = c.get(ORDERS_UI, params={"kind": "repair", "lang": "en"})
    assert "No work orders match" in page.text
    # a partner sees its own orders only, in the list and by URL
    p = _as(client, "partner", name="partner1", partner_id="PARTNER-1")
    page = p.get(ORDERS_UI)
    assert f'id="order-{jobs["p1"]}"' in page.text
    assert (
        f'id="order-{jobs["mine"]}"' not in page.text
        and f'id="order-{jobs["p2"]}"' not in page.text
    )
    assert p.get(f"{ORDERS_UI}/{jobs['p2']}").status_code == 404
    assert p.get(f"{ORDERS_UI}/{jobs['p1']}").status_code == 200


def test_dispatcher_assigns_and_moves(
    client: TestClient, world: World, jobs: dict[str, str], session: Session
) -> None:
    repository.get_technician(session, world.p2_tech, SYSTEM_SCOPE).work_days = list(range(7))
    session.commit()
    c = _as(client, "dispatcher")
    page = c.get(f"{ORDERS_UI}/{jobs['p2']}", params={"lang": "zh_CN"})
    assert page.status_code == 200 and 'id="order-history"' in page.text
    token = _csrf(page.text)
    r = c.post(
        f"{ORDERS_UI}/{jobs['p2']}/assign",
        data={"technician": world.own_tech, "csrf_token": token},
    )
    assert r.status_code == 400 and 'id="assign-error"' in r.text
    r = c.post(
        f"{ORDERS_UI}/{jobs['p2']}/assign",
        data={"technician": world.p2_tech, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = c.post(
        f"{ORDERS_UI}/{jobs['p2']}/state",
        data={"state": "completed", "csrf_token": token},
    )
    assert r.status_code == 409 and 'id="state-error"' in r.text
    r = c.post(
        f"{ORDERS_UI}/{jobs['p2']}/state",
        data={"state": "held", "reason": "customer asked", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(f"{ORDERS_UI}/{jobs['p2']}", params={"lang": "en"})
    assert "Held" in page.text and "Tech P2-001" in page.text
    assert page.text.count("<tr>") >= 3  # history: created, dispatched, held
    assert c.get(f"{ORDERS_UI}/nope").status_code == 404
