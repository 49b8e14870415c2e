"""workforce: assessment tables

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-22 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openboss.db.types

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _dt() -> openboss.db.types.UTCDateTime:
    return openboss.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assessment_template",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("kinds", _JSON, nullable=False),
        sa.Column("indicators", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.CheckConstraint(
            "scenario IN ('homeInstall', 'repair', 'enterprise')",
            name=op.f("ck_assessment_template_scenario"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive')", name=op.f("ck_assessment_template_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_template")),
    )
    op.create_table(
        "assessment_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("template_snapshot", _JSON, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("scope_type", sa.String(length=16), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("published_at", _dt(), nullable=True),
        sa.Column("published_by", sa.String(length=128), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'cancelled')", name=op.f("ck_assessment_run_state")
        ),
        sa.CheckConstraint(
            "scope_type IN ('own', 'partner', 'all')", name=op.f("ck_assessment_run_scope_type")
        ),
        sa.CheckConstraint(
            "subject_type IN ('technician', 'team', 'partner')",
            name=op.f("ck_assessment_run_subject_type"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_assessment_run_period")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["assessment_template.id"],
            name=op.f("fk_assessment_run_template_id_assessment_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_run")),
    )
    op.create_index(op.f("ix_assessment_run_created_at"), "assessment_run", ["created_at"])
    op.create_index(op.f("ix_assessment_run_partner_id"), "assessment_run", ["partner_id"])
    op.create_index(op.f("ix_assessment_run_template_id"), "assessment_run", ["template_id"])
    op.create_table(
        "assessment_result",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=128), nullable=False),
        sa.Column("figures", _JSON, nullable=False),
        sa.Column("computed_score", sa.Float(), nullable=False),
        sa.Column("manual_score", sa.Float(), nullable=True),
        sa.Column("assessor_comment", sa.String(length=1024), nullable=True),
        sa.Column("final_score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("published_at", _dt(), nullable=True),
        sa.Column("appeal_reason", sa.String(length=1024), nullable=True),
        sa.Column("appealed_by", sa.String(length=128), nullable=True),
        sa.Column("appealed_at", _dt(), nullable=True),
        sa.Column("decision_reason", sa.String(length=1024), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", _dt(), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'published', 'appealed', 'accepted', 'rejected')",
            name=op.f("ck_assessment_result_state"),
        ),
        sa.CheckConstraint(
            "computed_score >= 0 AND computed_score <= 100",
            name=op.f("ck_assessment_result_computed"),
        ),
        sa.CheckConstraint(
            "final_score >= 0 AND final_score <= 100", name=op.f("ck_assessment_result_final")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assessment_run.id"],
            name=op.f("fk_assessment_result_run_id_assessment_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_result")),
    )
    op.create_index(op.f("ix_assessment_result_partner_id"), "assessment_result", ["partner_id"])
    op.create_index(op.f("ix_assessment_result_run_id"), "assessment_result", ["run_id"])
    op.create_table(
        "rating_invitation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("work_order_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("expires_at", _dt(), nullable=False),
        sa.Column("rated_at", _dt(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "stars IS NULL OR (stars >= 1 AND stars <= 5)", name=op.f("ck_rating_invitation_stars")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_rating_invitation_work_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rating_invitation_token_hash")),
        sa.UniqueConstraint("work_order_id", name=op.f("uq_rating_invitation_work_order_id")),
    )
    op.create_index(op.f("ix_rating_invitation_partner_id"), "rating_invitation", ["partner_id"])
    op.create_index(op.f("ix_rating_invitation_rated_at"), "rating_invitation", ["rated_at"])
    op.create_index(op.f("ix_rating_invitation_region_id"), "rating_invitation", ["region_id"])
    op.create_index(
        op.f("ix_rating_invitation_technician_id"), "rating_invitation", ["technician_id"]
    )


def downgrade() -> None:
    op.drop_table("rating_invitation")
    op.drop_table("assessment_result")
    op.drop_table("assessment_run")
    op.drop_table("assessment_template")
