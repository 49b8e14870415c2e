"""fulfilment: service orders, product and service inventory

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cancel_service_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_order_id", sa.String(length=36), nullable=False),
        sa.Column("service_order", _JSON, nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("requested_cancellation", _TS, nullable=True),
        sa.Column("effective_cancellation", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancel_service_order")),
    )
    op.create_index(
        op.f("ix_cancel_service_order_region_id"),
        "cancel_service_order",
        ["region_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cancel_service_order_service_order_id"),
        "cancel_service_order",
        ["service_order_id"],
        unique=False,
    )
    op.create_table(
        "inventory_product",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_bundle", sa.Boolean(), nullable=True),
        sa.Column("is_customer_visible", sa.Boolean(), nullable=True),
        sa.Column("product_serial_number", sa.String(length=128), nullable=True),
        sa.Column("order_date", _TS, nullable=True),
        sa.Column("start_date", _TS, nullable=True),
        sa.Column("termination_date", _TS, nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("agreement", _JSON, nullable=True),
        sa.Column("billing_account", _JSON, nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("product", _JSON, nullable=True),
        sa.Column("product_characteristic", _JSON, nullable=True),
        sa.Column("product_offering", _JSON, nullable=True),
        sa.Column("product_order_item", _JSON, nullable=True),
        sa.Column("product_price", _JSON, nullable=True),
        sa.Column("product_relationship", _JSON, nullable=True),
        sa.Column("product_specification", _JSON, nullable=True),
        sa.Column("product_term", _JSON, nullable=True),
        sa.Column("realizing_resource", _JSON, nullable=True),
        sa.Column("realizing_service", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_product")),
    )
    op.create_index(
        op.f("ix_inventory_product_customer_id"), "inventory_product", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_inventory_product_region_id"), "inventory_product", ["region_id"], unique=False
    )
    op.create_index(
        "ix_inventory_product_related_party_gin",
        "inventory_product",
        ["related_party"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"related_party": "jsonb_path_ops"},
    )
    op.create_index(
        op.f("ix_inventory_product_status"), "inventory_product", ["status"], unique=False
    )
    op.create_table(
        "inventory_service",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("service_type", sa.String(length=64), nullable=True),
        sa.Column("is_service_enabled", sa.Boolean(), nullable=True),
        sa.Column("has_started", sa.Boolean(), nullable=True),
        sa.Column("is_stateful", sa.Boolean(), nullable=True),
        sa.Column("is_bundle", sa.Boolean(), nullable=True),
        sa.Column("start_mode", sa.String(length=32), nullable=True),
        sa.Column("service_date", _TS, nullable=True),
        sa.Column("start_date", _TS, nullable=True),
        sa.Column("end_date", _TS, nullable=True),
        sa.Column("product_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("service_specification", _JSON, nullable=False),
        sa.Column("service_characteristic", _JSON, nullable=True),
        sa.Column("feature", _JSON, nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("service_order_item", _JSON, nullable=True),
        sa.Column("service_relationship", _JSON, nullable=True),
        sa.Column("supporting_resource", _JSON, nullable=True),
        sa.Column("supporting_service", _JSON, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_service")),
    )
    op.create_index(
        op.f("ix_inventory_service_customer_id"), "inventory_service", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_inventory_service_product_id"), "inventory_service", ["product_id"], unique=False
    )
    op.create_index(
        op.f("ix_inventory_service_region_id"), "inventory_service", ["region_id"], unique=False
    )
    op.create_index(
        op.f("ix_inventory_service_state"), "inventory_service", ["state"], unique=False
    )
    op.create_table(
        "service_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("notification_contact", sa.String(length=256), nullable=True),
        sa.Column("order_date", _TS, nullable=False),
        sa.Column("requested_start", _TS, nullable=True),
        sa.Column("requested_completion", _TS, nullable=True),
        sa.Column("expected_completion", _TS, nullable=True),
        sa.Column("start_date", _TS, nullable=True),
        sa.Column("completion_date", _TS, nullable=True),
        sa.Column("cancellation_date", _TS, nullable=True),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("external_reference", _JSON, nullable=True),
        sa.Column("order_relationship", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("service_order_item", _JSON, nullable=False),
        sa.Column("product_order_id", sa.String(length=64), nullable=True),
        sa.Column("product_order_item_id", sa.String(length=32), nullable=True),
        sa.Column("product_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("process_key", sa.String(length=128), nullable=True),
        sa.Column("process_instance_id", sa.String(length=36), nullable=True),
        sa.Column("depends_on", _JSON, nullable=False),
        sa.Column("request", _JSON, nullable=True),
        sa.Column("secret", _JSON, nullable=True),
        sa.Column("product_status_before", sa.String(length=32), nullable=True),
        sa.Column("failure_reason", sa.String(length=1024), nullable=True),
        sa.Column("state_change_date", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order")),
    )
    op.create_index(
        op.f("ix_service_order_customer_id"), "service_order", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_order_external_id"), "service_order", ["external_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_order_order_date"), "service_order", ["order_date"], unique=False
    )
    op.create_index(
        op.f("ix_service_order_process_instance_id"),
        "service_order",
        ["process_instance_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_order_product_id"), "service_order", ["product_id"], unique=False
    )
    op.create_index(
        "ix_service_order_product_order",
        "service_order",
        ["product_order_id", "product_order_item_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_order_region_id"), "service_order", ["region_id"], unique=False
    )
    op.create_index(op.f("ix_service_order_state"), "service_order", ["state"], unique=False)
    op.create_table(
        "service_order_milestone",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_order_id", sa.String(length=36), nullable=False),
        sa.Column("product_order_id", sa.String(length=64), nullable=True),
        sa.Column("product_order_item_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("detail", _JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_milestone")),
    )
    op.create_index(
        op.f("ix_service_order_milestone_product_order_id"),
        "service_order_milestone",
        ["product_order_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_order_milestone_service_order_id"),
        "service_order_milestone",
        ["service_order_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("inventory_service")
    op.drop_table("inventory_product")
    op.drop_table("service_order_milestone")
    op.drop_table("cancel_service_order")
    op.drop_table("service_order")
