"""party: account tables

Billing accounts (TMF666) with their hierarchy and balances; the credit
check audit trail.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "billing_account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_number", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("account_type", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("payment_status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("related_party", _JSON, nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("paid_by_parent", sa.Boolean(), nullable=False),
        sa.Column("account_relationship", _JSON, nullable=True),
        sa.Column("bill_cycle_day", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credit_limit_minor", _BIGINT, nullable=True),
        sa.Column("payment_method", sa.String(length=32), nullable=True),
        sa.Column("deposit_minor", _BIGINT, nullable=False),
        sa.Column("outstanding_minor", _BIGINT, nullable=False),
        sa.Column("overdue_minor", _BIGINT, nullable=False),
        sa.Column("overdue_since", _TS(timezone=True), nullable=True),
        sa.Column("balance_updated_at", _TS(timezone=True), nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["billing_account.id"],
            name=op.f("fk_billing_account_parent_id_billing_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_account")),
        sa.UniqueConstraint("account_number", name=op.f("uq_billing_account_account_number")),
    )
    with op.batch_alter_table("billing_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_account_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_account_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_billing_account_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_billing_account_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_account_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            "ix_billing_account_state_created", ["state", "created_at"], unique=False
        )
        # GIN (jsonb_path_ops) on PostgreSQL for jsonpath filters; a plain index on SQLite
        batch_op.create_index(
            "ix_billing_account_related_party_gin",
            ["related_party"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"related_party": "jsonb_path_ops"},
        )
    install_version_trigger(op, "billing_account")

    op.create_table(
        "credit_check",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_recurring_minor", _BIGINT, nullable=False),
        sa.Column("requested_one_time_minor", _BIGINT, nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reasons", _JSON, nullable=False),
        sa.Column("figures", _JSON, nullable=False),
        sa.Column("checked_by", sa.String(length=128), nullable=False),
        sa.Column("checked_at", _TS(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check")),
    )
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_check_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_credit_check_customer_checked", ["customer_id", "checked_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_check_region_id"), ["region_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_region_id"))
        batch_op.drop_index("ix_credit_check_customer_checked")
        batch_op.drop_index(batch_op.f("ix_credit_check_account_id"))
    op.drop_table("credit_check")
    drop_version_trigger(op, "billing_account")
    with op.batch_alter_table("billing_account", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_account_related_party_gin")
        batch_op.drop_index("ix_billing_account_state_created")
        batch_op.drop_index(batch_op.f("ix_billing_account_region_id"))
        batch_op.drop_index(batch_op.f("ix_billing_account_parent_id"))
        batch_op.drop_index("ix_billing_account_name_id")
        batch_op.drop_index(batch_op.f("ix_billing_account_customer_id"))
        batch_op.drop_index(batch_op.f("ix_billing_account_created_at"))
    op.drop_table("billing_account")
