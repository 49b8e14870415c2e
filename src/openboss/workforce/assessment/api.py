"""HTTP API of construction assessment (``/api/workforce/v1``).

eTOM 1.4.2 workforce management (performance assessment of crews).

* ``assessmentTemplate``: list, retrieve (every reader); create, update
  (admin, manager; weights must sum to 100 → 400 naming ``indicators``).
* ``assessmentRun``: create (compute; admin, manager), list, retrieve with its
  results (a partner sees its own company's runs and results only), publish,
  cancel (admin, manager).
* ``assessmentResult``: list (``runId``, ``state``), retrieve; assessor score
  (manager, draft only); appeal (the assessed technician or a user of the
  subject's partner company); decision (manager).
* ``ratingInvitation/{token}``: the customer's rating by the one-time link
  (public; the token is the secret). The console page is ``/rate/{token}``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.kit.tmf.schemas import ResourceId
from openboss.workforce.assessment import rating, service
from openboss.workforce.assessment.schemas import (
    AppealCreate,
    AppealDecision,
    AssessorScore,
    RatingSubmit,
    RunCreate,
    TemplateCreate,
    TemplateUpdate,
)
from openboss.workforce.repository import technician_by_username

BASE = "/api/workforce/v1"
READ_ROLES = ("admin", "manager", "dispatcher", "partner", "technician")
WRITE_ROLES = ("admin", "manager")
APPEAL_ROLES = ("technician", "partner")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad Request (naming the field)"},
    401: {"description": "Unauthorized"},
    403: {"description": "Forbidden"},
    404: {"description": "Not Found (or outside the caller's scope)"},
    409: {"description": "Conflict (illegal state move, appeal period ended)"},
    410: {"description": "Gone (rating link used or expired)"},
}
TAGS: list[str | Enum] = ["workforce assessment"]

router = APIRouter(responses=_ERRORS)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Appealer = Annotated[Principal, Depends(require_roles(*APPEAL_ROLES))]


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


# --------------------------------------------------------------------------- templates


@router.get(f"{BASE}/assessmentTemplate", name="list_assessment_templates", tags=TAGS)
def list_templates(session: ReadSession, principal: Reader) -> JSONResponse:
    return _json([service.template_view(t) for t in service.list_templates(session)])


@router.get(f"{BASE}/assessmentTemplate/{{id}}", name="retrieve_assessment_template", tags=TAGS)
def retrieve_template(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    return _json(service.template_view(service.get_template(session, id)))


@router.post(
    f"{BASE}/assessmentTemplate", name="create_assessment_template", status_code=201, tags=TAGS
)
def create_template(body: TemplateCreate, session: DbSession, principal: Writer) -> JSONResponse:
    """A template: indicators with weights summing to 100 and targets."""
    return _json(service.template_view(service.create_template(session, body)), 201)


@router.patch(f"{BASE}/assessmentTemplate/{{id}}", name="update_assessment_template", tags=TAGS)
def update_template(
    id: ResourceId, body: TemplateUpdate, session: DbSession, principal: Writer
) -> JSONResponse:
    return _json(service.template_view(service.update_template(session, id, body)))


# --------------------------------------------------------------------------- runs


def _run_body(session: Any, principal: Principal, run_id: str) -> dict[str, Any]:
    run = service.get_run(session, principal.scope, run_id)
    return {
        **service.run_view(run),
        "result": [
            service.result_view(r) for r in service.list_results(session, principal.scope, run.id)
        ],
    }


@router.post(f"{BASE}/assessmentRuns", name="create_assessment_run", status_code=201, tags=TAGS)
def create_run(body: RunCreate, session: DbSession, principal: Writer) -> JSONResponse:
    """Compute scores per subject for a template, period and scope (draft)."""
    run = service.create_run(session, body, principal.name)
    return _json(_run_body(session, principal, run.id), 201)


@router.get(f"{BASE}/assessmentRuns", name="list_assessment_runs", tags=TAGS)
def list_runs(session: ReadSession, principal: Reader) -> JSONResponse:
    return _json([service.run_view(r) for r in service.list_runs(session, principal.scope)])


@router.get(f"{BASE}/assessmentRuns/{{id}}", name="retrieve_assessment_run", tags=TAGS)
def retrieve_run(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    return _json(_run_body(session, principal, id))


@router.post(f"{BASE}/assessmentRuns/{{id}}/publish", name="publish_assessment_run", tags=TAGS)
def publish_run(id: ResourceId, session: DbSession, principal: Writer) -> JSONResponse:
    """Publish every result of a draft run (one event per subject)."""
    service.publish_run(session, principal.scope, id, principal.name)
    return _json(_run_body(session, principal, id))


@router.post(f"{BASE}/assessmentRuns/{{id}}/cancel", name="cancel_assessment_run", tags=TAGS)
def cancel_run(id: ResourceId, session: DbSession, principal: Writer) -> JSONResponse:
    return _json(service.run_view(service.cancel_run(session, principal.scope, id)))


# --------------------------------------------------------------------------- results


@router.get(f"{BASE}/assessmentResult", name="list_assessment_results", tags=TAGS)
def list_results(
    session: ReadSession,
    principal: Reader,
    run_id: Annotated[str | None, Query(alias="runId", max_length=36)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> JSONResponse:
    rows = service.list_results(session, principal.scope, run_id, states=(state,) if state else ())
    return _json([service.result_view(r) for r in rows])


@router.get(f"{BASE}/assessmentResult/{{id}}", name="retrieve_assessment_result", tags=TAGS)
def retrieve_result(id: ResourceId, session: ReadSession, principal: Reader) -> JSONResponse:
    return _json(service.result_view(service.get_result(session, principal.scope, id)))


@router.post(f"{BASE}/assessmentResult/{{id}}/score", name="score_assessment_result", tags=TAGS)
def score_result(
    id: ResourceId, body: AssessorScore, session: DbSession, principal: Writer
) -> JSONResponse:
    """The assessor's manual component (−20 … +20) and comment, before publishing."""
    return _json(service.result_view(service.score_result(session, principal.scope, id, body)))


