"""Dead letters: work the worker gave up on, listed for administrators to retry.

A hub listener that kept refusing an event, an in-process subscriber that
kept failing, a job whose handler kept raising: after the last attempt the
row is *dead* (see :mod:`openboss.worker.deadletters`). This screen lists
them, most recently failed first, with the last error, and queues one again
with a fresh set of attempts. Retrying is a state-changing post (CSRF token)
and answers htmx with the refreshed table.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import Conflict, NotFound
from openboss.web import csrf, nav
from openboss.web.admin import ADMIN_SECTION, PAGE_SIZES, PageNumber, Pager, PageSize, checked_size
from openboss.web.i18n import N_
from openboss.web.shell import (
    ConsoleRoute,
    console_roles,
    gettext,
    htmx_target,
    redirect,
    render,
)
from openboss.worker import deadletters as dead_letter_service

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

DEAD_LETTER_ROLES: Final[tuple[str, ...]] = ("admin",)
DEAD_LETTERS_URL: Final = "/console/admin/dead-letters"

nav.register(
    ADMIN_SECTION,
    N_("Event dead letters"),
    DEAD_LETTERS_URL,
    roles=DEAD_LETTER_ROLES,
    icon="exclamation-octagon",
    order=30,
)

DeadLetterAdmin = Annotated[Principal, Depends(console_roles(*DEAD_LETTER_ROLES))]

#: How each kind of dead row reads.
KIND_LABELS: Final[dict[str, str]] = {
    "delivery": N_("Listener delivery"),
    "event": N_("Event subscriber"),
    "job": N_("Background job"),
}


def _list_url(*, page: int | None = None, size: int | None = None) -> str:
    query = {}
    if size is not None and size != PAGE_SIZES[0]:
        query["size"] = str(size)
    if page is not None:
        query["page"] = str(page)
    return DEAD_LETTERS_URL + (f"?{urlencode(query)}" if query else "")


def _context(request: Request, session: DbSession, page: int, size: int) -> dict[str, Any]:
    pager = Pager(page, size, 0)
    result = dead_letter_service.list_dead_letters(session, pager.offset, size)
    return {
        "letters": result.items,
        "counts": dead_letter_service.count_dead_letters(session),
        "pager": Pager(page, size, result.total),
        "kind_labels": KIND_LABELS,
        "page_sizes": PAGE_SIZES,
        # Built from the list's own URL, not the request's: after a retry (a POST
        # to .../retry) the links must still page the list.
        "page_url": lambda n: _list_url(page=n if n > 1 else None, size=size),
        "size_url": lambda s: _list_url(size=s),
        "notice": None,
        "problem": None,
    }


@router.get(DEAD_LETTERS_URL, name="console_dead_letters")
def dead_letters_page(
    request: Request,
    principal: DeadLetterAdmin,
    session: DbSession,
    page: PageNumber = 1,
    size: PageSize = 25,
) -> Response:
    """Dead letters of every kind (a fragment when htmx pages through the table)."""
    context = _context(request, session, page, checked_size(size))
    if htmx_target(request) == "dead-letters-table":
        return render(request, "admin/_dead_letters_table.html", context, principal=principal)
    return render(request, "admin/dead_letters.html", context, principal=principal)


@router.post(f"{DEAD_LETTERS_URL}/{{dead_letter_id}}/retry", name="console_retry_dead_letter")
def retry(
    request: Request,
    principal: DeadLetterAdmin,
    session: DbSession,
    dead_letter_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Queue one dead letter again; a letter no longer dead is reported, not an error page."""
    csrf.verify(request, csrf_token, principal.subject)
    _ = gettext(request)
    status = 200
    notice = problem = None
    try:
        retried = dead_letter_service.retry_dead_letter(session, dead_letter_id)
        notice = _("%(name)s was queued for another attempt.", name=retried.name)
    except NotFound:
        session.rollback()
        problem = _("This dead letter no longer exists.")
        status = 404
    except Conflict:
        session.rollback()
        problem = _("This item is no longer dead: it was retried already or cannot be retried.")
        status = 409
    if htmx_target(request) is None and problem is None:
        return redirect(request, DEAD_LETTERS_URL)
    context = _context(request, session, 1, PAGE_SIZES[0])
    context.update(notice=notice, problem=problem)
    template = (
        "admin/_dead_letters_table.html" if htmx_target(request) else "admin/dead_letters.html"
    )
    return render(request, template, context, status=status, principal=principal)
