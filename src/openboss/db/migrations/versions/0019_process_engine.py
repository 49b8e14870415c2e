"""fulfilment: process engine (definitions, instances)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _dt() -> openboss.db.types.UTCDateTime:
    return openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "process_definition",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("deployed_at", _dt(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_definition")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_process_definition_key_version")),
    )
    op.create_index(op.f("ix_process_definition_key"), "process_definition", ["key"], unique=False)
    op.create_table(
        "process_instance",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=True),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("current", _JSON, nullable=False),
        sa.Column("done", _JSON, nullable=False),
        sa.Column("due_at", _dt(), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", _dt(), nullable=True),
        sa.Column("has_messages", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_task", sa.String(length=128), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.Column("progressed_at", _dt(), nullable=False),
        sa.Column("ended_at", _dt(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'waiting', 'incident', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_process_instance_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_instance")),
    )
    op.create_index("ix_process_instance_due", "process_instance", ["due_at"], unique=False)
    op.create_index(
        "ix_process_instance_business_key", "process_instance", ["business_key"], unique=False
    )
    op.create_index(
        "ix_process_instance_status", "process_instance", ["status", "updated_at"], unique=False
    )
    op.create_index(
        "ix_process_instance_key", "process_instance", ["process_key", "version"], unique=False
    )
    op.create_table(
        "process_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message", sa.String(length=128), nullable=False),
        sa.Column("correlation_key", sa.String(length=255), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("payload", _JSON, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("consumed_at", _dt(), nullable=True),
        sa.CheckConstraint(
            "status IN ('expected', 'buffered', 'pending', 'consumed')",
            name=op.f("ck_process_message_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_message")),
    )
    op.create_index(
        "ix_process_message_corr",
        "process_message",
        ["message", "correlation_key", "status"],
        unique=False,
    )
    op.create_index(
        "ix_process_message_instance", "process_message", ["instance_id", "status"], unique=False
    )
    op.create_table(
        "desk_task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("process_key", sa.String(length=128), nullable=False),
        sa.Column("business_key", sa.String(length=128), nullable=False),
        sa.Column("task_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("lane", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("spiff_task", sa.String(length=36), nullable=False),
        sa.Column("result", _JSON, nullable=True),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("completed_at", _dt(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'completed', 'cancelled')", name=op.f("ck_desk_task_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_task")),
    )
    op.create_index("ix_desk_task_status", "desk_task", ["status", "created_at"], unique=False)
    op.create_index("ix_desk_task_instance", "desk_task", ["instance_id"], unique=False)
    op.create_table(
        "process_task_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=128), nullable=False),
        sa.Column("task_name", sa.String(length=255), nullable=True),
        sa.Column("task_type", sa.String(length=64), nullable=False),
        sa.Column("implementation", sa.String(length=128), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("started_at", _dt(), nullable=False),
        sa.Column("ended_at", _dt(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_task_log")),
    )
    op.create_index(
        "ix_process_task_log_instance", "process_task_log", ["instance_id", "seq"], unique=False
    )


def downgrade() -> None:
    op.drop_table("process_task_log")
    op.drop_table("desk_task")
    op.drop_table("process_message")
    op.drop_table("process_instance")
    op.drop_table("process_definition")
