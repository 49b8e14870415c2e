"""Administration screens: the user list and form, the audit log and its filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.auth.models import User
from openboss.auth.passwords import hash_password
from openboss.kit.clock import utcnow
from tests.web.conftest import csrf_from

USERS = "/console/admin/users"
AUDIT = "/console/admin/audit"
HTMX = {"HX-Request": "true"}


def usernames(html: str) -> list[str]:
    return re.findall(r'<tr data-username="([^"]+)"', html)


def add_users(session: Session, count: int) -> None:
    """Many users at once (one password hash shared: hashing is deliberately slow)."""
    password_hash = hash_password("s3cret-pass")
    session.add_all(
        User(
            username=f"user{i:03d}",
            display_name=f"User {i}",
            password_hash=password_hash,
            roles=["csr"],
        )
        for i in range(count)
    )
    session.commit()


def new_user_form(client: TestClient, **fields: Any) -> dict[str, Any]:
    page = client.get(USERS)
    assert page.status_code == 200
    data: dict[str, Any] = {"csrf_token": csrf_from(page.text), "password": "initial-pass-1"}
    data.update(fields)
    return data


def test_users_list_shows_accounts_with_their_scope(
    make_user: Any, console_as: Callable[..., TestClient]
) -> None:
    make_user("zoe", roles=["partner"], partner_id="P-77", region_ids=["gz"], display_name="Zoe Z")
    make_user("amy", roles=["csr", "dispatcher"])
    page = console_as("admin").get(f"{USERS}?lang=en").text
    assert usernames(page) == ["amy", "zoe"]
    zoe = page[page.index('data-username="zoe"') :]
    for text in ("Zoe Z", "partner", "P-77", "gz", "Active", "Never"):
        assert text in zoe.split("</tr>")[0]
    amy = page[page.index('data-username="amy"') :].split("</tr>")[0]
    assert "All regions" in amy


def test_users_page_with_htmx_fragments(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    add_users(session, 30)
    client = console_as("admin")
    first = client.get(f"{USERS}?lang=en")
    assert usernames(first.text) == [f"user{i:03d}" for i in range(25)]
    assert "Showing 1–25 of 30" in first.text
    assert f'href="{USERS}?lang=en&amp;page=2"' in first.text
    second = client.get(f"{USERS}?page=2", headers={**HTMX, "HX-Target": "users-table"})
    assert second.status_code == 200
    assert second.text.lstrip().startswith(
        '<section class="ob-card ob-swap-target" id="users-table"'
    )
    assert "<html" not in second.text
    assert usernames(second.text) == [f"user{i:03d}" for i in range(25, 30)]
    bigger = client.get(f"{USERS}?size=50")
    assert len(usernames(bigger.text)) == 30
    # an htmx history restore asks for the whole page
    restore = client.get(
        f"{USERS}?page=2",
        headers={**HTMX, "HX-Target": "users-table", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_creating_a_user_through_the_form(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    client = console_as("admin", name="root")
    form = new_user_form(
        client,
        username="nina",
        display_name="Nina N",
        roles=["csr", "billing"],
        region_ids="gz, sz",
        partner_id="",
        locale="en",
    )
    r = client.post(USERS, data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == USERS
    user = session.scalars(select(User).where(User.username == "nina")).one()
    assert user.roles == ["csr", "billing"]
    assert user.region_ids == ["gz", "sz"]
    assert user.partner_id is None
    assert user.locale == "en"
    assert user.display_name == "Nina N"
    entry = session.scalars(select(AuditLog).where(AuditLog.entity_id == user.id)).one()
    assert entry.actor == "root"
    assert entry.action == "create"
    assert "nina" in usernames(client.get(USERS).text)


def test_creating_a_user_with_htmx_refreshes_form_and_table(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    client = console_as("admin")
    form = new_user_form(client, username="omar", roles=["noc"])
    r = client.post(
        USERS, data=form, headers={**HTMX, "HX-Target": "user-create"}, follow_redirects=False
    )
    assert r.status_code == 200
    assert "<html" not in r.text
    assert 'id="user-created"' in r.text
    assert "用户 omar 已创建。" in r.text
    assert 'hx-swap-oob="true"' in r.text  # the table is swapped out of band
    assert "omar" in usernames(r.text)
    assert 'name="username" value=""' in r.text  # the form is emptied for the next one
    assert session.scalar(select(User.id).where(User.username == "omar")) is not None


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"username": "x", "roles": ["csr"]}, 400, "username", "Use 2 to 64 letters"),
        (
            {"username": "pat", "roles": ["csr"], "password": "short"},
            400,
            "password",
            "Use at least 8 characters.",
        ),
        (
            {"username": "pat", "roles": ["csr"], "password": "demo"},
            400,
            "password",
            "only allowed in demo mode",
        ),
        (
            {"username": "pat", "roles": ["csr"], "password": ""},
            400,
            "password",
            "Enter an initial password.",
        ),
        ({"username": "pat"}, 400, "roles", "Choose at least one role."),
        ({"username": "pat", "roles": ["csr", "root"]}, 400, "roles", "Unknown role: root"),
        (
            {"username": "pat", "roles": ["partner"]},
            400,
            "partner_id",
            "A partner user needs a partner id.",
        ),
        (
            {"username": "pat", "roles": ["csr"], "display_name": "x" * 129},
            400,
            "display_name",
            "Use at most 128",
        ),
        (
            {"username": "pat", "roles": ["csr"], "locale": "fr"},
            400,
            "locale",
            "Choose one of the offered",
        ),
        (
            {"username": "taken", "roles": ["csr"]},
            409,
            "username",
            "This username is already taken.",
        ),
    ],
)
def test_invalid_users_are_refused_inline(
    session: Session,
    make_user: Any,
    console_as: Callable[..., TestClient],
    fields: dict[str, Any],
    status: int,
    field: str,
    message: str,
) -> None:
    make_user("taken")
    client = console_as("admin")
    client.cookies.set("lang", "en")
    before = session.scalar(select(User.id).where(User.username == "pat"))
    assert before is None
    r = client.post(USERS, data=new_user_form(client, **fields), follow_redirects=False)
    assert r.status_code == status, r.text
    assert "The user was not created." in r.text
    error = re.search(rf'id="{field}-error">([^<]+)<', r.text)
    assert error, f"no inline error for {field}"
    assert message in error.group(1)
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in r.text
    # what was typed is kept (never the password)
    if fields.get("username"):
        assert f'value="{fields["username"]}"' in r.text
    assert 'name="password" type="password"' in r.text and "initial-pass-1" not in r.text
    session.expire_all()
    assert session.scalar(select(User.id).where(User.username == "pat")) is None


def test_inline_errors_are_translated_and_swapped_by_htmx(
    console_as: Callable[..., TestClient],
) -> None:
    client = console_as("admin")
    form = new_user_form(client, username="q", roles=["csr"], password="short")
    r = client.post(USERS, data=form, headers={**HTMX, "HX-Target": "user-create"})
    assert r.status_code == 400
    assert r.headers["x-console-fragment"] == "true"  # htmx swaps it despite the 400
    assert "<html" not in r.text
    assert "用户未创建。请修正标出的字段。" in r.text
    assert "请使用 2 到 64 个字母" in r.text


def test_only_admins_manage_users(
    client: TestClient, session: Session, console_as: Callable[..., TestClient]
) -> None:
    client = console_as("admin")
    token = csrf_from(client.get(USERS).text)
    console_as("manager")
    r = client.post(
        USERS,
        data={
            "csrf_token": token,
            "username": "mallory",
            "password": "long-enough",
            "roles": ["admin"],
        },
    )
    assert r.status_code == 403
    assert session.scalar(select(User.id).where(User.username == "mallory")) is None


def test_creating_users_needs_the_csrf_token(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    client = console_as("admin")
    client.get(USERS)
    r = client.post(
        USERS, data={"username": "sneaky", "password": "long-enough", "roles": ["admin"]}
    )
    assert r.status_code == 403
    assert session.scalar(select(User.id).where(User.username == "sneaky")) is None


def seed_audit(session: Session) -> None:
    now = utcnow()
    rows = [
        ("alice", "create", "auth_user", "u1", None, {"username": "u1", "roles": ["csr"]}),
        (
            "alice",
            "update",
            "auth_user",
            "u1",
            {"display_name": "Old Name"},
            {"display_name": "New Name"},
        ),
        (
            "bob",
            "state_change",
            "party_customer",
            "c9",
            {"state": "initialized"},
            {"state": "validated"},
        ),
        ("bob", "delete", "auth_user", "u2", {"username": "u2"}, None),
    ]
    session.add_all(
        AuditLog(
            at=now,
            actor=actor,
            actor_kind="user",
            action=action,
            entity_type=etype,
            entity_id=eid,
            before=before,
            after=after,
        )
        for actor, action, etype, eid, before, after in rows
    )
    session.commit()


def audit_ids(html: str) -> int:
    return len(re.findall(r"<tr data-audit-id=", html))


def test_audit_log_filters(session: Session, console_as: Callable[..., TestClient]) -> None:
    seed_audit(session)
    client = console_as("manager")
    page = client.get(f"{AUDIT}?lang=en")
    assert page.status_code == 200
    assert audit_ids(page.text) == 4
    assert client.get(f"{AUDIT}?actor=alice").text.count("<tr data-audit-id=") == 2
    assert audit_ids(client.get(f"{AUDIT}?actor=bob&action=delete").text) == 1
    assert audit_ids(client.get(f"{AUDIT}?entity_type=party_customer").text) == 1
    assert audit_ids(client.get(f"{AUDIT}?entity_type=auth_user&entity_id=u1").text) == 2
    empty = client.get(f"{AUDIT}?actor=nobody&lang=en").text
    assert audit_ids(empty) == 0
    assert "No audit entries match these filters." in empty
    # before -> after is shown for updates and state changes
    change = client.get(f"{AUDIT}?action=state_change").text
    assert re.search(
        r'ob-diff-old">&#34;initialized&#34;</span> → <span class="ob-diff-new">&#34;validated&#34;',
        change,
    )
    # filters keep their values in the form
    assert 'name="actor" value="alice"' in client.get(f"{AUDIT}?actor=alice").text


def test_audit_log_htmx_fragment_and_paging(
    session: Session, console_as: Callable[..., TestClient]
) -> None:
    seed_audit(session)
    client = console_as("admin")
    r = client.get(f"{AUDIT}?actor=alice", headers={**HTMX, "HX-Target": "audit-table"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="ob-card ob-swap-target" id="audit-table"')
    assert audit_ids(r.text) == 2
    session.add_all(
        AuditLog(
            at=utcnow(),
            actor="bulk",
            actor_kind="user",
            action="update",
            entity_type="auth_user",
            entity_id=f"b{i}",
            before={"x": i},
            after={"x": i + 1},
        )
        for i in range(30)
    )
    session.commit()
    first = client.get(f"{AUDIT}?actor=bulk&lang=en")
    assert audit_ids(first.text) == 25
    assert "Showing 1–25 of 30" in first.text
    second = client.get(f"{AUDIT}?actor=bulk&page=2", headers={**HTMX, "HX-Target": "audit-table"})
    assert audit_ids(second.text) == 5


def test_audit_log_rejects_unknown_filters(console_as: Callable[..., TestClient]) -> None:
    r = console_as("admin").get(f"{AUDIT}?action=explode&lang=en")
    assert r.status_code == 400
    assert "action" in r.text
    r = console_as("admin").get(f"{AUDIT}?actor={'x' * 65}&lang=en")
    assert r.status_code == 400
    assert "actor" in r.text
