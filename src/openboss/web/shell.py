"""The console shell: who is signed in, which language, and how pages are rendered.

Every console view goes through this module:

* :data:`SignedIn` / :func:`console_roles` — the person behind the session
  cookie, or a redirect to the sign-in page (a person lacking a role gets a
  403 page, never a JSON error);
* :func:`render` — renders a template in the reader's language with the
  shell's context (navigation, CSRF token, asset URLs, language switcher) and
  sets the console's security headers and cookies;
* :class:`ConsoleRoute` — turns the errors a console request can raise into
  HTML pages (401 → sign-in redirect, 403/404/400 → an error page in the
  reader's language).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import orjson
import structlog
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.responses import HTMLResponse, RedirectResponse, Response

from openboss import __version__
from openboss.auth.deps import SESSION_COOKIE, principal_from_request
from openboss.auth.principal import Principal
from openboss.config import Settings
from openboss.kit.errors import AppError, Forbidden, Unauthorized
from openboss.web import csrf, nav
from openboss.web.i18n import (
    DEFAULT_TIMEZONE,
    LOCALE_NAMES,
    LOCALE_TAGS,
    LOCALES,
    N_,
    choose_locale,
    format_date,
    format_datetime,
    format_number,
    gettext_for,
    normalise_locale,
    translations,
)

log = structlog.get_logger("openboss.web")

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATE_DIR: Final = WEB_DIR / "templates"
STATIC_DIR: Final = WEB_DIR / "static"
#: Cookie remembering the language chosen in the switcher.
LANG_COOKIE: Final = "lang"
LOGIN_URL: Final = "/console/login"
#: Response header marking an HTML fragment htmx should swap whatever its status.
FRAGMENT_HEADER: Final = "X-Console-Fragment"
#: Content-Security-Policy of every console page: nothing but our own origin.
#: Alpine.js evaluates its directives with ``new Function`` (hence
#: 'unsafe-eval'); no inline script or style is allowed.
CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class LoginRequired(Unauthorized):
    """Raised by console dependencies when nobody (valid) is signed in."""

    code = "LOGIN_REQUIRED"


# ---- who and which language -------------------------------------------------


def optional_principal(request: Request) -> Principal | None:
    """The signed-in person, or ``None``; an expired or forged cookie counts as signed out."""
    if hasattr(request.state, "console_principal"):
        cached: Principal | None = request.state.console_principal
        return cached
    try:
        principal = principal_from_request(request)
    except Unauthorized:
        principal = None
        request.state.stale_session = True
    request.state.console_principal = principal
    return principal


def signed_in(request: Request) -> Principal:
    """Dependency: the signed-in person, or a redirect to the sign-in page."""
    principal = optional_principal(request)
    if principal is None:
        raise LoginRequired("sign in to use the console")
    return principal


SignedIn = Annotated[Principal, Depends(signed_in)]


def console_roles(*roles: str) -> Callable[[Request], Principal]:
    """Dependency: a signed-in person holding any of ``roles`` (admin always passes)."""

    def check(request: Request) -> Principal:
        principal = signed_in(request)
        if not principal.has_role(*roles):
            raise Forbidden(f"this screen needs one of the roles: {', '.join(roles)}")
        return principal

    return check


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def timezone_of(request: Request) -> str:
    """The console's display time zone (``console_timezone`` setting, if defined)."""
    configured = getattr(settings_of(request), "console_timezone", None)
    return str(configured) if configured else DEFAULT_TIMEZONE


def request_locale(request: Request) -> str:
    """The page language: ``?lang=``, the ``lang`` cookie, the user's, the browser's, default."""
    cached: str | None = getattr(request.state, "console_locale", None)
    if cached:
        return cached
    principal = optional_principal(request)
    locale = choose_locale(
        requested=request.query_params.get("lang"),
        cookie=request.cookies.get(LANG_COOKIE),
        user_locale=principal.locale if principal else None,
        accept_language=request.headers.get("accept-language"),
        default=settings_of(request).default_locale,
    )
    request.state.console_locale = locale
    return locale


