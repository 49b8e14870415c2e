"""workforce: the dispatcher board's stored day plans

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-22 08:00:00
"""

from collections.abc import Sequence

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
