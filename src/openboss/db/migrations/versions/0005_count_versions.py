"""Change counters for cached list totals; counter trigger on sample_item

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openboss.kit.tmf.counts import drop_version_trigger, install_version_trigger

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tmf_table_version",
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "slot", name=op.f("pk_tmf_table_version")),
    )
    install_version_trigger(op, "sample_item")


def downgrade() -> None:
    drop_version_trigger(op, "sample_item")
    op.drop_table("tmf_table_version")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ob_bump_table_version()")
