"""resource: the claim index orders by id (next free number without a sort)

``claim_free`` asks for the first available resources of a container ordered
by id. With ``(parent_id, lifecycle_status)`` only, SQLite chose the
``(spec_id, lifecycle_status)`` index and sorted every free number of the
spec (8 ms per MSISDN with 12,000 free); with ``id`` appended the pool's free
numbers are read in order and the first one is taken (0.01 ms), measured in
``bench/orders.py``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-22 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as batch_op:
        batch_op.drop_index("ix_resource_parent_status")
        batch_op.create_index(
            "ix_resource_parent_status", ["parent_id", "lifecycle_status", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("resource") as batch_op:
        batch_op.drop_index("ix_resource_parent_status")
        batch_op.create_index(
            "ix_resource_parent_status", ["parent_id", "lifecycle_status"], unique=False
        )
