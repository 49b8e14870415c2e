"""ordering: order items, appointments and inventory checks

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-22 08:00:00
"""

from collections.abc import Sequence

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
