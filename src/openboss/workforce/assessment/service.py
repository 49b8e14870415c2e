"""Use cases of construction assessment (施工考核): templates, runs, assessor
scoring, publishing and appeals.

eTOM 1.4.2 workforce management (performance assessment of own and partner
crews) / 1.5.4 resource performance management applied to field work.

* A *template* lists indicators (:mod:`.indicators`) with weights summing to
  100 and targets; three are seeded (:func:`seed_templates`, idempotent).
* A *run* computes, for a period and a scope (own crews, one partner company,
  everybody), one result per subject (technician, team or partner company):
  each indicator scored 0–100 against its target, weighted (indicators without
  data for the subject are left out and the remaining weights renormalised),
  with the raw figures kept.
* The assessor (manager) may add a manual component (−20 … +20 points) and a
  comment to a draft result, then publishes the run: every result is
  published, ranked, and an ``AssessmentResultPublishedEvent`` is written per
  subject (outbox, with the subject's partner id).
* The subject (the technician linked to the user, or a user of the subject's
  partner company) may appeal within :data:`APPEAL_DAYS` days; a manager
  accepts (adjusted score, audited) or rejects (reason).

States (409 on any other move)::

    run:     draft ──► published | cancelled
    result:  draft ──► published ──► appealed ──► accepted | rejected
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, apply_scope, check_in_scope
from openboss.kit.statemachine import StateMachine
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.workforce.assessment import indicators as ind
from openboss.workforce.assessment.models import (
    AssessmentResult,
    AssessmentRun,
    AssessmentTemplate,
)
from openboss.workforce.assessment.schemas import (
    AppealDecision,
    AssessorScore,
    RunCreate,
    TemplateCreate,
    TemplateIndicator,
    TemplateUpdate,
)
from openboss.workforce.kinds import KINDS
from openboss.workforce.models import PartnerCompany

API: Final = "/api/workforce/v1"
RESULT_NAME: Final = "assessmentResult"
PUBLISHED_EVENT: Final = "AssessmentResultPublishedEvent"
APPEAL_EVENT: Final = "AssessmentResultAppealEvent"
DECIDED_EVENT: Final = "AssessmentResultAppealDecisionEvent"
#: Days after publishing in which a subject may appeal.
APPEAL_DAYS: Final = 7
MAX_PERIOD_DAYS: Final = 366

RUN: Final = StateMachine(
    "assessmentRun",
    {"draft": ["published", "cancelled"], "published": [], "cancelled": []},
    initial="draft",
)
RESULT: Final = StateMachine(
    "assessmentResult",
    {
        "draft": ["published"],
        "published": ["appealed"],
        "appealed": ["accepted", "rejected"],
        "accepted": [],
        "rejected": [],
    },
    initial="draft",
)


def _now() -> datetime:
    return truncate_datetime(utcnow())


# --------------------------------------------------------------------------- templates

#: The seeded templates per scenario: (id, name, scenario, kinds, [(indicator, weight, target)]).
DEFAULT_TEMPLATES: Final[tuple[tuple[str, str, str, tuple[str, ...], tuple[Any, ...]], ...]] = (
    (
        "homeInstall",
        "Home installation",
        "homeInstall",
        ("installation",),
        (
            ("onTimeArrival", 20, 0.95),
            ("onTimeCompletion", 20, 0.95),
            ("firstTimeFix", 15, 0.9),
            ("reworkRate", 15, 0.05),
            ("customerRating", 20, 4.5),
            ("slaCompliance", 10, 0.95),
        ),
    ),
    (
        "repair",
        "Repair",
        "repair",
        ("repair",),
        (
            ("onTimeArrival", 20, 0.9),
            ("firstTimeFix", 25, 0.85),
            ("reworkRate", 20, 0.08),
            ("customerRating", 15, 4.5),
            ("slaCompliance", 20, 0.95),
        ),
    ),
    (
        "enterprise",
        "Enterprise (leased line)",
        "enterprise",
        ("survey", "installation", "completionAcceptance", "repair"),
        (
            ("onTimeCompletion", 25, 0.98),
            ("firstTimeFix", 15, 0.9),
            ("customerRating", 20, 4.6),
            ("slaCompliance", 40, 0.99),
        ),
    ),
)


def seed_templates(session: Session) -> int:
    """Create the default templates that do not exist yet; returns how many were made."""
    made = 0
    now = _now()
    for ident, name, scenario, kinds, items in DEFAULT_TEMPLATES:
        if session.get(AssessmentTemplate, ident) is not None:
            continue
        session.add(
            AssessmentTemplate(
                id=ident,
                name=name,
                scenario=scenario,
                kinds=list(kinds),
                indicators=[{"indicator": i, "weight": w, "target": t} for i, w, t in items],
                status="active",
                created_at=now,
                updated_at=now,
            )
        )
        made += 1
    session.flush()
    return made


def _check_indicators(items: list[TemplateIndicator]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        if item.indicator not in ind.INDICATORS:
            raise ValidationFailed(
                f"unknown indicator '{item.indicator}'; expected one of: "
                + ", ".join(ind.INDICATORS),
                field=f"indicators[{i}].indicator",
            )
        if item.indicator in seen:
            raise ValidationFailed(
                f"indicator '{item.indicator}' is listed twice", field=f"indicators[{i}].indicator"
            )
        seen.add(item.indicator)
        definition = ind.INDICATORS[item.indicator]
        target = definition.default_target if item.target is None else item.target
        if definition.unit == "ratio" and target > 1:
            raise ValidationFailed(
                f"the target of '{item.indicator}' is a ratio between 0 and 1",
                field=f"indicators[{i}].target",
            )
        if definition.unit == "stars" and not 1 <= target <= 5:
            raise ValidationFailed(
                f"the target of '{item.indicator}' is 1 to 5 stars",
                field=f"indicators[{i}].target",
            )
        out.append({"indicator": item.indicator, "weight": item.weight, "target": target})
    total = sum(i["weight"] for i in out)
    if abs(total - 100) > 1e-6:
        raise ValidationFailed(
            f"the weights of the indicators must sum to 100, not {total:g}", field="indicators"
        )
    return out


def _check_kinds(kinds: list[str]) -> list[str]:
    for i, kind in enumerate(kinds):
        if kind not in KINDS:
            raise ValidationFailed(
                f"unknown work-order kind '{kind}'; expected one of: {', '.join(KINDS)}",
                field=f"kinds[{i}]",
            )
    return sorted(set(kinds))


def template_view(t: AssessmentTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "scenario": t.scenario,
        "kinds": t.kinds,
        "indicators": [
            {
                **i,
                "higherIsBetter": ind.INDICATORS[i["indicator"]].higher_better,
                "formula": ind.INDICATORS[i["indicator"]].formula,
            }
            for i in t.indicators
        ],
        "status": t.status,
        "lastUpdate": t.updated_at.isoformat(),
    }


def list_templates(session: Session) -> list[AssessmentTemplate]:
    return list(session.scalars(select(AssessmentTemplate).order_by(AssessmentTemplate.id)))


def get_template(session: Session, ident: str) -> AssessmentTemplate:
    row = session.get(AssessmentTemplate, ident)
    if row is None:
        raise NotFound(f"assessmentTemplate '{ident}' not found")
    return row


def create_template(session: Session, data: TemplateCreate) -> AssessmentTemplate:
    if session.get(AssessmentTemplate, data.id) is not None:
        raise Conflict(f"assessmentTemplate '{data.id}' exists already", field="id")
    now = _now()
    row = AssessmentTemplate(
        id=data.id,
        name=data.name,
        scenario=data.scenario,
        kinds=_check_kinds(data.kinds),
        indicators=_check_indicators(data.indicators),
        status=data.status,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def update_template(session: Session, ident: str, data: TemplateUpdate) -> AssessmentTemplate:
    row = get_template(session, ident)
    if data.indicators is not None:
        row.indicators = _check_indicators(data.indicators)
    if data.kinds is not None:
        row.kinds = _check_kinds(data.kinds)
    if data.name is not None:
        row.name = data.name
    if data.status is not None:
        row.status = data.status
    row.updated_at = _now()
    session.flush()
    return row


# --------------------------------------------------------------------------- runs


def _day_start(day: date) -> datetime:
    """Periods are whole days of the crews' local time (Asia/Shanghai, UTC+8)."""
    return datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=8)


