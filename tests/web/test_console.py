"""The console shell: sign-in and sign-out, redirects, CSRF, navigation by role, language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from openboss.audit.models import AuditLog
from openboss.auth.deps import SESSION_COOKIE
from openboss.auth.models import User
from openboss.web.csrf import CSRF_COOKIE
from openboss.web.shell import LANG_COOKIE
from tests.web.conftest import csrf_from, login


def nav_links(html: str) -> set[str]:
    """URLs of the side navigation's entries."""
    return set(re.findall(r'data-nav="([^"]+)"', html))


def test_root_redirects_to_the_console(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "/console"


def test_pages_need_a_session_and_come_back_after_sign_in(
    client: TestClient, make_user: Any
) -> None:
    r = client.get("/console/admin/audit?actor=bob", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=%2Fconsole%2Fadmin%2Faudit%3Factor%3Dbob"
    r = client.get("/console", follow_redirects=False)
    assert r.headers["location"] == "/console/login?next=%2Fconsole"

    make_user("ada", roles=["admin"])
    r = login(client, "ada", next_url="/console/admin/audit?actor=bob")
    assert r.status_code == 303
    assert r.headers["location"] == "/console/admin/audit?actor=bob"


def test_htmx_requests_without_a_session_get_hx_redirect(client: TestClient) -> None:
    r = client.get(
        "/console/admin/users",
        headers={"HX-Request": "true", "HX-Target": "users-table"},
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert r.headers["hx-redirect"].startswith("/console/login?next=")


def test_sign_in_sets_an_httponly_lax_cookie(
    client: TestClient, session: Session, make_user: Any
) -> None:
    make_user("alice", roles=["csr"], region_ids=["gz"])
    r = login(client, "alice")
    assert r.status_code == 303
    assert r.headers["location"] == "/console"
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    page = client.get("/console")
    assert page.status_code == 200
    assert "alice" in page.text
    assert 'data-nav="/console"' in page.text
    # the sign-in is attributed to alice in the audit log, not to "system"
    session.expire_all()
    entry = session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "auth_user", AuditLog.action == "update")
    ).one()
    assert entry.actor == "alice"
    assert "last_login_at" in (entry.after or {})


def test_failed_sign_in_shows_the_form_again_with_a_translated_error(
    client: TestClient, session: Session, make_user: Any
) -> None:
    make_user("bob", "right-password")
    r = login(client, "bob", "wrong-password")
    assert r.status_code == 401
    assert "用户名或密码错误。" in r.text  # default language zh_CN
    assert 'value="bob"' in r.text  # username kept, password never echoed
    assert "wrong-password" not in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    client.cookies.set(LANG_COOKIE, "en")
    r = login(client, "nobody", "whatever-pass")
    assert r.status_code == 401
    assert "Invalid username or password." in r.text
    r = login(client, "", "")
    assert r.status_code == 400
    assert "Enter your username and password." in r.text
    session.expire_all()
    assert session.scalar(select(User.last_login_at).where(User.username == "bob")) is None


def test_sign_in_never_redirects_off_site(client: TestClient, make_user: Any) -> None:
    make_user("carol")
    for evil in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        client.cookies.clear()
        r = login(client, "carol", next_url=evil)
        assert r.status_code == 303
        assert r.headers["location"] == "/console", evil


def test_sign_out_ends_the_session(client: TestClient, make_user: Any) -> None:
    make_user("dave")
    login(client, "dave")
    page = client.get("/console")
    r = client.post(
        "/console/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login"
    assert any(
        v.startswith(f'{SESSION_COOKIE}=""') or "Max-Age=0" in v
        for v in r.headers.get_list("set-cookie")
    )
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_posts_without_a_valid_csrf_token_are_rejected(
    client: TestClient, session: Session, make_user: Any
) -> None:
    make_user("erin")
    # no token at all
    r = client.post(
        "/console/login",
        data={"username": "erin", "password": "s3cret-pass"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "安全令牌" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    # a forged token with the right cookie
    client.get("/console/login")
    assert client.cookies.get(CSRF_COOKIE)
    r = client.post(
        "/console/login",
        data={"username": "erin", "password": "s3cret-pass", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    session.expire_all()
    assert session.scalar(select(User.last_login_at).where(User.username == "erin")) is None
    # the token of the anonymous sign-in page does not authorise posts once signed in
    anonymous_token = csrf_from(client.get("/console/login").text)
    login(client, "erin")
    r = client.post("/console/logout", data={"csrf_token": anonymous_token}, follow_redirects=False)
    assert r.status_code == 403
    # ...but the session's own token, sent as htmx's header, does
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console").text)
    assert token
    r = client.post(
        "/console/logout", headers={"X-CSRF-Token": token.group(1)}, follow_redirects=False
    )
    assert r.status_code == 303


def test_a_forged_or_expired_cookie_counts_as_signed_out(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "not-a-jwt")
    r = client.get("/console", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/console/login")
    assert any(v.startswith(f'{SESSION_COOKIE}=""') for v in r.headers.get_list("set-cookie"))
    r = client.get("/console/login")
    assert r.status_code == 200


def test_navigation_shows_only_what_the_roles_allow(
    client: TestClient, console_as: Callable[..., TestClient]
) -> None:
    csr = nav_links(console_as("csr").get("/console").text)
    assert {"/console", "/console/party/customers", "/console/party/interactions"} <= csr
    assert not {u for u in csr if u.startswith("/console/admin")}
    manager = nav_links(console_as("manager").get("/console").text)
    assert "/console/admin/audit" in manager
    assert "/console/admin/users" not in manager
    assert "/console/party/interactions/report" in manager
    assert "/console/party/interactions/report" not in csr
    admin = nav_links(console_as("admin").get("/console").text)
    assert {"/console", "/console/admin/users", "/console/admin/audit"} <= admin
    # hiding is not the protection: the screens check the role themselves
    console_as("csr")
    r = client.get("/console/admin/users")
    assert r.status_code == 403
    assert "您无权访问此页面" in r.text
    assert client.get("/console/admin/audit").status_code == 403
    console_as("manager")
    assert client.get("/console/admin/users").status_code == 403
    assert client.get("/console/admin/audit").status_code == 200


def test_dashboard_shows_the_principal_and_real_counts(
    client: TestClient, make_user: Any, console_as: Callable[..., TestClient]
) -> None:
    make_user("u1")
    make_user("u2")
    page = console_as("admin", name="root").get("/console?lang=en").text
    assert re.search(r'id="stat-users".*?ob-stat-value">2<', page, re.S)
    assert re.search(r'id="stat-audit".*?ob-stat-value">2<', page, re.S)  # two user creations
    page = (
        console_as(["csr", "dispatcher"], regions=["gz", "sz"], partner_id="P9")
        .get("/console")
        .text
    )
    assert "stat-users" not in page
    assert "stat-audit" not in page
    profile = page[page.index('id="profile"') :]
    for text in ("csr", "dispatcher", "gz", "sz", "P9"):
        assert text in profile


def test_language_follows_switch_cookie_user_and_browser(
    client: TestClient, make_user: Any
) -> None:
    # default: settings.default_locale (zh_CN) when the browser states nothing
    page = client.get("/console/login")
    assert '<html lang="zh-CN">' in page.text
    assert "登录" in page.text
    assert page.headers["content-language"] == "zh-CN"
    # the browser's preference
    page = client.get("/console/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text
    # the switcher sets a cookie that wins over the browser from then on
    page = client.get("/console/login?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in page.text
    assert client.cookies.get(LANG_COOKIE) == "en"
    assert "Sign in" in client.get("/console/login", headers={"Accept-Language": "zh-CN"}).text
    # the user's own language applies when no choice was made in this browser
    client.cookies.clear()
    make_user("emma", locale="en")
    login(client, "emma")
    dashboard = client.get("/console")
    assert "Dashboard" in dashboard.text
    assert "工作台" in client.get("/console?lang=zh-CN").text
    assert "工作台" in client.get("/console").text


def test_language_switcher_links_keep_the_page(console_as: Callable[..., TestClient]) -> None:
    page = console_as("admin").get("/console/admin/audit?actor=x").text
    assert 'href="/console/admin/audit?actor=x&amp;lang=en"' in page
    assert 'href="/console/admin/audit?actor=x&amp;lang=zh_CN"' in page


def test_pages_are_self_contained_and_locked_down(console_as: Callable[..., TestClient]) -> None:
    r = console_as("admin").get("/console")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    # every script, stylesheet and icon comes from this server (no CDN)
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert refs
    assert not [ref for ref in refs if "//" in ref], refs
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text)
    assert any(a.startswith("/static/dist/app.js?v=") for a in assets)
    assert any(a.startswith("/static/dist/app.css?v=") for a in assets)


def test_unknown_console_pages_are_404_pages(
    client: TestClient, console_as: Callable[..., TestClient]
) -> None:
    assert client.get("/console/nope", follow_redirects=False).status_code == 303
    r = console_as("csr").get("/console/nope?lang=en")
    assert r.status_code == 404
    assert "Page not found" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_bad_query_values_are_400_pages_naming_the_field(
    console_as: Callable[..., TestClient],
) -> None:
    r = console_as("admin").get("/console/admin/users?page=0&lang=en")
    assert r.status_code == 400
    assert "Invalid value for: page" in r.text
    r = console_as("admin").get("/console/admin/users?size=7&lang=en")
    assert r.status_code == 400
    assert "size" in r.text