def gettext(request: Request) -> Callable[..., str]:
    """``_`` for view code: translate into the reader's language."""
    return gettext_for(request_locale(request))


# ---- templates --------------------------------------------------------------


def template_dirs() -> list[Path]:
    """The shell's templates, then every domain's ``<domain>/web/templates``."""
    package = WEB_DIR.parent
    dirs = [TEMPLATE_DIR]
    dirs.extend(sorted(p for p in package.glob("*/web/templates") if p.is_dir()))
    return dirs


def _to_json(value: Any) -> str:
    """A stored value as compact JSON text (audit before/after values)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return repr(value)


@pass_context
def _datetime_filter(context: Context, value: Any, fmt: str = "medium") -> str:
    return format_datetime(value, context["locale"], context["timezone"], fmt)


@pass_context
def _date_filter(context: Context, value: Any, fmt: str = "medium") -> str:
    return format_date(value, context["locale"], context["timezone"], fmt)


@pass_context
def _number_filter(context: Context, value: Any) -> str:
    return format_number(value, context["locale"])


@cache
def environment(locale: str) -> Environment:
    """The Jinja environment of one language (its catalog installed once, never swapped)."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs()]),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = _datetime_filter
    env.filters["date"] = _date_filter
    env.filters["number"] = _number_filter
    env.filters["tojson_compact"] = _to_json
    env.globals["locale"] = locale
    env.globals["locale_tag"] = LOCALE_TAGS[locale]
    return env


@lru_cache(maxsize=256)
def _asset_digest(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def asset_url(relative: str) -> str:
    """``/static/<relative>`` with a content hash, so a rebuilt bundle is never served stale."""
    path = STATIC_DIR / relative
    try:
        stat = path.stat()
    except FileNotFoundError:
        log.warning(
            "console_asset_missing", asset=relative, hint="run python -m openboss.web.build"
        )
        return f"/static/{relative}"
    return f"/static/{relative}?v={_asset_digest(str(path), stat.st_mtime_ns, stat.st_size)}"


# ---- URLs --------------------------------------------------------------------


def safe_next(value: str | None, default: str = "/console") -> str:
    """A post-sign-in destination: only a path on this site, never another host."""
    if not value or len(value) > 2000:
        return default
    if not value.startswith("/") or value.startswith("//") or value.startswith("/\\"):
        return default
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_url_for(request: Request) -> str:
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    if here in ("/console", "/console/login"):
        return LOGIN_URL if here == "/console/login" else f"{LOGIN_URL}?next=%2Fconsole"
    return f"{LOGIN_URL}?next={quote(here, safe='')}"


def url_with(request: Request, **params: Any) -> str:
    """The current path with query parameters replaced (``None`` removes one)."""
    query = dict(request.query_params)
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = urlencode(query)
    return request.url.path + (f"?{encoded}" if encoded else "")


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment (not a history restore or boosted page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-history-restore-request") != "true"
        and headers.get("hx-boosted") != "true"
    )


def htmx_target(request: Request) -> str | None:
    return request.headers.get("hx-target") if is_htmx(request) else None


# ---- rendering ---------------------------------------------------------------


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str
    url: str
    current: bool


def _shell_context(request: Request, principal: Principal | None, locale: str) -> dict[str, Any]:
    binding = principal.subject if principal else ""
    sections = nav.visible_sections(principal) if principal else []
    return {
        "request": request,
        "principal": principal,
        "locale": locale,
        "timezone": timezone_of(request),
        "csrf_token": csrf.token_for(request, binding),
        "csrf_field": csrf.CSRF_FIELD,
        "csrf_header": csrf.CSRF_HEADER,
        "nav_sections": sections,
        "active_url": nav.active_url(request.url.path, principal) if principal else None,
        "languages": [
            LanguageChoice(code, LOCALE_NAMES[code], url_with(request, lang=code), code == locale)
            for code in LOCALES
        ],
        "asset_url": asset_url,
        "url_with": lambda **params: url_with(request, **params),
        "version": __version__,
        "path": request.url.path,
    }


ResponseT = TypeVar("ResponseT", bound=Response)


def apply_console_headers(request: Request, response: ResponseT, *, private: bool) -> ResponseT:
    """Security headers and the console's cookies (CSRF nonce, language choice)."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Vary"] = "Cookie, Accept-Language, HX-Request"
    if private:
        response.headers["Cache-Control"] = "no-store"
    secure = request.url.scheme == "https"
    if csrf.nonce_is_new(request):
        response.set_cookie(
            csrf.CSRF_COOKIE,
            csrf.nonce_for(request),
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/console",
        )
    requested = normalise_locale(request.query_params.get("lang"))
    if requested and requested != request.cookies.get(LANG_COOKIE):
        response.set_cookie(
            LANG_COOKIE,
            requested,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
    if getattr(request.state, "stale_session", False):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    principal: Principal | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` in the reader's language inside the shell's context."""
    locale = request_locale(request)
    env = environment(locale)
    values = _shell_context(request, principal, locale)
    if context:
        values.update(context)
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    response.headers["Content-Language"] = LOCALE_TAGS[locale]
    if template.rsplit("/", 1)[-1].startswith("_"):
        # A fragment (templates named _*.html) is meant to be swapped in, also
        # when its status is 4xx (a form shown again with its errors).
        response.headers[FRAGMENT_HEADER] = "true"
    return apply_console_headers(request, response, private=principal is not None)


def redirect(request: Request, url: str, *, status: int = 303) -> Response:
    """A redirect (or, for htmx, an ``HX-Redirect`` the browser follows as a full page)."""
    response: Response
    if is_htmx(request):
        response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=status)
    return apply_console_headers(request, response, private=True)


