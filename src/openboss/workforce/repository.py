"""Every query of the workforce domain; row scope is applied here.

Technicians, teams and work orders are region- and partner-scoped
(:func:`openboss.kit.scope.apply_scope`): a partner's people see only their
company's rows, and a row outside the caller's scope answers 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from openboss.kit.errors import NotFound
from openboss.kit.scope import Scope, apply_scope
from openboss.kit.tmf.listing import Page, fetch_document, list_page
from openboss.kit.tmf.query import ListQuery
from openboss.workforce.models import (
    WORK_ORDER_RESOURCE,
    PartnerCompany,
    Skill,
    Team,
    TeamMember,
    Technician,
    TechnicianLeave,
    TechnicianSkill,
    WorkOrder,
    WorkOrderEvent,
)

_w = WorkOrder.__table__.c


# --------------------------------------------------------------------------- staff


def get_partner(session: Session, ident: str, scope: Scope) -> PartnerCompany:
    row = session.get(PartnerCompany, ident)
    if row is None or (scope.partner_id is not None and scope.partner_id != ident):
        raise NotFound(f"partner company '{ident}' not found")
    return row


def partner_exists(session: Session, ident: str) -> PartnerCompany | None:
    return session.get(PartnerCompany, ident)


def list_partners(session: Session, scope: Scope) -> list[PartnerCompany]:
    stmt = select(PartnerCompany).order_by(PartnerCompany.id)
    if scope.partner_id is not None:
        stmt = stmt.where(PartnerCompany.id == scope.partner_id)
    return list(session.scalars(stmt))


def get_skill(session: Session, ident: str) -> Skill:
    row = session.get(Skill, ident)
    if row is None:
        raise NotFound(f"skill '{ident}' not found")
    return row


def skills_by_id(session: Session, ids: Sequence[str]) -> dict[str, Skill]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Skill).where(Skill.id.in_(list(ids))))}


def list_skills(session: Session) -> list[Skill]:
    return list(session.scalars(select(Skill).order_by(Skill.id)))


def get_technician(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> Technician:
    stmt = apply_scope(select(Technician).where(Technician.id == ident), Technician, scope)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"technician '{ident}' not found")
    return row


def technician_by_username(session: Session, username: str) -> Technician | None:
    return session.scalars(select(Technician).where(Technician.username == username)).first()


def technician_by_employee_no(session: Session, employee_no: str) -> Technician | None:
    return session.scalars(select(Technician).where(Technician.employee_no == employee_no)).first()


def list_technicians(
    session: Session,
    scope: Scope,
    *,
    partner_id: str | None = None,
    own_only: bool = False,
    region_id: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    limit: int = 500,
) -> list[Technician]:
    stmt: Select[Any] = apply_scope(select(Technician), Technician, scope)
    if partner_id is not None:
        stmt = stmt.where(Technician.partner_id == partner_id)
    if own_only:
        stmt = stmt.where(Technician.partner_id.is_(None))
    if region_id is not None:
        stmt = stmt.where(Technician.region_id == region_id)
    if status is not None:
        stmt = stmt.where(Technician.status == status)
    if skill is not None:
        stmt = stmt.where(
            Technician.id.in_(
                select(TechnicianSkill.technician_id).where(TechnicianSkill.skill_id == skill)
            )
        )
    return list(session.scalars(stmt.order_by(Technician.name, Technician.id).limit(limit)))


def skills_of(session: Session, technician_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Skill levels of several technicians in one query."""
    out: dict[str, dict[str, int]] = {t: {} for t in technician_ids}
    if not technician_ids:
        return out
    rows = session.execute(
        select(TechnicianSkill.technician_id, TechnicianSkill.skill_id, TechnicianSkill.level)
        .where(TechnicianSkill.technician_id.in_(list(technician_ids)))
        .order_by(TechnicianSkill.skill_id)
    )
    for tech_id, skill_id, level in rows:
        out[tech_id][skill_id] = level
    return out


def skill_rows(session: Session, technician_id: str) -> list[TechnicianSkill]:
    return list(
        session.scalars(
            select(TechnicianSkill).where(TechnicianSkill.technician_id == technician_id)
        )
    )


def leave_of(session: Session, technician_id: str) -> list[TechnicianLeave]:
    return list(
        session.scalars(
            select(TechnicianLeave)
            .where(TechnicianLeave.technician_id == technician_id)
            .order_by(TechnicianLeave.start_date)
        )
    )


def overlapping_leave(
    session: Session, technician_id: str, start: date, end: date
) -> TechnicianLeave | None:
    return session.scalars(
        select(TechnicianLeave).where(
            TechnicianLeave.technician_id == technician_id,
            TechnicianLeave.start_date <= end,
            TechnicianLeave.end_date >= start,
        )
    ).first()


