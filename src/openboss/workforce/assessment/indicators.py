"""The indicators of construction assessment, computed by SQL aggregates.

eTOM 1.4.2 workforce management / 1.5.4 resource performance management
(performance of field work). Every indicator is counted per *subject* — a
technician (the work order's assignee), a team (the assignee's teams) or a
partner company (the order's executing company, ``own`` for own crews) —
over the work orders *closed* in a period ``[start, end)`` (UTC), as a
numerator and a denominator:

=================  ===========================================================  ======
indicator          formula                                                      better
=================  ===========================================================  ======
onTimeArrival      orders with a time window and an ``onSite`` move whose first  higher
                   ``onSite`` time ≤ window start + grace (30 min)
                   / such orders
onTimeCompletion   completed orders with completion ≤ requested completion       higher
                   (else SLA deadline) / completed orders having one of them
firstTimeFix       completed orders without an earlier failed/partial order of   higher
                   the same kind at the same address / completed orders
reworkRate         completed orders followed by a *repair* order at the same     lower
                   address created within 30 days after completion
                   / completed orders
customerRating     sum of stars / ratings given in the period (1–5)              higher
slaCompliance      orders closed (completed, failed, partial) with an SLA        higher
                   deadline that were completed by it / such orders
=================  ===========================================================  ======

Each indicator is scored 0–100 against its target: *higher is better*:
``min(100, 100 · value / target)``; *lower is better* (rates): 100 up to the
target, then linear down to 0 at a rate of 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from openboss.workforce.assessment.models import RatingInvitation
from openboss.workforce.models import (
    PartnerCompany,
    Team,
    TeamMember,
    Technician,
    WorkOrder,
    WorkOrderEvent,
)

_Event = WorkOrderEvent

#: Minutes after the window start an arrival still counts as on time.
ARRIVAL_GRACE_MINUTES: Final = 30
#: Days after completion in which a repair at the same address is rework.
REWORK_DAYS: Final = 30
#: Subject id of the operator's own crews (subject type ``partner``).
OWN: Final = "own"
SUBJECT_TYPES: Final = ("technician", "team", "partner")
CLOSED: Final = ("completed", "failed", "partial")


@dataclass(frozen=True, slots=True)
class Period:
    """Work orders closed in ``[start, end)`` within a scope: ``own`` (own crews'
    orders), ``partner`` (one company's) or ``all``; ``kinds`` empty = any kind."""

    start: datetime
    end: datetime
    scope_type: str = "own"
    partner_id: str | None = None
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    """An indicator's raw figures for one subject."""

    numerator: float
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


Counts = dict[str, Figure]


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    formula: str
    higher_better: bool
    #: ``ratio`` (0–1, shown as a percentage) or ``stars`` (1–5).
    unit: str
    default_target: float
    compute: Callable[[Session, Period, str], Counts]

    def score(self, value: float, target: float) -> float:
        """0–100 against the target (see the module's docstring)."""
        if self.higher_better:
            if target <= 0:
                return 100.0
            return round(min(100.0, 100.0 * value / target), 2)
        if value <= target:
            return 100.0
        if target >= 1:
            return 0.0
        return round(max(0.0, 100.0 * (1 - value) / (1 - target)), 2)


# --------------------------------------------------------------------------- SQL helpers


def _epoch(session: Session, column: Any) -> ColumnElement[Any]:
    """Seconds since 1970 of a UTC timestamp column, on PostgreSQL and SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    return cast(func.strftime("%s", column), Integer)


def _subject(subject_type: str) -> Any:
    if subject_type == "technician":
        return WorkOrder.assignee_id
    if subject_type == "team":
        return TeamMember.team_id
    if subject_type == "partner":
        return func.coalesce(WorkOrder.partner_id, literal(OWN))
    raise ValueError(f"unknown subject type {subject_type!r}")


def _aggregate(
    session: Session,
    period: Period,
    subject_type: str,
    hit: ColumnElement[bool] | None,
    conditions: Sequence[ColumnElement[bool]],
    *,
    date_column: Any = None,
    total: Any = None,
    joins: Sequence[tuple[Any, ColumnElement[bool]]] = (),
) -> Counts:
    """``{subject: (sum(hit or total), count)}`` over the period's closed orders."""
    subject = _subject(subject_type)
    column = WorkOrder.completion_date if date_column is None else date_column
    numerator: ColumnElement[Any]
    if total is not None:
        numerator = func.sum(total)
    elif hit is not None:
        numerator = func.sum(case((hit, 1), else_=0))
    else:  # pragma: no cover - programming error
        raise ValueError("hit or total")
    stmt = select(subject, numerator, func.count()).select_from(WorkOrder)
    for target, on in joins:
        stmt = stmt.join(target, on)
    if subject_type == "team":
        stmt = stmt.join(TeamMember, TeamMember.technician_id == WorkOrder.assignee_id)
    stmt = stmt.where(
        WorkOrder.assignee_id.is_not(None),
        column >= period.start,
        column < period.end,
        *conditions,
    )
    if period.scope_type == "own":
        stmt = stmt.where(WorkOrder.partner_id.is_(None))
    elif period.scope_type == "partner":
        stmt = stmt.where(WorkOrder.partner_id == period.partner_id)
    if period.kinds:
        stmt = stmt.where(WorkOrder.kind.in_(period.kinds))
    stmt = stmt.group_by(subject)
    return {
        str(key): Figure(float(num or 0), int(count))
        for key, num, count in session.execute(stmt).all()
        if key is not None
    }


def _place_id(entity: Any) -> Any:
    return entity.place["id"].as_string()


# --------------------------------------------------------------------------- indicators


def on_time_arrival(session: Session, period: Period, subject_type: str) -> Counts:
    on_site = (
        select(
            _Event.work_order_id.label("work_order_id"),
            func.min(_Event.at).label("at"),
        )
        .where(_Event.to_field_state == "onSite")
        .group_by(_Event.work_order_id)
        .subquery()
    )
    grace = ARRIVAL_GRACE_MINUTES * 60
    hit = _epoch(session, on_site.c.at) <= _epoch(session, WorkOrder.window_start) + grace
    return _aggregate(
        session,
        period,
        subject_type,
        hit,
        [WorkOrder.state.in_(CLOSED), WorkOrder.window_start.is_not(None)],
        joins=[(on_site, on_site.c.work_order_id == WorkOrder.id)],
    )


def on_time_completion(session: Session, period: Period, subject_type: str) -> Counts:
    due = func.coalesce(WorkOrder.requested_completion, WorkOrder.sla_deadline)
    return _aggregate(
        session,
        period,
        subject_type,
        WorkOrder.completion_date <= due,
        [WorkOrder.state == "completed", due.is_not(None)],
    )


def first_time_fix(session: Session, period: Period, subject_type: str) -> Counts:
    earlier = aliased(WorkOrder)
    failed_before = exists().where(
        earlier.id != WorkOrder.id,
        earlier.kind == WorkOrder.kind,
        earlier.state.in_(("failed", "partial")),
        earlier.completion_date < WorkOrder.completion_date,
        _place_id(earlier) == _place_id(WorkOrder),
    )
    return _aggregate(
        session,
        period,
        subject_type,
        ~failed_before,
        [WorkOrder.state == "completed"],
    )


def rework_rate(session: Session, period: Period, subject_type: str) -> Counts:
    later = aliased(WorkOrder)
    window = REWORK_DAYS * 86400
    repaired = exists().where(
        later.id != WorkOrder.id,
        later.kind == "repair",
        _place_id(later) == _place_id(WorkOrder),
        later.created_at > WorkOrder.completion_date,
        _epoch(session, later.created_at) <= _epoch(session, WorkOrder.completion_date) + window,
    )
    return _aggregate(session, period, subject_type, repaired, [WorkOrder.state == "completed"])


def customer_rating(session: Session, period: Period, subject_type: str) -> Counts:
    return _aggregate(
        session,
        period,
        subject_type,
        None,
        [RatingInvitation.stars.is_not(None)],
        date_column=RatingInvitation.rated_at,
        total=RatingInvitation.stars,
        joins=[(RatingInvitation, RatingInvitation.work_order_id == WorkOrder.id)],
    )


def sla_compliance(session: Session, period: Period, subject_type: str) -> Counts:
    hit = and_(WorkOrder.state == "completed", WorkOrder.completion_date <= WorkOrder.sla_deadline)
    return _aggregate(
        session,
        period,
        subject_type,
        hit,
        [WorkOrder.state.in_(CLOSED), WorkOrder.sla_deadline.is_not(None)],
    )


INDICATORS: Final[dict[str, Indicator]] = {
    i.code: i
    for i in (
        Indicator(
            "onTimeArrival",
            "On-time arrival",
            f"first onSite time <= window start + {ARRIVAL_GRACE_MINUTES} min "
            "/ closed orders with a window and an onSite move",
            True,
            "ratio",
            0.95,
            on_time_arrival,
        ),
        Indicator(
            "onTimeCompletion",
            "On-time completion",
            "completed <= requested completion (else SLA deadline) / completed orders with one",
            True,
            "ratio",
            0.95,
            on_time_completion,
        ),
        Indicator(
            "firstTimeFix",
            "First-time fix",
            "completed without an earlier failed/partial order of the same kind at the same "
            "address / completed orders",
            True,
            "ratio",
            0.9,
            first_time_fix,
        ),
        Indicator(
            "reworkRate",
            "Rework within 30 days",
            f"completed orders followed by a repair at the same address within {REWORK_DAYS} "
            "days / completed orders",
            False,
            "ratio",
            0.05,
            rework_rate,
        ),
        Indicator(
            "customerRating",
            "Customer rating",
            "sum of stars / ratings given in the period",
            True,
            "stars",
            4.5,
            customer_rating,
        ),
        Indicator(
            "slaCompliance",
            "SLA compliance",
            "completed by the SLA deadline / orders closed with an SLA deadline",
            True,
            "ratio",
            0.95,
            sla_compliance,
        ),
    )
}


def compute(
    session: Session, period: Period, subject_type: str, codes: Sequence[str]
) -> dict[str, dict[str, Figure]]:
    """``{indicator: {subject: Figure}}`` for the indicators named."""
    return {code: INDICATORS[code].compute(session, period, subject_type) for code in codes}


def subject_names(session: Session, subject_type: str, ids: Sequence[str]) -> dict[str, str]:
    """Display names of subjects (technician, team, partner company; ``own``)."""
    if not ids:
        return {}
    rows: Sequence[Any]
    if subject_type == "technician":
        rows = session.execute(
            select(Technician.id, Technician.name).where(Technician.id.in_(ids))
        ).all()
    elif subject_type == "team":
        rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all()
    else:
        rows = session.execute(
            select(PartnerCompany.id, PartnerCompany.name).where(PartnerCompany.id.in_(ids))
        ).all()
    names = {str(i): str(n) for i, n in rows}
    if subject_type == "partner" and OWN in ids:
        names[OWN] = "Own crews"
    return names


def subject_partners(
    session: Session, subject_type: str, ids: Sequence[str]
) -> dict[str, str | None]:
    """The company each subject belongs to (``None``: the operator's own)."""
    if not ids:
        return {}
    if subject_type == "partner":
        return {i: (None if i == OWN else i) for i in ids}
    entity: Any = Technician if subject_type == "technician" else Team
    rows = session.execute(select(entity.id, entity.partner_id).where(entity.id.in_(ids))).all()
    return {str(i): p for i, p in rows}
