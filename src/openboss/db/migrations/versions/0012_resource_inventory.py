"""resource inventory

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 00:44:09.654897
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "network_partner",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("default_terms", sa.String(length=16), nullable=False),
        sa.Column("revenue_share_percent", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contact", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fixedLine', 'cableTv', 'mobile', 'construction', 'other')",
            name=op.f("ck_network_partner_kind"),
        ),
        sa.CheckConstraint(
            "default_terms IN ('own', 'lease', 'revenueShare')",
            name=op.f("ck_network_partner_default_terms"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive')", name=op.f("ck_network_partner_status")
        ),
        sa.CheckConstraint(
            "revenue_share_percent IS NULL OR"
            " (revenue_share_percent >= 0 AND revenue_share_percent <= 100)",
            name=op.f("ck_network_partner_revenue_share_percent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_partner")),
    )
    op.create_table(
        "resource_reservation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expires_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(length=128), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('active', 'allocated', 'released', 'expired')",
            name=op.f("ck_resource_reservation_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_reservation")),
    )
    with op.batch_alter_table("resource_reservation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_reservation_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_reservation_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_reservation_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "resource_spec",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("base_type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("characteristics", _JSON, nullable=False),
        sa.Column("parent_specs", _JSON, nullable=False),
        sa.Column("quarantine_days", sa.Integer(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "base_type IN ('PhysicalResource', 'LogicalResource')",
            name=op.f("ck_resource_spec_base_type"),
        ),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_resource_spec_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_spec")),
    )
    op.create_table(
        "resource",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("base_type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("ownership_terms", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=16), nullable=False),
        sa.Column("resource_status", sa.String(length=16), nullable=False),
        sa.Column("administrative_state", sa.String(length=16), nullable=False),
        sa.Column("operational_state", sa.String(length=16), nullable=False),
        sa.Column("usage_state", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("characteristics", _JSON, nullable=False),
        sa.Column("relationships", _JSON, nullable=True),
        sa.Column("reservation_id", sa.String(length=36), nullable=True),
        sa.Column("hold_until", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "start_operating_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "end_operating_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "administrative_state IN ('locked', 'unlocked', 'shutdown')",
            name=op.f("ck_resource_administrative_state"),
        ),
        sa.CheckConstraint(
            "base_type IN ('PhysicalResource', 'LogicalResource')",
            name=op.f("ck_resource_base_type"),
        ),
        sa.CheckConstraint(
            "lifecycle_status <> 'reserved' OR (reservation_id IS NOT NULL AND hold_until IS NOT NULL)",
            name=op.f("ck_resource_reserved_hold"),
        ),
        sa.CheckConstraint(
            "lifecycle_status IN ('planned', 'available', 'reserved', 'allocated', 'released', 'retired')",
            name=op.f("ck_resource_lifecycle_status"),
        ),
        sa.CheckConstraint(
            "operational_state IN ('enable', 'disable')", name=op.f("ck_resource_operational_state")
        ),
        sa.CheckConstraint(
            "ownership_terms IN ('own', 'lease', 'revenueShare')",
            name=op.f("ck_resource_ownership_terms"),
        ),
        sa.CheckConstraint(
            "resource_status IN ('standby', 'alarm', 'available', 'reserved', 'unknown', 'suspended')",
            name=op.f("ck_resource_resource_status"),
        ),
        sa.CheckConstraint(
            "usage_state IN ('idle', 'active', 'busy')", name=op.f("ck_resource_usage_state")
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name=op.f("ck_resource_capacity")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["resource.id"], name=op.f("fk_resource_parent_id_resource")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["resource_reservation.id"],
            name=op.f("fk_resource_reservation_id_resource_reservation"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["geographic_site.id"], name=op.f("fk_resource_site_id_geographic_site")
        ),
        sa.ForeignKeyConstraint(
            ["spec_id"], ["resource_spec.id"], name=op.f("fk_resource_spec_id_resource_spec")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resource_hold_until",
            ["hold_until"],
            unique=False,
            postgresql_where=sa.text("hold_until IS NOT NULL"),
            sqlite_where=sa.text("hold_until IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_resource_parent_status", ["parent_id", "lifecycle_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resource_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_region_id"), ["region_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_resource_reservation_id"), ["reservation_id"], unique=False
        )
        batch_op.create_index(
            "ix_resource_site_spec_status", ["site_id", "spec_id", "lifecycle_status"], unique=False
        )
        batch_op.create_index(
            "ix_resource_spec_status", ["spec_id", "lifecycle_status"], unique=False
        )
        batch_op.create_index(
            "uq_resource_spec_value",
            ["spec_id", "value"],
            unique=True,
            postgresql_where=sa.text("value IS NOT NULL"),
            sqlite_where=sa.text("value IS NOT NULL"),
        )

    op.create_table(
        "resource_transfer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("from_region", sa.String(length=64), nullable=True),
        sa.Column("to_region", sa.String(length=64), nullable=True),
        sa.Column("from_parent_id", sa.String(length=36), nullable=True),
        sa.Column("to_parent_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("transferred_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_resource_transfer_resource_id_resource")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_transfer")),
    )
    with op.batch_alter_table("resource_transfer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_transfer_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_transfer_resource_id"), ["resource_id"], unique=False
        )

    op.create_table(
        "resource_usage",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_resource_usage_period")
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name=op.f("fk_resource_usage_resource_id_resource")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_usage")),
    )
    with op.batch_alter_table("resource_usage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_usage_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resource_usage_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_resource_usage_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            "ix_resource_usage_resource", ["resource_id", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_usage_service_id"), ["service_id"], unique=False
        )

    install_version_trigger(op, "resource")


def downgrade() -> None:
    drop_version_trigger(op, "resource")
    with op.batch_alter_table("resource_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_usage_service_id"))
        batch_op.drop_index("ix_resource_usage_resource")
        batch_op.drop_index(batch_op.f("ix_resource_usage_region_id"))
        batch_op.drop_index(batch_op.f("ix_resource_usage_order_id"))
        batch_op.drop_index(batch_op.f("ix_resource_usage_customer_id"))

    op.drop_table("resource_usage")
    with op.batch_alter_table("resource_transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_transfer_resource_id"))
        batch_op.drop_index(batch_op.f("ix_resource_transfer_batch_id"))

    op.drop_table("resource_transfer")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_resource_spec_value",
            postgresql_where=sa.text("value IS NOT NULL"),
            sqlite_where=sa.text("value IS NOT NULL"),
        )
        batch_op.drop_index("ix_resource_spec_status")
        batch_op.drop_index("ix_resource_site_spec_status")
        batch_op.drop_index(batch_op.f("ix_resource_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_resource_region_id"))
        batch_op.drop_index(batch_op.f("ix_resource_partner_id"))
        batch_op.drop_index("ix_resource_parent_status")
        batch_op.drop_index(
            "ix_resource_hold_until",
            postgresql_where=sa.text("hold_until IS NOT NULL"),
            sqlite_where=sa.text("hold_until IS NOT NULL"),
        )

    op.drop_table("resource")
    op.drop_table("resource_spec")
    with op.batch_alter_table("resource_reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_reservation_region_id"))
        batch_op.drop_index(batch_op.f("ix_resource_reservation_expires_at"))
        batch_op.drop_index(batch_op.f("ix_resource_reservation_customer_id"))

    op.drop_table("resource_reservation")
    op.drop_table("network_partner")
