"""events dispatch (hub listeners, deliveries, outbox leases) and worker jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 20:19:58.926549
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hub_subscription",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("api", sa.String(length=128), nullable=False),
        sa.Column("callback", sa.String(length=2048), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_subscription")),
    )
    with op.batch_alter_table("hub_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_subscription_api"), ["api"], unique=False)

    op.create_table(
        "job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=96), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("run_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedup_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_job_dedup_key")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index("ix_job_due", ["status", "run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_job_lease", ["status", "locked_until"], unique=False)

    op.create_table(
        "event_delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "event_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subscription_id", sa.String(length=36), nullable=True),
        sa.Column("callback", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["outbox_event.seq"],
            name=op.f("fk_event_delivery_event_seq_outbox_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["hub_subscription.id"],
            name=op.f("fk_event_delivery_subscription_id_hub_subscription"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_delivery")),
        sa.UniqueConstraint(
            "event_seq",
            "subscription_id",
            name=op.f("uq_event_delivery_event_seq_subscription_id"),
        ),
    )
    with op.batch_alter_table("event_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_event_delivery_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_delivery_subscription_id"), ["subscription_id"], unique=False
        )

    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("locked_until", openboss.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("handled_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("fanned_out_at", openboss.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("fanned_out_at")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("locked_by")

    with op.batch_alter_table("event_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_delivery_subscription_id"))
        batch_op.drop_index("ix_event_delivery_due")

    op.drop_table("event_delivery")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_lease")
        batch_op.drop_index(batch_op.f("ix_job_kind"))
        batch_op.drop_index("ix_job_due")

    op.drop_table("job")
    with op.batch_alter_table("hub_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_subscription_api"))

    op.drop_table("hub_subscription")
