"""Console screens of resource operations (eTOM 1.5.1 resource management,
1.5.2 resource provisioning): the cutover planner (资源割接), reconciliation
results (数据一致性) and bulk import, through
:mod:`openboss.resource.operations`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from openboss.auth.deps import DbSession
from openboss.auth.principal import Principal
from openboss.kit.errors import AppError, ValidationFailed
from openboss.resource.operations import cutover, importer, reconcile
from openboss.web import csrf, nav
from openboss.web.i18n import N_
from openboss.web.shell import ConsoleRoute, console_roles, redirect, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False, tags=["console"])

CUTOVER_URL: Final = "/console/resource/cutover"
RECONCILE_URL: Final = "/console/resource/reconciliation"
IMPORT_URL: Final = "/console/resource/import"
READ_ROLES: Final = ("admin", "noc", "csr", "dispatcher", "manager")
WRITE_ROLES: Final = ("admin", "noc")
APPROVE_ROLES: Final = ("admin", "manager")
MAX_UPLOAD: Final = 50 * 1024 * 1024

STATE_LABELS: Final[dict[str, str]] = {
    "draft": N_("Draft"),
    "approved": N_("Approved"),
    "executing": N_("Executing"),
    "executed": N_("Executed"),
    "partiallyExecuted": N_("Partially executed"),
    "rolledBack": N_("Rolled back"),
    "pending": N_("Pending"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "open": N_("Open"),
    "resolved": N_("Resolved"),
    "succeeded": N_("Succeeded"),
    "validated": N_("Validated (dry run)"),
    "missing": N_("Missing"),
    "extra": N_("Extra"),
    "mismatched": N_("Mismatched"),
    "acceptNetwork": N_("Accept the network"),
    "keepInventory": N_("Keep the inventory"),
    "ignore": N_("Ignore"),
}

nav.register(
    N_("Resources"), N_("Cutover"), CUTOVER_URL, roles=READ_ROLES, icon="shuffle", order=40
)
nav.register(
    N_("Resources"),
    N_("Reconciliation"),
    RECONCILE_URL,
    roles=READ_ROLES,
    icon="clipboard-check",
    order=50,
)
nav.register(N_("Resources"), N_("Import"), IMPORT_URL, roles=WRITE_ROLES, icon="upload", order=60)

Reader = Annotated[Principal, Depends(console_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(console_roles(*WRITE_ROLES))]
Approver = Annotated[Principal, Depends(console_roles(*APPROVE_ROLES))]


def _read(upload: UploadFile) -> bytes:
    content = upload.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise ValidationFailed("the file is larger than 50 MB", field="file")
    if not content:
        raise ValidationFailed("choose a file", field="file")
    return content


def _common(principal: Principal) -> dict[str, Any]:
    return {
        "labels": STATE_LABELS,
        "can_write": principal.has_role(*WRITE_ROLES),
        "can_approve": principal.has_role(*APPROVE_ROLES),
    }


# -- cutover ------------------------------------------------------------------


def _cutover_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        **_common(principal),
        "plans": [
            cutover.plan_doc(session, p, with_items=False) for p in cutover.list_plans(session)
        ],
        "error": error,
        "form": form or {},
    }
    return render(
        request, "resource/operations/cutover.html", context, status=status, principal=principal
    )


@router.get(CUTOVER_URL, name="console_cutover")
def cutover_page(request: Request, principal: Reader, session: DbSession) -> Response:
    """Cutover plans, and a form to plan one."""
    return _cutover_page(request, session, principal)


def _when(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(f"'{value}' is not a date and time", field="window") from exc


@router.post(CUTOVER_URL, name="console_cutover_plan")
def plan_cutover(
    request: Request,
    principal: Writer,
    session: DbSession,
    name: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    source_olt: Annotated[str, Form()] = "",
    target_olt: Annotated[str, Form()] = "",
    pairs: Annotated[str, Form()] = "",
    window_start: Annotated[str, Form()] = "",
    window_end: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Plan an OLT replacement or a list of ``source, target`` lines."""
    csrf.verify(request, csrf_token, principal.subject)
    form = {
        "name": name,
        "reason": reason,
        "source_olt": source_olt,
        "target_olt": target_olt,
        "pairs": pairs,
        "window_start": window_start,
        "window_end": window_end,
    }
    try:
        pair_list = []
        for line in pairs.splitlines():
            if line.strip():
                parts = [p.strip() for p in line.replace("→", ",").split(",")]
                if len(parts) != 2 or not all(parts):
                    raise ValidationFailed(f"'{line}': write 'source, target'", field="pairs")
                pair_list.append(cutover.Pair(parts[0], parts[1]))
        plan = cutover.create_plan(
            session,
            principal.scope,
            name=name,
            actor=principal.name,
            reason=reason or None,
            window_start=_when(window_start),
            window_end=_when(window_end),
            pairs=pair_list,
            source_olt=source_olt.strip() or None,
            target_olt=target_olt.strip() or None,
        )
    except AppError as exc:
        session.rollback()
        return _cutover_page(
            request, session, principal, error=exc.message, form=form, status=exc.status
        )
    session.commit()
    return redirect(request, f"{CUTOVER_URL}/{plan.id}")


def _plan_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    plan_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    plan = cutover.get_plan(session, plan_id)
    context = {
        **_common(principal),
        "plan": cutover.plan_doc(session, plan),
        "is_planner": plan.created_by == principal.name,
        "error": error,
    }
    return render(
        request,
        "resource/operations/cutover_plan.html",
        context,
        status=status,
        principal=principal,
    )


