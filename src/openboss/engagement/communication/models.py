"""Tables of customer communications (TMF681 v4, eTOM 1.1.1.4 / 1.2.1 customer
interaction): ``communication_message`` and the development SMS sink.

A message is what the operator sent (or will send) to a customer: one channel
(``messageType`` SMS or Email), receivers, the rendered text. Its ``content``
is what anyone may read back through the API; a text carrying a secret (the
access password of ``order.accessCredentials``) is stored **masked** there,
and the clear text waits in ``secret_content`` — never rendered, never
audited — only until the worker delivered it (or gave up), then it is wiped.

``sms_sink`` is the default SMS gateway of a system without one: each SMS the
worker "sends" becomes a row (the stand-in for the customer's phone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openboss.db.base import Base
from openboss.db.types import JSONDoc, UTCDateTime
from openboss.kit.tmf.attributes import ColumnAttr, JsonAttr, Kind
from openboss.kit.tmf.resource import TmfResource

#: The TMF681 v4 base path (the specification's ``basePath``).
BASE_PATH = "/tmf-api/communicationManagement/v4"

#: ``CommunicationMessageStateType`` of the specification.
STATES = ("initial", "inProgress", "completed", "cancelled", "failed")
MESSAGE_TYPES = ("SMS", "Email")

_REF_KEYS = frozenset({"id", "href", "name", "role", "@referredType", "@type"})


class CommunicationMessage(Base):
    """One message to one or more receivers over one channel."""

    __tablename__ = "communication_message"
    __audited__ = True
    __audit_exclude__ = frozenset({"doc", "secret_content"})
    __table_args__ = (
        CheckConstraint(
            "state IN ('initial', 'inProgress', 'completed', 'cancelled', 'failed')",
            name="state",
        ),
        CheckConstraint("message_type IN ('SMS', 'Email')", name="message_type"),
        Index("ix_communication_message_state", "state", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_type: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(512), nullable=True)
    #: The text as the API shows it (secrets masked).
    content: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[str | None] = mapped_column(String(16), nullable=True)
    log_flag: Mapped[bool | None] = mapped_column(nullable=True)
    scheduled_send_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    send_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    send_time_complete: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Delivery attempts allowed (TMF ``tryTimes``) and made so far.
    try_times: Mapped[int] = mapped_column(Integer, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    receiver: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, nullable=False)
    sender: Mapped[dict[str, Any]] = mapped_column(JSONDoc, nullable=False)
    characteristic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    attachment: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    #: Extension: what the message is about (a product order …).
    related_entity: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDoc, nullable=True)
    #: Extension: the template it was rendered from and in which language.
    template: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(512), nullable=True)
    #: Indexes of the receivers already delivered (retries skip them).
    delivered: Mapped[list[int]] = mapped_column(JSONDoc, nullable=False)
    #: The clear text when ``content`` is masked; NULL once delivered or failed.
    secret_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    doc: Mapped[str] = mapped_column(Text, nullable=False)


class SmsSink(Base):
    """An SMS handed to the default (sink) gateway."""

    __tablename__ = "sms_sink"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    to: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


_c = CommunicationMessage.__table__.c

MESSAGE_RESOURCE = TmfResource(
    name="communicationMessage",
    type_name="CommunicationMessage",
    base_path=BASE_PATH,
    path="/communicationMessage",
    table=CommunicationMessage.__table__,
    id_column=_c.id,
    document_column=_c.doc,
    attrs=(
        ColumnAttr("messageType", column=_c.message_type),
        ColumnAttr("state", column=_c.state),
        ColumnAttr("subject", column=_c.subject),
        ColumnAttr("content", column=_c.content, sortable=False),
        ColumnAttr("description", column=_c.description, sortable=False),
        ColumnAttr("priority", column=_c.priority),
        ColumnAttr("logFlag", column=_c.log_flag, kind=Kind.BOOLEAN),
        ColumnAttr("scheduledSendTime", column=_c.scheduled_send_time, kind=Kind.DATETIME),
        ColumnAttr("sendTime", column=_c.send_time, kind=Kind.DATETIME, read_only=True),
        ColumnAttr(
            "sendTimeComplete", column=_c.send_time_complete, kind=Kind.DATETIME, read_only=True
        ),
        ColumnAttr("tryTimes", column=_c.try_times, kind=Kind.INTEGER),
        JsonAttr(
            "receiver",
            column=_c.receiver,
            keys=frozenset(
                {"id", "appUserId", "email", "ip", "name", "phoneNumber", "party", "@type"}
            ),
        ),
        JsonAttr(
            "sender",
            column=_c.sender,
            keys=frozenset({"id", "email", "name", "phoneNumber", "party", "@type"}),
        ),
        JsonAttr(
            "characteristic",
            column=_c.characteristic,
            keys=frozenset({"id", "name", "value", "valueType", "@type"}),
        ),
        JsonAttr(
            "attachment",
            column=_c.attachment,
            keys=frozenset(
                {"id", "href", "attachmentType", "description", "mimeType", "name", "url"}
            ),
        ),
        # ---- OpenBOSS extensions (docs/order-console.md) ----
        JsonAttr("relatedEntity", column=_c.related_entity, keys=_REF_KEYS, read_only=True),
        ColumnAttr("template", column=_c.template, read_only=True),
        ColumnAttr("language", column=_c.locale, read_only=True),
        ColumnAttr("attempts", column=_c.attempts, kind=Kind.INTEGER, read_only=True),
        ColumnAttr("deliveryError", column=_c.last_error, read_only=True, sortable=False),
        ColumnAttr("creationDate", column=_c.created_at, kind=Kind.DATETIME, read_only=True),
        ColumnAttr("lastUpdate", column=_c.updated_at, kind=Kind.DATETIME, read_only=True),
    ),
    default_sort=("-creationDate",),
)
MESSAGE_RESOURCE.keep_document(CommunicationMessage)
