from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog


def test_utc_datetime_round_trips_timezone_aware(session: Session) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 11, 21, 20, 0, tzinfo=beijing)
    session.add(
        AuditLog(
            at=at, actor="t", actor_kind="system", action="create", entity_type="x", entity_id="1"
        )
    )
    session.flush()
    session.expire_all()
    got = session.scalar(select(AuditLog.at).where(AuditLog.entity_type == "x"))
    assert got == at
    assert got is not None and got.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(
        AuditLog(
            at=datetime(2026, 1, 1),
            actor="t",
            actor_kind="system",
            action="create",
            entity_type="x",
            entity_id="2",
        )
    )
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