def _final(computed: float, manual: float | None) -> float:
    return round(max(0.0, min(100.0, computed + (manual or 0.0))), 2)


def create_run(session: Session, data: RunCreate, actor: str) -> AssessmentRun:
    """Compute a template over a period and scope: one draft result per subject."""
    template = session.get(AssessmentTemplate, data.template)
    if template is None:
        raise ValidationFailed(f"unknown assessmentTemplate '{data.template}'", field="template")
    if template.status != "active":
        raise Conflict(f"assessmentTemplate '{template.id}' is inactive", field="template")
    start, end = data.period.start_date, data.period.end_date
    if end < start:
        raise ValidationFailed("the period ends before it starts", field="period.endDate")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(
            f"a period is at most {MAX_PERIOD_DAYS} days", field="period.endDate"
        )
    scope = data.scope
    partner_id: str | None = None
    if scope.type == "partner":
        if not scope.partner_id:
            raise ValidationFailed("a partner scope names the partnerId", field="scope.partnerId")
        if session.get(PartnerCompany, scope.partner_id) is None:
            raise ValidationFailed(
                f"unknown partner company '{scope.partner_id}'", field="scope.partnerId"
            )
        partner_id = scope.partner_id
    elif scope.partner_id:
        raise ValidationFailed(
            f"a scope of type '{scope.type}' names no partnerId", field="scope.partnerId"
        )
    period = ind.Period(
        start=_day_start(start),
        end=_day_start(end + timedelta(days=1)),
        scope_type=scope.type,
        partner_id=partner_id,
        kinds=tuple(template.kinds),
    )
    codes = [i["indicator"] for i in template.indicators]
    figures = ind.compute(session, period, data.subject_type, codes)
    now = _now()
    run = AssessmentRun(
        id=new_id(),
        template_id=template.id,
        template_snapshot={"name": template.name, "indicators": template.indicators},
        period_start=start,
        period_end=end,
        scope_type=scope.type,
        subject_type=data.subject_type,
        state=RUN.initial,
        created_by=actor,
        created_at=now,
        partner_id=partner_id,
    )
    session.add(run)
    subjects = sorted({s for per in figures.values() for s in per})
    names = ind.subject_names(session, data.subject_type, subjects)
    partners = ind.subject_partners(session, data.subject_type, subjects)
    results: list[AssessmentResult] = []
    for subject in subjects:
        detail: dict[str, Any] = {}
        weighted = weights = 0.0
        for item in template.indicators:
            code = item["indicator"]
            figure = figures[code].get(subject)
            value = figure.value if figure else None
            entry: dict[str, Any] = {
                "numerator": figure.numerator if figure else 0,
                "denominator": figure.denominator if figure else 0,
                "value": None if value is None else round(value, 4),
                "target": item["target"],
                "weight": item["weight"],
                "score": None,
            }
            if value is not None:
                score = ind.INDICATORS[code].score(value, float(item["target"]))
                entry["score"] = score
                weighted += score * float(item["weight"])
                weights += float(item["weight"])
            detail[code] = entry
        computed = round(weighted / weights, 2) if weights else 0.0
        results.append(
            AssessmentResult(
                id=new_id(),
                run_id=run.id,
                subject_type=data.subject_type,
                subject_id=subject,
                subject_name=names.get(subject, subject),
                figures=detail,
                computed_score=computed,
                final_score=computed,
                rank=0,
                state=RESULT.initial,
                partner_id=partners.get(subject),
            )
        )
    _rank(results)
    session.add_all(results)
    session.flush()
    return run


