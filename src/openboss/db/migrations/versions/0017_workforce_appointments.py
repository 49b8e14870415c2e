"""workforce: appointments tables

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-22 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("valid_start", _TS, nullable=False),
        sa.Column("valid_end", _TS, nullable=False),
        sa.Column("work_order_id", sa.String(length=36), nullable=True),
        sa.Column("skill_id", sa.String(length=64), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.String(length=36), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("related_place", _JSON, nullable=False),
        sa.Column("contact_medium", _JSON, nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("calendar_event", _JSON, nullable=True),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("history", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('initialized', 'confirmed', 'cancelled', 'completed', 'failed')",
            name=op.f("ck_appointment_status"),
        ),
        sa.CheckConstraint("valid_end > valid_start", name=op.f("ck_appointment_valid_for")),
        sa.CheckConstraint("duration > 0", name=op.f("ck_appointment_duration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index(
        "ix_appointment_status_start", "appointment", ["status", "valid_start"], unique=False
    )
    op.create_index(
        op.f("ix_appointment_work_order_id"), "appointment", ["work_order_id"], unique=False
    )
    op.create_index(op.f("ix_appointment_region_id"), "appointment", ["region_id"], unique=False)
    op.create_index(op.f("ix_appointment_partner_id"), "appointment", ["partner_id"], unique=False)
    op.create_table(
        "search_time_slot",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("search_result", sa.String(length=16), nullable=False),
        sa.Column("search_date", _TS, nullable=False),
        sa.Column("requested_time_slot", _JSON, nullable=False),
        sa.Column("available_time_slot", _JSON, nullable=False),
        sa.Column("related_place", _JSON, nullable=False),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("required_skill", _JSON, nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_time_slot")),
    )
    op.create_index(
        op.f("ix_search_time_slot_region_id"), "search_time_slot", ["region_id"], unique=False
    )
    op.create_index(
        op.f("ix_search_time_slot_partner_id"), "search_time_slot", ["partner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_search_time_slot_partner_id"), table_name="search_time_slot")
    op.drop_index(op.f("ix_search_time_slot_region_id"), table_name="search_time_slot")
    op.drop_table("search_time_slot")
    op.drop_index(op.f("ix_appointment_partner_id"), table_name="appointment")
    op.drop_index(op.f("ix_appointment_region_id"), table_name="appointment")
    op.drop_index(op.f("ix_appointment_work_order_id"), table_name="appointment")
    op.drop_index("ix_appointment_status_start", table_name="appointment")
    op.drop_table("appointment")
