"""Which appointment slots the field crews can still keep.

eTOM 1.4.2 workforce management (capacity of the crews) for 1.2.1 customer
interaction (offering a visit time).

A day is cut into fixed arrival windows (:data:`SLOTS`, Asia/Shanghai). A
technician can take a slot for a job when they are

* active, of the executing company (the operator's own crews, or the partner's),
  with the required skill at the minimum level;
* serving the address: one of their ``service_areas`` is the address's region
  or one of its ancestors (a district covers its grids);
* working that weekday (weekly pattern) and not on leave that day;
* free: their day's workload (work orders assigned to them that day, and the
  holding appointments of the day that are not yet assigned, each given
  greedily to the first candidate who can take it) leaves a gap where, after
  travelling from home (at shift start) or from the previous job, they arrive
  in the slot and finish the job inside the slot, before their next job
  (travel included) and before the end of their shift.

Travel is estimated from coordinates: haversine distance at
:data:`SPEED_KMH` plus :data:`TRAVEL_OVERHEAD_MIN` minutes (parking, stairs);
:data:`UNKNOWN_TRAVEL_MIN` when a coordinate is missing. A booked job occupies
its whole arrival window (the customer may be visited at any time inside it).

The computation costs a fixed number of queries whatever the window: the
candidates with their skills, their leave, the work orders assigned to them,
and the holding appointments (plus one per level of the region tree).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from openboss.kit.clock import utcnow
from openboss.kit.regions import ancestors
from openboss.workforce import states
from openboss.workforce.appointments.models import Appointment
from openboss.workforce.models import Technician, TechnicianLeave, TechnicianSkill, WorkOrder
from openboss.workforce.service import LOCAL_TZ

#: Arrival windows of a day (local time).
SLOTS: tuple[tuple[time, time], ...] = (
    (time(9), time(11)),
    (time(11), time(13)),
    (time(14), time(16)),
    (time(16), time(18)),
)
SPEED_KMH = 25.0
TRAVEL_OVERHEAD_MIN = 10.0
UNKNOWN_TRAVEL_MIN = 30.0
#: Appointment statuses that hold capacity.
HOLDING = ("initialized", "confirmed")
#: The longest window one search may cover.
MAX_DAYS = 31


@dataclass(frozen=True, slots=True)
class Need:
    """What a visit needs: skill, level, minutes, where, which company."""

    skill: str
    min_level: int
    duration: int
    latitude: float | None
    longitude: float | None
    region_id: str | None
    partner_id: str | None


@dataclass(slots=True)
class _Job:
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None


@dataclass(slots=True)
class _Tech:
    id: str
    lat: float | None
    lon: float | None
    work_days: list[int]
    shift_start: time
    shift_end: time
    areas: frozenset[str]
    skills: dict[str, int]
    leave: list[tuple[date, date]] = field(default_factory=list)
    jobs: dict[date, list[_Job]] = field(default_factory=lambda: defaultdict(list))

    def works_on(self, day: date) -> bool:
        if day.weekday() not in self.work_days:
            return False
        return not any(start <= day <= end for start, end in self.leave)


@dataclass(frozen=True, slots=True)
class SlotCapacity:
    """A slot (UTC) and how many technicians could take it."""

    start: datetime
    end: datetime
    capacity: int


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def travel_minutes(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float:
    """Urban travel time estimate between two points."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return UNKNOWN_TRAVEL_MIN
    return haversine_km(lat1, lon1, lat2, lon2) / SPEED_KMH * 60.0 + TRAVEL_OVERHEAD_MIN


def _hhmm(value: str) -> time:
    h, m = value.split(":")
    return time(int(h), int(m))


def local(day: date, at: time) -> datetime:
    """``day`` at local ``at``, in UTC."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def local_day(when: datetime) -> date:
    return when.astimezone(LOCAL_TZ).date()


def slot_of(start: datetime, end: datetime) -> bool:
    """Whether ``start``–``end`` is one of the day's arrival windows."""
    day = local_day(start)
    return any(local(day, s) == start and local(day, e) == end for s, e in SLOTS)


