"""Console screens of assessment (TestClient): runs, ranking, assessor score,
publishing, the appeals queue, roles and partner isolation; zh-CN and en."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.auth.deps import SESSION_COOKIE
from openboss.kit.scope import SYSTEM_SCOPE
from openboss.workforce.assessment import service
from openboss.workforce.assessment.models import AssessmentResult, AssessmentRun
from tests.conftest import token_for

UI = "/console/workforce/assessment"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match
    return match.group(1)


def _as(client: TestClient, roles: str, **kw: Any) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))
    return client


def _result(session: Session, subject: str) -> str:
    return session.scalars(
        select(AssessmentResult.id).where(AssessmentResult.subject_id == subject)
    ).one()


def test_manager_computes_scores_and_publishes(
    client: TestClient, session: Session, march: dict[str, Any]
) -> None:
    service.seed_templates(session)
    session.commit()
    c = _as(client, "manager", name="boss")
    page = c.get(UI + "?lang=en")
    assert page.status_code == 200 and "Compute an assessment" in page.text
    token = _csrf(page.text)
    bad = c.post(
        UI,
        data={
            "csrf_token": token,
            "template": "homeInstall",
            "start": "2026-03-31",
            "end": "2026-03-01",
        },
    )
    assert bad.status_code == 400 and "ends before it starts" in bad.text
    r = c.post(
        UI,
        data={
            "csrf_token": token,
            "template": "homeInstall",
            "start": "2026-03-01",
            "end": "2026-03-31",
            "scope": "own",
            "subject": "technician",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    run_url = r.headers["location"]
    detail = c.get(run_url + "?lang=en")
    assert detail.status_code == 200
    assert "On-time arrival" in detail.text and "Tech E001" in detail.text
    assert 'id="ranking"' in detail.text and "Publish the results" in detail.text
    zh = c.get(run_url + "?lang=zh-CN")
    assert zh.status_code == 200 and zh.headers["Content-Language"] == "zh-CN"
    result = session.scalars(
        select(AssessmentResult).where(AssessmentResult.subject_id == march["A"])
    ).one()
    token = _csrf(detail.text)
    r = c.post(
        f"{UI}/results/{result.id}/score",
        data={"csrf_token": token, "manual_score": "3", "comment": "extra shift"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = c.post(f"{UI}/results/{result.id}/score", data={"csrf_token": token, "manual_score": "99"})
    assert r.status_code == 400
    run_id = run_url.rsplit("/", 1)[-1]
    r = c.post(f"{UI}/runs/{run_id}/publish", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    assert session.get(AssessmentRun, run_id).state == "published"  # type: ignore[union-attr]
    again = c.post(f"{UI}/runs/{run_id}/publish", data={"csrf_token": token})
    assert again.status_code == 409
    # without the CSRF token nothing happens
    assert c.post(f"{UI}/results/{result.id}/score", data={"manual_score": "1"}).status_code == 403


def test_appeals_queue_and_decision(
    client: TestClient, session: Session, march: dict[str, Any]
) -> None:
    service.seed_templates(session)
    from openboss.workforce.assessment.schemas import Period, RunCreate

    run = service.create_run(
        session,
        RunCreate(
            template="homeInstall", period=Period(start_date="2026-03-01", end_date="2026-03-31")
        ),  # type: ignore[arg-type]
        "boss",
    )
    service.publish_run(session, SYSTEM_SCOPE, run.id, "boss")
    session.commit()
    result = session.scalars(
        select(AssessmentResult).where(AssessmentResult.subject_id == march["A"])
    ).one()
    service.appeal(
        session, SYSTEM_SCOPE, result.id, "late customer", service.Appellant("tech1", march["A"])
    )
    session.commit()
    c = _as(client, "manager", name="boss")
    page = c.get(f"{UI}/appeals?lang=en")
    assert page.status_code == 200 and "late customer" in page.text
    token = _csrf(page.text)
    r = c.post(
        f"{UI}/results/{result.id}/decision", data={"csrf_token": token, "decision": "accept"}
    )
    assert r.status_code == 400 and "adjusted score" in r.text
    r = c.post(
        f"{UI}/results/{result.id}/decision",
        data={"csrf_token": token, "decision": "accept", "adjusted_score": "90"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.expire_all()
    row = session.get(AssessmentResult, result.id)
    assert row is not None and (row.state, row.final_score) == ("accepted", 90.0)
    # a dispatcher sees the queue without the decision form; a technician not at all
    service.appeal(
        session,
        SYSTEM_SCOPE,
        _result(session, march["B"]),
        "me too",
        service.Appellant("x", march["B"]),
    )
    session.commit()
    d = _as(client, "dispatcher").get(f"{UI}/appeals?lang=en")
    assert d.status_code == 200 and "me too" in d.text and "/decision" not in d.text
    assert _as(client, "technician").get(UI, follow_redirects=False).status_code == 403


def test_partner_sees_only_its_runs(
    client: TestClient, session: Session, march: dict[str, Any]
) -> None:
    service.seed_templates(session)
    from openboss.workforce.assessment.schemas import Period, RunCreate, RunScope

    period = Period(start_date="2026-03-01", end_date="2026-03-31")  # type: ignore[arg-type]
    own = service.create_run(session, RunCreate(template="homeInstall", period=period), "boss")
    mine = service.create_run(
        session,
        RunCreate(
            template="homeInstall",
            period=period,
            scope=RunScope(type="partner", partner_id="PARTNER-1"),
        ),
        "boss",
    )
    session.commit()
    p1 = _as(client, "partner", partner_id="PARTNER-1")
    page = p1.get(UI + "?lang=en")
    assert page.status_code == 200
    assert mine.id in page.text and own.id not in page.text
    assert "Compute an assessment" not in page.text
    assert p1.get(f"{UI}/runs/{own.id}").status_code == 404
    detail = p1.get(f"{UI}/runs/{mine.id}?lang=en")
    assert (
        detail.status_code == 200 and "Tech P1-001" in detail.text and "Publish" not in detail.text
    )
