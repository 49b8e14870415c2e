"""Tables of resource operations: bulk imports, reconciliation runs and
cutover plans.

eTOM 1.5.1 resource management (1.5.1.x resource inventory data quality:
reconciliation, migration from legacy systems) and 1.5.2 resource
provisioning (cutover of services from one resource to another).

* ``resource_import`` — one bulk import of network inventory (who, when,
  which file, how many rows, the result and the validation report).
* ``reconciliation_run`` / ``reconciliation_discrepancy`` — a snapshot of
  what the network reports compared with the inventory, and each difference
  with how it was resolved.
* ``cutover_plan`` / ``cutover_item`` — 资源割接: services moved from one set
  of resources to another, item by item, with what is needed to roll back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime

IMPORT_RESULTS = ("succeeded", "failed", "validated")
RUN_STATUSES = ("open", "resolved")
DISCREPANCY_KINDS = ("missing", "extra", "mismatched")
DISCREPANCY_STATUSES = ("open", "resolved")
RESOLUTIONS = ("acceptNetwork", "keepInventory", "ignore")
PLAN_STATES = (
    "draft",
    "approved",
    "executing",
    "executed",
    "partiallyExecuted",
    "rolledBack",
)
ITEM_STATES = ("pending", "done", "failed", "rolledBack")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ResourceImport(Base):
    """One bulk import (or dry run) of a file of network inventory.

    ``report`` lists every problem as ``{"row", "field", "reason"}`` (row 1
    is the first data row); ``created`` how many resources were written.
    """

    __tablename__ = "resource_import"
    __audited__ = True
    __audit_exclude__ = frozenset({"report"})
    __table_args__ = (CheckConstraint(_in("result", IMPORT_RESULTS), name="result"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    created: Mapped[int] = mapped_column(Integer, nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False)
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)


class ReconciliationRun(Base):
    """A snapshot of the network compared with the inventory.

    ``scope`` names what was compared (the OLTs of the snapshot, or the
    parents of a generic snapshot); ``counts`` ``{"missing", "extra",
    "mismatched", "matched"}``. ``status`` is ``resolved`` once every
    discrepancy is.
    """

    __tablename__ = "reconciliation_run"
    __audited__ = True
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(255), nullable=False)
    form: Mapped[str] = mapped_column(String(16), nullable=False)
    scope: Mapped[list[str]] = mapped_column(JSONDoc, nullable=False)
    counts: Mapped[dict[str, int]] = mapped_column(JSONDoc, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ReconciliationDiscrepancy(Base):
    """One difference between the network and the inventory, and its resolution.

    ``inventory_says`` / ``network_says``: ``{"parentId", "parent"}`` (the
    container the inventory records / the network reports), or NULL where
    that side knows nothing of the resource.
    """

    __tablename__ = "reconciliation_discrepancy"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("kind", DISCREPANCY_KINDS), name="kind"),
        CheckConstraint(_in("status", DISCREPANCY_STATUSES), name="status"),
        CheckConstraint(
            "resolution IS NULL OR " + _in("resolution", RESOLUTIONS), name="resolution"
        ),
        Index("ix_reconciliation_discrepancy_run", "run_id", "kind"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    run_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("reconciliation_run.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    spec_id: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[str] = mapped_column(String(128), nullable=False)
    resource_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    inventory_says: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    network_says: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CutoverPlan(Base):
    """资源割接: a planned move of services from some resources onto others."""

    __tablename__ = "cutover_plan"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("state", PLAN_STATES), name="state"),
        CheckConstraint(
            "window_end IS NULL OR window_start IS NULL OR window_end >= window_start",
            name="window",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(String(24), nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    approved_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class CutoverItem(Base):
    """One resource of a plan moved onto another.

    ``affected`` lists the open usages (service, customer) on the source and
    everything it contains at planning time; ``snapshot`` what execution
    changed (lifecycle of both ends, children moved, usages closed and
    opened), so that rollback restores it exactly.
    """

    __tablename__ = "cutover_item"
    __audited__ = True
    __table_args__ = (
        CheckConstraint(_in("state", ITEM_STATES), name="state"),
        Index("ix_cutover_item_plan", "plan_id", "seq"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(36), ForeignKey("cutover_plan.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    from_resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("resource.id"), nullable=False, index=True
    )
    to_resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("resource.id"), nullable=False, index=True
    )
    affected: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
