"""Cross-site request forgery protection for the console's form posts.

The console authenticates with a cookie, so a hostile page could make a
signed-in browser post a form to it. Every state-changing console request
must therefore carry a token that only pages served by the console know:

* the browser holds a random nonce in the HttpOnly cookie :data:`CSRF_COOKIE`;
* pages embed ``HMAC(secret_key, nonce | session subject)`` in forms (field
  ``csrf_token``) and in ``hx-headers`` (header ``X-CSRF-Token``) for htmx;
* a post is accepted only if its token matches the cookie's nonce and the
  person signed in now.

Binding the token to the signed-in subject means a token captured before
signing in (or from another account) is useless after it, and a nonce
planted by a sibling domain cannot be paired with a valid token without the
server's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

from fastapi import Request

from openboss.kit.errors import Forbidden

CSRF_COOKIE: Final = "openboss_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
_NONCE_BYTES: Final = 24


class CsrfRejected(Forbidden):
    """403: a console post without a valid CSRF token."""

    code = "CSRF_REJECTED"


def _sign(secret_key: str, nonce: str, binding: str) -> str:
    digest = hmac.new(
        secret_key.encode(), f"csrf|{nonce}|{binding}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def nonce_for(request: Request) -> str:
    """This browser's nonce; a new one (to be set as a cookie) if it has none."""
    existing: str | None = getattr(request.state, "csrf_nonce", None)
    if existing:
        return existing
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if 16 <= len(cookie) <= 64 and cookie.replace("-", "").replace("_", "").isalnum():
        nonce = cookie
    else:
        nonce = secrets.token_urlsafe(_NONCE_BYTES)
        request.state.csrf_new_nonce = True
    request.state.csrf_nonce = nonce
    return nonce


def token_for(request: Request, binding: str) -> str:
    """The token pages embed for the person ``binding`` ("" when nobody is signed in)."""
    return _sign(request.app.state.secret_key, nonce_for(request), binding)


def nonce_is_new(request: Request) -> bool:
    """True when :func:`nonce_for` minted a nonce the response must set as a cookie."""
    return bool(getattr(request.state, "csrf_new_nonce", False))


def verify(request: Request, submitted: str | None, binding: str) -> None:
    """Raise :class:`CsrfRejected` unless ``submitted`` is this browser's token for ``binding``."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie:
        raise CsrfRejected("the security cookie is missing; reload the page and try again")
    candidate = submitted or request.headers.get(CSRF_HEADER) or ""
    expected = _sign(request.app.state.secret_key, cookie, binding)
    if not candidate or not hmac.compare_digest(candidate.encode(), expected.encode()):
        raise CsrfRejected("the form's security token is missing or stale; reload the page")
