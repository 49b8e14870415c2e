"""party: interaction tables

The reason taxonomy (``interaction_reason``) and TMF683 party interactions
(``party_interaction``, with the change-counter trigger for cached totals).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types
from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = openboss.db.types.UTCDateTime

_GIN_COLUMNS = ("related_party", "interaction_item")


def upgrade() -> None:
    op.create_table(
        "interaction_reason",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=True),
        sa.Column("routes_to", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["interaction_reason.code"],
            name=op.f("fk_interaction_reason_parent_code_interaction_reason"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_interaction_reason")),
    )
    with op.batch_alter_table("interaction_reason", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_reason_parent_code"), ["parent_code"], unique=False
        )

    op.create_table(
        "party_interaction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("related_channel", _JSON, nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("status_change_date", _TS(timezone=True), nullable=False),
        sa.Column("start_at", _TS(timezone=True), nullable=False),
        sa.Column("end_at", _TS(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("note", _JSON, nullable=True),
        sa.Column("attachment", _JSON, nullable=True),
        sa.Column("related_party", _JSON, nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("interaction_item", _JSON, nullable=True),
        sa.Column("interaction_relationship", _JSON, nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("routed_to", sa.String(length=32), nullable=True),
        sa.Column("handled_by", sa.String(length=128), nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.Column("closed_at", _TS(timezone=True), nullable=True),
        sa.Column("created_at", _TS(timezone=True), nullable=False),
        sa.Column("updated_at", _TS(timezone=True), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["reason_code"],
            ["interaction_reason.code"],
            name=op.f("fk_party_interaction_reason_code_interaction_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_interaction")),
    )
    with op.batch_alter_table("party_interaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_interaction_channel"), ["channel"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_party_interaction_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_party_interaction_outcome"), ["outcome"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_party_interaction_reason_code"), ["reason_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_party_interaction_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_party_interaction_start_at"), ["start_at"], unique=False
        )
        batch_op.create_index(
            "ix_party_interaction_customer_start", ["customer_id", "start_at"], unique=False
        )
        batch_op.create_index(
            "ix_party_interaction_status_start", ["status", "start_at"], unique=False
        )
        # GIN (jsonb_path_ops) on PostgreSQL for jsonpath filters; a plain index on SQLite
        for column in _GIN_COLUMNS:
            batch_op.create_index(
                f"ix_party_interaction_{column}_gin",
                [column],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={column: "jsonb_path_ops"},
            )
    install_version_trigger(op, "party_interaction")


def downgrade() -> None:
    drop_version_trigger(op, "party_interaction")
    with op.batch_alter_table("party_interaction", schema=None) as batch_op:
        for column in _GIN_COLUMNS:
            batch_op.drop_index(f"ix_party_interaction_{column}_gin")
        batch_op.drop_index("ix_party_interaction_status_start")
        batch_op.drop_index("ix_party_interaction_customer_start")
        batch_op.drop_index(batch_op.f("ix_party_interaction_start_at"))
        batch_op.drop_index(batch_op.f("ix_party_interaction_region_id"))
        batch_op.drop_index(batch_op.f("ix_party_interaction_reason_code"))
        batch_op.drop_index(batch_op.f("ix_party_interaction_outcome"))
        batch_op.drop_index(batch_op.f("ix_party_interaction_created_at"))
        batch_op.drop_index(batch_op.f("ix_party_interaction_channel"))
    op.drop_table("party_interaction")
    with op.batch_alter_table("interaction_reason", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_reason_parent_code"))
    op.drop_table("interaction_reason")
