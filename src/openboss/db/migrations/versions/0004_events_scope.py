"""row scope of events and hub listeners (partner, region)

Outbox events carry the partner and region of the row they are about; hub
listeners keep the regions their registering principal was limited to (the
partner was kept already), so that a scoped listener receives only the
events of rows in its scope.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("region_id", sa.String(length=64), nullable=True))

    with op.batch_alter_table("hub_subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_subscription", schema=None) as batch_op:
        batch_op.drop_column("region_ids")

    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("region_id")
        batch_op.drop_column("partner_id")
