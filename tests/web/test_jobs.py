"""The Jobs screen: the worker's queue listed for administrators, filtered,
paged, and dead jobs queued again."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from openboss.db import Database
from openboss.events import publish
from openboss.events.models import DEAD, DONE, FAILED, PENDING, RUNNING
from openboss.web.jobs import STATUS_LABELS, StatusFilter
from openboss.worker.jobs import JOB_STATUSES
from openboss.worker.models import Job
from tests.web.conftest import csrf_from

URL = "/console/admin/jobs"
#: 02:30 UTC is 10:30 in the console's time zone (Asia/Shanghai).
RUN_AT = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
HTMX = {"HX-Request": "true", "HX-Target": "jobs-table"}


def add_job(session: Session, kind: str, status: str = PENDING, **kw: Any) -> Job:
    values: dict[str, Any] = {
        "kind": kind,
        "payload": {},
        "status": status,
        "run_at": RUN_AT,
        "created_at": RUN_AT - timedelta(minutes=1),
        "attempts": 0,
        "max_attempts": 5,
    }
    values.update(kw)
    job = Job(**values)
    session.add(job)
    session.commit()
    return job


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-job="([^"]+)"', html)


def count_of(html: str, status: str) -> int:
    match = re.search(rf'data-status-count="{status}".*?<strong>(\d+)</strong>', html, re.S)
    assert match, f"no count for {status}"
    return int(match.group(1))


@pytest.fixture
def jobs(session: Session) -> dict[str, Job]:
    """One job in every status, of two kinds, created a minute apart."""
    made: dict[str, Job] = {}
    for i, (name, kind, status, extra) in enumerate(
        [
            ("pending", "sla.jeopardy", PENDING, {}),
            (
                "running",
                "billing.close_cycle",
                RUNNING,
                {
                    "attempts": 1,
                    "locked_by": "host-a-4242",
                    "locked_until": RUN_AT + timedelta(minutes=5),
                },
            ),
            ("failed", "sla.jeopardy", FAILED, {"attempts": 2, "last_error": "timeout"}),
            (
                "dead",
                "billing.close_cycle",
                DEAD,
                {"attempts": 5, "last_error": "ValueError: " + "x" * 200, "finished_at": RUN_AT},
            ),
            ("done", "sla.jeopardy", DONE, {"attempts": 1, "finished_at": RUN_AT}),
        ]
    ):
        extra = {"created_at": RUN_AT + timedelta(minutes=i), **extra}
        made[name] = add_job(session, kind, status, **extra)
    return made


def test_every_status_has_a_label_and_a_filter() -> None:
    assert list(STATUS_LABELS) == list(JOB_STATUSES)
    assert set(get_args(StatusFilter)) == {"", *JOB_STATUSES}


def test_admin_sees_every_job_newest_first_with_local_times(
    jobs: dict[str, Job], console_as: Callable[..., TestClient]
) -> None:
    page = console_as("admin").get(f"{URL}?lang=en")
    assert page.status_code == 200, page.text
    html = page.text
    assert rows(html) == [jobs[n].id for n in ("done", "dead", "failed", "running", "pending")]
    for status in (PENDING, RUNNING, FAILED, DEAD, DONE):
        assert count_of(html, status) == 1
    assert "10:30" in html and "02:30" not in html  # run_at in Asia/Shanghai
    running = html.split(f'data-job="{jobs["running"].id}"')[1].split("</tr>")[0]
    assert "host-a-4242" in running and "until" in running and "10:35" in running
    assert "2 of 5" in html  # attempts of max attempts
    dead = html.split(f'data-job="{jobs["dead"].id}"')[1].split("</tr>")[0]
    assert "<details" in dead  # the long error is folded
    assert f"{URL}/{jobs['dead'].id}/retry" in dead
    assert html.count("/retry") == 2  # only the dead job offers retry (action + hx-post)
    assert URL in re.findall(r'data-nav="([^"]+)"', html)
    zh = console_as("admin").get(f"{URL}?lang=zh_CN").text
    assert "任务队列" in zh and "已失效" in zh


def test_filters_by_status_and_kind(
    jobs: dict[str, Job], console_as: Callable[..., TestClient]
) -> None:
    client = console_as("admin")
    assert rows(client.get(f"{URL}?status=dead").text) == [jobs["dead"].id]
    by_kind = client.get(f"{URL}?kind=sla.jeopardy").text
    assert rows(by_kind) == [jobs[n].id for n in ("done", "failed", "pending")]
    assert count_of(by_kind, RUNNING) == 0 and count_of(by_kind, PENDING) == 1  # counts per kind
    both = client.get(f"{URL}?kind=sla.jeopardy&status=failed", headers=HTMX)
    assert both.status_code == 200
    assert "<html" not in both.text and both.headers["x-console-fragment"] == "true"
    assert rows(both.text) == [jobs["failed"].id]
    nothing = client.get(f"{URL}?kind=no.such.kind&lang=en").text
    assert rows(nothing) == [] and "No jobs match these filters." in nothing
    assert 'value="no.such.kind" selected' in nothing  # the filter stays visible
    assert client.get(f"{URL}?status=sleeping").status_code == 400
    assert client.get(f"{URL}?size=7").status_code == 400
    assert client.get(f"{URL}?kind={'k' * 97}").status_code == 400


def test_pages_through_htmx(session: Session, console_as: Callable[..., TestClient]) -> None:
    made = [
        add_job(session, "bulk.job", created_at=RUN_AT + timedelta(seconds=i)) for i in range(30)
    ]
    client = console_as("admin")
    first = client.get(URL).text
    assert rows(first) == [j.id for j in reversed(made)][:25]
    assert f'href="{URL}?page=2"' in first
    second = client.get(f"{URL}?page=2", headers=HTMX)
    assert "<html" not in second.text
    assert rows(second.text) == [j.id for j in reversed(made)][25:]
    assert rows(client.get(f"{URL}?size=50").text) == [j.id for j in reversed(made)]
    kept = client.get(f"{URL}?kind=bulk.job&status=pending").text
    assert f'href="{URL}?status=pending&amp;kind=bulk.job&amp;page=2"' in kept


def test_query_count_does_not_grow_with_the_rows(
    session: Session, database: Database, console_as: Callable[..., TestClient]
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    client = console_as("admin")

    def queries() -> int:
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            assert client.get(URL).status_code == 200
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    add_job(session, "a.job")
    few = queries()
    for i in range(20):
        add_job(session, f"kind.{i % 4}", DEAD if i % 2 else PENDING)
    assert queries() == few


def test_jobs_screen_is_for_admins_only(
    jobs: dict[str, Job], client: TestClient, console_as: Callable[..., TestClient]
) -> None:
    r = client.get(URL, follow_redirects=False)
    assert r.status_code in (303, 307) and "/console/login" in r.headers["location"]
    csr = console_as("csr")
    assert csr.get(URL).status_code == 403
    assert URL not in re.findall(r'data-nav="([^"]+)"', csr.get("/console").text)
    token = csrf_from(csr.get("/console").text)
    r = csr.post(f"{URL}/{jobs['dead'].id}/retry", data={"csrf_token": token})
    assert r.status_code == 403


@pytest.fixture
def admin(console_as: Callable[..., TestClient]) -> TestClient:
    return console_as("admin")


def test_retrying_a_dead_job_queues_it_again(
    jobs: dict[str, Job], session: Session, admin: TestClient
) -> None:
    token = csrf_from(admin.get(URL).text)
    dead_id = jobs["dead"].id
    r = admin.post(
        f"{URL}/{dead_id}/retry",
        data={"csrf_token": token, "status": "dead", "kind": "billing.close_cycle", "page": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"{URL}?status=dead&kind=billing.close_cycle"
    session.expire_all()
    job = session.get(Job, dead_id)
    assert job is not None
    assert (job.status, job.attempts, job.finished_at, job.last_error is not None) == (
        PENDING,
        0,
        None,
        True,
    )

    # htmx: the filtered table comes back with a notice; a second retry is refused
    other = add_job(session, "sla.breach", DEAD, attempts=5, last_error="boom")
    r = admin.post(
        f"{URL}/{other.id}/retry",
        data={"csrf_token": token, "status": "dead"},
        headers={**HTMX, "Accept-Language": "en"},
    )
    assert r.status_code == 200
    assert "<html" not in r.text
    assert "sla.breach was queued for another attempt." in r.text
    assert rows(r.text) == []  # nothing is dead any more
    r = admin.post(
        f"{URL}/{other.id}/retry",
        data={"csrf_token": token},
        headers={**HTMX, "Accept-Language": "en"},
    )
    assert r.status_code == 409
    assert r.headers["x-console-fragment"] == "true"
    assert 'id="job-problem"' in r.text and "Only dead jobs can be retried" in r.text
    r = admin.post(f"{URL}/no-such-id/retry", data={"csrf_token": token}, headers=HTMX)
    assert (r.status_code, 'id="job-problem"' in r.text) == (404, True)
    assert (
        admin.post(f"{URL}/{other.id}/retry", data={"csrf_token": token, "size": "3"}).status_code
        == 400
    )


def test_retry_takes_only_jobs_and_needs_the_csrf_token(
    jobs: dict[str, Job], session: Session, database: Database, admin: TestClient
) -> None:
    with database.transaction() as s:
        ev = publish(s, "E", "item", {"id": "1"})
        ev.status = DEAD
    token = csrf_from(admin.get(URL).text)
    # the id of a dead event is not a job of this screen
    assert admin.post(f"{URL}/{ev.event_id}/retry", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"{URL}/{jobs['dead'].id}/retry", data={}).status_code == 403
    session.expire_all()
    job = session.get(Job, jobs["dead"].id)
    assert job is not None and job.status == DEAD
