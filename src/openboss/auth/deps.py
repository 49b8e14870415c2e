"""FastAPI dependencies: the request's database session and its caller.

``DbSession`` opens one session per request and commits it when the endpoint
returns (before the response is sent), or rolls it back on any error: the
request owns its transaction. ``CurrentPrincipal`` decodes the bearer token
(header, or the console's cookie) and ``require_roles`` guards routers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from openboss.auth.principal import Principal
from openboss.auth.tokens import decode_token
from openboss.kit.errors import Forbidden, Unauthorized

#: Cookie holding the console's access token (HttpOnly, SameSite=Lax).
SESSION_COOKIE = "openboss_token"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the endpoint returns, rolled back
    on error.

    An async generator on purpose: opening a Session does no I/O, so it costs no
    threadpool hop; only the commit (which talks to the database) is sent to the
    threadpool, and only when the session holds a transaction.
    """
    db = request.app.state.db
    session = db.session(request_state=request.state)
    try:
        yield session
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await run_in_threadpool(session.commit)
    except BaseException:
        await run_in_threadpool(_rollback_and_close, session)
        raise
    else:
        session.close()
    db.run_after_commit(session)


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session for list and read endpoints.

    Its connection runs in autocommit mode: each statement is its own snapshot
    (TMF lists read the page and its total in one statement), and there is no
    BEGIN/COMMIT round trip. Nothing it flushes is ever committed.
    """
    db = request.app.state.db
    session = db.read_session(request_state=request.state)
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]


#: Paths where the console's cookie counts as credentials. The APIs take only the
#: Authorization header, so a cross-site form can never ride on a console login
#: to call them (console forms carry their own CSRF token).
COOKIE_PATHS = ("/console",)


def _token_from(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise Unauthorized("Authorization header must be 'Bearer <token>'")
        return value.strip()
    if request.url.path.startswith(COOKIE_PATHS):
        return request.cookies.get(SESSION_COOKIE)
    return None


def principal_from_request(request: Request) -> Principal | None:
    """The caller, or None when no credentials were sent (an invalid token raises)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = _token_from(request)
    if token is None:
        return None
    principal = decode_token(token, request.app.state.secret_key)
    expand = getattr(request.app.state, "expand_regions", None)
    if principal.regions and expand is not None:
        # Grants name regions; the scope admits them and every region below them.
        principal = replace(principal, regions=expand(principal.regions))
    request.state.principal = principal
    structlog.contextvars.bind_contextvars(user=principal.name)
    return principal


async def current_principal(request: Request) -> Principal:
    # async: decoding a token does no I/O, so it must not cost a threadpool hop.
    principal = principal_from_request(request)
    if principal is None:
        raise Unauthorized("an access token is required (POST /auth/token)")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """Dependency allowing callers with any of ``roles`` (admin always passes)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(
                f"this operation needs one of the roles: {', '.join(roles)}",
                code="MISSING_ROLE",
            )
        return principal

    return check
