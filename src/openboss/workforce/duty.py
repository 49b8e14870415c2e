"""Who is on duty on a day, and when: the one answer rosters, appointments and
dispatch share.

eTOM Workforce Management (Resource Management & Operations): workforce
availability. A technician works a day when a *published* roster gives them a
shift that day; where no published roster covers the day, their weekly pattern
(``work_days``, ``shift_start``–``shift_end``) decides. Approved leave always
wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.workforce.models import Technician, TechnicianLeave

#: The crews' local time zone (shifts and days are local).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Duty:
    """One technician's working time on one local day (``start``/``end`` UTC)."""

    technician_id: str
    day: date
    start: datetime
    end: datetime
    shift_code: str | None
    source: Literal["roster", "pattern"]


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local(day: date, at: time) -> datetime:
    """``at`` local time on ``day``, as UTC."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def _on_leave(session: Session, day: date, ids: list[str] | None) -> set[str]:
    stmt = select(TechnicianLeave.technician_id).where(
        TechnicianLeave.start_date <= day, TechnicianLeave.end_date >= day
    )
    if ids is not None:
        stmt = stmt.where(TechnicianLeave.technician_id.in_(ids))
    return set(session.scalars(stmt))


def duty_on(
    session: Session, day: date, technician_ids: Iterable[str] | None = None
) -> dict[str, Duty]:
    """The technicians (all active ones, or those named) working on ``day``,
    each with their working time. Anyone not in the answer is off that day."""
    ids = None if technician_ids is None else sorted(set(technician_ids))
    stmt = select(Technician).where(Technician.status == "active")
    if ids is not None:
        stmt = stmt.where(Technician.id.in_(ids))
    away = _on_leave(session, day, ids)
    out: dict[str, Duty] = {}
    for tech in session.scalars(stmt):
        if tech.id in away or day.weekday() not in tech.work_days:
            continue
        out[tech.id] = Duty(
            technician_id=tech.id,
            day=day,
            start=local(day, _hhmm(tech.shift_start)),
            end=local(day, _hhmm(tech.shift_end)),
            shift_code=None,
            source="pattern",
        )
    return out


def works_on(session: Session, technician_id: str, day: date) -> bool:
    """True when the technician is on duty on ``day``."""
    return technician_id in duty_on(session, day, [technician_id])
