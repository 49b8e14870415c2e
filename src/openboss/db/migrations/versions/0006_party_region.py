"""party: region tree

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openboss.db.types import UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "level IN ('province', 'city', 'district', 'grid')", name=op.f("ck_region_level")
        ),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_region_status")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["region.id"], name=op.f("fk_region_parent_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
    )
    op.create_index(op.f("ix_region_parent_id"), "region", ["parent_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_region_parent_id"), table_name="region")
    op.drop_table("region")
