"""SLA clocks of product orders and the business alarms they raise (eTOM 1.1.1.5).

Every accepted order gets a clock from its catalog SLA (``completion_hours``;
48 h for long-process orders in the demo catalog). Its *jeopardy* point lies
at ``jeopardy_percent`` of that time, its *deadline* at the end::

    running ──(jeopardy_at)──► jeopardy ──(deadline)──► breached
       │                          │                        │
       └─ stop ─► met ◄───────────┘                        └─ stop ─► missed
       (cancelled / failed / rejected orders: ─ stop ─► stopped)

Two worker timers (:mod:`openboss.worker.jobs`) fire at the jeopardy point and
at the deadline (dedup keys ``sla.jeopardy:<order>`` / ``sla.breach:<order>``);
:func:`stop_clock` cancels them. Each firing moves the clock, raises a
:class:`~.models.BusinessAlarm` (``orderJeopardy`` minor, ``orderBreach``
major) and publishes ``OrderSlaJeopardyEvent`` / ``OrderSlaBreachEvent`` on the
outbox. Business time is :func:`openboss.kit.clock.utcnow`, so tests move it.

A timer that fires for a clock that was stopped, or that fires early (the
clock was moved), does nothing: handlers are idempotent, as jobs must be.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import Conflict, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.scope import Scope, apply_scope, row_in_scope
from openboss.kit.tmf.attributes import format_datetime, truncate_datetime
from openboss.ordering.sla.models import (
    ALARM_KINDS,
    CLOCK_STATES,
    OPEN_STATES,
    BusinessAlarm,
    OrderSlaClock,
)
from openboss.worker import jobs

#: Where the SLA resources live (not a TMF API).
API: Final = "/api/ordering/v1"

JEOPARDY_JOB: Final = "sla.jeopardy"
BREACH_JOB: Final = "sla.breach"
JEOPARDY_EVENT: Final = "OrderSlaJeopardyEvent"
BREACH_EVENT: Final = "OrderSlaBreachEvent"

#: Alarm states as the list filter names them.
ALARM_STATES: Final = ("raised", "acknowledged", "cleared", "open")
#: Outcomes that give the clock a verdict (met / missed); any other stops it.
_VERDICT_OUTCOMES: Final = frozenset({"completed", "partial"})
MAX_HOURS: Final = 24 * 366


def _now() -> datetime:
    return truncate_datetime(utcnow())


def _iso(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def _job_key(kind: str, order_id: str) -> str:
    return f"{kind}:{order_id}"


def clock_view(clock: OrderSlaClock, now: datetime | None = None) -> dict[str, Any]:
    """The clock as the API shows it; ``secondsLeft`` is negative past the deadline
    and, for a stopped clock, what was left when it stopped."""
    at = clock.stopped_at if clock.stopped_at is not None else (now or _now())
    view: dict[str, Any] = {
        "productOrderId": clock.product_order_id,
        "href": f"{API}/slaClocks/{clock.product_order_id}",
        "state": clock.state,
        "startedAt": _iso(clock.started_at),
        "jeopardyAt": _iso(clock.jeopardy_at),
        "deadline": _iso(clock.deadline),
        "completionHours": clock.completion_hours,
        "jeopardyPercent": clock.jeopardy_percent,
        "secondsLeft": int((clock.deadline - at).total_seconds()),
        "regionId": clock.region_id,
    }
    if clock.stopped_at is not None:
        view["stoppedAt"] = _iso(clock.stopped_at)
        view["outcome"] = clock.outcome
    return view


def alarm_view(alarm: BusinessAlarm) -> dict[str, Any]:
    if alarm.cleared_at is not None:
        state = "cleared"
    elif alarm.acknowledged_at is not None:
        state = "acknowledged"
    else:
        state = "raised"
    return {
        "id": alarm.id,
        "href": f"{API}/businessAlarms/{alarm.id}",
        "kind": alarm.kind,
        "state": state,
        "severity": alarm.severity,
        "text": alarm.text,
        "object": {"id": alarm.object_id, "@referredType": alarm.object_type},
        "raisedAt": _iso(alarm.raised_at),
        "acknowledgedBy": alarm.acknowledged_by,
        "acknowledgedAt": _iso(alarm.acknowledged_at),
        "clearedAt": _iso(alarm.cleared_at),
        "regionId": alarm.region_id,
    }


# --------------------------------------------------------------------------- clocks


def start_clock(
    session: Session,
    *,
    product_order_id: str,
    completion_hours: int,
    jeopardy_percent: int,
    started_at: datetime | None = None,
    region_id: str | None = None,
) -> dict[str, Any]:
    """Start the order's clock and schedule its jeopardy and breach timers.

    Idempotent: a second call for the same order returns the existing clock
    unchanged. ``region_id`` (the order's region) scopes the clock and alarms.
    """
    if not product_order_id or len(product_order_id) > 64:
        raise ValidationFailed("product_order_id must be 1..64 characters", field="productOrderId")
    if not 1 <= completion_hours <= MAX_HOURS:
        raise ValidationFailed(f"completion_hours must be 1..{MAX_HOURS}", field="completionHours")
    if not 1 <= jeopardy_percent <= 100:
        raise ValidationFailed("jeopardy_percent must be 1..100", field="jeopardyPercent")
    if started_at is not None and started_at.tzinfo is None:
        raise ValidationFailed("started_at must be timezone-aware", field="startedAt")
    existing = session.get(OrderSlaClock, product_order_id)
    if existing is not None:
        return clock_view(existing)
    start = truncate_datetime(started_at) if started_at is not None else _now()
    total = timedelta(hours=completion_hours)
    clock = OrderSlaClock(
        product_order_id=product_order_id,
        state="running",
        started_at=start,
        deadline=start + total,
        jeopardy_at=start + total * jeopardy_percent / 100,
        completion_hours=completion_hours,
        jeopardy_percent=jeopardy_percent,
        region_id=region_id,
    )
    session.add(clock)
    session.flush()
    payload = {"productOrderId": product_order_id}
    if jeopardy_percent < 100:
        jobs.enqueue(
            session,
            JEOPARDY_JOB,
            payload,
            run_at=clock.jeopardy_at,
            dedup_key=_job_key(JEOPARDY_JOB, product_order_id),
            fresh_key=True,  # the clock row was just inserted: no timer of it exists
        )
    jobs.enqueue(
        session,
        BREACH_JOB,
        payload,
        run_at=clock.deadline,
        dedup_key=_job_key(BREACH_JOB, product_order_id),
        fresh_key=True,
    )
    return clock_view(clock)


def stop_clock(session: Session, product_order_id: str, outcome: str) -> dict[str, Any] | None:
    """Stop the order's clock (``None`` when the order has none).

    ``outcome`` ``completed`` or ``partial`` gives ``met`` (before the deadline)
    or ``missed``; any other outcome (cancelled, failed, rejected) ``stopped``.
    Pending timers are cancelled and the order's alarms cleared. Stopping a
    stopped clock changes nothing.
    """
    clock = session.get(OrderSlaClock, product_order_id, with_for_update=True)
    if clock is None:
        return None
    if clock.state not in OPEN_STATES:
        return clock_view(clock)
    now = _now()
    if outcome in _VERDICT_OUTCOMES:
        clock.state = "met" if now <= clock.deadline else "missed"
    else:
        clock.state = "stopped"
    clock.stopped_at = now
    clock.outcome = (outcome or "unknown")[:32]
    jobs.cancel(session, _job_key(JEOPARDY_JOB, product_order_id))
    jobs.cancel(session, _job_key(BREACH_JOB, product_order_id))
    for alarm in session.scalars(
        select(BusinessAlarm).where(
            BusinessAlarm.object_id == product_order_id, BusinessAlarm.cleared_at.is_(None)
        )
    ):
        alarm.cleared_at = now
    session.flush()
    return clock_view(clock, now)


def clock_of(session: Session, product_order_id: str) -> dict[str, Any] | None:
    """The order's clock (deadline, jeopardyAt, state, secondsLeft …) or ``None``."""
    clock = session.get(OrderSlaClock, product_order_id)
    return clock_view(clock) if clock is not None else None


def clocks_of(session: Session, product_order_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Clocks of many orders at once (for order lists), by order id."""
    if not product_order_ids:
        return {}
    now = _now()
    rows = session.scalars(
        select(OrderSlaClock).where(OrderSlaClock.product_order_id.in_(product_order_ids))
    )
    return {c.product_order_id: clock_view(c, now) for c in rows}


def clocks_in_state(
    session: Session, scope: Scope, state: str, *, limit: int = 500
) -> list[dict[str, Any]]:
    """Clocks in ``state`` the caller may see, nearest deadline first (console filters)."""
    if state not in CLOCK_STATES:
        raise ValidationFailed(f"state must be one of {', '.join(CLOCK_STATES)}", field="state")
    stmt = (
        apply_scope(select(OrderSlaClock), OrderSlaClock, scope)
        .where(OrderSlaClock.state == state)
        .order_by(OrderSlaClock.deadline, OrderSlaClock.product_order_id)
        .limit(max(1, min(limit, 1000)))
    )
    now = _now()
    return [clock_view(c, now) for c in session.scalars(stmt)]


def scoped_clock(session: Session, scope: Scope, product_order_id: str) -> dict[str, Any]:
    """The clock if the caller may see it (404 otherwise)."""
    clock = session.get(OrderSlaClock, product_order_id)
    if clock is None or not row_in_scope(clock, scope):
        raise NotFound(f"no SLA clock for product order '{product_order_id}'", field="orderId")
    return clock_view(clock)


# --------------------------------------------------------------------------- timers


def _raise_alarm(
    session: Session, clock: OrderSlaClock, kind: str, severity: str, text: str
) -> BusinessAlarm:
    existing = session.scalar(
        select(BusinessAlarm).where(
            BusinessAlarm.kind == kind, BusinessAlarm.object_id == clock.product_order_id
        )
    )
    if existing is not None:
        return existing
    alarm = BusinessAlarm(
        id=new_id(),
        kind=kind,
        object_type="ProductOrder",
        object_id=clock.product_order_id,
        severity=severity,
        text=text,
        raised_at=_now(),
        region_id=clock.region_id,
    )
    session.add(alarm)
    session.flush()
    return alarm


def _publish(session: Session, event_type: str, clock: OrderSlaClock, alarm: BusinessAlarm) -> None:
    resource = {"id": clock.product_order_id, **clock_view(clock)}
    resource["productOrder"] = {
        "id": clock.product_order_id,
        "@referredType": "ProductOrder",
    }
    resource["businessAlarm"] = alarm_view(alarm)
    publish(
        session,
        event_type,
        "slaClock",
        resource,
        api=API,
        domain="ordering",
        title=alarm.text,
        priority="2" if alarm.kind == "orderBreach" else "3",
        region_id=clock.region_id,
    )


def fire_jeopardy(session: Session, product_order_id: str) -> bool:
    """The jeopardy timer: running → jeopardy, alarm, event. False when nothing was due."""
    clock = session.get(OrderSlaClock, product_order_id, with_for_update=True)
    if clock is None or clock.state != "running" or _now() < clock.jeopardy_at:
        return False
    clock.state = "jeopardy"
    hours = clock.completion_hours
    alarm = _raise_alarm(
        session,
        clock,
        "orderJeopardy",
        "minor",
        f"product order {product_order_id}: {clock.jeopardy_percent}% of its {hours} h SLA "
        f"used; deadline {_iso(clock.deadline)}",
    )
    session.flush()
    _publish(session, JEOPARDY_EVENT, clock, alarm)
    return True


def fire_breach(session: Session, product_order_id: str) -> bool:
    """The deadline timer: running/jeopardy → breached, alarm, event (the jeopardy
    alarm is cleared: the breach supersedes it)."""
    clock = session.get(OrderSlaClock, product_order_id, with_for_update=True)
    if clock is None or clock.state not in ("running", "jeopardy") or _now() < clock.deadline:
        return False
    now = _now()
    clock.state = "breached"
    for old in session.scalars(
        select(BusinessAlarm).where(
            BusinessAlarm.object_id == product_order_id,
            BusinessAlarm.kind == "orderJeopardy",
            BusinessAlarm.cleared_at.is_(None),
        )
    ):
        old.cleared_at = now
    alarm = _raise_alarm(
        session,
        clock,
        "orderBreach",
        "major",
        f"product order {product_order_id}: SLA of {clock.completion_hours} h breached "
        f"(deadline {_iso(clock.deadline)})",
    )
    session.flush()
    _publish(session, BREACH_EVENT, clock, alarm)
    return True


def _order_id(payload: Mapping[str, Any]) -> str:
    value = payload.get("productOrderId")
    if not isinstance(value, str) or not value:
        raise ValueError("SLA timer payload lacks productOrderId")
    return value


@jobs.job_handler(JEOPARDY_JOB)
def _on_jeopardy(session: Session, payload: dict[str, Any]) -> None:
    fire_jeopardy(session, _order_id(payload))


@jobs.job_handler(BREACH_JOB)
def _on_breach(session: Session, payload: dict[str, Any]) -> None:
    fire_breach(session, _order_id(payload))


# --------------------------------------------------------------------------- alarms


def _alarm_filter(stmt: Any, state: str | None, kind: str | None) -> Any:
    if state is not None:
        if state not in ALARM_STATES:
            raise ValidationFailed(f"state must be one of {', '.join(ALARM_STATES)}", field="state")
        if state == "raised":
            stmt = stmt.where(
                BusinessAlarm.cleared_at.is_(None), BusinessAlarm.acknowledged_at.is_(None)
            )
        elif state == "acknowledged":
            stmt = stmt.where(
                BusinessAlarm.cleared_at.is_(None), BusinessAlarm.acknowledged_at.is_not(None)
            )
        elif state == "cleared":
            stmt = stmt.where(BusinessAlarm.cleared_at.is_not(None))
        else:  # open: raised or acknowledged
            stmt = stmt.where(BusinessAlarm.cleared_at.is_(None))
    if kind is not None:
        if kind not in ALARM_KINDS:
            raise ValidationFailed(f"kind must be one of {', '.join(ALARM_KINDS)}", field="kind")
        stmt = stmt.where(BusinessAlarm.kind == kind)
    return stmt


def alarms(
    session: Session,
    scope: Scope,
    *,
    state: str | None = None,
    kind: str | None = None,
    object_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Business alarms (jeopardy, breach) the caller may see, newest first.

    ``state``: raised (not yet acknowledged), acknowledged, cleared, or open
    (raised or acknowledged)."""
    if offset < 0:
        raise ValidationFailed("offset must not be negative", field="offset")
    if not 1 <= limit <= 1000:
        raise ValidationFailed("limit must be 1..1000", field="limit")
    stmt = _alarm_filter(apply_scope(select(BusinessAlarm), BusinessAlarm, scope), state, kind)
    if object_id is not None:
        stmt = stmt.where(BusinessAlarm.object_id == object_id)
    stmt = stmt.order_by(BusinessAlarm.raised_at.desc(), BusinessAlarm.id.desc())
    return [alarm_view(a) for a in session.scalars(stmt.offset(offset).limit(limit))]


def count_alarms(
    session: Session,
    scope: Scope,
    *,
    state: str | None = None,
    kind: str | None = None,
    object_id: str | None = None,
) -> int:
    stmt = _alarm_filter(
        apply_scope(select(func.count()).select_from(BusinessAlarm), BusinessAlarm, scope),
        state,
        kind,
    )
    if object_id is not None:
        stmt = stmt.where(BusinessAlarm.object_id == object_id)
    return int(session.scalar(stmt) or 0)


def acknowledge(session: Session, scope: Scope, alarm_id: str, *, by: str) -> dict[str, Any]:
    """Acknowledge an alarm (someone has it in hand). 409 when already
    acknowledged by someone or cleared; 404 when missing or out of scope."""
    alarm = session.get(BusinessAlarm, alarm_id, with_for_update=True)
    if alarm is None or not row_in_scope(alarm, scope):
        raise NotFound(f"business alarm '{alarm_id}' not found", field="id")
    if alarm.cleared_at is not None:
        raise Conflict(f"business alarm '{alarm_id}' is cleared", field="state", code="CLEARED")
    if alarm.acknowledged_at is not None:
        raise Conflict(
            f"business alarm '{alarm_id}' was acknowledged by {alarm.acknowledged_by}",
            field="state",
            code="ALREADY_ACKNOWLEDGED",
        )
    alarm.acknowledged_by = by[:128]
    alarm.acknowledged_at = _now()
    session.flush()
    return alarm_view(alarm)
