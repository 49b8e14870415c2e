"""TMF kit idempotency keys, sample resource

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:24:30.957804
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("endpoint", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "owner", "endpoint", "key", name=op.f("uq_idempotency_key_owner_endpoint_key")
        ),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_key_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "sample_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_unit", sa.String(length=3), nullable=True),
        sa.Column(
            "price_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("valid_from", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("characteristic", _JSON, nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_item")),
    )
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_item_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_sample_item_name_id", ["name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sample_item_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sample_item_price_minor"), ["price_minor"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sample_item_quantity"), ["quantity"], unique=False)
        batch_op.create_index(batch_op.f("ix_sample_item_region_id"), ["region_id"], unique=False)
        batch_op.create_index("ix_sample_item_state_created", ["state", "created_at"], unique=False)
        # GIN (jsonb_path_ops) on PostgreSQL for jsonpath filters; a plain index on SQLite
        for column in ("related_party", "characteristic"):
            batch_op.create_index(
                f"ix_sample_item_{column}_gin",
                [column],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={column: "jsonb_path_ops"},
            )


def downgrade() -> None:
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        for column in ("related_party", "characteristic"):
            batch_op.drop_index(f"ix_sample_item_{column}_gin")
        batch_op.drop_index("ix_sample_item_state_created")
        batch_op.drop_index(batch_op.f("ix_sample_item_region_id"))
        batch_op.drop_index(batch_op.f("ix_sample_item_quantity"))
        batch_op.drop_index(batch_op.f("ix_sample_item_price_minor"))
        batch_op.drop_index(batch_op.f("ix_sample_item_partner_id"))
        batch_op.drop_index("ix_sample_item_name_id")
        batch_op.drop_index(batch_op.f("ix_sample_item_created_at"))
    op.drop_table("sample_item")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_created_at"))
    op.drop_table("idempotency_key")
