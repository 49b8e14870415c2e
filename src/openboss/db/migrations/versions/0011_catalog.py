"""catalog: TMF620 tables

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "catalog_catalog",
        sa.Column("catalog_type", sa.String(length=32), nullable=True),
        sa.Column("category", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=32), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_catalog")),
    )
    with op.batch_alter_table("catalog_catalog", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_catalog_last_update"), ["last_update"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_catalog_lifecycle_status"), ["lifecycle_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_catalog_name"), ["name"], unique=False)

    op.create_table(
        "catalog_category",
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("is_root", sa.Boolean(), nullable=False),
        sa.Column("product_offering", _JSON, nullable=True),
        sa.Column("sub_category", _JSON, nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=32), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_category")),
    )
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_category_last_update"), ["last_update"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_category_lifecycle_status"), ["lifecycle_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_category_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_category_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "catalog_delivery_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("product_spec_id", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("coverage_type", sa.String(length=32), nullable=False),
        sa.Column("delivery_mode", sa.String(length=32), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=True),
        sa.Column("sla_completion_hours", sa.Integer(), nullable=True),
        sa.Column("sla_jeopardy_percent", sa.Integer(), nullable=True),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_delivery_rule")),
        sa.UniqueConstraint(
            "product_spec_id",
            "region_id",
            "coverage_type",
            name=op.f("uq_catalog_delivery_rule_product_spec_id_region_id_coverage_type"),
        ),
    )
    with op.batch_alter_table("catalog_delivery_rule", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_delivery_rule_lookup", ["product_spec_id", "coverage_type"], unique=False
        )

    op.create_table(
        "catalog_offering_price",
        sa.Column("price_type", sa.String(length=32), nullable=True),
        sa.Column("recurring_charge_period_type", sa.String(length=16), nullable=True),
        sa.Column("recurring_charge_period_length", sa.Integer(), nullable=True),
        sa.Column("is_bundle", sa.Boolean(), nullable=False),
        sa.Column("percentage", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("price_unit", sa.String(length=3), nullable=True),
        sa.Column(
            "price_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("unit_of_measure", _JSON, nullable=True),
        sa.Column("tax", _JSON, nullable=True),
        sa.Column("pop_relationship", _JSON, nullable=True),
        sa.Column("bundled_pop_relationship", _JSON, nullable=True),
        sa.Column("pricing_logic_algorithm", _JSON, nullable=True),
        sa.Column("product_offering_term", _JSON, nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("price_model", _JSON, nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=32), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_offering_price")),
    )
    with op.batch_alter_table("catalog_offering_price", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_offering_price_last_update"), ["last_update"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_offering_price_lifecycle_status"),
            ["lifecycle_status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_catalog_offering_price_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_offering_price_price_type"), ["price_type"], unique=False
        )

    op.create_table(
        "catalog_offering_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("offering_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("effective_from", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("document", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_offering_version")),
        sa.UniqueConstraint(
            "offering_id", "version", name=op.f("uq_catalog_offering_version_offering_id_version")
        ),
    )
    with op.batch_alter_table("catalog_offering_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_offering_version_offering_id"), ["offering_id"], unique=False
        )

    op.create_table(
        "catalog_product_offering",
        sa.Column("is_bundle", sa.Boolean(), nullable=False),
        sa.Column("is_sellable", sa.Boolean(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("product_specification", _JSON, nullable=True),
        sa.Column("product_spec_id", sa.String(length=64), nullable=True),
        sa.Column("bundled_product_offering", _JSON, nullable=True),
        sa.Column("bundle_rule", _JSON, nullable=True),
        sa.Column("category", _JSON, nullable=True),
        sa.Column("channel", _JSON, nullable=True),
        sa.Column("market_segment", _JSON, nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("product_offering_price", _JSON, nullable=True),
        sa.Column("product_offering_term", _JSON, nullable=True),
        sa.Column("prod_spec_char_value_use", _JSON, nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=32), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_offering")),
    )
    with op.batch_alter_table("catalog_product_offering", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_product_offering_last_update"), ["last_update"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_product_offering_lifecycle_status"),
            ["lifecycle_status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_product_offering_name"), ["name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_product_offering_product_spec_id"),
            ["product_spec_id"],
            unique=False,
        )

    op.create_table(
        "catalog_product_spec",
        sa.Column("brand", sa.String(length=64), nullable=True),
        sa.Column("product_number", sa.String(length=64), nullable=True),
        sa.Column("is_bundle", sa.Boolean(), nullable=False),
        sa.Column("product_spec_characteristic", _JSON, nullable=True),
        sa.Column("bundled_product_specification", _JSON, nullable=True),
        sa.Column("service_specification", _JSON, nullable=True),
        sa.Column("resource_specification", _JSON, nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("lifecycle_status", sa.String(length=32), nullable=False),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_spec")),
    )
    with op.batch_alter_table("catalog_product_spec", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_product_spec_last_update"), ["last_update"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_product_spec_lifecycle_status"),
            ["lifecycle_status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_catalog_product_spec_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_catalog_product_spec_product_number"), ["product_number"], unique=False
        )

    op.create_table(
        "catalog_resource_spec",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_resource_spec")),
    )
    op.create_table(
        "catalog_service_spec",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("rfs_ids", _JSON, nullable=True),
        sa.Column("resource_spec_ids", _JSON, nullable=True),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_service_spec")),
    )
    with op.batch_alter_table("catalog_service_spec", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_service_spec_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalog_service_spec", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_service_spec_kind"))

    op.drop_table("catalog_service_spec")
    op.drop_table("catalog_resource_spec")
    with op.batch_alter_table("catalog_product_spec", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_product_spec_product_number"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_spec_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_spec_lifecycle_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_spec_last_update"))

    op.drop_table("catalog_product_spec")
    with op.batch_alter_table("catalog_product_offering", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_product_offering_product_spec_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_offering_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_offering_lifecycle_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_product_offering_last_update"))

    op.drop_table("catalog_product_offering")
    with op.batch_alter_table("catalog_offering_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_offering_version_offering_id"))

    op.drop_table("catalog_offering_version")
    with op.batch_alter_table("catalog_offering_price", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_offering_price_price_type"))
        batch_op.drop_index(batch_op.f("ix_catalog_offering_price_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_offering_price_lifecycle_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_offering_price_last_update"))

    op.drop_table("catalog_offering_price")
    with op.batch_alter_table("catalog_delivery_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_delivery_rule_lookup")

    op.drop_table("catalog_delivery_rule")
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_category_parent_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_category_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_category_lifecycle_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_category_last_update"))

    op.drop_table("catalog_category")
    with op.batch_alter_table("catalog_catalog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_catalog_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_catalog_lifecycle_status"))
        batch_op.drop_index(batch_op.f("ix_catalog_catalog_last_update"))

    op.drop_table("catalog_catalog")
