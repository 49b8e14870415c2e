"""Staff of the field workforce: partner companies, the skills catalogue,
technicians with their skills, working calendar and leave, and teams.

eTOM 1.4.2 workforce management (staff information: technicians, skills and
levels, teams, technician–skill and technician–area relations).

Services never commit; bad input changes nothing (400 naming the field,
404 for rows missing or out of the caller's scope, 409 for duplicates and
overlapping leave).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, Forbidden, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, region_for_write
from openboss.workforce import repository
from openboss.workforce.models import (
    PartnerCompany,
    Skill,
    Team,
    TeamMember,
    Technician,
    TechnicianLeave,
    TechnicianSkill,
)
from openboss.workforce.schemas import (
    LeaveCreate,
    PartnerCompanyCreate,
    PartnerCompanyUpdate,
    SkillCreate,
    SkillLevel,
    SkillUpdate,
    TeamCreate,
    TeamUpdate,
    TechnicianCreate,
    TechnicianUpdate,
    WorkingCalendar,
)

DEFAULT_CALENDAR = WorkingCalendar(
    work_days=[0, 1, 2, 3, 4], shift_start="08:30", shift_end="17:30"
)

# --------------------------------------------------------------------------- views


def partner_view(p: PartnerCompany) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "localizedName": p.localized_name,
        "kind": p.kind,
        "slaTerms": p.sla_terms,
        "webhookUrl": p.webhook_url,
        "status": p.status,
    }


def skill_view(s: Skill) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "localizedName": s.localized_name,
        "description": s.description,
        "status": s.status,
    }


def technician_view(t: Technician, skills: dict[str, int]) -> dict[str, Any]:
    return {
        "id": t.id,
        "employeeNo": t.employee_no,
        "name": t.name,
        "phone": t.phone,
        "partnerId": t.partner_id,
        "regionId": t.region_id,
        "serviceAreas": list(t.service_areas),
        "homeLat": t.home_lat,
        "homeLon": t.home_lon,
        "calendar": {
            "workDays": list(t.work_days),
            "shiftStart": t.shift_start,
            "shiftEnd": t.shift_end,
        },
        "skills": [{"skill": k, "level": v} for k, v in sorted(skills.items())],
        "status": t.status,
        "username": t.username,
    }


def leave_view(leave: TechnicianLeave) -> dict[str, Any]:
    return {
        "id": leave.id,
        "technicianId": leave.technician_id,
        "startDate": leave.start_date.isoformat(),
        "endDate": leave.end_date.isoformat(),
        "reason": leave.reason,
    }


def team_view(t: Team, members: list[str]) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "leaderId": t.leader_id,
        "members": members,
        "regionId": t.region_id,
        "partnerId": t.partner_id,
    }


# --------------------------------------------------------------------------- partners


def create_partner(session: Session, data: PartnerCompanyCreate) -> PartnerCompany:
    if repository.partner_exists(session, data.id) is not None:
        raise Conflict(f"partner company '{data.id}' already exists", field="id")
    now = utcnow()
    row = PartnerCompany(
        id=data.id,
        name=data.name,
        localized_name=data.localized_name,
        kind=data.kind,
        sla_terms=data.sla_terms,
        webhook_url=data.webhook_url,
        status=data.status,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    return row


def update_partner(
    session: Session, scope: Scope, ident: str, data: PartnerCompanyUpdate
) -> PartnerCompany:
    row = repository.get_partner(session, ident, scope)
    for name in data.model_fields_set:
        value = getattr(data, name)
        if value is None and name in ("name", "kind", "status"):
            raise ValidationFailed(f"'{name}' cannot be removed", field=_camel(name))
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _check_partner(session: Session, partner_id: str | None, field: str = "partnerId") -> None:
    if partner_id is None:
        return
    partner = repository.partner_exists(session, partner_id)
    if partner is None:
        raise ValidationFailed(f"partner company '{partner_id}' does not exist", field=field)
    if partner.status != "active":
        raise ValidationFailed(f"partner company '{partner_id}' is inactive", field=field)


def _partner_for(scope: Scope, requested: str | None) -> str | None:
    if scope.partner_id is None:
        return requested
    if requested not in (None, scope.partner_id):
        raise Forbidden(f"partner '{requested}' is not yours", field="partnerId")
    return scope.partner_id


# --------------------------------------------------------------------------- skills


def create_skill(session: Session, data: SkillCreate) -> Skill:
    if session.get(Skill, data.id) is not None:
        raise Conflict(f"skill '{data.id}' already exists", field="id")
    row = Skill(
        id=data.id,
        name=data.name,
        localized_name=data.localized_name,
        description=data.description,
        status=data.status,
    )
    repository.add(session, row)
    return row


def update_skill(session: Session, ident: str, data: SkillUpdate) -> Skill:
    row = repository.get_skill(session, ident)
    for name in data.model_fields_set:
        value = getattr(data, name)
        if value is None and name in ("name", "status"):
            raise ValidationFailed(f"'{name}' cannot be removed", field=_camel(name))
        setattr(row, name, value)
    session.flush()
    return row


# --------------------------------------------------------------------------- technicians


def _check_skills(session: Session, skills: list[SkillLevel]) -> dict[str, int]:
    wanted = {s.skill: s.level for s in skills}
    if len(wanted) != len(skills):
        raise ValidationFailed("a skill is listed twice", field="skills")
    known = repository.skills_by_id(session, list(wanted))
    for index, code in enumerate(wanted):
        if code not in known:
            raise ValidationFailed(f"unknown skill '{code}'", field=f"skills[{index}].skill")
    return wanted


def _check_username(session: Session, username: str | None, own_id: str | None) -> None:
    if username is None:
        return
    other = repository.technician_by_username(session, username)
    if other is not None and other.id != own_id:
        raise Conflict(f"user name '{username}' already belongs to a technician", field="username")


def _set_skills(session: Session, tech_id: str, wanted: dict[str, int]) -> None:
    current = {r.skill_id: r for r in repository.skill_rows(session, tech_id)}
    for code, row in current.items():
        if code not in wanted:
            session.delete(row)
        elif row.level != wanted[code]:
            row.level = wanted[code]
    for code, level in wanted.items():
        if code not in current:
            session.add(TechnicianSkill(technician_id=tech_id, skill_id=code, level=level))
    session.flush()


def create_technician(session: Session, scope: Scope, data: TechnicianCreate) -> Technician:
    partner_id = _partner_for(scope, data.partner_id)
    _check_partner(session, partner_id)
    if repository.technician_by_employee_no(session, data.employee_no) is not None:
        raise Conflict(f"employee number '{data.employee_no}' already exists", field="employeeNo")
    _check_username(session, data.username, None)
    wanted = _check_skills(session, data.skills)
    cal = data.calendar or DEFAULT_CALENDAR
    now = utcnow()
    row = Technician(
        id=new_id(),
        employee_no=data.employee_no,
        name=data.name,
        phone=data.phone,
        partner_id=partner_id,
        region_id=region_for_write(scope, data.region_id),
        service_areas=list(dict.fromkeys(data.service_areas)),
        home_lat=data.home_lat,
        home_lon=data.home_lon,
        work_days=cal.work_days,
        shift_start=cal.shift_start,
        shift_end=cal.shift_end,
        status=data.status,
        username=data.username,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    _set_skills(session, row.id, wanted)
    return row


def update_technician(
    session: Session, scope: Scope, ident: str, data: TechnicianUpdate
) -> Technician:
    row = repository.get_technician(session, ident, scope, for_update=True)
    fields = data.model_fields_set
    for name in ("name", "status"):
        if name in fields and getattr(data, name) is None:
            raise ValidationFailed(f"'{name}' cannot be removed", field=name)
    if "username" in fields:
        _check_username(session, data.username, row.id)
        row.username = data.username
    if "skills" in fields:
        _set_skills(session, row.id, _check_skills(session, data.skills or []))
    if "region_id" in fields:
        row.region_id = region_for_write(scope, data.region_id)
    if "calendar" in fields:
        cal = data.calendar or DEFAULT_CALENDAR
        row.work_days, row.shift_start, row.shift_end = (
            cal.work_days,
            cal.shift_start,
            cal.shift_end,
        )
    if "service_areas" in fields:
        row.service_areas = list(dict.fromkeys(data.service_areas or []))
    for name in ("name", "phone", "home_lat", "home_lon", "status"):
        if name in fields:
            setattr(row, name, getattr(data, name))
    row.updated_at = utcnow()
    session.flush()
    return row


def technician_skills(session: Session, ident: str) -> dict[str, int]:
    return repository.skills_of(session, [ident])[ident]


# --------------------------------------------------------------------------- leave


def add_leave(
    session: Session, scope: Scope, technician_id: str, data: LeaveCreate
) -> TechnicianLeave:
    tech = repository.get_technician(session, technician_id, scope, for_update=True)
    clash = repository.overlapping_leave(session, tech.id, data.start_date, data.end_date)
    if clash is not None:
        raise Conflict(
            f"leave {data.start_date}…{data.end_date} overlaps leave "
            f"{clash.start_date}…{clash.end_date}",
            field="startDate",
            details={"leaveId": clash.id},
        )
    row = TechnicianLeave(
        id=new_id(),
        technician_id=tech.id,
        start_date=data.start_date,
        end_date=data.end_date,
        reason=data.reason,
        created_at=utcnow(),
    )
    repository.add(session, row)
    return row


def remove_leave(session: Session, scope: Scope, technician_id: str, leave_id: str) -> None:
    repository.get_technician(session, technician_id, scope)
    repository.remove(session, repository.get_leave(session, technician_id, leave_id))


def on_leave(session: Session, technician_id: str, day: date) -> bool:
    return repository.overlapping_leave(session, technician_id, day, day) is not None


# --------------------------------------------------------------------------- teams


def _check_members(
    session: Session, scope: Scope, members: list[str], leader: str | None, partner_id: str | None
) -> list[str]:
    unique = list(dict.fromkeys(members))
    for index, tech_id in enumerate(unique):
        try:
            tech = repository.get_technician(session, tech_id, scope)
        except Exception:
            raise ValidationFailed(
                f"technician '{tech_id}' does not exist", field=f"members[{index}]"
            ) from None
        if tech.partner_id != partner_id:
            raise ValidationFailed(
                f"technician '{tech_id}' works for another company than the team",
                field=f"members[{index}]",
            )
    if leader is not None and leader not in unique:
        raise ValidationFailed("the leader must be a member of the team", field="leaderId")
    return unique


def _set_members(session: Session, team_id: str, members: list[str]) -> None:
    current = {m.technician_id: m for m in repository.member_rows(session, team_id)}
    for tech_id, row in current.items():
        if tech_id not in members:
            session.delete(row)
    for tech_id in members:
        if tech_id not in current:
            session.add(TeamMember(team_id=team_id, technician_id=tech_id))
    session.flush()


def create_team(session: Session, scope: Scope, data: TeamCreate) -> Team:
    partner_id = _partner_for(scope, data.partner_id)
    _check_partner(session, partner_id)
    members = _check_members(session, scope, data.members, data.leader_id, partner_id)
    now = utcnow()
    row = Team(
        id=new_id(),
        name=data.name,
        leader_id=data.leader_id,
        region_id=region_for_write(scope, data.region_id),
        partner_id=partner_id,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    _set_members(session, row.id, members)
    return row


def update_team(session: Session, scope: Scope, ident: str, data: TeamUpdate) -> Team:
    row = repository.get_team(session, ident, scope)
    fields = data.model_fields_set
    if "name" in fields:
        if data.name is None:
            raise ValidationFailed("'name' cannot be removed", field="name")
        row.name = data.name
    members = (
        data.members
        if "members" in fields and data.members is not None
        else repository.members_of(session, [row.id])[row.id]
    )
    leader = data.leader_id if "leader_id" in fields else row.leader_id
    members = _check_members(session, scope, members, leader, row.partner_id)
    row.leader_id = leader
    _set_members(session, row.id, members)
    row.updated_at = utcnow()
    session.flush()
    return row
