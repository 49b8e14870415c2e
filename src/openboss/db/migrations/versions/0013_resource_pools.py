"""resource: pools and stock (no tables of their own)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 01:20:00
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to create: IP and number pools, numbers, addresses, blocks,
    warehouses and CPE are rows of the shared ``resource`` table (0012), told
    apart by their resource specification."""


def downgrade() -> None:
    """Nothing to drop (see :func:`upgrade`)."""
