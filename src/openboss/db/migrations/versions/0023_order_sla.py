"""ordering: SLA clocks and business alarms

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openboss.db.types

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "order_sla_clock",
        sa.Column("product_order_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("deadline", _TS, nullable=False),
        sa.Column("jeopardy_at", _TS, nullable=False),
        sa.Column("completion_hours", sa.Integer(), nullable=False),
        sa.Column("jeopardy_percent", sa.Integer(), nullable=False),
        sa.Column("stopped_at", _TS, nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('running', 'jeopardy', 'breached', 'met', 'missed', 'stopped')",
            name=op.f("ck_order_sla_clock_state"),
        ),
        sa.CheckConstraint("deadline > started_at", name=op.f("ck_order_sla_clock_deadline")),
        sa.CheckConstraint(
            "jeopardy_percent > 0 AND jeopardy_percent <= 100",
            name=op.f("ck_order_sla_clock_jeopardy"),
        ),
        sa.PrimaryKeyConstraint("product_order_id", name=op.f("pk_order_sla_clock")),
    )
    op.create_index(
        "ix_order_sla_clock_state_deadline", "order_sla_clock", ["state", "deadline"], unique=False
    )
    op.create_index(
        op.f("ix_order_sla_clock_region_id"), "order_sla_clock", ["region_id"], unique=False
    )
    op.create_table(
        "business_alarm",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_at", _TS, nullable=False),
        sa.Column("acknowledged_by", sa.String(length=128), nullable=True),
        sa.Column("acknowledged_at", _TS, nullable=True),
        sa.Column("cleared_at", _TS, nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "kind IN ('orderJeopardy', 'orderBreach')", name=op.f("ck_business_alarm_kind")
        ),
        sa.CheckConstraint(
            "severity IN ('critical', 'major', 'minor', 'warning')",
            name=op.f("ck_business_alarm_severity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_alarm")),
        sa.UniqueConstraint("kind", "object_id", name=op.f("uq_business_alarm_kind_object_id")),
    )
    op.create_index(
        "ix_business_alarm_raised", "business_alarm", ["cleared_at", "raised_at"], unique=False
    )
    op.create_index(
        op.f("ix_business_alarm_object_id"), "business_alarm", ["object_id"], unique=False
    )
    op.create_index(
        op.f("ix_business_alarm_region_id"), "business_alarm", ["region_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_business_alarm_region_id"), table_name="business_alarm")
    op.drop_index(op.f("ix_business_alarm_object_id"), table_name="business_alarm")
    op.drop_index("ix_business_alarm_raised", table_name="business_alarm")
    op.drop_table("business_alarm")
    op.drop_index(op.f("ix_order_sla_clock_region_id"), table_name="order_sla_clock")
    op.drop_index("ix_order_sla_clock_state_deadline", table_name="order_sla_clock")
    op.drop_table("order_sla_clock")
