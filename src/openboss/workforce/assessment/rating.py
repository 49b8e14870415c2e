"""Customer rating of field work through a one-time link (客户评价).

eTOM 1.4.2 workforce management (customer feedback on a crew's job) / 1.2.x
customer QoS feedback. When a work order completes, a rating invitation is
created in the same transaction (listener of
:func:`openboss.workforce.hooks.on_work_order_closed`): a random token (only
its sha256 is stored), valid :data:`VALID_DAYS` days, and an outbox event
``RatingInvitationCreateEvent`` carrying the link ``/rate/{token}`` for the
notification channel (SMS) to send. The customer opens the link (no login:
the token is the secret), sees the job's summary and gives 1–5 stars and a
comment, once. The stars feed the ``customerRating`` indicator.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openboss.events import publish
from openboss.kit.clock import utcnow
from openboss.kit.errors import AppError, NotFound, ValidationFailed
from openboss.kit.ids import new_id
from openboss.kit.tmf.attributes import truncate_datetime
from openboss.workforce.assessment.models import RatingInvitation
from openboss.workforce.hooks import Outcome, on_work_order_closed
from openboss.workforce.models import WorkOrder

VALID_DAYS: Final = 14
RATE_PATH: Final = "/rate"
EVENT: Final = "RatingInvitationCreateEvent"
RATED_EVENT: Final = "WorkOrderRatedEvent"
API: Final = "/api/workforce/v1"
MAX_COMMENT: Final = 1000


class RatingClosed(AppError):
    """The link was used already or has expired (HTTP 410 Gone)."""

    status = 410
    code = "GONE"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Invitation:
    row: RatingInvitation
    token: str

    @property
    def link(self) -> str:
        return f"{RATE_PATH}/{self.token}"


def invite(session: Session, work_order: dict[str, Any]) -> Invitation | None:
    """Create the rating invitation of a completed work order (once per order)."""
    order_id = str(work_order["id"])
    existing = session.scalar(
        select(RatingInvitation.id).where(RatingInvitation.work_order_id == order_id)
    )
    if existing is not None:
        return None
    token = secrets.token_urlsafe(32)
    now = truncate_datetime(utcnow())
    row = RatingInvitation(
        id=new_id(),
        work_order_id=order_id,
        token_hash=token_hash(token),
        technician_id=(work_order.get("assignee") or {}).get("id"),
        created_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
        partner_id=work_order.get("partnerId"),
        region_id=work_order.get("regionId"),
    )
    session.add(row)
    session.flush()
    invitation = Invitation(row, token)
    customer = next(
        (p for p in work_order.get("relatedParty") or [] if p.get("role") == "customer"), None
    )
    publish(
        session,
        EVENT,
        "ratingInvitation",
        {
            "id": row.id,
            "workOrder": {"id": order_id, "@referredType": "WorkOrder"},
            "link": invitation.link,
            "expiresAt": row.expires_at.isoformat(),
            "customer": customer,
        },
        api=API,
        domain="workforce",
        partner_id=row.partner_id,
        region_id=row.region_id,
    )
    return invitation


@on_work_order_closed
def _invite_on_completion(session: Session, work_order: dict[str, Any], outcome: Outcome) -> None:
    if outcome == "completed":
        invite(session, work_order)


@dataclass(frozen=True, slots=True)
class Job:
    """What the customer sees on the rating page."""

    invitation: RatingInvitation
    order: WorkOrder

    @property
    def address(self) -> str:
        return str((self.order.place or {}).get("name") or "")


def _find(session: Session, token: str, *, for_update: bool = False) -> RatingInvitation:
    stmt = select(RatingInvitation).where(RatingInvitation.token_hash == token_hash(token))
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound("this rating link is not valid")
    return row


def _check_open(row: RatingInvitation, now: datetime) -> None:
    if row.rated_at is not None:
        raise RatingClosed("this job was rated already", code="ALREADY_RATED")
    if now >= row.expires_at:
        raise RatingClosed("this rating link has expired", code="EXPIRED")


def lookup(session: Session, token: str) -> Job:
    """The job behind a token (404 unknown; 410 used or expired)."""
    row = _find(session, token)
    _check_open(row, utcnow())
    order = session.get(WorkOrder, row.work_order_id)
    if order is None:  # pragma: no cover - cascade deletes the invitation
        raise NotFound("this rating link is not valid")
    return Job(row, order)


def rate(session: Session, token: str, stars: int, comment: str | None) -> RatingInvitation:
    """Record the customer's rating, once (410 when used or expired)."""
    row = _find(session, token, for_update=True)
    _check_open(row, utcnow())
    if not 1 <= stars <= 5:
        raise ValidationFailed("stars must be 1 to 5", field="stars")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(f"comment is longer than {MAX_COMMENT} characters", field="comment")
    now = truncate_datetime(utcnow())
    # guarded: of two concurrent submissions only one finds rated_at still empty
    done = session.execute(
        update(RatingInvitation)
        .where(RatingInvitation.id == row.id, RatingInvitation.rated_at.is_(None))
        .values(stars=stars, comment=text or None, rated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise RatingClosed("this job was rated already", code="ALREADY_RATED")
    session.refresh(row)
    assert row.rated_at is not None
    publish(
        session,
        RATED_EVENT,
        "ratingInvitation",
        {
            "id": row.id,
            "workOrder": {"id": row.work_order_id, "@referredType": "WorkOrder"},
            "stars": stars,
            "comment": row.comment,
            "ratedAt": row.rated_at.isoformat(),
        },
        api=API,
        domain="workforce",
        partner_id=row.partner_id,
        region_id=row.region_id,
    )
    return row