def region_chain(region_id: str | None) -> frozenset[str]:
    """``region_id`` and the regions containing it (read from the GB/T 2260
    code: :func:`openboss.kit.regions.ancestors`)."""
    return frozenset(ancestors(region_id)) if region_id else frozenset()


# --------------------------------------------------------------------------- loading


def _candidates(session: Session, need: Need, chain: frozenset[str]) -> list[_Tech]:
    """Active technicians of the company with the skill level, serving the address."""
    partner = (
        Technician.partner_id.is_(None)
        if need.partner_id is None
        else Technician.partner_id == need.partner_id
    )
    needed = aliased(TechnicianSkill)
    level = (
        select(needed.level)
        .where(needed.technician_id == Technician.id, needed.skill_id == need.skill)
        .correlate(Technician)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Technician, TechnicianSkill.skill_id, TechnicianSkill.level)
        .join(TechnicianSkill, TechnicianSkill.technician_id == Technician.id)
        .where(Technician.status == "active", partner, level >= need.min_level)
        .order_by(Technician.id)
    )
    techs: dict[str, _Tech] = {}
    for tech, skill_id, skill_level in rows:
        t = techs.get(tech.id)
        if t is None:
            areas = frozenset(tech.service_areas or ([tech.region_id] if tech.region_id else []))
            if chain and not (areas & chain):
                continue
            t = techs[tech.id] = _Tech(
                id=tech.id,
                lat=tech.home_lat,
                lon=tech.home_lon,
                work_days=list(tech.work_days),
                shift_start=_hhmm(tech.shift_start),
                shift_end=_hhmm(tech.shift_end),
                areas=areas,
                skills={},
            )
        t.skills[skill_id] = skill_level
    return list(techs.values())


def _load(
    session: Session,
    techs: Sequence[_Tech],
    first: date,
    last: date,
    *,
    exclude_appointment: str | None,
) -> list[tuple[Appointment, frozenset[str]]]:
    """Fill leave and assigned work orders; return the unassigned holding
    appointments of the window (with their region chains)."""
    by_id = {t.id: t for t in techs}
    ids = list(by_id)
    start, end = local(first, time(0)), local(last + timedelta(days=1), time(0))
    if ids:
        for leave in session.scalars(
            select(TechnicianLeave).where(
                TechnicianLeave.technician_id.in_(ids),
                TechnicianLeave.start_date <= last,
                TechnicianLeave.end_date >= first,
            )
        ):
            by_id[leave.technician_id].leave.append((leave.start_date, leave.end_date))
        when = WorkOrder.window_start
        fallback = and_(WorkOrder.window_start.is_(None), WorkOrder.requested_start >= start)
        for order in session.scalars(
            select(WorkOrder).where(
                WorkOrder.assignee_id.in_(ids),
                WorkOrder.state.not_in(sorted(states.FINAL)),
                or_(
                    and_(when >= start, when < end),
                    and_(fallback, WorkOrder.requested_start < end),
                ),
            )
        ):
            begin = order.window_start or order.requested_start
            assert begin is not None
            finish = max(
                begin + timedelta(minutes=order.estimated_duration),
                order.window_end or begin,
            )
            tech = by_id[order.assignee_id or ""]
            tech.jobs[local_day(begin)].append(_Job(begin, finish, order.latitude, order.longitude))
    stmt = (
        select(Appointment)
        .outerjoin(WorkOrder, WorkOrder.id == Appointment.work_order_id)
        .where(
            Appointment.status.in_(HOLDING),
            Appointment.valid_start >= start,
            Appointment.valid_start < end,
            WorkOrder.assignee_id.is_(None),
        )
        .order_by(Appointment.valid_start, Appointment.created_at, Appointment.id)
    )
    if exclude_appointment is not None:
        stmt = stmt.where(Appointment.id != exclude_appointment)
    pending = list(session.scalars(stmt))
    chains: dict[str | None, frozenset[str]] = {}
    out = []
    for appt in pending:
        if appt.region_id not in chains:
            chains[appt.region_id] = region_chain(appt.region_id)
        out.append((appt, chains[appt.region_id]))
    return out


