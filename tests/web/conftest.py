"""Helpers for console tests: sign in through the form, read CSRF tokens from pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from openboss.auth.deps import SESSION_COOKIE
from tests.conftest import token_for

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token a rendered page embeds in its forms."""
    match = _CSRF_FIELD.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def login(
    client: TestClient, username: str, password: str = "s3cret-pass", next_url: str = ""
) -> Response:
    """Sign in through the console's form (GET for the token, then POST); no redirect follow."""
    page = client.get("/console/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": next_url,
        },
        follow_redirects=False,
    )


@pytest.fixture
def console_as(client: TestClient) -> Callable[..., TestClient]:
    """``console_as("manager")``: the client carries a session cookie for those roles."""

    def make(roles: list[str] | str = "admin", **kw: Any) -> TestClient:
        client.cookies.set(SESSION_COOKIE, token_for(roles, **kw))
        return client

    return make
