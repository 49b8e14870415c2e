"""Templates, assessment runs, assessor scoring, publishing, appeals and
partner isolation through the API (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.events.models import OutboxEvent
from openboss.workforce.assessment import service
from openboss.workforce.assessment.models import AssessmentResult

Headers = Callable[..., dict[str, str]]
API = "/api/workforce/v1"
MARCH = {"startDate": "2026-03-01", "endDate": "2026-03-31"}
TEMPLATE = {
    "id": "arrivalAndRating",
    "name": "Arrival and rating",
    "scenario": "homeInstall",
    "indicators": [
        {"indicator": "onTimeArrival", "weight": 50, "target": 1.0},
        {"indicator": "customerRating", "weight": 50, "target": 5},
    ],
}


def _template(client: TestClient, h: dict[str, str]) -> None:
    r = client.post(f"{API}/assessmentTemplate", json=TEMPLATE, headers=h)
    assert r.status_code == 201, r.text


def _run(client: TestClient, h: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {"template": TEMPLATE["id"], "period": MARCH, **extra}
    r = client.post(f"{API}/assessmentRuns", json=body, headers=h)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_seed_templates_is_idempotent(session: Session) -> None:
    assert service.seed_templates(session) == 3
    assert service.seed_templates(session) == 0
    for t in service.list_templates(session):
        assert sum(i["weight"] for i in t.indicators) == 100


def test_template_validation(client: TestClient, auth_headers: Headers, session: Session) -> None:
    h = auth_headers("manager")
    bad = {**TEMPLATE, "indicators": [{"indicator": "onTimeArrival", "weight": 90}]}
    r = client.post(f"{API}/assessmentTemplate", json=bad, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "indicators" and "100" in r.text
    unknown = {**TEMPLATE, "indicators": [{"indicator": "speed", "weight": 100}]}
    r = client.post(f"{API}/assessmentTemplate", json=unknown, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "indicators[0].indicator"
    twice = {
        **TEMPLATE,
        "indicators": [{"indicator": "firstTimeFix", "weight": 50}] * 2,
    }
    assert client.post(f"{API}/assessmentTemplate", json=twice, headers=h).status_code == 400
    ratio = {**TEMPLATE, "indicators": [{"indicator": "firstTimeFix", "weight": 100, "target": 90}]}
    r = client.post(f"{API}/assessmentTemplate", json=ratio, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "indicators[0].target"
    bad_kind = {**TEMPLATE, "kinds": ["gardening"]}
    r = client.post(f"{API}/assessmentTemplate", json=bad_kind, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "kinds[0]"
    assert client.get(f"{API}/assessmentTemplate", headers=h).json() == []  # nothing written
    _template(client, h)
    assert client.post(f"{API}/assessmentTemplate", json=TEMPLATE, headers=h).status_code == 409
    r = client.patch(
        f"{API}/assessmentTemplate/{TEMPLATE['id']}",
        json={"indicators": [{"indicator": "slaCompliance", "weight": 99}]},
        headers=h,
    )
    assert r.status_code == 400 and r.json()["field"] == "indicators"
    r = client.patch(
        f"{API}/assessmentTemplate/{TEMPLATE['id']}", json={"name": "Renamed"}, headers=h
    )
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    assert client.get(f"{API}/assessmentTemplate/nope", headers=h).status_code == 404
    assert (
        client.post(f"{API}/assessmentTemplate", json=TEMPLATE, headers=auth_headers("dispatcher"))
    ).status_code == 403


def test_run_scores_publish_and_appeal(
    client: TestClient, auth_headers: Headers, session: Session, march: dict[str, Any]
) -> None:
    manager = auth_headers("manager")
    _template(client, manager)
    run = _run(client, manager)
    assert run["state"] == "draft" and run["subjectType"] == "technician"
    by_subject = {r["subject"]["id"]: r for r in run["result"]}
    a, b = by_subject[march["A"]], by_subject[march["B"]]
    # A: arrival 1/2 vs 1.0 -> 50; rating 4.0 vs 5 -> 80; (50 + 80) / 2 = 65
    assert a["figures"]["onTimeArrival"] == {
        "numerator": 1,
        "denominator": 2,
        "value": 0.5,
        "target": 1.0,
        "weight": 50,
        "score": 50.0,
    }
    assert a["figures"]["customerRating"]["value"] == 4.0
    assert a["computedScore"] == 65.0
    # B: arrival 1/1 -> 100; no rating: the weight is left out -> 100
    assert b["figures"]["customerRating"]["score"] is None
    assert b["computedScore"] == 100.0
    assert (b["rank"], a["rank"]) == (1, 2)
    # the partner's technician is not in an own-crews run
    assert march["P"] not in by_subject

    # assessor's component on a draft result
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/score",
        json={"manualScore": 5, "comment": "helped on a storm weekend"},
        headers=manager,
    )
    assert r.status_code == 200 and r.json()["finalScore"] == 70.0
    bad = client.post(
        f"{API}/assessmentResult/{a['id']}/score", json={"manualScore": 50}, headers=manager
    )
    assert bad.status_code == 400
    # appeals only after publishing
    tech = auth_headers("technician", name="tech1")
    r = client.post(f"{API}/assessmentResult/{a['id']}/appeal", json={"reason": "x"}, headers=tech)
    assert r.status_code == 409

    r = client.post(f"{API}/assessmentRuns/{run['id']}/publish", headers=manager)
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert {x["state"] for x in r.json()["result"]} == {"published"}
    events = session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_type == "AssessmentResultPublishedEvent")
    ).all()
    assert len(events) == 2
    assert (
        client.post(f"{API}/assessmentRuns/{run['id']}/publish", headers=manager).status_code == 409
    )
    assert (
        client.post(f"{API}/assessmentRuns/{run['id']}/cancel", headers=manager).status_code == 409
    )
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/score", json={"manualScore": 1}, headers=manager
    )
    assert r.status_code == 409

    # tech1 is A (own_tech's username): may appeal A's result, not B's
    r = client.post(f"{API}/assessmentResult/{b['id']}/appeal", json={"reason": "no"}, headers=tech)
    assert r.status_code == 403
    assert (
        client.post(
            f"{API}/assessmentResult/{a['id']}/appeal", json={"reason": ""}, headers=tech
        ).status_code
        == 400
    )
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/appeal",
        json={"reason": "o2 was late because the customer moved the appointment"},
        headers=tech,
    )
    assert r.status_code == 200 and r.json()["state"] == "appealed"
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/appeal", json={"reason": "again"}, headers=tech
    )
    assert r.status_code == 409

    # the manager decides: accepting needs the adjusted score
    decision = f"{API}/assessmentResult/{a['id']}/decision"
    assert client.post(decision, json={"decision": "accept"}, headers=manager).status_code == 400
    assert (
        client.post(
            decision, json={"decision": "accept", "adjustedScore": 80}, headers=tech
        ).status_code
        == 403
    )
    r = client.post(
        decision,
        json={"decision": "accept", "adjustedScore": 82.5, "reason": "confirmed"},
        headers=manager,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "accepted" and r.json()["finalScore"] == 82.5
    assert (
        client.post(
            decision, json={"decision": "reject", "reason": "no"}, headers=manager
        ).status_code
        == 409
    )
    audited = session.scalars(
        select(AuditLog).where(
            AuditLog.entity_type == "assessment_result", AuditLog.entity_id == a["id"]
        )
    ).all()
    assert any((rec.after or {}).get("final_score") == 82.5 for rec in audited)


def test_appeal_period_and_rejection(
    client: TestClient, auth_headers: Headers, session: Session, march: dict[str, Any]
) -> None:
    manager = auth_headers("manager")
    _template(client, manager)
    run = _run(client, manager)
    client.post(f"{API}/assessmentRuns/{run['id']}/publish", headers=manager)
    a = next(r for r in run["result"] if r["subject"]["id"] == march["A"])
    tech = auth_headers("technician", name="tech1")
    row = session.get(AssessmentResult, a["id"])
    assert row is not None and row.published_at is not None
    row.published_at -= timedelta(days=service.APPEAL_DAYS + 1)
    session.commit()
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/appeal", json={"reason": "late"}, headers=tech
    )
    assert r.status_code == 409 and "appeal period" in r.text
    row.published_at += timedelta(days=2)
    session.commit()
    r = client.post(
        f"{API}/assessmentResult/{a['id']}/appeal", json={"reason": "late"}, headers=tech
    )
    assert r.status_code == 200
    decision = f"{API}/assessmentResult/{a['id']}/decision"
    assert client.post(decision, json={"decision": "reject"}, headers=manager).status_code == 400
    r = client.post(
        decision, json={"decision": "reject", "reason": "the data are right"}, headers=manager
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert r.json()["finalScore"] == a["finalScore"]


def test_run_validation(client: TestClient, auth_headers: Headers, march: dict[str, Any]) -> None:
    h = auth_headers("manager")
    _template(client, h)
    runs = f"{API}/assessmentRuns"

    def post(**body: Any) -> Any:
        return client.post(
            runs, json={"template": TEMPLATE["id"], "period": MARCH, **body}, headers=h
        )

    r = post(template="nope")
    assert r.status_code == 400 and r.json()["field"] == "template"
    r = post(period={"startDate": "2026-03-31", "endDate": "2026-03-01"})
    assert r.status_code == 400 and r.json()["field"] == "period.endDate"
    r = post(scope={"type": "partner"})
    assert r.status_code == 400 and r.json()["field"] == "scope.partnerId"
    r = post(scope={"type": "partner", "partnerId": "PARTNER-9"})
    assert r.status_code == 400 and r.json()["field"] == "scope.partnerId"
    r = post(subjectType="planet")
    assert r.status_code == 400
    assert client.get(runs, headers=h).json() == []
    assert client.get(f"{runs}/nope", headers=h).status_code == 404
    run = _run(client, h)
    assert client.post(f"{runs}/{run['id']}/cancel", headers=h).json()["state"] == "cancelled"
    assert client.post(f"{runs}/{run['id']}/publish", headers=h).status_code == 409


def test_partner_sees_only_its_company(
    client: TestClient, auth_headers: Headers, march: dict[str, Any]
) -> None:
    manager = auth_headers("manager")
    _template(client, manager)
    p1_run = _run(client, manager, scope={"type": "partner", "partnerId": "PARTNER-1"})
    assert [r["subject"]["id"] for r in p1_run["result"]] == [march["P"]]
    everybody = _run(client, manager, scope={"type": "all"})
    assert {r["subject"]["id"] for r in everybody["result"]} == {march["A"], march["B"], march["P"]}
    own = _run(client, manager)
    p1 = auth_headers("partner", partner_id="PARTNER-1")
    p2 = auth_headers("partner", partner_id="PARTNER-2")
    assert [r["id"] for r in client.get(f"{API}/assessmentRuns", headers=p1).json()] == [
        p1_run["id"]
    ]
    assert client.get(f"{API}/assessmentRuns", headers=p2).json() == []
    assert client.get(f"{API}/assessmentRuns/{p1_run['id']}", headers=p2).status_code == 404
    assert client.get(f"{API}/assessmentRuns/{own['id']}", headers=p1).status_code == 404
    listed = client.get(f"{API}/assessmentResult", params={"runId": everybody["id"]}, headers=p1)
    assert [r["subject"]["id"] for r in listed.json()] == [march["P"]]
    others = [r for r in everybody["result"] if r["subject"]["id"] != march["P"]]
    for r in others:
        assert client.get(f"{API}/assessmentResult/{r['id']}", headers=p1).status_code == 404
    # the partner appeals its own technician's published result, not others'
    client.post(f"{API}/assessmentRuns/{everybody['id']}/publish", headers=manager)
    mine = next(r for r in everybody["result"] if r["subject"]["id"] == march["P"])
    r = client.post(
        f"{API}/assessmentResult/{others[0]['id']}/appeal", json={"reason": "x"}, headers=p1
    )
    assert r.status_code == 404
    r = client.post(f"{API}/assessmentResult/{mine['id']}/appeal", json={"reason": "x"}, headers=p2)
    assert r.status_code == 404
    r = client.post(
        f"{API}/assessmentResult/{mine['id']}/appeal", json={"reason": "SLA paused"}, headers=p1
    )
    assert r.status_code == 200 and r.json()["appeal"]["by"] == "tester"
    # partner companies as subjects
    companies = _run(client, manager, scope={"type": "all"}, subjectType="partner")
    assert {r["subject"]["id"] for r in companies["result"]} == {"own", "PARTNER-1"}
