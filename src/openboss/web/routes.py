"""Console pages of the shell itself: sign-in, sign-out, dashboard.

``/`` redirects to ``/console``. The router returned here also carries the
administration screens (:mod:`openboss.web.admin`) and, last, a catch-all
that answers unknown ``/console/...`` paths with a 404 page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from openboss.audit import service as audit_service
from openboss.auth import service as auth_service
from openboss.auth.deps import SESSION_COOKIE, DbSession
from openboss.auth.tokens import issue_token
from openboss.kit.clock import utcnow
from openboss.kit.errors import Unauthorized
from openboss.web import csrf, nav
from openboss.web.admin import ACTION_LABELS, AUDIT_ROLES, USER_ROLES
from openboss.web.admin import router as admin_router
from openboss.web.deadletters import DEAD_LETTER_ROLES
from openboss.web.deadletters import router as dead_letters_router
from openboss.web.i18n import N_, local_day_start
from openboss.web.jobs import router as jobs_router
from openboss.web.shell import (
    ConsoleRoute,
    SignedIn,
    error_page,
    gettext,
    optional_principal,
    redirect,
    render,
    safe_next,
    settings_of,
    timezone_of,
)
from openboss.worker import deadletters as dead_letter_service

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

#: Longest username or password the sign-in form accepts (argon2 of megabytes is a DoS).
_MAX_CREDENTIAL = 1024

nav.register(nav.TOP, N_("Dashboard"), "/console", icon="speedometer2", order=0)


@router.get("/", name="root_redirect")
def root_redirect() -> Response:
    """The site root opens the console."""
    return RedirectResponse("/console", status_code=307)


@router.get("/console/login", name="console_login_form")
def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    """The sign-in form (or straight to the console when already signed in)."""
    if optional_principal(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/console/login", name="console_login")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the credentials and start a session: a JWT in an HttpOnly cookie."""
    csrf.verify(request, csrf_token, "")  # the sign-in form is always anonymous
    _ = gettext(request)
    destination = safe_next(next)
    username = username.strip()
    if not username or not password:
        return _login_failed(
            request, destination, username, _("Enter your username and password."), 400
        )
    if len(username) > _MAX_CREDENTIAL or len(password) > _MAX_CREDENTIAL:
        return _login_failed(
            request, destination, username[:64], _("Invalid username or password."), 401
        )
    try:
        principal = auth_service.authenticate_password(session, username, password)
    except Unauthorized:
        return _login_failed(
            request, destination, username, _("Invalid username or password."), 401
        )
    # The audit log attributes this request's changes (the last sign-in time) to the person.
    request.state.principal = principal
    settings = settings_of(request)
    ttl = settings.access_token_ttl_seconds
    token = issue_token(principal, request.app.state.secret_key, ttl)
    response = RedirectResponse(destination, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def _login_failed(
    request: Request, destination: str, username: str, message: str, status: int
) -> Response:
    return render(
        request,
        "login.html",
        {"next": destination, "username": username, "error": message},
        status=status,
    )


@router.post("/console/logout", name="console_logout")
def logout(
    request: Request, principal: SignedIn, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """End the session: the cookie is removed (the token itself expires on its own)."""
    csrf.verify(request, csrf_token, principal.subject)
    response = redirect(request, "/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console", name="console_dashboard")
def dashboard(request: Request, principal: SignedIn, session: DbSession) -> Response:
    """The start page: who you are, what you may open, and today's activity."""
    user_count: int | None = None
    audit_today: int | None = None
    recent = None
    if principal.has_role(*USER_ROLES):
        _users, user_count = auth_service.list_users(session, offset=0, limit=0)
    if principal.has_role(*AUDIT_ROLES):
        since = local_day_start(utcnow(), timezone_of(request))
        audit_today = audit_service.count_audit(session, since=since)
        recent, _total = audit_service.list_audit(session, limit=6)
    dead_letters: int | None = None
    if principal.has_role(*DEAD_LETTER_ROLES):
        dead_letters = sum(dead_letter_service.count_dead_letters(session).values())
    shortcuts = [
        entry
        for section in nav.visible_sections(principal)
        for entry in section.entries
        if entry.url != nav.CONSOLE_ROOT
    ]
    return render(
        request,
        "dashboard.html",
        {
            "user_count": user_count,
            "audit_today": audit_today,
            "dead_letters": dead_letters,
            "recent": recent,
            "shortcuts": shortcuts,
            "action_labels": ACTION_LABELS,
        },
        principal=principal,
    )


router.include_router(admin_router)
router.include_router(dead_letters_router)
router.include_router(jobs_router)

#: Included by ``create_app`` after every other router, so that domain console
#: pages registered later still match before this catch-all.
fallback_router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])


@fallback_router.get("/console/{rest:path}", name="console_not_found")
def not_found(request: Request, rest: str) -> Response:
    """Unknown console addresses: a 404 page (signed in) or the sign-in page."""
    if optional_principal(request) is None:
        raise Unauthorized("sign in to use the console")
    return error_page(request, 404, None)