def _rank(results: list[AssessmentResult]) -> None:
    ordered = sorted(results, key=lambda r: (-r.final_score, r.subject_name))
    for position, result in enumerate(ordered, start=1):
        result.rank = position


def run_view(run: AssessmentRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "template": run.template_id,
        "templateName": run.template_snapshot.get("name"),
        "period": {
            "startDate": run.period_start.isoformat(),
            "endDate": run.period_end.isoformat(),
        },
        "scope": {"type": run.scope_type, "partnerId": run.partner_id},
        "subjectType": run.subject_type,
        "state": run.state,
        "createdBy": run.created_by,
        "createdAt": run.created_at.isoformat(),
        "publishedAt": run.published_at.isoformat() if run.published_at else None,
        "publishedBy": run.published_by,
    }


def result_view(r: AssessmentResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "runId": r.run_id,
        "subject": {"type": r.subject_type, "id": r.subject_id, "name": r.subject_name},
        "partnerId": r.partner_id,
        "rank": r.rank,
        "computedScore": r.computed_score,
        "manualScore": r.manual_score,
        "assessorComment": r.assessor_comment,
        "finalScore": r.final_score,
        "figures": r.figures,
        "state": r.state,
        "publishedAt": r.published_at.isoformat() if r.published_at else None,
        "appeal": None
        if r.appealed_at is None
        else {
            "reason": r.appeal_reason,
            "by": r.appealed_by,
            "at": r.appealed_at.isoformat(),
            "decisionReason": r.decision_reason,
            "decidedBy": r.decided_by,
            "decidedAt": r.decided_at.isoformat() if r.decided_at else None,
        },
    }