def get_leave(session: Session, technician_id: str, leave_id: str) -> TechnicianLeave:
    row = session.get(TechnicianLeave, leave_id)
    if row is None or row.technician_id != technician_id:
        raise NotFound(f"leave '{leave_id}' not found")
    return row


def get_team(session: Session, ident: str, scope: Scope) -> Team:
    stmt = apply_scope(select(Team).where(Team.id == ident), Team, scope)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"team '{ident}' not found")
    return row


def list_teams(session: Session, scope: Scope) -> list[Team]:
    return list(session.scalars(apply_scope(select(Team), Team, scope).order_by(Team.name)))


def members_of(session: Session, team_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t: [] for t in team_ids}
    if not team_ids:
        return out
    for team_id, tech_id in session.execute(
        select(TeamMember.team_id, TeamMember.technician_id)
        .where(TeamMember.team_id.in_(list(team_ids)))
        .order_by(TeamMember.technician_id)
    ):
        out[team_id].append(tech_id)
    return out


def member_rows(session: Session, team_id: str) -> list[TeamMember]:
    return list(session.scalars(select(TeamMember).where(TeamMember.team_id == team_id)))


# --------------------------------------------------------------------------- work orders


def _scoped(scope: Scope) -> Any:
    def restrict(stmt: Select[Any]) -> Select[Any]:
        return apply_scope(stmt, _w, scope)

    return restrict


def list_work_orders(session: Session, query: ListQuery, scope: Scope, base_url: str) -> Page:
    """One TMF page of the work orders the caller may see."""
    return list_page(
        session, WORK_ORDER_RESOURCE, query, base_url=base_url, restrict=_scoped(scope)
    )


def work_order_document(
    session: Session,
    ident: str,
    scope: Scope,
    base_url: str,
    projection: dict[str, Any] | None = None,
) -> bytes:
    doc = fetch_document(
        session,
        WORK_ORDER_RESOURCE,
        ident,
        base_url=base_url,
        restrict=_scoped(scope),
        projection=projection,
    )
    if doc is None:
        raise NotFound(f"workOrder '{ident}' not found")
    return doc


def get_work_order(
    session: Session, ident: str, scope: Scope, *, for_update: bool = False
) -> WorkOrder:
    stmt = apply_scope(select(WorkOrder).where(WorkOrder.id == ident), WorkOrder, scope)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"workOrder '{ident}' not found")
    return row


def search_work_orders(
    session: Session,
    scope: Scope,
    *,
    states: Sequence[str] = (),
    kind: str | None = None,
    region_id: str | None = None,
    partner_id: str | None = None,
    own_only: bool = False,
    unassigned: bool = False,
    sla_before: datetime | None = None,
    open_states: Sequence[str] = (),
    assignee_id: str | None = None,
    window_from: datetime | None = None,
    window_to: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[WorkOrder]:
    """Work orders for the console, by the dispatcher's filters."""
    stmt: Select[Any] = apply_scope(select(WorkOrder), WorkOrder, scope)
    if states:
        stmt = stmt.where(WorkOrder.state.in_(list(states)))
    if kind:
        stmt = stmt.where(WorkOrder.kind == kind)
    if region_id:
        stmt = stmt.where(WorkOrder.region_id == region_id)
    if partner_id:
        stmt = stmt.where(WorkOrder.partner_id == partner_id)
    if own_only:
        stmt = stmt.where(WorkOrder.partner_id.is_(None))
    if unassigned:
        stmt = stmt.where(WorkOrder.assignee_id.is_(None))
    if sla_before is not None:
        stmt = stmt.where(WorkOrder.sla_deadline.is_not(None), WorkOrder.sla_deadline <= sla_before)
    if open_states:
        stmt = stmt.where(WorkOrder.state.in_(list(open_states)))
    if assignee_id is not None:
        stmt = stmt.where(WorkOrder.assignee_id == assignee_id)
    if window_from is not None and window_to is not None:
        # the job's window (or, without one, its requested start) falls in the range
        stmt = stmt.where(
            or_(
                and_(WorkOrder.window_start >= window_from, WorkOrder.window_start < window_to),
                and_(
                    WorkOrder.window_start.is_(None),
                    WorkOrder.requested_start >= window_from,
                    WorkOrder.requested_start < window_to,
                ),
            )
        )
    stmt = stmt.order_by(
        WorkOrder.window_start.is_(None), WorkOrder.window_start, WorkOrder.priority, WorkOrder.id
    )
    return list(session.scalars(stmt.offset(offset).limit(limit)))


def history(session: Session, work_order_id: str) -> list[WorkOrderEvent]:
    return list(
        session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == work_order_id)
            .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
        )
    )


def add(session: Session, row: Any) -> None:
    session.add(row)
    session.flush()


def remove(session: Session, row: Any) -> None:
    session.delete(row)
    session.flush()
