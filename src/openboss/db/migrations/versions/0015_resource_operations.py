"""resource: operations tables (imports, reconciliation, cutover)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cutover_plan",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("window_start", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_end", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'approved', 'executing', 'executed', 'partiallyExecuted', 'rolledBack')",
            name=op.f("ck_cutover_plan_state"),
        ),
        sa.CheckConstraint(
            "window_end IS NULL OR window_start IS NULL OR window_end >= window_start",
            name=op.f("ck_cutover_plan_window"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cutover_plan")),
    )
    op.create_index(
        op.f("ix_cutover_plan_created_at"), "cutover_plan", ["created_at"], unique=False
    )
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("scope", _JSON, nullable=False),
        sa.Column("counts", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_reconciliation_run_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_run")),
    )
    op.create_index(
        op.f("ix_reconciliation_run_created_at"), "reconciliation_run", ["created_at"], unique=False
    )
    op.create_table(
        "resource_import",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("report", _JSON, nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "result IN ('succeeded', 'failed', 'validated')", name=op.f("ck_resource_import_result")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_import")),
    )
    op.create_index(
        op.f("ix_resource_import_created_at"), "resource_import", ["created_at"], unique=False
    )
    op.create_table(
        "reconciliation_discrepancy",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=True),
        sa.Column("inventory_says", _JSON, nullable=True),
        sa.Column("network_says", _JSON, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('missing', 'extra', 'mismatched')",
            name=op.f("ck_reconciliation_discrepancy_kind"),
        ),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('acceptNetwork', 'keepInventory', 'ignore')",
            name=op.f("ck_reconciliation_discrepancy_resolution"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_reconciliation_discrepancy_status")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_run.id"],
            name=op.f("fk_reconciliation_discrepancy_run_id_reconciliation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_discrepancy")),
    )
    op.create_index(
        op.f("ix_reconciliation_discrepancy_resource_id"),
        "reconciliation_discrepancy",
        ["resource_id"],
        unique=False,
    )
    op.create_index(
        "ix_reconciliation_discrepancy_run",
        "reconciliation_discrepancy",
        ["run_id", "kind"],
        unique=False,
    )
    op.create_table(
        "cutover_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_resource_id", sa.String(length=36), nullable=False),
        sa.Column("to_resource_id", sa.String(length=36), nullable=False),
        sa.Column("affected", _JSON, nullable=False),
        sa.Column("batch", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("snapshot", _JSON, nullable=True),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'done', 'failed', 'rolledBack')",
            name=op.f("ck_cutover_item_state"),
        ),
        sa.ForeignKeyConstraint(
            ["from_resource_id"],
            ["resource.id"],
            name=op.f("fk_cutover_item_from_resource_id_resource"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["cutover_plan.id"], name=op.f("fk_cutover_item_plan_id_cutover_plan")
        ),
        sa.ForeignKeyConstraint(
            ["to_resource_id"],
            ["resource.id"],
            name=op.f("fk_cutover_item_to_resource_id_resource"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cutover_item")),
    )
    op.create_index(
        op.f("ix_cutover_item_from_resource_id"), "cutover_item", ["from_resource_id"], unique=False
    )
    op.create_index("ix_cutover_item_plan", "cutover_item", ["plan_id", "seq"], unique=False)
    op.create_index(
        op.f("ix_cutover_item_to_resource_id"), "cutover_item", ["to_resource_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cutover_item_to_resource_id"), table_name="cutover_item")
    op.drop_index("ix_cutover_item_plan", table_name="cutover_item")
    op.drop_index(op.f("ix_cutover_item_from_resource_id"), table_name="cutover_item")
    op.drop_table("cutover_item")
    op.drop_index("ix_reconciliation_discrepancy_run", table_name="reconciliation_discrepancy")
    op.drop_index(
        op.f("ix_reconciliation_discrepancy_resource_id"), table_name="reconciliation_discrepancy"
    )
    op.drop_table("reconciliation_discrepancy")
    op.drop_index(op.f("ix_resource_import_created_at"), table_name="resource_import")
    op.drop_table("resource_import")
    op.drop_index(op.f("ix_reconciliation_run_created_at"), table_name="reconciliation_run")
    op.drop_table("reconciliation_run")
    op.drop_index(op.f("ix_cutover_plan_created_at"), table_name="cutover_plan")
    op.drop_table("cutover_plan")
