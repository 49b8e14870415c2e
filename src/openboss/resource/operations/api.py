"""HTTP API of resource operations at ``/api/resource/v1`` (not a TM Forum
API: TMF has no resource for imports, reconciliation runs or cutover plans).

eTOM 1.5.1 resource management / 1.5.2 resource provisioning.

* ``/imports`` — POST a CSV/XLSX file (``dryRun=true`` validates only):
  201 with the import record, or 400 with the report (row, field, reason)
  and nothing written; GET lists the records, ``/imports/{id}`` one.
* ``/reconciliations`` — POST a snapshot (CSV/JSON) → a run with its
  discrepancies; GET list / one; ``/{id}/discrepancies/{did}/resolve``.
* ``/cutovers`` — POST a plan (``sourceOlt``/``targetOlt`` or ``pairs``), GET
  list / one, ``/{id}/approve`` (manager or admin, not the planner),
  ``/{id}/execute`` (``batchSize``, ``batches``), ``/{id}/rollback``.

Reads: admin, noc, csr, dispatcher, manager. Writes: admin, noc.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from pydantic import Field
from starlette.responses import JSONResponse

from openboss.auth.deps import DbSession, ReadSession, require_roles
from openboss.auth.principal import Principal
from openboss.kit.errors import NotFound, ValidationFailed
from openboss.kit.tmf.schemas import TmfModel
from openboss.resource.operations import cutover, importer, reconcile
from openboss.resource.operations.models import ResourceImport

READ_ROLES = ("admin", "noc", "csr", "dispatcher", "manager")
WRITE_ROLES = ("admin", "noc")
APPROVE_ROLES = ("admin", "manager")
MAX_UPLOAD = 50 * 1024 * 1024

router = APIRouter(
    prefix="/api/resource/v1",
    tags=["resource operations"],
    responses={
        400: {"description": "Bad Request (names the field; imports: the report)"},
        401: {"description": "Unauthorized"},
        403: {"description": "Forbidden"},
        404: {"description": "Not Found"},
        409: {"description": "Conflict (lifecycle rule, incompatible or busy target)"},
    },
)

Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
Approver = Annotated[Principal, Depends(require_roles(*APPROVE_ROLES))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _read(upload: UploadFile) -> bytes:
    content = upload.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise ValidationFailed("the file is larger than 50 MB", field="file")
    return content


# -- imports ------------------------------------------------------------------


@router.post("/imports", status_code=201)
def post_import(
    principal: Writer,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV or XLSX of network inventory.")],
    dry_run: Annotated[bool, Query(alias="dryRun")] = False,
) -> JSONResponse:
    """Import (or with ``dryRun=true`` only validate) a file; all or nothing."""
    content = _read(file)
    outcome = importer.validate_and_import(
        session,
        principal.scope,
        content,
        file.filename or "upload.csv",
        actor=principal.name,
        dry_run=dry_run,
    )
    doc = importer.import_doc(outcome.record)
    if not outcome.ok:
        # the record of the failed attempt is kept (committed); nothing else was written
        return JSONResponse(
            {
                "code": "IMPORT_REJECTED",
                "reason": "Bad Request",
                "message": f"{outcome.record.error_count} problem(s): nothing was imported",
                "status": "400",
                **doc,
            },
            status_code=400,
        )
    return JSONResponse(doc, status_code=201 if not dry_run else 200)


@router.get("/imports")
def get_imports(
    principal: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0
) -> list[dict[str, Any]]:
    """Import records, newest first (without their reports)."""
    return [
        importer.import_doc(r, with_report=False)
        for r in importer.list_imports(session, limit=limit, offset=offset)
    ]


@router.get("/imports/{import_id}")
def get_import(principal: Reader, session: ReadSession, import_id: str) -> dict[str, Any]:
    record = session.get(ResourceImport, import_id)
    if record is None:
        raise NotFound(f"import '{import_id}' not found")
    return importer.import_doc(record)


# -- reconciliation -----------------------------------------------------------


@router.post("/reconciliations", status_code=201)
def post_reconciliation(
    principal: Writer,
    session: DbSession,
    file: Annotated[UploadFile, File(description="Snapshot of the network (CSV or JSON).")],
    source: Annotated[str | None, Form(max_length=255)] = None,
) -> dict[str, Any]:
    """Reconcile a snapshot against the inventory: a run with its discrepancies."""
    content = _read(file)
    run = reconcile.run_reconciliation(
        session,
        principal.scope,
        content,
        file.filename or "snapshot.csv",
        actor=principal.name,
        source=source,
    )
    return reconcile.run_doc(run, reconcile.discrepancies(session, run.id))


@router.get("/reconciliations")
def get_reconciliations(
    principal: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0
) -> list[dict[str, Any]]:
    return [reconcile.run_doc(r) for r in reconcile.list_runs(session, limit=limit, offset=offset)]


@router.get("/reconciliations/{run_id}")
def get_reconciliation(
    principal: Reader,
    session: ReadSession,
    run_id: str,
    kind: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    run = reconcile.get_run(session, run_id)
    return reconcile.run_doc(
        run, reconcile.discrepancies(session, run.id, kind=kind, status=status)
    )


class Resolution(TmfModel):
    """How a discrepancy is resolved."""

    resolution: str = Field(description="acceptNetwork, keepInventory or ignore.")
    note: str | None = Field(None, max_length=2000)


@router.post("/reconciliations/{run_id}/discrepancies/{discrepancy_id}/resolve")
def resolve_discrepancy(
    principal: Writer, session: DbSession, run_id: str, discrepancy_id: str, body: Resolution
) -> dict[str, Any]:
    item = reconcile.resolve(
        session,
        principal.scope,
        run_id,
        discrepancy_id,
        resolution=body.resolution,
        actor=principal.name,
        note=body.note,
    )
    return reconcile.discrepancy_doc(item)


# -- cutover ------------------------------------------------------------------


class PairIn(TmfModel):
    source: str = Field(alias="from", description="Source resource (id or value).")
    target: str = Field(alias="to", description="Target resource (id or value).")


class CutoverCreate(TmfModel):
    """A cutover plan: an OLT replacement or a list of pairs."""

    name: str = Field(min_length=1, max_length=128)
    reason: str | None = Field(None, max_length=2000)
    window_start: datetime | None = Field(None, alias="windowStart")
    window_end: datetime | None = Field(None, alias="windowEnd")
    source_olt: str | None = Field(None, alias="sourceOlt")
    target_olt: str | None = Field(None, alias="targetOlt")
    pairs: list[PairIn] = Field(default_factory=list, max_length=10_000)


@router.post("/cutovers", status_code=201)
def post_cutover(principal: Writer, session: DbSession, body: CutoverCreate) -> dict[str, Any]:
    plan = cutover.create_plan(
        session,
        principal.scope,
        name=body.name,
        actor=principal.name,
        reason=body.reason,
        window_start=body.window_start,
        window_end=body.window_end,
        pairs=[cutover.Pair(p.source, p.target) for p in body.pairs],
        source_olt=body.source_olt,
        target_olt=body.target_olt,
    )
    return cutover.plan_doc(session, plan)


@router.get("/cutovers")
def get_cutovers(
    principal: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0
) -> list[dict[str, Any]]:
    plans = cutover.list_plans(session, limit=limit, offset=offset)
    return [cutover.plan_doc(session, p, with_items=False) for p in plans]


@router.get("/cutovers/{plan_id}")
def get_cutover(principal: Reader, session: ReadSession, plan_id: str) -> dict[str, Any]:
    return cutover.plan_doc(session, cutover.get_plan(session, plan_id))


@router.post("/cutovers/{plan_id}/approve")
def approve_cutover(principal: Approver, session: DbSession, plan_id: str) -> dict[str, Any]:
    return cutover.plan_doc(session, cutover.approve(session, plan_id, principal))


@router.post("/cutovers/{plan_id}/execute")
def execute_cutover(
    principal: Writer,
    session: DbSession,
    plan_id: str,
    batch_size: Annotated[int, Query(alias="batchSize", ge=1, le=10_000)] = 50,
    batches: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    plan = cutover.execute(session, plan_id, batch_size=batch_size, max_batches=batches)
    return cutover.plan_doc(session, plan)


@router.post("/cutovers/{plan_id}/rollback")
def rollback_cutover(principal: Writer, session: DbSession, plan_id: str) -> dict[str, Any]:
    return cutover.plan_doc(session, cutover.rollback(session, plan_id))