# ---- errors as pages -----------------------------------------------------------

_ERROR_TITLES: Final[dict[int, str]] = {
    400: N_("The request could not be processed"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    409: N_("The request conflicts with the current state"),
}
_ERROR_HINTS: Final[dict[int, str]] = {
    400: N_("Check the values you entered and try again."),
    403: N_("Ask an administrator for the role this screen needs."),
    404: N_("The address may be mistyped, or the page has moved."),
    409: N_("Reload the page to see the current state, then try again."),
}
_CSRF_HINT: Final = N_(
    "The form's security token is missing or expired. Reload the page and submit it again."
)


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    """An error page in the reader's language, inside the shell when someone is signed in."""
    principal = optional_principal(request)
    title = _ERROR_TITLES.get(status, _ERROR_TITLES[400])
    hint = _ERROR_HINTS.get(status, _ERROR_HINTS[400])
    return render(
        request,
        "error.html",
        {"status": status, "title_msgid": title, "hint_msgid": hint, "detail": detail},
        status=status,
        principal=principal,
    )


def _login_redirect(request: Request) -> Response:
    target = login_url_for(request)
    response: Response
    if is_htmx(request):
        response = Response(status_code=401, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    apply_console_headers(request, response, private=True)
    if optional_principal(request) is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class ConsoleRoute(APIRoute):
    """A route whose errors become console pages instead of TMF JSON errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except Unauthorized:
                return _login_redirect(request)
            except csrf.CsrfRejected:
                _ = gettext(request)
                return error_page(request, 403, _(_CSRF_HINT))
            except RequestValidationError as exc:
                problems = [
                    ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
                    for err in exc.errors()
                ]
                _ = gettext(request)
                detail = _("Invalid value for: %(fields)s", fields=", ".join(problems))
                return error_page(request, 400, detail)
            except AppError as exc:
                status = exc.status if exc.status in _ERROR_TITLES else 400
                _ = gettext(request)
                named = _("Invalid value for: %(fields)s", fields=exc.field) if exc.field else None
                return error_page(request, status, named)

        return handler
