"""Tables of the TMF kit: remembered responses of idempotent requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.clock import utcnow


class IdempotencyKey(Base):
    """A client's ``Idempotency-Key`` and the response its first request got.

    Keys are per caller and per endpoint: the same key from another caller, or
    on another collection, is a different key. ``status`` is NULL while the
    first request is still running (its row claims the key).
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("owner", "endpoint", "key"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    owner: Mapped[str] = mapped_column(String(128), nullable=False)
    endpoint: Mapped[str] = mapped_column(String(255), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, index=True
    )


class TableVersion(Base):
    """Change counters of tables whose list totals are cached
    (see :mod:`openboss.kit.tmf.counts`). A table's version is the sum of its
    slots; triggers bump one slot per writing statement."""

    __tablename__ = "tmf_table_version"

    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
