from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.auth import service
from openboss.auth.models import User
from openboss.auth.principal import Principal


def _log(session: Session, username_id: str) -> list[AuditLog]:
    return list(
        session.scalars(
            select(AuditLog).where(AuditLog.entity_id == username_id).order_by(AuditLog.id)
        )
    )


def test_create_update_delete_are_logged_with_actor_and_diff(session: Session) -> None:
    session.info["principal"] = Principal(subject="u-1", name="admin1", roles=frozenset({"admin"}))
    user = service.create_user(session, username="dora", password="long-enough", roles=["csr"])
    session.flush()
    user.display_name = "Dora the CSR"
    session.flush()
    session.delete(user)
    session.flush()
    entries = _log(session, user.id)
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert {e.actor for e in entries} == {"admin1"}
    assert entries[1].before == {"display_name": "dora"}
    assert entries[1].after == {"display_name": "Dora the CSR"}
    assert entries[2].before is not None and entries[2].before["username"] == "dora"
    assert all("password_hash" not in (e.after or {}) | (e.before or {}) for e in entries)


def test_rolled_back_work_leaves_no_audit(session: Session) -> None:
    nested = session.begin_nested()
    user = service.create_user(session, username="eve", password="long-enough", roles=["csr"])
    uid = user.id
    nested.rollback()
    assert _log(session, uid) == []
    assert session.scalar(select(User).where(User.username == "eve")) is None


def test_unchanged_assignment_is_not_an_update(session: Session) -> None:
    user = service.create_user(session, username="fay", password="long-enough", roles=["csr"])
    session.flush()
    user.display_name = user.display_name
    session.flush()
    assert [e.action for e in _log(session, user.id)] == ["create"]
