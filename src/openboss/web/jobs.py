"""Jobs: the worker's queue of background jobs and timers, for administrators.

Every background job or timer (an SLA jeopardy timer, a bill-cycle close)
is a row the worker claims when its ``run_at`` comes (see
:mod:`openboss.worker.jobs`). This screen lists them newest first, filtered
by status and kind, with when each is (or was) due in local time, its
attempts, the worker holding it and until when, and the last error. A dead
job can be queued again from here; the retry is the same as on the
dead-letters screen (:func:`openboss.worker.deadletters.retry_dead_letter`),
a state-changing post protected by the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import Conflict, NotFound
from openboss.web import csrf, nav
from openboss.web.admin import ADMIN_SECTION, PAGE_SIZES, PageNumber, Pager, PageSize, checked_size
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, gettext, htmx_target, redirect, render
from openboss.worker import jobs as job_service
from openboss.worker.jobs import MAX_KIND_LENGTH

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

JOB_ROLES: Final[tuple[str, ...]] = ("admin",)
JOBS_URL: Final = "/console/admin/jobs"
#: The element htmx swaps when the list is filtered, paged or a job retried.
TABLE_ID: Final = "jobs-table"

nav.register(ADMIN_SECTION, N_("Jobs"), JOBS_URL, roles=JOB_ROLES, icon="list-task", order=25)

JobAdmin = Annotated[Principal, Depends(console_roles(*JOB_ROLES))]
StatusFilter = Literal["", "pending", "running", "failed", "dead", "done"]
KindFilter = Annotated[str, Query(max_length=MAX_KIND_LENGTH)]

#: How the statuses of :data:`openboss.worker.jobs.JOB_STATUSES` read, in the
#: order of a job's life.
STATUS_LABELS: Final[dict[str, str]] = {
    "pending": N_("Pending"),
    "running": N_("Running"),
    "failed": N_("Failed, retry scheduled"),
    "dead": N_("Dead"),
    "done": N_("Done"),
}
#: The status dot of each status (``ob-status`` modifier).
STATUS_CLASSES: Final[dict[str, str]] = {"failed": "is-off", "dead": "is-off", "done": "is-ok"}
#: Errors longer than this are folded into a disclosure.
ERROR_PREVIEW: Final = 90


def jobs_url(status: str = "", kind: str = "", page: int = 1, size: int = PAGE_SIZES[0]) -> str:
    """The list's address for these filters (defaults left out)."""
    params: dict[str, Any] = {"status": status, "kind": kind}
    if page > 1:
        params["page"] = page
    if size != PAGE_SIZES[0]:
        params["size"] = size
    query = urlencode({k: v for k, v in params.items() if v})
    return JOBS_URL + (f"?{query}" if query else "")


def _context(session: DbSession, status: str, kind: str, page: int, size: int) -> dict[str, Any]:
    def fetch(page: int) -> tuple[list[Any], int]:
        return job_service.list_jobs(
            session,
            status=status or None,
            kind=kind or None,
            offset=Pager(page, size, 0).offset,
            limit=size,
        )

    rows, total = fetch(page)
    if not rows and total and page > 1:
        # Past the end (a retried job left a filtered list): show the last page.
        page = Pager(page, size, total).pages
        rows, total = fetch(page)
    return {
        "jobs": rows,
        "pager": Pager(page, size, total),
        "counts": job_service.count_jobs_by_status(session, kind=kind or None),
        "kinds": job_service.job_kinds(session),
        "filters": {"status": status, "kind": kind},
        "filtered": bool(status or kind),
        "status_labels": STATUS_LABELS,
        "status_classes": STATUS_CLASSES,
        "error_preview": ERROR_PREVIEW,
        "dead": "dead",
        "jobs_url": jobs_url,
        "page_sizes": PAGE_SIZES,
        "page_url": lambda n: jobs_url(status, kind, n, size),
        "size_url": lambda s: jobs_url(status, kind, 1, s),
        "notice": None,
        "problem": None,
    }


@router.get(JOBS_URL, name="console_jobs")
def jobs_page(
    request: Request,
    principal: JobAdmin,
    session: DbSession,
    status: Annotated[StatusFilter, Query()] = "",
    kind: KindFilter = "",
    page: PageNumber = 1,
    size: PageSize = 25,
) -> Response:
    """Jobs and timers, newest first (a fragment when htmx filters or pages)."""
    context = _context(session, status, kind.strip(), page, checked_size(size))
    if htmx_target(request) == TABLE_ID:
        return render(request, "admin/_jobs_table.html", context, principal=principal)
    return render(request, "admin/jobs.html", context, principal=principal)


@router.post(f"{JOBS_URL}/{{job_id}}/retry", name="console_retry_job")
def retry_job(
    request: Request,
    principal: JobAdmin,
    session: DbSession,
    job_id: Annotated[str, Path(max_length=64)],
    csrf_token: Annotated[str, Form()] = "",
    status: Annotated[StatusFilter, Form()] = "",
    kind: Annotated[str, Form(max_length=MAX_KIND_LENGTH)] = "",
    page: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Form()] = PAGE_SIZES[0],
) -> Response:
    """Queue a dead job again with a fresh set of attempts; the list comes back
    with the filters it was showing. A job that is not (or no longer) dead is
    reported on the page, not as an error page."""
    csrf.verify(request, csrf_token, principal.subject)
    size = checked_size(size)
    kind = kind.strip()
    _ = gettext(request)
    notice = problem = None
    code = 200
    try:
        retried = job_service.retry_job(session, job_id)
        notice = _("%(name)s was queued for another attempt.", name=retried.kind)
    except NotFound:
        session.rollback()
        problem, code = _("This job no longer exists."), 404
    except Conflict:
        session.rollback()
        problem, code = _("Only dead jobs can be retried; this one is not dead (any more)."), 409
    if htmx_target(request) is None and problem is None:
        return redirect(request, jobs_url(status, kind, page, size))
    context = _context(session, status, kind, page, size)
    context.update(notice=notice, problem=problem)
    template = "admin/_jobs_table.html" if htmx_target(request) else "admin/jobs.html"
    return render(request, template, context, status=code, principal=principal)