def list_runs(session: Session, scope: Scope) -> list[AssessmentRun]:
    stmt = apply_scope(select(AssessmentRun), AssessmentRun, scope)
    return list(session.scalars(stmt.order_by(AssessmentRun.created_at.desc())))


def get_run(
    session: Session, scope: Scope, ident: str, *, for_update: bool = False
) -> AssessmentRun:
    stmt = select(AssessmentRun).where(AssessmentRun.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"assessmentRun '{ident}' not found")
    check_in_scope(row, scope, "assessmentRun", ident)
    return row


def list_results(
    session: Session, scope: Scope, run_id: str | None = None, *, states: tuple[str, ...] = ()
) -> list[AssessmentResult]:
    """Results (a partner sees its own company's only), best first."""
    stmt = apply_scope(select(AssessmentResult), AssessmentResult, scope)
    if run_id is not None:
        stmt = stmt.where(AssessmentResult.run_id == run_id)
    if states:
        stmt = stmt.where(AssessmentResult.state.in_(states))
    return list(session.scalars(stmt.order_by(AssessmentResult.run_id, AssessmentResult.rank)))


def get_result(
    session: Session, scope: Scope, ident: str, *, for_update: bool = False
) -> AssessmentResult:
    stmt = select(AssessmentResult).where(AssessmentResult.id == ident)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"assessmentResult '{ident}' not found")
    check_in_scope(row, scope, "assessmentResult", ident)
    return row


def score_result(
    session: Session, scope: Scope, ident: str, data: AssessorScore
) -> AssessmentResult:
    """The assessor's manual component and comment (draft results only: 409)."""
    result = get_result(session, scope, ident, for_update=True)
    if result.state != "draft":
        raise Conflict(
            f"assessmentResult is {result.state}; the assessor scores only before publishing",
            field="state",
            code="ILLEGAL_STATE",
        )
    result.manual_score = data.manual_score
    result.assessor_comment = (data.comment or "").strip() or None
    result.final_score = _final(result.computed_score, result.manual_score)
    session.flush()
    return result


