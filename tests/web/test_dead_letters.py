"""The dead-letters screen: failed work listed for administrators and queued again."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openboss.events.models import DEAD, PENDING
from openboss.kit.clock import utcnow
from openboss.worker.models import Job
from tests.web.conftest import csrf_from

URL = "/console/admin/dead-letters"


def dead_job(session: Session, kind: str, error: str = "handler raised ValueError") -> Job:
    now = utcnow()
    job = Job(
        kind=kind,
        payload={"n": 1},
        status=DEAD,
        attempts=5,
        max_attempts=5,
        last_error=error,
        created_at=now - timedelta(hours=1),
        finished_at=now,
    )
    session.add(job)
    session.commit()
    return job


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-dead-letter="([^"]+)"', html)


def test_dead_letters_are_listed_for_admins_only(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    job = dead_job(session, "billing.close_cycle", "x" * 200)
    page = console_as("admin").get(f"{URL}?lang=en")
    assert page.status_code == 200
    assert rows(page.text) == [job.id]
    assert "billing.close_cycle" in page.text
    assert "Background job" in page.text
    assert re.search(r'id="count-job".*?ob-stat-value">1<', page.text, re.S)
    assert "<details" in page.text  # the long error is folded
    nav = re.findall(r'data-nav="([^"]+)"', page.text)
    assert URL in nav
    dashboard = console_as("admin").get("/console").text
    assert re.search(r'id="stat-dead-letters".*?ob-stat-value">1<', dashboard, re.S)
    manager = console_as("manager")
    assert manager.get(URL).status_code == 403
    assert URL not in re.findall(r'data-nav="([^"]+)"', manager.get("/console").text)


def test_retrying_a_dead_letter_queues_it_again(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    job = dead_job(session, "sla.jeopardy")
    other = dead_job(session, "sla.breach")
    client = console_as("admin")
    token = csrf_from(client.get(URL).text)
    r = client.post(f"{URL}/{job.id}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    assert session.get(Job, job.id).status == PENDING
    assert session.get(Job, job.id).attempts == 0
    # htmx: the table comes back with a notice, the retried row gone
    r = client.post(
        f"{URL}/{other.id}/retry",
        data={"csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "dead-letters-table"},
    )
    assert r.status_code == 200
    assert "<html" not in r.text
    assert "sla.breach 已重新排队" in r.text
    assert rows(r.text) == []
    # a second retry is refused with a reason, as a fragment htmx swaps in
    r = client.post(
        f"{URL}/{other.id}/retry",
        data={"csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "dead-letters-table", "Accept-Language": "en"},
    )
    assert r.status_code == 409
    assert r.headers["x-console-fragment"] == "true"
    assert 'id="dead-letter-problem"' in r.text
    r = client.post(f"{URL}/no-such-id/retry", data={"csrf_token": token})
    assert r.status_code == 404


def test_retry_needs_the_csrf_token(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    job = dead_job(session, "sla.jeopardy")
    client = console_as("admin")
    client.get(URL)
    assert client.post(f"{URL}/{job.id}/retry", data={}).status_code == 403
    session.expire_all()
    assert session.get(Job, job.id).status == DEAD
