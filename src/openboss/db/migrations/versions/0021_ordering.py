"""ordering: product orders

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "product_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.String(length=1), nullable=True),
        sa.Column("notification_contact", sa.String(length=256), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("billing_account", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=False),
        sa.Column("channel", _JSON, nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("agreement", _JSON, nullable=True),
        sa.Column("product_order_item", _JSON, nullable=False),
        sa.Column("order_total_price", _JSON, nullable=True),
        sa.Column("requested_start", _TS, nullable=True),
        sa.Column("requested_completion", _TS, nullable=True),
        sa.Column("expected_completion", _TS, nullable=True),
        sa.Column("completion_date", _TS, nullable=True),
        sa.Column("cancellation_date", _TS, nullable=True),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("state_reason", sa.String(length=512), nullable=True),
        sa.Column("plan", _JSON, nullable=True),
        sa.Column("credit_check", _JSON, nullable=True),
        sa.Column("state_change_date", _TS, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_order")),
    )
    op.create_index(op.f("ix_product_order_state"), "product_order", ["state"], unique=False)
    op.create_index(
        op.f("ix_product_order_external_id"), "product_order", ["external_id"], unique=False
    )
    op.create_index(
        op.f("ix_product_order_customer_id"), "product_order", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_product_order_created_at"), "product_order", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_product_order_region_id"), "product_order", ["region_id"], unique=False
    )
    op.create_index(
        "ix_product_order_related_party_gin",
        "product_order",
        ["related_party"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"related_party": "jsonb_path_ops"},
    )
    op.create_table(
        "cancel_product_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("product_order_id", sa.String(length=36), nullable=False),
        sa.Column("product_order", _JSON, nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("requested_cancellation_date", _TS, nullable=True),
        sa.Column("effective_cancellation_date", _TS, nullable=True),
        sa.Column("state_reason", sa.String(length=512), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancel_product_order")),
    )
    op.create_index(
        op.f("ix_cancel_product_order_product_order_id"),
        "cancel_product_order",
        ["product_order_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cancel_product_order_created_at"),
        "cancel_product_order",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cancel_product_order_region_id"),
        "cancel_product_order",
        ["region_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("cancel_product_order")
    op.drop_index("ix_product_order_related_party_gin", table_name="product_order")
    op.drop_table("product_order")
