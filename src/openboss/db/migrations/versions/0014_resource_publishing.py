"""resource: publishing tables (partner coverage, business resource types,
availability, TMF645 service qualification)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "business_resource_type",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("coverage_type", sa.String(length=32), nullable=False),
        sa.Column("delivery_mode", sa.String(length=32), nullable=False),
        sa.Column("service_specs", _JSON, nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("preference", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "delivery_mode IN ('ownConstruction', 'partner', 'instant')",
            name=op.f("ck_business_resource_type_delivery_mode"),
        ),
        sa.CheckConstraint(
            "rule IN ('ftthSplitterPorts', 'partnerCoverage', 'mstpNodeCapacity', 'everywhere')",
            name=op.f("ck_business_resource_type_rule"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'retired')", name=op.f("ck_business_resource_type_status")
        ),
        sa.CheckConstraint("lead_days >= 0", name=op.f("ck_business_resource_type_lead_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_resource_type")),
    )
    op.create_table(
        "partner_coverage",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("technology", sa.String(length=32), nullable=False),
        sa.Column("coverage_type", sa.String(length=32), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'suspended')", name=op.f("ck_partner_coverage_status")
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_partner_coverage_capacity")),
        sa.CheckConstraint("used >= 0", name=op.f("ck_partner_coverage_used")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from",
            name=op.f("ck_partner_coverage_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["network_partner.id"],
            name=op.f("fk_partner_coverage_partner_id_network_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["geographic_site.id"],
            name=op.f("fk_partner_coverage_site_id_geographic_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_coverage")),
        sa.UniqueConstraint("site_id", "partner_id", "technology", name="uq_partner_coverage_site"),
    )
    op.create_index(
        op.f("ix_partner_coverage_partner_id"), "partner_coverage", ["partner_id"], unique=False
    )
    op.create_index(
        op.f("ix_partner_coverage_region_id"), "partner_coverage", ["region_id"], unique=False
    )
    op.create_index(
        op.f("ix_partner_coverage_site_id"), "partner_coverage", ["site_id"], unique=False
    )
    op.create_table(
        "resource_availability",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("business_type_id", sa.String(length=64), nullable=False),
        sa.Column("owner_key", sa.String(length=64), nullable=False),
        sa.Column("coverage_type", sa.String(length=32), nullable=False),
        sa.Column("delivery_mode", sa.String(length=32), nullable=False),
        sa.Column("capacity_total", sa.Integer(), nullable=False),
        sa.Column("capacity_free", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ready_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('available', 'exhausted', 'planned')",
            name=op.f("ck_resource_availability_status"),
        ),
        sa.CheckConstraint(
            "capacity_free >= 0 AND capacity_free <= capacity_total",
            name=op.f("ck_resource_availability_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["business_type_id"],
            ["business_resource_type.id"],
            name=op.f("fk_resource_availability_business_type_id_business_resource_type"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["geographic_site.id"],
            name=op.f("fk_resource_availability_site_id_geographic_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_availability")),
        sa.UniqueConstraint(
            "site_id", "business_type_id", "owner_key", name="uq_resource_availability_owner"
        ),
    )
    op.create_index(
        op.f("ix_resource_availability_partner_id"),
        "resource_availability",
        ["partner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_resource_availability_region_id"),
        "resource_availability",
        ["region_id"],
        unique=False,
    )
    op.create_index(
        "ix_resource_availability_status",
        "resource_availability",
        ["status", "business_type_id"],
        unique=False,
    )
    op.create_table(
        "check_service_qualification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("qualification_result", sa.String(length=16), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("instant_sync", sa.Boolean(), nullable=False),
        sa.Column("provide_alternative", sa.Boolean(), nullable=False),
        sa.Column("provide_reason", sa.Boolean(), nullable=False),
        sa.Column("check_date", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expiration_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("qualification_items", _JSON, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "qualification_result IS NULL OR qualification_result IN ('qualified', 'unqualified', 'alternate')",
            name=op.f("ck_check_service_qualification_qualification_result"),
        ),
        sa.CheckConstraint(
            "state IN ('accepted', 'terminatedWithError', 'inProgress', 'done')",
            name=op.f("ck_check_service_qualification_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_service_qualification")),
    )
    op.create_index(
        op.f("ix_check_service_qualification_check_date"),
        "check_service_qualification",
        ["check_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_check_service_qualification_external_id"),
        "check_service_qualification",
        ["external_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_check_service_qualification_region_id"),
        "check_service_qualification",
        ["region_id"],
        unique=False,
    )
    op.create_table(
        "query_service_qualification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("instant_sync", sa.Boolean(), nullable=False),
        sa.Column("query_date", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expiration_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("search_criteria", _JSON, nullable=False),
        sa.Column("qualification_items", _JSON, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('accepted', 'terminatedWithError', 'inProgress', 'done')",
            name=op.f("ck_query_service_qualification_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_service_qualification")),
    )
    op.create_index(
        op.f("ix_query_service_qualification_external_id"),
        "query_service_qualification",
        ["external_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_query_service_qualification_query_date"),
        "query_service_qualification",
        ["query_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_query_service_qualification_region_id"),
        "query_service_qualification",
        ["region_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_query_service_qualification_region_id"), table_name="query_service_qualification"
    )
    op.drop_index(
        op.f("ix_query_service_qualification_query_date"), table_name="query_service_qualification"
    )
    op.drop_index(
        op.f("ix_query_service_qualification_external_id"), table_name="query_service_qualification"
    )
    op.drop_table("query_service_qualification")
    op.drop_index(
        op.f("ix_check_service_qualification_region_id"), table_name="check_service_qualification"
    )
    op.drop_index(
        op.f("ix_check_service_qualification_external_id"), table_name="check_service_qualification"
    )
    op.drop_index(
        op.f("ix_check_service_qualification_check_date"), table_name="check_service_qualification"
    )
    op.drop_table("check_service_qualification")
    op.drop_index("ix_resource_availability_status", table_name="resource_availability")
    op.drop_index(op.f("ix_resource_availability_region_id"), table_name="resource_availability")
    op.drop_index(op.f("ix_resource_availability_partner_id"), table_name="resource_availability")
    op.drop_table("resource_availability")
    op.drop_index(op.f("ix_partner_coverage_site_id"), table_name="partner_coverage")
    op.drop_index(op.f("ix_partner_coverage_region_id"), table_name="partner_coverage")
    op.drop_index(op.f("ix_partner_coverage_partner_id"), table_name="partner_coverage")
    op.drop_table("partner_coverage")
    op.drop_table("business_resource_type")