# --------------------------------------------------------------------------- fitting


def _fits(
    tech: _Tech,
    day: date,
    start: datetime,
    end: datetime,
    duration: int,
    lat: float | None,
    lon: float | None,
) -> bool:
    """Whether ``tech`` can arrive in ``start``–``end`` at (lat, lon) and finish
    the job inside the window, between their other jobs of ``day``."""
    shift_start, shift_end = local(day, tech.shift_start), local(day, tech.shift_end)
    job = timedelta(minutes=duration)
    jobs = sorted(tech.jobs.get(day, []), key=lambda j: j.start)
    prev_time, prev_lat, prev_lon = shift_start, tech.lat, tech.lon
    for nxt in [*jobs, None]:
        arrival = max(
            start, prev_time + timedelta(minutes=travel_minutes(prev_lat, prev_lon, lat, lon))
        )
        limit = min(end, shift_end)
        if nxt is not None:
            limit = min(
                limit, nxt.start - timedelta(minutes=travel_minutes(lat, lon, nxt.lat, nxt.lon))
            )
        if arrival + job <= limit:
            return True
        if nxt is None:
            break
        if nxt.end > prev_time:
            prev_time, prev_lat, prev_lon = nxt.end, nxt.lat, nxt.lon
        if prev_time >= end:
            break
    return False


def _serves(tech: _Tech, appt: Appointment, chain: frozenset[str]) -> bool:
    if tech.skills.get(appt.skill_id, 0) < appt.min_level:
        return False
    return not chain or bool(tech.areas & chain)


def _distribute(
    techs: Sequence[_Tech],
    pending: Iterable[tuple[Appointment, frozenset[str]]],
    partner_id: str | None,
) -> None:
    """Give each unassigned holding appointment to the first candidate who can
    take it (it then occupies its window in that technician's day)."""
    for appt, chain in pending:
        if appt.partner_id != partner_id:
            continue
        day = local_day(appt.valid_start)
        for tech in techs:
            if not tech.works_on(day) or not _serves(tech, appt, chain):
                continue
            if _fits(
                tech,
                day,
                appt.valid_start,
                appt.valid_end,
                appt.duration,
                appt.latitude,
                appt.longitude,
            ):
                tech.jobs[day].append(
                    _Job(appt.valid_start, appt.valid_end, appt.latitude, appt.longitude)
                )
                break


def capacities(
    session: Session,
    need: Need,
    window_start: datetime,
    window_end: datetime,
    *,
    exclude_appointment: str | None = None,
    only: tuple[datetime, datetime] | None = None,
) -> list[SlotCapacity]:
    """Every slot of the window (starting in the future, inside the window) and
    how many technicians could take it; ``only`` restricts to one slot."""
    first, last = local_day(window_start), local_day(window_end - timedelta(seconds=1))
    chain = region_chain(need.region_id)
    techs = _candidates(session, need, chain)
    pending = _load(session, techs, first, last, exclude_appointment=exclude_appointment)
    _distribute(techs, pending, need.partner_id)
    now = utcnow()
    out: list[SlotCapacity] = []
    day = first
    while day <= last:
        for s, e in SLOTS:
            start, end = local(day, s), local(day, e)
            if only is not None and (start, end) != only:
                continue
            if start < window_start or end > window_end or start < now:
                continue
            count = sum(
                1
                for t in techs
                if t.works_on(day)
                and _fits(t, day, start, end, need.duration, need.latitude, need.longitude)
            )
            out.append(SlotCapacity(start, end, count))
        day += timedelta(days=1)
    return out


def describe(slots: list[SlotCapacity]) -> list[dict[str, Any]]:
    return [
        {
            "validFor": {"startDateTime": s.start.isoformat(), "endDateTime": s.end.isoformat()},
            "capacity": s.capacity,
        }
        for s in slots
    ]