def appellant(session: Any, principal: Principal) -> service.Appellant:
    tech = technician_by_username(session, principal.name) if principal.kind == "user" else None
    return service.Appellant(
        name=principal.name,
        technician_id=tech.id if tech is not None else None,
        partner_user="partner" in principal.roles and principal.partner_id is not None,
    )


@router.post(f"{BASE}/assessmentResult/{{id}}/appeal", name="appeal_assessment_result", tags=TAGS)
def appeal(
    id: ResourceId, body: AppealCreate, session: DbSession, principal: Appealer
) -> JSONResponse:
    """The assessed subject appeals within the appeal period."""
    result = service.appeal(
        session, principal.scope, id, body.reason, appellant(session, principal)
    )
    return _json(service.result_view(result))


@router.post(f"{BASE}/assessmentResult/{{id}}/decision", name="decide_assessment_appeal", tags=TAGS)
def decide(
    id: ResourceId, body: AppealDecision, session: DbSession, principal: Writer
) -> JSONResponse:
    """Accept (with ``adjustedScore``) or reject (with ``reason``) an appeal."""
    result = service.decide(session, principal.scope, id, body, principal.name)
    return _json(service.result_view(result))


# --------------------------------------------------------------------------- rating


@router.post(f"{BASE}/ratingInvitation/{{token}}", name="submit_rating", tags=TAGS)
def submit_rating(token: str, body: RatingSubmit, session: DbSession) -> JSONResponse:
    """The customer's rating by the one-time link (public: the token is the secret)."""
    row = rating.rate(session, token, body.stars, body.comment)
    return _json(
        {"workOrderId": row.work_order_id, "stars": row.stars, "ratedAt": str(row.rated_at)}
    )
