"""Users and partner API clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base, TimestampMixin
from openboss.db.types import UTCDateTime
from openboss.kit.ids import new_id


class User(TimestampMixin, Base):
    """A person who logs in: staff, partner staff or a self-service customer."""

    __tablename__ = "auth_user"
    __audited__ = True
    __audit_exclude__ = frozenset({"password_hash"})

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    #: True while the password is the demo password; ``openboss api`` refuses to start then.
    demo_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    #: Regions the user works in; NULL = every region.
    region_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApiClient(TimestampMixin, Base):
    """A partner or integration system using the client-credentials grant."""

    __tablename__ = "auth_api_client"
    __audited__ = True
    __audit_exclude__ = frozenset({"secret_hash"})

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the client_id
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    region_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
