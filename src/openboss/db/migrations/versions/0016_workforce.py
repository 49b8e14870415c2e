"""workforce: staff and work orders

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "partner_company",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sla_terms", _JSON, nullable=True),
        sa.Column("webhook_url", sa.String(length=512), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('construction', 'cableTv', 'fixedLine')", name=op.f("ck_partner_company_kind")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive')", name=op.f("ck_partner_company_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_company")),
    )
    op.create_table(
        "skill",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("localized_name", _JSON, nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_skill_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill")),
    )
    op.create_table(
        "technician",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("home_lat", sa.Float(), nullable=True),
        sa.Column("home_lon", sa.Float(), nullable=True),
        sa.Column("service_areas", _JSON, nullable=False),
        sa.Column("work_days", _JSON, nullable=False),
        sa.Column("shift_start", sa.String(length=5), nullable=False),
        sa.Column("shift_end", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_technician_status")),
        sa.CheckConstraint(
            "home_lat IS NULL OR (home_lat >= -90 AND home_lat <= 90)",
            name=op.f("ck_technician_lat"),
        ),
        sa.CheckConstraint(
            "home_lon IS NULL OR (home_lon >= -180 AND home_lon <= 180)",
            name=op.f("ck_technician_lon"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician")),
        sa.UniqueConstraint("employee_no", name=op.f("uq_technician_employee_no")),
        sa.UniqueConstraint("username", name=op.f("uq_technician_username")),
    )
    op.create_index(op.f("ix_technician_partner_id"), "technician", ["partner_id"], unique=False)
    op.create_index(op.f("ix_technician_region_id"), "technician", ["region_id"], unique=False)
    op.create_table(
        "team",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("leader_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["technician.id"],
            name=op.f("fk_team_leader_id_technician"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    op.create_index(op.f("ix_team_partner_id"), "team", ["partner_id"], unique=False)
    op.create_index(op.f("ix_team_region_id"), "team", ["region_id"], unique=False)
    op.create_table(
        "technician_leave",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=True),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_technician_leave_dates")),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_technician_leave_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician_leave")),
    )
    op.create_index(
        op.f("ix_technician_leave_technician_id"),
        "technician_leave",
        ["technician_id"],
        unique=False,
    )
    op.create_table(
        "technician_skill",
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.Column("skill_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level >= 1 AND level <= 5", name=op.f("ck_technician_skill_level")),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skill.id"], name=op.f("fk_technician_skill_skill_id_skill")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_technician_skill_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", "skill_id", name=op.f("pk_technician_skill")),
    )
    op.create_index(
        op.f("ix_technician_skill_skill_id"), "technician_skill", ["skill_id"], unique=False
    )
    op.create_table(
        "work_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("field_state", sa.String(length=16), nullable=True),
        sa.Column("field_state_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.String(length=1), nullable=False),
        sa.Column("required_skill", _JSON, nullable=False),
        sa.Column("estimated_duration", sa.Integer(), nullable=False),
        sa.Column("place", _JSON, nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("window_start", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_end", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appointment", _JSON, nullable=True),
        sa.Column("sla_deadline", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("assignee_name", sa.String(length=128), nullable=True),
        sa.Column("requested_start", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "requested_completion", openboss.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "expected_completion", openboss.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("start_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completion_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation_date", openboss.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=512), nullable=True),
        sa.Column("failure_reason", sa.String(length=512), nullable=True),
        sa.Column(
            "state_change_date", openboss.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("related_entity", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("work_order_item", _JSON, nullable=False),
        sa.Column("created_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "priority IN ('1', '2', '3', '4', '5')", name=op.f("ck_work_order_priority")
        ),
        sa.CheckConstraint("estimated_duration > 0", name=op.f("ck_work_order_estimated_duration")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["technician.id"], name=op.f("fk_work_order_assignee_id_technician")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order")),
    )
    op.create_index(op.f("ix_work_order_assignee_id"), "work_order", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_work_order_created_at"), "work_order", ["created_at"], unique=False)
    op.create_index(op.f("ix_work_order_external_id"), "work_order", ["external_id"], unique=False)
    op.create_index(op.f("ix_work_order_kind"), "work_order", ["kind"], unique=False)
    op.create_index(op.f("ix_work_order_partner_id"), "work_order", ["partner_id"], unique=False)
    op.create_index(op.f("ix_work_order_region_id"), "work_order", ["region_id"], unique=False)
    op.create_index(
        "ix_work_order_related_entity_gin",
        "work_order",
        ["related_entity"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"related_entity": "jsonb_path_ops"},
    )
    op.create_index(
        op.f("ix_work_order_sla_deadline"), "work_order", ["sla_deadline"], unique=False
    )
    op.create_index(
        "ix_work_order_state_window", "work_order", ["state", "window_start"], unique=False
    )
    op.create_table(
        "team_member",
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technician.id"],
            name=op.f("fk_team_member_technician_id_technician"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "technician_id", name=op.f("pk_team_member")),
    )
    op.create_index(
        op.f("ix_team_member_technician_id"), "team_member", ["technician_id"], unique=False
    )
    op.create_table(
        "work_order_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("work_order_id", sa.String(length=36), nullable=False),
        sa.Column("at", openboss.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("from_field_state", sa.String(length=16), nullable=True),
        sa.Column("to_field_state", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=1024), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_work_order_event_work_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_event")),
    )
    op.create_index(
        op.f("ix_work_order_event_work_order_id"),
        "work_order_event",
        ["work_order_id"],
        unique=False,
    )
    install_version_trigger(op, "work_order")


def downgrade() -> None:
    drop_version_trigger(op, "work_order")
    op.drop_table("work_order_event")
    op.drop_table("team_member")
    op.drop_table("work_order")
    op.drop_table("technician_skill")
    op.drop_table("technician_leave")
    op.drop_table("team")
    op.drop_table("technician")
    op.drop_table("skill")
    op.drop_table("partner_company")
