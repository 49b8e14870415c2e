"""engagement: communication messages (TMF681)

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "communication_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_type", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("log_flag", sa.Boolean(), nullable=True),
        sa.Column("scheduled_send_time", _TS, nullable=True),
        sa.Column("send_time", _TS, nullable=True),
        sa.Column("send_time_complete", _TS, nullable=True),
        sa.Column("try_times", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("receiver", _JSON, nullable=False),
        sa.Column("sender", _JSON, nullable=False),
        sa.Column("characteristic", _JSON, nullable=True),
        sa.Column("attachment", _JSON, nullable=True),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(length=512), nullable=True),
        sa.Column("delivered", _JSON, nullable=False),
        sa.Column("secret_content", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('initial', 'inProgress', 'completed', 'cancelled', 'failed')",
            name=op.f("ck_communication_message_state"),
        ),
        sa.CheckConstraint(
            "message_type IN ('SMS', 'Email')", name=op.f("ck_communication_message_message_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_message")),
    )
    op.create_index(
        "ix_communication_message_state",
        "communication_message",
        ["state", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_communication_message_template"),
        "communication_message",
        ["template"],
        unique=False,
    )
    op.create_table(
        "sms_sink",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("to", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_sink")),
    )
    op.create_index(op.f("ix_sms_sink_message_id"), "sms_sink", ["message_id"], unique=False)
    op.create_index(op.f("ix_sms_sink_to"), "sms_sink", ["to"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_sink_to"), table_name="sms_sink")
    op.drop_index(op.f("ix_sms_sink_message_id"), table_name="sms_sink")
    op.drop_table("sms_sink")
    op.drop_index(op.f("ix_communication_message_template"), table_name="communication_message")
    op.drop_index("ix_communication_message_state", table_name="communication_message")
    op.drop_table("communication_message")