@router.get(CUTOVER_URL + "/{plan_id}", name="console_cutover_detail")
def plan_page(request: Request, plan_id: str, principal: Reader, session: DbSession) -> Response:
    """One plan: its items, the services and customers affected, its actions."""
    return _plan_page(request, session, principal, plan_id)


@router.post(CUTOVER_URL + "/{plan_id}/approve", name="console_cutover_approve")
def approve_plan(
    request: Request,
    plan_id: str,
    principal: Approver,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        cutover.approve(session, plan_id, principal)
    except AppError as exc:
        session.rollback()
        return _plan_page(
            request, session, principal, plan_id, error=exc.message, status=exc.status
        )
    session.commit()
    return redirect(request, f"{CUTOVER_URL}/{plan_id}")


@router.post(CUTOVER_URL + "/{plan_id}/{action}", name="console_cutover_action")
def run_plan(
    request: Request,
    plan_id: str,
    action: str,
    principal: Writer,
    session: DbSession,
    batch_size: Annotated[int, Form(ge=1, le=10_000)] = 50,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Execute (in batches of ``batch_size``) or roll back."""
    csrf.verify(request, csrf_token, principal.subject)
    try:
        if action == "execute":
            cutover.execute(session, plan_id, batch_size=batch_size)
        elif action == "rollback":
            cutover.rollback(session, plan_id)
        else:
            raise ValidationFailed(f"unknown action '{action}'", field="action")
    except AppError as exc:
        session.rollback()
        return _plan_page(
            request, session, principal, plan_id, error=exc.message, status=exc.status
        )
    session.commit()
    return redirect(request, f"{CUTOVER_URL}/{plan_id}")


# -- reconciliation -----------------------------------------------------------


def _runs_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        **_common(principal),
        "runs": [reconcile.run_doc(r) for r in reconcile.list_runs(session)],
        "error": error,
    }
    return render(
        request,
        "resource/operations/reconciliation.html",
        context,
        status=status,
        principal=principal,
    )


@router.get(RECONCILE_URL, name="console_reconciliation")
def runs_page(request: Request, principal: Reader, session: DbSession) -> Response:
    """Reconciliation runs, and a form to upload a snapshot."""
    return _runs_page(request, session, principal)


@router.post(RECONCILE_URL, name="console_reconciliation_upload")
def upload_snapshot(
    request: Request,
    principal: Writer,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        run = reconcile.run_reconciliation(
            session,
            principal.scope,
            _read(file),
            file.filename or "snapshot.csv",
            actor=principal.name,
            source=source.strip() or None,
        )
    except AppError as exc:
        session.rollback()
        return _runs_page(request, session, principal, error=exc.message, status=exc.status)
    session.commit()
    return redirect(request, f"{RECONCILE_URL}/{run.id}")


def _run_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    run_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    run = reconcile.get_run(session, run_id)
    context = {
        **_common(principal),
        "run": reconcile.run_doc(run, reconcile.discrepancies(session, run.id)),
        "error": error,
    }
    return render(
        request,
        "resource/operations/reconciliation_run.html",
        context,
        status=status,
        principal=principal,
    )


@router.get(RECONCILE_URL + "/{run_id}", name="console_reconciliation_run")
def run_page(request: Request, run_id: str, principal: Reader, session: DbSession) -> Response:
    """One run and its discrepancies."""
    return _run_page(request, session, principal, run_id)


@router.post(
    RECONCILE_URL + "/{run_id}/discrepancies/{discrepancy_id}",
    name="console_reconciliation_resolve",
)
def resolve(
    request: Request,
    run_id: str,
    discrepancy_id: str,
    principal: Writer,
    session: DbSession,
    resolution: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    csrf.verify(request, csrf_token, principal.subject)
    try:
        reconcile.resolve(
            session,
            principal.scope,
            run_id,
            discrepancy_id,
            resolution=resolution,
            actor=principal.name,
            note=note.strip() or None,
        )
    except AppError as exc:
        session.rollback()
        return _run_page(request, session, principal, run_id, error=exc.message, status=exc.status)
    session.commit()
    return redirect(request, f"{RECONCILE_URL}/{run_id}")


# -- import -------------------------------------------------------------------


def _import_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        **_common(principal),
        "imports": [
            importer.import_doc(r, with_report=False) for r in importer.list_imports(session)
        ],
        "result": result,
        "error": error,
        "columns": importer.COLUMNS,
    }
    return render(
        request, "resource/operations/import.html", context, status=status, principal=principal
    )


@router.get(IMPORT_URL, name="console_import")
def import_page(request: Request, principal: Writer, session: DbSession) -> Response:
    """Upload a file of network inventory; earlier imports."""
    return _import_page(request, session, principal)


@router.post(IMPORT_URL, name="console_import_upload")
def upload_import(
    request: Request,
    principal: Writer,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Validate (dry run) or import; the report lists every problem."""
    csrf.verify(request, csrf_token, principal.subject)
    try:
        outcome = importer.validate_and_import(
            session,
            principal.scope,
            _read(file),
            file.filename or "upload.csv",
            actor=principal.name,
            dry_run=bool(dry_run),
        )
    except AppError as exc:
        session.rollback()
        return _import_page(request, session, principal, error=exc.message, status=exc.status)
    session.commit()
    result = importer.import_doc(outcome.record)
    return _import_page(
        request, session, principal, result=result, status=200 if outcome.ok else 400
    )
