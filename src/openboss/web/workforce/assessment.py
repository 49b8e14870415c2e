"""Console screens of construction assessment (施工考核), and the customer's
public rating page.

eTOM 1.4.2 workforce management (performance assessment of crews).

* ``/console/workforce/assessment`` (manager, dispatcher, partner — a partner
  sees its own company's runs and results): runs, a run's ranking table (each
  indicator's figure against its target), the assessor's component and
  publishing (manager), the appeals queue with accept / reject (manager).
* ``/rate/{token}`` (public, no login: the one-time token is the secret; NOT
  under ``/console``): the job's summary and a 1–5 star form, once; a used link
  answers 410 "already rated", an expired one 410 "expired". Chinese or English
  from ``?lang=`` or ``Accept-Language``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError, NotFound, ValidationFailed
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, redirect, render
from openboss.web.workforce.labels import KIND_LABELS
from openboss.workforce.assessment import indicators, rating, service
from openboss.workforce.assessment.schemas import (
    AppealDecision,
    AssessorScore,
    Period,
    RunCreate,
    RunScope,
)

router = APIRouter()
console = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])
public = APIRouter(include_in_schema=False, tags=["public"])

URL: Final = "/console/workforce/assessment"
READ_ROLES: Final[tuple[str, ...]] = ("manager", "dispatcher", "partner")
WRITE_ROLES: Final[tuple[str, ...]] = ("manager",)

nav.register(
    N_("Field work"),
    N_("Assessment"),
    URL,
    roles=READ_ROLES,
    icon="award",
    order=40,
)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]

INDICATOR_LABELS: Final[dict[str, str]] = {
    "onTimeArrival": N_("On-time arrival"),
    "onTimeCompletion": N_("On-time completion"),
    "firstTimeFix": N_("First-time fix"),
    "reworkRate": N_("Rework within 30 days"),
    "customerRating": N_("Customer rating"),
    "slaCompliance": N_("SLA compliance"),
}
STATE_LABELS: Final[dict[str, str]] = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "cancelled": N_("Cancelled"),
    "appealed": N_("Appealed"),
    "accepted": N_("Appeal accepted"),
    "rejected": N_("Appeal rejected"),
}
SUBJECT_LABELS: Final[dict[str, str]] = {
    "technician": N_("Technician"),
    "team": N_("Team"),
    "partner": N_("Partner company"),
}
SCOPE_LABELS: Final[dict[str, str]] = {
    "own": N_("Own crews"),
    "partner": N_("Partner company"),
    "all": N_("Everybody"),
}


def _labels() -> dict[str, Any]:
    return {
        "indicator_labels": INDICATOR_LABELS,
        "state_labels": STATE_LABELS,
        "subject_labels": SUBJECT_LABELS,
        "scope_labels": SCOPE_LABELS,
        "indicators": indicators.INDICATORS,
    }


def _runs_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "runs": service.list_runs(session, principal.scope),
        "templates": service.list_templates(session),
        "can_write": principal.has_role(*WRITE_ROLES),
        "error": error,
        **_labels(),
    }
    return render(
        request, "workforce/assessment/runs.html", context, status=status, principal=principal
    )


@console.get(URL, name="console_assessment_runs")
def runs(request: Request, principal: Reader, session: DbSession) -> Response:
    """Assessment runs (newest first) and, for managers, the form to compute one."""
    return _runs_page(request, session, principal)


@console.post(URL, name="console_create_assessment_run")
def create_run(
    request: Request,
    principal: Writer,
    session: DbSession,
    template: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "own",
    partner: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "technician",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        data = RunCreate(
            template=template,
            period=Period(start_date=date.fromisoformat(start), end_date=date.fromisoformat(end)),
            scope=RunScope(type=scope, partner_id=partner or None),
            subject_type=subject,
        )
        run = service.create_run(session, data, principal.name)
    except (AppError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, AppError) else str(exc).splitlines()[0]
        return _runs_page(request, session, principal, error=message, status=400)
    return redirect(request, f"{URL}/runs/{run.id}")


def _run_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    ident: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    run = service.get_run(session, principal.scope, ident)
    context: dict[str, Any] = {
        "run": run,
        "results": service.list_results(session, principal.scope, run.id),
        "codes": [i["indicator"] for i in run.template_snapshot["indicators"]],
        "can_write": principal.has_role(*WRITE_ROLES),
        "error": error,
        "done": request.query_params.get("done"),
        **_labels(),
    }
    return render(
        request, "workforce/assessment/run.html", context, status=status, principal=principal
    )


@console.get(URL + "/runs/{ident}", name="console_assessment_run")
def run_detail(request: Request, ident: str, principal: Reader, session: DbSession) -> Response:
    """A run's ranking: score per subject, each indicator's figure against its target."""
    return _run_page(request, session, principal, ident)


@console.post(URL + "/runs/{ident}/publish", name="console_publish_assessment_run")
def publish(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        service.publish_run(session, principal.scope, ident, principal.name)
    except AppError as exc:
        session.rollback()
        return _run_page(request, session, principal, ident, error=exc.message, status=exc.status)
    return redirect(request, f"{URL}/runs/{ident}?done=published")


@console.post(URL + "/results/{ident}/score", name="console_score_assessment_result")
def score(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    manual_score: Annotated[str, Form()] = "0",
    comment: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    result = service.get_result(session, principal.scope, ident)
    try:
        data = AssessorScore(manual_score=float(manual_score or 0), comment=comment or None)
        service.score_result(session, principal.scope, ident, data)
    except (AppError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, AppError) else str(exc).splitlines()[0]
        status = exc.status if isinstance(exc, AppError) else 400
        return _run_page(request, session, principal, result.run_id, error=message, status=status)
    return redirect(request, f"{URL}/runs/{result.run_id}?done=scored")


@console.get(URL + "/appeals", name="console_assessment_appeals")
def appeals(request: Request, principal: Reader, session: DbSession) -> Response:
    """Results under appeal (and decided ones), for the manager's decision."""
    context: dict[str, Any] = {
        "pending": service.list_results(session, principal.scope, states=("appealed",)),
        "decided": service.list_results(session, principal.scope, states=("accepted", "rejected")),
        "can_write": principal.has_role(*WRITE_ROLES),
        "error": request.query_params.get("error"),
        "done": request.query_params.get("done"),
        **_labels(),
    }
    return render(request, "workforce/assessment/appeals.html", context, principal=principal)


