from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.auth import service
from openboss.auth.models import User


def test_password_grant_issues_a_bearer_token(client: TestClient, make_user: Any) -> None:
    make_user("alice", "correct-horse", roles=["csr"], region_ids=["gz"])
    r = client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "alice", "password": "correct-horse"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["roles"] == ["csr"]
    assert me.json()["regions"] == ["gz"]


def test_wrong_password_is_401_in_tmf_error_shape(client: TestClient, make_user: Any) -> None:
    make_user("bob", "right-password")
    r = client.post(
        "/auth/token", data={"grant_type": "password", "username": "bob", "password": "wrong"}
    )
    assert r.status_code == 401
    assert r.json()["@type"] == "Error"
    assert r.json()["code"] == "INVALID_GRANT"
    r = client.post(
        "/auth/token", data={"grant_type": "password", "username": "nobody", "password": "x"}
    )
    assert r.status_code == 401


def test_missing_and_unsupported_grant_fields_are_400(client: TestClient) -> None:
    r = client.post("/auth/token", data={"grant_type": "password", "username": "x"})
    assert r.status_code == 400
    assert r.json()["field"] == "password"
    r = client.post("/auth/token", data={"grant_type": "implicit"})
    assert r.status_code == 400
    assert r.json()["code"] == "unsupported_grant_type"
    r = client.post("/auth/token", data={})
    assert r.status_code == 400
    assert r.json()["field"] == "grant_type"


def test_client_credentials_for_a_partner_system(client: TestClient, session: Session) -> None:
    service.create_api_client(
        session,
        client_id="partner-sys",
        secret="a-long-partner-secret",
        name="Partner A",
        roles=["partner"],
        partner_id="P1",
    )
    session.commit()
    r = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "partner-sys",
            "client_secret": "a-long-partner-secret",
        },
    )
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["kind"] == "client"
    assert me["partnerId"] == "P1"
    basic = base64.b64encode(b"partner-sys:a-long-partner-secret").decode()
    r = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200
    r = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "partner-sys",
            "client_secret": "wrong-secret-xxxxxxx",
        },
    )
    assert r.status_code == 401


def test_api_needs_a_valid_token(client: TestClient) -> None:
    assert client.get("/auth/me").status_code == 401
    r = client.get("/auth/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401
    assert r.json()["code"] == "INVALID_TOKEN"
    assert client.get("/health").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_login_is_audited_and_password_hash_is_not(
    client: TestClient, session: Session, make_user: Any
) -> None:
    make_user("carol", "pass-word-1")
    entries = session.scalars(select(AuditLog).where(AuditLog.entity_type == "auth_user")).all()
    assert [e.action for e in entries] == ["create"]
    assert "password_hash" not in (entries[0].after or {})
    assert entries[0].after["username"] == "carol"
    client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "carol", "password": "pass-word-1"},
    )
    session.expire_all()
    updates = session.scalars(select(AuditLog).where(AuditLog.action == "update")).all()
    assert any("last_login_at" in (u.after or {}) for u in updates)
    assert session.scalar(select(User.last_login_at).where(User.username == "carol")) is not None


def test_console_cookie_is_not_an_api_credential(client: TestClient, make_user: Any) -> None:
    make_user("gina", "long-password")
    token = client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "gina", "password": "long-password"},
    ).json()["access_token"]
    client.cookies.set("openboss_token", token)
    assert client.get("/auth/me").status_code == 401
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_over_long_fields_are_400_not_500(session: Session) -> None:
    import pytest

    from openboss.kit.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="displayName must have at most 128"):
        service.create_user(
            session, username="hal", password="long-password", roles=["csr"], display_name="x" * 129
        )
    with pytest.raises(ValidationFailed, match="partnerId"):
        service.create_user(
            session,
            username="hal",
            password="long-password",
            roles=["partner"],
            partner_id="p" * 65,
        )


def test_token_login_is_attributed_to_the_user(
    client: TestClient, session: Session, make_user: Any
) -> None:
    make_user("ivan", "long-password")
    client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "ivan", "password": "long-password"},
    )
    session.expire_all()
    rows = session.scalars(
        select(AuditLog).where(AuditLog.action == "update", AuditLog.entity_type == "auth_user")
    ).all()
    assert [r.actor for r in rows] == ["ivan"]