def _publish_event(session: Session, event: str, result: AssessmentResult, **kw: Any) -> None:
    publish(
        session,
        event,
        RESULT_NAME,
        result_view(result),
        api=API,
        domain="workforce",
        partner_id=result.partner_id,
        **kw,
    )


def publish_run(session: Session, scope: Scope, ident: str, actor: str) -> AssessmentRun:
    """Publish a draft run: rank by final score, publish every result (one event each)."""
    run = get_run(session, scope, ident, for_update=True)
    RUN.check(run.state, "published")
    if run.state == "published":
        raise Conflict("assessmentRun is published already", field="state", code="ILLEGAL_STATE")
    now = _now()
    results = list(
        session.scalars(select(AssessmentResult).where(AssessmentResult.run_id == run.id))
    )
    _rank(results)
    for result in results:
        RESULT.check(result.state, "published")
        result.state = "published"
        result.published_at = now
    run.state = "published"
    run.published_at = now
    run.published_by = actor
    session.flush()
    for result in sorted(results, key=lambda r: r.rank):
        _publish_event(
            session, PUBLISHED_EVENT, result, description=f"assessment run {run.id} published"
        )
    return run


def cancel_run(session: Session, scope: Scope, ident: str) -> AssessmentRun:
    run = get_run(session, scope, ident, for_update=True)
    RUN.check(run.state, "cancelled")
    run.state = "cancelled"
    session.flush()
    return run


@dataclass(frozen=True, slots=True)
class Appellant:
    """Who appeals: their name, the technician linked to their user (if any),
    and whether they speak for their partner company (partner users)."""

    name: str
    technician_id: str | None = None
    partner_user: bool = False


def appeal(
    session: Session, scope: Scope, ident: str, reason: str, who: Appellant
) -> AssessmentResult:
    """The subject appeals a published result within :data:`APPEAL_DAYS` days."""
    result = get_result(session, scope, ident, for_update=True)
    own_result = who.partner_user and scope.partner_id is not None
    if not own_result and not (
        who.technician_id is not None
        and result.subject_type == "technician"
        and result.subject_id == who.technician_id
    ):
        raise Forbidden("only the assessed technician or their company may appeal this result")
    RESULT.check(result.state, "appealed")
    if result.state == "appealed":
        raise Conflict("assessmentResult is appealed already", field="state")
    now = _now()
    assert result.published_at is not None
    deadline = result.published_at + timedelta(days=APPEAL_DAYS)
    if now > deadline:
        raise Conflict(
            f"the appeal period ended on {deadline.isoformat()} ({APPEAL_DAYS} days after "
            "publishing)",
            field="state",
            code="APPEAL_PERIOD_ENDED",
        )
    text = reason.strip()
    if not text:
        raise ValidationFailed("an appeal gives a reason", field="reason")
    result.state = "appealed"
    result.appeal_reason = text
    result.appealed_by = who.name
    result.appealed_at = now
    session.flush()
    _publish_event(session, APPEAL_EVENT, result, description="appealed")
    return result


def decide(
    session: Session, scope: Scope, ident: str, data: AppealDecision, actor: str
) -> AssessmentResult:
    """Accept an appeal with an adjusted score or reject it with a reason."""
    result = get_result(session, scope, ident, for_update=True)
    target = "accepted" if data.decision == "accept" else "rejected"
    RESULT.check(result.state, target)
    if result.state == target:
        raise Conflict(f"assessmentResult is {target} already", field="state")
    reason = (data.reason or "").strip() or None
    if target == "accepted":
        if data.adjusted_score is None:
            raise ValidationFailed(
                "accepting an appeal sets the adjusted score", field="adjustedScore"
            )
        result.final_score = round(data.adjusted_score, 2)
    elif reason is None:
        raise ValidationFailed("rejecting an appeal gives a reason", field="reason")
    result.state = target
    result.decision_reason = reason
    result.decided_by = actor
    result.decided_at = _now()
    session.flush()
    _publish_event(session, DECIDED_EVENT, result, description=f"appeal {target}")
    return result