@console.post(URL + "/results/{ident}/decision", name="console_decide_assessment_appeal")
def decide(
    request: Request,
    ident: str,
    principal: Writer,
    session: DbSession,
    decision: Annotated[str, Form()] = "",
    adjusted_score: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    service.get_result(session, principal.scope, ident)
    try:
        data = AppealDecision(
            decision=decision,
            adjusted_score=float(adjusted_score) if adjusted_score.strip() else None,
            reason=reason or None,
        )
        service.decide(session, principal.scope, ident, data, principal.name)
    except (AppError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, AppError) else str(exc).splitlines()[0]
        context: dict[str, Any] = {
            "pending": service.list_results(session, principal.scope, states=("appealed",)),
            "decided": [],
            "can_write": True,
            "error": message,
            "done": None,
            **_labels(),
        }
        status = exc.status if isinstance(exc, AppError) else 400
        return render(
            request,
            "workforce/assessment/appeals.html",
            context,
            status=status,
            principal=principal,
        )
    return redirect(request, f"{URL}/appeals?done=decided")


# --------------------------------------------------------------------------- public rating


def _rating_page(
    request: Request, *, status: int = 200, state: str = "open", **values: Any
) -> Response:
    return render(
        request,
        "workforce/assessment/rate.html",
        {"state": state, "kind_labels": KIND_LABELS, "error": False, "comment": "", **values},
        status=status,
    )


def _closed(request: Request, exc: AppError) -> Response:
    if isinstance(exc, NotFound):
        return _rating_page(request, status=404, state="unknown")
    state = "expired" if exc.code == "EXPIRED" else "used"
    return _rating_page(request, status=exc.status, state=state)


@public.get(rating.RATE_PATH + "/{token}", name="rate_job")
def rate_page(request: Request, token: str, session: DbSession) -> Response:
    """The job's summary and the star form (no login: the token is the secret)."""
    try:
        job = rating.lookup(session, token)
    except AppError as exc:
        return _closed(request, exc)
    return _rating_page(request, job=job, token=token)


@public.post(rating.RATE_PATH + "/{token}", name="submit_job_rating")
def rate_submit(
    request: Request,
    token: str,
    session: DbSession,
    stars: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Record the rating once; a second use or an expired link: 410."""
    try:
        job = rating.lookup(session, token)
        value = int(stars) if stars.strip().isdigit() else 0
        if not 1 <= value <= 5:
            return _rating_page(
                request, status=400, job=job, token=token, error=True, comment=comment
            )
        rating.rate(session, token, value, comment)
    except ValidationFailed:
        session.rollback()
        job = rating.lookup(session, token)
        return _rating_page(request, status=400, job=job, token=token, error=True, comment=comment)
    except AppError as exc:
        session.rollback()
        return _closed(request, exc)
    return _rating_page(request, state="thanks")


router.include_router(console)
router.include_router(public)
