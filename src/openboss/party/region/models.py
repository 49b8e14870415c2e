"""The ``region`` table: the hierarchy province → city → district → grid (地域管理).

A region's id is its code: the GB/T 2260 administrative division code for
provinces, cities and districts (``330000``, ``330100``, ``330106``) and the
district code plus a grid suffix for grids (``330106-G01``). Rows of other
domains (customers, addresses, resources, orders, staff grants) name the
region they belong to by this id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import UTCDateTime

#: The levels, top-down; a region's parent is exactly one level above it.
LEVELS: tuple[str, ...] = ("province", "city", "district", "grid")


class Region(Base):
    """One node of the region tree."""

    __tablename__ = "region"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("level IN ('province', 'city', 'district', 'grid')", name="level"),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("region.id"), nullable=True, index=True
    )
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
